/*
 * sched_pipe: one run of the five-stage pipeline as child processes
 * connected by pipes, without a shell, in a process group of its own:
 *
 *   sched-plan --config FILE --job NAME | fetch-bars | normalize-bars
 *     | validate-bars | load-bars --json
 *
 * The first stage reads /dev/null.  The last stage's stdout (load-bars'
 * JSON summary) and the merged stderr of every stage come back to the
 * caller as non-blocking pipe fds, to poll() and drain with
 * sched_pipe_drain().  Children are reaped by the caller (waitpid(-1))
 * and handed over with sched_pipe_reaped().
 *
 * Binaries come from bindir when set (BARS_BIN_DIR or the directory of
 * sched-run itself), else from PATH.  Functions return 0 or -1 with a
 * sentence in why[].
 */
#ifndef SCHED_PIPE_H
#define SCHED_PIPE_H

#include <stddef.h>
#include <sys/types.h>

#define SCHED_STAGES 5
#define SCHED_OUT_MAX 65536

extern const char *const sched_stage_names[SCHED_STAGES];

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

int sched_pipe_start(struct sched_pipe *p, const char *bindir, const char *config,
		     const char *job, char *why, size_t n);
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
/* rows_in, inserted, updated, unchanged from load-bars' JSON (or -1). */
void sched_pipe_rows(const struct sched_pipe *p, long long rows[4]);

#endif
