/* Unit tests for lib/norm_*: key set, time keys, fast bar output; the
 * events CSV (lib/events) and the input bounds of lib/bt and lib/px. */
#include "bars.h"
#include "bt.h"
#include "events.h"
#include "norm_set.h"
#include "norm_time.h"
#include "px.h"
#include "unit.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static time_t iso(const char *s)
{
	time_t t = 0;

	bt_parse_iso(s, &t);
	return t;
}

static void test_set(void)
{
	struct norm_set s;
	int64_t k;
	int fresh = 0, again = 0;

	norm_set_init(&s);
	for (k = 0; k < 5000; k++)
		fresh += norm_set_add(&s, k * 60 + 1600000000) == 1;
	for (k = 0; k < 5000; k++)
		again += norm_set_add(&s, k * 60 + 1600000000) == 0;
	CHECK(fresh == 5000 && again == 5000, "set: 5000 new keys, then all seen (%d, %d)", fresh, again);
	norm_set_clear(&s);
	CHECK(norm_set_add(&s, 1600000000) == 1, "set: clear forgets keys");
	CHECK(norm_set_add(&s, 1600000000) == 0, "set: key seen after clear");
	CHECK(norm_set_add(&s, -1) == 1 && norm_set_add(&s, 0) == 1, "set: 0 and negative keys");
	norm_set_free(&s);
}

static void test_time(void)
{
	static const struct {
		const char *tz, *stamp, *want;
	} day[] = {
		/* AAPL 2020: 09:30 ET stamps across the Nov 1 2020 DST end */
		{ "America/New_York", "2020-10-30T13:30:00Z", "2020-10-30T04:00:00Z" },
		{ "America/New_York", "2020-11-02T14:30:00Z", "2020-11-02T05:00:00Z" },
		{ "Europe/Berlin", "2025-10-24T07:00:00Z", "2025-10-23T22:00:00Z" },
		{ "Europe/Berlin", "2025-10-27T08:00:00Z", "2025-10-26T23:00:00Z" },
		{ "UTC", "2020-01-02T00:00:00Z", "2020-01-02T00:00:00Z" },
		/* the DST slip: 23:00 local the day before means midnight next day */
		{ "Europe/London", "2020-03-29T22:00:00Z", "2020-03-29T23:00:00Z" },
		{ "America/New_York", "1985-01-01T05:00:00Z", "1985-01-01T05:00:00Z" },
	};
	static const struct {
		const char *iv, *tz, *key, *want;
	} end[] = {
		{ "5m", "", "2026-02-02T19:55:00Z", "2026-02-02T20:00:00Z" },
		{ "1d", "America/New_York", "2020-10-31T04:00:00Z", "2020-11-01T04:00:00Z" },
		{ "1d", "America/New_York", "2020-11-01T04:00:00Z", "2020-11-02T05:00:00Z" },
		{ "1wk", "UTC", "2020-01-06T00:00:00Z", "2020-01-13T00:00:00Z" },
		{ "1mo", "America/New_York", "2020-02-01T05:00:00Z", "2020-03-01T05:00:00Z" },
		{ "3mo", "America/New_York", "2025-10-01T04:00:00Z", "2026-01-01T05:00:00Z" },
		{ "3mo", "America/New_York", "2024-10-01T04:00:00Z", "2025-01-01T05:00:00Z" },
	};
	char buf[BT_ISO_LEN];
	time_t t;
	size_t i;

	for (i = 0; i < sizeof(day) / sizeof(day[0]); i++) {
		t = 0;
		CHECK(norm_day_key(day[i].tz, iso(day[i].stamp), &t) == 0, "day key %s ok", day[i].stamp);
		CHECK_STR(bt_format_iso(t, buf), day[i].want, "day key %s in %s", day[i].stamp, day[i].tz);
	}
	for (i = 0; i < sizeof(end) / sizeof(end[0]); i++) {
		t = 0;
		norm_bar_end(sym_interval(end[i].iv), end[i].tz, iso(end[i].key), &t);
		CHECK_STR(bt_format_iso(t, buf), end[i].want, "bar end %s %s", end[i].iv, end[i].key);
	}
	CHECK(norm_date_key("America/New_York", 2021, 2, 1, &t) == 0 &&
	      t == iso("2021-02-01T05:00:00Z"), "date key 2021-02-01 New York");
	CHECK(norm_day_key("Mars/Base", 0, &t) < 0, "unknown zone fails");
}

static void test_events(void)
{
	static const struct {
		const char *row, *why, *out;
	} c[] = {
		{ "AAPL,2020-08-31T04:00:00Z,split,,4,1", NULL, "AAPL,2020-08-31T04:00:00Z,split,4,4,1" },
		{ "AAPL,2020-11-06T05:00:00Z,dividend,0.205,,", NULL, "AAPL,2020-11-06T05:00:00Z,dividend,0.205,," },
		{ "X,2020-01-02T05:00:00Z,spinoff,1.5,,", NULL, "X,2020-01-02T05:00:00Z,spinoff,1.5,," },
		{ "AAPL,2020-08-31,split,4,4,1", NULL, "AAPL,2020-08-31T00:00:00Z,split,4,4,1" },
		{ "AAPL,2020-08-31T04:00:00Z,split,4,4", "expected 6 fields", NULL },
		{ "A;B,2020-08-31T04:00:00Z,split,4,4,1", "bad symbol", NULL },
		{ "AAPL,2020-06-30T23:59:60Z,split,4,4,1", "bad ts", NULL },
		{ "AAPL,2020-08-31T04:00:00Z,Split,4,4,1", "bad kind", NULL },
		{ "AAPL,2020-08-31T04:00:00Z,split,x,4,1", "bad value", NULL },
		{ "AAPL,2020-08-31T04:00:00Z,split,4,,1e999", "bad denominator", NULL },
	};
	char line[128], out[128], *f[8], *p;
	const char *why;
	struct event e;
	size_t i, n;
	FILE *fp;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		snprintf(line, sizeof(line), "%s", c[i].row);
		for (n = 0, f[n++] = line, p = line; *p && n < 8; p++)
			if (*p == ',') {
				*p = '\0';
				f[n++] = p + 1;
			}
		why = NULL;
		if (!c[i].why) {
			CHECK(events_parse(f, n, &e, &why) == 0, "event %s parses (%s)", c[i].row,
			      why ? why : "");
			fp = fmemopen(out, sizeof(out), "w");
			events_write(fp, &e);
			fclose(fp);
			out[strcspn(out, "\n")] = '\0';
			CHECK_STR(out, c[i].out, "event %s written back", c[i].row);
		} else {
			CHECK(events_parse(f, n, &e, &why) < 0 && why && strcmp(why, c[i].why) == 0,
			      "event %s refused: %s (%s)", c[i].row, c[i].why, why ? why : "");
		}
	}
	snprintf(line, sizeof(line), "NVDA,2021-07-20T04:00:00Z,split,,4,1");
	for (n = 0, f[n++] = line, p = line; *p; p++)
		if (*p == ',') {
			*p = '\0';
			f[n++] = p + 1;
		}
	CHECK(events_parse(f, n, &e, &why) == 0 && events_split_ratio(&e) == 4 &&
	      e.kind == EVENT_SPLIT, "split ratio 4");
}

static void test_bounds(void)
{
	static const struct {
		const char *s, *why;
	} c[] = {
		{ "2016-12-31T23:59:60Z", "leap second (:60) not allowed" },
		{ "2200-01-01T00:00:00Z", "year outside 1900-2199" },
		{ "1899-12-31", "year outside 1900-2199" },
		{ "2199-12-31T23:59:59Z", NULL },
		{ "1900-01-01", NULL },
		{ "2026-02-29", "no such date" },
		{ "2026-01-01T24:00:00Z", "hour, minute or second out of range" },
		{ "yesterday", "not ISO-8601 UTC or epoch seconds" },
		{ "7258118399", NULL },
		{ "7258118400", "epoch seconds outside the years 1900-2199" },
		{ "99999999999999999999", "epoch seconds outside the years 1900-2199" },
	};
	const char *why;
	time_t t;
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		why = bt_time_why(c[i].s);
		if (c[i].why)
			CHECK(why && strcmp(why, c[i].why) == 0 && bt_parse_time(c[i].s, &t) < 0,
			      "time %s refused: %s (%s)", c[i].s, c[i].why, why ? why : "accepted");
		else
			CHECK(!why && bt_parse_time(c[i].s, &t) == 0, "time %s accepted", c[i].s);
	}
	CHECK(px_in_range(3.4e38) && px_in_range(-3.4e38) && px_in_range(0), "float32 range holds");
	CHECK(!px_in_range(3.5e38) && !px_in_range(1e63) && !px_in_range(-1e300), "beyond float32");
}

int main(void)
{
	test_set();
	test_time();
	test_events();
	test_bounds();
	return unit_failed;
}
