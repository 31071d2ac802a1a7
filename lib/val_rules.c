#include "val_rules.h"
#include "bt.h"
#include "bars.h"
#include "cal.h"
#include "final.h"
#include "hash.h"
#include "msg.h"
#include "px.h"
#include "sym.h"
#include "val_gaps.h"
#include "val_keys.h"
#include "val_splits.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SERIES (1L << 24)

static const char *const codes[VAL_NRULES] = {
	"price_not_positive", "high_low", "negative_volume", "future",
	"unfinished", "market_closed", "off_session", "off_grid",
	"duplicate", "price_jump",
};

struct series {
	char symbol[SYM_MAX + 1];
	char interval[8];
	uint32_t id;
	const struct sym_interval *iv;
	int nyse;       /* calendar rules apply */
	int has_prev;
	double prev_close;
	time_t prev_ts;
	int has_jump;       /* the last row jumped and was rejected */
	double jump_close;  /* its close: a level the next row may confirm */
	int track;      /* gap coverage kept */
	struct val_gaps gaps;
};

struct val {
	struct val_opts o;
	struct val_keys *keys;
	struct val_splits *splits; /* NULL without opts.events */
	struct series **tab; /* open addressing on (symbol, interval) */
	size_t cap, n;
	struct series **order; /* in first-seen order, for the gaps report */
	struct series *last;
	char detail[128]; /* val_verdict.detail */
};

const char *val_rule_code(enum val_rule r)
{
	return codes[r];
}

int val_rule_lookup(const char *code)
{
	int i;

	for (i = 0; i < VAL_NRULES; i++)
		if (strcmp(codes[i], code) == 0)
			return i;
	return -1;
}

void val_opts_default(struct val_opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < VAL_NRULES; i++)
		o->mode[i] = VAL_REJECT;
	o->mode[VAL_JUMP] = VAL_WARN;
	o->calendar = 1;
	o->max_jump = 10;
	o->settle = FINAL_SETTLE_DEFAULT;
}

struct val *val_new(const struct val_opts *o)
{
	struct val *v = xcalloc(1, sizeof(*v));

	v->o = *o;
	v->cap = 64;
	v->tab = xcalloc(v->cap, sizeof(*v->tab));
	v->order = xcalloc(v->cap / 2, sizeof(*v->order));
	v->keys = v->o.mode[VAL_DUPLICATE] != VAL_OFF ? val_keys_new() : NULL;
	v->splits = v->o.events ? val_splits_new(v->o.events) : NULL;
	return v;
}

long val_events_errors(const struct val *v)
{
	return v->splits ? val_splits_errors(v->splits) : 0;
}

void val_free(struct val *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->n; i++) {
		val_gaps_free(&v->order[i]->gaps);
		free(v->order[i]);
	}
	free(v->order);
	free(v->tab);
	val_keys_free(v->keys);
	val_splits_free(v->splits);
	free(v);
}

static size_t hash(const char *sym, const char *iv)
{
	return (size_t)hash_mix(hash_str(hash_str(HASH_FNV_BASIS, sym), iv));
}

static void grow(struct val *v)
{
	size_t ncap = v->cap * 2, i, j;
	struct series **nt = xcalloc(ncap, sizeof(*nt));

	v->order = xreallocarray(v->order, ncap / 2, sizeof(*v->order));
	for (i = 0; i < v->n; i++) {
		struct series *s = v->order[i];

		for (j = hash(s->symbol, s->interval) & (ncap - 1); nt[j];
		     j = (j + 1) & (ncap - 1))
			;
		nt[j] = s;
	}
	free(v->tab);
	v->tab = nt;
	v->cap = ncap;
}

/* The series of a parsed bar, created on first sight; NULL past MAX_SERIES. */
static struct series *series_of(struct val *v, const struct bar *b)
{
	struct series *s = v->last;
	size_t i;

	/* Streams come grouped by series: the previous row's is likely. */
	if (s && strcmp(s->symbol, b->symbol) == 0 &&
	    strcmp(s->interval, b->interval) == 0)
		return s;
	for (i = hash(b->symbol, b->interval) & (v->cap - 1); (s = v->tab[i]);
	     i = (i + 1) & (v->cap - 1))
		if (strcmp(s->symbol, b->symbol) == 0 &&
		    strcmp(s->interval, b->interval) == 0)
			return v->last = s;
	if ((long)v->n >= MAX_SERIES)
		return NULL;
	if (v->n + 1 > v->cap / 2)
		grow(v);
	s = xcalloc(1, sizeof(*s));
	strcpy(s->symbol, b->symbol);
	strcpy(s->interval, b->interval);
	s->id = (uint32_t)v->n;
	s->iv = sym_interval(b->interval);
	s->nyse = v->o.calendar && cal_us_symbol(b->symbol);
	s->track = v->o.gaps && s->nyse && (s->iv->intraday || s->iv->days == 1);
	val_gaps_init(&s->gaps, s->iv->intraday ? s->iv->seconds : BT_DAY,
		      !s->iv->intraday);
	if (!s->track)
		s->gaps.dead = 1;
	for (i = hash(b->symbol, b->interval) & (v->cap - 1); v->tab[i];
	     i = (i + 1) & (v->cap - 1))
		;
	v->tab[i] = s;
	v->order[v->n++] = s;
	return v->last = s;
}

/* When a bar is final (lib/final, the rule normalize-bars and sched-plan
 * follow); without time zone data, as off the calendar. */
static time_t bar_final(const struct val *v, const struct series *s, time_t ts)
{
	time_t end;

	if (final_at(s->iv, s->nyse, NULL, ts, v->o.settle, &end) == 0 ||
	    final_at(s->iv, 0, NULL, ts, 0, &end) == 0)
		return end;
	return ts;
}

/* The first failing calendar or grid rule; VAL_NRULES when fine. */
static enum val_rule session_rule(const struct series *s, const struct bar *b,
				  const struct cal_info *ci)
{
	if (!s->nyse || !ci)
		return b->ts % 60 ? VAL_GRID : VAL_NRULES;
	if (!s->iv->intraday) {
		if (b->ts != ci->midnight)
			return VAL_GRID;
		if (s->iv->days == 1 && ci->kind == CAL_CLOSED)
			return VAL_CLOSED;
		return VAL_NRULES;
	}
	if (ci->kind == CAL_CLOSED)
		return VAL_CLOSED;
	if (b->ts < ci->open || b->ts >= ci->close)
		return VAL_SESSION;
	if ((b->ts - ci->open) % s->iv->seconds)
		return VAL_GRID;
	return VAL_NRULES;
}

static int jumped(double p, double prev, double f)
{
	return p > prev * f || p * f < prev;
}

static int bar_jumped(const struct bar *b, double ref, double f)
{
	return jumped(b->open, ref, f) || jumped(b->high, ref, f) ||
	       jumped(b->low, ref, f) || jumped(b->close, ref, f);
}

static int fail(struct val *v, enum val_rule r, struct val_verdict *out);

/*
 * A jump that a split between the two bars accounts for is not a jump: the
 * bar agrees with the previous close divided by the split ratio (data not
 * yet adjusted for it).  Only asked once a bar has jumped, so the events
 * file is read then.
 */
static int split_explains(struct val *v, const struct series *s, const struct bar *b)
{
	char when[BT_ISO_LEN];
	double r;

	if (!v->splits)
		return 0;
	r = val_splits_ratio(v->splits, s->symbol, s->prev_ts, b->ts);
	if (r == 1 || bar_jumped(b, s->prev_close / r, v->o.max_jump))
		return 0;
	msg_log(MSG_DEBUG, "%s %s: the jump at %s is a split of %g", s->symbol, s->interval,
		bt_format_iso(b->ts, when), r);
	return 1;
}

/*
 * price_jump compares with the previous passed close, so an isolated spike
 * costs one row, not two.  Two rows in a row at a new level that agree with
 * each other are a real level change (an unadjusted split, a unit switch
 * by the provider): the second one re-anchors, so one bad early bar or a
 * level change never locks the rule onto a stale price.
 */
static int jump_rejects(struct val *v, struct series *s, const struct bar *b,
			struct val_verdict *out)
{
	double f = v->o.max_jump;

	if (!s->has_prev || v->o.mode[VAL_JUMP] == VAL_OFF || !bar_jumped(b, s->prev_close, f) ||
	    split_explains(v, s, b))
		return s->has_jump = 0;
	if (s->has_jump && !bar_jumped(b, s->jump_close, f))
		return s->has_jump = 0;
	if (!fail(v, VAL_JUMP, out))
		return s->has_jump = 0;
	s->has_jump = 1;
	s->jump_close = b->close;
	return 1;
}

/* Apply a failed rule: 1 when it rejects the row. */
static int fail(struct val *v, enum val_rule r, struct val_verdict *out)
{
	if (v->o.mode[r] == VAL_REJECT) {
		if (!out->reject)
			out->reject = codes[r];
		return 1;
	}
	if (v->o.mode[r] == VAL_WARN)
		out->warn |= 1u << r;
	return 0;
}

/* Why a field did not parse, for the log: the range rules of bars.h. */
static const char *parse_detail(struct val *v, enum bars_err e, const char *field, char **f)
{
	double p;
	int i;

	if (e == BARS_ETS) {
		snprintf(v->detail, sizeof(v->detail), "ts: %s", bt_time_why(f[2]));
		return v->detail;
	}
	if (e != BARS_EPRICE)
		return NULL;
	for (i = 3; i < 8 && strcmp(bars_header[i], field) != 0; i++)
		;
	snprintf(v->detail, sizeof(v->detail), "%s: %s", field,
		 i < 8 && px_parse(f[i], &p) == 0 ? "outside float32 range" : "not a number");
	return v->detail;
}

int val_row(struct val *v, char **f, size_t n, struct val_verdict *out)
{
	struct cal_info day;
	const struct cal_info *ci = NULL;
	struct series *s;
	enum bars_err e;
	enum val_rule r;
	const char *field;
	struct bar b;

	out->reject = out->detail = NULL;
	out->warn = 0;
	if ((e = bars_parse(f, n, &b, &field)) != BARS_OK) {
		out->reject = bars_err_code(e);
		out->detail = parse_detail(v, e, field, f);
		return 0;
	}
	if (!(s = series_of(v, &b))) {
		out->reject = "too_many_series";
		return 0;
	}
	if ((b.open <= 0 || b.high <= 0 || b.low <= 0 || b.close <= 0 ||
	     b.adj_close <= 0) && fail(v, VAL_PRICE, out))
		return 0;
	if ((b.low > b.open || b.low > b.close || b.high < b.open ||
	     b.high < b.close || b.low > b.high) && fail(v, VAL_HIGH_LOW, out))
		return 0;
	if (b.has_volume && b.volume < 0 && fail(v, VAL_VOLUME, out))
		return 0;
	if (s->nyse && cal_info_at(b.ts, &day) == 0)
		ci = &day;
	if (b.ts > v->o.now && fail(v, VAL_FUTURE, out))
		return 0;
	if (b.ts <= v->o.now && bar_final(v, s, b.ts) > v->o.now &&
	    fail(v, VAL_UNFINISHED, out))
		return 0;
	if ((r = session_rule(s, &b, ci)) != VAL_NRULES && fail(v, r, out))
		return 0;
	/* Stateful rules last, so rejected rows leave no trace. */
	if (jump_rejects(v, s, &b, out))
		return 0;
	/* Last: it records the key, which only a passing row may do. */
	if (v->keys && val_keys_check_add(v->keys, s->id, (int64_t)b.ts) &&
	    fail(v, VAL_DUPLICATE, out))
		return 0;
	s->has_prev = 1;
	s->prev_close = b.close;
	s->prev_ts = b.ts;
	if (!s->gaps.dead && ci && ci->kind != CAL_CLOSED && r == VAL_NRULES) {
		long slot = s->iv->intraday ? (b.ts - ci->open) / s->iv->seconds : 0;

		if (val_gaps_add(&s->gaps, ci->day, slot, b.ts) < 0)
			msg_log(MSG_WARN, "gaps: %s %s: covered range too large, "
				"not tracked", s->symbol, s->interval);
	}
	return 1;
}

int val_write_gaps(struct val *v, FILE *fp)
{
	long missing, expected, tmiss = 0, texp = 0, nser = 0;
	size_t i;

	for (i = 0; i < v->n; i++) {
		struct series *s = v->order[i];

		if (!s->track || s->gaps.dead)
			continue;
		if (val_gaps_write(&s->gaps, s->symbol, s->interval, fp,
				   &missing, &expected) < 0)
			return -1;
		if (missing)
			msg_log(MSG_INFO, "gaps: %s %s: %ld missing of %ld expected",
				s->symbol, s->interval, missing, expected);
		tmiss += missing;
		texp += expected;
		nser++;
	}
	msg_log(MSG_INFO, "gaps: %ld missing of %ld expected bars in %ld series",
		tmiss, texp, nser);
	return 0;
}
