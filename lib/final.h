/*
 * final: when a bar is final.  The one rule shared by normalize-bars (which
 * drops bars that are not final yet) and sched-plan's lib/plan_win (which
 * asks only for bars that can be final by now):
 *
 *   intraday bars are final at their end (start + interval);
 *   daily and longer bars under the NYSE calendar are final when the last
 *   session of their period has closed plus the settle delay (default 30
 *   minutes, early closes included): a job at 17:30 New York stores that
 *   day's bar, and a second run that evening asks for nothing;
 *   other daily and longer bars (no built-in calendar for their exchange)
 *   are final at the end of their period: local midnight in the exchange's
 *   time zone.
 *
 * A provider revision after that is caught by the next run's overlap.
 * Functions return 0, or -1 when a time zone is unknown.
 */
#ifndef FINAL_H
#define FINAL_H

#include <time.h>

#include "sym.h"

#define FINAL_SETTLE_DEFAULT (30L * 60)  /* seconds */
#define FINAL_SETTLE_MAX_MINUTES (24 * 60)

/* Minutes "0" to "1440" as seconds; -1 when malformed or out of range. */
long final_parse_settle(const char *minutes);
/*
 * The settle delay in seconds: BARS_SETTLE_MINUTES when set, else
 * FINAL_SETTLE_DEFAULT.  Dies with exit status 2 on a malformed value (as
 * bt_now() does on BARS_NOW), so a typo never silently changes what is
 * stored.
 */
long final_settle(void);

/*
 * When the first bar of interval iv starting at or after t is final, into
 * *out.  For a bar, t is its key; for "the bar after the newest stored
 * one", t is the newest bar's end.  nyse: the NYSE calendar applies (New
 * York time; tz is not used); otherwise tz is the exchange's zone.
 * settle: seconds after the close (NYSE daily and longer bars only).
 */
int final_at(const struct sym_interval *iv, int nyse, const char *tz, time_t t,
	     long settle, time_t *out);

#endif
