/*
 * report_db: the database side of bars-report, read-only.
 *
 * Every query follows an index, so the report costs index probes per
 * series plus the index entries of the window, whatever the size of the
 * table (scripts/bench-report shows the plans):
 *   - the series: a loose index scan of the primary key (symbol, interval,
 *     ts), one probe per series, then its first and newest bar;
 *   - bars in the window: for a series of the calendar an index-only
 *     range scan of the primary key per series and session (its New
 *     York date for daily bars, open to close for intraday ones), so
 *     only bars inside sessions count and a bar on a weekend or holiday
 *     never stands in for a missing one; for any other series one range
 *     scan of the whole window;
 *   - revisions: bar_changes from the first id changed since the window
 *     start (found by bisecting the primary key) on;
 *   - runs: the newest load_runs rows by primary key.
 * A schema or table that does not exist yet reads as empty.
 *
 * Functions return 0, or -1 with the reason in d->err.
 */
#ifndef REPORT_DB_H
#define REPORT_DB_H

#include "db.h"
#include "report_data.h"

/* Add every stored series with its first and newest bar. */
int report_db_series(struct db *d, struct report *r);
/* Count bars per day in the window for every series (report_cov_begin
 * done, report_cov_end not yet). */
int report_db_counts(struct db *d, struct report *r);
/* Revisions since the window start: per series and the newest few. */
int report_db_revisions(struct db *d, struct report *r);
/* The newest load runs of the table, and its last successful one. */
int report_db_runs(struct db *d, struct report *r);
/* All of the above, in order, for a report whose other series (config,
 * files) are added already. */
int report_db_gather(struct db *d, struct report *r);

#endif
