/*
 * sym: ticker symbols and intervals.
 *
 * A symbol is 1-32 characters from [A-Za-z0-9.^=_-] (Yahoo forms such as
 * BRK-B, ^GSPC, EURUSD=X, BTC-USD, 7203.T); anything else never reaches a
 * URL or SQL statement.  Functions return 0 when valid, -1 otherwise.
 */
#ifndef SYM_H
#define SYM_H

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
/* Comma-separated list of valid interval names, for error messages. */
const char *sym_interval_names(void);
/* Seconds in a period "Nd", "Nw"/"Nwk", "Nmo", "Ny"; -1 when malformed. */
long sym_period_seconds(const char *period);

#endif
