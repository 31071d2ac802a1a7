/*
 * json: a strict JSON syntax checker and whitespace compactor, plus a few
 * read-only lookups on checked text.
 *
 * Why hand-written: fetch-bars must refuse a truncated or malformed
 * response before it writes a line, in-process, for every response; the
 * chosen dependencies (libcurl, libpq, libcsv, libmicrohttpd, the jq CLI)
 * have no in-process JSON validator, and spawning jq per response would
 * cost a process per request.  This is not a general parser: it checks
 * RFC 8259 syntax (UTF-8, escapes, numbers, nesting up to JSON_MAX_DEPTH)
 * and can copy the value without insignificant whitespace.  Anything that
 * needs real JSON processing (normalize-bars, the config) uses jq.
 *
 * Nothing here allocates.  The lookups assume text that json_check()
 * accepted and compacted (no whitespace outside strings); they return
 * pointers into that text, or NULL when the value is absent or of another
 * type.
 */
#ifndef JSON_H
#define JSON_H

#include <stddef.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 512

/*
 * Check that in[0..len) is exactly one JSON value, with optional
 * whitespace around it.  When out is not NULL (room for len bytes; the
 * compact form is never longer) the value is copied there without
 * insignificant whitespace and *outlen set.  Returns 0, or -1 with *errpos
 * (when not NULL) set to the offset of the first offending byte.
 */
int json_check(const char *in, size_t len, char *out, size_t *outlen,
	       size_t *errpos);

/* Pointer just past the compact value starting at v. */
const char *json_skip(const char *v, const char *end);
/* Value of member key (compared byte-wise with the raw key) in object v. */
const char *json_member(const char *v, const char *end, const char *key);
/* Element i (from 0) of array v. */
const char *json_index(const char *v, const char *end, size_t i);
/* Number of elements of array v, or -1 when v is not an array. */
long json_count(const char *v, const char *end);
/* 1 when v is the literal null. */
int json_is_null(const char *v, const char *end);
/*
 * Decode string value v into dst (size n > 0, always NUL-terminated,
 * truncated to fit; control characters become spaces so the result is
 * safe in a log line).  0, or -1 when v is not a string.
 */
int json_string(const char *v, const char *end, char *dst, size_t n);

/*
 * Writing: the escape sequence for byte c inside a JSON string, written to
 * esc (at least 8 bytes), or NULL when c stands for itself.  Every tool
 * that writes JSON or logfmt strings escapes through this one function.
 */
const char *json_escape_char(unsigned char c, char *esc);
/* Write s to fp as a quoted JSON string.  0, or -1 on a write error. */
int json_fput_str(FILE *fp, const char *s);

#endif
