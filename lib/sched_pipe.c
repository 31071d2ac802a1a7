#include "sched_pipe.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

const char *const sched_stage_names[SCHED_STAGES] = {
	"sched-plan", "fetch-bars", "normalize-bars", "validate-bars", "load-bars",
};

/*
 * In the child: reset what the scheduler changed, wire fds, exec.  Only
 * async-signal-safe calls here: the API thread may hold libc locks.
 */
static void child(const char *path, char *const argv[], pid_t pgid, int in, int out, int err)
{
	static const char msg[] = ": cannot execute\n";
	sigset_t none;
	int sig;

	setpgid(0, pgid);
	for (sig = 1; sig < 32; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(127);
	/* The API socket, lock file and log file stay with the scheduler. */
	closefrom(3);
	if (path)
		execv(path, argv);
	else
		execvp(argv[0], argv);
	if (write(2, argv[0], strlen(argv[0])) < 0 || write(2, msg, sizeof(msg) - 1) < 0)
		_exit(127);
	_exit(127);
}

/* pipe2(O_CLOEXEC) is GNU; the scheduler does not fork from other threads. */
static int cpipe(int fd[2])
{
	if (pipe(fd) < 0)
		return -1;
	fcntl(fd[0], F_SETFD, FD_CLOEXEC);
	fcntl(fd[1], F_SETFD, FD_CLOEXEC);
	return 0;
}

static void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int sched_pipe_start(struct sched_pipe *p, const char *bindir, const char *config,
		     const char *job, char *why, size_t n)
{
	char *argv[SCHED_STAGES][6] = {
		{ "sched-plan", "--config", (char *)config, "--job", (char *)job, NULL },
		{ "fetch-bars", NULL },
		{ "normalize-bars", NULL },
		{ "validate-bars", NULL },
		{ "load-bars", "--json", NULL },
	};
	char paths[SCHED_STAGES][4096];
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, link[2], in = -1, i;
	pid_t pid;

	memset(p, 0, sizeof(*p));
	p->out_fd = p->err_fd = -1;
	for (i = 0; i < SCHED_STAGES; i++) {
		p->status[i] = -1;
		if (bindir)
			snprintf(paths[i], sizeof(paths[i]), "%s/%s", bindir, argv[i][0]);
	}
	in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (in < 0 || cpipe(outp) < 0 || cpipe(errp) < 0) {
		snprintf(why, n, "pipe: %s", strerror(errno));
		closep(&in), closep(&outp[0]), closep(&outp[1]), closep(&errp[0]), closep(&errp[1]);
		return -1;
	}
	fflush(NULL);
	for (i = 0; i < SCHED_STAGES; i++) {
		link[0] = link[1] = -1;
		if (i < SCHED_STAGES - 1 && cpipe(link) < 0) {
			snprintf(why, n, "pipe: %s", strerror(errno));
			break;
		}
		pid = fork();
		if (pid < 0) {
			snprintf(why, n, "fork: %s", strerror(errno));
			closep(&link[0]), closep(&link[1]);
			break;
		}
		if (pid == 0)
			child(bindir ? paths[i] : NULL, argv[i], p->pgid, in,
			      i < SCHED_STAGES - 1 ? link[1] : outp[1], errp[1]);
		if (!p->pgid)
			p->pgid = pid;
		setpgid(pid, p->pgid); /* also in the child: whoever runs first */
		p->pid[i] = pid;
		p->alive++;
		closep(&in);
		closep(&link[1]);
		in = link[0];
	}
	closep(&in);
	closep(&outp[1]);
	closep(&errp[1]);
	p->out_fd = outp[0];
	p->err_fd = errp[0];
	fcntl(p->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(p->err_fd, F_SETFL, O_NONBLOCK);
	if (i < SCHED_STAGES) {
		sched_pipe_kill(p, SIGKILL);
		return -1;
	}
	return 0;
}

int sched_pipe_reaped(struct sched_pipe *p, pid_t pid, int ws)
{
	int i;

	for (i = 0; i < SCHED_STAGES; i++) {
		if (p->pid[i] != pid || p->status[i] >= 0)
			continue;
		p->status[i] = WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : WEXITSTATUS(ws);
		p->alive--;
		return 1;
	}
	return 0;
}

static void drain_err(struct sched_pipe *p, void (*line)(void *, const char *), void *ctx)
{
	char buf[4096];
	ssize_t r;
	size_t i;

	while ((r = read(p->err_fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < (size_t)r; i++) {
			if (buf[i] == '\n' || p->errlen == sizeof(p->err) - 1) {
				p->err[p->errlen] = '\0';
				if (p->errlen)
					line(ctx, p->err);
				p->errlen = 0;
				if (buf[i] == '\n')
					continue;
			}
			p->err[p->errlen++] = buf[i];
		}
	}
	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
		if (p->errlen) {
			p->err[p->errlen] = '\0';
			line(ctx, p->err);
			p->errlen = 0;
		}
		closep(&p->err_fd);
	}
}

static void drain_out(struct sched_pipe *p)
{
	char buf[4096];
	ssize_t r;
	size_t k;

	while ((r = read(p->out_fd, buf, sizeof(buf))) > 0) {
		k = (size_t)r;
		if (k > sizeof(p->out) - 1 - p->outlen)
			k = sizeof(p->out) - 1 - p->outlen;
		memcpy(p->out + p->outlen, buf, k);
		p->outlen += k;
		p->out[p->outlen] = '\0';
	}
	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
		closep(&p->out_fd);
}

void sched_pipe_drain(struct sched_pipe *p, void (*line)(void *, const char *), void *ctx)
{
	if (p->out_fd >= 0)
		drain_out(p);
	if (p->err_fd >= 0)
		drain_err(p, line, ctx);
}

void sched_pipe_kill(struct sched_pipe *p, int sig)
{
	if (p->pgid > 0 && p->alive > 0)
		kill(-p->pgid, sig);
}

int sched_pipe_done(const struct sched_pipe *p)
{
	return p->alive == 0 && p->out_fd < 0 && p->err_fd < 0;
}

int sched_pipe_rc(const struct sched_pipe *p)
{
	int i, rc = 0;

	for (i = 0; i < SCHED_STAGES; i++)
		if (p->status[i] > 0)
			rc = p->status[i];
	return rc;
}

static long long find_num(const char *s, const char *key)
{
	char pat[40];
	const char *q;

	snprintf(pat, sizeof(pat), "\"%s\"", key);
	q = strstr(s, pat);
	if (!q)
		return -1;
	q += strlen(pat);
	while (*q == ' ' || *q == ':')
		q++;
	return *q >= '0' && *q <= '9' ? strtoll(q, NULL, 10) : -1;
}

void sched_pipe_rows(const struct sched_pipe *p, long long rows[4])
{
	static const char *keys[4] = { "rows_in", "inserted", "updated", "unchanged" };
	int i;

	for (i = 0; i < 4; i++)
		rows[i] = find_num(p->out, keys[i]);
}
