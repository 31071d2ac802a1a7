#include "db_migrate.h"
#include "msg.h"
#include "sym.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The migrations, in order.  target "" belongs to the schema (shared by
 * every bars table in it); "T" is applied once per bars table.  In sql
 * and check, {S} and {T} are the quoted schema and table, {L} the table
 * name as a string literal and {P} the partitioning clause of a new bars
 * table.
 *
 * To add one: append an entry with the next version of its target, SQL
 * that can run again without harm, and a check (a boolean SQL expression
 * over the catalog that must not fail when objects are missing) that is
 * true once its objects exist; NULL when only the record can tell (data
 * migrations).  Never change what an applied version creates; replace it
 * in a later version instead.
 */
struct migration {
	const char *target;
	int version;
	const char *sql;
	const char *check;
};

static const struct migration migrations[] = {
	{ "", 1,
	  "CREATE TABLE IF NOT EXISTS {S}.load_runs ("
	  " id bigserial PRIMARY KEY, host text, pid integer,"
	  " target text,"
	  " started_at timestamptz NOT NULL DEFAULT now(), finished_at timestamptz,"
	  " status text NOT NULL DEFAULT 'running'"
	  "  CHECK (status IN ('running', 'ok', 'failed')),"
	  " error text,"
	  " rows_in bigint NOT NULL DEFAULT 0, duplicates bigint NOT NULL DEFAULT 0,"
	  " inserted bigint NOT NULL DEFAULT 0, updated bigint NOT NULL DEFAULT 0,"
	  " unchanged bigint NOT NULL DEFAULT 0, rejected bigint NOT NULL DEFAULT 0);"
	  "CREATE TABLE IF NOT EXISTS {S}.bar_changes ("
	  " id bigserial PRIMARY KEY, run_id bigint, target text NOT NULL,"
	  " symbol text NOT NULL, interval text NOT NULL, ts timestamptz NOT NULL,"
	  " old_open double precision, old_high double precision,"
	  " old_low double precision, old_close double precision,"
	  " old_adj_close double precision, old_volume bigint,"
	  " new_open double precision, new_high double precision,"
	  " new_low double precision, new_close double precision,"
	  " new_adj_close double precision, new_volume bigint,"
	  " changed_at timestamptz NOT NULL DEFAULT now());"
	  "CREATE INDEX IF NOT EXISTS bar_changes_key ON {S}.bar_changes (symbol, interval, ts);"
	  "CREATE TABLE IF NOT EXISTS {S}.corporate_actions ("
	  " symbol text NOT NULL, ts timestamptz NOT NULL, kind text NOT NULL,"
	  " value double precision, numerator double precision,"
	  " denominator double precision,"
	  " loaded_at timestamptz NOT NULL DEFAULT now(), run_id bigint,"
	  " PRIMARY KEY (symbol, ts, kind))",
	  "to_regclass('{S}.load_runs') IS NOT NULL AND to_regclass('{S}.bar_changes') IS NOT NULL"
	  " AND to_regclass('{S}.bar_changes_key') IS NOT NULL"
	  " AND to_regclass('{S}.corporate_actions') IS NOT NULL" },
	/* A bars table created anew has no heads yet: stale ones from a
	 * dropped table of the same name would stop sched-plan short. */
	{ "T", 1,
	  "DO $m$ BEGIN IF to_regclass('{S}.{T}') IS NULL THEN"
	  " CREATE TABLE {S}.{T} ("
	  " symbol text NOT NULL, interval text NOT NULL, ts timestamptz NOT NULL,"
	  " open double precision NOT NULL, high double precision NOT NULL,"
	  " low double precision NOT NULL, close double precision NOT NULL,"
	  " adj_close double precision NOT NULL, volume bigint,"
	  " loaded_at timestamptz NOT NULL DEFAULT now(), run_id bigint,"
	  " PRIMARY KEY (symbol, interval, ts)){P};"
	  " IF to_regclass('{S}.bar_heads') IS NOT NULL THEN"
	  "  DELETE FROM {S}.bar_heads WHERE target = {L}; END IF;"
	  " END IF; END $m$",
	  "to_regclass('{S}.{T}') IS NOT NULL" },
	/* The audit as a trigger: it costs nothing for inserted or unchanged
	 * rows.  search_path is pinned on the function so its body needs no
	 * schema name; "SET stockbars.audit = off" turns it off. */
	{ "", 2,
	  "CREATE OR REPLACE FUNCTION {S}.stockbars_audit() RETURNS trigger"
	  " LANGUAGE plpgsql SET search_path = {S}, pg_catalog AS $f$"
	  " BEGIN"
	  "  INSERT INTO bar_changes (run_id, target, symbol, interval, ts,"
	  "   old_open, old_high, old_low, old_close, old_adj_close, old_volume,"
	  "   new_open, new_high, new_low, new_close, new_adj_close, new_volume)"
	  "  VALUES (NEW.run_id, TG_TABLE_NAME, NEW.symbol, NEW.interval, NEW.ts,"
	  "   OLD.open, OLD.high, OLD.low, OLD.close, OLD.adj_close, OLD.volume,"
	  "   NEW.open, NEW.high, NEW.low, NEW.close, NEW.adj_close, NEW.volume);"
	  "  RETURN NULL;"
	  " END $f$",
	  "EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'stockbars_audit'"
	  " AND pronamespace = to_regnamespace('{S}'))" },
	{ "T", 2,
	  "CREATE OR REPLACE TRIGGER stockbars_audit AFTER UPDATE ON {S}.{T} FOR EACH ROW"
	  " WHEN (current_setting('stockbars.audit', true) IS DISTINCT FROM 'off')"
	  " EXECUTE FUNCTION {S}.stockbars_audit()",
	  "EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass('{S}.{T}')"
	  " AND tgname = 'stockbars_audit' AND tgparentid = 0)" },
	/* interrupted: a signal stopped the run; abandoned: its loader died
	 * (found by the next run).  started_at is the real start. */
	{ "", 3,
	  "ALTER TABLE {S}.load_runs DROP CONSTRAINT IF EXISTS load_runs_status_check,"
	  " ADD CONSTRAINT load_runs_status_check CHECK (status IN"
	  "  ('running', 'ok', 'failed', 'interrupted', 'abandoned')),"
	  " ALTER COLUMN started_at SET DEFAULT clock_timestamp();"
	  "CREATE INDEX IF NOT EXISTS load_runs_running ON {S}.load_runs (id)"
	  " WHERE status = 'running'",
	  "to_regclass('{S}.load_runs_running') IS NOT NULL"
	  " AND EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass('{S}.load_runs')"
	  " AND conname = 'load_runs_status_check'"
	  " AND pg_get_constraintdef(oid) LIKE '%abandoned%')" },
	/* Rows of a partition are audited under the partitioned table's name. */
	{ "", 4,
	  "CREATE OR REPLACE FUNCTION {S}.stockbars_audit() RETURNS trigger"
	  " LANGUAGE plpgsql SET search_path = {S}, pg_catalog AS $f$"
	  " BEGIN"
	  "  INSERT INTO bar_changes (run_id, target, symbol, interval, ts,"
	  "   old_open, old_high, old_low, old_close, old_adj_close, old_volume,"
	  "   new_open, new_high, new_low, new_close, new_adj_close, new_volume)"
	  "  VALUES (NEW.run_id,"
	  "   (SELECT relname FROM pg_class"
	  "    WHERE oid = coalesce(pg_partition_root(TG_RELID), TG_RELID)),"
	  "   NEW.symbol, NEW.interval, NEW.ts,"
	  "   OLD.open, OLD.high, OLD.low, OLD.close, OLD.adj_close, OLD.volume,"
	  "   NEW.open, NEW.high, NEW.low, NEW.close, NEW.adj_close, NEW.volume);"
	  "  RETURN NULL;"
	  " END $f$",
	  "EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'stockbars_audit'"
	  " AND pronamespace = to_regnamespace('{S}') AND prosrc LIKE '%coalesce(pg_partition_root(TG_RELID)%')" },
	/* The newest bar per (table, symbol, interval), kept by load-bars in
	 * the same transaction as the bars: what sched-plan reads, and what
	 * tells load-bars that a row is past everything stored. */
	{ "", 5,
	  "CREATE TABLE IF NOT EXISTS {S}.bar_heads ("
	  " target text NOT NULL, symbol text NOT NULL, interval text NOT NULL,"
	  " ts timestamptz NOT NULL, PRIMARY KEY (target, symbol, interval))",
	  "to_regclass('{S}.bar_heads') IS NOT NULL" },
	/*
	 * Partitions of a table partitioned on (interval, ts): one per month
	 * for intraday intervals, one per year for daily and longer: {V} and
	 * {I} are lib/sym's interval table, all and intraday names.  SECURITY DEFINER so that a loader
	 * role without DDL rights can add the partitions its rows need; only
	 * roles granted EXECUTE may call it.  A partition is made as a plain
	 * table and attached, which locks the parent less than CREATE TABLE
	 * ... PARTITION OF (loads and reads go on).  Retention drops whole
	 * partitions that end before keep_from.
	 */
	{ "", 6,
	  "CREATE OR REPLACE FUNCTION {S}.stockbars_partition(tbl text, iv text,"
	  "  t timestamptz, ahead integer DEFAULT 0) RETURNS integer"
	  " LANGUAGE plpgsql SECURITY DEFINER SET search_path = {S}, pg_catalog AS $f$"
	  " DECLARE unit text; lo timestamp; hi timestamp; part text; made integer := 0;"
	  " BEGIN"
	  "  IF NOT iv = ANY ({V}) THEN RAISE EXCEPTION 'bad interval %', iv; END IF;"
	  "  unit := CASE WHEN iv = ANY ({I}) THEN 'month' ELSE 'year' END;"
	  "  lo := date_trunc(unit, t AT TIME ZONE 'UTC');"
	  "  FOR i IN 0 .. greatest(ahead, 0) LOOP"
	  "   hi := lo + ('1 ' || unit)::interval;"
	  "   part := left(tbl, 40) || '_' || iv || '_'"
	  "    || to_char(lo, CASE unit WHEN 'month' THEN 'YYYYMM' ELSE 'YYYY' END);"
	  "   IF to_regclass(format('%I', part)) IS NULL THEN"
	  "    BEGIN"
	  "     EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS)', part, tbl);"
	  "     EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L, %L) TO (%L, %L)',"
	  "      tbl, part, iv, lo AT TIME ZONE 'UTC', iv, hi AT TIME ZONE 'UTC');"
	  "     made := made + 1;"
	  "    EXCEPTION WHEN duplicate_table OR unique_violation THEN NULL;"
	  "    END;"
	  "   END IF;"
	  "   lo := hi;"
	  "  END LOOP;"
	  "  RETURN made;"
	  " END $f$;"
	  "CREATE OR REPLACE FUNCTION {S}.stockbars_retain(tbl text, keep_from timestamptz)"
	  " RETURNS integer"
	  " LANGUAGE plpgsql SECURITY DEFINER SET search_path = {S}, pg_catalog AS $f$"
	  " DECLARE r record; hi timestamptz; dropped integer := 0;"
	  " BEGIN"
	  "  FOR r IN SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound"
	  "   FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
	  "   WHERE i.inhparent = format('%I', tbl)::regclass LOOP"
	  "   hi := substring(r.bound FROM 'TO \\(''[^'']*'', ''([^'']*)''\\)')::timestamptz;"
	  "   IF hi IS NOT NULL AND hi <= keep_from THEN"
	  "    EXECUTE format('DROP TABLE %I', r.relname);"
	  "    dropped := dropped + 1;"
	  "   END IF;"
	  "  END LOOP;"
	  "  RETURN dropped;"
	  " END $f$;"
	  "REVOKE EXECUTE ON FUNCTION {S}.stockbars_partition(text, text, timestamptz, integer),"
	  " {S}.stockbars_retain(text, timestamptz) FROM PUBLIC",
	  "EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'stockbars_partition'"
	  " AND pronamespace = to_regnamespace('{S}'))"
	  " AND EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'stockbars_retain'"
	  " AND pronamespace = to_regnamespace('{S}'))" },
	/* Heads for the bars already stored: a skip scan over the primary
	 * key, one probe per (symbol, interval), not a scan of every row. */
	{ "T", 3,
	  "WITH RECURSIVE k AS ("
	  " (SELECT symbol, interval FROM {S}.{T} ORDER BY symbol, interval LIMIT 1)"
	  " UNION ALL"
	  " SELECT n.symbol, n.interval FROM k, LATERAL (SELECT b.symbol, b.interval"
	  "  FROM {S}.{T} b WHERE (b.symbol, b.interval) > (k.symbol, k.interval)"
	  "  ORDER BY b.symbol, b.interval LIMIT 1) n)"
	  " INSERT INTO {S}.bar_heads AS h (target, symbol, interval, ts)"
	  " SELECT {L}, k.symbol, k.interval, (SELECT max(b.ts) FROM {S}.{T} b"
	  "  WHERE b.symbol = k.symbol AND b.interval = k.interval) FROM k"
	  " ON CONFLICT (target, symbol, interval) DO UPDATE SET ts = EXCLUDED.ts",
	  NULL },
	/*
	 * The adjusted view of each bars table, {T}_adjusted: split_factor and
	 * dividend_factor per bar from corporate_actions and the stored
	 * closes (the factor of a dividend or capital gain is Yahoo's,
	 * 1 - amount / close of the previous bar; a split's is its ratio),
	 * with the raw (as-traded) and the split- and dividend-adjusted
	 * series.  Each event's factor is summed once, on the bar before it,
	 * and carried back with a window, so a symbol's series costs one pass.
	 * The name is the table's name plus _adjusted, hence the DO block.
	 */
	{ "T", 4,
	  "DO $m$ BEGIN EXECUTE format($v$"
	  "CREATE OR REPLACE VIEW {S}.%I AS"
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
	  "$v$, {L} || '_adjusted'); END $m$",
	  "to_regclass('{S}.' || quote_ident({L} || '_adjusted')) IS NOT NULL" },
	/*
	 * Re-fetch after a corporate action (lib/refetch): each corporate
	 * action records the transaction that last inserted or changed it
	 * (xact; NULL for rows from before), each head the run that last
	 * fetched its series whole and the snapshot whose corporate actions
	 * that fetch reflects (NULL: none known, so any action applying to
	 * the series asks for one), and each run how many rows it revised in
	 * series with an action not yet applied.
	 */
	{ "", 7,
	  "ALTER TABLE {S}.corporate_actions ADD COLUMN IF NOT EXISTS xact xid8;"
	  "CREATE INDEX IF NOT EXISTS corporate_actions_xact"
	  " ON {S}.corporate_actions (symbol, xact);"
	  "ALTER TABLE {S}.bar_heads ADD COLUMN IF NOT EXISTS adjusted_run bigint,"
	  " ADD COLUMN IF NOT EXISTS adjusted_snap pg_snapshot;"
	  "ALTER TABLE {S}.load_runs ADD COLUMN IF NOT EXISTS ca_revised bigint NOT NULL DEFAULT 0",
	  "to_regclass('{S}.corporate_actions_xact') IS NOT NULL"
	  " AND (SELECT count(*) = 4 FROM pg_attribute WHERE NOT attisdropped AND"
	  " ((attrelid = to_regclass('{S}.corporate_actions') AND attname = 'xact')"
	  " OR (attrelid = to_regclass('{S}.bar_heads')"
	  "  AND attname IN ('adjusted_run', 'adjusted_snap'))"
	  " OR (attrelid = to_regclass('{S}.load_runs') AND attname = 'ca_revised')))" },
	/*
	 * Heads follow bars deleted by hand: a DELETE that removes a series'
	 * newest bar moves its head back to the newest bar left (or drops the
	 * head with the series), so the next plan fetches what was deleted; a
	 * TRUNCATE drops the table's heads.  One statement-level trigger per
	 * statement, touching only the heads whose bar went.  SECURITY DEFINER:
	 * a role allowed to delete bars need not be allowed to write heads.
	 */
	{ "", 8,
	  "CREATE OR REPLACE FUNCTION {S}.stockbars_heads_gone() RETURNS trigger"
	  " LANGUAGE plpgsql SECURITY DEFINER SET search_path = {S}, pg_catalog AS $f$"
	  " BEGIN"
	  "  IF TG_OP = 'TRUNCATE' THEN"
	  "   DELETE FROM bar_heads WHERE target = TG_TABLE_NAME; RETURN NULL;"
	  "  END IF;"
	  "  EXECUTE format('WITH k AS (SELECT DISTINCT o.symbol, o.interval FROM gone o"
	  "   JOIN bar_heads g ON g.target = $1 AND g.symbol = o.symbol"
	  "   AND g.interval = o.interval AND g.ts = o.ts),"
	  "  n AS (SELECT k.symbol, k.interval, (SELECT max(b.ts) FROM %I.%I b"
	  "   WHERE b.symbol = k.symbol AND b.interval = k.interval) AS ts FROM k),"
	  "  d AS (DELETE FROM bar_heads h USING n WHERE n.ts IS NULL AND h.target = $1"
	  "   AND h.symbol = n.symbol AND h.interval = n.interval)"
	  "  UPDATE bar_heads h SET ts = n.ts FROM n WHERE n.ts IS NOT NULL"
	  "   AND h.target = $1 AND h.symbol = n.symbol AND h.interval = n.interval',"
	  "   TG_TABLE_SCHEMA, TG_TABLE_NAME) USING TG_TABLE_NAME;"
	  "  RETURN NULL;"
	  " END $f$",
	  "EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'stockbars_heads_gone'"
	  " AND pronamespace = to_regnamespace('{S}'))" },
	{ "T", 5,
	  "CREATE OR REPLACE TRIGGER stockbars_heads_gone AFTER DELETE ON {S}.{T}"
	  " REFERENCING OLD TABLE AS gone FOR EACH STATEMENT"
	  " EXECUTE FUNCTION {S}.stockbars_heads_gone();"
	  "CREATE OR REPLACE TRIGGER stockbars_heads_truncated AFTER TRUNCATE ON {S}.{T}"
	  " FOR EACH STATEMENT EXECUTE FUNCTION {S}.stockbars_heads_gone()",
	  "(SELECT count(*) = 2 FROM pg_trigger WHERE tgrelid = to_regclass('{S}.{T}')"
	  " AND tgname IN ('stockbars_heads_gone', 'stockbars_heads_truncated'))" },
};

#define NMIG (sizeof(migrations) / sizeof(migrations[0]))

/* Any constant works; it only has to be the same in every loader. */
#define MIGRATE_LOCK "5461726279"

/* Replace every "{X}" (key) in s by val; s is freed, a new string returned. */
static char *subst(char *s, const char *key, const char *val)
{
	size_t lk = strlen(key), lv = strlen(val), n = 1;
	const char *p;
	char *out, *o;

	for (p = s; *p; p++)
		n += strncmp(p, key, lk) == 0 ? lv : 1;
	out = xmalloc(n);
	for (p = s, o = out; *p;) {
		if (strncmp(p, key, lk) == 0) {
			memcpy(o, val, lv);
			o += lv;
			p += lk;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	free(s);
	return out;
}

/* lib/sym's interval names as a SQL text[] literal: '{1m,2m,...}'::text[]. */
static char *interval_array(int intraday_only)
{
	size_t n = sym_interval_join(NULL, 0, ",", intraday_only) + 16;
	char *a = xmalloc(n);

	memcpy(a, "'{", 3);
	sym_interval_join(a + 2, n - 2, ",", intraday_only);
	strcat(a, "}'::text[]");
	return a;
}

/* The template with {L}, {P}, {V} and {I} filled in; {S} and {T} are
 * db_sql's. */
static char *expand(struct db *d, const char *tmpl, int partition)
{
	char *lit = PQescapeLiteral(d->conn, d->table_name, strlen(d->table_name));
	char *s = xstrdup(tmpl), *all = interval_array(0), *intraday = interval_array(1);

	s = subst(s, "{L}", lit ? lit : "NULL");
	s = subst(s, "{P}", partition ? " PARTITION BY RANGE (interval, ts)" : "");
	s = subst(s, "{V}", all);
	s = subst(s, "{I}", intraday);
	PQfreemem(lit);
	free(all);
	free(intraday);
	return s;
}

/* For each migration: 1 when its check holds (or it has none), and
 * whether schema_migrations exists at all.  Catalog reads only. */
static int checks(struct db *d, int ok[NMIG], int *have_table)
{
	char *sql = xstrdup("SELECT to_regclass('{S}.schema_migrations') IS NOT NULL");
	char *e;
	PGresult *res;
	size_t i, len;

	for (i = 0; i < NMIG; i++) {
		e = expand(d, migrations[i].check ? migrations[i].check : "true", 0);
		len = strlen(sql);
		sql = xrealloc(sql, len + strlen(e) + 8);
		snprintf(sql + len, strlen(e) + 8, ", (%s)", e);
		free(e);
	}
	res = db_query(d, sql, 0, NULL);
	free(sql);
	if (!res)
		return -1;
	*have_table = *PQgetvalue(res, 0, 0) == 't';
	for (i = 0; i < NMIG; i++)
		ok[i] = *PQgetvalue(res, 0, (int)i + 1) == 't';
	PQclear(res);
	return 0;
}

/* Clear ok[i] for every migration schema_migrations does not record. */
static int records(struct db *d, int ok[NMIG])
{
	const char *p[1] = { d->table_name };
	PGresult *res;
	size_t i;
	int r, found;

	res = db_query(d, "SELECT target, version FROM {S}.schema_migrations"
			  " WHERE target IN ('', $1)", 1, p);
	if (!res)
		return -1;
	for (i = 0; i < NMIG; i++) {
		const char *target = *migrations[i].target ? d->table_name : "";

		for (r = 0, found = 0; r < PQntuples(res) && !found; r++)
			found = strcmp(PQgetvalue(res, r, 0), target) == 0 &&
				atoi(PQgetvalue(res, r, 1)) == migrations[i].version;
		ok[i] = ok[i] && found;
	}
	PQclear(res);
	return 0;
}

/* ok[i]: migration i is applied and recorded. */
static int state(struct db *d, int ok[NMIG])
{
	int have;
	size_t i;

	if (checks(d, ok, &have) < 0)
		return -1;
	if (!have)
		for (i = 0; i < NMIG; i++)
			ok[i] = 0;
	return have ? records(d, ok) : 0;
}

int db_migrate_pending(struct db *d)
{
	int ok[NMIG], n = 0;
	size_t i;

	if (state(d, ok) < 0)
		return -1;
	for (i = 0; i < NMIG; i++)
		n += !ok[i];
	return n;
}

static int apply(struct db *d, const struct migration *m, int partition)
{
	const char *target = *m->target ? d->table_name : "";
	char v[16], *sql;
	const char *p[2] = { target, v };
	PGresult *res;
	int rc;

	msg_log(MSG_DEBUG, "migration %s%s%d", target, *target ? " " : "", m->version);
	sql = expand(d, m->sql, partition);
	rc = db_exec(d, sql);
	free(sql);
	if (rc < 0)
		return -1;
	snprintf(v, sizeof(v), "%d", m->version);
	res = db_query(d, "INSERT INTO {S}.schema_migrations (target, version)"
			  " VALUES ($1, $2) ON CONFLICT DO NOTHING", 2, p);
	PQclear(res);
	return res ? 0 : -1;
}

static int ensure_schema(struct db *d)
{
	const char *p[1] = { d->schema_name };
	PGresult *res = db_query(d, "SELECT 1 FROM pg_namespace WHERE nspname = $1", 1, p);
	int have;

	if (!res)
		return -1;
	have = PQntuples(res) > 0;
	PQclear(res);
	/* CREATE ... IF NOT EXISTS checks the CREATE privilege even when the
	 * object exists, so ask the catalog first. */
	if (!have && db_exec(d, "CREATE SCHEMA {S}") < 0)
		return -1;
	res = db_query(d, "SELECT to_regclass('{S}.schema_migrations') IS NULL", 0, NULL);
	if (!res)
		return -1;
	have = *PQgetvalue(res, 0, 0) == 'f';
	PQclear(res);
	if (!have && db_exec(d, "CREATE TABLE {S}.schema_migrations ("
			       " target text NOT NULL, version integer NOT NULL,"
			       " applied_at timestamptz NOT NULL DEFAULT now(),"
			       " PRIMARY KEY (target, version))") < 0)
		return -1;
	return 0;
}

/*
 * An unpartitioned bars table becomes a partitioned one: renamed aside,
 * recreated partitioned (migrations T 1 and 2), partitions made for the
 * months and years present, rows copied, the old table dropped; all in
 * the caller's transaction, so a failure changes nothing.  What depends on
 * the table (the adjusted view) is dropped first and made again after.
 */
static const char convert_sql[] =
	"LOCK TABLE {S}.{T} IN ACCESS EXCLUSIVE MODE;"
	"DO $m$ BEGIN EXECUTE format('DROP VIEW IF EXISTS {S}.%I', {L} || '_adjusted'); END $m$;"
	"ALTER TABLE {S}.{T} RENAME TO stockbars_unpartitioned;"
	"DO $m$ DECLARE c text; BEGIN"
	" SELECT conname INTO c FROM pg_constraint WHERE contype = 'p'"
	"  AND conrelid = to_regclass('{S}.stockbars_unpartitioned');"
	" IF c IS NOT NULL THEN EXECUTE format('ALTER TABLE {S}.stockbars_unpartitioned"
	"  RENAME CONSTRAINT %I TO stockbars_unpartitioned_pkey', c); END IF; END $m$";

static const char copy_sql[] =
	"SELECT count({S}.stockbars_partition({L}, interval, m))"
	" FROM (SELECT DISTINCT interval, date_trunc('month', ts AT TIME ZONE 'UTC')"
	"  AT TIME ZONE 'UTC' AS m FROM {S}.stockbars_unpartitioned) p;"
	"INSERT INTO {S}.{T} (symbol, interval, ts, open, high, low, close, adj_close,"
	" volume, loaded_at, run_id) SELECT symbol, interval, ts, open, high, low, close,"
	" adj_close, volume, loaded_at, run_id FROM {S}.stockbars_unpartitioned;"
	"DROP TABLE {S}.stockbars_unpartitioned";

static int unpartitioned(struct db *d, int *yes)
{
	PGresult *res = db_query(d, "SELECT relkind = 'r' FROM pg_class"
				    " WHERE oid = to_regclass('{S}.{T}')", 0, NULL);

	if (!res)
		return -1;
	*yes = PQntuples(res) > 0 && *PQgetvalue(res, 0, 0) == 't';
	PQclear(res);
	return 0;
}

static int exec_expanded(struct db *d, const char *tmpl)
{
	char *sql = expand(d, tmpl, 1);
	int rc = db_exec(d, sql);

	free(sql);
	return rc;
}

static int convert(struct db *d)
{
	size_t i;

	msg_log(MSG_INFO, "converting %s.%s into a partitioned table", d->schema_name,
		d->table_name);
	if (exec_expanded(d, convert_sql) < 0)
		return -1;
	for (i = 0; i < NMIG; i++)
		if (*migrations[i].target && migrations[i].version <= 2 &&
		    apply(d, &migrations[i], 1) < 0)
			return -1;
	if (exec_expanded(d, copy_sql) < 0)
		return -1;
	for (i = 0; i < NMIG; i++)
		if (*migrations[i].target && migrations[i].version > 2 && migrations[i].check &&
		    apply(d, &migrations[i], 1) < 0)
			return -1;
	return 0;
}

static int migrate_locked(struct db *d, int partition)
{
	int ok[NMIG], conv = 0;
	size_t i;

	if (ensure_schema(d) < 0 || state(d, ok) < 0)
		return -1;
	for (i = 0; i < NMIG; i++)
		if (!ok[i] && apply(d, &migrations[i], partition) < 0)
			return -1;
	if (partition && (unpartitioned(d, &conv) < 0 || (conv && convert(d) < 0)))
		return -1;
	return 0;
}

/* One transaction under the lock; d->err keeps the first error. */
static int locked(struct db *d, int (*fn)(struct db *, int), int arg)
{
	if (db_exec(d, "BEGIN") < 0)
		return -1;
	if (db_exec(d, "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK ")") < 0 || fn(d, arg) < 0) {
		db_rollback(d);
		return -1;
	}
	return db_commit(d);
}

int db_migrate(struct db *d, int partition)
{
	return locked(d, migrate_locked, partition);
}

/* The heads migration's SQL follows: it rebuilds them from the bars.
 * Heads of series still stored keep their refresh marks (lib/refetch):
 * the bars they describe did not change. */
static const char maintain_sql[] =
	"DELETE FROM {S}.bar_heads h WHERE target = {L} AND NOT EXISTS (SELECT 1"
	" FROM {S}.{T} b WHERE b.symbol = h.symbol AND b.interval = h.interval)";

static const char ahead_sql[] =
	"SELECT count({S}.stockbars_partition({L}, interval, now(), 1))"
	" FROM (SELECT DISTINCT interval FROM {S}.bar_heads WHERE target = {L}) i"
	" WHERE (SELECT partstrat = 'r' AND partnatts = 2 FROM pg_partitioned_table"
	"  WHERE partrelid = to_regclass('{S}.{T}'))";

static int maintain_locked(struct db *d, int unused)
{
	size_t i;

	(void)unused;
	if (exec_expanded(d, maintain_sql) < 0)
		return -1;
	for (i = 0; i < NMIG; i++)
		if (*migrations[i].target && !migrations[i].check &&
		    exec_expanded(d, migrations[i].sql) < 0)
			return -1;
	return exec_expanded(d, ahead_sql);
}

int db_migrate_maintain(struct db *d)
{
	return locked(d, maintain_locked, 0);
}
