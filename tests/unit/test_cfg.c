/* Unit tests for lib/cfg: both config shapes and the errors people make. */
#include "cfg.h"
#include "unit.h"

#include <stdlib.h>

static int load(const char *json, struct cfg *c, char *why, size_t n)
{
	char path[] = "/tmp/cfgtestXXXXXX";
	int fd = mkstemp(path), rc;
	FILE *fp = fdopen(fd, "w");

	fputs(json, fp);
	fclose(fp);
	rc = cfg_load(path, c, why, n);
	remove(path);
	return rc;
}

#define JOB "\"tickers\":[\"A\"],\"interval\":\"5m\""

/* Each bad config and a piece of the message it must give. */
static const struct { const char *json, *err; } bad[] = {
	{ "[1]", "top level must be a JSON object" },
	{ "{\"interval\":\"5m\"}", "tickers must be a non-empty array" },
	{ "{\"tickers\":[\"AAPL\"],\"interval\":\"7m\"}", "unknown interval" },
	{ "{\"tickers\":[\"A;B\"],\"interval\":\"5m\"}", "bad ticker" },
	{ "{\"tickers\":[\"A,B\"],\"interval\":\"5m\"}", "bad ticker 'A,B'" },
	{ "{" JOB ",\"period\":\"x\"}", "bad period" },
	{ "{" JOB ",\"timezone\":\"Mars/Base\"}", "unknown timezone" },
	{ "{\"tickers\":[\"A\"],", "parse error" },
	/* unknown keys, with the nearest known one */
	{ "{" JOB ",\"time_zone\":\"US/Eastern\"}", "unknown key \"time_zone\" (did you mean \"timezone\"?)" },
	{ "{" JOB ",\"Interval\":\"1d\"}", "did you mean \"interval\"?" },
	{ "{\"jobs\":[{\"name\":\"d\"," JOB ",\"timout\":5}]}",
	  "job d: unknown key \"timout\" (did you mean \"timeout\"?)" },
	{ "{\"jobs\":[{" JOB ",\"jbos\":[]}]}", "job 1: unknown key \"jbos\"" },
	{ "{" JOB ",\"colour\":1}", "unknown key \"colour\" (known: jobs name" },
	{ "{\"ticker\":[\"A\"],\"interval\":\"5m\"}", "did you mean \"tickers\"?" },
	{ "{\"jobs\":[]}", "jobs must be a non-empty array" },
	{ "{\"jobs\":[1]}", "jobs[0] must be an object" },
	/* types */
	{ "{" JOB ",\"period\":20}", "job default: period must be a string" },
	{ "{" JOB ",\"timezone\":[]}", "timezone must be a string" },
	{ "{\"tickers\":[\"A\"],\"interval\":5}", "interval must be a string" },
	/* numbers: a timeout is whole seconds in range, never a silent default */
	{ "{" JOB ",\"timeout\":\"abc\"}", "job default: timeout \"abc\": want whole seconds from 1 to 604800" },
	{ "{" JOB ",\"timeout\":-5}", "timeout -5: want whole seconds" },
	{ "{" JOB ",\"timeout\":0}", "timeout 0: want whole seconds" },
	{ "{" JOB ",\"timeout\":1e100}", "timeout 1e+100: want whole seconds" },
	{ "{" JOB ",\"timeout\":1.5}", "timeout 1.5: want" },
	{ "{" JOB ",\"timeout\":null}", "timeout null: want" },
	{ "{" JOB ",\"timeout\":604801}", "timeout 604801: want" },
	/* periods: bounded, and within the interval's history */
	{ "{" JOB ",\"period\":\"100000y\"}", "bad period '100000y': more than 300 years" },
	{ "{" JOB ",\"period\":\"7000y\"}", "more than 300 years" },
	{ "{" JOB ",\"period\":\"301y\"}", "more than 300 years" },
	{ "{" JOB ",\"period\":\"99999999999999999999d\"}", "more than 300 years" },
	{ "{" JOB ",\"period\":\"0d\"}", "not a period" },
	{ "{" JOB ",\"period\":\"-5d\"}", "not a period" },
	{ "{" JOB ",\"period\":\"5 d\"}", "not a period" },
	{ "{" JOB ",\"period\":\"61d\"}", "beyond the 60 days of 5m history" },
	{ "{" JOB ",\"period\":\"2mo\"}", "use at most 60d, or max" },
	{ "{\"tickers\":[\"A\"],\"interval\":\"1h\",\"period\":\"2y\"}", "730 days of 1h" },
	{ "{\"tickers\":[\"A\"],\"interval\":\"1m\",\"period\":\"31d\"}", "30 days of 1m" },
};

static void good(void)
{
	struct cfg c;
	char why[256];

	CHECK(load("{\"tickers\":[\"AAPL\",\"MSFT\",\"GOOGL\"],\"interval\":\"5m\","
		   "\"period\":\"20d\",\"timezone\":\"US/Eastern\"}", &c, why, sizeof(why)) == 0 &&
	      c.njobs == 1 && c.jobs[0].ntickers == 3 && !strcmp(c.jobs[0].tickers[2], "GOOGL") &&
	      c.jobs[0].span.unit == SYM_PERIOD_DAYS && c.jobs[0].span.n == 20 &&
	      !c.jobs[0].schedule && !strcmp(c.jobs[0].name, "default"), "single job config");
	cfg_free(&c);
	CHECK(load("{\"timezone\":\"America/New_York\",\"jobs\":[{\"name\":\"intra\",\"tickers\":[\"A\"],"
		   "\"interval\":\"5m\",\"schedule\":\"*/5 9-16 * * 1-5\"},{\"name\":\"daily\","
		   "\"tickers\":[\"B\"],\"interval\":\"1d\",\"period\":\"1y\",\"timeout\":600}]}",
		   &c, why, sizeof(why)) == 0 && c.njobs == 2 &&
	      !strcmp(c.jobs[0].schedule, "*/5 9-16 * * 1-5") &&
	      !strcmp(c.jobs[1].timezone, "America/New_York") && c.jobs[1].timeout == 600 &&
	      c.jobs[0].timeout == 0 && c.jobs[1].span.unit == SYM_PERIOD_MONTHS &&
	      c.jobs[1].span.n == 12 && cfg_job(&c, "daily") == &c.jobs[1],
	      "jobs config with defaults: %s", why);
	cfg_free(&c);
	CHECK(load("{\"tickers\":[\"A\"],\"interval\":\"1d\",\"period\":\"max\",\"timeout\":604800}",
		   &c, why, sizeof(why)) == 0 && c.jobs[0].span.unit == SYM_PERIOD_MAX &&
	      c.jobs[0].timeout == 604800, "max and the longest timeout: %s", why);
	cfg_free(&c);
	CHECK(load("{\"tickers\":[\"A\"],\"interval\":\"1m\",\"period\":\"ytd\",\"timeout\":1}",
		   &c, why, sizeof(why)) == 0 && c.jobs[0].span.unit == SYM_PERIOD_YTD,
	      "ytd for intraday (fitted to the history when planned): %s", why);
	cfg_free(&c);
	CHECK(load("{\"tickers\":[\"A\"],\"interval\":\"5m\",\"period\":\"60d\"}", &c, why,
		   sizeof(why)) == 0, "a period of exactly the history: %s", why);
	cfg_free(&c);
	CHECK(load("{\"tickers\":[\"A\"],\"interval\":\"1d\",\"period\":\"300y\"}", &c, why,
		   sizeof(why)) == 0 && c.jobs[0].span.n == 3600, "300 years: %s", why);
	cfg_free(&c);
}

int main(void)
{
	struct cfg c;
	char why[256];
	size_t i;

	good();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = load(bad[i].json, &c, why, sizeof(why));

		CHECK(rc < 0 && strstr(why, bad[i].err), "bad config %zu: %s", i, rc < 0 ? why : "accepted");
	}
	CHECK(cfg_load("/no/such/config.json", &c, why, sizeof(why)) < 0 &&
	      strstr(why, "/no/such/config.json: No such file"), "missing file: %s", why);
	return unit_failed;
}
