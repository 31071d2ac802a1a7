/*
 * proc: child processes without a shell.
 *
 * Arguments go straight to execvp(), so file names and symbols are never
 * interpreted by a shell.  Functions return 0 or -1 with errno set.
 */
#ifndef PROC_H
#define PROC_H

#include <stdio.h>
#include <sys/types.h>

struct proc {
	pid_t pid;
	FILE *in;  /* child's stdin, or NULL when not requested */
	FILE *out; /* child's stdout, or NULL when not requested */
};

/*
 * Start argv[0] (looked up in PATH).  With want_in/want_out set, the child's
 * stdin/stdout become pipes available as p->in / p->out; otherwise they are
 * inherited.  stderr is always inherited.
 */
int proc_start(struct proc *p, char *const argv[], int want_in, int want_out);
/* Like proc_start(), with the child's stderr on errfd when errfd >= 0. */
int proc_start_fd(struct proc *p, char *const argv[], int want_in, int want_out,
		  int errfd);
/*
 * Close p->in and p->out (if open) and wait.  Returns the exit status
 * (0-255), 128+signal when killed, or -1 when waiting failed.
 */
int proc_wait(struct proc *p);

/*
 * Run argv, capture its whole stdout into a malloc'd NUL-terminated buffer
 * (*out, caller frees).  With err non-NULL the child's stderr is captured
 * the same way into *err (caller frees) instead of being inherited, so the
 * caller can fold it into its own message.  Returns the exit status as
 * proc_wait(), or -1 when the child could not be started.
 */
int proc_capture(char *const argv[], char **out, size_t *len, char **err);

/*
 * For callers that fork and poll() themselves (sched-run's pipelines and
 * status page).  proc_pipe: a pipe with both ends close-on-exec (pipe2 is
 * GNU), the read end non-blocking when nonblock is set.  proc_close:
 * close *fd when open and set it to -1.  proc_drain_keep: read a
 * non-blocking *fd until it would block, keeping the first cap - 1 bytes
 * in buf (NUL-terminated, *len bytes so far) and reading the rest away;
 * at end of file or on an error *fd is closed (-1).
 */
int proc_pipe(int fd[2], int nonblock);
void proc_close(int *fd);
void proc_drain_keep(int *fd, char *buf, size_t cap, size_t *len);

#endif
