/*
 * sched_pipe: THE pipeline definition, and one run of it as child
 * processes connected by pipes, without a shell.
 *
 *   sched-plan --config C --job J [--shard K/N] [--only stale]
 *     | fetch-bars --failed S/R.failed.csv --rejects S/R.plan-rejects.csv
 *                  --stats S/R.fetch.json
 *     | normalize-bars --events S/R.events.csv
 *     | validate-bars --rejects S/R.rejects.csv --events S/R.events.csv
 *     | load-bars --json --events S/R.events.csv -
 *
 * (S the state directory, R the job name as a file name, with
 * ".shard-K-of-N" when sharded.)  The stage table in sched_pipe.c is the
 * only place that lists stages and their options: sched-run runs it,
 * `sched-run --print-pipeline` prints it for scripts/run-pipeline, the
 * demo and `make run`, and the cron wrapper runs sched-run.  An option
 * whose value would be empty (no shard) is left out.
 *
 * The re-fetch pass: when a run leaves series that a corporate action
 * made stale (load-bars' stale_series: typically the run that first sees a
 * split or dividend), they are fetched again whole by the same pipeline
 * with "--only stale", right away, so a run does not end with a stale
 * series while the provider answers (see lib/refetch).
 *
 * A run: every stage is in one new process group, dies with the scheduler
 * (PR_SET_PDEATHSIG; stages are forked by the main thread only), reads
 * /dev/null (first stage) and inherits the job's lock file on fd 3, so
 * the job stays locked while any stage (or a child of one) lives.  The
 * last stage's stdout (load-bars' JSON summary) and the merged stderr of
 * every stage come back as non-blocking pipe fds, to poll() and drain with
 * sched_pipe_drain().  Children are reaped by the caller (waitpid(-1)) and
 * handed over with sched_pipe_reaped().
 *
 * Functions return 0 or -1 with a sentence in why[].
 */
#ifndef SCHED_PIPE_H
#define SCHED_PIPE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define SCHED_STAGES 5
#define SCHED_OUT_MAX 65536
#define SCHED_MAXARGS 16

extern const char *const sched_stage_names[SCHED_STAGES];

/* What varies between runs of the one definition. */
struct sched_spec {
	const char *config, *job;
	const char *shard;     /* "K/N", or NULL */
	const char *state_dir; /* failed windows, rejects, fetch statistics */
	const char *bindir;    /* where the stages are; NULL: PATH */
	const char *only;      /* "stale": the re-fetch pass (sched-plan --only) */
};

/* The expanded definition: argv of every stage (all strings owned). */
struct sched_argv {
	char *argv[SCHED_STAGES][SCHED_MAXARGS + 1];
	char *stats;  /* fetch-bars' statistics file */
	char *events; /* the run's corporate actions (events CSV) */
};

struct sched_pipe {
	pid_t pid[SCHED_STAGES];
	int status[SCHED_STAGES]; /* exit status, 128+signal, -1 while running */
	int alive;                /* stages not yet reaped */
	pid_t pgid;
	int out_fd, err_fd;       /* -1 once closed */
	char out[SCHED_OUT_MAX];  /* load-bars stdout, truncated */
	size_t outlen;
	char err[2048];           /* partial stderr line */
	size_t errlen;
};

struct sched_summary;

/* The state directory: $BARS_STATE_DIR, else var/state. */
const char *sched_state_dir(void);
/* The run's name in file names: job, plus ".shard-K-of-N". */
void sched_run_name(char *dst, size_t n, const char *job, const char *shard);
void sched_argv_build(struct sched_argv *a, const struct sched_spec *s);
void sched_argv_free(struct sched_argv *a);
/* One line: the pipeline as a POSIX shell command, words quoted. */
void sched_argv_print(FILE *fp, const struct sched_argv *a);

/* Start a run; lock_fd (or -1) becomes every stage's fd 3. */
int sched_pipe_start(struct sched_pipe *p, const struct sched_argv *a, int lock_fd,
		     char *why, size_t n);
/* Record the status of pid if it is one of ours; returns 1 if so. */
int sched_pipe_reaped(struct sched_pipe *p, pid_t pid, int wstatus);
/* Read what is available on out_fd and err_fd; each complete stderr line
 * goes to line(ctx, text).  Closes an fd at EOF. */
void sched_pipe_drain(struct sched_pipe *p, void (*line)(void *, const char *), void *ctx);
void sched_pipe_kill(struct sched_pipe *p, int sig);
/* Done when every stage is reaped and both fds are closed. */
int sched_pipe_done(const struct sched_pipe *p);
/* Status the way `set -o pipefail` gives it: the rightmost non-zero. */
int sched_pipe_rc(const struct sched_pipe *p);
/*
 * Fill s->status, s->rows (load-bars' JSON summary) and s->windows
 * (fetch-bars' statistics), both parsed with yajl; counts stay -1 when a
 * summary is missing or malformed.
 */
void sched_pipe_result(const struct sched_pipe *p, const struct sched_argv *a,
		       struct sched_summary *s);

#endif
