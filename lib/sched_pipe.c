#include "sched_pipe.h"
#include "exitcode.h"
#include "proc.h"
#include "sched_fs.h"
#include "sched_state.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

/* The run's side files: each template is spelled here once, used by the
 * stage table below and by sched_file_path() for their readers. */
#define FAILED_FILE "{state}/{run}.failed.csv"
#define PLAN_REJECTS_FILE "{state}/{run}.plan-rejects.csv"
#define STATS_FILE "{state}/{run}.fetch.json"
#define EVENTS_FILE "{state}/{run}.events.csv"
#define REJECTS_FILE "{state}/{run}.rejects.csv"
#define GAPS_FILE "{state}/{run}.gaps.csv"

static const char *const files[SCHED_NFILES] = {
	[SCHED_F_FAILED] = FAILED_FILE,
	[SCHED_F_PLAN_REJECTS] = PLAN_REJECTS_FILE,
	[SCHED_F_STATS] = STATS_FILE,
	[SCHED_F_EVENTS] = EVENTS_FILE,
	[SCHED_F_REJECTS] = REJECTS_FILE,
	[SCHED_F_GAPS] = GAPS_FILE,
};

/*
 * The pipeline.  Values may name {config}, {job}, {shard}, {state} (the
 * state directory), {run} (job and shard as a file name) and {only} (the
 * re-fetch pass: "stale"); an option
 * whose value names an empty one is left out, and a word without a value
 * goes in as it is (a flag, or load-bars' "-").  To add a stage option,
 * add it here: sched-run, the cron wrapper, scripts/run-pipeline, the demo
 * and `make run` all run this table, and scripts/parallel-pipeline runs
 * the stages after sched-plan on every host.  A new side file also goes in
 * files[] above, so its readers (the status page) find it by name.
 *
 * The run's corporate actions travel beside the bars in EVENTS_FILE:
 * normalize-bars writes (truncates) it when it starts and flushes a
 * response's events before that response's bars, validate-bars reads it
 * as it grows (a split explains a price jump), and load-bars reads it
 * once its bars input has ended, so it sees the whole file; "-" makes it
 * read the bars from stdin too.  sched_pipe_start() removes last run's
 * file first.
 */
static const struct stage {
	const char *name;
	const char *opt[4][2]; /* { option, value or NULL for a flag } */
} stages[SCHED_STAGES] = {
	{ "sched-plan", { { "--config", "{config}" }, { "--job", "{job}" },
			  { "--shard", "{shard}" }, { "--only", "{only}" } } },
	{ "fetch-bars", { { "--failed", FAILED_FILE }, { "--rejects", PLAN_REJECTS_FILE },
			  { "--stats", STATS_FILE } } },
	{ "normalize-bars", { { "--events", EVENTS_FILE } } },
	{ "validate-bars", { { "--rejects", REJECTS_FILE }, { "--gaps", GAPS_FILE },
			     { "--events", EVENTS_FILE } } },
	{ "load-bars", { { "--json", NULL }, { "--events", EVENTS_FILE }, { "-", NULL } } },
};

const char *sched_stage_name(int i)
{
	return i >= 0 && i < SCHED_STAGES ? stages[i].name : NULL;
}

const char *sched_state_dir(void)
{
	const char *d = getenv("BARS_STATE_DIR");

	return d && *d ? d : "var/state";
}

void sched_run_name(char *dst, size_t n, const char *job, const char *shard)
{
	char name[256], k[16] = "", of[16] = "";

	sched_fs_name(name, sizeof(name), job);
	if (shard && sscanf(shard, "%15[0-9]/%15[0-9]", k, of) == 2)
		snprintf(dst, n, "%s.shard-%s-of-%s", name, k, of);
	else
		snprintf(dst, n, "%s", name);
}

/* Expand tmpl; NULL when it names a variable that is empty. */
static char *expand(const char *tmpl, const struct sched_spec *s)
{
	char out[8192], run[300] = "";
	const char *names[] = { "{config}", "{job}", "{shard}", "{state}", "{run}", "{only}" };
	const char *vals[6];
	size_t len = 0, i, k;

	if (s->run)
		snprintf(run, sizeof(run), "%s", s->run);
	else if (s->job)
		sched_run_name(run, sizeof(run), s->job, s->shard);
	vals[0] = s->config, vals[1] = s->job, vals[2] = s->shard, vals[3] = s->state_dir;
	vals[4] = run, vals[5] = s->only;
	while (*tmpl && len < sizeof(out) - 1) {
		for (i = 0; i < 6; i++)
			if (!strncmp(tmpl, names[i], strlen(names[i])))
				break;
		if (i == 6) {
			out[len++] = *tmpl++;
			continue;
		}
		if (!vals[i] || !*vals[i])
			return NULL;
		k = strlen(vals[i]);
		if (k > sizeof(out) - 1 - len)
			k = sizeof(out) - 1 - len;
		memcpy(out + len, vals[i], k);
		len += k;
		tmpl += strlen(names[i]);
	}
	out[len] = '\0';
	return xstrdup(out);
}

void sched_argv_build(struct sched_argv *a, const struct sched_spec *s)
{
	char path[4096], *v;
	int i, k, w;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < SCHED_STAGES; i++) {
		const struct stage *st = &stages[i];

		snprintf(path, sizeof(path), "%s%s%s", s->bindir ? s->bindir : "",
			 s->bindir ? "/" : "", st->name);
		w = 0;
		a->argv[i][w++] = xstrdup(path);
		for (k = 0; k < 4 && st->opt[k][0]; k++) {
			v = st->opt[k][1] ? expand(st->opt[k][1], s) : NULL;
			if (st->opt[k][1] && !v)
				continue;
			a->argv[i][w++] = xstrdup(st->opt[k][0]);
			if (v)
				a->argv[i][w++] = v;
		}
	}
	for (k = 0; k < SCHED_NFILES; k++)
		a->file[k] = expand(files[k], s);
}

int sched_file_path(char *dst, size_t n, enum sched_file f, const struct sched_spec *s)
{
	char *p = expand(files[f], s);
	int rc = p && strlen(p) < n ? 0 : -1;

	snprintf(dst, n, "%s", p && !rc ? p : "");
	free(p);
	return rc;
}

void sched_argv_free(struct sched_argv *a)
{
	int i, w;

	for (i = 0; i < SCHED_STAGES; i++)
		for (w = 0; a->argv[i][w]; w++)
			free(a->argv[i][w]);
	for (i = 0; i < SCHED_NFILES; i++)
		free(a->file[i]);
	memset(a, 0, sizeof(*a));
}

/* A word for sh: as is when plainly safe, else in single quotes. */
static void shell_word(FILE *fp, const char *w)
{
	if (*w && strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			    "0123456789@%+=:,./_-") == strlen(w)) {
		fputs(w, fp);
		return;
	}
	fputc('\'', fp);
	for (; *w; w++)
		if (*w == '\'')
			fputs("'\\''", fp);
		else
			fputc(*w, fp);
	fputc('\'', fp);
}

void sched_argv_print(FILE *fp, const struct sched_argv *a, int first)
{
	int i, w;

	for (i = first; i < SCHED_STAGES; i++) {
		if (i > first)
			fputs(" | ", fp);
		for (w = 0; a->argv[i][w]; w++) {
			if (w)
				fputc(' ', fp);
			shell_word(fp, a->argv[i][w]);
		}
	}
	fputc('\n', fp);
}

/*
 * In the child: die with the scheduler, reset what the scheduler changed,
 * wire fds, exec.  Only async-signal-safe calls here: other threads may
 * hold libc locks.
 */
static void child(char *const argv[], pid_t pgid, pid_t parent, const int fd[4])
{
	static const char msg[] = ": cannot execute\n";
	sigset_t none;
	int sig;

	setpgid(0, pgid);
	/* The signal goes when the forking thread dies: the main thread. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(EXIT_NOEXEC);
	for (sig = 1; sig < 32; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(fd[0], 0) < 0 || dup2(fd[1], 1) < 0 || dup2(fd[2], 2) < 0)
		_exit(EXIT_NOEXEC);
	if (fd[3] >= 0 && (dup2(fd[3], 3) < 0 || fcntl(3, F_SETFD, 0) < 0))
		_exit(EXIT_NOEXEC);
	/* The API socket, scheduler lock and log file stay with the scheduler. */
	closefrom(fd[3] >= 0 ? 4 : 3);
	if (strchr(argv[0], '/'))
		execv(argv[0], argv);
	else
		execvp(argv[0], argv);
	if (write(2, argv[0], strlen(argv[0])) < 0 || write(2, msg, sizeof(msg) - 1) < 0)
		_exit(EXIT_NOEXEC);
	_exit(EXIT_NOEXEC);
}



/* Fork the stages; returns how many started (all: SCHED_STAGES). */
static int fork_stages(struct sched_pipe *p, const struct sched_argv *a, int in, int out,
		       int err, int lock_fd, char *why, size_t n)
{
	int link[2], fd[4], i;
	pid_t pid, parent = getpid();

	for (i = 0; i < SCHED_STAGES; i++) {
		link[0] = link[1] = -1;
		if (i < SCHED_STAGES - 1 && proc_pipe(link, 0) < 0) {
			snprintf(why, n, "pipe: %s", strerror(errno));
			break;
		}
		fd[0] = in, fd[1] = i < SCHED_STAGES - 1 ? link[1] : out, fd[2] = err;
		fd[3] = lock_fd;
		pid = fork();
		if (pid < 0) {
			snprintf(why, n, "fork: %s", strerror(errno));
			proc_close(&link[0]), proc_close(&link[1]);
			break;
		}
		if (pid == 0)
			child(a->argv[i], p->pgid, parent, fd);
		if (!p->pgid)
			p->pgid = pid;
		setpgid(pid, p->pgid); /* also in the child: whoever runs first */
		p->pid[i] = pid;
		p->alive++;
		proc_close(&in);
		proc_close(&link[1]);
		in = link[0];
	}
	proc_close(&in);
	return i;
}

int sched_pipe_start(struct sched_pipe *p, const struct sched_argv *a, int lock_fd,
		     char *why, size_t n)
{
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, in, i;

	memset(p, 0, sizeof(*p));
	p->out_fd = p->err_fd = -1;
	for (i = 0; i < SCHED_STAGES; i++)
		p->status[i] = -1;
	/* Never last run's statistics or events. */
	if (a->file[SCHED_F_STATS])
		unlink(a->file[SCHED_F_STATS]);
	if (a->file[SCHED_F_EVENTS])
		unlink(a->file[SCHED_F_EVENTS]);
	in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (in < 0 || proc_pipe(outp, 0) < 0 || proc_pipe(errp, 0) < 0) {
		snprintf(why, n, "pipe: %s", strerror(errno));
		proc_close(&in), proc_close(&outp[0]), proc_close(&outp[1]), proc_close(&errp[0]), proc_close(&errp[1]);
		return -1;
	}
	fflush(NULL);
	i = fork_stages(p, a, in, outp[1], errp[1], lock_fd, why, n);
	proc_close(&outp[1]);
	proc_close(&errp[1]);
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
		proc_close(&p->err_fd);
	}
}

void sched_pipe_drain(struct sched_pipe *p, void (*line)(void *, const char *), void *ctx)
{
	if (p->out_fd >= 0)
		proc_drain_keep(&p->out_fd, p->out, sizeof(p->out), &p->outlen);
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

/* A whole small file, NUL-terminated; NULL when unreadable. */
static char *slurp(const char *path)
{
	char *s = NULL;
	size_t len = 0, k;
	FILE *fp = fopen(path, "r");

	if (!fp)
		return NULL;
	s = xmalloc(SCHED_OUT_MAX);
	while (len < SCHED_OUT_MAX - 1 && (k = fread(s + len, 1, SCHED_OUT_MAX - 1 - len, fp)) > 0)
		len += k;
	s[len] = '\0';
	fclose(fp);
	return s;
}

/* Integer members of a JSON object, by name; missing ones stay -1. */
static void json_counts(const char *text, const char *const *keys, long long *const *dst)
{
	char err[128];
	yajl_val root, v;
	int i;

	if (!text || !(root = yajl_tree_parse(text, err, sizeof(err))))
		return;
	for (i = 0; keys[i]; i++) {
		const char *path[] = { keys[i], NULL };

		v = yajl_tree_get(root, path, yajl_t_number);
		if (v && YAJL_IS_INTEGER(v))
			*dst[i] = YAJL_GET_INTEGER(v);
	}
	yajl_tree_free(root);
}

void sched_pipe_result(const struct sched_pipe *p, const struct sched_argv *a,
		       struct sched_summary *s)
{
	/* load-bars' summary, parsed once: its rows and the stale series. */
	static const char *const row_keys[] = {
		"rows_in", "inserted", "updated", "unchanged", "rejected", "duplicates",
		"stale_series", NULL,
	};
	static const char *const win_keys[] = { "ok", "failed", "bad_rows", NULL };
	long long *const rows[] = { &s->rows.rows_in, &s->rows.inserted, &s->rows.updated,
				    &s->rows.unchanged, &s->rows.rejected, &s->rows.duplicates,
				    &s->stale_series };
	long long *const wins[] = { &s->windows.ok, &s->windows.failed, &s->windows.bad_rows };
	char *stats;

	memcpy(s->status, p->status, sizeof(s->status));
	json_counts(p->outlen ? p->out : NULL, row_keys, rows);
	stats = a->file[SCHED_F_STATS] ? slurp(a->file[SCHED_F_STATS]) : NULL;
	json_counts(stats, win_keys, wins);
	free(stats);
}
