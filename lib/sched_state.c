#include "sched_state.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const double sched_buckets[SCHED_NBUCKETS] = { 1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600 };

const char *const sched_outcome_names[SCHED_NOUTCOMES] = {
	"ok", "failed", "timeout", "killed", "error",
};

const char *const sched_misfire_names[SCHED_NMISFIRES] = {
	"overlap", "late", "locked_elsewhere",
};

struct sched_job *sched_find(struct sched_state *st, const char *name)
{
	size_t i;

	for (i = 0; i < st->njobs; i++)
		if (!st->jobs[i].removed && st->jobs[i].name &&
		    strcmp(st->jobs[i].name, name) == 0)
			return &st->jobs[i];
	return NULL;
}

void sched_summary_init(struct sched_summary *s, time_t start)
{
	int i;

	memset(s, 0, sizeof(*s));
	s->start = start;
	for (i = 0; i < SCHED_STAGES; i++)
		s->status[i] = -1;
	s->rows = (struct sched_rows){ -1, -1, -1, -1, -1, -1 };
	s->windows = (struct sched_windows){ -1, -1, -1 };
	s->stale_series = -1;
}

static void add(double *total, long long n)
{
	if (n > 0)
		*total += (double)n;
}

void sched_account(struct sched_totals *t, const struct sched_summary *s)
{
	double d = (double)(s->end - s->start);
	int b;

	t->runs[s->outcome]++;
	add(&t->rows.inserted, s->rows.inserted);
	add(&t->rows.updated, s->rows.updated);
	add(&t->rows.unchanged, s->rows.unchanged);
	add(&t->rows.rejected, s->rows.rejected);
	add(&t->rows.duplicates, s->rows.duplicates);
	add(&t->windows.ok, s->windows.ok);
	add(&t->windows.failed, s->windows.failed);
	add(&t->windows.bad_rows, s->windows.bad_rows);
	t->last_run = (double)s->end;
	t->last_rc = s->rc;
	if (s->outcome == SCHED_OK)
		t->last_success = (double)s->end;
	if (s->outcome == SCHED_ERROR)
		return; /* nothing ran: no duration to observe */
	for (b = 0; b < SCHED_NBUCKETS; b++)
		if (d <= sched_buckets[b])
			t->hist[b]++;
	t->hist[SCHED_NBUCKETS]++;
	t->hist_sum += d;
}

double sched_runs_failed(const struct sched_totals *t)
{
	return t->runs[SCHED_FAILED] + t->runs[SCHED_TIMEOUT] + t->runs[SCHED_KILLED];
}

double sched_misfires(const struct sched_totals *t)
{
	int i;
	double n = 0;

	for (i = 0; i < SCHED_NMISFIRES; i++)
		n += t->misfires[i];
	return n;
}

void sched_set_page(struct sched_state *st, char *page, size_t len, time_t at)
{
	free(st->page);
	st->page = page;
	st->page_len = page ? len : 0;
	st->page_at = page ? at : 0;
}

void sched_wake(struct sched_state *st)
{
	char c = 1;

	if (st->wake_fd >= 0 && write(st->wake_fd, &c, 1) < 0) {
		/* pipe full: the loop is awake anyway */
	}
}
