/*
 * report_text: a report as a text table (with an optional coverage strip
 * per series), as CSV or as NDJSON, worst series first (report_sort()
 * first).  Each writer returns 0, or -1 on a write error.
 *
 * Text: one line per series; missing and partial sessions as date ranges
 * on the lines below it.  The strip has one character per weekday of the
 * window (lib/report_cov: # stored, + partial, . missing, H holiday),
 * 13 weeks per line after the date of the line's Monday, so a year of
 * daily bars is 4 lines of at most 80 columns.
 *
 * CSV: the header below, one row per series; times ISO-8601 UTC, unknown
 * values empty, ranges separated by spaces.
 *   symbol,interval,first,last,stored,expected,missing_sessions,
 *   partial_sessions,revised,rejected,failed_windows,gaps,last_load,
 *   last_run,missing,partial
 * JSON: one object per series and line, with the same names; ranges as
 * {"from","to","sessions"} objects.
 */
#ifndef REPORT_TEXT_H
#define REPORT_TEXT_H

#include <stdio.h>

#include "report_data.h"

#define REPORT_STRIP_WEEKS 13

int report_write_text(FILE *fp, const struct report *r, int strip);
int report_write_csv(FILE *fp, const struct report *r);
int report_write_json(FILE *fp, const struct report *r);
/* The strip of one series, lines prefixed by two spaces and a date. */
int report_write_strip(FILE *fp, const struct report *r, const struct report_series *s);

#endif
