/*
 * load-bars: upsert bars CSV into PostgreSQL.
 *
 * Rows stream through COPY into a TEMP staging table, batch by batch; each
 * batch is deduplicated on (symbol, interval, ts) and upserted with a
 * change guard (lib/load_sql).  With --txn run (the default) the whole run
 * is one transaction; with --txn batch every batch commits on its own.
 * A lost connection is retried with backoff and the uncommitted work is
 * replayed from the input, which is why a non-seekable stdin is spooled
 * to a temporary file first.
 */
#include "bars.h"
#include "bt.h"
#include "exitcode.h"
#include "csvr.h"
#include "db.h"
#include "load_keys.h"
#include "load_sql.h"
#include "json.h"
#include "msg.h"
#include "px.h"
#include "xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>


/* Outcome of one attempt at the load. */
enum { DONE = 0, EDATA = -1, EDB = -2, ESTOP = -3 };

#define COPY_CHUNK (256 * 1024)

struct input {
	const char *name;
	FILE *fp;
	off_t start;
};

struct counts {
	long long rows_in, duplicates, inserted, updated, unchanged, rejected;
};

struct loader {
	struct db db;
	struct input *in;
	int nin;
	long batch_size;
	int txn_batch;
	int audit;
	int retries;
	int json;
	char run_id[24];
	long long committed;  /* input rows whose batches are committed */
	struct counts done;   /* counts of committed batches */
	struct counts cur;    /* counts of the current attempt */
	long long seq;        /* rows read in this attempt */
	long batch_rows;
	long batch_dups;      /* keys seen before in this batch */
	int probe;            /* index into load_sql_upsert[] */
	struct load_keys *keys;
	int in_copy, in_txn;
	char *buf;
	size_t len;
	char err[1100];
	const char *events;
	long long ev[3];      /* events inserted, updated, unchanged */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(int code)
{
	fprintf(code ? stderr : stdout,
		"usage: load-bars [--batch-size N] [--txn run|batch] [--no-audit]\n"
		"                 [--schema NAME] [--table NAME] [--retries N] [--json]\n"
		"                 [--events FILE] [FILE ...]\n"
		"       load-bars --init [--schema NAME] [--table NAME]\n");
	exit(code);
}

/* ---- input ---- */

/* A pipe cannot be re-read for a replay: copy it to a temporary file. */
static FILE *spool(FILE *fp)
{
	const char *dir = getenv("TMPDIR");
	char buf[65536], path[4096];
	size_t n;
	FILE *t;
	int fd;

	/* tmpfile() ignores TMPDIR; the spool can be as large as the input. */
	snprintf(path, sizeof(path), "%s/load-bars.XXXXXX", dir && *dir ? dir : "/tmp");
	if ((fd = mkstemp(path)) < 0)
		return NULL;
	unlink(path);
	if (!(t = fdopen(fd, "w+"))) {
		close(fd);
		return NULL;
	}
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		if (fwrite(buf, 1, n, t) != n)
			goto fail;
	if (ferror(fp) || fflush(t) != 0)
		goto fail;
	rewind(t);
	return t;
fail:
	fclose(t);
	return NULL;
}

static int open_inputs(struct loader *L, char **names, int n)
{
	static char *dash[] = { "-" };
	int i;

	if (n == 0) {
		names = dash;
		n = 1;
	}
	L->in = xcalloc((size_t)n, sizeof(*L->in));
	for (i = 0; i < n; i++) {
		struct input *in = &L->in[i];

		in->name = names[i];
		if (strcmp(names[i], "-") == 0) {
			in->fp = stdin;
			in->start = ftello(stdin);
			if (in->start < 0) {
				in->fp = spool(stdin);
				in->start = 0;
				if (!in->fp) {
					msg_err("cannot spool standard input: %s", strerror(errno));
					return -1;
				}
			}
		} else {
			in->fp = fopen(names[i], "r");
		}
		if (!in->fp) {
			msg_err("%s: %s", names[i], strerror(errno));
			return -1;
		}
		L->nin++;
	}
	return 0;
}

static void close_inputs(struct loader *L)
{
	int i;

	for (i = 0; i < L->nin; i++)
		if (L->in[i].fp != stdin)
			fclose(L->in[i].fp);
	free(L->in);
}

/* ---- COPY ---- */

static int copy_flush(struct loader *L)
{
	if (L->len && PQputCopyData(L->db.conn, L->buf, (int)L->len) != 1) {
		db_set_error(&L->db, NULL);
		return -1;
	}
	L->len = 0;
	return 0;
}

static char *put_str(char *p, const char *s, char sep)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	p[n] = sep;
	return p + n + 1;
}

/* printf is the hot spot of a million-row load: digits by hand. */
static char *put_ll(char *p, long long v, char sep)
{
	char tmp[24];
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	int n = 0;

	do
		tmp[n++] = (char)('0' + u % 10);
	while ((u /= 10) > 0);
	if (v < 0)
		*p++ = '-';
	while (n > 0)
		*p++ = tmp[--n];
	*p++ = sep;
	return p;
}

/* 1 when the row is staged, 0 when a field is absurdly long, -1 on a
 * database error.  Fields cannot hold tabs or backslashes: bars_parse()
 * checked them (prices are [0-9.+-eE] only). */
static int copy_row(struct loader *L, char **f, const struct bar *b)
{
	char ts[BT_ISO_LEN], *p;
	size_t need = 96 + SYM_MAX;
	int i;

	for (i = 3; i < 8; i++)
		need += strlen(f[i]);
	if (need > COPY_CHUNK / 2)
		return 0;
	if (L->len + need > COPY_CHUNK && copy_flush(L) < 0)
		return -1;
	p = L->buf + L->len;
	p = put_ll(p, L->seq, '\t');
	p = put_str(p, b->symbol, '\t');
	p = put_str(p, b->interval, '\t');
	p = put_str(p, bt_format_iso(b->ts, ts), '\t');
	for (i = 3; i < 8; i++)
		p = put_str(p, f[i], '\t');
	if (b->has_volume) {
		p = put_ll(p, b->volume, '\n');
	} else {
		memcpy(p, "\\N\n", 3);
		p += 3;
	}
	L->len = (size_t)(p - L->buf);
	return 1;
}

/* Drain results after COPY or an abort; 0 when the COPY succeeded. */
static int copy_result(struct loader *L)
{
	PGresult *res;
	int rc = 0;

	while ((res = PQgetResult(L->db.conn))) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == 0) {
			db_set_error(&L->db, res);
			rc = -1;
		}
		PQclear(res);
	}
	if (PQstatus(L->db.conn) == CONNECTION_BAD && rc == 0) {
		db_set_error(&L->db, NULL);
		rc = -1;
	}
	return rc;
}

static int batch_begin(struct loader *L)
{
	PGresult *res;

	if (!L->in_txn) {
		if (db_exec(&L->db, "BEGIN") < 0)
			return -1;
		L->in_txn = 1;
	}
	if (db_exec(&L->db, "TRUNCATE pg_temp.load_stage") < 0)
		return -1;
	res = PQexec(L->db.conn, load_sql_copy);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		db_set_error(&L->db, res);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	L->in_copy = 1;
	L->batch_rows = L->batch_dups = 0;
	load_keys_clear(L->keys);
	return 0;
}

static void abort_copy(struct loader *L)
{
	if (!L->in_copy)
		return;
	L->in_copy = 0;
	L->len = 0;
	if (PQputCopyEnd(L->db.conn, "load-bars: batch abandoned") == 1)
		PQclear(PQgetResult(L->db.conn));
	while (PQgetResult(L->db.conn))
		;
}

static void rollback(struct loader *L)
{
	abort_copy(L);
	if (L->in_txn && PQstatus(L->db.conn) == CONNECTION_OK)
		PQclear(PQexec(L->db.conn, "ROLLBACK"));
	L->in_txn = 0;
}

static int run_finish(struct loader *L, const char *status, const char *error,
		      const struct counts *c)
{
	char v[6][24];
	const char *p[9] = { L->run_id, status, error, v[0], v[1], v[2], v[3], v[4], v[5] };
	const long long *x = &c->rows_in;
	PGresult *res;
	int i;

	for (i = 0; i < 6; i++)
		snprintf(v[i], sizeof(v[i]), "%lld", x[i]);
	res = db_query(&L->db, load_sql_run_finish, 9, p);
	PQclear(res);
	return res ? 0 : -1;
}

static void add(struct counts *a, const struct counts *b)
{
	a->rows_in += b->rows_in;
	a->duplicates += b->duplicates;
	a->inserted += b->inserted;
	a->updated += b->updated;
	a->unchanged += b->unchanged;
	a->rejected += b->rejected;
}

/* End the COPY, upsert the staged batch, commit it in --txn batch mode. */
static int batch_end(struct loader *L)
{
	const char *p[1] = { L->run_id };
	struct counts b = { 0 };
	PGresult *res;
	long long dedup;

	if (copy_flush(L) < 0)
		return -1;
	L->in_copy = 0;
	if (PQputCopyEnd(L->db.conn, NULL) != 1) {
		db_set_error(&L->db, NULL);
		return -1;
	}
	if (copy_result(L) < 0)
		return -1;
	res = db_query(&L->db, load_sql_upsert[L->probe], 1, p);
	if (!res)
		return -1;
	dedup = L->batch_rows - L->batch_dups;
	b.rows_in = L->batch_rows;
	b.duplicates = L->batch_dups;
	b.inserted = atoll(PQgetvalue(res, 0, 0));
	b.updated = atoll(PQgetvalue(res, 0, 1));
	b.unchanged = dedup - b.inserted - b.updated;
	PQclear(res);
	/* Probe for unchanged rows when the last batch was mostly unchanged. */
	L->probe = b.unchanged > b.inserted;
	add(&L->cur, &b);
	if (L->txn_batch) {
		struct counts t = L->done;

		add(&t, &b);
		if (run_finish(L, "running", NULL, &t) < 0 || db_exec(&L->db, "COMMIT") < 0)
			return -1;
		L->in_txn = 0;
		L->done = t;
		L->committed = L->seq;
		memset(&L->cur, 0, sizeof(L->cur));
	}
	msg_progress(0, "%lld row%s", L->seq, L->seq == 1 ? "" : "s");
	return 0;
}

/* ---- one pass over the input ---- */

static int read_input(struct loader *L, struct input *in)
{
	struct csvr *r;
	char **f;
	size_t nf;
	struct bar b;
	const char *field;
	enum bars_err e;
	int rc = DONE, got, staged = 1;

	if (fseeko(in->fp, in->start, SEEK_SET) < 0) {
		snprintf(L->err, sizeof(L->err), "%s: cannot rewind: %s", in->name,
			 strerror(errno));
		return EDATA;
	}
	clearerr(in->fp);
	r = csvr_new(in->fp, in->name);
	if (csvr_header(r, bars_header, BARS_NCOLS) < 0) {
		snprintf(L->err, sizeof(L->err), "%s", csvr_error(r));
		csvr_free(r);
		return EDATA;
	}
	while ((got = csvr_next(r, &f, &nf)) == 1) {
		e = bars_parse(f, nf, &b, &field);
		if (e != BARS_OK) {
			snprintf(L->err, sizeof(L->err), "%s:%ld: %s%s%s", in->name,
				 csvr_line(r), bars_err_code(e), field ? ": " : "",
				 field ? field : "");
			L->cur.rejected = 1;
			rc = EDATA;
			break;
		}
		L->seq++;
		if (L->seq <= L->committed)
			continue; /* replay: committed before the connection broke */
		if ((!L->in_copy && batch_begin(L) < 0) || (staged = copy_row(L, f, &b)) < 0) {
			rc = EDB;
			break;
		}
		if (staged == 0) {
			snprintf(L->err, sizeof(L->err), "%s:%ld: field too long", in->name,
				 csvr_line(r));
			L->seq--; /* counted as rejected instead */
			L->cur.rejected = 1;
			rc = EDATA;
			break;
		}
		if (!load_keys_add(L->keys, b.symbol, b.interval, b.ts))
			L->batch_dups++;
		if (++L->batch_rows >= L->batch_size) {
			if (batch_end(L) < 0) {
				rc = EDB;
				break;
			}
			if (stop) {
				rc = ESTOP;
				break;
			}
		}
	}
	if (got < 0) {
		snprintf(L->err, sizeof(L->err), "%s", csvr_error(r));
		rc = EDATA;
	}
	csvr_free(r);
	return rc;
}

static int attempt(struct loader *L)
{
	struct counts total;
	int i, rc = DONE;

	L->seq = 0;
	memset(&L->cur, 0, sizeof(L->cur));
	if (db_exec(&L->db, load_sql_stage) < 0)
		return EDB;
	for (i = 0; i < L->nin && rc == DONE; i++)
		rc = read_input(L, &L->in[i]);
	if (rc == DONE && L->in_copy && batch_end(L) < 0)
		rc = EDB;
	if (rc != DONE)
		return rc;
	/* --txn run: the run's row commits with its bars, or neither does. */
	total = L->done;
	add(&total, &L->cur);
	if (run_finish(L, "ok", NULL, &total) < 0)
		return EDB;
	if (L->in_txn && db_exec(&L->db, "COMMIT") < 0)
		return EDB;
	L->in_txn = 0;
	L->done = total;
	memset(&L->cur, 0, sizeof(L->cur));
	return DONE;
}

/* ---- the run ---- */

static void report(struct loader *L, const char *status, const struct counts *c)
{
	/* The summary keeps the "load-bars: rows_in=" form sched-run and
	 * scripts look for, at the info level. */
	if (msg_enabled(MSG_INFO))
		msg_err("rows_in=%lld inserted=%lld updated=%lld unchanged=%lld"
			" rejected=%lld duplicates=%lld run_id=%s",
			c->rows_in, c->inserted, c->updated, c->unchanged, c->rejected,
			c->duplicates, L->run_id);
	if (!L->json)
		return;
	printf("{\"run_id\":%s,\"status\":\"%s\",\"schema\":", *L->run_id ? L->run_id : "null",
	       status);
	json_fput_str(stdout, L->db.schema_name);
	printf(",\"table\":");
	json_fput_str(stdout, L->db.table_name);
	printf(",\"rows_in\":%lld,\"duplicates\":%lld,\"inserted\":%lld,\"updated\":%lld,"
	       "\"unchanged\":%lld,\"rejected\":%lld",
	       c->rows_in, c->duplicates, c->inserted, c->updated, c->unchanged, c->rejected);
	if (L->events)
		printf(",\"events_inserted\":%lld,\"events_updated\":%lld,"
		       "\"events_unchanged\":%lld", L->ev[0], L->ev[1], L->ev[2]);
	if (strcmp(status, "ok") != 0) {
		printf(",\"error\":");
		json_fput_str(stdout, L->err);
	}
	printf("}\n");
}

/* Per session, so again after a reconnect; the audit trigger (lib/db)
 * reads stockbars.audit. */
static int session_setup(struct loader *L)
{
	return db_exec(&L->db, L->audit ? "SET TimeZone = 'UTC'"
					: "SET TimeZone = 'UTC'; SET stockbars.audit = 'off'");
}

static int run_start(struct loader *L)
{
	char host[256] = "", pid[16];
	const char *p[3] = { host, pid, L->db.table_name };
	PGresult *res;

	gethostname(host, sizeof(host) - 1);
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	res = db_query(&L->db, load_sql_run_start, 3, p);
	if (!res)
		return -1;
	snprintf(L->run_id, sizeof(L->run_id), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

/* Recover from a retryable failure; -1 when the database stays away. */
static int recover(struct loader *L, int n)
{
	msg_log(MSG_WARN, "database: %s; replaying %s (attempt %d of %d)", L->db.err,
		L->txn_batch ? "the batch" : "the run", n + 1, L->retries);
	if (!db_lost(&L->db)) {
		rollback(L);
		db_backoff(n);
		return 0;
	}
	L->in_copy = L->in_txn = 0;
	db_backoff(n);
	if (db_reconnect(&L->db, L->retries) < 0 || session_setup(L) < 0)
		return -1;
	return 0;
}

/* The whole load with replays; EXIT_* */
static int load(struct loader *L)
{
	int n = 0, rc;
	long long before;

	for (;;) {
		before = L->committed;
		rc = attempt(L);
		if (rc == DONE)
			return EXIT_OK;
		if (rc == EDB && db_retryable(&L->db) && n < L->retries) {
			if (L->committed > before)
				n = 0; /* progress: a fresh budget for this batch */
			if (recover(L, n++) < 0) {
				snprintf(L->err, sizeof(L->err), "database: %s", L->db.err);
				return EXIT_FATAL;
			}
			continue;
		}
		if (rc == EDB)
			snprintf(L->err, sizeof(L->err), "database: %s", L->db.err);
		if (rc == ESTOP)
			snprintf(L->err, sizeof(L->err), "terminated by signal; %s rolled back",
				 L->txn_batch ? "no batch" : "the run");
		rollback(L);
		return EXIT_PARTIAL;
	}
}

/* ---- corporate actions (--events) ---- */

static const char *const events_header[] = {
	"symbol", "ts", "kind", "value", "numerator", "denominator",
};

static int event_check(char **f, size_t n, char *why, size_t len)
{
	const char *k;
	time_t t;
	double v;
	int i;

	if (n != 6) {
		snprintf(why, len, "expected 6 fields, got %zu", n);
		return -1;
	}
	if (sym_valid(f[0]) < 0) {
		snprintf(why, len, "bad symbol");
		return -1;
	}
	if (bt_parse_iso(f[1], &t) < 0) {
		snprintf(why, len, "bad ts");
		return -1;
	}
	for (k = f[2]; *k; k++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz_", *k))
			break;
	if (!*f[2] || *k || k - f[2] > 32) {
		snprintf(why, len, "bad kind");
		return -1;
	}
	for (i = 3; i < 6; i++)
		if (*f[i] && px_parse(f[i], &v) < 0) {
			snprintf(why, len, "bad %s", events_header[i]);
			return -1;
		}
	return 0;
}

static int event_row(struct loader *L, char **f)
{
	char ts[BT_ISO_LEN];
	time_t t;
	const char *p[7];
	PGresult *res;
	int i;

	bt_parse_iso(f[1], &t);
	p[0] = f[0];
	p[1] = bt_format_iso(t, ts);
	for (i = 2; i < 6; i++)
		p[i] = i > 2 && !*f[i] ? NULL : f[i];
	p[6] = L->run_id;
	if (!(res = db_query(&L->db, load_sql_event, 7, p)))
		return -1;
	if (PQntuples(res) == 0)
		L->ev[2]++;
	else
		L->ev[*PQgetvalue(res, 0, 0) == 't' ? 0 : 1]++;
	PQclear(res);
	return 0;
}

/* One transaction for the file; DONE, EDATA or EDB. */
static int events_attempt(struct loader *L, FILE *fp)
{
	struct csvr *r;
	char **f, why[64];
	size_t nf;
	int got, rc = DONE;

	memset(L->ev, 0, sizeof(L->ev));
	rewind(fp);
	r = csvr_new(fp, L->events);
	if (csvr_header(r, events_header, 6) < 0) {
		snprintf(L->err, sizeof(L->err), "%s", csvr_error(r));
		csvr_free(r);
		return EDATA;
	}
	if (db_exec(&L->db, "BEGIN") < 0)
		rc = EDB;
	while (rc == DONE && (got = csvr_next(r, &f, &nf)) != 0) {
		if (got < 0) {
			snprintf(L->err, sizeof(L->err), "%s", csvr_error(r));
			rc = EDATA;
		} else if (event_check(f, nf, why, sizeof(why)) < 0) {
			snprintf(L->err, sizeof(L->err), "%s:%ld: %s", L->events,
				 csvr_line(r), why);
			rc = EDATA;
		} else if (event_row(L, f) < 0) {
			rc = EDB;
		}
	}
	csvr_free(r);
	if (rc == DONE && db_exec(&L->db, "COMMIT") < 0)
		rc = EDB;
	if (rc != DONE && PQstatus(L->db.conn) == CONNECTION_OK)
		PQclear(PQexec(L->db.conn, "ROLLBACK"));
	return rc;
}

static int load_events(struct loader *L)
{
	FILE *fp = fopen(L->events, "r");
	int n = 0, rc;

	if (!fp) {
		snprintf(L->err, sizeof(L->err), "%s: %s", L->events, strerror(errno));
		return EXIT_PARTIAL;
	}
	while ((rc = events_attempt(L, fp)) == EDB && db_retryable(&L->db) &&
	       n < L->retries) {
		if (recover(L, n++) < 0) {
			fclose(fp);
			snprintf(L->err, sizeof(L->err), "database: %s", L->db.err);
			return EXIT_FATAL;
		}
	}
	fclose(fp);
	if (rc == EDB)
		snprintf(L->err, sizeof(L->err), "database: %s", L->db.err);
	return rc == DONE ? EXIT_OK : EXIT_PARTIAL;
}

/* ---- main ---- */

static long number(const char *s, const char *opt)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < 0) {
		msg_err("%s: not a number: %s", opt, s);
		usage(EXIT_USAGE);
	}
	return v;
}

/* Close out a failed run: its row says why, in its own transaction. */
static void record_failure(struct loader *L, int code)
{
	struct counts c = L->done;

	c.rows_in = (L->seq > c.rows_in ? L->seq : c.rows_in) + L->cur.rejected;
	c.rejected = L->cur.rejected;
	if (code == EXIT_FATAL || PQstatus(L->db.conn) != CONNECTION_OK) {
		if (db_reconnect(&L->db, 1) < 0)
			return;
	}
	if (*L->run_id && run_finish(L, "failed", L->err, &c) < 0)
		msg_err("cannot record the failed run %s: %s", L->run_id, L->db.err);
	L->done = c;
}

static int setup(struct loader *L, const char *schema, const char *table, int init)
{
	const char *url = getenv("DATABASE_URL");

	if (db_connect(&L->db, url ? url : "", L->retries + 1, schema, table) < 0) {
		msg_err("database: %s", L->db.err);
		return EXIT_FATAL;
	}
	if (session_setup(L) < 0 || db_migrate(&L->db) < 0 ||
	    (!init && run_start(L) < 0)) {
		msg_err("database: %s", L->db.err);
		return db_lost(&L->db) ? EXIT_FATAL : EXIT_PARTIAL;
	}
	return EXIT_OK;
}

int main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "batch-size", required_argument, NULL, 'b' },
		{ "txn", required_argument, NULL, 'x' },
		{ "no-audit", no_argument, NULL, 'A' },
		{ "schema", required_argument, NULL, 's' },
		{ "table", required_argument, NULL, 't' },
		{ "retries", required_argument, NULL, 'r' },
		{ "events", required_argument, NULL, 'e' },
		{ "init", no_argument, NULL, 'I' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static struct loader L;
	const char *schema = "public", *table = "bars", *txn = "run";
	struct sigaction sa;
	int c, init = 0, code, bars;

	msg_init(argv[0]);
	L.batch_size = 50000;
	L.probe = 1;
	L.audit = 1;
	L.retries = 5;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'b': L.batch_size = number(optarg, "--batch-size"); break;
		case 'x': txn = optarg; break;
		case 'A': L.audit = 0; break;
		case 's': schema = optarg; break;
		case 't': table = optarg; break;
		case 'r': L.retries = (int)number(optarg, "--retries"); break;
		case 'e': L.events = optarg; break;
		case 'I': init = 1; break;
		case 'j': L.json = 1; break;
		case 'h': usage(EXIT_OK); break;
		case 'V': msg_version(); break;
		default: usage(EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	L.txn_batch = strcmp(txn, "batch") == 0;
	if (L.batch_size < 1 || L.batch_size > 10000000 || L.retries > 100 ||
	    db_name_valid(schema) < 0 || db_name_valid(table) < 0 ||
	    (!L.txn_batch && strcmp(txn, "run") != 0) || (init && (argc || L.events))) {
		msg_err("bad arguments: --batch-size 1 to 10000000, --txn run|batch, --retries <= 100,"
			" names of letters, digits and _; --init takes no input");
		usage(EXIT_USAGE);
	}
	/* --events FILE alone loads only the events; stdin is not read. */
	bars = !init && !(L.events && argc == 0);
	if (bars && open_inputs(&L, argv, argc) < 0)
		return EXIT_PARTIAL;
	L.buf = xmalloc(COPY_CHUNK);
	L.keys = load_keys_new(L.batch_size);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	code = setup(&L, schema, table, init);
	if (code == EXIT_OK && !init) {
		if (L.events)
			code = load_events(&L);
		if (code == EXIT_OK && bars)
			code = load(&L);
		else if (code == EXIT_OK && run_finish(&L, "ok", NULL, &L.done) < 0) {
			/* --events alone: its run row is closed here */
			snprintf(L.err, sizeof(L.err), "database: %s", L.db.err);
			code = EXIT_PARTIAL;
		}
		msg_progress_end();
		if (code != EXIT_OK) {
			msg_err("%s", L.err);
			record_failure(&L, code);
		}
		report(&L, code == EXIT_OK ? "ok" : "failed", &L.done);
	}
	db_close(&L.db);
	if (bars)
		close_inputs(&L);
	free(L.buf);
	load_keys_free(L.keys);
	msg_close_stdout(EXIT_PARTIAL);
	return code;
}
