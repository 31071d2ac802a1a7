/*
 * val_rules: the validate-bars rule engine, one bars CSV row at a time.
 *
 * A row that cannot be parsed is always rejected with the bars_err_code()
 * reason (bad_field_count, bad_symbol, bad_interval, bad_timestamp,
 * bad_price, bad_volume).  Every other rule has a stable code and a mode
 * (off, warn, reject):
 *
 *   price_not_positive  a price <= 0 (non-finite ones fail to parse)
 *   high_low            low > min(open,close), high < max(open,close)
 *                       or low > high
 *   negative_volume     volume < 0
 *   future              ts after now
 *   unfinished          the bar is not final at now (lib/final: its end,
 *                       clipped to the NYSE close for intraday bars; NYSE
 *                       daily and longer bars at the close plus settle)
 *   market_closed       NYSE: the bar's date is a holiday or weekend
 *   off_session         NYSE: intraday bar starting outside [open, close)
 *   off_grid            NYSE intraday: (ts - open) % interval != 0;
 *                       NYSE daily+: ts not 00:00 New York; others: ts
 *                       not on a whole minute
 *   duplicate           (symbol, interval, ts) seen before (val_keys.h)
 *   price_jump          open/high/low/close against the previous passed
 *                       close of the series beyond max_jump either way,
 *                       unless a split between the two bars (opts.events,
 *                       lib/val_splits) explains it
 *
 * Calendar rules apply, when opts.calendar is set, to plain US symbols
 * (cal_us_symbol: AAPL, BRK-B); other forms (^GSPC, EURUSD=X, BTC-USD,
 * 7203.T) only get the whole-minute grid.
 * State (previous close, keys, gap coverage) is updated by passed rows
 * only, so a rejected row never hides a later good one.
 */
#ifndef VAL_RULES_H
#define VAL_RULES_H

#include <stdio.h>
#include <time.h>

enum val_rule {
	VAL_PRICE,
	VAL_HIGH_LOW,
	VAL_VOLUME,
	VAL_FUTURE,
	VAL_UNFINISHED,
	VAL_CLOSED,
	VAL_SESSION,
	VAL_GRID,
	VAL_DUPLICATE,
	VAL_JUMP,
	VAL_NRULES
};

enum val_mode { VAL_OFF, VAL_WARN, VAL_REJECT };

struct val_opts {
	enum val_mode mode[VAL_NRULES];
	int calendar;    /* apply the NYSE calendar to plain US symbols */
	double max_jump; /* factor > 1 */
	time_t now;
	long settle;     /* seconds after the close (lib/final) */
	int gaps;        /* track coverage for val_write_gaps() */
	const char *events; /* events CSV whose splits explain jumps, or NULL */
};

/* Stable reason code of a rule. */
const char *val_rule_code(enum val_rule r);
/* Rule for a code, or -1 when unknown. */
int val_rule_lookup(const char *code);
/* Defaults: price_jump warns, every other rule rejects; calendar on,
 * max_jump 10, settle FINAL_SETTLE_DEFAULT (validate-bars sets
 * final_settle()), now 0 (the caller sets it), gaps off. */
void val_opts_default(struct val_opts *o);

struct val;

struct val_verdict {
	const char *reject; /* reason code, NULL when the row passes */
	const char *detail; /* for a parse reject, "field: why"; else NULL
			     * (valid until the next val_row) */
	unsigned warn;      /* bit (1 << rule) per rule that warned */
};

/* Never NULL (xalloc policy); opts is copied. */
struct val *val_new(const struct val_opts *o);
void val_free(struct val *v);
/* Problems with opts.events so far (bad lines, unreadable): 0 when fine. */
long val_events_errors(const struct val *v);
/* Check one record: 1 passed (maybe with warnings), 0 rejected. */
int val_row(struct val *v, char **f, size_t n, struct val_verdict *out);
/*
 * Write the missing expected bars of every tracked series as CSV rows
 * (no header) and log a summary per series with gaps plus a total.
 * 0, or -1 on a write error.
 */
int val_write_gaps(struct val *v, FILE *fp);

#endif
