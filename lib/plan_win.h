/*
 * plan_win: the windows sched-plan emits for one (symbol, interval).
 *
 * Pure functions of their inputs (no clock, no database), so the rules
 * are testable on their own:
 *   - a series a corporate action made stale (lib/refetch) gets one window
 *     from its oldest stored bar to the end, whatever else applies;
 *   - else start from the newest stored bar minus the overlap, or the whole
 *     period when nothing is stored (or --full): Nd/Nw back from the end,
 *     Nmo/Ny the same UTC date N months back (29 Feb -> 28 Feb), ytd from
 *     1 January UTC, max the provider's whole history (intraday: its
 *     look-back limit; daily and longer: from 1900, as yfinance asks);
 *   - nothing when the bar after the newest stored one cannot be final
 *     yet (lib/final, the rule normalize-bars and validate-bars follow):
 *     with the NYSE calendar, intraday bars end at the session close at
 *     the latest and the next bar may be the next session's first, daily
 *     and longer bars are final at the close plus the settle delay;
 *   - intraday history clamped to the provider's look-back (lib/span), and
 *     every start to PLAN_MIN_TIME, with a note;
 *   - windows split into provider-sized chunks, intraday chunks during
 *     which the market was closed throughout dropped.
 */
#ifndef PLAN_WIN_H
#define PLAN_WIN_H

#include <stdio.h>
#include <time.h>

#include "plan.h"
#include "sym.h"

/* The times a plan may name: years 1900-2199.  Callers check their inputs
 * (now, --start, --end) against these; starts are clamped to them. */
#define PLAN_MIN_TIME (-2208988800LL) /* 1900-01-01T00:00:00Z */
#define PLAN_MAX_TIME 7258118400LL    /* 2200-01-01T00:00:00Z */

struct plan_req {
	const char *symbol;
	const struct sym_interval *iv;
	time_t now;
	struct sym_period period;
	int have_newest;  /* newest holds the newest stored bar start */
	time_t newest;
	long overlap;     /* bars re-fetched before the newest's end */
	int full;         /* ignore the stored bars */
	int have_start, have_end; /* explicit --start / --end */
	time_t start, end;
	int calendar;     /* the NYSE calendar applies to this job */
	int have_refetch; /* stale: fetch again from refetch_from, the oldest */
	time_t refetch_from; /* stored bar (lib/refetch) */
	int have_settle;  /* settle holds the settle delay (lib/final); */
	long settle;      /* otherwise final_settle() decides */
};

/* Write the plan rows for r to fp; notes go to the log.  Returns the
 * number of rows written, or -1 on a write error. */
int plan_win_emit(FILE *fp, const struct plan_req *r);

#endif
