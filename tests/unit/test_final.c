/* Unit tests for lib/final (when a bar is final) and the daily planning
 * rule of lib/plan_win that uses it. */
#include "bt.h"
#include "final.h"
#include "plan_win.h"
#include "unit.h"

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

int main(void)
{
	test_final_at();
	test_settle();
	test_plan_daily();
	return unit_failed;
}
