/* Unit tests for lib/: msg, bt, sym, px, csvr, bars, plan. */
#include "bars.h"
#include "bt.h"
#include "csvr.h"
#include "hash.h"
#include "msg.h"
#include "plan.h"
#include "px.h"
#include "sched_lock.h"
#include "sym.h"
#include "unit.h"

#include <math.h>
#include <stdlib.h>

static void test_mask(void)
{
	static const struct { const char *in, *want; } t[] = {
		{ "postgresql://u:secret@h/db", "postgresql://u:***@h/db" },
		{ "postgresql://u@h/db", "postgresql://u@h/db" },
		{ "host=h password=secret dbname=x", "host=h password=*** dbname=x" },
		{ "postgresql:///db?host=/tmp&password=pw", "postgresql:///db?host=/tmp&password=***" },
	};
	char buf[256];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		CHECK_STR(msg_mask_url(buf, sizeof(buf), t[i].in), t[i].want, "mask %s", t[i].in);
}

static void test_time(void)
{
	static const struct { const char *in; long long want; } t[] = {
		{ "2026-11-24T21:30:00Z", 1795555800LL },
		{ "2026-11-24", 1795478400LL },
		{ "2026-11-24T21:30Z", 1795555800LL },
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2026-02-29", -1 }, { "2026-13-01", -1 }, { "2026-11-24T21:30:00", -1 },
		{ "2026-11-24T25:00:00Z", -1 }, { "", -1 }, { "20261124", -1 },
	};
	char buf[BT_ISO_LEN];
	time_t v;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int rc = bt_parse_iso(t[i].in, &v);

		CHECK(t[i].want < 0 ? rc < 0 : rc == 0 && v == t[i].want, "parse '%s'", t[i].in);
	}
	CHECK(bt_parse_time("1795555800", &v) == 0 && v == 1795555800, "epoch seconds");
	CHECK_STR(bt_format_iso(1795555800, buf), "2026-11-24T21:30:00Z", "format");
	/* AAPL 2020-09-01 daily bar stamped 09:30 EDT -> 04:00Z midnight. */
	CHECK(bt_local_midnight("America/New_York", 1598967000, &v) == 0 &&
	      v == 1598932800, "NY midnight in EDT");
	CHECK(bt_local_midnight("America/New_York", 1604500200, &v) == 0 &&
	      v == 1604466000, "NY midnight in EST");
	CHECK(bt_local_midnight("Europe/Berlin", 1691391600, &v) == 0 &&
	      v == 1691359200, "Berlin midnight in CEST");
	CHECK(bt_set_tz("Not/AZone") < 0, "unknown zone refused");
	/* 2026-03-08 02:30 New York does not exist: the next instant is 03:00 EDT. */
	CHECK(bt_local_to_utc("America/New_York", 2026, 3, 8, 2, 30, &v) == 0 &&
	      v == 1772953200, "skipped hour resolves after the jump (%lld)", (long long)v);
}

static void test_sym(void)
{
	static const char *good[] = { "AAPL", "BRK-B", "^GSPC", "EURUSD=X", "BTC-USD", "7203.T" };
	static const char *bad[] = { "", "A B", "A;B", "A'B", "A/B", "A\"", "A\tB",
				     "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG" };
	struct sym_period per;
	char why[128];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(sym_valid(good[i]) == 0, "symbol '%s' valid", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(sym_valid(bad[i]) < 0, "symbol '%s' rejected", bad[i]);
	CHECK(sym_interval("5m") && sym_interval("5m")->seconds == 300, "5m");
	CHECK(!sym_interval("7m"), "7m unknown");
	/* The name lists come from the table (error messages, the SQL of
	 * db_migrate's partitions): every interval once, in table order. */
	CHECK_STR(sym_interval_names(), "1m 2m 5m 15m 30m 60m 90m 1h 1d 5d 1wk 1mo 3mo",
		  "sym_interval_names from the table");
	CHECK(sym_interval_join(why, sizeof(why), ",", 1) == 27 &&
	      !strcmp(why, "1m,2m,5m,15m,30m,60m,90m,1h"), "intraday names: %s", why);
	CHECK(sym_interval_join(why, 6, ",", 1) == 27 && !strcmp(why, "1m,2m"),
	      "a short buffer is cut and terminated, the whole length returned: %s", why);
	CHECK(sym_interval_join(NULL, 0, " ", 0) == strlen(sym_interval_names()),
	      "the length without a buffer");
	for (i = 0; sym_interval_at(i); i++)
		CHECK(strstr(sym_interval_names(), sym_interval_at(i)->name) != NULL,
		      "%s named", sym_interval_at(i)->name);
	/* Ny is calendar years now (tests/unit/test_plan.c), no longer 365 days. */
	CHECK(sym_period_parse("20d", &per, why, sizeof(why)) == 0 &&
	      per.unit == SYM_PERIOD_DAYS && per.n == 20, "20d");
	CHECK(sym_period_parse("2y", &per, why, sizeof(why)) == 0 &&
	      per.unit == SYM_PERIOD_MONTHS && per.n == 24, "2y");
	CHECK(sym_period_parse("x", &per, why, sizeof(why)) < 0 &&
	      sym_period_parse("5", &per, why, sizeof(why)) < 0, "bad periods");
}

static void test_px(void)
{
	static const struct { double in; const char *want; } t[] = {
		{ 227.1750030517578, "227.175" }, { 100.0, "100" }, { 0.1, "0.1" },
		{ 1e-5, "0.00001" }, { 123456792.0, "123456792" }, { -0.0, "0" },
		{ 4.0999999046325684, "4.1" },
	};
	char buf[PX_LEN];
	double d;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		px_format_f32(t[i].in, buf);
		CHECK_STR(buf, t[i].want, "f32 %.17g", t[i].in);
	}
	px_format_f64(1714.135, buf);
	CHECK_STR(buf, "1714.135", "f64");
	CHECK(px_parse("nan", &d) < 0 && px_parse("inf", &d) < 0 && px_parse("1x", &d) < 0 &&
	      px_parse("", &d) < 0 && px_parse("0x10", &d) < 0, "bad numbers");
	CHECK(px_parse("1.5e2", &d) == 0 && d == 150, "exponent accepted on input");
	CHECK(px_parse("227.17500305175781", &d) == 0 && d == 227.17500305175781 &&
	      px_parse("-1.5", &d) == 0 && d == -1.5 && px_parse("-", &d) < 0 &&
	      px_parse(".", &d) < 0 && px_parse("1.2.3", &d) < 0, "plain decimals");
	CHECK_STR(bt_format_iso(-86401, buf), "1969-12-30T23:59:59Z", "format before 1970");
	CHECK_STR(bt_format_iso(253402300799, buf), "9999-12-31T23:59:59Z", "format year 9999");
}

/* The definition px_format_f32() must match: fewest decimals that read back. */
static void ref_f32(double v, char *buf)
{
	int d;

	for (d = 0; d <= 60; d++) {
		snprintf(buf, PX_LEN, "%.*f", d, v);
		if ((float)strtod(buf, NULL) == (float)v)
			break;
	}
	if (strchr(buf, '.')) {
		size_t n = strlen(buf);

		while (buf[n - 1] == '0')
			buf[--n] = '\0';
		if (buf[n - 1] == '.')
			buf[--n] = '\0';
	}
	if (strcmp(buf, "-0") == 0)
		strcpy(buf, "0");
}

static void test_px_random(void)
{
	char a[PX_LEN], b[PX_LEN];
	unsigned s = 12345, bits;
	int n, bad = 0;
	float f;

	for (n = 0; n < 200000; n++) {
		s = s * 1103515245u + 12345u;
		bits = s;
		s = s * 1103515245u + 12345u;
		bits = (bits << 16) ^ s;
		memcpy(&f, &bits, sizeof(f));
		if (n % 2) /* price-like: 0.0001 .. 1e6 */
			f = (float)((double)(bits % 1000000000u) / pow(10, bits % 6));
		if (!isfinite(f) || fabsf(f) > 1e30f || (fabsf(f) < 1e-30f && f != 0))
			continue;
		px_format_f32(f, a);
		ref_f32(f, b);
		if (strcmp(a, b) != 0 && bad++ < 5)
			fprintf(stderr, "  f32 %.17g: '%s', reference '%s'\n", (double)f, a, b);
	}
	CHECK(bad == 0, "px_format_f32 equals the reference on random floats (%d differ)", bad);
}

static void test_csvr(void)
{
	const char *text = "a,b\n\n\"x,1\",\"multi\nline\"\r\nlast,row";
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	struct csvr *r = csvr_new(fp, "mem");
	char **f;
	size_t n;

	CHECK(csvr_next(r, &f, &n) == 1 && n == 2 && csvr_line(r) == 1, "first record");
	CHECK(csvr_next(r, &f, &n) == 1 && n == 2 && strcmp(f[0], "x,1") == 0 &&
	      strcmp(f[1], "multi\nline") == 0 && csvr_line(r) == 3, "quoted, line 3");
	CHECK(csvr_next(r, &f, &n) == 1 && n == 2 && strcmp(f[1], "row") == 0 &&
	      csvr_line(r) == 5, "no final newline, line %ld", csvr_line(r));
	CHECK(csvr_next(r, &f, &n) == 0, "eof");
	csvr_free(r);
	fclose(fp);
}

/* Malformed CSV is an error naming the right line, never a silent merge. */
static void test_csvr_errors(void)
{
	static const struct { const char *text, *err; long nrec; } t[] = {
		{ "a,b\n\"x,1\nc,d\ne,f\n", "mem:2: unterminated quoted field", 1 },
		{ "a,b\nc,d\"e\n", "mem:2: malformed quoting", 1 },
		{ "a,b\nc,\"d\"x\n", "mem:2: malformed quoting", 1 },
		{ "a,b\n\nc,d\0junk\n", "mem:3: NUL byte in a field", 1 },
	};
	size_t i, n;
	char **f;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t len = strlen(t[i].text) + (strstr(t[i].err, "NUL") ? 6 : 0);
		FILE *fp = fmemopen((void *)t[i].text, len, "r");
		struct csvr *r = csvr_new(fp, "mem");
		long got = 0;
		int rc;

		while ((rc = csvr_next(r, &f, &n)) == 1)
			got++;
		CHECK(rc < 0 && got == t[i].nrec && strcmp(csvr_error(r), t[i].err) == 0,
		      "csv error %zu: '%s' after %ld records", i, csvr_error(r), got);
		csvr_free(r);
		fclose(fp);
	}
}

static void test_bars_plan(void)
{
	char *row[] = { "AAPL", "5m", "2026-11-24T14:30:00Z", "1", "2", "0.5", "1.5", "1.5", "" };
	char *plan[] = { "AAPL", "5m", "2026-11-01", "2026-11-02" };
	struct plan_row p;
	struct bar b;
	const char *field;
	char why[128];

	CHECK(bars_parse(row, 9, &b, &field) == BARS_OK && !b.has_volume, "bar parses");
	row[6] = "abc";
	CHECK(bars_parse(row, 9, &b, &field) == BARS_EPRICE && strcmp(field, "close") == 0,
	      "bad close named");
	CHECK(bars_parse(row, 8, &b, &field) == BARS_EFIELDS, "field count");
	CHECK(plan_parse(plan, 4, &p, why, sizeof(why)) == 0 && p.end - p.start == 86400,
	      "plan row");
	plan[3] = "2026-10-01";
	CHECK(plan_parse(plan, 4, &p, why, sizeof(why)) < 0 && strstr(why, "not after"),
	      "plan end before start");
}

/*
 * Hash values are pinned: the lock key crosses hosts and versions.  The
 * FNV-1a vectors are the published ones (draft-eastlake-fnv).
 */
static void test_hash(void)
{
	static const struct {
		const char *in;
		uint64_t want;
	} fnv[] = {
		{ "", 0xcbf29ce484222325ULL },
		{ "a", 0xaf63dc4c8601ec8cULL },
		{ "foobar", 0x85944171f73967e8ULL },
	};
	char *tickers[] = { "AAPL", "MSFT" };
	struct sym_interval iv = { .name = "1d" };
	struct cfg_job j = { .name = "daily", .tickers = tickers, .ntickers = 2,
			     .interval = &iv };
	size_t i;

	for (i = 0; i < sizeof(fnv) / sizeof(fnv[0]); i++)
		CHECK(hash_fnv1a(HASH_FNV_BASIS, fnv[i].in, strlen(fnv[i].in)) == fnv[i].want,
		      "fnv1a(\"%s\")", fnv[i].in);
	CHECK(hash_str(HASH_FNV_BASIS, "ab") != hash_fnv1a(HASH_FNV_BASIS, "ab", 2),
	      "hash_str adds a separator");
	CHECK(sched_lock_key(&j) == -3052795863370417547LL,
	      "advisory lock key of (daily, 1d, AAPL MSFT) as in 0.1.0: %lld",
	      sched_lock_key(&j));
}

int main(void)
{
	test_mask();
	test_time();
	test_sym();
	test_px();
	test_px_random();
	test_csvr();
	test_csvr_errors();
	test_bars_plan();
	test_hash();
	return unit_failed;
}
