/*
 * val_gaps: which expected NYSE bars of one series (symbol, interval) were
 * seen, to list the missing ones at the end of a stream.
 *
 * Coverage is a bitmap of grid slots per trading date between the first
 * and the last bar seen, so input order does not matter and memory grows
 * with the covered date range, never with the rows: one bit per date for
 * daily bars (a century in 4.6 KB), one bit per slot for intraday ones
 * (5m over 60 days: 960 bytes; 1m over ten years: 200 KB).  A series whose
 * bitmap would pass VAL_GAPS_MAX_BYTES (1m bars over about 200 years)
 * stops being tracked (val_gaps_add returns -1 once).
 */
#ifndef VAL_GAPS_H
#define VAL_GAPS_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define VAL_GAPS_MAX_BYTES (4L << 20)

/* The gaps report (validate-bars --gaps, read by bars-report and the
 * status page): one missing bar a line. */
#define VAL_GAPS_NCOLS 3
extern const char *const val_gaps_header[VAL_GAPS_NCOLS];

struct val_gaps {
	long b0, nblocks; /* first block number covered, blocks covered */
	int dpb;          /* dates per block: 64 for daily bars, else 1 */
	int spd;          /* grid slots per date */
	int wpb;          /* 64-bit words per block */
	long iv;          /* interval seconds; 86400 for daily bars */
	int daily;
	uint64_t *bits;
	time_t first, last;
	int dead;         /* too large; no longer tracked */
};

/* Start tracking a series with interval iv seconds (daily: one slot per
 * date). */
void val_gaps_init(struct val_gaps *g, long iv, int daily);
void val_gaps_free(struct val_gaps *g);
/* Mark the bar at ts, slot slot of local date day.  0, or -1 when the
 * series became too large (then it is dropped). */
int val_gaps_add(struct val_gaps *g, long day, long slot, time_t ts);
/* Write the header line: 0, or -1 on a write error. */
int val_gaps_write_header(FILE *fp);
/*
 * Write "symbol,interval,ts" for every expected bar between the first and
 * the last one seen that is missing.  *missing and *expected are set.
 * 0, or -1 on a write error.
 */
int val_gaps_write(const struct val_gaps *g, const char *symbol,
		   const char *interval, FILE *fp, long *missing,
		   long *expected);

#endif
