#include "report_jobs.h"
#include "cron.h"
#include "xalloc.h"

#include <stdio.h>
#include <string.h>

static int next_fires(struct report_job *j, time_t now, char *why, size_t n)
{
	struct cron c;
	time_t t = now;
	char w[200];
	int i;

	if (!j->schedule)
		return 0;
	if (cron_parse(j->schedule, &c, w, sizeof(w)) < 0) {
		snprintf(why, n, "job %s: schedule: %s", j->name, w);
		return -1;
	}
	for (i = 0; i < REPORT_NEXT && cron_next(&c, j->timezone, t, &t) == 0; i++)
		j->next[i] = t;
	return 0;
}

int report_jobs_add(struct report *r, const struct cfg *c, char *why, size_t n)
{
	struct report_job *j;
	size_t i, k;

	r->jobs = xreallocarray(r->jobs, r->njobs + c->njobs, sizeof(*r->jobs));
	for (i = 0; i < c->njobs; i++) {
		const struct cfg_job *cj = &c->jobs[i];

		j = &r->jobs[r->njobs++];
		memset(j, 0, sizeof(*j));
		j->name = xstrdup(cj->name);
		j->schedule = cj->schedule ? xstrdup(cj->schedule) : NULL;
		j->timezone = xstrdup(cj->timezone);
		snprintf(j->interval, sizeof(j->interval), "%s", cj->interval->name);
		j->ntickers = cj->ntickers;
		if (next_fires(j, r->now, why, n) < 0)
			return -1;
		for (k = 0; k < cj->ntickers; k++)
			report_series(r, cj->tickers[k], cj->interval->name, 1);
	}
	return 0;
}

int report_jobs_load(struct report *r, const char *path, char *why, size_t n)
{
	struct cfg c;
	int rc;

	if (cfg_load(path, &c, why, n) < 0)
		return -1;
	rc = report_jobs_add(r, &c, why, n);
	cfg_free(&c);
	return rc;
}
