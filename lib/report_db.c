#include "report_db.h"
#include "cal.h"
#include "msg.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * Distinct series by a loose index scan (PostgreSQL has no skip scan: a
 * plain DISTINCT would read every row), then two probes per series for
 * the oldest and the newest bar.
 */
static const char sql_series[] =
	"WITH RECURSIVE k AS ("
	" (SELECT symbol, interval FROM {S}.{T} ORDER BY symbol, interval LIMIT 1)"
	" UNION ALL"
	" SELECT n.symbol, n.interval FROM k CROSS JOIN LATERAL ("
	"  SELECT b.symbol, b.interval FROM {S}.{T} b"
	"  WHERE (b.symbol, b.interval) > (k.symbol, k.interval)"
	"  ORDER BY b.symbol, b.interval LIMIT 1) n)"
	" SELECT k.symbol, k.interval,"
	" extract(epoch FROM f.ts)::bigint, extract(epoch FROM l.ts)::bigint,"
	" extract(epoch FROM l.loaded_at)::bigint, l.run_id"
	" FROM k"
	" CROSS JOIN LATERAL (SELECT b.ts FROM {S}.{T} b WHERE b.symbol = k.symbol"
	"  AND b.interval = k.interval ORDER BY b.ts LIMIT 1) f"
	" CROSS JOIN LATERAL (SELECT b.ts, b.loaded_at, b.run_id FROM {S}.{T} b"
	"  WHERE b.symbol = k.symbol AND b.interval = k.interval"
	"  ORDER BY b.ts DESC LIMIT 1) l";

/*
 * Bars per session, per series of the calendar: one index-only range scan
 * of the primary key for each (series, session), the session a range of
 * ts (lib/report_cov cov_grid_sessions).  Only bars inside sessions count,
 * so a bar on a weekend or a holiday never stands in for a missing one,
 * and nothing is computed per row: the cost is the index entries of the
 * window plus one probe per series and session.  The series come as
 * arrays with their position, so rows map back without a lookup; each
 * series is one row, its sessions an array of {day, bars} (a row per
 * session would cost the client more than the probes cost the server),
 * and its sessions are counted one after the other, so the probes walk
 * the index in order.
 */
static const char sql_sessions[] =
	"SELECT k.n, (SELECT array_agg(ARRAY[w.day, (SELECT count(*) FROM {S}.{T} b"
	"   WHERE b.symbol = k.symbol AND b.interval = k.interval"
	"   AND b.ts >= to_timestamp(w.lo) AND b.ts < to_timestamp(w.hi))])"
	"  FROM unnest($3::bigint[], $4::bigint[], $5::bigint[]) AS w(day, lo, hi))"
	" FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(symbol, interval, n)";

/* Below this many series one connection counts them all. */
#define REPORT_DB_SPLIT 64

/* Bars per series outside the calendar, in the window as a whole. */
static const char sql_totals[] =
	"SELECT k.n, (SELECT count(*) FROM {S}.{T} b"
	"  WHERE b.symbol = k.symbol AND b.interval = k.interval"
	"  AND b.ts >= to_timestamp($3) AND b.ts < to_timestamp($4))"
	" FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(symbol, interval, n)";

/* A table or schema that does not exist yet: nothing stored. */
static int absent(const struct db *d)
{
	return strcmp(d->state, "42P01") == 0 || strcmp(d->state, "3F000") == 0;
}

static time_t epoch(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? 0 : (time_t)atoll(PQgetvalue(res, row, col));
}

static long long num(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? -1 : atoll(PQgetvalue(res, row, col));
}

int report_db_series(struct db *d, struct report *r)
{
	PGresult *res = db_query(d, sql_series, 0, NULL);
	struct report_series *s;
	int i;

	if (!res)
		return absent(d) ? 0 : -1;
	for (i = 0; i < PQntuples(res); i++) {
		s = report_series(r, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), 1);
		if (!s) {
			msg_log(MSG_WARN, "skipped series with an invalid name: %.40s %.16s",
				PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
			continue;
		}
		s->first = epoch(res, i, 2);
		s->last = epoch(res, i, 3);
		s->last_load = epoch(res, i, 4);
		s->last_run = num(res, i, 5);
	}
	PQclear(res);
	return 0;
}

/* {"a","b"} of the series idx[0..n): symbols and intervals hold no
 * quotes or backslashes (lib/sym), so quoting each element is enough. */
static char *array_literal(const struct report *r, const size_t *idx, size_t n,
			   int intervals)
{
	size_t i, len = 3;
	char *buf, *p;

	for (i = 0; i < n; i++)
		len += strlen(intervals ? r->series[idx[i]].interval : r->series[idx[i]].symbol) + 3;
	p = buf = xmalloc(len);
	*p++ = '{';
	for (i = 0; i < n; i++)
		p += sprintf(p, "%s\"%s\"", i ? "," : "", intervals ? r->series[idx[i]].interval
								     : r->series[idx[i]].symbol);
	strcpy(p, "}");
	return buf;
}

/* Send sql with the series idx[0..n) as $1 and $2, then the extra
 * parameters (the window, or the sessions); 0 or -1. */
static int send(struct db *d, const char *tmpl, const struct report *r,
		const size_t *idx, size_t n, const char *const *extra, int nextra)
{
	char *sql = db_sql(d, tmpl), *syms = array_literal(r, idx, n, 0);
	char *ivs = array_literal(r, idx, n, 1);
	const char *p[5] = { syms, ivs, NULL, NULL, NULL };
	int i, sent;

	for (i = 0; i < nextra && i < 3; i++)
		p[2 + i] = extra[i];
	sent = PQsendQueryParams(d->conn, sql, 2 + i, NULL, p, NULL, NULL, 0);
	free(sql);
	free(syms);
	free(ivs);
	if (!sent || !PQsetSingleRowMode(d->conn)) {
		db_set_error(d, NULL);
		return -1;
	}
	return 0;
}

/* "{{day,bars},{day,bars},...}" of a series into its coverage. */
static void count_sessions(struct cov *c, const struct cov_grid *g, const char *v)
{
	long day, bars;
	char *end;

	for (;;) {
		v += strcspn(v, "0123456789-");
		if (!*v)
			return;
		day = strtol(v, &end, 10);
		v = end + strcspn(end, "0123456789-");
		if (!*v)
			return;
		bars = strtol(v, &end, 10);
		v = end;
		cov_count(c, g, day, bars);
	}
}

/*
 * Rows one at a time (single-row mode), so memory stays flat however many
 * series the window holds: (position in idx, {{day, bars}, ...}) for a
 * series of the calendar, (position in idx, bars) for any other.
 */
static int receive(struct db *d, struct report *r, const size_t *idx, size_t n)
{
	struct report_series *s;
	PGresult *res;
	const char *v;
	int ok = 1;
	long k;

	while ((res = PQgetResult(d->conn))) {
		if (PQresultStatus(res) == PGRES_SINGLE_TUPLE) {
			k = atol(PQgetvalue(res, 0, 0)) - 1;
			s = k >= 0 && (size_t)k < n ? &r->series[idx[k]] : NULL;
			v = PQgetvalue(res, 0, 1);
			if (s && *v == '{')
				count_sessions(&s->cov, &r->grid, v);
			else if (s)
				cov_set_stored(&s->cov, atol(v));
		} else if (PQresultStatus(res) != PGRES_TUPLES_OK && ok) {
			db_set_error(d, res);
			ok = 0;
		}
		PQclear(res);
	}
	return ok ? 0 : absent(d) ? 0 : -1;
}

/*
 * One query over the series idx[0..n), on two connections at once when a
 * second one is open: the server counts the halves in parallel, so the
 * machine's cores, not one backend, set the pace.  Both queries are sent
 * before either is read; their results are small (a row per series and
 * session) and wait in the sockets meanwhile.
 */
static int pass(struct db *d, struct db *d2, const char *sql, struct report *r,
		const size_t *idx, size_t n, const char *const *extra, int nextra)
{
	size_t h = d2->conn && n > 1 ? n / 2 : n;
	int s1, s2, r1, r2;

	if (!n)
		return 0;
	s1 = send(d, sql, r, idx, h, extra, nextra);
	s2 = h < n ? send(d2, sql, r, idx + h, n - h, extra, nextra) : 0;
	r1 = s1 == 0 ? receive(d, r, idx, h) : -1;
	r2 = s2 == 0 && h < n ? receive(d2, r, idx + h, n - h) : s2;
	if (r1 == 0 && r2 < 0)
		snprintf(d->err, sizeof(d->err), "%s", d2->err);
	return r1 < 0 || r2 < 0 ? -1 : 0;
}

/* The sessions of the grid for daily or intraday bars, as the three
 * array literals ($3 day, $4 lo, $5 hi) of sql_sessions; free each. */
static void session_arrays(const struct cov_grid *g, int daily, char **out)
{
	struct cov_session *ss = xreallocarray(NULL, g->ncols, sizeof(*ss));
	size_t i, k, n = cov_grid_sessions(g, daily, ss);
	long long v;
	char *p;

	for (k = 0; k < 3; k++) {
		p = out[k] = xmalloc(n * 24 + 3);
		*p++ = '{';
		for (i = 0; i < n; i++) {
			v = k == 0 ? (long long)ss[i].day : k == 1 ? (long long)ss[i].lo
								  : (long long)ss[i].hi;
			p += sprintf(p, "%s%lld", i ? "," : "", v);
		}
		strcpy(p, "}");
	}
	free(ss);
}

/* The series into three groups by what is counted: the sessions of daily
 * bars, the sessions of intraday bars, the window of any other. */
enum { G_DAILY, G_INTRADAY, G_OTHER };

static int group_of(const struct report_series *s)
{
	return !s->cov.applies ? G_OTHER : s->cov.daily ? G_DAILY : G_INTRADAY;
}

int report_db_counts(struct db *d, struct report *r)
{
	struct cal_info ci;
	char from[24], to[24], *ses[3];
	const char *w[3] = { from, to, NULL };
	size_t i, g, *idx[3], n[3] = { 0, 0, 0 };
	struct db d2 = { 0 };
	int rc = 0;

	if (!r->grid.ncols || !r->nseries)
		return 0;
	snprintf(from, sizeof(from), "%lld",
		 cal_day_info(r->grid.first, &ci) == 0 ? (long long)ci.midnight : 0LL);
	snprintf(to, sizeof(to), "%lld",
		 cal_day_info(r->grid.last + 1, &ci) == 0 ? (long long)ci.midnight : 0LL);
	if (r->nseries >= REPORT_DB_SPLIT &&
	    db_connect(&d2, db_conninfo(), 1, d->schema_name, d->table_name) < 0)
		msg_log(MSG_DEBUG, "one connection only: %s", d2.err);
	for (g = 0; g < 3; g++)
		idx[g] = xreallocarray(NULL, r->nseries, sizeof(*idx[g]));
	for (i = 0; i < r->nseries; i++) {
		g = (size_t)group_of(&r->series[i]);
		idx[g][n[g]++] = i;
	}
	for (g = G_DAILY; g <= G_INTRADAY && rc == 0; g++) {
		if (!n[g])
			continue;
		session_arrays(&r->grid, g == G_DAILY, ses);
		rc = pass(d, &d2, sql_sessions, r, idx[g], n[g], (const char *const *)ses, 3);
		for (i = 0; i < 3; i++)
			free(ses[i]);
	}
	if (rc == 0)
		rc = pass(d, &d2, sql_totals, r, idx[G_OTHER], n[G_OTHER], w, 2);
	db_close(&d2);
	for (g = 0; g < 3; g++)
		free(idx[g]);
	return rc;
}

/* The first bar_changes id whose change is at or after since: bisect the
 * primary key.  Ids follow the commit order only roughly (concurrent
 * loaders interleave), which can shift the boundary by the changes of
 * runs that overlapped since. */
static int first_change(struct db *d, time_t since, long long *out)
{
	char lo_s[24], t[24];
	const char *p[3] = { d->table_name, lo_s, t };
	long long lo, hi, mid;
	PGresult *res;
	int later;

	res = db_query(d, "SELECT min(id), max(id) + 1 FROM {S}.bar_changes", 0, NULL);
	if (!res)
		return -1;
	lo = num(res, 0, 0);
	hi = num(res, 0, 1);
	PQclear(res);
	snprintf(t, sizeof(t), "%lld", (long long)since);
	while (lo >= 0 && lo < hi) {
		mid = lo + (hi - lo) / 2;
		snprintf(lo_s, sizeof(lo_s), "%lld", mid);
		res = db_query(d, "SELECT changed_at >= to_timestamp($3) FROM {S}.bar_changes"
			       " WHERE id >= $2 AND target = $1 ORDER BY id LIMIT 1", 3, p);
		if (!res)
			return -1;
		later = PQntuples(res) == 0 || *PQgetvalue(res, 0, 0) == 't';
		PQclear(res);
		if (later)
			hi = mid;
		else
			lo = mid + 1;
	}
	*out = lo < 0 ? 0 : lo;
	return 0;
}

static void recent_revision(struct report *r, const PGresult *res, int i)
{
	struct report_revision *v;

	r->revs = xreallocarray(r->revs, r->nrevs + 1, sizeof(*r->revs));
	v = &r->revs[r->nrevs++];
	snprintf(v->symbol, sizeof(v->symbol), "%s", PQgetvalue(res, i, 0));
	snprintf(v->interval, sizeof(v->interval), "%s", PQgetvalue(res, i, 1));
	v->ts = epoch(res, i, 2);
	v->changed_at = epoch(res, i, 3);
	v->run = num(res, i, 4);
	v->old_close = atof(PQgetvalue(res, i, 5));
	v->new_close = atof(PQgetvalue(res, i, 6));
}

int report_db_revisions(struct db *d, struct report *r)
{
	char lo_s[24], t[24];
	const char *p[3] = { d->table_name, lo_s, t };
	struct report_series *s;
	long long lo;
	PGresult *res;
	int i;

	if (first_change(d, r->since, &lo) < 0)
		return absent(d) ? 0 : -1;
	snprintf(lo_s, sizeof(lo_s), "%lld", lo);
	snprintf(t, sizeof(t), "%lld", (long long)r->since);
	res = db_query(d, "SELECT symbol, interval, count(*) FROM {S}.bar_changes"
		       " WHERE id >= $2 AND target = $1 AND changed_at >= to_timestamp($3)"
		       " GROUP BY 1, 2", 3, p);
	if (!res)
		return -1;
	for (i = 0; i < PQntuples(res); i++) {
		r->revised_total += atol(PQgetvalue(res, i, 2));
		if ((s = report_series(r, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), 0)))
			s->revised = atol(PQgetvalue(res, i, 2));
	}
	PQclear(res);
	res = db_query(d, "SELECT symbol, interval, extract(epoch FROM ts)::bigint,"
		       " extract(epoch FROM changed_at)::bigint, run_id, old_close, new_close"
		       " FROM {S}.bar_changes WHERE id >= $2 AND target = $1"
		       " AND changed_at >= to_timestamp($3) ORDER BY id DESC LIMIT "
		       REPORT_RECENT_S, 3, p);
	if (!res)
		return -1;
	for (i = 0; i < PQntuples(res); i++)
		recent_revision(r, res, i);
	PQclear(res);
	return 0;
}

#define RUN_COLS "id, extract(epoch FROM started_at)::bigint," \
	" extract(epoch FROM finished_at)::bigint, status, rows_in, inserted," \
	" updated, unchanged, rejected"

static void run_row(struct report_run *u, const PGresult *res, int i)
{
	u->id = num(res, i, 0);
	u->started = epoch(res, i, 1);
	u->finished = epoch(res, i, 2);
	snprintf(u->status, sizeof(u->status), "%s", PQgetvalue(res, i, 3));
	u->rows_in = num(res, i, 4);
	u->inserted = num(res, i, 5);
	u->updated = num(res, i, 6);
	u->unchanged = num(res, i, 7);
	u->rejected = num(res, i, 8);
}

int report_db_runs(struct db *d, struct report *r)
{
	const char *p[1] = { d->table_name };
	PGresult *res;
	int i;

	res = db_query(d, "SELECT " RUN_COLS " FROM {S}.load_runs WHERE target = $1"
		       " ORDER BY id DESC LIMIT " REPORT_RECENT_S, 1, p);
	if (!res)
		return absent(d) ? 0 : -1;
	r->runs = xreallocarray(NULL, (size_t)PQntuples(res) + 1, sizeof(*r->runs));
	for (i = 0; i < PQntuples(res); i++)
		run_row(&r->runs[r->nruns++], res, i);
	PQclear(res);
	res = db_query(d, "SELECT " RUN_COLS " FROM {S}.load_runs WHERE target = $1"
		       " AND status = 'ok' ORDER BY id DESC LIMIT 1", 1, p);
	if (!res)
		return -1;
	if (PQntuples(res) == 1)
		run_row(&r->last_ok, res, 0);
	PQclear(res);
	return 0;
}

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* LOG_LEVEL=debug shows where the time goes (scripts/bench-report). */
static void took(const char *what, double *t0)
{
	double t = seconds();

	msg_log(MSG_DEBUG, "%s: %.3f s", what, t - *t0);
	*t0 = t;
}

int report_db_gather(struct db *d, struct report *r)
{
	double t0 = seconds();
	int rc;

	if (report_db_series(d, r) < 0)
		return -1;
	took("series", &t0);
	report_cov_begin(r);
	rc = report_db_counts(d, r);
	report_cov_end(r);
	took("bars per day", &t0);
	if (rc < 0 || report_db_revisions(d, r) < 0)
		return -1;
	took("revisions", &t0);
	if (report_db_runs(d, r) < 0)
		return -1;
	took("runs", &t0);
	return 0;
}
