/* Unit tests for lib/norm_*: key set, time keys, fast bar output. */
#include "bars.h"
#include "bt.h"
#include "norm_set.h"
#include "norm_time.h"
#include "px.h"
#include "unit.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

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

int main(void)
{
	test_set();
	test_time();
	return unit_failed;
}
