/*
 * span: what one Yahoo chart request may cover, read from the interval
 * table (lib/sym: history_days, chunk_days): how far back intraday bars
 * are served, and how a long window is cut into requests.  sched-plan
 * (lib/plan_win) and fetch-bars both use it, so the provider's limits are
 * written once.  Pure functions; nothing allocates.
 */
#ifndef SPAN_H
#define SPAN_H

#include <time.h>

#include "sym.h"

/*
 * The oldest instant whose bars of iv the provider serves at time now
 * (now minus history_days days): 0 with *oldest set, or -1 when iv's
 * history is unlimited.
 */
int span_oldest(const struct sym_interval *iv, time_t now, time_t *oldest);

/*
 * The earliest start a request for iv may name at now: the first bar
 * boundary strictly inside the look-back (bars start on multiples of the
 * interval's length, at most a day).  0 with *t, or -1 when iv's history is
 * unlimited.
 */
int span_earliest(const struct sym_interval *iv, time_t now, time_t *t);

/*
 * The earliest bar start of iv the provider serves at now, never before
 * min: span_earliest() when iv's history is limited, else min.  min is the
 * earliest time the caller names at all (PLAN_MIN_TIME, lib/plan_win).
 * sched-plan's windows and the re-fetch rule (lib/refetch) both ask this.
 */
time_t span_reach(const struct sym_interval *iv, time_t now, time_t min);

/*
 * Number of requests [start, end) needs when one may cover at most iv's
 * chunk_days days (0 when end <= start; 1 when chunk_days is 0).  Chunk i
 * (from 0) is [start + i*span, min(end, start + (i+1)*span)).
 */
long span_nchunks(const struct sym_interval *iv, time_t start, time_t end);
void span_chunk(const struct sym_interval *iv, time_t start, time_t end,
		long i, time_t *cs, time_t *ce);

#endif
