/*
 * sched-plan: write the fetch plan (plan CSV) for a config's jobs.
 *
 * With DATABASE_URL set, the newest stored bar of every (symbol, interval)
 * is read in one query and each symbol is planned from there (with an
 * overlap) up to now; symbols with nothing stored get the whole period,
 * and a series a corporate action made stale (lib/refetch) one window
 * over its whole stored history.
 * Without DATABASE_URL every symbol gets the whole period.  A set but
 * unreachable database is an error, not a silent full re-plan.  With
 * --shard K/N (or its environment fallbacks) only the symbols of that shard
 * are planned (lib/shard).  The rules for one symbol live in lib/plan_win.
 */
#include "bt.h"
#include "exitcode.h"
#include "cfg.h"
#include "db.h"
#include "msg.h"
#include "plan.h"
#include "plan_win.h"
#include "refetch.h"
#include "shard.h"
#include "sym.h"
#include "xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


/* One (symbol, interval) to plan; newest and refetch_from filled from the
 * database. */
struct key {
	const char *symbol;
	const struct sym_interval *iv;
	const struct cfg_job *job;
	int have_newest, have_refetch;
	time_t newest, refetch_from;
};

struct opts {
	const char *config, *job, *interval, *schema, *table;
	char *symbols; /* argv storage, split in place */
	int full, stale, have_start, have_end;
	time_t start, end;
	long overlap;
};

/* Everything one run holds: options, the config and the keys to plan. */
struct planner {
	struct opts o;
	struct shard shard;
	time_t now;
	struct cfg cfg;
	char **syms; /* --symbols, split */
	size_t nsyms;
	struct key *k;
	size_t nk;
};

#define OVERLAP_MAX 100000L

static void usage(int code)
{
	fprintf(code ? stderr : stdout,
		"usage: sched-plan --config FILE [--job NAME] [--symbols A,B] [--interval I]\n"
		"                  [--start T] [--end T] [--full | --only stale] [--overlap N] [--shard K/N]\n"
		"                  [--schema NAME] [--table NAME]\n"
		"       sched-plan -h | --help | --version\n");
	if (code == EXIT_OK)
		printf("\n"
		       "  --config FILE   the JSON config (required)\n"
		       "  --job NAME      plan only this job\n"
		       "  --symbols A,B   plan these symbols instead of the jobs' tickers\n"
		       "  --interval I    plan this interval (1m ... 3mo) instead of the jobs'\n"
		       "  --start T       start every window at T, whatever is stored (years 1900-2199)\n"
		       "  --end T         end every window at T, exclusive (default: now)\n"
		       "  --full          re-plan whole periods, ignoring the stored bars\n"
		       "  --only stale    plan only the series a corporate action made stale\n"
		       "  --overlap N     stored bars to fetch again, 0-%ld (default 1)\n"
		       "  --shard K/N     only the symbols of shard K of N, 0 <= K < N <= %d\n"
		       "  --schema NAME   schema of the bars table (default public)\n"
		       "  --table NAME    the bars table (default bars)\n"
		       "  -h, --help      print this help and exit\n"
		       "  --version       print the version and exit\n"
		       "Environment: DATABASE_URL, BARS_NOW, LOG_LEVEL, STOCKBARS_SHARD,\n"
		       "JOB_COMPLETION_INDEX with STOCKBARS_SHARDS; see sched-plan(1).\n",
		       OVERLAP_MAX, SHARD_MAX);
	exit(code);
}

/* The NYSE calendar applies to jobs on New York time. */
static int new_york(const char *tz)
{
	return strcmp(tz, "America/New_York") == 0 || strcmp(tz, "US/Eastern") == 0 ||
	       strcmp(tz, "EST5EDT") == 0;
}

/* Append the keys of one job (or of its overrides) in this shard. */
static void add_keys(struct planner *p, const struct cfg_job *j, const struct sym_interval *iv)
{
	char **list = p->nsyms ? p->syms : j->tickers;
	size_t i, cnt = p->nsyms ? p->nsyms : j->ntickers;

	p->k = xreallocarray(p->k, p->nk + cnt, sizeof(*p->k));
	for (i = 0; i < cnt; i++) {
		if (!shard_has(&p->shard, list[i]))
			continue;
		memset(&p->k[p->nk], 0, sizeof(p->k[0]));
		p->k[p->nk].symbol = list[i];
		p->k[p->nk].iv = iv ? iv : j->interval;
		p->k[p->nk].job = j;
		p->nk++;
	}
}

/* The keys' symbols or (intervals 1) interval names into a. */
static const char *key_array(struct db_array *a, const struct key *k, size_t n, int intervals)
{
	size_t i;

	for (i = 0; i < n; i++)
		db_array_add(a, intervals ? k[i].iv->name : k[i].symbol);
	return db_array_end(a);
}

/*
 * One query for every key.  The newest bar comes from bar_heads, which
 * load-bars keeps in the same transaction as the bars (a probe into a
 * small table, however large bars grows or however many partitions it
 * has); a key without a head falls back to max(ts) over the primary key.
 * The second column says where a stale series must be fetched again from
 * (lib/refetch).  A schema from before the refetch record plans without
 * it, one from before bar_heads gets the max(ts) alone.  A missing table
 * means nothing is stored yet.
 */
#define NEWEST_SQL 3
static const char *const newest_sql[NEWEST_SQL] = {
	"SELECT extract(epoch FROM coalesce(h.ts, (SELECT max(b.ts) FROM {S}.{T} b"
	" WHERE b.symbol = k.symbol AND b.interval = k.interval)))::bigint, "
	REFETCH_FROM("k.symbol", "k.interval", "k.intraday", "to_timestamp(k.reach)",
		     "h.adjusted_snap")
	" FROM unnest($1::text[], $2::text[], $4::bigint[], $5::boolean[]) WITH ORDINALITY"
	" AS k(symbol, interval, reach, intraday, n)"
	" LEFT JOIN {S}.bar_heads h ON h.target = $3 AND h.symbol = k.symbol"
	" AND h.interval = k.interval ORDER BY k.n",
	"SELECT extract(epoch FROM coalesce((SELECT h.ts FROM {S}.bar_heads h"
	" WHERE h.target = $3 AND h.symbol = k.symbol AND h.interval = k.interval),"
	" (SELECT max(b.ts) FROM {S}.{T} b"
	" WHERE b.symbol = k.symbol AND b.interval = k.interval)))::bigint"
	" FROM unnest($1::text[], $2::text[]) WITH ORDINALITY"
	" AS k(symbol, interval, n) ORDER BY k.n",
	"SELECT extract(epoch FROM (SELECT max(b.ts) FROM {S}.{T} b"
	" WHERE b.symbol = k.symbol AND b.interval = k.interval))::bigint"
	" FROM unnest($1::text[], $2::text[]) WITH ORDINALITY"
	" AS k(symbol, interval, n) ORDER BY k.n",
};

/* An older schema: a table (42P01) or a column (42703) of a later
 * migration is missing. */
static int older_schema(const struct db *d)
{
	return strcmp(d->state, "42P01") == 0 || strcmp(d->state, "42703") == 0;
}

/* A planner role granted SELECT on the bars and bar_heads only (as
 * documented before corporate actions counted) still plans, without
 * re-fetches, and says what to grant. */
static int refetch_denied(const struct db *d, int q)
{
	if (q != 0 || strcmp(d->state, "42501") != 0)
		return 0;
	msg_log(MSG_WARN, "database: %s: planning without re-fetches after splits and"
		" dividends (GRANT SELECT ON corporate_actions)", d->err);
	return 1;
}

static int newest(struct db *d, struct key *k, size_t n, time_t now)
{
	struct db_array syms = { 0 }, ivs = { 0 }, reach = { 0 }, intraday = { 0 };
	const char *p[5] = { key_array(&syms, k, n, 0), key_array(&ivs, k, n, 1), d->table_name };
	const int np[NEWEST_SQL] = { 5, 3, 2 };
	PGresult *res = NULL;
	size_t i;
	int q;

	for (i = 0; i < n; i++) {
		db_array_add_int(&reach, refetch_reach(k[i].iv, now));
		db_array_add_bool(&intraday, k[i].iv->intraday);
	}
	p[3] = db_array_end(&reach);
	p[4] = db_array_end(&intraday);
	for (q = 0; q < NEWEST_SQL && !res; q++)
		if (!(res = db_query(d, newest_sql[q], np[q], p)) && !older_schema(d) &&
		    !refetch_denied(d, q))
			break;
	db_array_free(&syms);
	db_array_free(&ivs);
	db_array_free(&reach);
	db_array_free(&intraday);
	if (!res)
		return strcmp(d->state, "42P01") == 0 || strcmp(d->state, "3F000") == 0
			? 0 : -1;
	for (i = 0; i < n && (int)i < PQntuples(res); i++) {
		if (PQgetisnull(res, (int)i, 0))
			continue;
		k[i].have_newest = 1;
		k[i].newest = (time_t)atoll(PQgetvalue(res, (int)i, 0));
		if (PQnfields(res) < 2 || PQgetisnull(res, (int)i, 1))
			continue;
		k[i].have_refetch = 1;
		k[i].refetch_from = (time_t)atoll(PQgetvalue(res, (int)i, 1));
	}
	PQclear(res);
	return 0;
}

/*
 * The database is found as psql finds it (lib/db: DATABASE_URL, else
 * libpq's PG* variables, service file and .pgpass).  None configured at
 * all: whole periods, said once.  Configured but unreachable: an error,
 * never a silent full re-plan.  A signal cancels the query.
 */
static int lookup(const struct opts *o, struct key *k, size_t n, time_t now)
{
	struct db d;
	int rc;

	/* --full and --start need nothing from the database. */
	if (o->full || o->have_start)
		return EXIT_OK;
	if (!db_configured()) {
		if (o->stale)
			return EXIT_OK; /* nothing stored, nothing stale */
		msg_log(MSG_INFO, "no database configured (DATABASE_URL, PGHOST, PGDATABASE,"
			" PGSERVICE...): planning whole periods");
		return EXIT_OK;
	}
	db_catch_signals();
	if (db_connect(&d, db_conninfo(), 3, o->schema, o->table) < 0) {
		msg_err("database: %s (unset DATABASE_URL and the PG* variables to plan"
			" whole periods)", d.err);
		db_close(&d);
		return EXIT_FATAL;
	}
	rc = newest(&d, k, n, now);
	if (rc < 0)
		msg_err("database: %s", d.err);
	db_close(&d);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	return rc < 0 || db_stopped() ? EXIT_FATAL : EXIT_OK;
}

static int plan(const struct planner *p)
{
	const struct opts *o = &p->o;
	struct plan_req r;
	size_t i;

	if (plan_write_header(stdout) < 0)
		return -1;
	for (i = 0; i < p->nk; i++) {
		if (o->stale && !p->k[i].have_refetch)
			continue;
		memset(&r, 0, sizeof(r));
		r.symbol = p->k[i].symbol;
		r.iv = p->k[i].iv;
		r.now = p->now;
		r.period = p->k[i].job->span;
		r.have_newest = p->k[i].have_newest;
		r.newest = p->k[i].newest;
		r.have_refetch = p->k[i].have_refetch;
		r.refetch_from = p->k[i].refetch_from;
		r.overlap = o->overlap;
		r.full = o->full;
		r.have_start = o->have_start;
		r.have_end = o->have_end;
		r.start = o->start;
		r.end = o->end;
		r.calendar = new_york(p->k[i].job->timezone);
		if (plan_win_emit(stdout, &r) < 0)
			return -1;
	}
	return 0;
}

/* Split --symbols in place; every symbol validated before any use. */
static void split_symbols(struct planner *p)
{
	char *tok, *save = NULL;

	for (tok = strtok_r(p->o.symbols, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (sym_valid(tok) < 0)
			msg_die(EXIT_USAGE, "--symbols: bad symbol '%.40s'"
				" (letters, digits and .^=_- only)", tok);
		p->syms = xreallocarray(p->syms, p->nsyms + 1, sizeof(*p->syms));
		p->syms[p->nsyms++] = tok;
	}
	if (p->nsyms == 0)
		msg_die(EXIT_USAGE, "--symbols: empty list");
}

/* A time a plan may name: years 1900-2199. */
static time_t parse_time(const char *s, const char *opt)
{
	time_t t;

	if (bt_parse_time(s, &t) < 0 || t < PLAN_MIN_TIME || t >= PLAN_MAX_TIME)
		msg_die(EXIT_USAGE, "%s: not a time in years 1900-2199: '%.40s'"
			" (YYYY-MM-DD[THH:MM:SSZ] or epoch seconds)", opt, s);
	return t;
}

static long parse_overlap(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < 0 || v > OVERLAP_MAX)
		msg_die(EXIT_USAGE, "--overlap: not a bar count from 0 to %ld: '%.40s'",
			OVERLAP_MAX, s);
	return v;
}

static void parse_shard(struct planner *p, const char *s)
{
	char why[128];

	if (shard_parse(s, &p->shard, why, sizeof(why)) < 0)
		msg_die(EXIT_USAGE, "--shard: %s", why);
}

/* The one sanity check: the first bad argument is named, then usage. */
/* --only WHAT: "stale" is the one selection there is. */
static int parse_only(const char *s)
{
	if (strcmp(s, "stale") != 0)
		msg_die(EXIT_USAGE, "--only: unknown selection '%.40s' (valid: stale)", s);
	return 1;
}

static void check_args(const struct opts *o, int argc, char *argv[])
{
	int bad_schema = db_name_valid(o->schema) < 0, bad = 1;

	if (!o->config)
		msg_err("--config FILE is required");
	else if (optind != argc)
		msg_err("unexpected operand '%.40s'", argv[optind]);
	else if (bad_schema || db_name_valid(o->table) < 0)
		msg_err("%s: not a plain name (letters, digits and _): '%.40s'",
			bad_schema ? "--schema" : "--table", bad_schema ? o->schema : o->table);
	else if (o->stale && (o->full || o->have_start))
		msg_err("--only stale plans from the stored bars: not with %s",
			o->full ? "--full" : "--start");
	else if (o->have_start && o->have_end && o->end <= o->start)
		msg_err("--end must be after --start");
	else
		bad = 0;
	if (bad)
		usage(EXIT_USAGE);
	if (o->interval && !sym_interval(o->interval))
		msg_die(EXIT_USAGE, "--interval: unknown interval '%.16s' (valid: %s)",
			o->interval, sym_interval_names());
}

static void parse_args(int argc, char *argv[], struct planner *p)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "job", required_argument, NULL, 'j' },
		{ "symbols", required_argument, NULL, 's' },
		{ "interval", required_argument, NULL, 'i' },
		{ "start", required_argument, NULL, 'S' },
		{ "end", required_argument, NULL, 'E' },
		{ "full", no_argument, NULL, 'f' },
		{ "only", required_argument, NULL, 'R' },
		{ "overlap", required_argument, NULL, 'o' },
		{ "shard", required_argument, NULL, 'K' },
		{ "schema", required_argument, NULL, 'N' },
		{ "table", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts *o = &p->o;
	int c;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'j': o->job = optarg; break;
		case 's': o->symbols = optarg; break;
		case 'i': o->interval = optarg; break;
		case 'S': o->start = parse_time(optarg, "--start"); o->have_start = 1; break;
		case 'E': o->end = parse_time(optarg, "--end"); o->have_end = 1; break;
		case 'f': o->full = 1; break;
		case 'R': o->stale = parse_only(optarg); break;
		case 'o': o->overlap = parse_overlap(optarg); break;
		case 'K': parse_shard(p, optarg); break;
		case 'N': o->schema = optarg; break;
		case 'T': o->table = optarg; break;
		case 'h': usage(EXIT_OK); break;
		case 'V': msg_version(); break;
		default: usage(EXIT_USAGE);
		}
	}
	check_args(o, argc, argv);
}

/* What the options leave to the environment: the clock and the shard. */
static void environment(struct planner *p)
{
	char why[160];

	p->now = bt_now();
	if (p->now < PLAN_MIN_TIME || p->now >= PLAN_MAX_TIME)
		msg_die(EXIT_USAGE, "BARS_NOW: not a time in years 1900-2199: '%.40s'",
			getenv("BARS_NOW"));
	if (p->shard.n == 0 && shard_from_env(&p->shard, why, sizeof(why)) < 0)
		msg_die(EXIT_USAGE, "%s", why);
}

/* The keys of every selected job, in config order, symbols in ticker order. */
static void collect_keys(struct planner *p)
{
	const struct sym_interval *iv = p->o.interval ? sym_interval(p->o.interval) : NULL;
	char why[512];
	size_t i;

	if (cfg_load(p->o.config, &p->cfg, why, sizeof(why)) < 0)
		msg_die(EXIT_USAGE, "%s", why);
	if (p->o.job && !cfg_job(&p->cfg, p->o.job))
		msg_die(EXIT_USAGE, "%s: no job named '%.40s'", p->o.config, p->o.job);
	for (i = 0; i < p->cfg.njobs; i++)
		if (!p->o.job || strcmp(p->cfg.jobs[i].name, p->o.job) == 0)
			add_keys(p, &p->cfg.jobs[i], iv);
	if (p->shard.n)
		msg_log(MSG_DEBUG, "shard %u/%u: %zu of the planned symbols", p->shard.k,
			p->shard.n, p->nk);
}

int main(int argc, char *argv[])
{
	struct planner p = { .o = { .schema = "public", .table = "bars", .overlap = 1 } };
	int code;

	msg_init(argv[0]);
	parse_args(argc, argv, &p);
	if (p.o.symbols)
		split_symbols(&p);
	environment(&p);
	collect_keys(&p);
	code = lookup(&p.o, p.k, p.nk, p.now);
	if (code == EXIT_OK && plan(&p) < 0)
		msg_die(EXIT_FATAL, "stdout: %s", strerror(errno));
	free(p.k);
	free(p.syms);
	cfg_free(&p.cfg);
	msg_close_stdout(EXIT_FATAL);
	return code;
}
