/*
 * sym: ticker symbols and intervals.
 *
 * A symbol is 1-32 characters from [A-Za-z0-9.^=_-] (Yahoo forms such as
 * BRK-B, ^GSPC, EURUSD=X, BTC-USD, 7203.T); anything else never reaches a
 * URL or SQL statement.  Functions return 0 when valid, -1 otherwise.
 */
#ifndef SYM_H
#define SYM_H

#include <stddef.h>
#include <time.h>

#define SYM_MAX 32

int sym_valid(const char *s);

/* Interval table entry for the Yahoo set (1m ... 3mo). */
struct sym_interval {
	const char *name;
	long seconds;      /* nominal bar length; months count as 31 days */
	int intraday;      /* shorter than one day */
	long history_days; /* provider look-back limit, 0 when unlimited */
	long chunk_days;   /* longest window one request may cover, 0: any */
	int days, months;  /* daily and longer: a bar's calendar length (5d bars
			    * start weekly, so a week); 0 for intraday */
};

/* Look up an interval by name; NULL when unknown. */
const struct sym_interval *sym_interval(const char *name);
/* The i-th interval of the table (from 0), NULL past the last. */
const struct sym_interval *sym_interval_at(size_t i);
/*
 * The table's interval names in table order, joined by sep into buf (n
 * bytes, always terminated when n > 0): all of them, or with intraday_only
 * only the intraday ones (db_migrate's monthly partitions).  Returns the
 * length the whole list needs, as snprintf() does.
 */
size_t sym_interval_join(char *buf, size_t n, const char *sep, int intraday_only);
/* The valid interval names separated by spaces ("1m 2m ... 3mo"), from
 * the table, for error messages.  Static storage, thread-safe. */
const char *sym_interval_names(void);
/*
 * A look-back period as a config writes it: "Nd", "Nw"/"Nwk" (days),
 * "Nmo", "Ny" (calendar months and years: the same date N months back),
 * "ytd" (since 1 January) or "max" (the provider's whole history).  N runs
 * from 1 to 300 years' worth (SYM_PERIOD_MAX_DAYS / _MAX_MONTHS), so no
 * period reaches before the years the tools handle.  plan_win turns a
 * period into a start time.
 */
enum sym_period_unit { SYM_PERIOD_DAYS, SYM_PERIOD_MONTHS, SYM_PERIOD_YTD, SYM_PERIOD_MAX };

struct sym_period {
	enum sym_period_unit unit;
	long n; /* days or months; 0 for ytd and max */
};

#define SYM_PERIOD_MAX_DAYS (300L * 365)
#define SYM_PERIOD_MAX_MONTHS (300L * 12)

/* 0, or -1 with a sentence in why[] (size n) saying what is accepted. */
int sym_period_parse(const char *s, struct sym_period *p, char *why, size_t n);
/* The most days p can span (a month counted as 31 days, a year as 366),
 * to hold against a provider's history; -1 for ytd and max, which the
 * planner fits to the history itself. */
long sym_period_max_days(const struct sym_period *p);
/*
 * Where p begins when it ends at end: Nd/Nw back, Nmo/Ny the same UTC date
 * N months back (the day clamped to the month's length), ytd 1 January
 * UTC.  0 with *out, or -1 for max, whose start depends on the provider.
 */
int sym_period_start(const struct sym_period *p, time_t end, time_t *out);

#endif
