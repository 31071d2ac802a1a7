/*
 * sched_pipe: THE pipeline definition, and one run of it as child
 * processes connected by pipes, without a shell.
 *
 *   sched-plan --config C --job J [--shard K/N] [--only stale]
 *     | fetch-bars --failed S/R.failed.csv --rejects S/R.plan-rejects.csv
 *                  --stats S/R.fetch.json
 *     | normalize-bars --events S/R.events.csv
 *     | validate-bars --rejects S/R.rejects.csv --gaps S/R.gaps.csv
 *                     --events S/R.events.csv
 *     | load-bars --json --events S/R.events.csv -
 *
 * (S the state directory, R the job name as a file name, with
 * ".shard-K-of-N" when sharded, or a name the caller gives.)  The stage
 * table in sched_pipe.c is the only place that lists stages and their
 * options, and its files[] the only place that names a run's side files:
 * sched-run runs it and reads the files back (the status page through
 * sched_file_path()), `sched-run --print-pipeline` prints it for
 * scripts/run-pipeline, the demo and `make run`, `--print-pipeline
 * --chunk` prints the stages after sched-plan for scripts/parallel-pipeline,
 * and the cron wrapper runs sched-run.  An option whose value would be
 * empty (no shard) is left out.
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

/* The side files of a run, as the stage table names them. */
enum sched_file {
	SCHED_F_FAILED,       /* fetch-bars --failed: plan CSV of failed windows */
	SCHED_F_PLAN_REJECTS, /* fetch-bars --rejects: bad plan rows, with a reason */
	SCHED_F_STATS,        /* fetch-bars --stats: window counts (JSON) */
	SCHED_F_EVENTS,       /* normalize-bars --events: the corporate actions */
	SCHED_F_REJECTS,      /* validate-bars --rejects: rejected bars, with a reason */
	SCHED_F_GAPS,         /* validate-bars --gaps: expected bars that are missing */
	SCHED_NFILES
};

/* Stage i's program name ("sched-plan" .. "load-bars"); NULL out of range. */
const char *sched_stage_name(int i);

/* What varies between runs of the one definition. */
struct sched_spec {
	const char *config, *job;
	const char *shard;     /* "K/N", or NULL */
	const char *state_dir; /* failed windows, rejects, fetch statistics */
	const char *bindir;    /* where the stages are; NULL: PATH */
	const char *run;       /* the run's name in file names, used as it is;
				  NULL: sched_run_name(job, shard) */
	const char *only;      /* "stale": the re-fetch pass (sched-plan --only) */
};

/* The expanded definition: argv of every stage (all strings owned). */
struct sched_argv {
	char *argv[SCHED_STAGES][SCHED_MAXARGS + 1];
	char *file[SCHED_NFILES]; /* the run's side files; NULL without a state dir */
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
/* One line: the stages from stage first on (0: all; 1: after sched-plan,
 * for a plan on stdin) as a POSIX shell command, words quoted. */
void sched_argv_print(FILE *fp, const struct sched_argv *a, int first);
/* One side file's path for s into dst (size n): 0, or -1 (dst empty) when
 * it does not fit or s has no state directory. */
int sched_file_path(char *dst, size_t n, enum sched_file f, const struct sched_spec *s);

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
