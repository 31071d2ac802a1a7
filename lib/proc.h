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

#endif
