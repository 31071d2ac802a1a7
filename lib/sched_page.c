#define _GNU_SOURCE /* memfd_create */
#include "sched_page.h"
#include "exitcode.h"
#include "proc.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

void sched_page_init(struct sched_page *p)
{
	memset(p, 0, sizeof(*p));
	p->out_fd = p->err_fd = -1;
	p->status = -1;
}


/*
 * In the child: die with the scheduler, undo what the scheduler set up,
 * keep only stdin, stdout and stderr, exec.  Only async-signal-safe calls:
 * other threads may hold libc locks.
 */
static void child(const char *exe, char *const argv[], pid_t parent, const int fd[3])
{
	static const char msg[] = "sched-run: cannot execute the page renderer\n";
	sigset_t none;
	int sig;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(EXIT_NOEXEC);
	for (sig = 1; sig < 32; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(fd[0], 0) < 0 || dup2(fd[1], 1) < 0 || dup2(fd[2], 2) < 0)
		_exit(EXIT_NOEXEC);
	closefrom(3);
	execv(exe, argv);
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(EXIT_NOEXEC);
	_exit(EXIT_NOEXEC);
}

/* The input as a file the child reads at its pace: never a full pipe. */
static int input_fd(const char *input, size_t n)
{
	int fd = memfd_create("sched-run-page", MFD_CLOEXEC);
	ssize_t w;
	size_t k = 0;

	if (fd < 0)
		return -1;
	while (k < n && (w = write(fd, input + k, n - k)) > 0)
		k += (size_t)w;
	if (k < n || lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}


int sched_page_start(struct sched_page *p, const char *exe, char *const argv[],
		     const char *input, size_t inlen, time_t now, long timeout, char *why,
		     size_t n)
{
	int in = input_fd(input, inlen), out[2] = { -1, -1 }, err[2] = { -1, -1 };
	int fd[3];
	pid_t parent = getpid();

	sched_page_init(p);
	if (in < 0 || proc_pipe(out, 1) < 0 || proc_pipe(err, 1) < 0) {
		snprintf(why, n, "page: %s", strerror(errno));
		proc_close(&in), proc_close(&out[0]), proc_close(&out[1]);
		proc_close(&err[0]), proc_close(&err[1]);
		return -1;
	}
	fd[0] = in, fd[1] = out[1], fd[2] = err[1];
	fflush(NULL);
	p->pid = fork();
	if (p->pid == 0)
		child(exe, argv, parent, fd);
	proc_close(&in), proc_close(&out[1]), proc_close(&err[1]);
	if (p->pid < 0) {
		snprintf(why, n, "page: fork: %s", strerror(errno));
		proc_close(&out[0]), proc_close(&err[0]);
		sched_page_init(p);
		return -1;
	}
	p->out_fd = out[0];
	p->err_fd = err[0];
	p->deadline = now + timeout;
	return 0;
}

int sched_page_busy(const struct sched_page *p)
{
	return p->pid > 0;
}

static void drain_out(struct sched_page *p)
{
	ssize_t r;

	for (;;) {
		if (p->outcap - p->outlen < 65536) {
			p->outcap = p->outcap * 2 + 65536;
			p->out = xrealloc(p->out, p->outcap);
		}
		r = read(p->out_fd, p->out + p->outlen, p->outcap - p->outlen);
		if (r <= 0)
			break;
		p->outlen += (size_t)r;
	}
	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
		proc_close(&p->out_fd);
}

void sched_page_tend(struct sched_page *p, time_t now)
{
	if (p->pid <= 0)
		return;
	if (p->out_fd >= 0)
		drain_out(p);
	if (p->err_fd >= 0)
		proc_drain_keep(&p->err_fd, p->err, sizeof(p->err), &p->errlen);
	if (p->status < 0 && !p->killed && (now >= p->deadline || p->outlen > SCHED_PAGE_MAX)) {
		kill(p->pid, SIGKILL);
		p->killed = p->outlen > SCHED_PAGE_MAX ? 2 : 1;
	}
}

int sched_page_reaped(struct sched_page *p, pid_t pid, int wstatus)
{
	if (p->pid <= 0 || pid != p->pid || p->status >= 0)
		return 0;
	p->status = wstatus;
	return 1;
}

int sched_page_done(const struct sched_page *p)
{
	return p->pid > 0 && p->status >= 0 && p->out_fd < 0 && p->err_fd < 0;
}

char *sched_page_take(struct sched_page *p, size_t *len, char *why, size_t n)
{
	char *page = NULL;
	int ws = p->status;

	*len = 0;
	p->err[strcspn(p->err, "\n")] = '\0';
	if (p->killed == 2)
		snprintf(why, n, "killed: the page grew beyond %ld bytes", SCHED_PAGE_MAX);
	else if (p->killed)
		snprintf(why, n, "killed: no page within its deadline");
	else if (WIFSIGNALED(ws))
		snprintf(why, n, "killed by signal %d", WTERMSIG(ws));
	else if (WEXITSTATUS(ws) != 0 || !p->outlen)
		snprintf(why, n, "%s", *p->err ? p->err : "exited without a page");
	else
		page = p->out, *len = p->outlen, page[*len] = '\0', p->out = NULL;
	free(p->out);
	sched_page_init(p);
	return page;
}

void sched_page_stop(struct sched_page *p)
{
	if (p->pid > 0 && p->status < 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
	}
	proc_close(&p->out_fd);
	proc_close(&p->err_fd);
	free(p->out);
	sched_page_init(p);
}
