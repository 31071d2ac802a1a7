/*
 * sched_state: what sched-run knows about its jobs, shared between the
 * scheduling loop (main thread), the HTTP API thread and the lock worker.
 * Every field is read and written under mu; the API only reads, except
 * that it may set the paused flags, a job's run_now and page_stale and then
 * poke wake_fd so the loop notices.
 *
 * Counters are named structs (struct sched_rows, struct sched_windows,
 * struct sched_totals); lib/sched_metrics turns them into the one metric
 * vocabulary of /metrics and the cron textfile.  Times are UTC epoch
 * seconds, 0 when unknown.
 */
#ifndef SCHED_STATE_H
#define SCHED_STATE_H

#include <pthread.h>
#include <time.h>

#include "cron.h"
#include "sched_pipe.h"

#define SCHED_NBUCKETS 10
extern const double sched_buckets[SCHED_NBUCKETS]; /* seconds, +Inf implied */

/* How a run ended; names in sched_outcome_names (metric label values). */
enum sched_outcome {
	SCHED_OK,       /* every stage exited 0 */
	SCHED_FAILED,   /* a stage exited non-zero */
	SCHED_TIMEOUT,  /* the job's timeout killed it */
	SCHED_KILLED,   /* killed at shutdown */
	SCHED_ERROR,    /* could not start: database, fork, config */
	SCHED_NOUTCOMES
};
extern const char *const sched_outcome_names[SCHED_NOUTCOMES];

/* Why a fire did not run; names in sched_misfire_names. */
enum sched_misfire {
	SCHED_MIS_OVERLAP,  /* the previous run of the job still lives here */
	SCHED_MIS_LATE,     /* noticed later than --misfire-grace */
	SCHED_MIS_ELSEWHERE,/* another host holds the job's advisory lock */
	SCHED_NMISFIRES
};
extern const char *const sched_misfire_names[SCHED_NMISFIRES];

/* Rows of one run as load-bars --json reports them; -1: unknown. */
struct sched_rows {
	long long rows_in, inserted, updated, unchanged, rejected, duplicates;
};

/* Windows of one run as fetch-bars --stats reports them; -1: unknown. */
struct sched_windows {
	long long ok, failed, bad_rows;
};

struct sched_summary {
	time_t start, end;              /* end 0 while running */
	enum sched_outcome outcome;
	int rc;                         /* pipefail status, 124 on timeout */
	int status[SCHED_STAGES];       /* -1: not run / unknown */
	struct sched_rows rows;
	struct sched_windows windows;
	/* series the run read that a corporate action leaves stale
	 * (load-bars' stale_series); -1: unknown.  Not zero: a re-fetch pass. */
	long long stale_series;
};

/* Everything the metrics export for a job.  Doubles, as Prometheus
 * stores them; the cron textfile adds a run's totals to the file's. */
struct sched_totals {
	double runs[SCHED_NOUTCOMES];
	double misfires[SCHED_NMISFIRES];
	struct { double inserted, updated, unchanged, rejected, duplicates; } rows;
	struct { double ok, failed, bad_rows; } windows;
	double hist[SCHED_NBUCKETS + 1]; /* cumulative; [SCHED_NBUCKETS] is +Inf */
	double hist_sum;
	double last_run, last_success;   /* end of the last (successful) run */
	double last_rc;                  /* exit status of the last run */
};

enum sched_phase { SCHED_IDLE, SCHED_LOCKING, SCHED_RUNNING };

struct sched_ticket;

struct sched_job {
	char *name, *schedule, *timezone;
	const char *shard;  /* "K/N" for the whole process, or NULL */
	long timeout;
	long long lock_key; /* advisory lock: name, interval, tickers, shard */
	struct cron cron;
	int removed;        /* gone from the config after SIGHUP, still running */
	int paused;         /* POST /stop?job=NAME */
	time_t next;        /* next fire, 0 when none */
	time_t last_fire;   /* scheduled time of the last handled fire, 0: none */
	int run_now;        /* POST /start?job=NAME or --once */
	int running;        /* phase != SCHED_IDLE, for readers */
	enum sched_phase phase;
	struct sched_summary last; /* last finished run (start 0: none) */
	struct sched_summary cur;  /* the running one */
	struct sched_totals tot;
	/* main thread only */
	const char *trigger;
	struct sched_pipe *pipe;
	int lock_fd;        /* per-job lock file, until the pipeline holds it */
	struct sched_ticket *ticket; /* advisory lock attempt or session */
	time_t deadline, kill_at;
	int timed_out, killed;
	int refetch;        /* this run is the re-fetch pass (sched-plan --only stale) */
};

struct sched_state {
	pthread_mutex_t mu;
	time_t started;
	int paused, stopping;
	struct sched_job *jobs;
	size_t njobs;
	int wake_fd;        /* write end of the loop's self-pipe */
	const char *config;
	/* The status page served at "/": made by sched-run's page process
	 * (lib/sched_page), replaced whole by the loop, copied by the API. */
	char *page;         /* NULL until the first render */
	size_t page_len;
	time_t page_at;     /* when it was rendered */
	int page_stale;     /* render again: a run ended, an old page was asked for */
};

/* The job named name (not removed), or NULL. */
struct sched_job *sched_find(struct sched_state *st, const char *name);
/* A summary with every count unknown, started at start. */
void sched_summary_init(struct sched_summary *s, time_t start);
/* Account a finished run (or one that could not start) in the totals. */
void sched_account(struct sched_totals *t, const struct sched_summary *s);
/* runs_failed and errors as /jobs reports them. */
double sched_runs_failed(const struct sched_totals *t);
double sched_misfires(const struct sched_totals *t);
/* Replace the status page with page (malloc'd, len bytes; owned from now
 * on), rendered at at.  NULL frees it.  Call with mu held. */
void sched_set_page(struct sched_state *st, char *page, size_t len, time_t at);
/* Wake the loop (async-signal-safe). */
void sched_wake(struct sched_state *st);

#endif
