/* Unit tests for lib/cal: NYSE holidays, early closes, observance rules,
 * DST session bounds, next session and the override file. */
#include "bt.h"
#include "cal.h"
#include "unit.h"

#include <stdlib.h>
#include <unistd.h>

static const char *kind_name(enum cal_day k)
{
	return k == CAL_CLOSED ? "closed" : k == CAL_FULL ? "full" : "early";
}

struct day_case {
	const char *date;
	enum cal_day want;
	const char *why;
};

static const struct day_case days[] = {
	/* 2026 full holidays */
	{ "2026-01-01", CAL_CLOSED, "New Year's Day (Thu)" },
	{ "2026-01-19", CAL_CLOSED, "MLK Day" },
	{ "2026-02-16", CAL_CLOSED, "Presidents' Day" },
	{ "2026-04-03", CAL_CLOSED, "Good Friday" },
	{ "2026-05-25", CAL_CLOSED, "Memorial Day" },
	{ "2026-06-19", CAL_CLOSED, "Juneteenth (Fri)" },
	{ "2026-07-03", CAL_CLOSED, "Independence Day observed (Jul 4 Sat)" },
	{ "2026-09-07", CAL_CLOSED, "Labor Day" },
	{ "2026-11-26", CAL_CLOSED, "Thanksgiving" },
	{ "2026-12-25", CAL_CLOSED, "Christmas (Fri)" },
	/* 2026 early closes */
	{ "2026-11-27", CAL_EARLY, "day after Thanksgiving" },
	{ "2026-12-24", CAL_EARLY, "Christmas Eve (Thu)" },
	/* 2026 ordinary days around them */
	{ "2026-01-02", CAL_FULL, "Friday after New Year's" },
	{ "2026-01-03", CAL_CLOSED, "Saturday" },
	{ "2026-01-04", CAL_CLOSED, "Sunday" },
	{ "2026-04-02", CAL_FULL, "Thursday before Good Friday" },
	{ "2026-04-06", CAL_FULL, "Easter Monday" },
	{ "2026-07-02", CAL_FULL, "Jul 2 is no early close" },
	{ "2026-12-31", CAL_FULL, "New Year's Eve" },
	{ "2026-12-23", CAL_FULL, "Dec 23" },
	/* observance in other years */
	{ "2021-12-24", CAL_CLOSED, "Christmas 2021 on Sat -> Fri" },
	{ "2021-12-31", CAL_FULL, "New Year's 2022 on Sat: not observed" },
	{ "2022-01-03", CAL_FULL, "Monday after a Saturday New Year's" },
	{ "2023-01-02", CAL_CLOSED, "New Year's 2023 on Sun -> Mon" },
	{ "2022-06-20", CAL_CLOSED, "Juneteenth 2022 on Sun -> Mon" },
	{ "2021-06-18", CAL_FULL, "no Juneteenth before 2022" },
	{ "2027-06-18", CAL_CLOSED, "Juneteenth 2027 on Sat -> Fri" },
	{ "2027-07-05", CAL_CLOSED, "Independence Day 2027 on Sun -> Mon" },
	{ "2027-12-24", CAL_CLOSED, "Christmas 2027 on Sat -> Fri" },
	{ "2027-12-31", CAL_FULL, "New Year's 2028 on Sat: not observed" },
	{ "2022-12-26", CAL_CLOSED, "Christmas 2022 on Sun -> Mon" },
	{ "2020-07-03", CAL_CLOSED, "Independence Day 2020 on Sat -> Fri" },
	{ "1997-01-20", CAL_FULL, "no MLK Day before 1998" },
	{ "1998-01-19", CAL_CLOSED, "MLK Day 1998" },
	{ "2025-04-18", CAL_CLOSED, "Good Friday 2025" },
	{ "2024-03-29", CAL_CLOSED, "Good Friday 2024" },
	{ "2025-05-26", CAL_CLOSED, "Memorial Day 2025" },
	{ "2025-11-27", CAL_CLOSED, "Thanksgiving 2025" },
	/* early closes in other years */
	{ "2019-07-03", CAL_EARLY, "Jul 3 Wednesday since 2013" },
	{ "2024-07-03", CAL_EARLY, "Jul 3 2024 Wednesday" },
	{ "2025-07-03", CAL_EARLY, "Jul 3 2025 Thursday" },
	{ "2023-07-03", CAL_EARLY, "Jul 3 2023 Monday" },
	{ "2012-07-03", CAL_EARLY, "Jul 3 2012 Tuesday" },
	{ "2002-07-03", CAL_FULL, "Jul 3 Wednesday before 2013" },
	{ "2025-12-24", CAL_EARLY, "Christmas Eve 2025 Wednesday" },
	{ "2020-12-24", CAL_EARLY, "Christmas Eve 2020 Thursday" },
	{ "2021-11-26", CAL_EARLY, "day after Thanksgiving 2021" },
	{ "2023-12-24", CAL_CLOSED, "Christmas Eve 2023 Sunday" },
};

struct sess_case {
	const char *date, *open, *close;
};

static const struct sess_case sessions[] = {
	{ "2026-01-05", "2026-01-05T14:30:00Z", "2026-01-05T21:00:00Z" },
	{ "2026-07-06", "2026-07-06T13:30:00Z", "2026-07-06T20:00:00Z" },
	{ "2026-03-06", "2026-03-06T14:30:00Z", "2026-03-06T21:00:00Z" },
	{ "2026-03-09", "2026-03-09T13:30:00Z", "2026-03-09T20:00:00Z" },
	{ "2026-10-30", "2026-10-30T13:30:00Z", "2026-10-30T20:00:00Z" },
	{ "2026-11-02", "2026-11-02T14:30:00Z", "2026-11-02T21:00:00Z" },
	{ "2026-11-27", "2026-11-27T14:30:00Z", "2026-11-27T18:00:00Z" },
	{ "2025-07-03", "2025-07-03T13:30:00Z", "2025-07-03T17:00:00Z" },
};

struct next_case {
	const char *t, *open, *close;
};

static const struct next_case nexts[] = {
	{ "2026-07-02T15:00:00Z", "2026-07-02T13:30:00Z", "2026-07-02T20:00:00Z" },
	{ "2026-07-02T13:30:00Z", "2026-07-02T13:30:00Z", "2026-07-02T20:00:00Z" },
	{ "2026-07-02T20:00:00Z", "2026-07-06T13:30:00Z", "2026-07-06T20:00:00Z" },
	{ "2026-07-02T08:00:00Z", "2026-07-02T13:30:00Z", "2026-07-02T20:00:00Z" },
	{ "2026-12-24T23:00:00Z", "2026-12-28T14:30:00Z", "2026-12-28T21:00:00Z" },
	{ "2026-11-25T21:00:00Z", "2026-11-27T14:30:00Z", "2026-11-27T18:00:00Z" },
};

static void date_of(const char *s, int *y, int *m, int *d)
{
	*y = atoi(s);
	*m = atoi(s + 5);
	*d = atoi(s + 8);
}

static const char *iso(time_t t, char *buf)
{
	return bt_format_iso(t, buf);
}

static void test_days(void)
{
	size_t i;
	int y, m, d;

	for (i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
		date_of(days[i].date, &y, &m, &d);
		CHECK_STR(kind_name(cal_nyse_day(y, m, d)), kind_name(days[i].want),
			  "%s %s", days[i].date, days[i].why);
	}
}

static void test_sessions(void)
{
	char a[BT_ISO_LEN], b[BT_ISO_LEN];
	time_t o = 0, c = 0;
	size_t i;
	int y, m, d;

	for (i = 0; i < sizeof(sessions) / sizeof(sessions[0]); i++) {
		date_of(sessions[i].date, &y, &m, &d);
		CHECK(cal_session(y, m, d, &o, &c) == 1, "session %s trades",
		      sessions[i].date);
		CHECK_STR(iso(o, a), sessions[i].open, "open %s", sessions[i].date);
		CHECK_STR(iso(c, b), sessions[i].close, "close %s", sessions[i].date);
	}
	CHECK(cal_session(2026, 12, 25, &o, &c) == 0, "no session on Christmas");
	CHECK(cal_session(2026, 3, 7, &o, &c) == 0, "no session on Saturday");
}

static void test_next(void)
{
	char a[BT_ISO_LEN], b[BT_ISO_LEN];
	time_t t, o = 0, c = 0;
	size_t i;

	for (i = 0; i < sizeof(nexts) / sizeof(nexts[0]); i++) {
		bt_parse_iso(nexts[i].t, &t);
		CHECK(cal_next_session(t, &o, &c) == 0, "next after %s", nexts[i].t);
		CHECK_STR(iso(o, a), nexts[i].open, "next open after %s", nexts[i].t);
		CHECK_STR(iso(c, b), nexts[i].close, "next close after %s", nexts[i].t);
	}
}

static void test_info_at(void)
{
	static const struct {
		const char *t;
		int d;
	} c[] = {
		{ "2026-07-07T03:59:59Z", 6 }, /* 23:59:59 EDT */
		{ "2026-07-07T04:00:00Z", 7 },
		{ "2026-01-06T04:59:59Z", 5 }, /* 23:59:59 EST */
		{ "2026-01-06T05:00:00Z", 6 },
	};
	struct cal_info ci;
	size_t i;
	time_t t;
	int y, m, d;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		bt_parse_iso(c[i].t, &t);
		CHECK(cal_info_at(t, &ci) == 0 && ci.d == c[i].d,
		      "local date of %s is day %d", c[i].t, c[i].d);
	}
	cal_civil(cal_day_number(2024, 2, 29), &y, &m, &d);
	CHECK(y == 2024 && m == 2 && d == 29, "day number round trip");
	CHECK(cal_day_number(1970, 1, 1) == 0, "epoch is day 0");
}

static const char *write_file(const char *text)
{
	static char path[64];
	FILE *fp;
	int fd;

	snprintf(path, sizeof(path), "/tmp/test_cal.XXXXXX");
	fd = mkstemp(path);
	fp = fdopen(fd, "w");
	fputs(text, fp);
	fclose(fp);
	return path;
}

static void test_overrides(void)
{
	static const struct {
		const char *text;
		const char *why; /* NULL when the file is valid */
	} bad[] = {
		{ "2025-13-01,closed\n", ":1: want" },
		{ "# c\n2025-02-30,closed\n", ":2: want" },
		{ "2025-01-09,open\n", ":1: want" },
		{ "2025-01-09,early\n", ":1: want" },
		{ "2025-01-09,early,17:00\n", ":1: want" },
		{ "2025-01-09,closed,x\n", ":1: want" },
		{ "\n\n20250109,closed\n", ":3: want" },
	};
	char why[200], a[BT_ISO_LEN];
	const char *p;
	time_t o, c;
	size_t i;

	CHECK(cal_nyse_day(2025, 1, 9) == CAL_FULL, "2025-01-09 before overrides");
	p = write_file("# days of mourning and ad-hoc closures\n"
		       "2025-01-09,closed\n"
		       "\n"
		       "  2026-07-02,early,13:00  \n"
		       "2018-12-05,closed\r\n");
	CHECK(cal_load_overrides(p, why, sizeof(why)) == 0, "override file loads");
	unlink(p);
	CHECK(cal_nyse_day(2025, 1, 9) == CAL_CLOSED, "override closes 2025-01-09");
	CHECK(cal_nyse_day(2018, 12, 5) == CAL_CLOSED, "override closes 2018-12-05");
	CHECK(cal_nyse_day(2026, 7, 2) == CAL_EARLY, "override early 2026-07-02");
	CHECK(cal_session(2026, 7, 2, &o, &c) == 1, "early override still trades");
	CHECK_STR(iso(c, a), "2026-07-02T17:00:00Z", "override close 13:00 EDT");
	CHECK(cal_nyse_day(2026, 7, 6) == CAL_FULL, "other days unchanged");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = write_file(bad[i].text);
		why[0] = '\0';
		CHECK(cal_load_overrides(p, why, sizeof(why)) == -1 &&
			      strstr(why, bad[i].why),
		      "bad override %zu rejected naming %s (%s)", i, bad[i].why, why);
		unlink(p);
	}
	CHECK(cal_load_overrides("/nonexistent/x", why, sizeof(why)) == -1,
	      "missing override file");
	p = write_file("2026-08-03,closed\n2026-08-04,shut\n");
	CHECK(cal_load_overrides(p, why, sizeof(why)) == -1, "half-bad file fails");
	unlink(p);
	CHECK(cal_nyse_day(2026, 8, 3) == CAL_FULL, "a failed file loads nothing");
}

int main(void)
{
	test_days();
	test_sessions();
	test_next();
	test_info_at();
	test_overrides();
	return unit_failed;
}
