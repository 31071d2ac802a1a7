/*
 * load-bars: upsert bars CSV into PostgreSQL.
 *
 * Rows are read batch by batch.  A row past the newest stored bar of its
 * (symbol, interval) (lib/load_heads) is copied straight into the bars
 * table; any other row goes through a TEMP staging table and a guarded
 * upsert (lib/load_sql).  A batch whose new rows repeat a key or go back
 * in time, or whose straight copy collides with a concurrent loader, is
 * rolled back to a savepoint and goes through the upsert whole, so the
 * counts, the audit and "the last row wins" never depend on the path.
 * With --txn run (the default) the whole run is one transaction; with
 * --txn batch every batch commits on its own.  A lost connection is
 * retried with backoff and the uncommitted work is replayed from the
 * input, which is why a non-seekable stdin is spooled to a temporary file
 * first.  SIGINT and SIGTERM cancel the running statement (lib/db).
 */
#include "bars.h"
#include "bt.h"
#include "exitcode.h"
#include "csvr.h"
#include "db.h"
#include "db_migrate.h"
#include "events.h"
#include "load_heads.h"
#include "load_keys.h"
#include "load_sql.h"
#include "json.h"
#include "msg.h"
#include "plan_win.h"
#include "px.h"
#include "refetch.h"
#include "sym.h"
#include "xalloc.h"

#include <endian.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* Outcome of one attempt at the load. */
enum { DONE = 0, EDATA = -1, EDB = -2, ESTOP = -3 };

#define COPY_CHUNK (256 * 1024)
/* A row in COPY binary: 10 fields, two of them short text. */
#define ROW_MAX (2 + 4 + SYM_MAX + 4 + 8 + 8 * 12)

struct input {
	const char *name;
	FILE *fp;
	off_t start;
};

/* What a run did; "appended" rows are inserted rows that took the
 * straight copy, "ca_revised" updated rows of stale series (lib/refetch). */
struct counts {
	long long rows_in, duplicates, inserted, updated, unchanged, rejected, appended;
	long long ca_revised;
};

struct event_counts {
	long long rows, inserted, updated, unchanged;
};

/* One COPY destination of a batch: its rows in COPY binary, sent in
 * chunks while its COPY is the open one, and kept until the batch is
 * written (a fallback to the upsert sends them again). */
struct stream {
	char *buf;
	size_t len, cap, sent;
	long rows;
};

/* (interval, month) pairs, for the partitions a batch needs. */
struct months {
	struct month {
		char iv[8];
		int ym;
	} *m;
	size_t n, cap;
};

enum { OPEN_NONE, OPEN_DIRECT, OPEN_STAGE };

struct batch {
	long rows, dups;
	struct stream direct, stage;
	int open;          /* which COPY is open */
	int tangled;       /* straight copy abandoned: everything upserts */
	int savepoint;     /* a savepoint guards the straight copy */
	int staged;        /* the staging table was emptied for this batch */
	long long copied;  /* rows the straight copy wrote */
	long stale_rows;   /* staged rows of stale series */
	struct months months;
	int unknown;       /* months of the batch with no partition known */
	char last_iv[8];
	int last_ym;
};

struct loader {
	struct db db;
	/* options */
	const char *schema, *table, *events;
	long batch_size;
	const char *retain;  /* --retain AGE as given; NULL: keep everything */
	struct sym_period age; /* ... parsed */
	int txn_batch, audit, retries, json, init, partition, bars;
	char **names;
	int nnames;
	/* the run */
	struct input *in;
	int nin;
	char run_id[24];
	int partitioned;     /* bars is partitioned on (interval, ts): load-bars
			      * makes its partitions */
	int any_partitions;  /* bars is partitioned at all (no xmax) */
	int stage_ready;     /* the staging table exists in this session */
	int events_ready;    /* the run's events are in this session (load_events) */
	int collided;        /* a straight copy met stored rows: no more */
	int in_txn;
	long long committed; /* input rows whose batches are committed */
	long long seq;       /* rows read in this attempt */
	struct counts done;  /* counts of committed batches */
	struct counts cur;   /* counts of the current attempt */
	struct event_counts ev;
	long dropped;        /* partitions dropped by --retain */
	int probe;           /* index into load_sql_upsert[] */
	struct batch b;
	struct months known; /* partitions known to exist in this attempt */
	struct load_keys *keys;
	struct load_heads *heads;
	long long run_no;    /* run_id as a number, for the COPY rows */
	struct db_array stale[2]; /* stale series (symbols, intervals) */
	long nstale;
	char *snap;          /* pg_current_snapshot() when the run began */
	long adjusted;       /* series marked fetched whole (lib/refetch) */
	long stale_left;     /* series read that a corporate action leaves stale */
	char err[1100];
};

static void usage(int code)
{
	fprintf(code ? stderr : stdout,
		"usage: load-bars [--batch-size N] [--txn run|batch] [--no-audit]\n"
		"                 [--schema NAME] [--table NAME] [--retries N] [--retain AGE]\n"
		"                 [--json] [--events FILE] [FILE ...]\n"
		"       load-bars --init [--partition] [--retain AGE] [--schema NAME] [--table NAME]\n");
	if (code == EXIT_OK)
		printf("\n"
		       "  --batch-size N     rows per batch (default 50000)\n"
		       "  --txn run|batch    one transaction per run (default) or per batch\n"
		       "  --no-audit         no bar_changes rows for revised bars\n"
		       "  --schema NAME      schema of the tables (default public)\n"
		       "  --table NAME       the bars table (default bars)\n"
		       "  --retries N        replays after a lost connection (default 5)\n"
		       "  --retain AGE       drop partitions older than AGE (730d, 104w, 24mo, 2y)\n"
		       "  --json             print the run's counts as one JSON object on stdout\n"
		       "  --events FILE      also load corporate actions from FILE\n"
		       "  --init             apply the migrations, rebuild the heads, and exit\n"
		       "  --partition        with --init: make bars partitioned (or convert it)\n"
		       "  -h, --help         this help\n"
		       "  --version          the version\n");
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

static FILE *open_one(struct input *in)
{
	if (strcmp(in->name, "-") != 0)
		return fopen(in->name, "r");
	in->start = ftello(stdin);
	if (in->start >= 0)
		return stdin;
	in->start = 0;
	if (!(in->fp = spool(stdin)))
		msg_err("cannot spool standard input: %s", strerror(errno));
	return in->fp;
}

static int open_inputs(struct loader *L)
{
	static char *dash[] = { "-" };
	char **names = L->nnames ? L->names : dash;
	int i, n = L->nnames ? L->nnames : 1;

	L->in = xcalloc((size_t)n, sizeof(*L->in));
	for (i = 0; i < n; i++) {
		L->in[i].name = names[i];
		errno = 0;
		if (!(L->in[i].fp = open_one(&L->in[i]))) {
			if (strcmp(names[i], "-") != 0)
				msg_err("%s: %s", names[i], strerror(errno));
			return -1;
		}
		L->nin++;
	}
	return 0;
}

/* The named inputs are readable: checked before connecting, so a typo is
 * named at once, while standard input is spooled only after connecting
 * (the run's snapshot comes first: lib/refetch). */
static int inputs_readable(const struct loader *L)
{
	int i;

	for (i = 0; i < L->nnames; i++)
		if (strcmp(L->names[i], "-") != 0 && access(L->names[i], R_OK) < 0) {
			msg_err("%s: %s", L->names[i], strerror(errno));
			return -1;
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

/* ---- partitions ---- */

static int months_find(const struct months *m, const char *iv, int ym)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->m[i].ym == ym && strcmp(m->m[i].iv, iv) == 0)
			return 1;
	return 0;
}

static void months_add(struct months *m, const char *iv, int ym)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 16;
		m->m = xreallocarray(m->m, m->cap, sizeof(*m->m));
	}
	snprintf(m->m[m->n].iv, sizeof(m->m[0].iv), "%s", iv);
	m->m[m->n++].ym = ym;
}

/* Note the row's month; rows are mostly in time order, so the last
 * month answers almost every time. */
static void note_month(struct loader *L, const struct bar *b)
{
	struct batch *B = &L->b;
	struct tm tm;
	int ym;

	gmtime_r(&b->ts, &tm);
	ym = (tm.tm_year + 1900) * 100 + tm.tm_mon + 1;
	if (ym == B->last_ym && strcmp(b->interval, B->last_iv) == 0)
		return;
	B->last_ym = ym;
	snprintf(B->last_iv, sizeof(B->last_iv), "%s", b->interval);
	if (months_find(&B->months, b->interval, ym))
		return;
	months_add(&B->months, b->interval, ym);
	B->unknown += !months_find(&L->known, b->interval, ym);
}

/* Make every partition the batch needs (no COPY may be open). */
static int ensure_partitions(struct loader *L)
{
	struct batch *B = &L->b;
	char t[24];
	const char *p[3] = { L->db.table_name, NULL, t };
	struct tm tm;
	time_t start;
	PGresult *res;
	size_t i;

	for (i = 0; i < B->months.n && B->unknown > 0; i++) {
		if (months_find(&L->known, B->months.m[i].iv, B->months.m[i].ym))
			continue;
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = B->months.m[i].ym / 100 - 1900;
		tm.tm_mon = B->months.m[i].ym % 100 - 1;
		tm.tm_mday = 1;
		start = timegm(&tm);
		snprintf(t, sizeof(t), "%lld", (long long)start);
		p[1] = B->months.m[i].iv;
		if (!(res = db_query(&L->db, load_sql_partition, 3, p)))
			return -1;
		PQclear(res);
		months_add(&L->known, B->months.m[i].iv, B->months.m[i].ym);
	}
	B->unknown = 0;
	return 0;
}

/* ---- COPY streams ---- */

static int stream_put(struct stream *s, const char *row, size_t n)
{
	if (n == 0)
		return 0;
	if (s->len + n > s->cap) {
		s->cap = s->cap ? s->cap * 2 : COPY_CHUNK * 2;
		while (s->cap < s->len + n)
			s->cap *= 2;
		s->buf = xrealloc(s->buf, s->cap);
	}
	memcpy(s->buf + s->len, row, n);
	s->len += n;
	return 0;
}

static void stream_reset(struct stream *s)
{
	s->len = s->sent = 0;
	s->rows = 0;
}

/* COPY binary's header (signature, flags, no extension) and trailer. */
static const char copy_header[19] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";
static const char copy_trailer[2] = "\377\377";

static int open_copy(struct loader *L, const char *sql, int which)
{
	if (db_copy_begin(&L->db, sql) < 0)
		return -1;
	L->b.open = which;
	return db_copy_put(&L->db, copy_header, sizeof(copy_header));
}

static int close_copy(struct loader *L)
{
	struct batch *B = &L->b;
	long long n = 0;
	int which = B->open;

	if (which == OPEN_NONE)
		return 0;
	B->open = OPEN_NONE;
	if (db_copy_put(&L->db, copy_trailer, sizeof(copy_trailer)) < 0 ||
	    db_copy_end(&L->db, NULL, &n) < 0)
		return -1;
	if (which == OPEN_DIRECT)
		B->copied += n;
	return 0;
}

static int open_stage(struct loader *L)
{
	if (!L->stage_ready && db_exec(&L->db, load_sql_stage) < 0)
		return -1;
	L->stage_ready = 1;
	if (!L->b.staged && db_exec(&L->db, load_sql_truncate) < 0)
		return -1;
	L->b.staged = 1;
	return open_copy(L, load_sql_copy_stage, OPEN_STAGE);
}

/* The straight copy needs its partitions first, and a savepoint to fall
 * back to. */
static int open_direct(struct loader *L)
{
	if (L->partitioned && L->b.unknown && ensure_partitions(L) < 0)
		return -1;
	if (!L->b.savepoint && db_exec(&L->db, "SAVEPOINT load_direct") < 0)
		return -1;
	L->b.savepoint = 1;
	return open_copy(L, load_sql_copy_direct, OPEN_DIRECT);
}

/* Send what the stream holds unsent, opening its COPY (and closing the
 * other one) as needed; a straight copy reopens after new partitions. */
static int stream_send(struct loader *L, int which)
{
	struct batch *B = &L->b;
	struct stream *s = which == OPEN_DIRECT ? &B->direct : &B->stage;

	if (s->len == s->sent)
		return 0;
	if (B->open != which || (which == OPEN_DIRECT && L->partitioned && B->unknown)) {
		if (close_copy(L) < 0 ||
		    (which == OPEN_DIRECT ? open_direct(L) : open_stage(L)) < 0)
			return -1;
	}
	if (db_copy_put(&L->db, s->buf + s->sent, s->len - s->sent) < 0)
		return -1;
	s->sent = s->len;
	return 0;
}

/*
 * Rows travel in COPY's binary format: the client has parsed every
 * value already, and the server is spared parsing five floats and a
 * timestamp per row.  px_parse() rounds decimals correctly, as the
 * server's float8in would, so the stored doubles are the same.
 */
static char *put_be16(char *p, uint16_t v)
{
	v = htobe16(v);
	memcpy(p, &v, 2);
	return p + 2;
}

static char *put_be32(char *p, uint32_t v)
{
	v = htobe32(v);
	memcpy(p, &v, 4);
	return p + 4;
}

static char *put_int8(char *p, long long v)
{
	uint64_t u = htobe64((uint64_t)v);

	p = put_be32(p, 8);
	memcpy(p, &u, 8);
	return p + 8;
}

static char *put_float8(char *p, double d)
{
	uint64_t u;

	memcpy(&u, &d, 8);
	u = htobe64(u);
	p = put_be32(p, 8);
	memcpy(p, &u, 8);
	return p + 8;
}

static char *put_text(char *p, const char *s)
{
	size_t n = strlen(s);

	p = put_be32(p, (uint32_t)n);
	memcpy(p, s, n);
	return p + n;
}

/* A timestamptz on the wire: microseconds since 2000-01-01 UTC. */
#define PG_EPOCH 946684800LL

/* The row in COPY binary into row (ROW_MAX bytes); its length. */
static size_t format_row(const struct loader *L, char *row, const struct bar *b)
{
	const double px[5] = { b->open, b->high, b->low, b->close, b->adj_close };
	char *p = row;
	int i;

	p = put_be16(p, 10);
	p = put_text(p, b->symbol);
	p = put_text(p, b->interval);
	p = put_int8(p, ((long long)b->ts - PG_EPOCH) * 1000000LL);
	for (i = 0; i < 5; i++)
		p = put_float8(p, px[i]);
	if (b->has_volume)
		p = put_int8(p, b->volume);
	else
		p = put_be32(p, (uint32_t)-1); /* NULL */
	p = put_int8(p, L->run_no);
	return (size_t)(p - row);
}

/* The key of a binary row (format_row), for key_direct_rows(). */
static const char *row_key(const char *p, char *symbol, char *interval, time_t *ts)
{
	uint32_t n;
	uint64_t u;

	p += 2;
	memcpy(&n, p, 4);
	n = be32toh(n);
	memcpy(symbol, p + 4, n);
	symbol[n] = '\0';
	p += 4 + n;
	memcpy(&n, p, 4);
	n = be32toh(n);
	memcpy(interval, p + 4, n);
	interval[n] = '\0';
	p += 4 + n + 4;
	memcpy(&u, p, 8);
	*ts = (time_t)((long long)be64toh(u) / 1000000LL + PG_EPOCH);
	p += 8 + 5 * 12;
	memcpy(&n, p, 4);
	p += 4 + (be32toh(n) == (uint32_t)-1 ? 0 : 8);
	return p + 12; /* run id */
}

/* A tangle: from now on the straight-copy rows count for duplicates
 * too, so their keys (read back from the COPY data) join the set. */
static void key_direct_rows(struct loader *L)
{
	struct stream *s = &L->b.direct;
	const char *p = s->buf, *end = s->buf + s->len;
	char symbol[SYM_MAX + 1], interval[8];
	time_t t;

	while (p < end) {
		p = row_key(p, symbol, interval, &t);
		load_keys_add(L->keys, symbol, interval, t);
	}
}

/* Stage one row: 0, or -1 on a database error. */
static int add_row(struct loader *L, const struct bar *b)
{
	struct batch *B = &L->b;
	enum load_heads_place at = load_heads_row(L->heads, b->symbol, b->interval, b->ts);
	char row[ROW_MAX];
	size_t n = format_row(L, row, b);
	struct stream *s;
	int which;

	if (L->partitioned)
		note_month(L, b);
	if (at == LOAD_HEADS_TANGLE && !B->tangled) {
		B->tangled = 1;
		key_direct_rows(L);
	}
	which = at == LOAD_HEADS_NEW && !B->tangled && !L->collided ? OPEN_DIRECT : OPEN_STAGE;
	if (which == OPEN_STAGE && L->nstale && load_heads_stale(L->heads, b->symbol, b->interval))
		B->stale_rows++;
	s = which == OPEN_DIRECT ? &B->direct : &B->stage;
	stream_put(s, row, n);
	s->rows++;
	/* Straight-copy rows are unique keys by construction; only staged
	 * rows can repeat one. */
	if (which == OPEN_STAGE && !load_keys_add(L->keys, b->symbol, b->interval, b->ts))
		B->dups++;
	B->rows++;
	/* Stream the open COPY's rows; the first full chunk picks the COPY. */
	if ((B->open == which || B->open == OPEN_NONE) && s->len - s->sent >= COPY_CHUNK)
		return stream_send(L, which);
	return 0;
}

/* ---- batches ---- */

static void batch_begin(struct loader *L)
{
	struct batch *B = &L->b;

	B->rows = B->dups = 0;
	stream_reset(&B->direct);
	stream_reset(&B->stage);
	B->open = OPEN_NONE;
	B->tangled = B->savepoint = B->staged = 0;
	B->copied = 0;
	B->stale_rows = 0;
	B->months.n = 0;
	B->unknown = 0;
	B->last_ym = 0;
	load_keys_clear(L->keys);
	load_heads_batch(L->heads);
}

/* The straight copy cannot stand (a repeated key, or a row a concurrent
 * loader stored meanwhile): undo it and upsert the whole batch. */
static int fall_back(struct loader *L)
{
	struct batch *B = &L->b;
	struct stream tmp;

	msg_log(MSG_DEBUG, "batch at row %lld: upserting all of it", L->seq);
	if (B->open == OPEN_DIRECT) {
		B->open = OPEN_NONE;
		if (db_copy_end(&L->db, "load-bars: upserting the batch instead", NULL) < 0)
			return -1;
	}
	if (close_copy(L) < 0)
		return -1;
	if (B->savepoint && db_exec(&L->db, "ROLLBACK TO SAVEPOINT load_direct") < 0)
		return -1;
	/* The rollback took the staged rows and new partitions with it. */
	L->known.n = 0;
	B->unknown = (int)B->months.n;
	B->staged = 0;
	B->copied = 0;
	B->tangled = 1;
	/* Straight-copy rows first: a staged row that repeats one of their
	 * keys came later in the input and must win. */
	stream_put(&B->direct, B->stage.buf, B->stage.len);
	B->direct.rows += B->stage.rows;
	tmp = B->stage;
	B->stage = B->direct;
	B->direct = tmp;
	stream_reset(&B->direct);
	B->stage.sent = 0;
	return 0;
}

static int send_all(struct loader *L, int which)
{
	return stream_send(L, which) < 0 || close_copy(L) < 0 ? -1 : 0;
}

/* Both streams into the database; a collision of the straight copy
 * falls back to the upsert. */
static int send_batch(struct loader *L)
{
	struct batch *B = &L->b;
	int first = B->open == OPEN_STAGE ? OPEN_STAGE : OPEN_DIRECT;

	if (!B->tangled && (send_all(L, first) < 0 ||
			    send_all(L, first == OPEN_STAGE ? OPEN_DIRECT : OPEN_STAGE) < 0)) {
		if (strcmp(L->db.state, "23505") != 0 || !B->savepoint)
			return -1;
		B->tangled = 1;
		/* Rows stored past the heads: by another loader just now, or by
		 * other means; the straight copy waits for the next run. */
		if (!L->collided)
			msg_log(MSG_INFO, "rows newer than bar_heads says are stored already"
				" (another loader, or rows loaded by other means: load-bars --init"
				" rebuilds the heads); upserting the rest of the run");
		L->collided = 1;
	}
	if (B->tangled && (fall_back(L) < 0 || send_all(L, OPEN_STAGE) < 0))
		return -1;
	return 0;
}

/* Before the upsert: how many staged rows of stale series will revise a
 * stored bar. */
static int stale_revised(struct loader *L, struct counts *c)
{
	const char *p[2] = { L->stale[0].s, L->stale[1].s };
	PGresult *res;

	if (!L->b.stale_rows || !L->b.staged)
		return 0;
	if (!(res = db_query(&L->db, load_sql_stale_revised, 2, p)))
		return -1;
	c->ca_revised += atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

/* Upsert the staged rows: inserted and updated into c. */
static int upsert(struct loader *L, struct counts *c)
{
	const char *p[1] = { L->run_id };
	PGresult *res;

	if (!L->b.staged)
		return 0;
	if (L->partitioned && L->b.unknown && ensure_partitions(L) < 0)
		return -1;
	if (!(res = db_query(&L->db, load_sql_upsert[L->any_partitions][L->probe][L->b.dups > 0],
			     1, p)))
		return -1;
	c->inserted += atoll(PQgetvalue(res, 0, 0));
	c->updated += atoll(PQgetvalue(res, 0, 1));
	PQclear(res);
	/* Probe for unchanged rows when this batch was mostly unchanged. */
	L->probe = L->b.stage.rows - c->inserted - c->updated > c->inserted;
	return 0;
}

/* The keys of the heads to raise, or of the series to mark, with up to
 * four more columns, as array literals for unnest(). */
struct key_arrays {
	struct db_array a[6];
	int n;
};

static void key_add(struct key_arrays *k, const char *symbol, const char *interval,
		    const long long *v, int nv)
{
	int i;

	db_array_add(&k->a[0], symbol);
	db_array_add(&k->a[1], interval);
	for (i = 0; i < nv; i++)
		db_array_add_int(&k->a[2 + i], v[i]);
	k->n++;
}

/* params[first..] = the arrays' literals */
static void key_end(struct key_arrays *k, const char **params, int narr)
{
	int i;

	for (i = 0; i < narr; i++)
		params[i] = db_array_end(&k->a[i]);
}

static void key_free(struct key_arrays *k)
{
	int i;

	for (i = 0; i < 6; i++)
		db_array_free(&k->a[i]);
}

static void head_raised(void *ctx, const char *symbol, const char *interval, time_t ts)
{
	const long long v = ts;

	key_add(ctx, symbol, interval, &v, 1);
}

/* Raise the stored heads the batch passed, in its transaction. */
static int write_heads(struct loader *L)
{
	struct key_arrays k = { 0 };
	const char *p[4] = { L->db.table_name };
	PGresult *res = NULL;

	load_heads_raised(L->heads, head_raised, &k);
	if (k.n) {
		key_end(&k, p + 1, 3);
		res = db_query(&L->db, load_sql_heads_put, 4, p);
	}
	key_free(&k);
	if (k.n && !res)
		return -1;
	PQclear(res);
	load_heads_commit(L->heads);
	return 0;
}

static void add(struct counts *a, const struct counts *b)
{
	a->rows_in += b->rows_in;
	a->duplicates += b->duplicates;
	a->inserted += b->inserted;
	a->updated += b->updated;
	a->unchanged += b->unchanged;
	a->rejected += b->rejected;
	a->appended += b->appended;
	a->ca_revised += b->ca_revised;
}

static int run_finish(struct loader *L, const char *sql, const char *status,
		      const char *error, const struct counts *c)
{
	const long long x[7] = { c->rows_in, c->duplicates, c->inserted, c->updated,
				 c->unchanged, c->rejected, c->ca_revised };
	char v[7][24];
	const char *p[10] = { L->run_id, status, error, v[0], v[1], v[2], v[3], v[4], v[5], v[6] };
	PGresult *res;
	int i;

	for (i = 0; i < 7; i++)
		snprintf(v[i], sizeof(v[i]), "%lld", x[i]);
	res = db_query(&L->db, sql, 10, p);
	PQclear(res);
	return res ? 0 : -1;
}

/* Write the batch: both streams, the upsert, the heads; commit it with
 * --txn batch. */
static int batch_end(struct loader *L)
{
	struct batch *B = &L->b;
	struct counts c = { 0 };

	if (send_batch(L) < 0 || stale_revised(L, &c) < 0 || upsert(L, &c) < 0 ||
	    (B->savepoint && db_exec(&L->db, "RELEASE SAVEPOINT load_direct") < 0) ||
	    write_heads(L) < 0)
		return -1;
	c.rows_in = B->rows;
	c.duplicates = B->dups;
	c.appended = B->copied;
	c.inserted += B->copied;
	c.unchanged = B->rows - B->dups - c.inserted - c.updated;
	B->rows = 0;
	add(&L->cur, &c);
	if (L->txn_batch) {
		struct counts t = L->done;

		add(&t, &c);
		if (run_finish(L, load_sql_run_finish, "running", NULL, &t) < 0 ||
		    db_commit(&L->db) < 0)
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

/* One row read: stage it, ending the batch when full.  DONE or EDB. */
static int take_row(struct loader *L, const struct bar *b)
{
	load_heads_cover(L->heads, b->symbol, b->interval, b->ts);
	if (++L->seq <= L->committed)
		return DONE; /* replay: committed before the connection broke */
	if (L->b.rows == 0) {
		if (!L->in_txn && db_exec(&L->db, "BEGIN") < 0)
			return EDB;
		L->in_txn = 1;
		batch_begin(L);
	}
	if (add_row(L, b) < 0)
		return EDB;
	if (L->b.rows >= L->batch_size && batch_end(L) < 0)
		return EDB;
	return DONE;
}

static int read_input(struct loader *L, struct input *in)
{
	struct csvr *r;
	char **f;
	size_t nf;
	struct bar b;
	const char *field;
	enum bars_err e;
	int rc = DONE, got;

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
	while (rc == DONE && !db_stopped() && (got = csvr_next(r, &f, &nf)) == 1) {
		e = bars_parse(f, nf, &b, &field);
		if (e != BARS_OK) {
			snprintf(L->err, sizeof(L->err), "%s:%ld: %s%s%s", in->name,
				 csvr_line(r), bars_err_code(e), field ? ": " : "",
				 field ? field : "");
			L->cur.rejected = 1;
			rc = EDATA;
		} else {
			rc = take_row(L, &b);
		}
	}
	if (rc == DONE && got < 0) {
		snprintf(L->err, sizeof(L->err), "%s", csvr_error(r));
		rc = EDATA;
	}
	csvr_free(r);
	return db_stopped() ? ESTOP : rc;
}

/* The stored heads of this table, afresh for every attempt. */
static int fetch_heads(struct loader *L)
{
	struct db_array iv[3] = { { 0 } };
	char floor[24];
	const char *p[5] = { L->db.table_name };
	PGresult *res;
	int i;

	refetch_intervals(bt_now(), iv);
	for (i = 0; i < 3; i++)
		p[i + 1] = db_array_end(&iv[i]);
	snprintf(floor, sizeof(floor), "%lld", refetch_reach(NULL, bt_now()));
	p[4] = floor;
	res = db_query(&L->db, load_sql_heads_get, 5, p);
	for (i = 0; i < 3; i++)
		db_array_free(&iv[i]);
	if (!res)
		return -1;
	load_heads_clear(L->heads);
	db_array_free(&L->stale[0]);
	db_array_free(&L->stale[1]);
	L->nstale = 0;
	for (i = 0; i < PQntuples(res); i++) {
		const char *sym = PQgetvalue(res, i, 0), *ivl = PQgetvalue(res, i, 1);

		load_heads_set(L->heads, sym, ivl, (time_t)atoll(PQgetvalue(res, i, 2)));
		if (*PQgetvalue(res, i, 3) != 't')
			continue;
		load_heads_set_stale(L->heads, sym, ivl, 1);
		db_array_add(&L->stale[0], sym);
		db_array_add(&L->stale[1], ivl);
		L->nstale++;
	}
	PQclear(res);
	db_array_end(&L->stale[0]);
	db_array_end(&L->stale[1]);
	return 0;
}

/* A series this run fetched whole: the mark's arrays (lib/refetch). */
static void covered(void *ctx, const char *symbol, const char *interval, time_t first,
		    time_t last)
{
	const struct sym_interval *iv = sym_interval(interval);
	const long long v[4] = { first, last, refetch_reach(iv, bt_now()), iv && iv->intraday };

	key_add(ctx, symbol, interval, v, 4);
}

/* A marked series: say when bars beyond the provider's reach keep the
 * prices from before a split (the re-fetch cannot reach them). */
static void pre_reach(const char *symbol, const char *interval, long long n)
{
	const struct sym_interval *iv = sym_interval(interval);
	char when[BT_ISO_LEN];

	if (n <= 0 || !iv)
		return;
	msg_log(MSG_INFO, "%s %s: %lld bar%s before %s, beyond the %ld days of %s history"
		" Yahoo serves, keep%s the prices from before a split; the adjusted view"
		" (split_factor) is off for %s", symbol, interval, n, n == 1 ? "" : "s",
		bt_format_iso((time_t)refetch_reach(iv, bt_now()), when), iv->history_days,
		interval, n == 1 ? "s" : "", n == 1 ? "it" : "them");
}

/* The series still stale after the mark, of those the run read whole. */
struct unmarked {
	struct load_heads *heads;
	struct key_arrays k;
};

static void unmarked(void *ctx, const char *symbol, const char *interval, time_t first,
		     time_t last)
{
	struct unmarked *u = ctx;
	const struct sym_interval *iv = sym_interval(interval);
	const long long v[3] = { first, refetch_reach(iv, bt_now()), iv && iv->intraday };

	(void)last;
	if (load_heads_stale(u->heads, symbol, interval))
		key_add(&u->k, symbol, interval, v, 3);
}

/*
 * A stale series read whole but not marked because bars are stored before
 * the first row the provider returned: it would be fetched whole on every
 * run.  Say which bars and how to remove them (a trigger keeps bar_heads
 * right).
 */
static int warn_unserved(struct loader *L)
{
	struct unmarked u = { L->heads, { .n = 0 } };
	const char *p[7] = { [5] = L->db.table_name, [6] = L->snap };
	PGresult *res = NULL;
	char a[BT_ISO_LEN], b[BT_ISO_LEN];
	int i;

	load_heads_covered(L->heads, unmarked, &u);
	if (u.k.n) {
		key_end(&u.k, p, 5);
		res = db_query(&L->db, refetch_sql_unserved, 7, p);
	}
	key_free(&u.k);
	for (i = 0; res && i < PQntuples(res); i++) {
		const char *sym = PQgetvalue(res, i, 0), *ivl = PQgetvalue(res, i, 1);
		time_t stored = (time_t)atoll(PQgetvalue(res, i, 2));
		time_t first = (time_t)atoll(PQgetvalue(res, i, 4));
		long long n = atoll(PQgetvalue(res, i, 3));

		if (!refetch_unserved(sym_interval(ivl), stored, first))
			continue;
		bt_format_iso(stored, a);
		bt_format_iso(first, b);
		msg_log(MSG_WARN, "%s %s: %lld stored bar%s from %s on %s not served any more"
			" (this run's fetch begins at %s), so the series is fetched whole again on"
			" every run; delete %s: DELETE FROM %s.%s WHERE symbol = '%s' AND"
			" interval = '%s' AND ts >= '%s' AND ts < '%s'", sym, ivl, n,
			n == 1 ? "" : "s", a, n == 1 ? "is" : "are", b, n == 1 ? "it" : "them",
			L->db.schema, L->db.table, sym, ivl, a, b);
	}
	PQclear(res);
	return u.k.n && !res ? -1 : 0;
}

/*
 * Record the series the run fetched whole (lib/refetch), in the
 * transaction of its last rows.  Without the run's events in this session
 * (none given, or a reconnect lost them) only series with no action
 * written since the run began qualify.
 */
static int mark_adjusted(struct loader *L)
{
	struct key_arrays k = { 0 };
	const char *p[9] = { L->run_id, L->db.table_name, L->snap };
	PGresult *res = NULL;
	int rc = 0;
	long i;

	if (!L->snap)
		return 0;
	load_heads_covered(L->heads, covered, &k);
	if (k.n) {
		key_end(&k, p + 3, 6);
		if (!(res = db_query(&L->db, refetch_sql_mark[L->events_ready], 9, p)))
			rc = -1;
		if (res)
			L->adjusted = PQntuples(res);
		for (i = 0; i < L->adjusted; i++) {
			load_heads_set_stale(L->heads, PQgetvalue(res, (int)i, 0),
					     PQgetvalue(res, (int)i, 1), 0);
			pre_reach(PQgetvalue(res, (int)i, 0), PQgetvalue(res, (int)i, 1),
				  atoll(PQgetvalue(res, (int)i, 2)));
		}
		PQclear(res);
	}
	key_free(&k);
	if (rc == 0 && L->nstale)
		rc = warn_unserved(L);
	L->stale_left = (long)load_heads_stale_read(L->heads);
	return rc;
}

static int attempt(struct loader *L)
{
	struct counts total;
	int i, rc = DONE;

	L->seq = 0;
	L->b.rows = 0;
	L->known.n = 0;
	memset(&L->cur, 0, sizeof(L->cur));
	if (fetch_heads(L) < 0)
		return db_stopped() ? ESTOP : EDB;
	for (i = 0; i < L->nin && rc == DONE; i++)
		rc = read_input(L, &L->in[i]);
	if (rc == DONE && L->b.rows > 0 && batch_end(L) < 0)
		rc = db_stopped() ? ESTOP : EDB;
	if (rc == DONE && mark_adjusted(L) < 0)
		rc = db_stopped() ? ESTOP : EDB;
	if (rc != DONE)
		return rc;
	/* --txn run: the run's row commits with its bars, or neither does. */
	total = L->done;
	add(&total, &L->cur);
	if (run_finish(L, load_sql_run_finish, "ok", NULL, &total) < 0 ||
	    (L->in_txn && db_commit(&L->db) < 0))
		return db_stopped() ? ESTOP : EDB;
	L->in_txn = 0;
	L->done = total;
	memset(&L->cur, 0, sizeof(L->cur));
	return DONE;
}

/* ---- the run ---- */

/* Per session, so again after a reconnect; the audit trigger
 * (lib/db_migrate) reads stockbars.audit.  JIT compiles every batch's
 * upsert afresh (about 30 ms each) for no gain at batch sizes. */
static int session_setup(struct loader *L)
{
	L->stage_ready = L->events_ready = 0;
	return db_exec(&L->db, L->audit ? "SET TimeZone = 'UTC'; SET jit = off"
					: "SET TimeZone = 'UTC'; SET jit = off;"
					  " SET stockbars.audit = 'off'");
}

/* The run's row, and the lock that tells later runs its loader lives:
 * taken before the row is visible, so no run sees it unlocked. */
static int run_lock(struct loader *L)
{
	const char *p[1] = { L->run_id };
	PGresult *res = db_query(&L->db, load_sql_run_lock, 1, p);

	PQclear(res);
	return res ? 0 : -1;
}

static int run_start(struct loader *L)
{
	char host[256] = "", pid[16];
	const char *p[3] = { host, pid, L->db.table_name };
	PGresult *res;
	int i;

	gethostname(host, sizeof(host) - 1);
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	if (db_exec(&L->db, "BEGIN") < 0)
		return -1;
	if (!(res = db_query(&L->db, load_sql_run_start, 3, p))) {
		db_rollback(&L->db);
		return -1;
	}
	snprintf(L->run_id, sizeof(L->run_id), "%s", PQgetvalue(res, 0, 0));
	L->run_no = atoll(L->run_id);
	PQclear(res);
	if (run_lock(L) < 0 || db_commit(&L->db) < 0) {
		db_rollback(&L->db);
		return -1;
	}
	p[0] = L->run_id;
	if (!(res = db_query(&L->db, load_sql_sweep, 1, p)))
		return -1;
	for (i = 0; i < PQntuples(res); i++)
		msg_log(MSG_WARN, "run %s was left running by a loader that died;"
			" marked abandoned", PQgetvalue(res, i, 0));
	PQclear(res);
	return 0;
}

/* Recover from a retryable failure; -1 when the database stays away. */
static int recover(struct loader *L, int n)
{
	msg_log(MSG_WARN, "database: %s; replaying %s (attempt %d of %d)", L->db.err,
		L->txn_batch ? "the batch" : "the run", n + 1, L->retries);
	if (!db_lost(&L->db)) {
		if (L->b.open != OPEN_NONE)
			db_copy_end(&L->db, "load-bars: replaying", NULL);
		L->b.open = OPEN_NONE;
		db_rollback(&L->db);
		L->in_txn = 0;
		db_backoff(n);
		return 0;
	}
	L->b.open = OPEN_NONE;
	L->in_txn = 0;
	db_backoff(n);
	if (db_reconnect(&L->db, L->retries) < 0 || session_setup(L) < 0 || run_lock(L) < 0)
		return -1;
	return 0;
}

/* Roll back whatever is open, ending an open COPY first. */
static void rollback(struct loader *L)
{
	if (L->b.open != OPEN_NONE)
		db_copy_end(&L->db, "load-bars: batch abandoned", NULL);
	L->b.open = OPEN_NONE;
	if (L->in_txn)
		db_rollback(&L->db);
	L->in_txn = 0;
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
		if (rc == EDB && !db_stopped())
			snprintf(L->err, sizeof(L->err), "database: %s", L->db.err);
		if (rc == ESTOP || db_stopped())
			snprintf(L->err, sizeof(L->err), "terminated by signal; %s rolled back",
				 L->txn_batch ? "the current batch" : "the run");
		rollback(L);
		return EXIT_PARTIAL;
	}
}

/* ---- corporate actions (--events) ---- */

/*
 * The file's events reach corporate_actions as the bars reach their table:
 * parsed here (lib/events), copied into a TEMP table, then one upsert that
 * keeps the last of a repeated key and writes a row only when it changes.
 * The TEMP table keeps the run's events for the rest of the session: the
 * refresh mark (mark_adjusted) asks which events the run's responses
 * showed.
 */
static int events_copy(struct loader *L, struct csvr *r)
{
	char **f, line[EVENTS_LINE_MAX];
	const char *why;
	struct event e;
	size_t nf;
	int got;

	if (db_copy_begin(&L->db, load_sql_events_copy) < 0)
		return EDB;
	while ((got = csvr_next(r, &f, &nf)) > 0) {
		if (events_parse(f, nf, &e, &why) < 0) {
			snprintf(L->err, sizeof(L->err), "%s:%ld: %s", L->events, csvr_line(r), why);
			return EDATA;
		}
		L->ev.rows++;
		if (db_copy_put(&L->db, line, events_format(&e, line)) < 0)
			return EDB;
	}
	if (got < 0) {
		snprintf(L->err, sizeof(L->err), "%s", csvr_error(r));
		return EDATA;
	}
	return db_copy_end(&L->db, NULL, NULL) < 0 ? EDB : DONE;
}

static int events_upsert(struct loader *L)
{
	const char *p[1] = { L->run_id };
	PGresult *res = db_query(&L->db, load_sql_events_upsert, 1, p);

	if (!res)
		return EDB;
	L->ev.inserted = atoll(PQgetvalue(res, 0, 0));
	L->ev.updated = atoll(PQgetvalue(res, 0, 1));
	L->ev.unchanged = L->ev.rows - L->ev.inserted - L->ev.updated;
	PQclear(res);
	return DONE;
}

/* One transaction for the file; DONE, EDATA or EDB. */
static int events_attempt(struct loader *L, FILE *fp)
{
	struct csvr *r;
	int rc = DONE;

	memset(&L->ev, 0, sizeof(L->ev));
	rewind(fp);
	r = csvr_new(fp, L->events);
	if (csvr_header(r, events_header, EVENTS_NCOLS) < 0) {
		snprintf(L->err, sizeof(L->err), "%s", csvr_error(r));
		csvr_free(r);
		return EDATA;
	}
	if (db_exec(&L->db, "BEGIN") < 0 || db_exec(&L->db, load_sql_events_stage) < 0)
		rc = EDB;
	if (rc == DONE)
		rc = events_copy(L, r);
	if (rc == DONE)
		rc = events_upsert(L);
	csvr_free(r);
	if (rc == DONE && db_commit(&L->db) < 0)
		rc = EDB;
	if (rc != DONE)
		db_rollback(&L->db); /* ends an open COPY first */
	L->events_ready = rc == DONE;
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
		snprintf(L->err, sizeof(L->err), db_stopped() ? "terminated by signal;"
			 " the events rolled back" : "database: %s", L->db.err);
	return rc == DONE ? EXIT_OK : EXIT_PARTIAL;
}

/* ---- the summary ---- */

static const char *status_of(int code)
{
	return code == EXIT_OK ? "ok" : db_stopped() ? "interrupted" : "failed";
}

/* The one machine-readable summary: a JSON object on stdout (man page
 * lists the fields).  The stderr line is for people. */
static void report(struct loader *L, int code)
{
	const struct counts *c = &L->done;
	char ca[40] = "";

	if (c->ca_revised)
		snprintf(ca, sizeof(ca), " ca_revised=%lld", c->ca_revised);
	if (msg_enabled(MSG_INFO))
		msg_err("rows_in=%lld inserted=%lld updated=%lld unchanged=%lld"
			" rejected=%lld duplicates=%lld run_id=%s%s",
			c->rows_in, c->inserted, c->updated, c->unchanged, c->rejected,
			c->duplicates, L->run_id, ca);
	if (!L->json)
		return;
	printf("{\"run_id\":%s,\"status\":\"%s\",\"schema\":", *L->run_id ? L->run_id : "null",
	       status_of(code));
	json_fput_str(stdout, L->db.schema_name ? L->db.schema_name : L->schema);
	printf(",\"table\":");
	json_fput_str(stdout, L->db.table_name ? L->db.table_name : L->table);
	printf(",\"rows_in\":%lld,\"duplicates\":%lld,\"inserted\":%lld,\"updated\":%lld,"
	       "\"unchanged\":%lld,\"rejected\":%lld,\"appended\":%lld",
	       c->rows_in, c->duplicates, c->inserted, c->updated, c->unchanged, c->rejected,
	       c->appended);
	printf(",\"ca_revised\":%lld,\"adjusted_series\":%ld,\"stale_series\":%ld", c->ca_revised,
	       L->adjusted, L->stale_left);
	if (L->events)
		printf(",\"events_inserted\":%lld,\"events_updated\":%lld,"
		       "\"events_unchanged\":%lld", L->ev.inserted, L->ev.updated, L->ev.unchanged);
	if (L->retain)
		printf(",\"partitions_dropped\":%ld", L->dropped);
	if (code != EXIT_OK) {
		printf(",\"error\":");
		json_fput_str(stdout, L->err);
	}
	printf("}\n");
}

/* Close out a failed run: its row says why, in its own transaction. */
static void record_failure(struct loader *L, int code)
{
	struct counts c = L->done;

	c.rows_in = (L->seq > c.rows_in ? L->seq : c.rows_in) + L->cur.rejected;
	c.rejected = L->cur.rejected;
	L->done = c;
	if (!*L->run_id)
		return;
	/* No connection: the next run marks the run abandoned. */
	if ((code == EXIT_FATAL || !L->db.conn || PQstatus(L->db.conn) != CONNECTION_OK) &&
	    db_reconnect(&L->db, 1) < 0)
		return;
	if (run_finish(L, load_sql_run_fail, status_of(code), L->err, &c) < 0)
		msg_err("cannot record the %s run %s: %s", status_of(code), L->run_id, L->db.err);
}

/* ---- setup ---- */

/*
 * A current schema costs two catalog reads and no DDL.  One that is
 * behind is brought up to date when this role may; a role that may not
 * is told to have the owner run --init.
 */
static int schema_ready(struct loader *L)
{
	int pending = L->init ? 1 : db_migrate_pending(&L->db);

	if (pending <= 0)
		return pending;
	msg_log(MSG_DEBUG, "database: %d migration%s to apply", pending, pending == 1 ? "" : "s");
	if (db_migrate(&L->db, L->partition) == 0)
		return 0;
	if (!L->init && strcmp(L->db.state, "42501") == 0)
		snprintf(L->db.err, sizeof(L->db.err), "%s.%s: the schema lacks %d migration%s"
			 " and this role may not apply them: run load-bars --init as the"
			 " tables' owner", L->schema, L->table, pending, pending == 1 ? "" : "s");
	return -1;
}

static int table_kind(struct loader *L)
{
	PGresult *res = db_query(&L->db, load_sql_table_kind, 0, NULL);

	if (!res)
		return -1;
	L->partitioned = *PQgetvalue(res, 0, 0) == 't';
	L->any_partitions = *PQgetvalue(res, 0, 1) == 't';
	PQclear(res);
	return 0;
}

/* Session, schema, table and run row; replayed on a new connection when
 * the server goes away meanwhile (a restart). */
static int prepare(struct loader *L)
{
	int n;

	for (n = 0;; n++) {
		/* --retain needs a partitioned table: refused before any change,
		 * unless --partition is about to make one. */
		if (session_setup(L) == 0 && table_kind(L) == 0) {
			if (L->retain && !L->partitioned && !L->partition)
				return -2;
			if (schema_ready(L) == 0 && table_kind(L) == 0 &&
			    (L->init || run_start(L) == 0))
				return 0;
		}
		if (!db_lost(&L->db) || db_stopped() || n >= L->retries)
			return -1;
		msg_log(MSG_WARN, "database: %s; reconnecting", L->db.err);
		db_backoff(n);
		if (db_reconnect(&L->db, L->retries) < 0)
			return -1;
	}
}

/*
 * Connect.  A load first notes the snapshot that the refresh mark compares
 * with (lib/refetch), before its input arrives: the responses in it were
 * requested after whatever that snapshot holds.  Without it (a server that
 * cannot say) nothing is marked.
 */
static int connect_db(struct loader *L)
{
	PGresult *res;

	if (db_connect(&L->db, db_conninfo(), L->retries + 1, L->schema, L->table) < 0) {
		msg_err("database: %s", L->db.err);
		return EXIT_FATAL;
	}
	if (L->init || !(res = db_query(&L->db, "SELECT pg_current_snapshot()", 0, NULL)))
		return EXIT_OK;
	L->snap = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return EXIT_OK;
}

static int setup(struct loader *L)
{
	int rc = prepare(L);

	if (rc == -2) {
		msg_err("--retain: %s.%s is not partitioned on (interval, ts)"
			" (load-bars --init --partition)",
			L->schema, L->table);
		return EXIT_USAGE;
	}
	if (rc < 0) {
		msg_err("database: %s", L->db.err);
		return EXIT_FATAL;
	}
	return EXIT_OK;
}

/* Drop the partitions older than --retain, after the load. */
static int retain(struct loader *L)
{
	char cut[24];
	const char *p[2] = { L->db.table_name, cut };
	PGresult *res;
	time_t t;

	/* BARS_NOW moves the cut as it moves every clock. */
	sym_period_start(&L->age, bt_now(), &t);
	snprintf(cut, sizeof(cut), "%lld", (long long)t);
	if (!(res = db_query(&L->db, load_sql_retain, 2, p))) {
		snprintf(L->err, sizeof(L->err), "--retain: %s", L->db.err);
		return -1;
	}
	L->dropped = atol(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (L->dropped)
		msg_log(MSG_INFO, "dropped %ld partition%s older than %s", L->dropped,
			L->dropped == 1 ? "" : "s", L->retain);
	return 0;
}

static int init_run(struct loader *L)
{
	int code = connect_db(L);

	if (code == EXIT_OK)
		code = setup(L);
	if (code != EXIT_OK)
		return code;
	if (db_migrate_maintain(&L->db) < 0) {
		msg_err("database: %s", L->db.err);
		return EXIT_FATAL;
	}
	if (L->retain && retain(L) < 0) {
		msg_err("%s", L->err);
		return EXIT_FATAL;
	}
	return EXIT_OK;
}

static int load_run(struct loader *L)
{
	int code;

	if (L->bars && inputs_readable(L) < 0)
		return EXIT_PARTIAL;
	code = connect_db(L);
	if (code == EXIT_OK && L->bars && open_inputs(L) < 0)
		return EXIT_PARTIAL;
	if (code == EXIT_OK)
		code = setup(L);
	if (code != EXIT_OK)
		return code;
	if (L->events)
		code = load_events(L);
	if (code == EXIT_OK && L->bars) {
		code = load(L);
	} else if (code == EXIT_OK &&
		   run_finish(L, load_sql_run_finish, "ok", NULL, &L->done) < 0) {
		/* --events alone: its run row is closed here */
		snprintf(L->err, sizeof(L->err), "database: %s", L->db.err);
		code = EXIT_PARTIAL;
	}
	if (code == EXIT_OK && L->retain && retain(L) < 0)
		code = EXIT_FATAL;
	msg_progress_end();
	if (code != EXIT_OK) {
		msg_err("%s", L->err);
		record_failure(L, code);
	}
	report(L, code);
	return code;
}

/* ---- options ---- */

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

/* One combined sanity check; the message names the one bad argument. */
static void check_args(const struct loader *L, const char *txn)
{
	int bad_schema = db_name_valid(L->schema) < 0;

	if (L->batch_size < 1 || L->batch_size > 10000000)
		msg_err("--batch-size %ld: want 1 to 10000000", L->batch_size);
	else if (L->retries > 100)
		msg_err("--retries %d: want 0 to 100", L->retries);
	else if (bad_schema || db_name_valid(L->table) < 0)
		msg_err("%s '%.40s': not a plain name (letters, digits and _)",
			bad_schema ? "--schema" : "--table", bad_schema ? L->schema : L->table);
	else if (!L->txn_batch && strcmp(txn, "run") != 0)
		msg_err("--txn %.20s: want run or batch", txn);
	else if (L->init && (L->nnames || L->events))
		msg_err("--init takes no input (no FILE, no --events)");
	else if (L->partition && !L->init)
		msg_err("--partition goes with --init");
	else
		return;
	usage(EXIT_USAGE);
}

/* --retain AGE: a period as a config writes it (not ytd or max). */
static struct sym_period age(const char *s)
{
	struct sym_period p;
	time_t t;

	if (sym_period_parse(s, &p, NULL, 0) < 0 || sym_period_start(&p, 0, &t) < 0 ||
	    p.unit == SYM_PERIOD_YTD) {
		msg_err("--retain: not an age: %s (730d, 104w, 24mo, 2y)", s);
		usage(EXIT_USAGE);
	}
	return p;
}

static void parse_args(struct loader *L, int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "batch-size", required_argument, NULL, 'b' },
		{ "txn", required_argument, NULL, 'x' },
		{ "no-audit", no_argument, NULL, 'A' },
		{ "schema", required_argument, NULL, 's' },
		{ "table", required_argument, NULL, 't' },
		{ "retries", required_argument, NULL, 'r' },
		{ "retain", required_argument, NULL, 'R' },
		{ "events", required_argument, NULL, 'e' },
		{ "init", no_argument, NULL, 'I' },
		{ "partition", no_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *txn = "run";
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'b': L->batch_size = number(optarg, "--batch-size"); break;
		case 'x': txn = optarg; break;
		case 'A': L->audit = 0; break;
		case 's': L->schema = optarg; break;
		case 't': L->table = optarg; break;
		case 'r': L->retries = (int)number(optarg, "--retries"); break;
		case 'R': L->age = age(optarg); L->retain = optarg; break;
		case 'e': L->events = optarg; break;
		case 'I': L->init = 1; break;
		case 'P': L->partition = 1; break;
		case 'j': L->json = 1; break;
		case 'h': usage(EXIT_OK); break;
		case 'V': msg_version(); break;
		default: usage(EXIT_USAGE);
		}
	}
	L->names = argv + optind;
	L->nnames = argc - optind;
	L->txn_batch = strcmp(txn, "batch") == 0;
	check_args(L, txn);
	/* --events FILE alone loads only the events; stdin is not read. */
	L->bars = !L->init && !(L->events && L->nnames == 0);
}

int main(int argc, char *argv[])
{
	static struct loader L = {
		.schema = "public", .table = "bars", .batch_size = 50000, .probe = 1,
		.audit = 1, .retries = 5,
	};
	int code;

	msg_init(argv[0]);
	parse_args(&L, argc, argv);
	db_catch_signals();
	L.keys = load_keys_new(L.batch_size);
	L.heads = load_heads_new();
	code = L.init ? init_run(&L) : load_run(&L);
	db_close(&L.db);
	close_inputs(&L);
	free(L.snap);
	db_array_free(&L.stale[0]);
	db_array_free(&L.stale[1]);
	free(L.b.direct.buf);
	free(L.b.stage.buf);
	free(L.b.months.m);
	free(L.known.m);
	load_keys_free(L.keys);
	load_heads_free(L.heads);
	msg_close_stdout(EXIT_PARTIAL);
	return code;
}
