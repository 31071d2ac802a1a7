/*
 * Unit tests for the planning rules sched-plan is built from: periods
 * (lib/sym, lib/plan_win) and shards (lib/shard).
 */
#include "bt.h"
#include "plan_win.h"
#include "shard.h"
#include "sym.h"
#include "unit.h"

#include <stdlib.h>

/* The rows plan_win_emit() writes for r, as one string. */
static const char *windows(const struct plan_req *r)
{
	static char out[8192];
	FILE *fp;
	int n;

	out[0] = '\0';
	fp = fmemopen(out, sizeof(out), "w");
	n = plan_win_emit(fp, r);
	fclose(fp);
	return n < 0 ? "error" : out;
}

static void req(struct plan_req *r, const char *iv, const char *now, const char *period)
{
	char why[128];

	memset(r, 0, sizeof(*r));
	r->symbol = "X";
	r->iv = sym_interval(iv);
	bt_parse_iso(now, &r->now);
	if (sym_period_parse(period, &r->period, why, sizeof(why)) < 0)
		fprintf(stderr, "  period %s: %s\n", period, why);
}

/* Whole periods: calendar months and years, ytd, max. */
static void periods(void)
{
	static const struct { const char *iv, *now, *period, *want; } t[] = {
		{ "1d", "2026-11-24T21:30:00Z", "1y", "X,1d,2025-11-24T00:00:00Z,2026-11-24T21:30:00Z\n" },
		{ "1d", "2026-11-24T21:30:00Z", "10y", "X,1d,2016-11-24T00:00:00Z,2026-11-24T21:30:00Z\n" },
		{ "1d", "2024-03-31T12:00:00Z", "1mo", "X,1d,2024-02-29T00:00:00Z,2024-03-31T12:00:00Z\n" },
		{ "1d", "2023-03-31T12:00:00Z", "1mo", "X,1d,2023-02-28T00:00:00Z,2023-03-31T12:00:00Z\n" },
		{ "1d", "2024-02-29T12:00:00Z", "1y", "X,1d,2023-02-28T00:00:00Z,2024-02-29T12:00:00Z\n" },
		{ "1d", "2024-02-29T12:00:00Z", "4y", "X,1d,2020-02-29T00:00:00Z,2024-02-29T12:00:00Z\n" },
		{ "1d", "2026-01-15T12:00:00Z", "13mo", "X,1d,2024-12-15T00:00:00Z,2026-01-15T12:00:00Z\n" },
		{ "1d", "2026-11-24T21:30:00Z", "3w", "X,1d,2026-11-03T00:00:00Z,2026-11-24T21:30:00Z\n" },
		{ "1d", "2026-11-24T21:30:00Z", "ytd", "X,1d,2026-01-01T00:00:00Z,2026-11-24T21:30:00Z\n" },
		{ "1d", "2026-11-24T21:30:00Z", "max", "X,1d,1900-01-01T00:00:00Z,2026-11-24T21:30:00Z\n" },
		{ "1wk", "2026-11-24T21:30:00Z", "300y", "X,1wk,1900-01-01T00:00:00Z,2026-11-24T21:30:00Z\n" },
		{ "5m", "2026-11-24T21:30:00Z", "max", "X,5m,2026-09-25T21:35:00Z,2026-11-24T21:30:00Z\n" },
		{ "1h", "2026-11-24T21:30:00Z", "max", "X,1h,2024-11-24T22:00:00Z,2026-11-24T21:30:00Z\n" },
		{ "1m", "2026-11-24T21:30:00Z", "max",
		  "X,1m,2026-10-25T21:31:00Z,2026-11-01T21:31:00Z\nX,1m,2026-11-01T21:31:00Z,2026-11-08T21:31:00Z\n"
		  "X,1m,2026-11-08T21:31:00Z,2026-11-15T21:31:00Z\nX,1m,2026-11-15T21:31:00Z,2026-11-22T21:31:00Z\n"
		  "X,1m,2026-11-22T21:31:00Z,2026-11-24T21:30:00Z\n" },
		{ "15m", "2026-02-10T10:00:00Z", "ytd", "X,15m,2026-01-01T00:00:00Z,2026-02-10T10:00:00Z\n" },
		{ "15m", "2026-11-24T21:30:00Z", "ytd", "X,15m,2026-09-25T21:45:00Z,2026-11-24T21:30:00Z\n" },
	};
	struct plan_req r;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		req(&r, t[i].iv, t[i].now, t[i].period);
		CHECK_STR(windows(&r), t[i].want, "%s %s at %s", t[i].iv, t[i].period, t[i].now);
	}
	CHECK(sym_period_max_days(&r.period) == -1, "ytd has no fixed length");
	sym_period_parse("2mo", &r.period, NULL, 0);
	CHECK(sym_period_max_days(&r.period) == 62, "2mo may reach 62 days");
	sym_period_parse("2y", &r.period, NULL, 0);
	CHECK(sym_period_max_days(&r.period) == 732, "2y may reach 732 days");
}

/* No input makes a plan name a time outside years 1900-2199. */
static void bounds(void)
{
	struct plan_req r;

	req(&r, "1d", "2026-11-24T21:30:00Z", "5d");
	r.have_newest = 1;
	r.newest = -9000000000000LL; /* a bar stored at year -283000 */
	CHECK_STR(windows(&r), "X,1d,1900-01-01T00:00:00Z,2026-11-24T21:30:00Z\n",
		  "a newest bar before 1900 plans from 1900");
	r.newest = 1795046400; /* 2026-11-20: the bar after it is final */
	r.overlap = 100000;
	CHECK_STR(windows(&r), "X,1d,1900-01-01T00:00:00Z,2026-11-24T21:30:00Z\n",
		  "the longest overlap stays within 1900");
	r.newest = 9000000000000LL; /* year 287000 */
	r.overlap = 1;
	CHECK_STR(windows(&r), "", "a newest bar in the far future plans nothing");
	{
		char buf[BT_ISO_LEN + 8];

		memset(buf, 'x', sizeof(buf));
		bt_format_iso(-9000000000000LL, buf);
		CHECK(!strcmp(buf, "0000-01-01T00:00:00Z") && buf[BT_ISO_LEN] == 'x',
		      "bt_format_iso never writes past its buffer: %s", buf);
		bt_format_iso(9000000000000LL, buf);
		CHECK(!strcmp(buf, "9999-12-31T23:59:59Z"), "far future saturates: %s", buf);
	}
}

/* Shards: pinned values (a cross-host protocol), parsing, environment. */
static void shards(void)
{
	static const struct { const char *sym; unsigned n, want; } pin[] = {
		{ "AAPL", 4, 3 }, { "MSFT", 4, 3 }, { "^GSPC", 4, 2 }, { "BRK-B", 4, 1 },
		{ "EURUSD=X", 4, 0 }, { "AAPL", 16, 11 }, { "^GSPC", 16, 14 },
		{ "7203.T", 16, 15 }, { "MSFT", 1024, 371 }, { "EURUSD=X", 1024, 836 },
	};
	struct shard s;
	char why[160], sym[16];
	unsigned n, i, count[16];
	size_t k;

	for (k = 0; k < sizeof(pin) / sizeof(pin[0]); k++)
		CHECK(shard_of(pin[k].sym, pin[k].n) == pin[k].want, "shard of %s among %u is %u",
		      pin[k].sym, pin[k].n, pin[k].want);
	/* Every symbol in exactly one shard, and the shards about even. */
	for (n = 1; n <= 16; n++) {
		unsigned lo = 10000, hi = 0, total = 0;

		memset(count, 0, sizeof(count));
		for (i = 0; i < 10000; i++) {
			unsigned in = 0, kk;

			snprintf(sym, sizeof(sym), "S%u", i);
			for (kk = 0; kk < n; kk++) {
				s.k = kk;
				s.n = n;
				in += (unsigned)shard_has(&s, sym);
			}
			count[shard_of(sym, n)]++;
			total += in == 1;
		}
		for (i = 0; i < n; i++) {
			lo = count[i] < lo ? count[i] : lo;
			hi = count[i] > hi ? count[i] : hi;
		}
		CHECK(total == 10000 && lo * 10 > 10000 / n * 8 && hi * 10 < 10000 / n * 12,
		      "N=%u: 10000 symbols each in one shard, shards %u..%u", n, lo, hi);
	}
	CHECK(shard_parse("0/1", &s, why, sizeof(why)) == 0 && s.k == 0 && s.n == 1, "0/1");
	CHECK(shard_parse("1023/1024", &s, why, sizeof(why)) == 0 && s.k == 1023, "1023/1024");
	CHECK(shard_parse("4/4", &s, why, sizeof(why)) < 0 && strstr(why, "'4/4'"), "4/4: %s", why);
	CHECK(shard_parse("0/1025", &s, why, sizeof(why)) < 0, "0/1025");
	CHECK(shard_parse("-1/4", &s, why, sizeof(why)) < 0 && shard_parse("1/", &s, why, sizeof(why)) < 0 &&
	      shard_parse("1", &s, why, sizeof(why)) < 0 && shard_parse("a/b", &s, why, sizeof(why)) < 0 &&
	      shard_parse("1/4x", &s, why, sizeof(why)) < 0 &&
	      shard_parse("99999999999/4", &s, why, sizeof(why)) < 0, "malformed shards");
	unsetenv("STOCKBARS_SHARD");
	unsetenv("STOCKBARS_SHARDS");
	unsetenv("JOB_COMPLETION_INDEX");
	CHECK(shard_from_env(&s, why, sizeof(why)) == 0 && s.n == 0, "no environment: not sharded");
	setenv("JOB_COMPLETION_INDEX", "2", 1);
	CHECK(shard_from_env(&s, why, sizeof(why)) < 0 && strstr(why, "needs STOCKBARS_SHARDS"),
	      "an index alone: %s", why);
	setenv("STOCKBARS_SHARDS", "3", 1);
	CHECK(shard_from_env(&s, why, sizeof(why)) == 0 && s.k == 2 && s.n == 3, "Kubernetes index");
	setenv("STOCKBARS_SHARDS", "2", 1);
	CHECK(shard_from_env(&s, why, sizeof(why)) < 0 && strstr(why, "'2/2'"), "index too big: %s", why);
	setenv("STOCKBARS_SHARD", "1/5", 1);
	CHECK(shard_from_env(&s, why, sizeof(why)) == 0 && s.k == 1 && s.n == 5,
	      "STOCKBARS_SHARD wins");
	unsetenv("JOB_COMPLETION_INDEX");
	unsetenv("STOCKBARS_SHARD");
	CHECK(shard_from_env(&s, why, sizeof(why)) < 0 && strstr(why, "needs JOB_COMPLETION_INDEX"),
	      "a total alone: %s", why);
	unsetenv("STOCKBARS_SHARDS");
}

int main(void)
{
	periods();
	bounds();
	shards();
	return unit_failed;
}
