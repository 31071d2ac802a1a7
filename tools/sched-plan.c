/*
 * sched-plan: write the fetch plan (plan CSV) for a config's jobs.
 *
 * With DATABASE_URL set, the newest stored bar of every (symbol, interval)
 * is read in one query and each symbol is planned from there (with an
 * overlap) up to now; symbols with nothing stored get the whole period.
 * Without DATABASE_URL every symbol gets the whole period.  A set but
 * unreachable database is an error, not a silent full re-plan.  The rules
 * for one symbol live in lib/plan_win.
 */
#include "bt.h"
#include "exitcode.h"
#include "cfg.h"
#include "db.h"
#include "msg.h"
#include "plan.h"
#include "plan_win.h"
#include "sym.h"
#include "xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


/* One (symbol, interval) to plan; newest filled from the database. */
struct key {
	const char *symbol;
	const struct sym_interval *iv;
	const struct cfg_job *job;
	int have_newest;
	time_t newest;
};

struct opts {
	const char *config, *job, *interval, *schema, *table;
	char *symbols; /* argv storage, split in place */
	int full, have_start, have_end;
	time_t start, end;
	long overlap;
};

static void usage(int code)
{
	fprintf(code ? stderr : stdout,
		"usage: sched-plan --config FILE [--job NAME] [--symbols A,B] [--interval I]\n"
		"                  [--start T] [--end T] [--full] [--overlap N]\n"
		"                  [--schema NAME] [--table NAME]\n");
	exit(code);
}

/* The NYSE calendar applies to jobs on New York time. */
static int new_york(const char *tz)
{
	return strcmp(tz, "America/New_York") == 0 || strcmp(tz, "US/Eastern") == 0 ||
	       strcmp(tz, "EST5EDT") == 0;
}

/* Append the keys of one job (or of its overrides) to *k. */
static void add_keys(struct key **k, size_t *n, const struct cfg_job *j,
		    char **syms, size_t nsyms, const struct sym_interval *iv)
{
	char **list = nsyms ? syms : j->tickers;
	size_t i, cnt = nsyms ? nsyms : j->ntickers;
	struct key *nk = xreallocarray(*k, *n + cnt, sizeof(**k));

	*k = nk;
	for (i = 0; i < cnt; i++) {
		memset(&nk[*n], 0, sizeof(nk[0]));
		nk[*n].symbol = list[i];
		nk[*n].iv = iv ? iv : j->interval;
		nk[*n].job = j;
		(*n)++;
	}
}

/* "{"A","B"}": symbols are [A-Za-z0-9.^=_-] only, so quoting is enough. */
static char *array_literal(const struct key *k, size_t n, int intervals)
{
	size_t i, len = 3;
	char *s, *p;

	for (i = 0; i < n; i++)
		len += strlen(intervals ? k[i].iv->name : k[i].symbol) + 3;
	s = xmalloc(len);
	p = s;
	*p++ = '{';
	for (i = 0; i < n; i++)
		p += sprintf(p, "%s\"%s\"", i ? "," : "",
			     intervals ? k[i].iv->name : k[i].symbol);
	strcpy(p, "}");
	return s;
}

/*
 * One query for every key.  The newest bar comes from bar_heads, which
 * load-bars keeps in the same transaction as the bars (a probe into a
 * small table, however large bars grows or however many partitions it
 * has); a key without a head falls back to max(ts) over the primary key.
 * A schema from before bar_heads gets the max(ts) alone.  A missing
 * table means nothing is stored yet.
 */
static const char *const newest_sql[2] = {
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

static int newest(struct db *d, struct key *k, size_t n)
{
	char *syms = array_literal(k, n, 0), *ivs = array_literal(k, n, 1);
	const char *p[3] = { syms, ivs, d->table_name };
	PGresult *res = NULL;
	size_t i;
	int q;

	for (q = 0; q < 2 && !res; q++)
		if (!(res = db_query(d, newest_sql[q], q ? 2 : 3, p)) &&
		    strcmp(d->state, "42P01") != 0)
			break;
	free(syms);
	free(ivs);
	if (!res)
		return strcmp(d->state, "42P01") == 0 || strcmp(d->state, "3F000") == 0
			? 0 : -1;
	for (i = 0; i < n && (int)i < PQntuples(res); i++) {
		if (PQgetisnull(res, (int)i, 0))
			continue;
		k[i].have_newest = 1;
		k[i].newest = (time_t)atoll(PQgetvalue(res, (int)i, 0));
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
static int lookup(const struct opts *o, struct key *k, size_t n)
{
	struct db d;
	int rc;

	/* --full and --start need nothing from the database. */
	if (o->full || o->have_start)
		return EXIT_OK;
	if (!db_configured()) {
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
	rc = newest(&d, k, n);
	if (rc < 0)
		msg_err("database: %s", d.err);
	db_close(&d);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	return rc < 0 || db_stopped() ? EXIT_FATAL : EXIT_OK;
}

static int plan(const struct opts *o, struct key *k, size_t n, time_t now)
{
	struct plan_req r;
	size_t i;

	if (plan_write_header(stdout) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		memset(&r, 0, sizeof(r));
		r.symbol = k[i].symbol;
		r.iv = k[i].iv;
		r.now = now;
		r.period_seconds = k[i].job->period_seconds;
		r.have_newest = k[i].have_newest;
		r.newest = k[i].newest;
		r.overlap = o->overlap;
		r.full = o->full;
		r.have_start = o->have_start;
		r.have_end = o->have_end;
		r.start = o->start;
		r.end = o->end;
		r.calendar = new_york(k[i].job->timezone);
		if (plan_win_emit(stdout, &r) < 0)
			return -1;
	}
	return 0;
}

/* Split --symbols in place; every symbol validated before any use. */
static size_t split_symbols(char *s, char ***out)
{
	size_t n = 0;
	char *tok, *save = NULL, **v = NULL;

	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (sym_valid(tok) < 0)
			msg_die(EXIT_USAGE, "--symbols: bad symbol '%.40s'"
				" (letters, digits and .^=_- only)", tok);
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n++] = tok;
	}
	if (n == 0)
		msg_die(EXIT_USAGE, "--symbols: empty list");
	*out = v;
	return n;
}

static time_t parse_time(const char *s, const char *opt)
{
	time_t t;

	if (bt_parse_time(s, &t) < 0)
		msg_die(EXIT_USAGE, "%s: not a time: '%.40s' (YYYY-MM-DD[THH:MM:SSZ]"
			" or epoch seconds)", opt, s);
	return t;
}

static void parse_args(int argc, char *argv[], struct opts *o)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "job", required_argument, NULL, 'j' },
		{ "symbols", required_argument, NULL, 's' },
		{ "interval", required_argument, NULL, 'i' },
		{ "start", required_argument, NULL, 'S' },
		{ "end", required_argument, NULL, 'E' },
		{ "full", no_argument, NULL, 'f' },
		{ "overlap", required_argument, NULL, 'o' },
		{ "schema", required_argument, NULL, 'N' },
		{ "table", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
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
		case 'o':
			errno = 0;
			o->overlap = strtol(optarg, &end, 10);
			if (!*optarg || *end || errno || o->overlap < 0 || o->overlap > 100000)
				msg_die(EXIT_USAGE, "--overlap: not a bar count: '%.40s'", optarg);
			break;
		case 'N': o->schema = optarg; break;
		case 'T': o->table = optarg; break;
		case 'h': usage(EXIT_OK); break;
		case 'V': msg_version(); break;
		default: usage(EXIT_USAGE);
		}
	}
	if (!o->config || optind != argc || db_name_valid(o->schema) < 0 ||
	    db_name_valid(o->table) < 0 ||
	    (o->have_start && o->have_end && o->end <= o->start)) {
		msg_err("bad arguments: --config FILE is required, no operands,"
			" names of letters, digits and _, --end after --start");
		usage(EXIT_USAGE);
	}
	if (o->interval && !sym_interval(o->interval))
		msg_die(EXIT_USAGE, "--interval: unknown interval '%.16s' (valid: %s)",
			o->interval, sym_interval_names());
}

int main(int argc, char *argv[])
{
	struct opts o = { .schema = "public", .table = "bars", .overlap = 1 };
	struct cfg cfg;
	struct key *k = NULL;
	char why[512], **syms = NULL;
	size_t nk = 0, nsyms = 0, i;
	time_t now;
	int code;

	msg_init(argv[0]);
	parse_args(argc, argv, &o);
	if (o.symbols)
		nsyms = split_symbols(o.symbols, &syms);
	now = bt_now();
	if (cfg_load(o.config, &cfg, why, sizeof(why)) < 0)
		msg_die(EXIT_USAGE, "%s", why);
	if (o.job && !cfg_job(&cfg, o.job))
		msg_die(EXIT_USAGE, "%s: no job named '%.40s'", o.config, o.job);
	for (i = 0; i < cfg.njobs; i++) {
		if (o.job && strcmp(cfg.jobs[i].name, o.job) != 0)
			continue;
		add_keys(&k, &nk, &cfg.jobs[i], syms, nsyms,
			 o.interval ? sym_interval(o.interval) : NULL);
	}
	code = lookup(&o, k, nk);
	if (code == EXIT_OK && plan(&o, k, nk, now) < 0)
		msg_die(EXIT_FATAL, "stdout: %s", strerror(errno));
	free(k);
	free(syms);
	cfg_free(&cfg);
	msg_close_stdout(EXIT_FATAL);
	return code;
}
