/* fetch_egress: per-address pacing for fetch-bars; see fetch_egress.h. */
#include "fetch_egress.h"
#include "xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void add(struct fetch_egress_set *s, char *name, double rate, double now)
{
	struct fetch_egress *e;

	s->e = xreallocarray(s->e, s->n + 1, sizeof(*s->e));
	e = &s->e[s->n++];
	e->name = name;
	e->requests = 0;
	fetch_bucket_init(&e->bucket, rate, now);
}

/* One item of the list: "" when fine, else why it is not. */
static const char *item_error(const struct fetch_egress_set *s, const char *p,
			      size_t len)
{
	size_t i;

	if (s->n == FETCH_EGRESS_MAX)
		return "too many addresses";
	if (len == 0)
		return "empty address";
	if (strcspn(p, " \t\r\n") < len)
		return "blank in an address";
	for (i = 0; i < s->n; i++)
		if (strlen(s->e[i].name) == len && memcmp(s->e[i].name, p, len) == 0)
			return "address given twice";
	return "";
}

int fetch_egress_parse(struct fetch_egress_set *s, const char *list,
		       double rate, double now, char *why, size_t n)
{
	const char *p, *q, *bad;
	size_t len;

	memset(s, 0, sizeof(*s));
	if (!list) {
		add(s, NULL, rate, now);
		return 0;
	}
	for (p = list;; p = q + 1) {
		q = p + strcspn(p, ",");
		len = (size_t)(q - p);
		if (*(bad = item_error(s, p, len))) {
			snprintf(why, n, "--interface: %s: '%.*s' in '%.80s'", bad,
				 (int)(len > 60 ? 60 : len), p, list);
			fetch_egress_free(s);
			return -1;
		}
		add(s, xstrndup(p, len), rate, now);
		if (!*q)
			return 0;
	}
}

/* 0 when addr can be bound as a source address, else -1 with errno. */
static int bindable(int family, const void *addr)
{
	struct sockaddr_in6 a6;
	struct sockaddr_in a4;
	int fd = socket(family, SOCK_STREAM, 0), rc, e;

	if (fd < 0)
		return -1;
	if (family == AF_INET) {
		memset(&a4, 0, sizeof(a4));
		a4.sin_family = AF_INET;
		memcpy(&a4.sin_addr, addr, sizeof(a4.sin_addr));
		rc = bind(fd, (struct sockaddr *)&a4, sizeof(a4));
	} else {
		memset(&a6, 0, sizeof(a6));
		a6.sin6_family = AF_INET6;
		memcpy(&a6.sin6_addr, addr, sizeof(a6.sin6_addr));
		rc = bind(fd, (struct sockaddr *)&a6, sizeof(a6));
	}
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

int fetch_egress_probe(const struct fetch_egress_set *s, char *why, size_t n)
{
	unsigned char a[sizeof(struct in6_addr)];
	const char *name;
	size_t i;
	int fam;

	for (i = 0; i < s->n; i++) {
		if (!(name = s->e[i].name))
			continue;
		if (strncmp(name, "if!", 3) == 0) {
			if (if_nametoindex(name + 3) == 0) {
				snprintf(why, n, "--interface: %s: no such interface", name);
				return -1;
			}
			continue;
		}
		if (strncmp(name, "host!", 5) == 0)
			name += 5;
		fam = inet_pton(AF_INET, name, a) == 1 ? AF_INET :
		      inet_pton(AF_INET6, name, a) == 1 ? AF_INET6 : 0;
		if (fam && bindable(fam, a) < 0) {
			snprintf(why, n, "--interface: %s: %s", s->e[i].name,
				 strerror(errno));
			return -1;
		}
	}
	return 0;
}

struct fetch_egress *fetch_egress_pick(struct fetch_egress_set *s, double now,
				       double *wait)
{
	struct fetch_egress *e;
	size_t k;
	double t;

	for (k = 0; k < s->n; k++) {
		e = &s->e[(s->next + k) % s->n];
		if ((t = fetch_bucket_take(&e->bucket, now)) == 0) {
			s->next = (size_t)(e - s->e + 1) % s->n;
			e->requests++;
			return e;
		}
		if (t < *wait)
			*wait = t;
	}
	return NULL;
}

void fetch_egress_free(struct fetch_egress_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->e[i].name);
	free(s->e);
	memset(s, 0, sizeof(*s));
}
