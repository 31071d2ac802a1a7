#include "sched_log.h"
#include "json.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int log_fd = -1;
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;

static int mkdir_parent(const char *path)
{
	char dir[4096], *s;

	snprintf(dir, sizeof(dir), "%s", path);
	s = strrchr(dir, '/');
	if (!s || s == dir)
		return 0;
	*s = '\0';
	for (s = dir + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return mkdir(dir, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

int slog_open(const char *path)
{
	int fd;

	if (!path)
		return 0;
	if (mkdir_parent(path) < 0)
		return -1;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	slog_close();
	log_fd = fd;
	return 0;
}

void slog_close(void)
{
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
}

struct line {
	char buf[4096];
	size_t len;
};

static void put(struct line *l, const char *s, size_t n)
{
	if (l->len + n >= sizeof(l->buf) - 2)
		n = sizeof(l->buf) - 2 - l->len;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static void puts_(struct line *l, const char *s)
{
	put(l, s, strlen(s));
}

static int is_number(const char *v)
{
	const char *p = v;

	if (*p == '-')
		p++;
	if (!isdigit((unsigned char)*p) || (*p == '0' && p[1]))
		return 0;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.' && isdigit((unsigned char)p[1]))
		for (p++; isdigit((unsigned char)*p); p++)
			;
	return *p == '\0' && p - v < 19;
}

/* A quoted value, escaped for JSON (also valid logfmt). */
static void quoted(struct line *l, const char *v)
{
	char esc[8];
	const char *e;

	puts_(l, "\"");
	for (; *v; v++) {
		e = json_escape_char((unsigned char)*v, esc);
		if (e)
			puts_(l, e);
		else
			put(l, v, 1);
	}
	puts_(l, "\"");
}

static int needs_quotes(const char *v)
{
	if (!*v)
		return 1;
	for (; *v; v++)
		if (*v <= ' ' || *v == '"' || *v == '=' || *v == '\\' || (unsigned char)*v >= 0x7f)
			return 1;
	return 0;
}

static void kv(struct line *l, int json, const char *k, const char *v)
{
	if (json) {
		puts_(l, l->len > 1 ? ",\"" : "\"");
		puts_(l, k);
		puts_(l, "\":");
		if (is_number(v))
			puts_(l, v);
		else
			quoted(l, v);
		return;
	}
	if (l->len)
		puts_(l, " ");
	puts_(l, k);
	puts_(l, "=");
	if (needs_quotes(v))
		quoted(l, v);
	else
		puts_(l, v);
}

void slog(enum msg_level lvl, const char *event, ...)
{
	const char *fmt = getenv("LOG_FORMAT"), *k, *v;
	int json = fmt && strcmp(fmt, "json") == 0;
	char ts[32];
	struct line l;
	struct tm tm;
	time_t now = time(NULL);
	va_list ap;

	if (!msg_enabled(lvl))
		return;
	l.len = 0;
	if (json)
		puts_(&l, "{");
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	kv(&l, json, "ts", ts);
	kv(&l, json, "level", msg_level_name(lvl));
	kv(&l, json, "event", event);
	va_start(ap, event);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		if (v)
			kv(&l, json, k, v);
	}
	va_end(ap);
	if (json)
		puts_(&l, "}");
	puts_(&l, "\n");
	pthread_mutex_lock(&log_mu);
	if (write(2, l.buf, l.len) < 0) {
		/* nowhere left to report it */
	}
	if (log_fd >= 0 && write(log_fd, l.buf, l.len) < 0) {
		/* keep running: stderr still has the line */
	}
	pthread_mutex_unlock(&log_mu);
}
