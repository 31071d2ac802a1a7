/* Unit tests for lib/report_cov, report_data and report_text: the grid
 * of weekdays, expected bars per session, cell states, ranges across a
 * holiday, the worst-first order and the strip width. */
#include "bt.h"
#include "cal.h"
#include "report_cov.h"
#include "report_data.h"
#include "report_text.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

static time_t at(const char *iso)
{
	time_t t = 0;

	bt_parse_iso(iso, &t);
	return t;
}

static long day(const char *date)
{
	struct cal_info ci;

	return cal_info_at(at(date) + 12 * 3600, &ci) == 0 ? ci.day : -1;
}

struct slot_case {
	const char *open, *close;
	long iv;
	const char *from;
	long want;
};

static const struct slot_case slots[] = {
	{ "2026-11-24T14:30:00Z", "2026-11-24T21:00:00Z", 300, NULL, 78 },
	{ "2026-11-24T14:30:00Z", "2026-11-24T21:00:00Z", 3600, NULL, 7 },
	{ "2026-11-24T14:30:00Z", "2026-11-24T21:00:00Z", 5400, NULL, 5 },
	{ "2026-11-27T14:30:00Z", "2026-11-27T18:00:00Z", 300, NULL, 42 },
	{ "2026-11-24T14:30:00Z", "2026-11-24T21:00:00Z", 300, "2026-11-24T20:00:00Z", 12 },
	{ "2026-11-24T14:30:00Z", "2026-11-24T21:00:00Z", 300, "2026-11-24T20:57:00Z", 0 },
	{ "2026-11-24T14:30:00Z", "2026-11-24T21:00:00Z", 60, NULL, 390 },
};

static void test_slots(void)
{
	size_t i;

	for (i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
		const struct slot_case *c = &slots[i];

		CHECK(cov_session_slots(at(c->open), at(c->close), c->iv,
					c->from ? at(c->from) : 0) == c->want,
		      "slots %s iv %ld from %s: %ld", c->open, c->iv,
		      c->from ? c->from : "open", c->want);
	}
}

static void test_grid(void)
{
	struct cov_grid g;

	/* Sunday 2026-11-22 before the open of Tuesday Dec 1: the last
	 * closed session is Monday Nov 30. */
	cov_grid_init(&g, at("2026-11-22T12:00:00Z"), at("2026-12-01T12:00:00Z"));
	CHECK(g.first == day("2026-11-22") && g.last == day("2026-11-30"),
	      "grid from the window's date to the last closed session");
	CHECK(g.ncols == 6, "grid: weekdays only (got %zu)", g.ncols);
	CHECK(cov_grid_col(&g, day("2026-11-22")) == -1, "grid: Sunday has no column");
	CHECK(cov_grid_col(&g, day("2026-11-26")) == 3 && g.holiday[3],
	      "grid: Thanksgiving is a holiday column");
	CHECK(!g.holiday[4], "grid: the early close is a session");
	cov_grid_free(&g);
	cov_grid_init(&g, at("2026-11-24T12:00:00Z"), at("2026-11-24T20:00:00Z"));
	CHECK(g.ncols == 0, "grid: a session still open is not judged");
	cov_grid_free(&g);
}

struct session_case {
	const char *date;      /* a day of the grid, or NULL: the number of sessions */
	int daily;
	const char *lo, *hi;   /* NULL: no session that day */
};

/* Grid Fri Nov 20 .. Mon Nov 30 2026: a weekend, Thanksgiving, the early
 * close of Nov 27. */
static const struct session_case sessions[] = {
	{ "2026-11-20", 1, "2026-11-20T05:00:00Z", "2026-11-21T05:00:00Z" },
	{ "2026-11-20", 0, "2026-11-20T14:30:00Z", "2026-11-20T21:00:00Z" },
	{ "2026-11-21", 1, NULL, NULL },
	{ "2026-11-22", 0, NULL, NULL },
	{ "2026-11-26", 1, NULL, NULL },
	{ "2026-11-26", 0, NULL, NULL },
	{ "2026-11-27", 0, "2026-11-27T14:30:00Z", "2026-11-27T18:00:00Z" },
	{ "2026-11-30", 1, "2026-11-30T05:00:00Z", "2026-12-01T05:00:00Z" },
};

static void test_sessions(void)
{
	struct cov_session ss[16];
	struct cov_grid g;
	size_t i, k, n;
	int daily;

	cov_grid_init(&g, at("2026-11-20T12:00:00Z"), at("2026-12-01T12:00:00Z"));
	for (daily = 0; daily <= 1; daily++)
		CHECK(cov_grid_sessions(&g, daily, ss) == 6, "sessions (daily %d): 7 weekdays, "
		      "Thanksgiving closed", daily);
	for (i = 0; i < sizeof(sessions) / sizeof(sessions[0]); i++) {
		const struct session_case *c = &sessions[i];

		n = cov_grid_sessions(&g, c->daily, ss);
		for (k = 0; k < n && ss[k].day != day(c->date); k++)
			;
		if (!c->lo)
			CHECK(k == n, "%s (daily %d): no session", c->date, c->daily);
		else
			CHECK(k < n && ss[k].lo == at(c->lo) && ss[k].hi == at(c->hi),
			      "%s (daily %d): session %s .. %s", c->date, c->daily, c->lo, c->hi);
	}
	cov_grid_free(&g);
}

static void test_cov(void)
{
	struct cov_grid g;
	struct cov c;
	char buf[COV_RANGE_LEN];
	size_t i;

	cov_grid_init(&g, at("2026-11-16T12:00:00Z"), at("2026-12-01T12:00:00Z"));
	/* 5m from Tuesday 15:00 New York: the first day counts 12 slots. */
	cov_init(&c, &g, "AAPL", sym_interval("5m"), at("2026-11-17T20:00:00Z"));
	cov_count(&c, &g, day("2026-11-17"), 12);
	cov_count(&c, &g, day("2026-11-18"), 78);
	cov_count(&c, &g, day("2026-11-19"), 10);
	cov_count(&c, &g, day("2026-11-23"), 78);
	cov_count(&c, &g, day("2026-11-24"), 78);
	cov_count(&c, &g, day("2026-11-30"), 78);
	cov_count(&c, &g, day("2026-12-01"), 30); /* after the grid: ignored */
	cov_finish(&c, &g);
	CHECK_STR(c.cells, " ##+.##.H.#", "cells: none, stored, partial, missing, holiday");
	CHECK(c.expected == 12 + 78 * 7 + 42 && c.stored == 12 + 78 * 4 + 10,
	      "expected %ld and stored %ld", c.expected, c.stored);
	CHECK(c.nmissing == 3 && c.npartial == 1, "3 missing, 1 partial sessions");
	CHECK(c.nmissing_r == 2, "missing ranges: Nov 20, then Nov 25 to 27 (%zu)", c.nmissing_r);
	CHECK_STR(cov_range_str(&c.missing[1], buf), "2026-11-25..2026-11-27",
		  "a holiday does not break a range");
	CHECK(c.missing[1].sessions == 2, "the range holds 2 sessions, not the holiday");
	cov_free(&c);
	cov_init(&c, &g, "^GSPC", sym_interval("1d"), at("2026-11-17T05:00:00Z"));
	cov_count(&c, &g, day("2026-11-17"), 1);
	cov_finish(&c, &g);
	CHECK(!c.applies && c.expected == -1 && c.stored == 1 && c.nmissing == 0,
	      "an index is outside the calendar: stored only");
	cov_free(&c);
	/* One missing session and as many bars on a Saturday and on
	 * Thanksgiving: closed days never count, so the hole stays. */
	cov_init(&c, &g, "BBB", sym_interval("1d"), at("2026-11-16T05:00:00Z"));
	for (i = 0; i < g.ncols; i++)
		if (!g.holiday[i] && g.day[i] != day("2026-11-18"))
			cov_count(&c, &g, g.day[i], 1);
	cov_count(&c, &g, day("2026-11-21"), 1);
	cov_count(&c, &g, day("2026-11-26"), 1);
	cov_finish(&c, &g);
	CHECK_STR(c.cells, "##.#####H##", "bars on closed days do not fill a missing session");
	CHECK(c.stored == 9 && c.expected == 10 && c.nmissing == 1, "closed days: 9 of 10, 1 missing");
	cov_free(&c);
	cov_init(&c, &g, "ZZZ", sym_interval("1d"), 0);
	cov_finish(&c, &g);
	CHECK(c.nmissing == 10 && c.nmissing_r == 1, "no bar at all: missing from the window start");
	cov_free(&c);
	cov_grid_free(&g);
}

static void test_sort_and_strip(void)
{
	struct report r;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *fp;
	char *line, *save = NULL;
	int too_wide = 0, lines = 0;

	report_init(&r, at("2026-12-01T12:00:00Z"), 366);
	report_series(&r, "BBB", "1d", 1)->first = at("2025-12-01T05:00:00Z");
	report_series(&r, "AAA", "1d", 1)->first = at("2025-12-01T05:00:00Z");
	CHECK(report_series(&r, "A;B", "1d", 1) == NULL, "an invalid symbol is refused");
	CHECK(report_series(&r, "AAA", "1d", 0) == &r.series[0], "series kept sorted by key");
	report_cov_begin(&r);
	for (i = 0; i < r.grid.ncols; i++)
		if (!r.grid.holiday[i]) {
			cov_count(&r.series[0].cov, &r.grid, r.grid.day[i], 1);
			cov_count(&r.series[1].cov, &r.grid, r.grid.day[i], i % 50 != 7);
		}
	report_cov_end(&r);
	report_sort(&r);
	CHECK_STR(r.series[0].symbol, "BBB", "worst first");
	fp = open_memstream(&buf, &len);
	report_write_strip(fp, &r, &r.series[0]);
	fclose(fp);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lines++;
		too_wide |= strlen(line) > 80;
	}
	CHECK(lines >= 4 && lines <= 5 && !too_wide, "a year of daily bars: %d strip lines of at most 80 columns",
	      lines);
	free(buf);
	report_free(&r);
}

int main(void)
{
	test_slots();
	test_grid();
	test_sessions();
	test_cov();
	test_sort_and_strip();
	return unit_failed;
}
