/*
 * report_jobs: the jobs of a config (lib/cfg) for the report, with their
 * next fires (lib/cron), and every (ticker, interval) they load added as
 * a series, so a configured symbol that has no bar yet shows as missing.
 *
 * report_jobs_load() returns 0, or -1 with a sentence in why[] (a bad
 * config or schedule).  Not thread-safe (lib/cron, lib/bt).
 */
#ifndef REPORT_JOBS_H
#define REPORT_JOBS_H

#include <stddef.h>

#include "cfg.h"
#include "report_data.h"

int report_jobs_load(struct report *r, const char *path, char *why, size_t n);
/* The same from a config already loaded (sched-run has one). */
int report_jobs_add(struct report *r, const struct cfg *c, char *why, size_t n);

#endif
