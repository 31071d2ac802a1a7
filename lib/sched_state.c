#include "sched_state.h"

#include <string.h>
#include <unistd.h>

const double sched_buckets[SCHED_NBUCKETS] = { 1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600 };

struct sched_job *sched_find(struct sched_state *st, const char *name)
{
	size_t i;

	for (i = 0; i < st->njobs; i++)
		if (!st->jobs[i].removed && st->jobs[i].name &&
		    strcmp(st->jobs[i].name, name) == 0)
			return &st->jobs[i];
	return NULL;
}

void sched_account(struct sched_job *j, const struct sched_summary *s)
{
	double d = (double)(s->end - s->start);
	int b;

	if (s->rc == 0)
		j->runs_ok++;
	else
		j->runs_failed++;
	if (s->rows[1] > 0)
		j->rows_inserted += s->rows[1];
	if (s->rows[2] > 0)
		j->rows_updated += s->rows[2];
	if (s->rows[3] > 0)
		j->rows_unchanged += s->rows[3];
	for (b = 0; b < SCHED_NBUCKETS && d > sched_buckets[b]; b++)
		;
	j->hist[b]++;
	j->hist_sum += d;
}

void sched_wake(struct sched_state *st)
{
	char c = 1;

	if (st->wake_fd >= 0 && write(st->wake_fd, &c, 1) < 0) {
		/* pipe full: the loop is awake anyway */
	}
}
