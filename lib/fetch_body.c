/* fetch_body: streaming check and compaction with yajl; see fetch_body.h. */
#include "fetch_body.h"
#include "xalloc_yajl.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>

/* Where a value sits in a chart document; FB_NONE for everything else. */
enum { FB_NONE, FB_CHART, FB_ERROR, FB_RESULTS, FB_RESULT0, FB_TS, FB_CODE,
       FB_DESC };

struct frame {
	int role;   /* of the container */
	int array;  /* the container is an array */
	long index; /* arrays: index of the next element */
};

struct fetch_body_parser {
	yajl_handle p;
	yajl_gen g;
	int depth;   /* open containers */
	int pending; /* role of the value after the last key */
	struct frame stack[FETCH_BODY_MAX_DEPTH];
};

/* ---- output ---- */

static void out(void *ctx, const char *s, size_t n)
{
	struct fetch_body *b = ctx;

	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2;
		b->buf = xrealloc(b->buf, b->cap);
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
}

/* ---- the path: which member of the chart document a value is ---- */

static int key_role(int container, const unsigned char *k, size_t n)
{
	static const struct { int in; const char *key; int role; } t[] = {
		{ -1, "chart", FB_CHART },       { FB_CHART, "error", FB_ERROR },
		{ FB_CHART, "result", FB_RESULTS }, { FB_ERROR, "code", FB_CODE },
		{ FB_ERROR, "description", FB_DESC },
		{ FB_RESULT0, "timestamp", FB_TS },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].in == container && strlen(t[i].key) == n &&
		    memcmp(t[i].key, k, n) == 0)
			return t[i].role;
	return FB_NONE;
}

/* Role of the value about to start; counts array elements. */
static int value_role(struct fetch_body *b)
{
	struct fetch_body_parser *ps = b->ps;
	struct frame *f;
	int role;

	if (ps->depth == 0)
		return FB_NONE;
	f = &ps->stack[ps->depth - 1];
	if (!f->array) {
		role = ps->pending;
		ps->pending = FB_NONE;
		return role;
	}
	if (f->role == FB_TS)
		b->timestamps++;
	return f->role == FB_RESULTS && f->index++ == 0 ? FB_RESULT0 : FB_NONE;
}

/* Printable copy of a string value, for messages. */
static void copy_text(char *dst, size_t n, const unsigned char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && i + 1 < n; i++)
		dst[i] = s[i] < 0x20 || s[i] == 0x7f ? ' ' : (char)s[i];
	dst[i] = '\0';
}

/* ---- yajl callbacks: note the path, pass the value to yajl_gen ---- */

static int scalar(struct fetch_body *b, int is_null)
{
	if (value_role(b) == FB_ERROR && !is_null)
		b->has_error = 1;
	return 1;
}

static int on_null(void *ctx)
{
	struct fetch_body *b = ctx;

	scalar(b, 1);
	return yajl_gen_null(b->ps->g) == yajl_gen_status_ok;
}

static int on_bool(void *ctx, int v)
{
	struct fetch_body *b = ctx;

	scalar(b, 0);
	return yajl_gen_bool(b->ps->g, v) == yajl_gen_status_ok;
}

static int on_number(void *ctx, const char *s, size_t n)
{
	struct fetch_body *b = ctx;

	scalar(b, 0);
	return yajl_gen_number(b->ps->g, s, n) == yajl_gen_status_ok;
}

static int on_string(void *ctx, const unsigned char *s, size_t n)
{
	struct fetch_body *b = ctx;
	int role = value_role(b);

	if (role == FB_ERROR)
		b->has_error = 1;
	else if (role == FB_CODE)
		copy_text(b->code, sizeof(b->code), s, n);
	else if (role == FB_DESC)
		copy_text(b->desc, sizeof(b->desc), s, n);
	return yajl_gen_string(b->ps->g, s, n) == yajl_gen_status_ok;
}

static int on_key(void *ctx, const unsigned char *k, size_t n)
{
	struct fetch_body *b = ctx;
	struct fetch_body_parser *ps = b->ps;

	ps->pending = key_role(ps->stack[ps->depth - 1].role, k, n);
	return yajl_gen_string(ps->g, k, n) == yajl_gen_status_ok;
}

static int open_container(struct fetch_body *b, int array)
{
	struct fetch_body_parser *ps = b->ps;
	int role = value_role(b);
	struct frame *f;

	if (ps->depth == FETCH_BODY_MAX_DEPTH) {
		snprintf(b->why, sizeof(b->why), "JSON nested deeper than %d",
			 FETCH_BODY_MAX_DEPTH);
		return 0;
	}
	if (role == FB_ERROR)
		b->has_error = 1;
	/* Only the expected container type keeps its role. */
	if ((role == FB_RESULTS || role == FB_TS) != array)
		role = FB_NONE;
	if (role == FB_RESULT0)
		b->has_result = 1;
	if (role == FB_TS)
		b->timestamps = 0;
	f = &ps->stack[ps->depth++];
	f->role = ps->depth == 1 && !array ? -1 : role;
	f->array = array;
	f->index = 0;
	return (array ? yajl_gen_array_open(ps->g) : yajl_gen_map_open(ps->g)) ==
	       yajl_gen_status_ok;
}

static int on_start_map(void *ctx)
{
	return open_container(ctx, 0);
}

static int on_start_array(void *ctx)
{
	return open_container(ctx, 1);
}

static int on_end_map(void *ctx)
{
	struct fetch_body *b = ctx;

	b->ps->depth--;
	return yajl_gen_map_close(b->ps->g) == yajl_gen_status_ok;
}

static int on_end_array(void *ctx)
{
	struct fetch_body *b = ctx;

	b->ps->depth--;
	return yajl_gen_array_close(b->ps->g) == yajl_gen_status_ok;
}

static const yajl_callbacks callbacks = {
	on_null, on_bool, NULL, NULL, on_number, on_string,
	on_start_map, on_key, on_end_map, on_start_array, on_end_array,
};


/* ---- the interface ---- */

void fetch_body_init(struct fetch_body *b)
{
	memset(b, 0, sizeof(*b));
	b->ps = xcalloc(1, sizeof(*b->ps));
}

static void drop_handles(struct fetch_body_parser *ps)
{
	if (ps->p)
		yajl_free(ps->p);
	if (ps->g)
		yajl_gen_free(ps->g);
	ps->p = NULL;
	ps->g = NULL;
}

void fetch_body_free(struct fetch_body *b)
{
	drop_handles(b->ps);
	free(b->ps);
	free(b->buf);
	memset(b, 0, sizeof(*b));
}

void fetch_body_reset(struct fetch_body *b, size_t reserve)
{
	struct fetch_body_parser *ps = b->ps;

	drop_handles(ps);
	ps->depth = 0;
	ps->pending = FB_NONE;
	/* A parser per body: yajl 2 has no reset, and allocation is cheap
	 * next to a network round trip. */
	ps->p = yajl_alloc(&callbacks, &xalloc_yajl, b);
	ps->g = yajl_gen_alloc(&xalloc_yajl);
	yajl_gen_config(ps->g, yajl_gen_print_callback, out, b);
	b->reserve = reserve;
	b->len = reserve;
	if (b->cap < reserve + 1) {
		b->cap = reserve + 4096;
		b->buf = xrealloc(b->buf, b->cap);
	}
	b->nin = 0;
	b->failed = 0;
	b->why[0] = '\0';
	b->has_error = b->has_result = 0;
	strcpy(b->code, "error");
	b->desc[0] = '\0';
	b->timestamps = -1;
	b->excerpt[0] = '\0';
}

static void excerpt_add(struct fetch_body *b, const unsigned char *p, size_t n)
{
	size_t o = strlen(b->excerpt), i;

	for (i = 0; i < n && o + 1 < sizeof(b->excerpt); i++)
		b->excerpt[o++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : ' ';
	b->excerpt[o] = '\0';
}

/* Record yajl's complaint about the byte at offset pos. */
static void parse_error(struct fetch_body *b, size_t pos)
{
	unsigned char *e;
	char reason[120];
	size_t n;

	b->failed = 1;
	if (b->why[0]) /* our own reason (depth) */
		return;
	e = yajl_get_error(b->ps->p, 0, NULL, 0);
	snprintf(reason, sizeof(reason), "%s", e ? (char *)e : "invalid");
	yajl_free_error(b->ps->p, e);
	n = strcspn(reason, "\n");
	reason[n > 0 && reason[n - 1] == '.' ? n - 1 : n] = '\0';
	snprintf(b->why, sizeof(b->why),
		 "invalid or truncated JSON (byte %zu of %zu: %s)", pos, b->nin,
		 reason);
}

int fetch_body_feed(struct fetch_body *b, const void *p, size_t n)
{
	size_t before = b->nin;

	excerpt_add(b, p, n);
	if (b->failed)
		return -1;
	b->nin += n;
	if (yajl_parse(b->ps->p, p, n) != yajl_status_ok) {
		/* yajl counts the offending byte as consumed. */
		size_t c = yajl_get_bytes_consumed(b->ps->p);
		parse_error(b, before + (c > 0 ? c - 1 : 0));
		return -1;
	}
	return 0;
}

int fetch_body_end(struct fetch_body *b)
{
	if (b->failed)
		return -1;
	if (yajl_complete_parse(b->ps->p) != yajl_status_ok) {
		parse_error(b, b->nin);
		return -1;
	}
	return 0;
}

char *fetch_body_take(struct fetch_body *b, size_t *len)
{
	char *p = b->buf;

	*len = b->len;
	b->buf = NULL;
	b->len = b->cap = 0;
	return p;
}
