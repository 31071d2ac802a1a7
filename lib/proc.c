#include "proc.h"
#include "exitcode.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int proc_start(struct proc *p, char *const argv[], int want_in, int want_out)
{
	return proc_start_fd(p, argv, want_in, want_out, -1);
}

int proc_start_fd(struct proc *p, char *const argv[], int want_in, int want_out,
		  int errfd)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 };

	memset(p, 0, sizeof(*p));
	if ((want_in && pipe(in) < 0) || (want_out && pipe(out) < 0))
		return -1;
	fflush(NULL);
	p->pid = fork();
	if (p->pid < 0)
		return -1;
	if (p->pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		if (want_in && (dup2(in[0], 0) < 0 || close(in[0]) || close(in[1])))
			_exit(EXIT_NOEXEC);
		if (want_out && (dup2(out[1], 1) < 0 || close(out[0]) || close(out[1])))
			_exit(EXIT_NOEXEC);
		if (errfd >= 0 && dup2(errfd, 2) < 0)
			_exit(EXIT_NOEXEC);
		execvp(argv[0], argv);
		_exit(EXIT_NOEXEC);
	}
	if (want_in) {
		close(in[0]);
		fcntl(in[1], F_SETFD, FD_CLOEXEC);
		p->in = fdopen(in[1], "w");
	}
	if (want_out) {
		close(out[1]);
		fcntl(out[0], F_SETFD, FD_CLOEXEC);
		p->out = fdopen(out[0], "r");
	}
	return 0;
}

int proc_wait(struct proc *p)
{
	int st;

	if (p->in)
		fclose(p->in);
	if (p->out)
		fclose(p->out);
	p->in = p->out = NULL;
	while (waitpid(p->pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

/* Read fp to its end into a malloc'd NUL-terminated buffer. */
static char *slurp(FILE *fp, size_t *len)
{
	size_t cap = 4096, n = 0, r;
	char *buf = xmalloc(cap);

	while ((r = fread(buf + n, 1, cap - n - 1, fp)) > 0) {
		n += r;
		if (n + 1 == cap)
			buf = xrealloc(buf, cap *= 2);
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

int proc_capture(char *const argv[], char **out, size_t *len, char **err)
{
	FILE *errf = err ? tmpfile() : NULL;
	struct proc p;
	int rc;

	*out = NULL;
	if ((err && !errf) ||
	    proc_start_fd(&p, argv, 0, 1, errf ? fileno(errf) : -1) < 0) {
		if (errf)
			fclose(errf);
		return -1;
	}
	*out = slurp(p.out, len);
	rc = proc_wait(&p);
	if (errf) {
		rewind(errf);
		*err = slurp(errf, NULL);
		fclose(errf);
	}
	return *out ? rc : -1;
}

int proc_pipe(int fd[2], int nonblock)
{
	if (pipe(fd) < 0)
		return -1;
	fcntl(fd[0], F_SETFD, FD_CLOEXEC);
	fcntl(fd[1], F_SETFD, FD_CLOEXEC);
	if (nonblock)
		fcntl(fd[0], F_SETFL, O_NONBLOCK);
	return 0;
}

void proc_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void proc_drain_keep(int *fd, char *buf, size_t cap, size_t *len)
{
	char chunk[4096];
	ssize_t r;
	size_t k;

	while ((r = read(*fd, chunk, sizeof(chunk))) > 0) {
		k = cap - 1 - *len;
		if (k > (size_t)r)
			k = (size_t)r;
		memcpy(buf + *len, chunk, k);
		*len += k;
		buf[*len] = '\0';
	}
	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
		proc_close(fd);
}
