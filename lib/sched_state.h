/*
 * sched_state: what sched-run knows about its jobs, shared between the
 * scheduling loop (main thread) and the HTTP API thread.  Every field is
 * read and written under mu; the API only reads, except that it may set
 * paused and a job's run_now and then poke wake_fd so the loop notices.
 *
 * Times are UTC epoch seconds, 0 when unknown.
 */
#ifndef SCHED_STATE_H
#define SCHED_STATE_H

#include <pthread.h>
#include <time.h>

#include "cron.h"
#include "sched_pipe.h"

#define SCHED_NBUCKETS 10
extern const double sched_buckets[SCHED_NBUCKETS]; /* seconds, +Inf implied */

struct sched_summary {
	time_t start, end;              /* end 0 while running */
	char outcome[16];               /* ok failed timeout killed error */
	int rc;                         /* pipefail status, 124 on timeout */
	int status[SCHED_STAGES];       /* -1: not run / unknown */
	long long rows[4];              /* rows_in inserted updated unchanged, -1 unknown */
};

struct sched_job {
	char *name, *schedule, *timezone;
	long timeout;
	long long lock_key; /* advisory lock: name, interval and tickers */
	struct cron cron;
	int removed;        /* gone from the config after SIGHUP, still running */
	time_t next;        /* next fire, 0 when none */
	time_t last_fire;   /* scheduled time of the last handled fire, 0: none */
	int run_now;        /* POST /start?job=NAME or --once */
	int running;
	struct sched_summary last; /* last finished run (start 0: none) */
	struct sched_summary cur;  /* the running one */
	/* counters */
	unsigned long runs_ok, runs_failed, misfires, errors;
	long long rows_inserted, rows_updated, rows_unchanged;
	unsigned long hist[SCHED_NBUCKETS + 1];
	double hist_sum;
	/* main thread only */
	struct sched_pipe *pipe;
	time_t deadline, kill_at;
	int timed_out, killed;
	void *pglock;       /* PGconn holding the advisory lock */
};

struct sched_state {
	pthread_mutex_t mu;
	time_t started;
	int paused, stopping;
	struct sched_job *jobs;
	size_t njobs;
	int wake_fd;        /* write end of the loop's self-pipe */
	const char *config;
};

/* The job named name (not removed), or NULL. */
struct sched_job *sched_find(struct sched_state *st, const char *name);
/* Account a finished run in the job's counters and histogram. */
void sched_account(struct sched_job *j, const struct sched_summary *s);
/* Wake the loop (async-signal-safe). */
void sched_wake(struct sched_state *st);

#endif
