#include "db.h"
#include "msg.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * Migrations, in order.  target "" belongs to the schema (shared by every
 * bars table in it); target "T" is applied once per bars table.  Append
 * new versions; never edit an applied one.
 */
struct migration {
	const char *target;
	int version;
	const char *sql;
};

static const struct migration migrations[] = {
	{ "", 1,
	  "CREATE TABLE {S}.load_runs ("
	  " id bigserial PRIMARY KEY, host text, pid integer,"
	  " target text,"
	  " started_at timestamptz NOT NULL DEFAULT now(), finished_at timestamptz,"
	  " status text NOT NULL DEFAULT 'running'"
	  "  CHECK (status IN ('running', 'ok', 'failed')),"
	  " error text,"
	  " rows_in bigint NOT NULL DEFAULT 0, duplicates bigint NOT NULL DEFAULT 0,"
	  " inserted bigint NOT NULL DEFAULT 0, updated bigint NOT NULL DEFAULT 0,"
	  " unchanged bigint NOT NULL DEFAULT 0, rejected bigint NOT NULL DEFAULT 0);"
	  "CREATE TABLE {S}.bar_changes ("
	  " id bigserial PRIMARY KEY, run_id bigint, target text NOT NULL,"
	  " symbol text NOT NULL, interval text NOT NULL, ts timestamptz NOT NULL,"
	  " old_open double precision, old_high double precision,"
	  " old_low double precision, old_close double precision,"
	  " old_adj_close double precision, old_volume bigint,"
	  " new_open double precision, new_high double precision,"
	  " new_low double precision, new_close double precision,"
	  " new_adj_close double precision, new_volume bigint,"
	  " changed_at timestamptz NOT NULL DEFAULT now());"
	  "CREATE INDEX bar_changes_key ON {S}.bar_changes (symbol, interval, ts);"
	  "CREATE TABLE {S}.corporate_actions ("
	  " symbol text NOT NULL, ts timestamptz NOT NULL, kind text NOT NULL,"
	  " value double precision, numerator double precision,"
	  " denominator double precision,"
	  " loaded_at timestamptz NOT NULL DEFAULT now(), run_id bigint,"
	  " PRIMARY KEY (symbol, ts, kind));" },
	{ "T", 1,
	  "CREATE TABLE IF NOT EXISTS {S}.{T} ("
	  " symbol text NOT NULL, interval text NOT NULL, ts timestamptz NOT NULL,"
	  " open double precision NOT NULL, high double precision NOT NULL,"
	  " low double precision NOT NULL, close double precision NOT NULL,"
	  " adj_close double precision NOT NULL, volume bigint,"
	  " loaded_at timestamptz NOT NULL DEFAULT now(), run_id bigint,"
	  " PRIMARY KEY (symbol, interval, ts))" },
	/* The audit as a trigger: it costs nothing for inserted or unchanged
	 * rows.  search_path is pinned on the function so its body needs no
	 * schema name; "SET stockbars.audit = off" turns it off. */
	{ "", 2,
	  "CREATE FUNCTION {S}.stockbars_audit() RETURNS trigger"
	  " LANGUAGE plpgsql SET search_path = {S}, pg_catalog AS $f$"
	  " BEGIN"
	  "  INSERT INTO bar_changes (run_id, target, symbol, interval, ts,"
	  "   old_open, old_high, old_low, old_close, old_adj_close, old_volume,"
	  "   new_open, new_high, new_low, new_close, new_adj_close, new_volume)"
	  "  VALUES (NEW.run_id, TG_TABLE_NAME, NEW.symbol, NEW.interval, NEW.ts,"
	  "   OLD.open, OLD.high, OLD.low, OLD.close, OLD.adj_close, OLD.volume,"
	  "   NEW.open, NEW.high, NEW.low, NEW.close, NEW.adj_close, NEW.volume);"
	  "  RETURN NULL;"
	  " END $f$" },
	{ "T", 2,
	  "CREATE TRIGGER stockbars_audit AFTER UPDATE ON {S}.{T} FOR EACH ROW"
	  " WHEN (current_setting('stockbars.audit', true) IS DISTINCT FROM 'off')"
	  " EXECUTE FUNCTION {S}.stockbars_audit()" },
	/*
	 * The adjusted view of each bars table, {T}_adjusted: split_factor and
	 * dividend_factor per bar from corporate_actions and the stored
	 * closes (the factor of a dividend or capital gain is Yahoo's,
	 * 1 - amount / close of the previous bar; a split's is its ratio),
	 * with the raw (as-traded) and the split- and dividend-adjusted
	 * series.  Each event's factor is summed once, on the bar before it,
	 * and carried back with a window, so a symbol's series costs one pass.
	 * The name is built from the quoted {T}, which is a plain identifier
	 * (db_name_valid), hence the DO block.
	 */
	{ "T", 3,
	  "DO $m$ BEGIN EXECUTE format($v$"
	  "CREATE VIEW {S}.%I AS"
	  " SELECT s.symbol, s.interval, s.ts, s.open, s.high, s.low, s.close,"
	  "  s.adj_close, s.volume, s.split_factor, s.dividend_factor,"
	  "  s.open * s.split_factor AS raw_open, s.high * s.split_factor AS raw_high,"
	  "  s.low * s.split_factor AS raw_low, s.close * s.split_factor AS raw_close,"
	  "  round(s.volume / s.split_factor)::bigint AS raw_volume,"
	  "  s.open * s.dividend_factor AS adjusted_open,"
	  "  s.high * s.dividend_factor AS adjusted_high,"
	  "  s.low * s.dividend_factor AS adjusted_low,"
	  "  s.close * s.dividend_factor AS adjusted_close"
	  " FROM (SELECT n.*, exp(sum(e.l_split) OVER w) AS split_factor,"
	  "   exp(sum(e.l_div) OVER w) AS dividend_factor"
	  "  FROM (SELECT b.*, lead(b.ts) OVER (PARTITION BY b.symbol, b.interval"
	  "    ORDER BY b.ts) AS next_ts FROM {S}.{T} b) n"
	  "  CROSS JOIN LATERAL (SELECT"
	  "    coalesce(sum(ln(coalesce(a.numerator / nullif(a.denominator, 0), a.value)))"
	  "     FILTER (WHERE a.kind = 'split'), 0) AS l_split,"
	  "    coalesce(sum(ln(1 - a.value / n.close))"
	  "     FILTER (WHERE a.kind IN ('dividend', 'capital_gain')"
	  "      AND a.value < n.close), 0) AS l_div"
	  "   FROM {S}.corporate_actions a"
	  "   WHERE a.symbol = n.symbol AND a.ts > n.ts"
	  "    AND (n.next_ts IS NULL OR a.ts <= n.next_ts)) e"
	  "  WINDOW w AS (PARTITION BY n.symbol, n.interval ORDER BY n.ts DESC)) s"
	  "$v$, trim(both '\"' from '{T}') || '_adjusted'); END $m$" },
};

/* Any constant works; it only has to be the same in every loader. */
#define DB_MIGRATE_LOCK "5461726279"

static void quiet_notice(void *arg, const char *message)
{
	(void)arg;
	msg_log(MSG_DEBUG, "server: %s", message);
}

static void one_line(char *s)
{
	char *p;
	size_t n;

	for (p = s; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		s[--n] = '\0';
}

void db_set_error(struct db *d, const PGresult *res)
{
	const char *m = NULL, *st = NULL;

	if (res) {
		m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		st = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	}
	if (!m && d->conn)
		m = PQerrorMessage(d->conn);
	snprintf(d->err, sizeof(d->err), "%s", m && *m ? m : "unknown error");
	/* No result, or none from the server: the connection failed (a
	 * write to a terminated backend can fail before libpq notices). */
	if (!st && (!res || !d->conn || PQstatus(d->conn) == CONNECTION_BAD))
		st = "08006";
	snprintf(d->state, sizeof(d->state), "%s", st ? st : "");
	one_line(d->err);
}

int db_name_valid(const char *name)
{
	size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789");

	if (n == 0 || name[n] || n > 63 || (name[0] >= '0' && name[0] <= '9'))
		return -1;
	return 0;
}

static char *quote(PGconn *c, const char *name)
{
	char *q = PQescapeIdentifier(c, name, strlen(name));
	char *s;

	if (!q)
		return NULL;
	s = xstrdup(q);
	PQfreemem(q);
	return s;
}

static char *saved_conninfo;

static int connect_once(struct db *d, const char *conninfo)
{
	char masked[512];

	d->conn = PQconnectdb(conninfo);
	if (d->conn && PQstatus(d->conn) == CONNECTION_OK) {
		PQsetNoticeProcessor(d->conn, quiet_notice, NULL);
		return 0;
	}
	msg_mask_url(masked, sizeof(masked), *conninfo ? conninfo : "(libpq environment)");
	snprintf(d->err, sizeof(d->err), "%s: %s", masked,
		 d->conn ? PQerrorMessage(d->conn) : "out of memory");
	one_line(d->err);
	d->state[0] = '\0';
	PQfinish(d->conn);
	d->conn = NULL;
	return -1;
}

static int connect_retry(struct db *d, int tries)
{
	int i;

	for (i = 0; i < tries; i++) {
		if (i > 0) {
			msg_log(MSG_WARN, "database: %s; retrying", d->err);
			db_backoff(i - 1);
		}
		if (connect_once(d, saved_conninfo) == 0)
			return 0;
	}
	return -1;
}

const char *db_conninfo(void)
{
	const char *url = getenv("DATABASE_URL");

	return url ? url : "";
}

int db_configured(void)
{
	static const char *const vars[] = {
		"DATABASE_URL", "PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE",
		"PGUSER", "PGSERVICE",
	};
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (getenv(vars[i]) && *getenv(vars[i]))
			return 1;
	return 0;
}

int db_connect(struct db *d, const char *conninfo, int tries,
	       const char *schema, const char *table)
{
	char masked[512];

	memset(d, 0, sizeof(*d));
	free(saved_conninfo);
	saved_conninfo = xstrdup(conninfo ? conninfo : "");
	msg_log(MSG_DEBUG, "connecting to %s",
		msg_mask_url(masked, sizeof(masked),
			     *saved_conninfo ? saved_conninfo : "(libpq environment)"));
	if (connect_retry(d, tries < 1 ? 1 : tries) < 0)
		return -1;
	d->schema = quote(d->conn, schema);
	d->table = quote(d->conn, table);
	d->schema_name = xstrdup(schema);
	d->table_name = xstrdup(table);
	if (!d->schema || !d->table || !d->schema_name || !d->table_name) {
		snprintf(d->err, sizeof(d->err), "cannot quote identifier: %s",
			 PQerrorMessage(d->conn));
		one_line(d->err);
		return -1;
	}
	return 0;
}

int db_reconnect(struct db *d, int tries)
{
	PQfinish(d->conn);
	d->conn = NULL;
	return connect_retry(d, tries < 1 ? 1 : tries);
}

void db_close(struct db *d)
{
	PQfinish(d->conn);
	free(d->schema);
	free(d->table);
	free(d->schema_name);
	free(d->table_name);
	d->conn = NULL;
	d->schema = d->table = d->schema_name = d->table_name = NULL;
}

char *db_sql(const struct db *d, const char *tmpl)
{
	size_t n = 1, ls = strlen(d->schema), lt = strlen(d->table);
	const char *p;
	char *out, *o;

	for (p = tmpl; *p; p++)
		n += (p[0] == '{' && (p[1] == 'S' || p[1] == 'T') && p[2] == '}')
			? (p[1] == 'S' ? ls : lt) : 1;
	out = xmalloc(n);
	for (p = tmpl, o = out; *p; p++) {
		if (p[0] == '{' && (p[1] == 'S' || p[1] == 'T') && p[2] == '}') {
			memcpy(o, p[1] == 'S' ? d->schema : d->table,
			       p[1] == 'S' ? ls : lt);
			o += p[1] == 'S' ? ls : lt;
			p += 2;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

PGresult *db_query(struct db *d, const char *tmpl, int n,
		   const char *const *params)
{
	char *sql = db_sql(d, tmpl);
	PGresult *res;
	ExecStatusType st;

	res = n > 0 ? PQexecParams(d->conn, sql, n, NULL, params, NULL, NULL, 0)
		    : PQexec(d->conn, sql);
	free(sql);
	st = PQresultStatus(res);
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return res;
	db_set_error(d, res);
	PQclear(res);
	return NULL;
}

int db_exec(struct db *d, const char *tmpl)
{
	PGresult *res = db_query(d, tmpl, 0, NULL);

	PQclear(res);
	return res ? 0 : -1;
}

int db_lost(const struct db *d)
{
	/* 57P01-57P03: admin shutdown, crash shutdown, cannot connect now. */
	return !d->conn || PQstatus(d->conn) == CONNECTION_BAD ||
	       strncmp(d->state, "08", 2) == 0 ||
	       strncmp(d->state, "57P0", 4) == 0;
}

int db_retryable(const struct db *d)
{
	return db_lost(d) || strcmp(d->state, "40P01") == 0 ||
	       strcmp(d->state, "40001") == 0;
}

void db_backoff(int attempt)
{
	long ms = 200L << (attempt < 5 ? attempt : 5);
	struct timespec ts;

	if (ms > 5000)
		ms = 5000;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Highest applied version for target, 0 when none. */
static int applied(struct db *d, const char *target, long *version)
{
	const char *p[1] = { target };
	PGresult *res = db_query(d,
		"SELECT coalesce(max(version), 0) FROM {S}.schema_migrations"
		" WHERE target = $1", 1, p);

	if (!res)
		return -1;
	*version = atol(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

static int apply(struct db *d, const struct migration *m, const char *target)
{
	char v[16];
	const char *p[2] = { target, v };
	PGresult *res;

	msg_log(MSG_DEBUG, "migration %s%s%d", target, *target ? " " : "", m->version);
	if (db_exec(d, m->sql) < 0)
		return -1;
	snprintf(v, sizeof(v), "%d", m->version);
	res = db_query(d, "INSERT INTO {S}.schema_migrations (target, version)"
			  " VALUES ($1, $2)", 2, p);
	PQclear(res);
	return res ? 0 : -1;
}

static int schema_exists(struct db *d, int *yes)
{
	const char *p[1] = { d->schema_name };
	PGresult *res = db_query(d,
		"SELECT 1 FROM pg_namespace WHERE nspname = $1", 1, p);

	if (!res)
		return -1;
	*yes = PQntuples(res) > 0;
	PQclear(res);
	return 0;
}

static int migrate_locked(struct db *d)
{
	const char *table = d->table_name;
	size_t i;
	int have;
	long done;

	/* CREATE SCHEMA IF NOT EXISTS checks the CREATE privilege even when
	 * the schema exists, so ask first (e.g. for "public"). */
	if (schema_exists(d, &have) < 0)
		return -1;
	if (!have && db_exec(d, "CREATE SCHEMA {S}") < 0)
		return -1;
	if (db_exec(d, "CREATE TABLE IF NOT EXISTS {S}.schema_migrations ("
		       " target text NOT NULL, version integer NOT NULL,"
		       " applied_at timestamptz NOT NULL DEFAULT now(),"
		       " PRIMARY KEY (target, version))") < 0)
		return -1;
	for (i = 0; i < sizeof(migrations) / sizeof(migrations[0]); i++) {
		const char *target = *migrations[i].target ? table : "";

		if (applied(d, target, &done) < 0)
			return -1;
		if (migrations[i].version > done && apply(d, &migrations[i], target) < 0)
			return -1;
	}
	return 0;
}

int db_migrate(struct db *d)
{
	if (db_exec(d, "BEGIN") < 0)
		return -1;
	if (db_exec(d, "SELECT pg_advisory_xact_lock(" DB_MIGRATE_LOCK ")") < 0 ||
	    migrate_locked(d) < 0) {
		/* PQexec directly: d->err keeps the first error. */
		PQclear(PQexec(d->conn, "ROLLBACK"));
		return -1;
	}
	return db_exec(d, "COMMIT");
}
