#include "db_secret.h"
#include "msg.h"
#include "xalloc.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Learnt secrets, longest first so a long one is replaced before a
 * piece of it.  A fixed table: a process sees a handful of strings. */
#define MAX_SECRETS 64

static char *secrets[MAX_SECRETS];
static int nsecrets;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void learn_n(const char *s, size_t len)
{
	int i, j;

	if (len < DB_SECRET_MIN)
		return;
	pthread_mutex_lock(&lock);
	for (i = 0; i < nsecrets; i++)
		if (strlen(secrets[i]) == len && memcmp(secrets[i], s, len) == 0)
			break;
	if (i == nsecrets && nsecrets < MAX_SECRETS) {
		for (j = 0; j < nsecrets && strlen(secrets[j]) >= len; j++)
			;
		memmove(&secrets[j + 1], &secrets[j], (size_t)(nsecrets - j) * sizeof(*secrets));
		secrets[j] = xstrndup(s, len);
		nsecrets++;
	}
	pthread_mutex_unlock(&lock);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int secret_key(const char *k, size_t len)
{
	return (len == 8 && !strncmp(k, "password", 8)) ||
	       (len == 11 && !strncmp(k, "sslpassword", 11));
}

/* A URI query key names a secret: libpq percent-decodes keys too, so
 * "pass%77ord" is the password. */
static int secret_uri_key(const char *k, size_t len)
{
	char dec[16];
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (n == sizeof(dec))
			return 0;
		if (k[i] == '%' && i + 2 < len && hexval(k[i + 1]) >= 0 && hexval(k[i + 2]) >= 0) {
			dec[n++] = (char)(hexval(k[i + 1]) * 16 + hexval(k[i + 2]));
			i += 2;
		} else {
			dec[n++] = k[i];
		}
	}
	return secret_key(dec, n);
}

/*
 * Learn a raw password and what libpq might make of it: its percent-
 * decoded form and the pieces between the characters that end a URI
 * part ('@', '/', ':', '?', '&', ',') or a conninfo value (blanks, quotes).
 */
static void learn_raw(const char *s, size_t len)
{
	char *dec = xmalloc(len + 1);
	size_t i, k = 0, start = 0;

	learn_n(s, len);
	for (i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len + 0 && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			dec[k++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else {
			dec[k++] = s[i];
		}
	}
	learn_n(dec, k);
	free(dec);
	for (i = 0; i <= len; i++) {
		if (i == len || strchr("@/:?&, \t\n'\"\\", s[i])) {
			if (i > start && !(start == 0 && i == len))
				learn_n(s + start, i - start);
			start = i + 1;
		}
	}
}

/* The password of a URI's user info (up to the last '@' before the
 * query: libpq stops at the first one, the user meant the last) and of
 * password=/sslpassword= query parameters. */
static void learn_uri(const char *s)
{
	const char *p = strstr(s, "://"), *q, *at = NULL, *x, *colon;
	size_t klen;

	if (!p)
		return;
	p += 3;
	q = strchr(p, '?');
	for (x = p; *x && x != q; x++)
		if (*x == '@')
			at = x;
	if (at && (colon = memchr(p, ':', (size_t)(at - p))))
		learn_raw(colon + 1, (size_t)(at - colon - 1));
	for (x = q; x && *x; x += strcspn(x, "&")) {
		x++;
		klen = strcspn(x, "=&");
		if (x[klen] == '=' && secret_uri_key(x, klen))
			learn_raw(x + klen + 1, strcspn(x + klen + 1, "&"));
	}
}

/* One key = value pair of a conninfo string, as libpq reads it: blanks
 * around '=', values in single quotes or bare, backslash escapes in both. */
struct kv {
	const char *key, *raw;
	size_t klen, rawlen;
	char *val; /* unescaped, malloc'd by kv_next */
};

/* The next pair at *sp; 0 at the end. */
static int kv_next(const char **sp, struct kv *p)
{
	const char *s = *sp;
	size_t n;
	int quoted;

	for (;;) {
		s += strspn(s, " \t\n\r\f\v");
		if (!*s)
			return 0;
		p->key = s;
		p->klen = strcspn(s, "= \t\n\r\f\v");
		s += p->klen;
		s += strspn(s, " \t\n\r\f\v");
		if (*s == '=')
			break;
	}
	s++;
	s += strspn(s, " \t\n\r\f\v");
	quoted = *s == '\'';
	p->raw = s += quoted;
	p->val = xmalloc(strlen(s) + 1);
	for (n = 0; *s && (quoted ? *s != '\'' : !strchr(" \t\n\r\f\v", *s)); s++)
		p->val[n++] = *s == '\\' && s[1] ? *++s : *s;
	p->val[n] = '\0';
	p->rawlen = (size_t)(s - p->raw);
	*sp = s + (*s == '\'');
	return 1;
}

static void learn_keyvalue(const char *s)
{
	struct kv p;

	while (kv_next(&s, &p)) {
		if (secret_key(p.key, p.klen)) {
			learn_raw(p.raw, p.rawlen);
			learn_raw(p.val, strlen(p.val));
		}
		free(p.val);
	}
}

static int is_uri(const char *s)
{
	return strncmp(s, "postgresql://", 13) == 0 || strncmp(s, "postgres://", 11) == 0;
}

void db_secret_learn(const char *conninfo)
{
	PQconninfoOption *opts, *o;
	const char *env = getenv("PGPASSWORD");

	if (env)
		learn_raw(env, strlen(env));
	if (!conninfo || !*conninfo)
		return;
	if (is_uri(conninfo))
		learn_uri(conninfo);
	else
		learn_keyvalue(conninfo);
	if ((opts = PQconninfoParse(conninfo, NULL))) {
		for (o = opts; o->keyword; o++)
			if (o->val && o->dispchar && strchr(o->dispchar, '*'))
				learn_raw(o->val, strlen(o->val));
		PQconninfoFree(opts);
	}
}

/* ---- rendering ---- */

struct out {
	char *p;
	size_t n, len;
};

static void put(struct out *o, const char *s, size_t len)
{
	while (len-- > 0 && *s) {
		if (o->len + 1 < o->n)
			o->p[o->len++] = *s;
		s++;
	}
	o->p[o->len < o->n ? o->len : o->n - 1] = '\0';
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/*
 * A URI as written, with the password of the user info (everything after
 * its first ':', up to the last '@' before the query: what the user meant
 * even where libpq would stop at an unencoded '@') and password= query
 * values shown as ***.
 */
static void render_uri(struct out *o, const char *s)
{
	const char *a = strstr(s, "://") + 3, *q = strchr(a, '?'), *at = NULL, *x, *colon;
	size_t klen;

	for (x = a; *x && x != q; x++)
		if (*x == '@')
			at = x;
	colon = at ? memchr(a, ':', (size_t)(at - a)) : NULL;
	put(o, s, (size_t)((colon ? colon : a) - s));
	if (colon)
		puts_(o, ":***");
	x = colon ? at : a;
	put(o, x, (size_t)((q ? q : x + strlen(x)) - x));
	for (x = q; x && *x; x += klen) {
		put(o, x, 1);
		x++;
		klen = strcspn(x, "=&");
		if (x[klen] == '=' && secret_uri_key(x, klen)) {
			put(o, x, klen);
			puts_(o, "=***");
			klen += strcspn(x + klen, "&");
		} else {
			klen = strcspn(x, "&");
			put(o, x, klen);
		}
	}
}

/* key=value pairs in the order given, values quoted where needed. */
static void render_keyvalue(struct out *o, const char *s)
{
	struct kv p;
	const char *v;
	int first = 1;

	while (kv_next(&s, &p)) {
		if (!first)
			puts_(o, " ");
		first = 0;
		put(o, p.key, p.klen);
		if (secret_key(p.key, p.klen)) {
			puts_(o, "=***");
		} else if (*p.val && !strpbrk(p.val, " \t\n\r\f\v'\\")) {
			puts_(o, "=");
			puts_(o, p.val);
		} else {
			puts_(o, "='");
			for (v = p.val; *v; v++) {
				if (*v == '\'' || *v == '\\')
					puts_(o, "\\");
				put(o, v, 1);
			}
			puts_(o, "'");
		}
		free(p.val);
	}
}

char *db_secret_mask(char *dst, size_t n, const char *conninfo)
{
	struct out o = { dst, n, 0 };
	PQconninfoOption *opts;

	if (n == 0)
		return dst;
	dst[0] = '\0';
	db_secret_learn(conninfo);
	if (!conninfo || !*conninfo) {
		puts_(&o, "(libpq environment)");
		return dst;
	}
	if (!(opts = PQconninfoParse(conninfo, NULL))) {
		puts_(&o, "(unparseable connection string)");
		return dst;
	}
	if (is_uri(conninfo))
		render_uri(&o, conninfo);
	else
		render_keyvalue(&o, conninfo);
	PQconninfoFree(opts);
	return db_secret_scrub(dst, n);
}

/* msg.h's masking entry point lives here, beside libpq's parser, so that
 * lib/msg itself needs no libpq. */
char *msg_mask_url(char *dst, size_t n, const char *url)
{
	return db_secret_mask(dst, n, url);
}

int db_secret_parse(const char *conninfo, char *why, size_t n)
{
	PQconninfoOption *opts;
	char *err = NULL, *p, *q;
	struct out o = { why, n, 0 };

	db_secret_learn(conninfo);
	if (n)
		why[0] = '\0';
	if (!conninfo || !*conninfo)
		return 0;
	if ((opts = PQconninfoParse(conninfo, &err))) {
		PQconninfoFree(opts);
		return 0;
	}
	for (p = err ? err : "out of memory"; *p; p = q + 1) {
		if (!(q = strchr(p, '"')) || !strchr(q + 1, '"')) {
			put(&o, p, strcspn(p, "\n"));
			break;
		}
		put(&o, p, (size_t)(q - p));
		puts_(&o, "\"***\"");
		q = strchr(q + 1, '"');
	}
	PQfreemem(err);
	db_secret_scrub(why, n);
	return -1;
}

char *db_secret_scrub(char *s, size_t n)
{
	char *tmp, *hit;
	size_t len;
	int i;

	if (n == 0)
		return s;
	tmp = xmalloc(n);
	pthread_mutex_lock(&lock);
	for (i = 0; i < nsecrets; i++) {
		struct out o = { tmp, n, 0 };
		const char *p = s;

		if (!strstr(s, secrets[i]))
			continue;
		len = strlen(secrets[i]);
		while ((hit = strstr(p, secrets[i]))) {
			put(&o, p, (size_t)(hit - p));
			puts_(&o, "***");
			p = hit + len;
		}
		puts_(&o, p);
		memcpy(s, tmp, o.len + 1);
	}
	pthread_mutex_unlock(&lock);
	free(tmp);
	return s;
}
