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

int main(void)
{
	static const struct { const char *json, *err; } bad[] = {
		{ "[1]", "top level must be a JSON object" },
		{ "{\"interval\":\"5m\"}", "tickers must be a non-empty array" },
		{ "{\"tickers\":[\"AAPL\"],\"interval\":\"7m\"}", "unknown interval" },
		{ "{\"tickers\":[\"A;B\"],\"interval\":\"5m\"}", "bad ticker" },
		{ "{\"tickers\":[\"A\"],\"interval\":\"5m\",\"period\":\"x\"}", "bad period" },
		{ "{\"tickers\":[\"A\"],\"interval\":\"5m\",\"timezone\":\"Mars/Base\"}", "unknown timezone" },
		{ "{\"tickers\":[\"A\"],", "parse error" },
	};
	struct cfg c;
	char why[256];
	size_t i;

	CHECK(load("{\"tickers\":[\"AAPL\",\"MSFT\",\"GOOGL\"],\"interval\":\"5m\","
		   "\"period\":\"20d\",\"timezone\":\"US/Eastern\"}", &c, why, sizeof(why)) == 0 &&
	      c.njobs == 1 && c.jobs[0].ntickers == 3 && !strcmp(c.jobs[0].tickers[2], "GOOGL") &&
	      c.jobs[0].period_seconds == 20 * 86400 && !c.jobs[0].schedule &&
	      !strcmp(c.jobs[0].name, "default"), "single job config");
	cfg_free(&c);
	CHECK(load("{\"timezone\":\"America/New_York\",\"jobs\":[{\"name\":\"intra\",\"tickers\":[\"A\"],"
		   "\"interval\":\"5m\",\"schedule\":\"*/5 9-16 * * 1-5\"},{\"name\":\"daily\","
		   "\"tickers\":[\"B\"],\"interval\":\"1d\",\"period\":\"1y\",\"timeout\":600}]}",
		   &c, why, sizeof(why)) == 0 && c.njobs == 2 &&
	      !strcmp(c.jobs[0].schedule, "*/5 9-16 * * 1-5") &&
	      !strcmp(c.jobs[1].timezone, "America/New_York") && c.jobs[1].timeout == 600 &&
	      cfg_job(&c, "daily") == &c.jobs[1], "jobs config with defaults: %s", why);
	cfg_free(&c);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = load(bad[i].json, &c, why, sizeof(why));

		CHECK(rc < 0 && strstr(why, bad[i].err), "bad config %zu: %s", i, why);
	}
	CHECK(cfg_load("/no/such/config.json", &c, why, sizeof(why)) < 0 &&
	      strstr(why, "/no/such/config.json: No such file"), "missing file: %s", why);
	return unit_failed;
}
