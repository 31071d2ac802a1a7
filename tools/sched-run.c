/*
 * sched-run: run the stockbars pipeline on cron schedules, one process
 * for every job of a config, with an HTTP control API; or once (--once,
 * what cron and systemd call), or print the pipeline (--print-pipeline).
 *
 * Each run is the one pipeline definition of lib/sched_pipe.h, as child
 * processes in a process group of their own that die with the scheduler
 * and hold the job's lock file.  One main loop owns the jobs; it sleeps in
 * poll() on a self-pipe (signals, API requests, advisory-lock results) and
 * the running pipelines' output, so no fire is ever late by more than the
 * time to notice it.  Database work (advisory locks) happens on a worker
 * thread (lib/sched_lock), so neither the loop nor the API waits on it;
 * the status page at "/" is rendered by a child process, `sched-run --page`
 * (lib/sched_page), and the API serves the copy it made last.
 */
#include "bt.h"
#include "cfg.h"
#include "cron.h"
#include "db.h"
#include "exitcode.h"
#include "msg.h"
#include "report_data.h"
#include "report_db.h"
#include "report_files.h"
#include "report_html.h"
#include "report_jobs.h"
#include "sched_api.h"
#include "sched_fs.h"
#include "sched_lock.h"
#include "sched_log.h"
#include "sched_metrics.h"
#include "sched_page.h"
#include "sched_pipe.h"
#include "sched_state.h"
#include "shard.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KILL_AFTER 5 /* seconds between SIGTERM and SIGKILL */
#define PAGE_GAP 5      /* seconds at least between the starts of two page renders */
#define PAGE_TIMEOUT 30 /* a page render that takes longer is killed */
#define PAGE_DAYS_MAX 3660

enum mode { M_DAEMON, M_CHECK, M_ONCE, M_PRINT, M_DUE, M_PAGE };

struct opts {
	const char *config, *job, *shard, *chunk;
	const char *only;   /* --only stale: the re-fetch pass */
	const char *lock_file, *state_file, *state_dir, *log_file, *textfile_dir;
	const char *listen, *token_file, *tls_cert, *tls_key;
	long grace, misfire_grace, timeout, rate, count, page_days;
	enum mode mode;
	int due, no_api;
	int timeout_set;    /* --timeout was given */
};

/* The whole tool's state, passed explicitly. */
struct tool {
	struct opts o;
	struct sched_state st;
	struct sched_locker *locker;
	struct cfg cfg;     /* the config the jobs came from (the page's tickers) */
	struct sched_page page; /* the status page's render process */
	time_t page_started;
	int serving;        /* the API is up: keep the status page */
	char bindir[PATH_MAX];
	char lock_path[PATH_MAX + 8], state_path[PATH_MAX + 8];
	int wake_rd;
	int once_rc;        /* --once: the exit status so far, -1: none */
};

/* Signal handlers cannot take arguments: flags and the wake pipe only. */
static volatile sig_atomic_t got_term, got_hup;
static int signal_wake_fd = -1;

static void usage(int code)
{
	FILE *fp = code ? stderr : stdout;

	fprintf(fp, "usage: sched-run [--check [--count N] | --once [--due] [--textfile-dir DIR] |\n"
		"                  --due | --print-pipeline | --page] [--job NAME] [--shard K/N]\n"
		"                 [--only stale]\n"
		"                 [--lock-file FILE] [--state-file FILE] [--state-dir DIR]\n"
		"                 [--log-file FILE] [--grace SEC] [--misfire-grace SEC] [--timeout SEC]\n"
		"                 [--listen HOST:PORT | --no-api] [--token-file FILE]\n"
		"                 [--tls-cert FILE --tls-key FILE] [--rate-limit N] [--page-days N]\n"
		"                 CONFIG\n"
		"       sched-run --print-pipeline --chunk NAME [--state-dir DIR]\n"
		"       sched-run -h | --help | --version\n");
	if (code)
		exit(code);
	fputs("\nRun the stockbars pipeline on each job's cron schedule, with an HTTP API.\n\n"
	      "  --check               print each job's next fires, local and UTC, then exit\n"
	      "  --count N             with --check: how many fires per job (default 5)\n"
	      "  --once                run every job (or --job) once now and exit with its status\n"
	      "  --due                 only jobs whose schedule fires this minute (alone: exit 0 if any)\n"
	      "  --textfile-dir DIR    with --once: update DIR/stockbars_JOB.prom for node_exporter\n"
	      "  --print-pipeline      print each job's pipeline as a shell command, then exit\n"
	      "  --chunk NAME          with --print-pipeline, no CONFIG: the stages after sched-plan,\n"
	      "                        for a plan on stdin, with files named NAME (parallel-pipeline)\n"
	      "  --page                print the status page served at / (last runs from stdin)\n"
	      "  --job NAME            only this job\n"
	      "  --shard K/N           run shard K of N (passed to sched-plan; default $STOCKBARS_SHARD)\n"
	      "  --only stale          with --once or --print-pipeline: the re-fetch pass only\n"
	      "  --lock-file FILE      scheduler lock (default CONFIG.lock); job locks go beside it\n"
	      "  --state-file FILE     last handled fire per job (default CONFIG.state)\n"
	      "  --state-dir DIR       failed windows, rejects, fetch statistics (default var/state)\n"
	      "  --log-file FILE       append log lines here (default logs/scheduler.log)\n"
	      "  --grace SEC           on SIGTERM, time for running pipelines to finish (default 30)\n"
	      "  --misfire-grace SEC   how late a fire may still run (default 60)\n"
	      "  --timeout SEC         run timeout of jobs without a \"timeout\" (default 3600; 0: none);\n"
	      "                        with --once, a cap on every job's\n"
	      "  --listen HOST:PORT    HTTP API address (default 127.0.0.1:8640; port 0: any)\n"
	      "  --no-api              no HTTP API\n"
	      "  --token-file FILE     bearer token for POST requests (default $BARS_API_TOKEN)\n"
	      "  --tls-cert FILE       serve HTTPS with this PEM certificate (needs --tls-key)\n"
	      "  --tls-key FILE        the certificate's PEM key\n"
	      "  --rate-limit N        API requests per second per client, bursts of 2N (default 10)\n"
	      "  --page-days N         days of coverage on the status page (default 30)\n"
	      "  -h, --help            this help\n"
	      "      --version         print the version\n", fp);
	exit(EXIT_OK);
}

/* A usage error: name the one bad argument, then the synopsis. */
static void bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", msg_prog());
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	usage(EXIT_USAGE);
}

static long num_arg(const char *opt, const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || !*s || v < 0) {
		fprintf(stderr, "%s: %s: want an integer >= 0: %s\n", msg_prog(), opt, s);
		usage(EXIT_USAGE);
	}
	return v;
}

/*
 * The shard to run, as lib/shard reads it (--shard, else STOCKBARS_SHARD,
 * else JOB_COMPLETION_INDEX with STOCKBARS_SHARDS), written "K/N" without
 * leading zeros; NULL when not sharded.
 */
static const char *shard_arg(const char *s, char *buf, size_t n)
{
	struct shard sh;
	char why[160];

	if (s && *s) {
		if (shard_parse(s, &sh, why, sizeof(why)) < 0)
			bad_usage("--shard: %s", why);
	} else if (shard_from_env(&sh, why, sizeof(why)) < 0) {
		bad_usage("%s", why);
	}
	if (!sh.n)
		return NULL;
	snprintf(buf, n, "%u/%u", sh.k, sh.n);
	return buf;
}

enum { O_VERSION = 256, O_CHECK, O_COUNT, O_ONCE, O_DUE, O_TEXTFILE, O_PRINT, O_CHUNK, O_JOB,
       O_SHARD,
       O_LOCK, O_STATE, O_STATEDIR, O_LOG, O_GRACE, O_MISFIRE, O_TIMEOUT, O_LISTEN, O_NOAPI,
       O_TOKEN, O_CERT, O_KEY, O_RATE, O_PAGE, O_PAGEDAYS, O_ONLY };

static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'h' }, { "version", no_argument, NULL, O_VERSION },
	{ "check", no_argument, NULL, O_CHECK }, { "count", required_argument, NULL, O_COUNT },
	{ "once", no_argument, NULL, O_ONCE }, { "due", no_argument, NULL, O_DUE },
	{ "textfile-dir", required_argument, NULL, O_TEXTFILE },
	{ "print-pipeline", no_argument, NULL, O_PRINT },
	{ "chunk", required_argument, NULL, O_CHUNK },
	{ "job", required_argument, NULL, O_JOB }, { "shard", required_argument, NULL, O_SHARD },
	{ "lock-file", required_argument, NULL, O_LOCK },
	{ "state-file", required_argument, NULL, O_STATE },
	{ "state-dir", required_argument, NULL, O_STATEDIR },
	{ "log-file", required_argument, NULL, O_LOG },
	{ "grace", required_argument, NULL, O_GRACE },
	{ "misfire-grace", required_argument, NULL, O_MISFIRE },
	{ "timeout", required_argument, NULL, O_TIMEOUT },
	{ "listen", required_argument, NULL, O_LISTEN }, { "no-api", no_argument, NULL, O_NOAPI },
	{ "token-file", required_argument, NULL, O_TOKEN },
	{ "tls-cert", required_argument, NULL, O_CERT }, { "tls-key", required_argument, NULL, O_KEY },
	{ "rate-limit", required_argument, NULL, O_RATE },
	{ "page", no_argument, NULL, O_PAGE },
	{ "page-days", required_argument, NULL, O_PAGEDAYS },
	{ "only", required_argument, NULL, O_ONLY },
	{ NULL, 0, NULL, 0 },
};

/* Set a mode, refusing a second one. */
static void set_mode(struct opts *o, enum mode m, const char *name)
{
	if (o->mode != M_DAEMON && o->mode != m)
		bad_usage("%s: only one of --check, --once, --print-pipeline and --page", name);
	o->mode = m;
}

static void set_opt(struct opts *o, int c, char *arg)
{
	switch (c) {
	case 'h': usage(EXIT_OK); break;
	case O_VERSION: msg_version(); break;
	case O_CHECK: set_mode(o, M_CHECK, "--check"); break;
	case O_COUNT:
		o->count = num_arg("--count", arg);
		if (o->count < 1 || o->count > 1000)
			bad_usage("--count %s: want 1 to 1000", arg);
		break;
	case O_ONCE: set_mode(o, M_ONCE, "--once"); break;
	case O_DUE: o->due = 1; break;
	case O_TEXTFILE: o->textfile_dir = arg; break;
	case O_PRINT: set_mode(o, M_PRINT, "--print-pipeline"); break;
	case O_CHUNK: o->chunk = arg; break;
	case O_JOB: o->job = arg; break;
	case O_SHARD: o->shard = arg; break;
	case O_LOCK: o->lock_file = arg; break;
	case O_STATE: o->state_file = arg; break;
	case O_STATEDIR: o->state_dir = arg; break;
	case O_LOG: o->log_file = arg; break;
	case O_GRACE: o->grace = num_arg("--grace", arg); break;
	case O_MISFIRE: o->misfire_grace = num_arg("--misfire-grace", arg); break;
	case O_TIMEOUT: o->timeout = num_arg("--timeout", arg); o->timeout_set = 1; break;
	case O_LISTEN: o->listen = arg; break;
	case O_NOAPI: o->no_api = 1; break;
	case O_TOKEN: o->token_file = arg; break;
	case O_CERT: o->tls_cert = arg; break;
	case O_KEY: o->tls_key = arg; break;
	case O_RATE: o->rate = num_arg("--rate-limit", arg); break;
	case O_PAGE: set_mode(o, M_PAGE, "--page"); break;
	case O_ONLY:
		if (strcmp(arg, "stale") != 0)
			bad_usage("--only %s: want stale", arg);
		o->only = arg;
		break;
	case O_PAGEDAYS:
		o->page_days = num_arg("--page-days", arg);
		if (o->page_days < 1 || o->page_days > PAGE_DAYS_MAX)
			bad_usage("--page-days %s: want 1 to 3660", arg);
		break;
	default: usage(EXIT_USAGE);
	}
}

/*
 * --print-pipeline --chunk NAME: no config and no job, only a name for the
 * chunk's files, used as it is; GNU parallel's {#} may be in it.
 */
static void chunk_args(struct opts *o, int argc, char **argv)
{
	const char *c = o->chunk;

	if (o->mode != M_PRINT)
		bad_usage("%s: only with --print-pipeline", "--chunk");
	if (!*c || *c == '.' ||
	    strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-{}#") !=
		    strlen(c))
		bad_usage("--chunk %s: want a file name of [A-Za-z0-9._-{}#], not starting with '.'",
			  c);
	if (o->job || o->shard)
		bad_usage("%s: --job and --shard need a CONFIG, not --chunk",
			  o->job ? "--job" : "--shard");
	if (optind < argc)
		bad_usage("--chunk: no CONFIG, the plan comes on stdin: %s", argv[optind]);
	if (!o->state_dir)
		o->state_dir = sched_state_dir();
}

static void parse_args(struct opts *o, int argc, char **argv)
{
	static char shard[48];
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1)
		set_opt(o, c, optarg);
	if (o->chunk) {
		chunk_args(o, argc, argv);
		return;
	}
	if (o->due && o->mode == M_DAEMON)
		o->mode = M_DUE;
	if (optind >= argc)
		bad_usage("%s", "missing CONFIG");
	if (optind < argc - 1)
		bad_usage("unexpected argument: %s", argv[optind + 1]);
	if (!*argv[optind])
		bad_usage("%s", "CONFIG is empty");
	if (!o->tls_cert != !o->tls_key)
		bad_usage("%s: --tls-cert and --tls-key go together", o->tls_cert ? "--tls-cert" :
			  "--tls-key");
	if (o->due && o->mode != M_ONCE && o->mode != M_DUE)
		bad_usage("%s: only alone or with --once", "--due");
	if (o->textfile_dir && o->mode != M_ONCE)
		bad_usage("%s: only with --once", "--textfile-dir");
	if (o->only && o->mode != M_ONCE && o->mode != M_PRINT)
		bad_usage("%s: only with --once or --print-pipeline", "--only");
	if (o->count && o->mode != M_CHECK)
		bad_usage("%s: only with --check", "--count");
	if (o->page_days && o->mode != M_DAEMON && o->mode != M_PAGE)
		bad_usage("%s: only for the scheduler or with --page", "--page-days");
	o->config = argv[optind];
	o->shard = shard_arg(o->shard, shard, sizeof(shard));
	if (!o->state_dir)
		o->state_dir = sched_state_dir();
	if (!o->count)
		o->count = 5;
	if (!o->page_days)
		o->page_days = 30;
}

static void on_signal(int sig)
{
	int e = errno;
	char c = 1;

	if (sig == SIGTERM || sig == SIGINT)
		got_term = 1;
	else if (sig == SIGHUP)
		got_hup = 1;
	if (signal_wake_fd >= 0 && write(signal_wake_fd, &c, 1) < 0) {
		/* full: the loop is awake anyway */
	}
	errno = e;
}

static void setup_signals(struct tool *t)
{
	struct sigaction sa;
	int p[2];

	if (pipe(p) < 0)
		msg_die(EXIT_FATAL, "pipe: %s", strerror(errno));
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	fcntl(p[0], F_SETFD, FD_CLOEXEC);
	fcntl(p[1], F_SETFD, FD_CLOEXEC);
	t->wake_rd = p[0];
	t->st.wake_fd = signal_wake_fd = p[1];
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

/* ---- jobs and config ---------------------------------------------------- */

static void job_free(struct sched_job *j)
{
	free(j->name);
	free(j->schedule);
	free(j->timezone);
	free(j->pipe);
}

/* Fill a job from a config entry; -1 with why[] on a bad schedule. */
/*
 * A job's run timeout: its own "timeout", else --timeout.  With --once an
 * explicit --timeout caps every job's (the cron wrapper's overall bound),
 * so the run ends as a timeout, logged and counted as one.
 */
static long job_timeout(const struct opts *o, const struct cfg_job *c)
{
	long t = c->timeout > 0 ? c->timeout : o->timeout;

	if (o->mode == M_ONCE && o->timeout_set && o->timeout > 0 && (t <= 0 || o->timeout < t))
		t = o->timeout;
	return t;
}

static int job_from_cfg(const struct tool *t, struct sched_job *j, const struct cfg_job *c,
			char *why, size_t n)
{
	char err[200];
	int need_schedule = (t->o.mode != M_ONCE && t->o.mode != M_PAGE) || t->o.due;

	memset(j, 0, sizeof(*j));
	j->name = xstrdup(c->name);
	j->timezone = xstrdup(c->timezone);
	j->schedule = c->schedule ? xstrdup(c->schedule) : NULL;
	j->shard = t->o.shard;
	j->timeout = job_timeout(&t->o, c);
	j->lock_key = sched_lock_key_shard(c, t->o.shard);
	j->lock_fd = -1;
	if (!j->schedule) {
		if (!need_schedule || t->o.mode == M_PRINT)
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

/* Load the config into a new job array and *cfgout; -1 with why[]. */
static int load_jobs(const struct tool *t, struct sched_job **out, size_t *nout,
		     struct cfg *cfgout, char *why, size_t n)
{
	const char *cfgpath = t->o.config, *only = t->o.job;
	struct cfg c;
	struct sched_job *jobs;
	size_t i, k = 0;
	char err[400];

	if (cfg_load(cfgpath, &c, why, n) < 0)
		return -1;
	jobs = xcalloc(c.njobs, sizeof(*jobs));
	for (i = 0; i < c.njobs; i++) {
		if (cfg_job(&c, c.jobs[i].name) != &c.jobs[i]) {
			snprintf(why, n, "%s: job %s: duplicate name", cfgpath, c.jobs[i].name);
			goto fail;
		}
		if (only && strcmp(only, c.jobs[i].name) != 0)
			continue;
		if (job_from_cfg(t, &jobs[k++], &c.jobs[i], err, sizeof(err)) < 0) {
			snprintf(why, n, "%s: %s", cfgpath, err);
			goto fail;
		}
	}
	if (k == 0) {
		snprintf(why, n, "%s: no job named '%s'", cfgpath, only ? only : "");
		goto fail;
	}
	*cfgout = c;
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

/* --check: the next fires of every job, local and UTC. */
static int check(const struct tool *t)
{
	char local[64], utc[BT_ISO_LEN];
	const struct sched_job *j;
	time_t at, now = bt_now();
	struct tm tm;
	size_t i;
	long k;
	int rc = EXIT_OK;

	for (i = 0; i < t->st.njobs; i++) {
		j = &t->st.jobs[i];
		printf("job %s: \"%s\" in %s\n", j->name, j->schedule, j->timezone);
		for (at = now, k = 0; k < t->o.count; k++) {
			if (cron_next(&j->cron, j->timezone, at, &at) < 0) {
				msg_err("%s: job %s: schedule \"%s\" never fires", t->o.config,
					j->name, j->schedule);
				rc = EXIT_USAGE;
				break;
			}
			bt_local_tm(j->timezone, at, &tm);
			strftime(local, sizeof(local), "%Y-%m-%d %H:%M %Z", &tm);
			printf("  %-24s %s\n", local, bt_format_iso(at, utc));
		}
	}
	return rc;
}

/* Does the job's schedule fire in the minute holding now (cron's view)? */
static int due_now(const struct sched_job *j, time_t now)
{
	time_t minute = now - now % 60, next;

	return j->schedule && cron_next(&j->cron, j->timezone, minute - 1, &next) == 0 &&
	       next == minute;
}

/* --print-pipeline: the one definition, expanded for every job. */
static int print_pipelines(const struct tool *t)
{
	struct sched_spec spec = { t->o.config, NULL, t->o.shard, t->o.state_dir,
				   *t->bindir ? t->bindir : NULL, NULL, t->o.only };
	struct sched_argv a;
	size_t i;

	for (i = 0; i < t->st.njobs; i++) {
		spec.job = t->st.jobs[i].name;
		sched_argv_build(&a, &spec);
		sched_argv_print(stdout, &a, 0);
		sched_argv_free(&a);
	}
	msg_close_stdout(EXIT_FATAL);
	return EXIT_OK;
}

/* --print-pipeline --chunk NAME: the stages after sched-plan, from PATH. */
static int print_chunk(const struct tool *t)
{
	struct sched_spec spec = { .state_dir = t->o.state_dir, .run = t->o.chunk };
	struct sched_argv a;

	sched_argv_build(&a, &spec);
	sched_argv_print(stdout, &a, 1);
	sched_argv_free(&a);
	msg_close_stdout(EXIT_FATAL);
	return EXIT_OK;
}

/* ---- locks ------------------------------------------------------------- */

/*
 * The scheduler's lock file: exclusive for the long-running scheduler,
 * shared for --once, so runs of different jobs from cron coexist while a
 * scheduler and cron runs of the same config exclude each other.
 */
static int lock_scheduler(struct tool *t)
{
	char pid[32];
	int fd, shared = t->o.mode == M_ONCE;

	if (t->o.lock_file)
		snprintf(t->lock_path, sizeof(t->lock_path), "%s", t->o.lock_file);
	else
		snprintf(t->lock_path, sizeof(t->lock_path), "%s.lock", t->o.config);
	fd = open(t->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		msg_die(EXIT_USAGE, "%s: %s (choose another with --lock-file)", t->lock_path,
			strerror(errno));
	if (flock(fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0) {
		ssize_t k = pread(fd, pid, sizeof(pid) - 1, 0);

		if (errno != EWOULDBLOCK)
			msg_die(EXIT_FATAL, "%s: flock: %s", t->lock_path, strerror(errno));
		pid[k > 0 ? k : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		msg_die(EXIT_FATAL, "%s: another sched-run holds the lock%s%s", t->lock_path,
			*pid ? " (pid " : "", *pid ? strcat(pid, ")") : "");
	}
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (!shared && (ftruncate(fd, 0) < 0 || pwrite(fd, pid, strlen(pid), 0) < 0)) {
		/* the lock is what matters; the pid is a courtesy */
	}
	return fd;
}

/* ---- runs -------------------------------------------------------------- */

static void once_status(struct tool *t, int rc)
{
	if (t->o.mode == M_ONCE && t->once_rc <= 0)
		t->once_rc = rc;
}

/* A fire that did not run. */
static void misfire(struct tool *t, struct sched_job *j, enum sched_misfire why, time_t at)
{
	char buf[BT_ISO_LEN];

	j->tot.misfires[why]++;
	iso(at, buf);
	slog(MSG_WARN, "misfire", "job", j->name, "reason", sched_misfire_names[why],
	     "scheduled", at ? buf : NULL, NULL);
	once_status(t, EXIT_FATAL);
}

/* A run that could not start: accounted as an error outcome. */
static void run_error(struct tool *t, struct sched_job *j, time_t now, const char *why)
{
	struct sched_summary s;

	sched_summary_init(&s, now);
	s.end = now;
	s.outcome = SCHED_ERROR;
	s.rc = EXIT_FATAL;
	sched_account(&j->tot, &s);
	j->last = s;
	t->st.page_stale = 1;
	slog(MSG_ERROR, "run_error", "job", j->name, "error", why, NULL);
	once_status(t, EXIT_FATAL);
}

static void release(struct tool *t, struct sched_job *j)
{
	if (j->lock_fd >= 0)
		close(j->lock_fd);
	j->lock_fd = -1;
	sched_lock_drop(t->locker, j->ticket);
	j->ticket = NULL;
	j->phase = SCHED_IDLE;
	j->running = 0;
	j->refetch = 0;
}

/* Locks held: start the pipeline, which takes over the job lock. */
static void launch(struct tool *t, struct sched_job *j, time_t now)
{
	struct sched_spec spec = { t->o.config, j->name, j->shard, t->o.state_dir,
				   *t->bindir ? t->bindir : NULL, NULL,
				   j->refetch || t->o.only ? "stale" : NULL };
	struct sched_argv a;
	char err[256];
	int rc;

	if (!j->pipe)
		j->pipe = xmalloc(sizeof(*j->pipe));
	if (sched_fs_mkdirs(t->o.state_dir) < 0)
		slog(MSG_WARN, "state_dir", "dir", t->o.state_dir, "error", strerror(errno), NULL);
	sched_argv_build(&a, &spec);
	rc = sched_pipe_start(j->pipe, &a, j->lock_fd, err, sizeof(err));
	sched_argv_free(&a);
	close(j->lock_fd); /* the stages hold it now */
	j->lock_fd = -1;
	if (rc < 0) {
		release(t, j);
		run_error(t, j, now, err);
		return;
	}
	sched_summary_init(&j->cur, now);
	j->phase = SCHED_RUNNING;
	j->timed_out = j->killed = 0;
	j->deadline = j->timeout > 0 ? now + j->timeout : 0;
	j->kill_at = 0;
	snprintf(err, sizeof(err), "%ld", (long)j->pipe->pgid);
	slog(MSG_INFO, "run_start", "job", j->name, "trigger", j->trigger, "pgid", err, NULL);
}

/* Take the job lock here, then (with a database) the advisory lock. */
static void start_run(struct tool *t, struct sched_job *j, const char *trigger, time_t now,
		      time_t scheduled)
{
	char path[PATH_MAX + 300];

	sched_lock_path(path, sizeof(path), t->lock_path, j->name, j->shard);
	j->lock_fd = sched_lock_take(path);
	if (j->lock_fd < 0) {
		if (errno == EWOULDBLOCK)
			misfire(t, j, SCHED_MIS_OVERLAP, scheduled);
		else
			run_error(t, j, now, strerror(errno));
		return;
	}
	j->trigger = trigger;
	j->running = 1;
	j->phase = SCHED_LOCKING;
	if (t->locker)
		j->ticket = sched_lock_ask(t->locker, j->lock_key);
	else
		launch(t, j, now);
}

/* An advisory-lock attempt came back. */
static void locked(struct tool *t, struct sched_job *j, time_t now)
{
	char err[sizeof(j->ticket->err)];
	enum sched_tstate s = j->ticket->state;

	if (s == SCHED_T_HELD) {
		launch(t, j, now);
		return;
	}
	snprintf(err, sizeof(err), "%s", j->ticket->err);
	release(t, j);
	if (s == SCHED_T_BUSY)
		misfire(t, j, SCHED_MIS_ELSEWHERE, 0);
	else
		run_error(t, j, now, err);
}

static void log_run_end(const struct sched_job *j, const struct sched_summary *s)
{
	char dur[32], rc[16], stages[64], n[5][24];
	const long long v[5] = { s->rows.rows_in, s->rows.inserted, s->rows.updated,
				 s->rows.unchanged, s->windows.failed };
	int i;

	snprintf(dur, sizeof(dur), "%lld", (long long)(s->end - s->start));
	snprintf(rc, sizeof(rc), "%d", s->rc);
	for (i = 0, stages[0] = '\0'; i < SCHED_STAGES; i++)
		snprintf(stages + strlen(stages), sizeof(stages) - strlen(stages), "%s%d",
			 i ? "," : "", s->status[i]);
	for (i = 0; i < 5; i++)
		snprintf(n[i], sizeof(n[i]), "%lld", v[i]);
	slog(s->rc ? MSG_ERROR : MSG_INFO, "run_end", "job", j->name, "outcome",
	     sched_outcome_names[s->outcome], "exit", rc, "stages", stages, "duration_s", dur,
	     "rows_in", n[0], "inserted", n[1], "updated", n[2], "unchanged", n[3],
	     "windows_failed", s->windows.failed >= 0 ? n[4] : NULL, NULL);
}

/*
 * A run that leaves series a corporate action made stale is followed at
 * once by the re-fetch pass (lib/sched_pipe.h), so the table never waits
 * a whole schedule period after a split or dividend.  The pass keeps the
 * run's advisory lock (released asynchronously, it would look held by
 * another host) and takes the job's lock file again, which the finished
 * stages have let go.  1 when the pass was launched (its locks are then
 * its own); one pass only: if it fails, the next run plans the series.
 */
static int refetch_pass(struct tool *t, struct sched_job *j, const struct sched_summary *s,
			time_t now)
{
	char n[24], path[PATH_MAX + 300];

	if (s->rc != EXIT_OK || s->stale_series <= 0 || t->st.stopping || j->removed)
		return 0;
	sched_lock_path(path, sizeof(path), t->lock_path, j->name, j->shard);
	if ((j->lock_fd = sched_lock_take(path)) < 0)
		return 0;
	snprintf(n, sizeof(n), "%lld", s->stale_series);
	slog(MSG_INFO, "refetch", "job", j->name, "stale_series", n, NULL);
	j->refetch = 1;
	j->trigger = "refetch";
	launch(t, j, now);
	return 1;
}

static void finish_run(struct tool *t, struct sched_job *j, time_t now)
{
	struct sched_summary *s = &j->cur;
	struct sched_argv a;
	struct sched_spec spec = { t->o.config, j->name, j->shard, t->o.state_dir, NULL, NULL, NULL };
	int second = j->refetch || t->o.only;

	s->end = now;
	sched_argv_build(&a, &spec);
	sched_pipe_result(j->pipe, &a, s);
	sched_argv_free(&a);
	s->rc = j->timed_out ? EXIT_TIMEOUT : sched_pipe_rc(j->pipe);
	s->outcome = j->timed_out ? SCHED_TIMEOUT : j->killed ? SCHED_KILLED :
		     s->rc ? SCHED_FAILED : SCHED_OK;
	sched_account(&j->tot, s);
	j->last = *s;
	t->st.page_stale = 1;
	log_run_end(j, s);
	once_status(t, s->rc);
	if (second || !refetch_pass(t, j, s, now))
		release(t, j);
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
		lvl = MSG_INFO; /* load-bars' summary: printed unlabelled at the info level */
	slog(lvl, "stage", "job", j->name, "line", line, NULL);
}

static void reap(struct tool *t)
{
	pid_t pid;
	size_t i;
	int ws;

	while ((pid = waitpid(-1, &ws, WNOHANG)) > 0) {
		if (sched_page_reaped(&t->page, pid, ws))
			continue;
		for (i = 0; i < t->st.njobs; i++)
			if (t->st.jobs[i].phase == SCHED_RUNNING &&
			    sched_pipe_reaped(t->st.jobs[i].pipe, pid, ws))
				break;
	}
}

/* A running job: drain output, finish, enforce the timeout. */
static void tend_run(struct tool *t, struct sched_job *j, time_t now)
{
	char secs[16];

	sched_pipe_drain(j->pipe, stage_line, j);
	if (sched_pipe_done(j->pipe)) {
		finish_run(t, j, now);
		return;
	}
	if (j->deadline && now >= j->deadline && !j->timed_out) {
		j->timed_out = 1;
		j->kill_at = now + KILL_AFTER;
		snprintf(secs, sizeof(secs), "%ld", j->timeout);
		slog(MSG_ERROR, "timeout", "job", j->name, "timeout_s", secs, NULL);
		sched_pipe_kill(j->pipe, SIGTERM);
	}
	if (j->kill_at && now >= j->kill_at) {
		sched_pipe_kill(j->pipe, SIGKILL);
		j->kill_at = now + KILL_AFTER;
	}
}

static void tend_runs(struct tool *t, time_t now)
{
	struct sched_job *j;
	size_t i;

	reap(t);
	for (i = 0; i < t->st.njobs; i++) {
		j = &t->st.jobs[i];
		if (j->phase == SCHED_RUNNING)
			tend_run(t, j, now);
		else if (j->phase == SCHED_LOCKING && j->ticket->state != SCHED_T_PENDING)
			locked(t, j, now);
	}
}

/* ---- the status page (GET /) ------------------------------------------- */

/*
 * The page shows what /status shows plus the data: these sentences stand
 * where the coverage would be, and say no more (never an error text).
 */
#define PAGE_NO_DB "Coverage is not shown: no database is configured (DATABASE_URL or " \
	"libpq's PG* variables)."
#define PAGE_WAITING "Coverage is being read from the database; reload in a moment."
#define PAGE_FAILED "Coverage is not shown: the database did not answer in time, or reading " \
	"it failed (the scheduler's log says why)."

/* The jobs this scheduler runs, with their next fires and last runs (which
 * only the scheduler knows), and the series of their tickers. */
static void page_report(struct tool *t, struct report *r)
{
	struct cfg mine = { xcalloc(t->cfg.njobs + 1, sizeof(struct cfg_job)), 0 };
	struct report_job *rj;
	struct sched_job *j;
	char why[300];
	size_t i;

	report_init(r, bt_now(), (int)t->o.page_days);
	for (i = 0; i < t->cfg.njobs; i++)
		if (sched_find(&t->st, t->cfg.jobs[i].name))
			mine.jobs[mine.njobs++] = t->cfg.jobs[i]; /* shallow: cfg owns */
	if (report_jobs_add(r, &mine, why, sizeof(why)) < 0)
		msg_log(MSG_WARN, "status page: %s", why); /* cannot happen: parsed at load */
	free(mine.jobs);
	for (i = 0; i < r->njobs; i++) {
		rj = &r->jobs[i];
		j = sched_find(&t->st, rj->name);
		if (!j || !j->last.start)
			continue;
		rj->last_start = j->last.start;
		rj->last_end = j->last.end;
		rj->last_rc = j->last.rc;
		snprintf(rj->last_outcome, sizeof(rj->last_outcome), "%s",
			 sched_outcome_names[j->last.outcome]);
	}
}

/* The page without the database, made here (no TZ race: this is the
 * thread that uses TZ) and published at once. */
static void page_jobs_only(struct tool *t, const char *note)
{
	struct report r;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	page_report(t, &r);
	if ((fp = open_memstream(&buf, &len)) &&
	    (report_html_write_jobs(fp, &r, note) | fclose(fp)) == 0)
		sched_set_page(&t->st, buf, len, r.now);
	else
		free(buf);
	report_free(&r);
}

/* The render process's input: a line per job that ran, "NAME TAB START
 * TAB END TAB EXIT TAB OUTCOME"; names hold no tab or newline (lib/cfg). */
static char *page_input(const struct tool *t, size_t *len)
{
	const struct sched_job *j;
	char *buf = NULL;
	FILE *fp = xcheck(open_memstream(&buf, len));
	size_t i;

	for (i = 0; i < t->st.njobs; i++) {
		j = &t->st.jobs[i];
		if (j->last.start && !j->removed)
			fprintf(fp, "%s\t%lld\t%lld\t%d\t%s\n", j->name, (long long)j->last.start,
				(long long)j->last.end, j->last.rc,
				sched_outcome_names[j->last.outcome]);
	}
	if (fclose(fp) != 0)
		xalloc_die();
	return buf;
}

/* Start `sched-run --page` (this very binary) for the database's part. */
static void page_start(struct tool *t, time_t now)
{
	char days[24], why[300], *input, *argv[16];
	size_t len;
	int k = 0;

	snprintf(days, sizeof(days), "%ld", t->o.page_days);
	argv[k++] = "sched-run";
	argv[k++] = "--page";
	argv[k++] = "--page-days";
	argv[k++] = days;
	argv[k++] = "--state-dir";
	argv[k++] = (char *)t->o.state_dir;
	if (t->o.job)
		argv[k++] = "--job", argv[k++] = (char *)t->o.job;
	if (t->o.shard)
		argv[k++] = "--shard", argv[k++] = (char *)t->o.shard;
	argv[k++] = "--";
	argv[k++] = (char *)t->o.config;
	argv[k] = NULL;
	input = page_input(t, &len);
	if (sched_page_start(&t->page, "/proc/self/exe", argv, input, len, now, PAGE_TIMEOUT,
			     why, sizeof(why)) < 0) {
		slog(MSG_WARN, "page_error", "error", why, NULL);
		page_jobs_only(t, PAGE_FAILED);
	}
	free(input);
}

/* The render process ended: publish its page, or the jobs alone. */
static void page_finished(struct tool *t)
{
	char why[600], *page;
	size_t len;

	page = sched_page_take(&t->page, &len, why, sizeof(why));
	if (page) {
		sched_set_page(&t->st, page, len, t->page_started);
		return;
	}
	slog(MSG_WARN, "page_error", "error", why, NULL);
	page_jobs_only(t, PAGE_FAILED);
}

/*
 * Keep the page: follow a render in progress, or start one when the page
 * is stale (at start, after a run, after a reload, or asked for when older
 * than API_PAGE_MAX_AGE), at most one at a time and PAGE_GAP apart.
 */
static void page_tend(struct tool *t, time_t now)
{
	struct sched_state *st = &t->st;

	if (!t->serving)
		return;
	if (sched_page_busy(&t->page)) {
		sched_page_tend(&t->page, now);
		if (sched_page_done(&t->page))
			page_finished(t);
		return;
	}
	if (!st->page_stale || st->stopping || now < t->page_started + PAGE_GAP)
		return;
	st->page_stale = 0;
	t->page_started = now;
	if (!db_configured()) {
		page_jobs_only(t, PAGE_NO_DB);
		return;
	}
	if (!st->page)
		page_jobs_only(t, PAGE_WAITING);
	page_start(t, now);
}

/* --page: the last runs the scheduler passed on stdin (not a terminal). */
static void read_last_runs(struct tool *t, FILE *fp)
{
	char line[512], name[256], outcome[16];
	struct sched_job *j;
	long long start, end;
	int rc, k;

	if (isatty(fileno(fp)))
		return;
	while (fgets(line, sizeof(line), fp)) {
		if (sscanf(line, "%255[^\t]\t%lld\t%lld\t%d\t%15[a-z]", name, &start, &end, &rc,
			   outcome) != 5 || !(j = sched_find(&t->st, name)))
			continue;
		for (k = 0; k < SCHED_NOUTCOMES && strcmp(outcome, sched_outcome_names[k]); k++)
			;
		if (k == SCHED_NOUTCOMES)
			continue;
		j->last.start = (time_t)start;
		j->last.end = (time_t)end;
		j->last.rc = rc;
		j->last.outcome = (enum sched_outcome)k;
	}
}

/* --page: the failed windows, rejected rows and gaps of each job's last
 * run, from the files the stage table names (lib/sched_pipe). */
static void page_files(const struct tool *t, struct report *r)
{
	static const struct {
		enum sched_file f;
		int (*read)(struct report *, const char *);
	} files[] = {
		{ SCHED_F_FAILED, report_read_failed },
		{ SCHED_F_REJECTS, report_read_rejects },
		{ SCHED_F_GAPS, report_read_gaps },
	};
	struct sched_spec spec = { t->o.config, NULL, t->o.shard, t->o.state_dir, NULL, NULL, NULL };
	char path[PATH_MAX + 400];
	size_t i, k;

	for (i = 0; i < t->st.njobs; i++) {
		spec.job = t->st.jobs[i].name;
		for (k = 0; k < sizeof(files) / sizeof(files[0]); k++)
			if (sched_file_path(path, sizeof(path), files[k].f, &spec) == 0 &&
			    access(path, R_OK) == 0)
				files[k].read(r, path);
	}
}

/* --page: the whole page on stdout; the jobs alone without a database. */
static int print_page(struct tool *t)
{
	struct report r;
	struct db d;
	int rc;

	read_last_runs(t, stdin);
	page_report(t, &r);
	page_files(t, &r);
	if (!db_configured()) {
		rc = report_html_write_jobs(stdout, &r, PAGE_NO_DB);
	} else {
		if (db_connect(&d, db_conninfo(), 1, "public", "bars") < 0 ||
		    report_db_gather(&d, &r) < 0)
			msg_die(EXIT_FATAL, "database: %s", d.err);
		db_close(&d);
		report_sort(&r);
		rc = report_html_write(stdout, &r);
	}
	if (rc < 0)
		msg_die(EXIT_FATAL, "stdout: %s", strerror(errno));
	report_free(&r);
	cfg_free(&t->cfg);
	msg_close_stdout(EXIT_FATAL);
	return EXIT_OK;
}

/*
 * The last handled fire of each job survives a restart in a state file
 * (default CONFIG.state; lines "NAME TAB EPOCH"), so a fire missed while the
 * scheduler was stopped is noticed at start and goes through the same
 * misfire rule as one missed while the host slept: once within the grace,
 * else logged and skipped.  Written atomically after every fire.
 */
static void state_load(struct tool *t)
{
	char name[256];
	long long at;
	FILE *fp;
	size_t i;

	if (t->o.state_file)
		snprintf(t->state_path, sizeof(t->state_path), "%s", t->o.state_file);
	else
		snprintf(t->state_path, sizeof(t->state_path), "%s.state", t->o.config);
	fp = fopen(t->state_path, "r");
	if (!fp)
		return;
	while (fscanf(fp, "%255[^\t\n]\t%lld\n", name, &at) == 2)
		for (i = 0; i < t->st.njobs; i++)
			if (strcmp(t->st.jobs[i].name, name) == 0)
				t->st.jobs[i].last_fire = (time_t)at;
	fclose(fp);
}

static int write_state(FILE *fp, void *ctx)
{
	const struct sched_state *st = ctx;
	size_t i;

	for (i = 0; i < st->njobs; i++)
		if (st->jobs[i].last_fire)
			fprintf(fp, "%s\t%lld\n", st->jobs[i].name, (long long)st->jobs[i].last_fire);
	return 0;
}

static void state_save(struct tool *t)
{
	if (sched_fs_replace(t->state_path, 0644, write_state, &t->st) < 0)
		slog(MSG_WARN, "state_not_saved", "file", t->state_path, "error", strerror(errno),
		     NULL);
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
static void fire(struct tool *t, struct sched_job *j, time_t now)
{
	char at[BT_ISO_LEN], late[24];

	if (j->running) {
		misfire(t, j, SCHED_MIS_OVERLAP, j->next);
	} else if (now - j->next > t->o.misfire_grace) {
		j->tot.misfires[SCHED_MIS_LATE]++;
		iso(j->next, at);
		snprintf(late, sizeof(late), "%lld", (long long)(now - j->next));
		slog(MSG_WARN, "misfire", "job", j->name, "reason", "late", "scheduled", at,
		     "late_s", late, NULL);
	} else {
		start_run(t, j, "schedule", now, j->next);
	}
	j->last_fire = j->next;
	state_save(t);
	/* From now, not from the missed time: many missed fires become one. */
	schedule_next(j, now);
}

static void schedule_due(struct tool *t, time_t now)
{
	struct sched_state *st = &t->st;
	struct sched_job *j;
	size_t i;

	for (i = 0; i < st->njobs; i++) {
		j = &st->jobs[i];
		if (j->run_now) {
			j->run_now = 0;
			if (!j->running && !st->stopping)
				start_run(t, j, t->o.mode == M_ONCE ? "once" : "api", now, 0);
		}
		if (t->o.mode == M_ONCE || !j->next || now < j->next)
			continue;
		if (st->paused || j->paused || st->stopping)
			schedule_next(j, now); /* paused: let fires pass silently */
		else
			fire(t, j, now);
	}
}

/* Keep a job's runtime and counters, take its new definition. */
static void carry_over(struct sched_job *nj, struct sched_job *old)
{
	struct sched_job fresh = *nj;

	*nj = *old;
	nj->schedule = fresh.schedule;
	nj->timezone = fresh.timezone;
	nj->timeout = fresh.timeout;
	nj->cron = fresh.cron;
	nj->lock_key = fresh.lock_key;
	nj->deadline = nj->phase == SCHED_RUNNING && nj->timeout > 0 ?
		       nj->cur.start + nj->timeout : 0;
	free(old->schedule);
	free(old->timezone);
	free(fresh.name);
	old->name = NULL;
}

/* SIGHUP: new config, keeping running jobs and every job's counters; the
 * log file is opened again (after logrotate moved it). */
static void reload(struct tool *t, time_t now)
{
	struct sched_state *st = &t->st;
	struct sched_job *nj, *old;
	struct cfg nc;
	size_t nn, i;
	char why[512];

	if (t->o.log_file && slog_open(t->o.log_file) < 0)
		slog(MSG_ERROR, "log_reopen", "file", t->o.log_file, "error", strerror(errno), NULL);
	if (load_jobs(t, &nj, &nn, &nc, why, sizeof(why)) < 0) {
		slog(MSG_ERROR, "reload_failed", "error", why, "action", "keeping the old config",
		     NULL);
		return;
	}
	cfg_free(&t->cfg);
	t->cfg = nc;
	st->page_stale = 1;
	for (i = 0; i < nn; i++)
		if ((old = sched_find(st, nj[i].name)) != NULL)
			carry_over(&nj[i], old);
	/* jobs gone from the config: drop, unless still running */
	for (i = 0; i < st->njobs; i++) {
		old = &st->jobs[i];
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
	free(st->jobs);
	st->jobs = nj;
	st->njobs = nn;
	for (i = 0; i < nn; i++)
		schedule_next(&st->jobs[i], now);
	snprintf(why, sizeof(why), "%zu", nn);
	slog(MSG_INFO, "reload", "config", t->o.config, "jobs", why, NULL);
}

static int nrunning(const struct tool *t)
{
	size_t i;
	int n = 0;

	for (i = 0; i < t->st.njobs; i++)
		n += t->st.jobs[i].running;
	return n;
}

/* Shutdown: runs still waiting for a lock never start; running ones get sig. */
static void kill_all(struct tool *t, int sig)
{
	struct sched_job *j;
	size_t i;

	for (i = 0; i < t->st.njobs; i++) {
		j = &t->st.jobs[i];
		if (j->phase == SCHED_LOCKING) {
			release(t, j);
		} else if (j->phase == SCHED_RUNNING && sig) {
			j->killed = 1;
			sched_pipe_kill(j->pipe, sig);
		}
	}
}

/* Milliseconds to sleep: until the next fire, at most a second. */
static int sleep_ms(const struct sched_state *st)
{
	struct timespec ts;
	double now, due = 0;
	size_t i;

	clock_gettime(CLOCK_REALTIME, &ts);
	now = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	for (i = 0; i < st->njobs; i++)
		if (st->jobs[i].next && (!due || st->jobs[i].next < due))
			due = (double)st->jobs[i].next;
	if (!due || st->paused || due - now > 1.0)
		return 1000;
	return due <= now ? 0 : (int)((due - now) * 1000) + 1;
}

static void wait_events(struct tool *t)
{
	struct pollfd fds[3 + 2 * 64];
	struct sched_job *j;
	nfds_t n = 0;
	size_t i;
	char buf[256];
	int ms;

	fds[n].fd = t->wake_rd;
	fds[n++].events = POLLIN;
	if (t->page.out_fd >= 0) {
		fds[n].fd = t->page.out_fd;
		fds[n++].events = POLLIN;
	}
	if (t->page.err_fd >= 0) {
		fds[n].fd = t->page.err_fd;
		fds[n++].events = POLLIN;
	}
	for (i = 0; i < t->st.njobs && n + 2 <= sizeof(fds) / sizeof(fds[0]); i++) {
		j = &t->st.jobs[i];
		if (j->phase != SCHED_RUNNING)
			continue;
		if (j->pipe->out_fd >= 0) {
			fds[n].fd = j->pipe->out_fd;
			fds[n++].events = POLLIN;
		}
		if (j->pipe->err_fd >= 0) {
			fds[n].fd = j->pipe->err_fd;
			fds[n++].events = POLLIN;
		}
	}
	ms = sleep_ms(&t->st);
	pthread_mutex_unlock(&t->st.mu);
	poll(fds, n, ms);
	while (read(t->wake_rd, buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&t->st.mu);
}

/* Stopping: 1 when the loop may end. */
static int wind_down(struct tool *t, time_t now, time_t *stop_at, int *termed)
{
	if (!nrunning(t))
		return 1;
	if (now >= *stop_at && !*termed) {
		*termed = 1;
		slog(MSG_WARN, "grace_over", "job", t->o.job, "action", "SIGTERM to running pipelines",
		     NULL);
		kill_all(t, SIGTERM);
	} else if (*termed && now >= *stop_at + KILL_AFTER) {
		kill_all(t, SIGKILL);
		*stop_at = now;
	}
	return 0;
}

/* The loop: returns the exit status. */
static int run_loop(struct tool *t)
{
	struct sched_state *st = &t->st;
	time_t now, stop_at = 0;
	int termed = 0;

	pthread_mutex_lock(&st->mu);
	for (;;) {
		now = time(NULL);
		if (got_term && !st->stopping) {
			st->stopping = 1;
			stop_at = now + t->o.grace;
			kill_all(t, 0);
			slog(MSG_INFO, "stopping", "job", t->o.job, "running",
			     nrunning(t) ? "yes" : "no", NULL);
		}
		if (got_hup) {
			got_hup = 0;
			if (!st->stopping)
				reload(t, now);
		}
		tend_runs(t, now);
		page_tend(t, now);
		if (st->stopping) {
			if (wind_down(t, now, &stop_at, &termed))
				break;
		} else {
			schedule_due(t, now);
			if (t->o.mode == M_ONCE && !nrunning(t))
				break;
		}
		wait_events(t);
	}
	pthread_mutex_unlock(&st->mu);
	slog(MSG_INFO, "exit", "job", t->o.job, "killed_runs", termed ? "yes" : "no", NULL);
	if (t->o.mode == M_ONCE)
		return st->stopping && t->once_rc < 0 ? EXIT_FATAL : t->once_rc < 0 ? EXIT_OK :
		       t->once_rc;
	return EXIT_OK;
}

/* ---- setup ------------------------------------------------------------- */

/* Binaries from BARS_BIN_DIR, else next to this one, else PATH (""). */
static void find_bindir(char *dir, size_t n)
{
	const char *env = getenv("BARS_BIN_DIR");
	char probe[PATH_MAX + 16], *s;
	ssize_t k;

	dir[0] = '\0';
	if (env && *env) {
		snprintf(dir, n, "%s", env);
		return;
	}
	k = readlink("/proc/self/exe", dir, n - 1);
	if (k <= 0 || !(s = strrchr((dir[k] = '\0', dir), '/'))) {
		dir[0] = '\0';
		return;
	}
	*s = '\0';
	snprintf(probe, sizeof(probe), "%s/sched-plan", dir);
	if (access(probe, X_OK) != 0)
		dir[0] = '\0';
}

static char *read_token(const char *path)
{
	char buf[512];
	const char *env = getenv("BARS_API_TOKEN");
	FILE *fp;
	size_t k;

	if (!path)
		return env && *env ? xstrdup(env) : NULL;
	fp = fopen(path, "r");
	if (!fp)
		msg_die(EXIT_USAGE, "%s: %s", path, strerror(errno));
	if (!fgets(buf, sizeof(buf), fp))
		buf[0] = '\0';
	fclose(fp);
	k = strlen(buf);
	while (k && (buf[k - 1] == '\n' || buf[k - 1] == '\r' || buf[k - 1] == ' '))
		buf[--k] = '\0';
	if (!k)
		msg_die(EXIT_USAGE, "%s: empty token file", path);
	return xstrdup(buf);
}

static struct sched_api *start_api(struct tool *t)
{
	struct sched_api_opts ao = { t->o.listen, NULL, t->o.tls_cert, t->o.tls_key,
				     (double)t->o.rate };
	struct sched_api *h;
	char why[256], port[16], *token = read_token(t->o.token_file);

	ao.token = token;
	h = sched_api_start(&t->st, &ao, why, sizeof(why));
	free(token);
	if (!h)
		msg_die(EXIT_USAGE, "%s", why);
	snprintf(port, sizeof(port), "%d", sched_api_port(h));
	slog(MSG_INFO, "api_listen", "listen", t->o.listen, "port", port, "tls",
	     t->o.tls_cert ? "yes" : "no", "auth", ao.token ? "bearer" : "none", NULL);
	t->serving = 1;
	t->st.page_stale = 1; /* the first page, at once */
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

/*
 * --once --textfile-dir: each job's textfile, also for runs that could not
 * start; with a config that does not load, for the --job named.
 */
static void write_textfiles(struct tool *t, struct sched_job *jobs, size_t n)
{
	char path[PATH_MAX + 300];
	size_t i;

	if (!t->o.textfile_dir)
		return;
	for (i = 0; i < n; i++) {
		if (sched_textfile_update(t->o.textfile_dir, &jobs[i], path, sizeof(path)) == 0)
			continue;
		slog(MSG_ERROR, "textfile_error", "job", jobs[i].name, "file", path, "error",
		     strerror(errno), NULL);
		if (t->once_rc <= 0)
			t->once_rc = EXIT_FATAL;
	}
}

/* A config that does not load: with --once --textfile-dir --job, the
 * job's textfile still says so (an error run), then exit 2. */
static void config_error(struct tool *t, const char *why)
{
	struct sched_job j = { .name = (char *)t->o.job, .shard = t->o.shard };
	struct sched_summary s;

	if (t->o.mode == M_ONCE && t->o.textfile_dir && t->o.job) {
		sched_summary_init(&s, time(NULL));
		s.end = s.start;
		s.outcome = SCHED_ERROR;
		s.rc = EXIT_USAGE;
		sched_account(&j.tot, &s);
		write_textfiles(t, &j, 1);
	}
	msg_die(EXIT_USAGE, "%s", why);
}

/* Everything before the loop; returns the scheduler lock's fd. */
static int prepare(struct tool *t)
{
	size_t i;
	int fd;

	if (t->o.mode == M_DAEMON && getenv("BARS_NOW")) {
		msg_log(MSG_WARN, "BARS_NOW is ignored by the scheduler (only --check and "
			"--once use it); the pipeline runs on the real clock");
		unsetenv("BARS_NOW");
	}
	if (slog_open(t->o.log_file) < 0)
		msg_die(EXIT_USAGE, "%s: %s", t->o.log_file, strerror(errno));
	fd = lock_scheduler(t);
	setup_signals(t);
	sched_page_init(&t->page);
	/* a bounded connect unless the conninfo says otherwise (lib/db may add its own) */
	setenv("PGCONNECT_TIMEOUT", "10", 0);
	if (db_configured() && !(t->locker = sched_locker_start(&t->st)))
		msg_die(EXIT_FATAL, "cannot start the advisory-lock thread");
	t->st.config = t->o.config;
	t->st.started = time(NULL);
	if (t->o.mode == M_DAEMON)
		state_load(t);
	for (i = 0; i < t->st.njobs; i++) {
		if (t->o.mode == M_ONCE)
			t->st.jobs[i].run_now = 1;
		else
			schedule_first(&t->st.jobs[i], t->st.started);
	}
	return fd;
}

/* --due: keep only the jobs whose schedule fires this minute. */
static void keep_due(struct tool *t)
{
	time_t now = bt_now();
	size_t i, k = 0;

	for (i = 0; i < t->st.njobs; i++) {
		if (due_now(&t->st.jobs[i], now)) {
			t->st.jobs[k++] = t->st.jobs[i];
			continue;
		}
		slog(MSG_DEBUG, "not_due", "job", t->st.jobs[i].name, NULL);
		job_free(&t->st.jobs[i]);
	}
	t->st.njobs = k;
}

static void finish(struct tool *t, struct sched_api *api, int lockfd)
{
	size_t i;

	sched_api_stop(api);
	for (i = 0; i < t->st.njobs; i++)
		release(t, &t->st.jobs[i]);
	sched_locker_stop(t->locker);
	sched_page_stop(&t->page);
	sched_set_page(&t->st, NULL, 0, 0);
	if (t->o.mode == M_ONCE)
		write_textfiles(t, t->st.jobs, t->st.njobs);
	for (i = 0; i < t->st.njobs; i++)
		job_free(&t->st.jobs[i]);
	free(t->st.jobs);
	cfg_free(&t->cfg);
	close(lockfd);
	slog_close();
}

int main(int argc, char **argv)
{
	static struct tool t = {
		.o = { .log_file = "logs/scheduler.log", .listen = "127.0.0.1:8640", .grace = 30,
		       .misfire_grace = 60, .timeout = 3600, .rate = 10 },
		.st = { .mu = PTHREAD_MUTEX_INITIALIZER, .wake_fd = -1 },
		.wake_rd = -1, .once_rc = -1,
	};
	struct sched_api *api = NULL;
	char why[600];
	int rc, lockfd;

	msg_init(argv[0]);
	std_fds();
	parse_args(&t.o, argc, argv);
	if (t.o.chunk)
		return print_chunk(&t);
	find_bindir(t.bindir, sizeof(t.bindir));
	if (load_jobs(&t, &t.st.jobs, &t.st.njobs, &t.cfg, why, sizeof(why)) < 0)
		config_error(&t, why);
	if (t.o.mode == M_CHECK)
		return rc = check(&t), msg_close_stdout(EXIT_FATAL), rc;
	if (t.o.mode == M_PRINT)
		return print_pipelines(&t);
	if (t.o.mode == M_PAGE)
		return print_page(&t);
	if (t.o.due)
		keep_due(&t);
	if (t.o.mode == M_DUE)
		return t.st.njobs ? EXIT_OK : EXIT_PARTIAL;
	if (t.o.mode == M_ONCE && !t.st.njobs)
		return EXIT_OK; /* --once --due, nothing due: cron's quiet minute */
	lockfd = prepare(&t);
	if (t.o.mode == M_DAEMON && !t.o.no_api)
		api = start_api(&t);
	snprintf(why, sizeof(why), "%zu", t.st.njobs);
	slog(MSG_INFO, "start", "job", t.o.job, "config", t.o.config, "jobs", why, "mode",
	     t.o.mode == M_ONCE ? "once" : "daemon", "shard", t.o.shard, "bindir",
	     *t.bindir ? t.bindir : "PATH", NULL);
	rc = run_loop(&t);
	finish(&t, api, lockfd);
	return t.o.mode == M_ONCE && t.once_rc > rc ? t.once_rc : rc;
}
