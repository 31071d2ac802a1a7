#include "plan_win.h"
#include "bt.h"
#include "cal.h"
#include "final.h"
#include "norm_time.h"
#include "msg.h"
#include "span.h"

#include <string.h>


static time_t align_down(time_t t, long step)
{
	return t - (time_t)((t % step + step) % step);
}

/*
 * The key of the first bar after the newest stored one: intraday, at its
 * end or, with the calendar, at the next session's open when the market
 * is closed then; daily and longer, at the end of its calendar length
 * (with the calendar a key on a closed date stands for the next session;
 * without it, UTC dates: lib/final).  -1 when the calendar knows no
 * session ahead.
 */
static int next_key(const struct plan_req *r, time_t *out)
{
	time_t o, c;

	*out = r->newest + r->iv->seconds;
	if (!r->iv->intraday && r->calendar)
		return norm_bar_end(r->iv, "America/New_York", r->newest, out);
	if (!r->iv->intraday) /* no zone: the newest bar's end on UTC dates */
		return final_at(r->iv, 0, NULL, r->newest, 0, out);
	if (!r->calendar)
		return 0;
	if (cal_next_session(*out, &o, &c) < 0)
		return -1;
	if (*out < o)
		*out = o;
	return 0;
}

/*
 * Can a complete bar have appeared since the newest stored one, by end?
 * Only when the next bar is final by then (lib/final: the rule
 * normalize-bars keeps bars by and validate-bars checks).  Without zone
 * data, ask: the provider decides.
 */
static int something_new(const struct plan_req *r, time_t end)
{
	long settle = r->have_settle ? r->settle : final_settle();
	time_t key, fin;

	if (next_key(r, &key) < 0)
		return 0;
	if (final_at(r->iv, r->calendar, NULL, key, settle, &fin) < 0)
		return 1;
	return fin <= end;
}

/* The earliest start the provider serves (lib/span), else 1900 (what
 * yfinance asks for as "max"). */
/* Never ask for more than the provider has; say so when that shortens
 * a window. */
static time_t clamp_history(const struct plan_req *r, time_t start)
{
	char a[BT_ISO_LEN], b[BT_ISO_LEN];
	time_t earliest = span_reach(r->iv, r->now, PLAN_MIN_TIME), limit;

	if (start >= earliest)
		return start;
	if (span_oldest(r->iv, r->now, &limit) == 0)
		msg_log(MSG_INFO, "%s %s: start %s is beyond the %ld days of %s history"
			" Yahoo serves; shortened to %s", r->symbol, r->iv->name,
			bt_format_iso(start, a), r->iv->history_days, r->iv->name,
			bt_format_iso(earliest, b));
	else
		msg_log(MSG_INFO, "%s %s: start before %s, the earliest a plan names;"
			" shortened to it", r->symbol, r->iv->name, bt_format_iso(earliest, b));
	return earliest;
}

/* Where the job's whole period begins when it ends at end ("max": as
 * far back as the provider serves). */
static time_t period_start(const struct plan_req *r, time_t end)
{
	time_t t;

	if (sym_period_start(&r->period, end, &t) < 0)
		return span_reach(r->iv, r->now, PLAN_MIN_TIME);
	return t;
}

/* Intraday chunks with no session at all are not worth a request. */
static int market_closed(const struct plan_req *r, time_t a, time_t b)
{
	time_t o, c;

	if (!r->calendar || !r->iv->intraday)
		return 0;
	return cal_next_session(a, &o, &c) < 0 || o >= b;
}

int plan_win_emit(FILE *fp, const struct plan_req *r)
{
	long sec = r->iv->seconds, step = sec < BT_DAY ? sec : BT_DAY, i, nc;
	time_t start, end = r->have_end ? r->end : r->now, a, b;
	struct plan_row row;
	char when[BT_ISO_LEN];
	int n = 0;

	if (r->have_start) {
		start = r->start;
	} else if (r->have_refetch && !r->full) {
		/* One window over the whole stored history, whatever is new. */
		msg_log(MSG_INFO, "%s %s: a corporate action since the last complete fetch;"
			" fetching again from the oldest stored bar, %s", r->symbol, r->iv->name,
			bt_format_iso(r->refetch_from, when));
		start = r->refetch_from;
	} else if (r->have_newest && !r->full) {
		if (!something_new(r, end)) {
			msg_log(MSG_DEBUG, "%s %s: nothing new since the bar at %s",
				r->symbol, r->iv->name, bt_format_iso(r->newest, when));
			return 0;
		}
		start = r->newest + sec - r->overlap * sec;
	} else {
		start = align_down(period_start(r, end), step);
	}
	start = clamp_history(r, start);
	memset(&row, 0, sizeof(row));
	snprintf(row.symbol, sizeof(row.symbol), "%s", r->symbol);
	row.interval = r->iv;
	nc = span_nchunks(r->iv, start, end);
	for (i = 0; i < nc; i++) {
		span_chunk(r->iv, start, end, i, &a, &b);
		if (market_closed(r, a, b))
			continue;
		row.start = a;
		row.end = b;
		if (plan_write(fp, &row) < 0)
			return -1;
		n++;
	}
	return n;
}
