/*
 * csvr: a streaming CSV record reader on top of libcsv.
 *
 * Memory stays flat: one record is held at a time.  The fields returned by
 * csvr_next() are owned by the reader and valid until the next call.
 * Line numbers count physical input lines from 1, so errors can name the
 * line a person would open in an editor.  A trailing CR is ignored.
 */
#ifndef CSVR_H
#define CSVR_H

#include <stdio.h>

struct csvr;

/* name is used in messages ("-" or a path); fp is borrowed.  Never NULL. */
struct csvr *csvr_new(FILE *fp, const char *name);
void csvr_free(struct csvr *r);

/*
 * Read the next record: 1 with *fields and *nfields set, 0 at end of input,
 * -1 on a read or syntax error (message from csvr_error()).  Blank lines
 * are skipped.
 */
int csvr_next(struct csvr *r, char ***fields, size_t *nfields);
/*
 * Opt-in for formats whose records never span lines, such as plan CSV,
 * so one bad line cannot hide the ones after it.  A quote still open at
 * the end of a line is an error of that line ("unterminated quoted
 * field"), and after a syntax error (malformed quoting, a NUL byte)
 * csvr_next() goes on with the next line instead of failing for good:
 * -1 then means "this line is bad" (csvr_error() names it, csvr_raw()
 * holds it).  A read error ends the input (the next call returns 0).
 * Call before the first csvr_next().
 */
void csvr_set_resync(struct csvr *r);
/*
 * The physical line read last, without its line break, and its length
 * (it may hold NUL bytes); valid until the next call.  In resync mode,
 * after -1 it is the bad line; after 1, the record's line.
 */
const char *csvr_raw(const struct csvr *r, size_t *len);
/* Line on which the last returned record started. */
long csvr_line(const struct csvr *r);
const char *csvr_name(const struct csvr *r);
/* The last error as "name:line: why" (or "name: why" when it has no
 * line), ready for msg_err("%s", ...); valid until the next call. */
const char *csvr_error(struct csvr *r);

/*
 * Read and check a header: 0 when the first record equals want[0..n-1]
 * exactly, -1 otherwise (including empty input; csvr_error() says why).
 */
int csvr_header(struct csvr *r, const char *const *want, size_t n);

#endif
