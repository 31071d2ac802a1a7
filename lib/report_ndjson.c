#include "report_ndjson.h"
#include "msg.h"
#include "xalloc_yajl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

enum key { K_OTHER, K_SYMBOL, K_INTERVAL, K_ATTEMPTS };

/* What one line says, as far as the report needs it. */
struct line {
	yajl_handle p;
	int depth;             /* of the container being parsed; 1: the envelope */
	enum key key;          /* the envelope key whose value comes next */
	int objects;           /* top-level objects seen: exactly one */
	char symbol[SYM_MAX + 1];
	char interval[8];
	long long attempts;
	char why[160];         /* our own reason to refuse the line */
};

static void copy(char *dst, size_t size, const unsigned char *s, size_t n,
		 struct line *l, const char *what)
{
	if (n >= size) {
		snprintf(l->why, sizeof(l->why), "%s longer than %zu bytes", what, size - 1);
		return;
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static int on_string(void *ctx, const unsigned char *s, size_t n)
{
	struct line *l = ctx;

	if (l->depth == 1 && l->key == K_SYMBOL)
		copy(l->symbol, sizeof(l->symbol), s, n, l, "symbol");
	else if (l->depth == 1 && l->key == K_INTERVAL)
		copy(l->interval, sizeof(l->interval), s, n, l, "interval");
	return 1;
}

/* Numbers as text (yajl's on_number), so a number of the body that
 * does not fit a long long or a double is not an error here. */
static int on_number(void *ctx, const char *s, size_t n)
{
	struct line *l = ctx;
	char buf[24];

	if (l->depth == 1 && l->key == K_ATTEMPTS && n < sizeof(buf)) {
		memcpy(buf, s, n);
		buf[n] = '\0';
		l->attempts = strtoll(buf, NULL, 10);
	}
	return 1;
}

/* Values the report ignores, scalars of the body among them. */
static int on_null(void *ctx)
{
	(void)ctx;
	return 1;
}

static int on_bool(void *ctx, int v)
{
	(void)ctx;
	(void)v;
	return 1;
}

static int on_key(void *ctx, const unsigned char *s, size_t n)
{
	struct line *l = ctx;

	if (l->depth != 1)
		return 1;
	l->key = n == 6 && memcmp(s, "symbol", 6) == 0 ? K_SYMBOL
	       : n == 8 && memcmp(s, "interval", 8) == 0 ? K_INTERVAL
	       : n == 8 && memcmp(s, "attempts", 8) == 0 ? K_ATTEMPTS : K_OTHER;
	return 1;
}

static int open_container(struct line *l, int map)
{
	if (l->depth == 0 && (!map || l->objects++)) {
		snprintf(l->why, sizeof(l->why), "not one JSON object");
		return 0;
	}
	l->depth++;
	return 1;
}

static int on_start_map(void *ctx)
{
	return open_container(ctx, 1);
}

static int on_start_array(void *ctx)
{
	return open_container(ctx, 0);
}

static int on_end(void *ctx)
{
	((struct line *)ctx)->depth--;
	return 1;
}

static const yajl_callbacks callbacks = {
	on_null, on_bool, NULL, NULL, on_number, on_string,
	on_start_map, on_key, on_end, on_start_array, on_end,
};


static void line_start(struct line *l)
{
	yajl_handle p = l->p;

	memset(l, 0, sizeof(*l));
	/* A parser per line: yajl 2 has no reset; a line is a whole
	 * provider response, so the allocation does not count. */
	if (p)
		yajl_free(p);
	l->p = yajl_alloc(&callbacks, &xalloc_yajl, l);
	l->attempts = 1;
}

static void line_feed(struct line *l, const char *s, size_t n)
{
	const char *why;
	unsigned char *e;

	if (l->why[0] || !n)
		return;
	if (yajl_parse(l->p, (const unsigned char *)s, n) == yajl_status_ok || l->why[0])
		return;
	/* yajl's reason, first line only ("parse error: ..."). */
	e = yajl_get_error(l->p, 0, NULL, 0);
	why = e && *e ? (const char *)e : "invalid";
	snprintf(l->why, sizeof(l->why), "invalid JSON: %.*s", (int)strcspn(why, "\n"), why);
	yajl_free_error(l->p, e);
}

/* The line is complete: account it, or report why not; 0 or -1. */
static int line_end(struct report *r, struct line *l, const char *path, long lineno)
{
	struct report_series *s = NULL;

	if (!l->why[0] && yajl_complete_parse(l->p) != yajl_status_ok)
		snprintf(l->why, sizeof(l->why), "invalid or truncated JSON");
	if (!l->why[0] && !l->objects)
		snprintf(l->why, sizeof(l->why), "not one JSON object");
	if (!l->why[0] && (sym_valid(l->symbol) < 0 || !sym_interval(l->interval) ||
			   !(s = report_series(r, l->symbol, l->interval, 1))))
		snprintf(l->why, sizeof(l->why), "no valid symbol and interval");
	if (l->why[0]) {
		msg_err("%s:%ld: %s", path, lineno, l->why);
		return -1;
	}
	s->fetched++;
	r->fetched_total++;
	if (l->attempts > 1) {
		s->retried++;
		r->retried_total++;
	}
	return 0;
}

/* Is the line blank so far (spaces only)?  Blank lines are skipped. */
static int blank(const char *s, size_t n)
{
	return strspn(s, " \t\r") >= n;
}

int report_read_ndjson(struct report *r, const char *path)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	struct line l = { 0 };
	char buf[65536], *nl;
	size_t n, off, len;
	long lineno = 1;
	int bad = 0, empty = 1;

	if (!fp) {
		msg_err("%s: %s", path, strerror(errno));
		return -1;
	}
	r->have_ndjson = 1;
	line_start(&l);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		for (off = 0; off < n; off += len + 1) {
			nl = memchr(buf + off, '\n', n - off);
			len = nl ? (size_t)(nl - (buf + off)) : n - off;
			empty &= blank(buf + off, len);
			line_feed(&l, buf + off, len);
			if (!nl)
				break;
			if (!empty)
				bad |= line_end(r, &l, path, lineno) < 0;
			line_start(&l);
			lineno++;
			empty = 1;
		}
	}
	if (ferror(fp)) {
		msg_err("%s: %s", path, strerror(errno));
		bad = 1;
	} else if (!empty) {
		bad |= line_end(r, &l, path, lineno) < 0;
	}
	yajl_free(l.p);
	if (fp != stdin)
		fclose(fp);
	return bad ? -1 : 0;
}
