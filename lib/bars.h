/*
 * bars: the bars CSV contract shared by normalize-bars, validate-bars and
 * load-bars.
 *
 *   symbol,interval,ts,open,high,low,close,adj_close,volume
 *
 * ts is the bar start as ISO-8601 UTC (years 1900-2199, no leap second);
 * prices are plain decimals within float32 range (px_in_range); volume is
 * an integer, or empty when the provider has none (Stooq gold).
 */
#ifndef BARS_H
#define BARS_H

#include <stdio.h>
#include <time.h>

#include "sym.h"

#define BARS_NCOLS 9
extern const char *const bars_header[BARS_NCOLS];
/* A rejects file (validate-bars --rejects, read by bars-report and the
 * status page): the rows as read, plus the reason. */
#define BARS_REJECTS_NCOLS (BARS_NCOLS + 1)
extern const char *const bars_rejects_header[BARS_REJECTS_NCOLS];

struct bar {
	char symbol[SYM_MAX + 1];
	char interval[8];
	time_t ts;
	double open, high, low, close, adj_close;
	long long volume;
	int has_volume;
	int px_double; /* prices are true doubles (Stooq), not widened float32 */
};

/* Stable reason codes for a row that cannot be parsed. */
enum bars_err {
	BARS_OK = 0,
	BARS_EFIELDS,   /* wrong number of fields */
	BARS_ESYMBOL,
	BARS_EINTERVAL,
	BARS_ETS,
	BARS_EPRICE,
	BARS_EVOLUME,
	BARS_NERR       /* number of codes, BARS_OK included */
};
const char *bars_err_code(enum bars_err e);

/*
 * Parse one record into b.  Returns BARS_OK, or an error with *field set
 * to the offending column name.
 */
enum bars_err bars_parse(char **f, size_t n, struct bar *b, const char **field);
/* Write the header line / one bar (prices as float32 shortest).  0, or -1
 * on a write error (errno ERANGE: a price that cannot be formatted). */
int bars_write_header(FILE *fp);
int bars_write_rejects_header(FILE *fp);
int bars_write(FILE *fp, const struct bar *b);
/* Write raw fields joined by commas (the row as read). 0 or -1. */
int bars_write_fields(FILE *fp, char **f, size_t n);

#endif
