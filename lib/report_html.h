/*
 * report_html: the status page, one self-contained HTML document.
 *
 * Sections: jobs (schedule, time zone, next fires, the last run when the
 * caller knows it), the newest load runs, a coverage heatmap (series by
 * weekday, SVG drawn here: one rect per run of equal cells, holidays as
 * whole columns), recent failed windows, rejected rows and revisions.
 * Series come worst first in pages of REPORT_HTML_PAGE rows (HTML
 * <details>, the first open), above them one summary row over all series,
 * so the page stays small and readable with thousands of series.
 *
 * No script, no external request: styles are inline and a
 * Content-Security-Policy forbids loading anything, so the page works
 * offline.  It shows what sched-run's /status shows (job names,
 * schedules, time zones, fires, outcomes) plus the data itself (symbols,
 * coverage, counts); never a connection string, host, path or error text.
 * Every string is HTML-escaped.
 *
 * report_html_write() returns 0, or -1 on a write error.
 */
#ifndef REPORT_HTML_H
#define REPORT_HTML_H

#include <stdio.h>

#include "cfg.h"
#include "db.h"
#include "report_data.h"

#define REPORT_HTML_PAGE 100

int report_html_write(FILE *fp, const struct report *r);
/*
 * The page without the database's part: the jobs, then note (one
 * sentence, escaped here) in place of the load runs, coverage, failures
 * and revisions.  For a server whose database is absent or not answering;
 * the note must say no more than that (no error text).
 */
int report_html_write_jobs(FILE *fp, const struct report *r, const char *note);

#endif
