/*
 * report_ndjson: the NDJSON stream of a run (fetch-bars' output, the
 * envelope lines of lib/envelope.h) read into a report: per series, the
 * provider responses fetched and how many of them took more than one
 * attempt.  A series that failed every window has no line here (see
 * report_files' failed windows).
 *
 * Only the envelope's top-level keys are looked at (symbol, interval,
 * attempts); the body is parsed by yajl's streaming parser and dropped
 * as it streams, so memory stays flat however long a line or the file
 * is.  A bad line (not one JSON object, no valid symbol and interval) is
 * reported as NAME:LINE: why and skipped; the others still count.
 * Returns 0, or -1 after such a report or when the file cannot be read.
 */
#ifndef REPORT_NDJSON_H
#define REPORT_NDJSON_H

#include "report_data.h"

int report_read_ndjson(struct report *r, const char *path);

#endif
