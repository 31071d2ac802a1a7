/*
 * sched-run: run the stockbars pipeline on cron schedules, one process
 * for every job of a config, with an HTTP control API.
 *
 * Each fire runs sched-plan | fetch-bars | normalize-bars | validate-bars
 * | load-bars as child processes in a process group of their own (see
 * lib/sched_pipe.h).  One main loop owns the jobs; it sleeps in poll() on
 * a self-pipe (signals, API requests) and the running pipelines' output,
 * so no fire is ever late by more than the time to notice it.
 */
#include "bt.h"
#include "cfg.h"
#include "cron.h"
#include "exitcode.h"
#include "http_api.h"
#include "msg.h"
#include "sched_lock.h"
#include "sched_log.h"
#include "sched_pipe.h"
#include "sched_state.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libpq-fe.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>


#define KILL_AFTER 5 /* seconds between SIGTERM and SIGKILL */

static struct {
	const char *config, *lock_file, *state_file, *log_file, *listen, *token_file;
	const char *tls_cert, *tls_key;
	const char *job;
	long grace, misfire_grace, timeout, rate;
	int once, check, no_api;
} o = { .log_file = "logs/scheduler.log", .listen = "127.0.0.1:8640", .grace = 30,
	.misfire_grace = 60, .timeout = 3600, .rate = 10 };

static struct sched_state st = { .mu = PTHREAD_MUTEX_INITIALIZER, .wake_fd = -1 };
static volatile sig_atomic_t got_term, got_hup;
static int wake_rd = -1;
static char bindir_buf[PATH_MAX], *bindir;
static int once_rc = -1;

static void usage(int code)
{
	fprintf(code ? stderr : stdout,
		"usage: sched-run [--check | --once] [--job NAME] [--lock-file FILE]\n"
		"                 [--state-file FILE] [--log-file FILE] [--grace SEC]\n"
		"                 [--misfire-grace SEC]\n"
		"                 [--timeout SEC] [--listen HOST:PORT | --no-api]\n"
		"                 [--token-file FILE] [--tls-cert FILE --tls-key FILE]\n"
		"                 [--rate-limit N] CONFIG\n"
		"       sched-run -h | --help | --version\n");
	exit(code);
}

static void on_signal(int sig)
{
	int e = errno;

	if (sig == SIGTERM || sig == SIGINT)
		got_term = 1;
	else if (sig == SIGHUP)
		got_hup = 1;
	sched_wake(&st);
	errno = e;
}

static void setup_signals(void)
{
	struct sigaction sa;
	int p[2];

	if (pipe(p) < 0)
		msg_die(EXIT_FATAL, "pipe: %s", strerror(errno));
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	fcntl(p[0], F_SETFD, FD_CLOEXEC);
	fcntl(p[1], F_SETFD, FD_CLOEXEC);
	wake_rd = p[0];
	st.wake_fd = p[1];
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static long num_arg(const char *opt, const char *s, long min)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || !*s || v < min) {
		msg_err("%s: want an integer >= %ld: %s", opt, min, s);
		usage(EXIT_USAGE);
	}
	return v;
}

static void parse_args(int argc, char **argv)
{
	enum { O_VERSION = 256, O_LOCK, O_LOG, O_GRACE, O_MISFIRE, O_TIMEOUT, O_LISTEN,
	       O_NOAPI, O_TOKEN, O_CERT, O_KEY, O_RATE, O_JOB, O_CHECK, O_ONCE, O_STATE };
	static const struct option lo[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ "check", no_argument, NULL, O_CHECK },
		{ "once", no_argument, NULL, O_ONCE },
		{ "state-file", required_argument, NULL, O_STATE },
		{ "job", required_argument, NULL, O_JOB },
		{ "lock-file", required_argument, NULL, O_LOCK },
		{ "log-file", required_argument, NULL, O_LOG },
		{ "grace", required_argument, NULL, O_GRACE },
		{ "misfire-grace", required_argument, NULL, O_MISFIRE },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "listen", required_argument, NULL, O_LISTEN },
		{ "no-api", no_argument, NULL, O_NOAPI },
		{ "token-file", required_argument, NULL, O_TOKEN },
		{ "tls-cert", required_argument, NULL, O_CERT },
		{ "tls-key", required_argument, NULL, O_KEY },
		{ "rate-limit", required_argument, NULL, O_RATE },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'h': usage(EXIT_OK); break;
		case O_VERSION: msg_version(); break;
		case O_CHECK: o.check = 1; break;
		case O_ONCE: o.once = 1; break;
		case O_STATE: o.state_file = optarg; break;
		case O_JOB: o.job = optarg; break;
		case O_LOCK: o.lock_file = optarg; break;
		case O_LOG: o.log_file = optarg; break;
		case O_GRACE: o.grace = num_arg("--grace", optarg, 0); break;
		case O_MISFIRE: o.misfire_grace = num_arg("--misfire-grace", optarg, 0); break;
		case O_TIMEOUT: o.timeout = num_arg("--timeout", optarg, 0); break;
		case O_LISTEN: o.listen = optarg; break;
		case O_NOAPI: o.no_api = 1; break;
		case O_TOKEN: o.token_file = optarg; break;
		case O_CERT: o.tls_cert = optarg; break;
		case O_KEY: o.tls_key = optarg; break;
		case O_RATE: o.rate = num_arg("--rate-limit", optarg, 0); break;
		default: usage(EXIT_USAGE);
		}
	}
	if (optind != argc - 1 || (o.check && o.once) || (!o.tls_cert != !o.tls_key) ||
	    !*argv[optind])
		usage(EXIT_USAGE);
	o.config = argv[optind];
}

/* ---- jobs and config ---------------------------------------------------- */

static void job_free(struct sched_job *j)
{
	free(j->name);
	free(j->schedule);
	free(j->timezone);
	free(j->pipe);
}

/* Fill a job from a config entry; -1 with why[] on a bad schedule. */
static int job_from_cfg(struct sched_job *j, const struct cfg_job *c, int need_schedule,
			char *why, size_t n)
{
	char err[200];

	memset(j, 0, sizeof(*j));
	j->name = xstrdup(c->name);
	j->timezone = xstrdup(c->timezone);
	j->schedule = c->schedule ? xstrdup(c->schedule) : NULL;
	j->timeout = c->timeout > 0 ? c->timeout : o.timeout;
	j->lock_key = sched_lock_key(c);
	if (!j->schedule) {
		if (!need_schedule)
			return 0;
		snprintf(why, n, "job %s: no \"schedule\" (a cron expression such as "
			 "\"*/5 9-15 * * 1-5\")", c->name);
		return -1;
	}
	if (cron_parse(j->schedule, &j->cron, err, sizeof(err)) < 0) {
		snprintf(why, n, "job %s: schedule \"%s\": %s", c->name, j->schedule, err);
		return -1;
	}
	return 0;
}

/* Load the config into a new job array; -1 with why[]. */
static int load_jobs(struct sched_job **out, size_t *nout, char *why, size_t n)
{
	struct cfg c;
	struct sched_job *jobs;
	size_t i, k = 0;
	char err[400];

	if (cfg_load(o.config, &c, why, n) < 0)
		return -1;
	jobs = xcalloc(c.njobs, sizeof(*jobs));
	for (i = 0; i < c.njobs; i++) {
		if (cfg_job(&c, c.jobs[i].name) != &c.jobs[i]) {
			snprintf(why, n, "%s: job %s: duplicate name", o.config, c.jobs[i].name);
			goto fail;
		}
		if (o.job && strcmp(o.job, c.jobs[i].name) != 0)
			continue;
		if (job_from_cfg(&jobs[k++], &c.jobs[i], !o.once, err, sizeof(err)) < 0) {
			snprintf(why, n, "%s: %s", o.config, err);
			goto fail;
		}
	}
	if (k == 0) {
		snprintf(why, n, "%s: no job named '%s'", o.config, o.job ? o.job : "");
		goto fail;
	}
	cfg_free(&c);
	*out = jobs;
	*nout = k;
	return 0;
fail:
	for (i = 0; i < k; i++)
		job_free(&jobs[i]);
	free(jobs);
	cfg_free(&c);
	return -1;
}

static void iso(time_t t, char *buf)
{
	if (t)
		bt_format_iso(t, buf);
	else
		strcpy(buf, "none");
}

static void schedule_next(struct sched_job *j, time_t now)
{
	char buf[BT_ISO_LEN];

	j->next = 0;
	if (!j->schedule || j->removed)
		return;
	if (cron_next(&j->cron, j->timezone, now, &j->next) < 0) {
		j->next = 0;
		slog(MSG_WARN, "never_fires", "job", j->name, "schedule", j->schedule, NULL);
		return;
	}
	iso(j->next, buf);
	slog(MSG_DEBUG, "next_fire", "job", j->name, "at", buf, NULL);
}

/* --check: the next five fires of every job, local and UTC. */
static int check(struct sched_job *jobs, size_t n)
{
	char local[64], utc[BT_ISO_LEN];
	time_t t, now = bt_now();
	struct tm tm;
	size_t i;
	int k, rc = EXIT_OK;

	for (i = 0; i < n; i++) {
		printf("job %s: \"%s\" in %s\n", jobs[i].name, jobs[i].schedule, jobs[i].timezone);
		for (t = now, k = 0; k < 5; k++) {
			if (cron_next(&jobs[i].cron, jobs[i].timezone, t, &t) < 0) {
				msg_err("%s: job %s: schedule \"%s\" never fires", o.config,
					jobs[i].name, jobs[i].schedule);
				rc = EXIT_USAGE;
				break;
			}
			bt_local_tm(jobs[i].timezone, t, &tm);
			strftime(local, sizeof(local), "%Y-%m-%d %H:%M %Z", &tm);
			printf("  %-24s %s\n", local, bt_format_iso(t, utc));
		}
	}
	return rc;
}

/* ---- locks ------------------------------------------------------------- */

static int lock_file(void)
{
	char path[PATH_MAX], pid[32];
	int fd;

	if (o.lock_file)
		snprintf(path, sizeof(path), "%s", o.lock_file);
	else
		snprintf(path, sizeof(path), "%s.lock", o.config);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		msg_die(EXIT_USAGE, "%s: %s (choose another with --lock-file)", path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK) {
			ssize_t k = pread(fd, pid, sizeof(pid) - 1, 0);

			pid[k > 0 ? k : 0] = '\0';
			pid[strcspn(pid, "\n")] = '\0';
			msg_die(EXIT_FATAL, "%s: another sched-run holds the lock%s%s", path,
				*pid ? " (pid " : "", *pid ? strcat(pid, ")") : "");
		}
		msg_die(EXIT_FATAL, "%s: flock: %s", path, strerror(errno));
	}
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, strlen(pid), 0) < 0) {
		/* the lock is what matters; the pid is a courtesy */
	}
	return fd;
}


/*
 * With DATABASE_URL set, hold pg_try_advisory_lock(key) for the run so a
 * second host with the same config does not run the job too.  Returns 0
 * (lock held or no database), 1 when another session holds it, -1 on a
 * database error.
 */
static int advisory_lock(struct sched_job *j)
{
	const char *url = getenv("DATABASE_URL");
	char key[32], masked[512];
	const char *params[1] = { key };
	PGconn *c;
	PGresult *r;
	int rc;

	j->pglock = NULL;
	if (!url || !*url)
		return 0;
	{
		/* a bounded wait: the loop holds the state lock meanwhile */
		const char *kw[] = { "dbname", "connect_timeout", NULL };
		const char *val[] = { url, "5", NULL };

		c = PQconnectdbParams(kw, val, 1);
	}
	if (PQstatus(c) != CONNECTION_OK) {
		msg_mask_url(masked, sizeof(masked), url);
		slog(MSG_ERROR, "advisory_lock", "job", j->name, "database", masked, "error",
		     PQerrorMessage(c), NULL);
		PQfinish(c);
		return -1;
	}
	snprintf(key, sizeof(key), "%lld", j->lock_key);
	r = PQexecParams(c, "SELECT pg_try_advisory_lock($1::bigint)", 1, NULL, params, NULL,
			 NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		slog(MSG_ERROR, "advisory_lock", "job", j->name, "error", PQerrorMessage(c), NULL);
		rc = -1;
	} else {
		rc = PQgetvalue(r, 0, 0)[0] == 't' ? 0 : 1;
	}
	PQclear(r);
	if (rc == 0)
		j->pglock = c;
	else
		PQfinish(c);
	return rc;
}

static void advisory_unlock(struct sched_job *j)
{
	if (j->pglock)
		PQfinish(j->pglock); /* ending the session releases its locks */
	j->pglock = NULL;
}

/* ---- runs -------------------------------------------------------------- */

static void start_run(struct sched_job *j, const char *why_run, time_t now)
{
	char err[256];
	int rc;

	rc = advisory_lock(j);
	if (rc != 0) {
		if (rc > 0) {
			j->misfires++;
			slog(MSG_WARN, "misfire", "job", j->name, "reason", "locked_elsewhere", NULL);
		} else {
			j->errors++;
		}
		if (o.once && once_rc <= 0)
			once_rc = rc > 0 ? EXIT_FATAL : EXIT_FATAL;
		return;
	}
	if (!j->pipe)
		j->pipe = xmalloc(sizeof(*j->pipe));
	if (sched_pipe_start(j->pipe, bindir, o.config, j->name, err, sizeof(err)) < 0) {
		j->errors++;
		slog(MSG_ERROR, "run_error", "job", j->name, "error", err, NULL);
		advisory_unlock(j);
		if (o.once && once_rc <= 0)
			once_rc = EXIT_FATAL;
		return;
	}
	memset(&j->cur, 0, sizeof(j->cur));
	memset(j->cur.status, -1, sizeof(j->cur.status));
	memset(j->cur.rows, -1, sizeof(j->cur.rows));
	j->cur.start = now;
	j->running = 1;
	j->timed_out = j->killed = 0;
	j->deadline = j->timeout > 0 ? now + j->timeout : 0;
	j->kill_at = 0;
	snprintf(err, sizeof(err), "%ld", (long)j->pipe->pgid);
	slog(MSG_INFO, "run_start", "job", j->name, "trigger", why_run, "pgid", err, NULL);
}

static void finish_run(struct sched_job *j, time_t now)
{
	struct sched_summary *s = &j->cur;
	char dur[32], rc[16], stages[64], rows[4][24];
	int i;

	s->end = now;
	memcpy(s->status, j->pipe->status, sizeof(s->status));
	sched_pipe_rows(j->pipe, s->rows);
	s->rc = j->timed_out ? EXIT_TIMEOUT : sched_pipe_rc(j->pipe);
	snprintf(s->outcome, sizeof(s->outcome), "%s", j->timed_out ? "timeout" : j->killed ?
		 "killed" : s->rc ? "failed" : "ok");
	sched_account(j, s);
	if (s->rc)
		j->errors++;
	advisory_unlock(j);
	j->last = *s;
	j->running = 0;
	snprintf(dur, sizeof(dur), "%lld", (long long)(s->end - s->start));
	snprintf(rc, sizeof(rc), "%d", s->rc);
	for (i = 0, stages[0] = '\0'; i < SCHED_STAGES; i++)
		snprintf(stages + strlen(stages), sizeof(stages) - strlen(stages), "%s%d",
			 i ? "," : "", s->status[i]);
	for (i = 0; i < 4; i++)
		snprintf(rows[i], sizeof(rows[i]), "%lld", s->rows[i]);
	slog(s->rc ? MSG_ERROR : MSG_INFO, "run_end", "job", j->name, "outcome", s->outcome,
	     "exit", rc, "stages", stages, "duration_s", dur, "rows_in", rows[0],
	     "inserted", rows[1], "updated", rows[2], "unchanged", rows[3], NULL);
	if (o.once && (once_rc <= 0))
		once_rc = s->rc;
}

/* A stage's stderr line, logged with its own level when it says one. */
static void stage_line(void *ctx, const char *line)
{
	struct sched_job *j = ctx;
	enum msg_level lvl = MSG_ERROR;

	if (strstr(line, ": debug: "))
		lvl = MSG_DEBUG;
	else if (strstr(line, ": info: "))
		lvl = MSG_INFO;
	else if (strstr(line, ": warn: ") || strstr(line, ": warning: "))
		lvl = MSG_WARN;
	else if (!strncmp(line, "load-bars: rows_in=", 19))
		lvl = MSG_INFO;
	slog(lvl, "stage", "job", j->name, "line", line, NULL);
}

static void reap(void)
{
	pid_t pid;
	size_t i;
	int ws;

	while ((pid = waitpid(-1, &ws, WNOHANG)) > 0)
		for (i = 0; i < st.njobs; i++)
			if (st.jobs[i].running && sched_pipe_reaped(st.jobs[i].pipe, pid, ws))
				break;
}

/* Drain output, finish what ended, enforce timeouts. */
static void tend_runs(time_t now)
{
	struct sched_job *j;
	size_t i;
	char t[16];

	reap();
	for (i = 0; i < st.njobs; i++) {
		j = &st.jobs[i];
		if (!j->running)
			continue;
		sched_pipe_drain(j->pipe, stage_line, j);
		if (sched_pipe_done(j->pipe)) {
			finish_run(j, now);
			continue;
		}
		if (j->deadline && now >= j->deadline && !j->timed_out) {
			j->timed_out = 1;
			j->kill_at = now + KILL_AFTER;
			snprintf(t, sizeof(t), "%ld", j->timeout);
			slog(MSG_ERROR, "timeout", "job", j->name, "timeout_s", t, NULL);
			sched_pipe_kill(j->pipe, SIGTERM);
		}
		if (j->kill_at && now >= j->kill_at) {
			sched_pipe_kill(j->pipe, SIGKILL);
			j->kill_at = now + KILL_AFTER;
		}
	}
}

/*
 * The last handled fire of each job survives a restart in a state file
 * (default CONFIG.state; lines "NAME TAB EPOCH"), so a fire missed while the
 * scheduler was stopped is noticed at start and goes through the same
 * misfire rule as one missed while the host slept: once within the grace,
 * else logged and skipped.  Written atomically after every fire.
 */
static char state_path[PATH_MAX];

static void state_load(void)
{
	char name[256];
	long long at;
	FILE *fp;
	size_t i;

	snprintf(state_path, sizeof(state_path), "%s", o.state_file ? o.state_file : "");
	if (!o.state_file)
		snprintf(state_path, sizeof(state_path), "%s.state", o.config);
	fp = fopen(state_path, "r");
	if (!fp)
		return;
	while (fscanf(fp, "%255[^\t\n]\t%lld\n", name, &at) == 2)
		for (i = 0; i < st.njobs; i++)
			if (strcmp(st.jobs[i].name, name) == 0)
				st.jobs[i].last_fire = (time_t)at;
	fclose(fp);
}

static void state_save(void)
{
	char tmp[PATH_MAX + 8];
	FILE *fp;
	size_t i;
	int bad;

	snprintf(tmp, sizeof(tmp), "%s.tmp", state_path);
	fp = fopen(tmp, "w");
	if (!fp) {
		slog(MSG_WARN, "state_not_saved", "file", tmp, "error", strerror(errno), NULL);
		return;
	}
	for (i = 0; i < st.njobs; i++)
		if (st.jobs[i].last_fire)
			fprintf(fp, "%s\t%lld\n", st.jobs[i].name, (long long)st.jobs[i].last_fire);
	bad = ferror(fp);
	if (fclose(fp) != 0 || bad || rename(tmp, state_path) < 0)
		slog(MSG_WARN, "state_not_saved", "file", state_path, "error", strerror(errno), NULL);
}

/* At start: the first fire after the last handled one, when already due. */
static void schedule_first(struct sched_job *j, time_t now)
{
	char at[BT_ISO_LEN];
	time_t n;

	if (j->schedule && !j->removed && j->last_fire &&
	    cron_next(&j->cron, j->timezone, j->last_fire, &n) == 0 && n <= now) {
		j->next = n;
		iso(n, at);
		slog(MSG_INFO, "missed_while_stopped", "job", j->name, "scheduled", at, NULL);
		return;
	}
	schedule_next(j, now);
}

/* A due fire: run, or count a misfire (overlap, or later than the grace). */
static void fire(struct sched_job *j, time_t now)
{
	char at[BT_ISO_LEN], late[24];

	iso(j->next, at);
	snprintf(late, sizeof(late), "%lld", (long long)(now - j->next));
	if (j->running) {
		j->misfires++;
		slog(MSG_WARN, "misfire", "job", j->name, "reason", "overlap", "scheduled", at, NULL);
	} else if (now - j->next > o.misfire_grace) {
		j->misfires++;
		slog(MSG_WARN, "misfire", "job", j->name, "reason", "late", "scheduled", at,
		     "late_s", late, NULL);
	} else {
		start_run(j, "schedule", now);
	}
	j->last_fire = j->next;
	state_save();
	/* From now, not from the missed time: many missed fires become one. */
	schedule_next(j, now);
}

static void schedule_due(time_t now)
{
	struct sched_job *j;
	size_t i;

	for (i = 0; i < st.njobs; i++) {
		j = &st.jobs[i];
		if (j->run_now) {
			j->run_now = 0;
			if (!j->running && !st.stopping)
				start_run(j, o.once ? "once" : "api", now);
		}
		if (o.once || !j->next || now < j->next)
			continue;
		if (st.paused || st.stopping)
			schedule_next(j, now); /* paused: let fires pass silently */
		else
			fire(j, now);
	}
}

/* SIGHUP: new config, keeping running jobs and every job's counters. */
static void reload(time_t now)
{
	struct sched_job *nj, *old;
	size_t nn, i, k;
	char why[512];

	if (load_jobs(&nj, &nn, why, sizeof(why)) < 0) {
		slog(MSG_ERROR, "reload_failed", "error", why, "action", "keeping the old config",
		     NULL);
		return;
	}
	for (i = 0; i < nn; i++) {
		old = sched_find(&st, nj[i].name);
		if (!old)
			continue;
		/* keep the runtime and counters, take the new schedule */
		struct sched_job fresh = nj[i];

		nj[i] = *old;
		nj[i].schedule = fresh.schedule;
		nj[i].timezone = fresh.timezone;
		nj[i].timeout = fresh.timeout;
		nj[i].cron = fresh.cron;
		nj[i].lock_key = fresh.lock_key;
		nj[i].deadline = nj[i].running && nj[i].timeout > 0 ? nj[i].cur.start +
				 nj[i].timeout : 0;
		free(old->schedule);
		free(old->timezone);
		free(fresh.name);
		old->name = NULL;
	}
	/* jobs gone from the config: drop, unless still running */
	for (i = 0; i < st.njobs; i++) {
		old = &st.jobs[i];
		if (!old->name)
			continue;
		if (!old->running) {
			job_free(old);
			continue;
		}
		nj = xreallocarray(nj, nn + 1, sizeof(*nj));
		nj[nn] = *old;
		nj[nn++].removed = 1;
	}
	free(st.jobs);
	st.jobs = nj;
	st.njobs = nn;
	for (k = 0; k < nn; k++)
		schedule_next(&st.jobs[k], now);
	snprintf(why, sizeof(why), "%zu", nn);
	slog(MSG_INFO, "reload", "config", o.config, "jobs", why, NULL);
}

static int nrunning(void)
{
	size_t i;
	int n = 0;

	for (i = 0; i < st.njobs; i++)
		n += st.jobs[i].running;
	return n;
}

static void kill_all(int sig)
{
	size_t i;

	for (i = 0; i < st.njobs; i++)
		if (st.jobs[i].running) {
			st.jobs[i].killed = 1;
			sched_pipe_kill(st.jobs[i].pipe, sig);
		}
}

/* Milliseconds to sleep: until the next fire, at most a second. */
static int sleep_ms(void)
{
	struct timespec ts;
	double now, due = 0;
	size_t i;

	clock_gettime(CLOCK_REALTIME, &ts);
	now = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	for (i = 0; i < st.njobs; i++)
		if (st.jobs[i].next && (!due || st.jobs[i].next < due))
			due = (double)st.jobs[i].next;
	if (!due || st.paused || due - now > 1.0)
		return 1000;
	return due <= now ? 0 : (int)((due - now) * 1000) + 1;
}

static void wait_events(void)
{
	struct pollfd fds[1 + 2 * 64];
	nfds_t n = 0;
	size_t i;
	char buf[256];
	int ms;

	fds[n].fd = wake_rd;
	fds[n++].events = POLLIN;
	for (i = 0; i < st.njobs && n + 2 <= sizeof(fds) / sizeof(fds[0]); i++) {
		if (!st.jobs[i].running)
			continue;
		if (st.jobs[i].pipe->out_fd >= 0) {
			fds[n].fd = st.jobs[i].pipe->out_fd;
			fds[n++].events = POLLIN;
		}
		if (st.jobs[i].pipe->err_fd >= 0) {
			fds[n].fd = st.jobs[i].pipe->err_fd;
			fds[n++].events = POLLIN;
		}
	}
	ms = sleep_ms();
	pthread_mutex_unlock(&st.mu);
	poll(fds, n, ms);
	while (read(wake_rd, buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&st.mu);
}

/* The loop: returns the exit status. */
static int run_loop(void)
{
	time_t now, stop_at = 0;
	int termed = 0, grace_over = 0;

	pthread_mutex_lock(&st.mu);
	for (;;) {
		now = time(NULL);
		if (got_term && !st.stopping) {
			st.stopping = 1;
			stop_at = now + o.grace;
			slog(MSG_INFO, "stopping", "running", nrunning() ? "yes" : "no", NULL);
		}
		if (got_hup) {
			got_hup = 0;
			if (!st.stopping)
				reload(now);
		}
		tend_runs(now);
		if (st.stopping) {
			if (!nrunning())
				break;
			if (now >= stop_at && !termed) {
				termed = 1;
				grace_over = 1;
				slog(MSG_WARN, "grace_over", "action", "SIGTERM to running pipelines", NULL);
				kill_all(SIGTERM);
			} else if (termed && now >= stop_at + KILL_AFTER) {
				kill_all(SIGKILL);
				stop_at = now;
			}
		} else {
			schedule_due(now);
			if (o.once && !nrunning())
				break;
		}
		wait_events();
	}
	pthread_mutex_unlock(&st.mu);
	slog(MSG_INFO, "exit", "killed_runs", grace_over ? "yes" : "no", NULL);
	if (o.once)
		return st.stopping && once_rc < 0 ? EXIT_FATAL : once_rc < 0 ? EXIT_OK : once_rc;
	return EXIT_OK;
}

/* ---- setup ------------------------------------------------------------- */

/* Binaries from BARS_BIN_DIR, else next to this one, else PATH. */
static void find_bindir(void)
{
	const char *env = getenv("BARS_BIN_DIR");
	char probe[PATH_MAX + 16], *s;
	ssize_t k;

	if (env && *env) {
		snprintf(bindir_buf, sizeof(bindir_buf), "%s", env);
		bindir = bindir_buf;
		return;
	}
	k = readlink("/proc/self/exe", bindir_buf, sizeof(bindir_buf) - 1);
	if (k <= 0)
		return;
	bindir_buf[k] = '\0';
	s = strrchr(bindir_buf, '/');
	if (!s)
		return;
	*s = '\0';
	snprintf(probe, sizeof(probe), "%s/sched-plan", bindir_buf);
	if (access(probe, X_OK) == 0)
		bindir = bindir_buf;
}

static char *read_token(void)
{
	char buf[512];
	const char *env = getenv("BARS_API_TOKEN");
	FILE *fp;
	size_t k;

	if (!o.token_file)
		return env && *env ? xstrdup(env) : NULL;
	fp = fopen(o.token_file, "r");
	if (!fp)
		msg_die(EXIT_USAGE, "%s: %s", o.token_file, strerror(errno));
	if (!fgets(buf, sizeof(buf), fp))
		buf[0] = '\0';
	fclose(fp);
	k = strlen(buf);
	while (k && (buf[k - 1] == '\n' || buf[k - 1] == '\r' || buf[k - 1] == ' '))
		buf[--k] = '\0';
	if (!k)
		msg_die(EXIT_USAGE, "%s: empty token file", o.token_file);
	return xstrdup(buf);
}

static struct http_api *start_api(void)
{
	struct http_opts ho = { o.listen, NULL, o.tls_cert, o.tls_key, (double)o.rate };
	struct http_api *h;
	char why[256], port[16], *token = read_token();

	ho.token = token;
	h = http_start(&st, &ho, why, sizeof(why));
	free(token);
	if (!h)
		msg_die(EXIT_USAGE, "%s", why);
	snprintf(port, sizeof(port), "%d", http_port(h));
	slog(MSG_INFO, "api_listen", "listen", o.listen, "port", port, "tls",
	     o.tls_cert ? "yes" : "no", "auth", token ? "bearer" : "none", NULL);
	return h;
}

/* Cron can start us with fds closed; keep 0-2 taken so pipes avoid them. */
static void std_fds(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
}

int main(int argc, char **argv)
{
	struct http_api *api = NULL;
	char why[600];
	size_t i;
	int rc, lockfd;

	msg_init(argv[0]);
	std_fds();
	parse_args(argc, argv);
	if (load_jobs(&st.jobs, &st.njobs, why, sizeof(why)) < 0)
		msg_die(EXIT_USAGE, "%s", why);
	if (o.check) {
		rc = check(st.jobs, st.njobs);
		msg_close_stdout(EXIT_FATAL);
		return rc;
	}
	if (!o.once && getenv("BARS_NOW")) {
		msg_log(MSG_WARN, "BARS_NOW is ignored by the scheduler (only --check and "
			"--once use it); the pipeline runs on the real clock");
		unsetenv("BARS_NOW");
	}
	if (slog_open(o.log_file) < 0)
		msg_die(EXIT_USAGE, "%s: %s", o.log_file, strerror(errno));
	lockfd = lock_file();
	find_bindir();
	setup_signals();
	st.config = o.config;
	st.started = time(NULL);
	if (!o.once)
		state_load();
	for (i = 0; i < st.njobs; i++) {
		if (o.once)
			st.jobs[i].run_now = 1;
		else
			schedule_first(&st.jobs[i], st.started);
	}
	if (!o.once && !o.no_api)
		api = start_api();
	snprintf(why, sizeof(why), "%zu", st.njobs);
	slog(MSG_INFO, "start", "config", o.config, "jobs", why, "mode", o.once ? "once" :
	     "daemon", "bindir", bindir ? bindir : "PATH", NULL);
	rc = run_loop();
	http_stop(api);
	for (i = 0; i < st.njobs; i++)
		job_free(&st.jobs[i]);
	free(st.jobs);
	close(lockfd);
	slog_close();
	return rc;
}
