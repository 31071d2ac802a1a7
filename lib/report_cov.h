/*
 * report_cov: coverage of bar series against the NYSE calendar, for
 * bars-report.
 *
 * A grid is the list of weekdays (New York dates) of the report window,
 * the columns of the coverage strip and of the heatmap; weekends are left
 * out, weekday closures stay in as holidays.  A series' coverage is built
 * from per-day bar counts (cov_count, in any order) and classified per
 * column by cov_finish():
 *
 *   COV_STORED   every expected bar of the session is there
 *   COV_PARTIAL  some are
 *   COV_MISSING  none is
 *   COV_HOLIDAY  the exchange was closed (never a hole)
 *   COV_NONE     before the series' first bar, or no calendar applies
 *
 * Expected bars per session: 1 for daily bars, the grid slots of
 * [open, close) for intraday ones (a 5m session has 78, 60m has 7); on
 * the day of the series' first bar only the slots from that bar on.  The
 * calendar applies to intraday and 1d bars of plain US symbols
 * (val_us_symbol); for other series only bars stored are counted.
 *
 * Memory is per column, not per bar.  Not thread-safe (lib/cal).
 */
#ifndef REPORT_COV_H
#define REPORT_COV_H

#include <stddef.h>
#include <time.h>

#include "sym.h"

enum cov_cell {
	COV_NONE = ' ',
	COV_STORED = '#',
	COV_PARTIAL = '+',
	COV_MISSING = '.',
	COV_HOLIDAY = 'H',
};

struct cov_grid {
	long first, last;  /* day numbers (lib/cal) of the first and last column */
	size_t ncols;
	long *day;         /* day number of column i */
	int *holiday;      /* 1 when column i is a weekday closure */
	long *col;         /* column of day first + k, -1 on weekends */
};

/*
 * The columns for the window from the date of since to the last session
 * that closed at or before now (sessions still open are not judged).
 * ncols is 0 when no session closed in the window.  Dies on no memory.
 */
void cov_grid_init(struct cov_grid *g, time_t since, time_t now);
void cov_grid_free(struct cov_grid *g);
/* Column of day number day, or -1 (weekend, outside the grid). */
long cov_grid_col(const struct cov_grid *g, long day);

/*
 * A session of the grid as a time range [lo, hi): for daily bars the New
 * York date (the bar stands at its midnight), for intraday bars the
 * session from the open to the close (the early close included).  Only
 * bars in these ranges are counted for a calendar series.
 */
struct cov_session {
	long day;          /* day number (lib/cal) */
	time_t lo, hi;
};

/* The sessions of the grid (no weekend, no closure) into out, which holds
 * g->ncols entries; returns how many. */
size_t cov_grid_sessions(const struct cov_grid *g, int daily, struct cov_session *out);

/* A run of missing (or partial) sessions; holidays inside do not break it. */
struct cov_range {
	long from, to;     /* day numbers, inclusive */
	long sessions;
};

struct cov {
	int applies;       /* expected bars are known (calendar series) */
	long stored;       /* bars counted in the grid's days */
	long expected;     /* -1 when !applies */
	long nmissing, npartial;  /* sessions */
	char *cells;       /* ncols cells, enum cov_cell; owned */
	struct cov_range *missing, *partial;
	size_t nmissing_r, npartial_r;
	long *count;       /* per column; freed by cov_finish() */
	time_t first;
	long first_day;    /* day number of first; 0 when first is 0 */
	long iv;           /* interval seconds */
	int daily;
};

/* 1 when the calendar decides the expected bars of (symbol, interval). */
int cov_applies(const char *symbol, const struct sym_interval *iv);
/* Start a series whose first bar is first (0: none stored yet). */
void cov_init(struct cov *c, const struct cov_grid *g, const char *symbol,
	      const struct sym_interval *iv, time_t first);
/* Add n bars stored on day number day.  A calendar series counts only
 * sessions: a bar on a weekend or a closure (a bad row, a crypto-like
 * series) must never stand in for a missing session.  Days outside the
 * grid are ignored. */
void cov_count(struct cov *c, const struct cov_grid *g, long day, long n);
/* Set the bars stored of a series outside the calendar (counted in the
 * window as a whole). */
void cov_set_stored(struct cov *c, long n);
/* Classify every column and build the ranges. */
void cov_finish(struct cov *c, const struct cov_grid *g);
void cov_free(struct cov *c);

/* Expected bars of an intraday interval iv in session [open, close) from
 * from on (0: the whole session). */
long cov_session_slots(time_t open, time_t close, long iv, time_t from);

#define COV_DAY_LEN 16   /* "YYYY-MM-DD" with room for any int year */
#define COV_RANGE_LEN 40

/* "2026-11-10" or "2026-11-17..2026-11-18" into buf (COV_RANGE_LEN). */
char *cov_range_str(const struct cov_range *r, char *buf);
/* "YYYY-MM-DD" of day number day into buf (COV_DAY_LEN). */
char *cov_day_str(long day, char *buf);

#endif
