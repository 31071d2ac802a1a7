/* Unit tests for lib/final (when a bar is final) and its three callers:
 * normalize-bars (final_at itself), validate-bars' unfinished rule
 * (lib/val_rules) and sched-plan's "something new" (lib/plan_win), which
 * must agree on every bar. */
#include "bt.h"
#include "final.h"
#include "plan_win.h"
#include "unit.h"
#include "val_rules.h"

#include <stdlib.h>

static time_t iso(const char *s)
{
	time_t t = 0;

	bt_parse_iso(s, &t);
	return t;
}

static void test_final_at(void)
{
	static const struct {
		const char *iv;
		int nyse;
		const char *tz, *t;
		long settle;
		const char *want, *why;
	} c[] = {
		{ "1d", 1, NULL, "2026-11-23T05:00:00Z", 1800, "2026-11-23T21:30:00Z", "Monday: 16:00 EST + 30 min" },
		{ "1d", 1, NULL, "2026-07-06T04:00:00Z", 1800, "2026-07-06T20:30:00Z", "summer: 16:00 EDT + 30 min" },
		{ "1d", 1, NULL, "2026-11-27T05:00:00Z", 1800, "2026-11-27T18:30:00Z", "early close 13:00 + 30 min" },
		{ "1d", 1, NULL, "2026-11-23T05:00:00Z", 0, "2026-11-23T21:00:00Z", "settle 0: at the close" },
		{ "1d", 1, NULL, "2026-11-21T05:00:00Z", 1800, "2026-11-23T21:30:00Z", "from a Saturday: Monday's bar" },
		{ "1d", 1, NULL, "2026-11-26T05:00:00Z", 1800, "2026-11-27T18:30:00Z", "from Thanksgiving: Friday's bar" },
		{ "1wk", 1, NULL, "2026-11-23T05:00:00Z", 1800, "2026-11-27T18:30:00Z", "week: its last session's close" },
		{ "1mo", 1, NULL, "2026-12-01T05:00:00Z", 1800, "2026-12-31T21:30:00Z", "month: Dec 31 close" },
		{ "3mo", 1, NULL, "2026-10-01T04:00:00Z", 600, "2026-12-31T21:10:00Z", "quarter: settle 10 min" },
		{ "1d", 0, "Europe/Berlin", "2025-10-23T22:00:00Z", 1800, "2025-10-24T22:00:00Z", "no calendar: next local midnight" },
		{ "1d", 0, "UTC", "2020-01-02T00:00:00Z", 1800, "2020-01-03T00:00:00Z", "crypto: next UTC midnight" },
		{ "5m", 1, NULL, "2026-11-23T20:55:00Z", 1800, "2026-11-23T21:00:00Z", "intraday: its end, no settle" },
	};
	char buf[BT_ISO_LEN];
	time_t t;
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		t = 0;
		CHECK(final_at(sym_interval(c[i].iv), c[i].nyse, c[i].tz, iso(c[i].t), c[i].settle, &t) == 0,
		      "final_at %s %s ok", c[i].iv, c[i].t);
		CHECK_STR(bt_format_iso(t, buf), c[i].want, "final %s %s: %s", c[i].iv, c[i].t, c[i].why);
	}
	CHECK(final_at(sym_interval("1d"), 0, "Mars/Base", 0, 0, &t) < 0, "unknown zone fails");
}

static void test_settle(void)
{
	CHECK(final_parse_settle("30") == 1800, "settle 30 minutes");
	CHECK(final_parse_settle("0") == 0, "settle 0");
	CHECK(final_parse_settle("1440") == 86400, "settle a day");
	CHECK(final_parse_settle("1441") < 0 && final_parse_settle("-1") < 0 &&
	      final_parse_settle("") < 0 && final_parse_settle("5m") < 0 &&
	      final_parse_settle(NULL) < 0, "bad settle values refused");
	unsetenv("BARS_SETTLE_MINUTES");
	CHECK(final_settle() == FINAL_SETTLE_DEFAULT, "default settle 30 minutes");
	setenv("BARS_SETTLE_MINUTES", "45", 1);
	CHECK(final_settle() == 2700, "BARS_SETTLE_MINUTES=45");
	unsetenv("BARS_SETTLE_MINUTES");
}

static const char *windows(const struct plan_req *r)
{
	static char out[1024];
	FILE *fp;
	int n;

	out[0] = '\0';
	fp = fmemopen(out, sizeof(out), "w");
	n = plan_win_emit(fp, r);
	fclose(fp);
	return n < 0 ? "error" : out;
}

/* sched-plan's daily rule is lib/final's: a 17:30 run asks for that day,
 * a second run that evening for nothing. */
static void test_plan_daily(void)
{
	struct plan_req r = { 0 };

	r.symbol = "AAPL";
	r.iv = sym_interval("1d");
	sym_period_parse("10d", &r.period, NULL, 0);
	r.overlap = 1;
	r.calendar = 1;
	r.have_newest = 1;
	r.newest = iso("2026-11-20T05:00:00Z"); /* Friday's bar stored */
	r.now = iso("2026-11-23T22:30:00Z");    /* Monday 17:30 EST */
	CHECK_STR(windows(&r), "AAPL,1d,2026-11-20T05:00:00Z,2026-11-23T22:30:00Z\n",
		  "17:30: Monday's bar is final, asked for");
	r.now = iso("2026-11-23T21:15:00Z");
	CHECK_STR(windows(&r), "", "16:15: not settled yet, nothing asked");
	r.have_settle = 1;
	r.settle = 0;
	CHECK_STR(windows(&r), "AAPL,1d,2026-11-20T05:00:00Z,2026-11-23T21:15:00Z\n",
		  "16:15 with settle 0: asked");
	r.have_settle = 0;
	r.newest = iso("2026-11-23T05:00:00Z"); /* Monday's bar stored at 17:30 */
	r.now = iso("2026-11-24T00:00:00Z");    /* 19:00 EST */
	CHECK_STR(windows(&r), "", "a second run that evening asks for nothing");
	r.newest = iso("2026-11-25T05:00:00Z");
	r.now = iso("2026-11-27T18:29:00Z");
	CHECK_STR(windows(&r), "", "early close day: 13:29 is before 13:30");
	r.now = iso("2026-11-27T18:30:00Z");
	CHECK_STR(windows(&r), "AAPL,1d,2026-11-25T05:00:00Z,2026-11-27T18:30:00Z\n",
		  "early close day: final at 13:30");
	r.iv = sym_interval("1wk");
	r.newest = iso("2026-11-16T05:00:00Z");
	r.now = iso("2026-11-26T12:00:00Z");
	CHECK_STR(windows(&r), "", "weekly: the week of Nov 23 is not over on Thursday");
	r.now = iso("2026-11-27T19:00:00Z");
	CHECK_STR(windows(&r), "AAPL,1wk,2026-11-16T05:00:00Z,2026-11-27T19:00:00Z\n",
		  "weekly: final after Friday's early close");
}

/* Does validate-bars pass the bar at now?  Its reason when not. */
static const char *validated(const char *sym, const char *iv, const char *ts, time_t now,
			     long settle)
{
	static char why[32];
	char *f[9] = { (char *)sym, (char *)iv, (char *)ts, "100", "101", "99", "100", "100", "1" };
	struct val_opts o;
	struct val_verdict out;
	struct val *v;

	val_opts_default(&o);
	o.now = now;
	o.settle = settle;
	v = val_new(&o);
	val_row(v, f, 9, &out);
	snprintf(why, sizeof(why), "%s", out.reject ? out.reject : "pass");
	val_free(v);
	return why;
}

/* Does sched-plan ask for anything after the newest bar, at now? */
static int asks(const char *sym, const char *iv, int nyse, const char *newest, time_t now,
		long settle)
{
	struct plan_req r = { 0 };

	r.symbol = sym;
	r.iv = sym_interval(iv);
	sym_period_parse("5d", &r.period, NULL, 0);
	r.calendar = nyse;
	r.have_newest = 1;
	r.newest = iso(newest);
	r.now = now;
	r.have_settle = 1;
	r.settle = settle;
	return *windows(&r) != '\0';
}

/*
 * The cases where the three places once disagreed: the short last bar of
 * a session (a 90m bar at 15:00, a 1h bar at 15:30, a 90m bar at 12:30 on
 * the 13:00 early close of 2026-11-27), daily and longer bars, and a 24h
 * market with no calendar.  For each: final_at's value, validate-bars
 * rejects the bar as unfinished a second before and passes it then, and
 * sched-plan, with the bar before it stored, asks for nothing a second
 * before and for a window then.
 */
static void test_agree(void)
{
	static const struct {
		const char *sym, *iv, *ts;
		long settle;
		const char *want, *before, *why;
	} c[] = {
		{ "AAPL", "90m", "2026-11-23T20:00:00Z", 1800, "2026-11-23T21:00:00Z", "2026-11-23T18:30:00Z", "90m at 15:00: the 16:00 close" },
		{ "AAPL", "90m", "2026-11-23T20:30:00Z", 1800, "2026-11-23T21:00:00Z", "2026-11-23T19:00:00Z", "90m at 15:30 (on the grid): the 16:00 close" },
		{ "AAPL", "1h", "2026-11-23T20:30:00Z", 1800, "2026-11-23T21:00:00Z", "2026-11-23T19:30:00Z", "1h at 15:30: the 16:00 close" },
		{ "AAPL", "60m", "2026-07-06T19:30:00Z", 1800, "2026-07-06T20:00:00Z", "2026-07-06T18:30:00Z", "60m at 15:30 EDT: the 16:00 close" },
		{ "AAPL", "90m", "2026-11-27T17:30:00Z", 1800, "2026-11-27T18:00:00Z", "2026-11-27T16:00:00Z", "90m at 12:30 on an early close: 13:00" },
		{ "AAPL", "90m", "2026-11-27T16:00:00Z", 1800, "2026-11-27T17:30:00Z", "2026-11-27T14:30:00Z", "90m at 11:00 on an early close: whole" },
		{ "AAPL", "5m", "2026-11-27T17:55:00Z", 1800, "2026-11-27T18:00:00Z", "2026-11-27T17:50:00Z", "5m: the last of an early close" },
		{ "AAPL", "1d", "2026-11-27T05:00:00Z", 1800, "2026-11-27T18:30:00Z", "2026-11-25T05:00:00Z", "1d on an early close: 13:00 + settle" },
		{ "AAPL", "1d", "2026-11-23T05:00:00Z", 0, "2026-11-23T21:00:00Z", "2026-11-20T05:00:00Z", "1d, settle 0: the close" },
		{ "AAPL", "1wk", "2026-11-23T05:00:00Z", 1800, "2026-11-27T18:30:00Z", "2026-11-16T05:00:00Z", "1wk: Friday's early close + settle" },
		{ "AAPL", "1mo", "2026-12-01T05:00:00Z", 1800, "2026-12-31T21:30:00Z", "2026-11-01T04:00:00Z", "1mo: Dec 31 close + settle" },
		{ "AAPL", "1mo", "2026-11-01T04:00:00Z", 600, "2026-11-30T21:10:00Z", "2026-10-01T04:00:00Z", "1mo across the DST change" },
		{ "BTC-USD", "5m", "2026-11-27T23:55:00Z", 1800, "2026-11-28T00:00:00Z", "2026-11-27T23:50:00Z", "crypto 5m: no close to clip" },
		{ "BTC-USD", "1h", "2026-11-27T18:00:00Z", 1800, "2026-11-27T19:00:00Z", "2026-11-27T17:00:00Z", "crypto 1h on an NYSE early close" },
		{ "BTC-USD", "1d", "2026-11-26T00:00:00Z", 1800, "2026-11-27T00:00:00Z", "2026-11-25T00:00:00Z", "crypto 1d on Thanksgiving: 24h, no settle" },
	};
	char buf[BT_ISO_LEN];
	time_t fin;
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		const struct sym_interval *iv = sym_interval(c[i].iv);
		int nyse = c[i].sym[0] != 'B';

		fin = 0;
		CHECK(final_at(iv, nyse, nyse ? NULL : "UTC", iso(c[i].ts), c[i].settle, &fin) == 0 &&
		      !strcmp(bt_format_iso(fin, buf), c[i].want),
		      "final_at %s %s %s = %s: %s", c[i].sym, c[i].iv, c[i].ts, buf, c[i].why);
		fin = iso(c[i].want);
		CHECK_STR(validated(c[i].sym, c[i].iv, c[i].ts, fin - 1, c[i].settle), "unfinished",
			  "validate-bars %s %s %s: unfinished a second before", c[i].sym, c[i].iv, c[i].ts);
		/* 15:00 is off the 90m grid (09:30 + k * 90m): final, but rejected for that. */
		CHECK_STR(validated(c[i].sym, c[i].iv, c[i].ts, fin, c[i].settle), i ? "pass" : "off_grid",
			  "validate-bars %s %s %s: final at %s", c[i].sym, c[i].iv, c[i].ts, c[i].want);
		CHECK(!asks(c[i].sym, c[i].iv, nyse, c[i].before, fin - 1, c[i].settle),
		      "sched-plan %s %s after %s: nothing a second before", c[i].sym, c[i].iv, c[i].before);
		CHECK(asks(c[i].sym, c[i].iv, nyse, c[i].before, fin, c[i].settle),
		      "sched-plan %s %s after %s: asked at %s", c[i].sym, c[i].iv, c[i].before, c[i].want);
	}
}

/*
 * A 90m bar at 13:00 on the early close starts after the session: nothing
 * to clip, it ends at 14:30 and validate-bars calls it off_session; after
 * the 12:30 bar, the next bar sched-plan waits for is Monday's first
 * (09:30-11:00 EST).
 */
static void test_after_early_close(void)
{
	char buf[BT_ISO_LEN];
	time_t fin = 0;

	CHECK(final_at(sym_interval("90m"), 1, NULL, iso("2026-11-27T18:00:00Z"), 1800, &fin) == 0,
	      "90m at 13:00 on an early close: ok");
	CHECK_STR(bt_format_iso(fin, buf), "2026-11-27T19:30:00Z", "90m at 13:00 on an early close: 14:30");
	CHECK_STR(validated("AAPL", "90m", "2026-11-27T18:00:00Z", iso("2026-11-28T12:00:00Z"), 1800),
		  "off_session", "90m at 13:00 on an early close: off_session");
	CHECK(!asks("AAPL", "90m", 1, "2026-11-27T17:30:00Z", iso("2026-11-30T15:59:59Z"), 1800),
	      "after the last 90m bar of an early close: nothing before Monday 11:00");
	CHECK(asks("AAPL", "90m", 1, "2026-11-27T17:30:00Z", iso("2026-11-30T16:00:00Z"), 1800),
	      "after the last 90m bar of an early close: Monday's first bar at 11:00");
	CHECK(final_at(sym_interval("1d"), 0, NULL, iso("2026-11-23T05:00:00Z"), 1800, &fin) == 0 &&
	      !strcmp(bt_format_iso(fin, buf), "2026-11-24T05:00:00Z"),
	      "no zone: a day on UTC dates, time of day kept: %s", buf);
	CHECK(final_at(sym_interval("1mo"), 0, NULL, iso("2026-01-31T05:00:00Z"), 0, &fin) == 0 &&
	      !strcmp(bt_format_iso(fin, buf), "2026-03-03T05:00:00Z"),
	      "no zone: a month on UTC dates, normalised as timegm does: %s", buf);
}

int main(void)
{
	test_final_at();
	test_settle();
	test_plan_daily();
	test_agree();
	test_after_early_close();
	return unit_failed;
}
