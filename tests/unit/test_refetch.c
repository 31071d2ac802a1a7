/* Unit tests for the corporate-action re-fetch rule: the provider's reach
 * (lib/span, lib/refetch), what a run covered of a series (lib/load_heads),
 * the array literals its SQL takes (lib/db) and the events lines COPY
 * reads (lib/events). */
#include "bt.h"
#include "db.h"
#include "events.h"
#include "load_heads.h"
#include "plan_win.h"
#include "refetch.h"
#include "span.h"
#include "unit.h"

#include <math.h>
#include <stdlib.h>

static time_t at(const char *iso)
{
	time_t t = 0;

	if (bt_parse_time(iso, &t) < 0)
		fprintf(stderr, "bad time %s\n", iso);
	return t;
}

static void reach(void)
{
	static const struct {
		const char *iv, *now, *want;
	} t[] = {
		/* look-back limited: the first bar boundary inside it */
		{ "5m", "2026-11-30T22:30:00Z", "2026-10-01T22:35:00Z" },
		{ "5m", "2026-11-30T22:31:07Z", "2026-10-01T22:35:00Z" },
		{ "1m", "2026-11-30T22:30:00Z", "2026-10-31T22:31:00Z" },
		{ "60m", "2026-11-30T22:30:00Z", "2024-11-30T23:00:00Z" },
		/* unlimited: 1900, the earliest a plan names */
		{ "1d", "2026-11-30T22:30:00Z", "1900-01-01T00:00:00Z" },
		{ "1mo", "2026-11-30T22:30:00Z", "1900-01-01T00:00:00Z" },
		/* a look-back reaching before 1900 stops there */
		{ "5m", "1900-01-10T00:00:00Z", "1900-01-01T00:00:00Z" },
	};
	char got[BT_ISO_LEN];
	size_t i;
	time_t e;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const struct sym_interval *iv = sym_interval(t[i].iv);
		long long r = refetch_reach(iv, at(t[i].now));

		CHECK_STR(bt_format_iso((time_t)r, got), t[i].want, "refetch_reach %s at %s",
			  t[i].iv, t[i].now);
		CHECK(span_reach(iv, at(t[i].now), PLAN_MIN_TIME) == (time_t)r,
		      "span_reach %s at %s is refetch_reach", t[i].iv, t[i].now);
	}
	CHECK(refetch_reach(NULL, at("2026-11-30T00:00:00Z")) == PLAN_MIN_TIME,
	      "refetch_reach of an unknown interval: 1900");
	CHECK(span_reach(sym_interval("1d"), 0, 12345) == 12345, "span_reach: unlimited gives min");
	CHECK(span_reach(sym_interval("5m"), at("2026-11-30T00:00:00Z"), at("2026-11-01T00:00:00Z")) ==
		      at("2026-11-01T00:00:00Z"), "span_reach: never before min");

	/* span_earliest: strictly inside the look-back, on a bar boundary */
	CHECK(span_earliest(sym_interval("1d"), 0, &e) == -1, "span_earliest 1d: unlimited");
	CHECK(span_earliest(sym_interval("5m"), at("2026-11-30T22:30:00Z"), &e) == 0 &&
		      e == at("2026-10-01T22:35:00Z"), "span_earliest 5m on a boundary: the next one");
	CHECK(span_earliest(sym_interval("5m"), at("2026-11-30T22:32:00Z"), &e) == 0 &&
		      e == at("2026-10-01T22:35:00Z"), "span_earliest 5m between: rounds up");
	CHECK(span_earliest(sym_interval("60m"), at("1970-01-01T00:00:00Z"), &e) == 0 &&
		      e == at("1968-01-02T01:00:00Z"), "span_earliest before 1970 (%lld)", (long long)e);
}

static void gap(void)
{
	CHECK(refetch_gap(sym_interval("5m")) == 60L * BT_DAY, "refetch_gap 5m: 60 days");
	CHECK(refetch_gap(sym_interval("1m")) == 7L * BT_DAY, "refetch_gap 1m: 7 days");
	CHECK(refetch_gap(sym_interval("60m")) == 730L * BT_DAY, "refetch_gap 60m: 730 days");
	CHECK(refetch_gap(sym_interval("1d")) == 0, "refetch_gap 1d: one request covers any window");

	/* stored bars before a whole fetch's first row: not served any more,
	 * unless a whole request lies between (that request may have failed) */
	CHECK(refetch_unserved(sym_interval("1d"), 0, 3 * BT_DAY), "unserved 1d: 3 days before");
	CHECK(refetch_unserved(sym_interval("1d"), 0, 9000L * BT_DAY), "unserved 1d: any distance");
	CHECK(!refetch_unserved(sym_interval("1d"), 5, 5), "unserved: not before the first row");
	CHECK(refetch_unserved(sym_interval("5m"), 0, 60L * BT_DAY - 1), "unserved 5m: within a request");
	CHECK(!refetch_unserved(sym_interval("5m"), 0, 60L * BT_DAY),
	      "unserved 5m: a whole request before: maybe a failed one");
	CHECK(refetch_unserved(NULL, 0, 1), "unserved: unknown interval, no gap rule");
}

struct seen {
	char line[8][64];
	int n;
};

static void note(void *ctx, const char *symbol, const char *interval, time_t first, time_t last)
{
	struct seen *s = ctx;

	if (s->n < 8)
		snprintf(s->line[s->n++], sizeof(s->line[0]), "%s %s %lld %lld", symbol, interval,
			 (long long)first, (long long)last);
}

/* Rows of one key at the given times (seconds), then what covered says. */
static void cover_case(const char *iv, const long *ts, int n, const char *want, const char *what)
{
	struct load_heads *h = load_heads_new();
	struct seen s = { .n = 0 };
	int i;

	for (i = 0; i < n; i++)
		load_heads_cover(h, "XSPL", iv, (time_t)ts[i]);
	load_heads_covered(h, note, &s);
	CHECK_STR(s.n ? s.line[0] : "", want, "covered: %s", what);
	load_heads_free(h);
}

static void covered(void)
{
	const long day = BT_DAY, gap5 = 60 * BT_DAY;
	const long in_order[] = { 100, 400, 700 };
	const long repeat[] = { 100, 400, 400 };
	const long backwards[] = { 100, 700, 400 };
	const long hole[] = { 0, 300, 300 + gap5, 600 + gap5 };
	const long near_hole[] = { 0, 300, 299 + gap5 };
	const long daily_hole[] = { 0, 1000 * day, 1001 * day };
	struct load_heads *h;
	struct seen s = { .n = 0 };

	cover_case("5m", in_order, 3, "XSPL 5m 100 700", "rows in order");
	cover_case("5m", repeat, 3, "", "a repeated row is not a whole fetch");
	cover_case("5m", backwards, 3, "", "rows out of order are not a whole fetch");
	cover_case("5m", hole, 4, "", "a hole of a whole request (60 days) means one failed");
	cover_case("5m", near_hole, 3, "XSPL 5m 0 5184299", "a hole just short of a request is no failure");
	cover_case("1d", daily_hole, 3, "XSPL 1d 0 86486400", "1d: any hole (one request)");
	cover_case("zz", in_order, 3, "XSPL zz 100 700", "an unknown interval has no gap rule");

	/* Several keys: reported in key order, each with its own rows. */
	h = load_heads_new();
	load_heads_cover(h, "MSFT", "5m", 300);
	load_heads_cover(h, "AAPL", "5m", 600);
	load_heads_cover(h, "AAPL", "1d", 0);
	load_heads_cover(h, "MSFT", "5m", 600);
	load_heads_cover(h, "AAPL", "5m", 900);
	load_heads_cover(h, "MSFT", "5m", 500); /* out of order */
	load_heads_covered(h, note, &s);
	CHECK(s.n == 2, "covered: two of three keys whole (%d)", s.n);
	CHECK_STR(s.line[0], "AAPL 1d 0 0", "covered: key order, one row");
	CHECK_STR(s.line[1], "AAPL 5m 600 900", "covered: key order, interleaved keys");
	load_heads_free(h);
}

static void stale_read(void)
{
	struct load_heads *h = load_heads_new();

	load_heads_set(h, "AAPL", "1d", 100);
	load_heads_set_stale(h, "AAPL", "1d", 1);
	load_heads_set_stale(h, "AAPL", "5m", 1);
	load_heads_set_stale(h, "MSFT", "1d", 1);
	CHECK(load_heads_stale_read(h) == 0, "stale_read: no rows read yet");
	load_heads_cover(h, "AAPL", "1d", 200);
	load_heads_cover(h, "AAPL", "5m", 200);
	load_heads_cover(h, "XDIV", "1d", 200);
	CHECK(load_heads_stale_read(h) == 2, "stale_read: two stale keys read (%zu)",
	      load_heads_stale_read(h));
	CHECK(load_heads_stale(h, "MSFT", "1d") && !load_heads_stale(h, "XDIV", "1d"),
	      "stale: as set");
	load_heads_set_stale(h, "AAPL", "5m", 0); /* marked */
	CHECK(load_heads_stale_read(h) == 1, "stale_read: a marked key no longer counts");
	load_heads_clear(h);
	CHECK(load_heads_stale_read(h) == 0 && !load_heads_stale(h, "AAPL", "1d"),
	      "stale_read: cleared");
	load_heads_free(h);
}

static void arrays(void)
{
	struct db_array a = { 0 };

	CHECK_STR(db_array_end(&a), "{}", "db_array: empty");
	db_array_free(&a);
	db_array_add(&a, "AAPL");
	db_array_add(&a, "a\"b");
	db_array_add(&a, "c\\d");
	db_array_add(&a, "e,f");
	db_array_add(&a, "{g}");
	db_array_add(&a, "");
	db_array_add(&a, "NULL");
	CHECK_STR(db_array_end(&a),
		  "{\"AAPL\",\"a\\\"b\",\"c\\\\d\",\"e,f\",\"{g}\",\"\",\"NULL\"}",
		  "db_array: quotes, backslashes, commas, braces, empty, NULL as text");
	db_array_free(&a);
	CHECK(a.s == NULL && a.len == 0, "db_array_free: back to empty");
	db_array_add_int(&a, -2208988800LL);
	db_array_add_int(&a, 0);
	db_array_add_bool(&a, 1);
	db_array_add_bool(&a, 0);
	CHECK_STR(db_array_end(&a), "{\"-2208988800\",\"0\",\"t\",\"f\"}", "db_array: numbers, booleans");
	db_array_free(&a);
}

/* events_format: COPY (FORMAT csv) reads each line as six fields, an
 * empty one as a null; no field may need quoting. */
static void events(void)
{
	static const struct {
		const char *in[6], *want;
	} t[] = {
		{ { "XSPL", "2026-11-16T05:00:00Z", "split", "4", "4", "1" },
		  "XSPL,2026-11-16T05:00:00Z,split,4,4,1\n" },
		{ { "XSPL", "2026-11-16T05:00:00Z", "split", "", "3", "2" },
		  "XSPL,2026-11-16T05:00:00Z,split,1.5,3,2\n" },
		{ { "XDIV", "2026-11-18T05:00:00Z", "dividend", "0.4", "", "" },
		  "XDIV,2026-11-18T05:00:00Z,dividend,0.4,,\n" },
		{ { "BRK-B", "2026-11-18T05:00:00Z", "capital_gain", "", "", "" },
		  "BRK-B,2026-11-18T05:00:00Z,capital_gain,,,\n" },
		{ { "X.TO", "1999-01-04T05:00:00Z", "spinoff", "0.125", "", "" },
		  "X.TO,1999-01-04T05:00:00Z,spinoff,0.125,,\n" },
	};
	char line[EVENTS_LINE_MAX];
	struct event e;
	const char *why;
	size_t i, n;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CHECK(events_parse((char **)t[i].in, 6, &e, &why) == 0, "events_parse %s %s", t[i].in[0], t[i].in[2]);
		n = events_format(&e, line);
		CHECK(n == strlen(line), "events_format: length");
		CHECK_STR(line, t[i].want, "events_format %s %s", t[i].in[0], t[i].in[2]);
		CHECK(strpbrk(line, "\"\r") == NULL && strchr(line, '\n') == line + n - 1,
		      "events_format: nothing COPY csv would need quoted");
	}
	memset(&e, 0, sizeof(e));
	strcpy(e.symbol, "XNAN");
	strcpy(e.kind_name, "dividend");
	e.kind = EVENT_DIVIDEND;
	e.has_value = 1;
	e.value = NAN;
	events_format(&e, line);
	CHECK_STR(line, "XNAN,1970-01-01T00:00:00Z,dividend,,,\n", "events_format: NaN is a null");
}

int main(void)
{
	reach();
	gap();
	covered();
	stale_read();
	arrays();
	events();
	return unit_failed;
}
