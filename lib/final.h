/*
 * final: when a bar ends for good.  THE one rule for it, used by
 * normalize-bars (which drops bars that are not final yet), validate-bars'
 * lib/val_rules (rule unfinished) and sched-plan's lib/plan_win (which asks
 * only for bars that can be final by now).  It lives here, beside the
 * settle delay, because it needs both the interval table (lib/sym) and the
 * NYSE sessions (lib/cal): putting it in either of those would make one
 * depend on the other.
 *
 *   intraday bars end at start + interval, clipped to the close of their
 *   session under the NYSE calendar (the 15:30 1h bar ends at 16:00, the
 *   12:30 90m bar of an early close at 13:00); a bar that starts outside a
 *   session has nothing to clip;
 *   daily and longer bars under the NYSE calendar are final when the last
 *   session of their period has closed plus the settle delay (default 30
 *   minutes, early closes included): a job at 17:30 New York stores that
 *   day's bar, and a second run that evening asks for nothing;
 *   other daily and longer bars (no built-in calendar for their exchange,
 *   crypto) are final at the end of their period: local midnight in the
 *   exchange's time zone, or, when the zone is not known (validate-bars),
 *   the same calendar length counted on UTC dates from the bar's key.
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
 * When the bar of interval iv keyed at t is final, into *out.  nyse: the
 * NYSE calendar applies (New York time; tz is not used); otherwise tz is
 * the exchange's zone, or NULL when unknown (UTC dates, see above).
 * settle: seconds after the close (NYSE daily and longer bars only).  A
 * daily key on a closed NYSE date stands for the next session's bar (the
 * bar after a stored Friday is keyed at Saturday 00:00 and is Monday's).
 */
int final_at(const struct sym_interval *iv, int nyse, const char *tz, time_t t,
	     long settle, time_t *out);

#endif
