/*
 * report_data: what bars-report knows, gathered once and then written as
 * text, CSV, JSON (lib/report_text) or an HTML page (lib/report_html).
 *
 * A report owns all its memory; report_free() releases it.  Series are
 * kept sorted by (symbol, interval) while they are gathered and sorted
 * worst first by report_sort() before they are written.  Times are UTC
 * epoch seconds, 0 when unknown; counts are -1 when unknown.
 */
#ifndef REPORT_DATA_H
#define REPORT_DATA_H

#include <stddef.h>
#include <time.h>

#include "report_cov.h"
#include "sym.h"

#define REPORT_NEXT 3     /* next fires shown per job */
#define REPORT_RECENT 20  /* recent runs, revisions, failures, rejects kept */
#define REPORT_RECENT_S "20"

struct report_series {
	char symbol[SYM_MAX + 1];
	char interval[8];
	const struct sym_interval *iv;   /* NULL for an interval we do not know */
	time_t first, last;              /* oldest and newest stored bar */
	time_t last_load;                /* when the newest bar was loaded */
	long long last_run;              /* its load_runs id, -1 unknown */
	long revised, rejected, failed, gaps;
	long fetched, retried;           /* responses in the run's NDJSON */
	struct cov cov;
};

struct report_run {
	long long id;
	time_t started, finished;
	char status[16];                 /* running ok failed */
	long long rows_in, inserted, updated, unchanged, rejected;
};

struct report_job {
	char *name, *schedule, *timezone; /* schedule NULL: none */
	char interval[8];
	size_t ntickers;
	time_t next[REPORT_NEXT];        /* 0: none */
	/* The last run as the scheduler saw it; start 0 when unknown (a
	 * static page knows runs only from load_runs). */
	time_t last_start, last_end;
	char last_outcome[16];
	int last_rc;
};

/* A bar revised by a later load (bar_changes). */
struct report_revision {
	char symbol[SYM_MAX + 1];
	char interval[8];
	time_t ts, changed_at;
	long long run;
	double old_close, new_close;
};

/* A failed fetch window (fetch-bars --failed) or rejected row (--rejects). */
struct report_item {
	char symbol[SYM_MAX + 1];
	char interval[8];
	time_t start, end;               /* a reject: its ts as start, end 0 */
	char reason[32];                 /* a reject's reason; "" for windows */
};

struct report {
	time_t now, since;               /* the window: [since, now] */
	int days;
	struct cov_grid grid;
	struct report_series *series;
	size_t nseries;
	struct report_run *runs;         /* newest first, at most REPORT_RECENT */
	size_t nruns;
	struct report_run last_ok;       /* id -1: none */
	struct report_revision *revs;    /* newest first */
	size_t nrevs;
	long revised_total;
	struct report_item *fails, *rejects; /* first REPORT_RECENT of each */
	size_t nfails, nrejects;
	long fails_total, rejects_total, gaps_total;
	int have_ndjson;                 /* a run's NDJSON was read */
	long fetched_total, retried_total;
	struct report_job *jobs;
	size_t njobs;
};

/* Empty report for the window of the last days days before now. */
void report_init(struct report *r, time_t now, int days);
void report_free(struct report *r);

/* The series (symbol, interval), added (with unknown times) when absent
 * and create is set and the names are valid (lib/sym symbols, intervals
 * of lowercase letters and digits); NULL otherwise.  Pointers stay valid only until the
 * next series is added. */
struct report_series *report_series(struct report *r, const char *symbol,
				     const char *interval, int create);
/* Start the coverage of every series (after all are added). */
void report_cov_begin(struct report *r);
void report_cov_end(struct report *r);
/* Sort worst first: missing sessions, missing bars, partial sessions,
 * failed windows, rejected and revised rows, then by symbol and interval. */
void report_sort(struct report *r);
/* Bars still missing from a series: expected - stored, 0 when unknown. */
long report_missing_bars(const struct report_series *s);

#endif
