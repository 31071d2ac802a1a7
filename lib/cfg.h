/*
 * cfg: the JSON config, read with the jq CLI (no JSON parser in C).
 *
 * Two shapes are accepted.  A single job, as users of the original Python
 * design know it:
 *   {"tickers":["AAPL"],"interval":"5m","period":"20d","timezone":"US/Eastern",
 *    "schedule":"*\/5 9-16 * * 1-5"}
 * or {"jobs":[{...,"name":"intraday"}, ...]} with top-level keys acting as
 * defaults for every job.  "schedule" is optional (sched-run needs it),
 * "name" defaults to "default", "timezone" to "UTC", "period" to "20d".
 *
 * Every key and value is checked: an unknown key is an error that names
 * the nearest known one ("time_zone": did you mean "timezone"?), strings
 * must be strings, "period" is a sym_period that fits the interval's
 * history, "timeout" whole seconds in [CFG_TIMEOUT_MIN, CFG_TIMEOUT_MAX].
 *
 * cfg_load() returns 0, or -1 with a sentence in why[] that names the path
 * and the offending job or key.  The struct owns all its strings; free it
 * with cfg_free().
 */
#ifndef CFG_H
#define CFG_H

#include <stddef.h>

#include "sym.h"

struct cfg_job {
	char *name;
	char **tickers;
	size_t ntickers;
	const struct sym_interval *interval;
	char *period;        /* as written, e.g. "20d" */
	struct sym_period span; /* period parsed */
	char *timezone;      /* checked against the system zoneinfo */
	char *schedule;      /* cron expression, or NULL when absent */
	long timeout;        /* seconds, 0 when absent */
};

#define CFG_TIMEOUT_MIN 1L
#define CFG_TIMEOUT_MAX 604800L /* a week */

struct cfg {
	struct cfg_job *jobs;
	size_t njobs;
};

int cfg_load(const char *path, struct cfg *c, char *why, size_t n);
void cfg_free(struct cfg *c);
/* The job named name, or NULL. */
struct cfg_job *cfg_job(struct cfg *c, const char *name);

#endif
