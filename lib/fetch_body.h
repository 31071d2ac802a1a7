/*
 * fetch_body: one provider response body, checked and compacted while it
 * streams in.  yajl's streaming parser feeds yajl_gen, so the body is
 * never held twice: only its compact form (no insignificant whitespace)
 * grows, and a truncated or invalid body is known before anything is
 * written.  On the way the parser notes the few things fetch-bars needs
 * from a Yahoo chart document (chart.error, chart.result[0],
 * chart.result[0].timestamp), so no second pass and no lookup code.
 *
 * JSON is what yajl accepts (RFC 8259; UTF-8 in strings is checked for
 * its byte structure), nested at most FETCH_BODY_MAX_DEPTH deep.  Numbers
 * are copied byte for byte; strings are decoded and re-escaped by
 * yajl_gen, so "\u00e9" comes out as the UTF-8 bytes of e-acute.
 *
 * Usage: fetch_body_init once, then per response fetch_body_reset,
 * fetch_body_feed for each chunk, fetch_body_end; fetch_body_take hands
 * the compact text over.  fetch_body_free at the end.  Allocation failure
 * exits (lib/xalloc).
 */
#ifndef FETCH_BODY_H
#define FETCH_BODY_H

#include <stddef.h>

#define FETCH_BODY_MAX_DEPTH 64

struct fetch_body {
	/* output: compact JSON in buf[reserve .. len) */
	char *buf;
	size_t len, cap, reserve;
	size_t nin;            /* bytes fed */
	int failed;            /* the body is not (or not yet all) valid */
	char why[192];         /* why it failed */
	/* what the chart document says */
	int has_error;         /* chart.error is present and not null */
	char code[64];         /* chart.error.code, "error" when absent */
	char desc[160];        /* chart.error.description, "" when absent */
	int has_result;        /* chart.result[0] is an object */
	long timestamps;       /* elements of chart.result[0].timestamp, or -1 */
	char excerpt[81];      /* the first bytes, printable: for messages */
	struct fetch_body_parser *ps; /* private: yajl handles, path */
};

void fetch_body_init(struct fetch_body *b);
void fetch_body_free(struct fetch_body *b);
/* Start a new body; its compact text will begin reserve bytes into buf,
 * so the caller can put a prefix in front without copying the body. */
void fetch_body_reset(struct fetch_body *b, size_t reserve);
/* Parse and compact n more bytes: 0, or -1 once the body is invalid
 * (further bytes are then ignored). */
int fetch_body_feed(struct fetch_body *b, const void *p, size_t n);
/* The body is complete: 0 when it was one whole JSON value, else -1 with
 * why set ("invalid or truncated JSON (byte N of M: yajl's reason)"). */
int fetch_body_end(struct fetch_body *b);
/* Hand over buf (the caller frees it) and its length; b gets a new one. */
char *fetch_body_take(struct fetch_body *b, size_t *len);

#endif
