/* Unit tests for lib/norm_*: key set, time keys, fast bar output. */
#include "bars.h"
#include "bt.h"
#include "norm_fmt.h"
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

/* Same bytes as px_format_f32() on fixture-like and random values. */
static void test_f32(void)
{
	static const double v[] = {
		227.1750030517578, 0, -0.0, 0.205, 1e-7, 0.0001, 123456789.0, 1e9, 3.4e38,
		-19.947999954223633, 11887.099609375, 0.1, 100, 4.275000095367432, 1e-30,
	};
	char a[PX_LEN], b[PX_LEN];
	int bad = 0, n, i;
	unsigned s = 12345;

	for (i = 0; i < (int)(sizeof(v) / sizeof(v[0])); i++) {
		norm_f32(v[i], a);
		px_format_f32(v[i], b);
		CHECK_STR(a, b, "f32 %.17g", v[i]);
	}
	for (n = 0; n < 300000; n++) {
		float f;
		uint32_t bits;

		s = s * 1103515245u + 12345u;
		bits = s;
		s = s * 1103515245u + 12345u;
		bits = (bits << 16) ^ s;
		memcpy(&f, &bits, sizeof(f));
		if (n % 2) /* prices: 0.0001 .. 1e6 */
			f = (float)((double)(bits % 1000000000u) / pow(10, bits % 6));
		if (norm_f32(f, a) != px_format_f32(f, b) || strcmp(a, b) != 0) {
			if (bad++ < 5)
				fprintf(stderr, "  f32 %.17g: fast '%s', px '%s'\n", (double)f, a, b);
		}
	}
	CHECK(bad == 0, "f32: 300000 random floats identical to px_format_f32 (%d differ)", bad);
}

static void test_write(void)
{
	struct bar b = { "AAPL", "1m", 0, 227.1750030517578, 228, 226.5, 227.5, 227.5, 123, 1, 0 };
	char *x = NULL, *y = NULL;
	size_t xn = 0, yn = 0;
	FILE *fx = open_memstream(&x, &xn), *fy = open_memstream(&y, &yn);
	time_t ts[] = { 1727875800, 1727875860, 1727913600, 473403600, 0, -86401 };
	size_t i;

	for (i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
		b.ts = ts[i];
		b.has_volume = (int)(i % 2);
		b.px_double = i == 3;
		norm_write_bar(fx, &b);
		bars_write(fy, &b);
	}
	fclose(fx);
	fclose(fy);
	CHECK(xn == yn && memcmp(x, y, xn) == 0, "norm_write_bar equals bars_write");
	if (xn != yn || memcmp(x, y, xn) != 0)
		fprintf(stderr, "  fast:\n%s  bars:\n%s", x, y);
	free(x);
	free(y);
}

static void test_parse(void)
{
	static const struct {
		const char *s;
		int rc;
		double v;
	} t[] = {
		{ "227.17500305175781", 0, 227.17500305175781 }, { "-1.5", 0, -1.5 },
		{ "1e-07", 0, 1e-7 }, { "", -1, 0 }, { "-", -1, 0 }, { ".", -1, 0 },
		{ "1.2.3", -1, 0 }, { "nan", -1, 0 }, { "12abc", -1, 0 }, { "0", 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		double v = -99;
		int rc = norm_parse(t[i].s, &v);

		CHECK(rc == t[i].rc && (rc < 0 || v == t[i].v), "parse '%s'", t[i].s);
	}
}

int main(void)
{
	test_set();
	test_time();
	test_f32();
	test_write();
	test_parse();
	return unit_failed;
}
