#include "load_sql.h"
#include "refetch.h"

#define COLUMNS "symbol, interval, ts, open, high, low, close, adj_close, volume, run_id"

const char load_sql_stage[] =
	"CREATE TEMP TABLE IF NOT EXISTS load_stage ("
	" symbol text NOT NULL, interval text NOT NULL,"
	" ts timestamptz NOT NULL, open double precision, high double precision,"
	" low double precision, close double precision,"
	" adj_close double precision, volume bigint, run_id bigint)";
/* The columns of both COPYs, in COPY binary (load-bars' format_row). */

const char load_sql_truncate[] = "TRUNCATE pg_temp.load_stage";

const char load_sql_copy_stage[] =
	"COPY pg_temp.load_stage (" COLUMNS ") FROM STDIN (FORMAT binary)";

const char load_sql_copy_direct[] = "COPY {S}.{T} (" COLUMNS ") FROM STDIN (FORMAT binary)";

/* The staged rows, deduplicated on the key when the batch repeats one
 * (the row staged last wins); without repeats the sort is skipped. */
#define ROWS_DEDUP \
	" SELECT DISTINCT ON (symbol, interval, ts) symbol, interval, ts," \
	" open, high, low, close, adj_close, volume" \
	" FROM pg_temp.load_stage ORDER BY symbol, interval, ts, ctid DESC"
#define ROWS_PLAIN \
	" SELECT symbol, interval, ts, open, high, low, close, adj_close, volume" \
	" FROM pg_temp.load_stage"

/*
 * What counts as a revision: a stored bar B whose values differ from the
 * incoming row N (nulls compare equal).  The guard writes only these, the
 * probe skips the others, and ca_revised counts them.
 */
#define REVISED(B, N) \
	" ((" B ".open, " B ".high, " B ".low, " B ".close, " B ".adj_close, " B ".volume)" \
	" IS DISTINCT FROM (" N ".open, " N ".high, " N ".low, " N ".close," \
	" " N ".adj_close, " N ".volume))"

#define INSERT \
	" up AS (" \
	" INSERT INTO {S}.{T} AS b (symbol, interval, ts, open, high, low," \
	" close, adj_close, volume, loaded_at, run_id)" \
	" SELECT symbol, interval, ts, open, high, low, close, adj_close," \
	" volume, now(), $1::bigint FROM src"

#define PROBE \
	" WHERE (SELECT true FROM {S}.{T} o WHERE o.symbol = src.symbol" \
	" AND o.interval = src.interval AND o.ts = src.ts" \
	" AND NOT" REVISED("o", "src") ") IS NULL"

#define GUARD \
	" ON CONFLICT (symbol, interval, ts) DO UPDATE SET" \
	" open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low," \
	" close = EXCLUDED.close, adj_close = EXCLUDED.adj_close," \
	" volume = EXCLUDED.volume, loaded_at = EXCLUDED.loaded_at," \
	" run_id = EXCLUDED.run_id" \
	" WHERE" REVISED("b", "EXCLUDED")

/*
 * PROBE skips rows already stored as they are: ON CONFLICT's guard alone
 * would still lock (and so write) every unchanged row.  It is a
 * correlated subquery on purpose, an index probe per staged row; as a
 * NOT EXISTS the planner may turn it into a scan of the whole table.
 * The guard stays for rows a concurrent loader changes meanwhile.  The
 * probe costs time when the rows are new, so load-bars uses it only when
 * the previous batch was mostly unchanged.
 */
/* The batch's duplicates are counted by the client (lib/load_keys): a
 * second reference to src would materialize it. */
#define COUNTS \
	" RETURNING (b.xmax = 0) AS ins)" \
	" SELECT count(*) FILTER (WHERE ins), count(*) FILTER (WHERE NOT ins)" \
	" FROM up"

/*
 * PostgreSQL 15 refuses system columns (xmax) in the RETURNING of a
 * partitioned table, so there the staged rows are marked new or not by an
 * index probe before the insert; updated = written - new.  Under a
 * concurrent loader of the same keys the split may be off by the rows
 * that loader inserted meanwhile; the bars are right either way.
 */
#define PSRC(rows) \
	"WITH src AS MATERIALIZED (" \
	" SELECT *, NOT EXISTS (SELECT 1 FROM {S}.{T} o WHERE o.symbol = d.symbol" \
	" AND o.interval = d.interval AND o.ts = d.ts) AS fresh FROM (" rows ") d),"
#define PCOUNTS \
	" RETURNING 1)" \
	" SELECT n.fresh, (SELECT count(*) FROM up) - n.fresh" \
	" FROM (SELECT count(*) AS fresh FROM src WHERE fresh) n"
#define SRC(rows) "WITH src AS (" rows "),"

const char *const load_sql_upsert[2][2][2] = {
	{
		{ SRC(ROWS_PLAIN) INSERT GUARD COUNTS,
		  SRC(ROWS_DEDUP) INSERT GUARD COUNTS },
		{ SRC(ROWS_PLAIN) INSERT PROBE GUARD COUNTS,
		  SRC(ROWS_DEDUP) INSERT PROBE GUARD COUNTS },
	},
	{
		{ PSRC(ROWS_PLAIN) INSERT GUARD PCOUNTS,
		  PSRC(ROWS_DEDUP) INSERT GUARD PCOUNTS },
		{ PSRC(ROWS_PLAIN) INSERT PROBE GUARD PCOUNTS,
		  PSRC(ROWS_DEDUP) INSERT PROBE GUARD PCOUNTS },
	},
};

const char load_sql_heads_get[] =
	"SELECT h.symbol, h.interval, extract(epoch FROM h.ts)::bigint, ("
	REFETCH_FROM("h.symbol", "h.interval", "coalesce(k.intraday, false)",
		     "to_timestamp(coalesce(k.reach, $5::bigint))", "h.adjusted_snap")
	") IS NOT NULL FROM {S}.bar_heads h"
	" LEFT JOIN unnest($2::text[], $3::bigint[], $4::boolean[]) AS k(interval, reach, intraday)"
	" ON k.interval = h.interval WHERE h.target = $1";

/* The staged rows as the upsert takes them (the last of a repeated key). */
const char load_sql_stale_revised[] =
	"SELECT count(*) FROM (" ROWS_DEDUP ") s"
	" JOIN unnest($1::text[], $2::text[]) AS p(symbol, interval)"
	" ON p.symbol = s.symbol AND p.interval = s.interval"
	" JOIN {S}.{T} b ON b.symbol = s.symbol AND b.interval = s.interval AND b.ts = s.ts"
	" WHERE" REVISED("b", "s");

/* Only heads that move are written, in key order: two loaders of the
 * same symbols lock them in the same order. */
const char load_sql_heads_put[] =
	"INSERT INTO {S}.bar_heads AS h (target, symbol, interval, ts)"
	" SELECT $1, s, i, to_timestamp(t)"
	" FROM unnest($2::text[], $3::text[], $4::bigint[]) AS u(s, i, t)"
	" ON CONFLICT (target, symbol, interval) DO UPDATE SET ts = EXCLUDED.ts"
	" WHERE h.ts < EXCLUDED.ts";

const char load_sql_run_start[] =
	"INSERT INTO {S}.load_runs (host, pid, target, started_at)"
	" VALUES ($1, $2, $3, clock_timestamp()) RETURNING id";

/* Two-key advisory locks live apart from sched-run's one-key locks; the
 * class number spells "STKB". */
#define RUN_LOCK(id) "1398033218, ((" id ")::bigint % 2147483647)::integer"

const char load_sql_run_lock[] = "SELECT pg_advisory_lock(" RUN_LOCK("$1") ")";

const char load_sql_sweep[] =
	"WITH r AS MATERIALIZED (SELECT id FROM {S}.load_runs"
	"  WHERE status = 'running' AND id <> $1::bigint)"
	" UPDATE {S}.load_runs l SET status = 'abandoned', finished_at = clock_timestamp(),"
	"  error = coalesce(l.error, 'the loader died (no session holds the run)')"
	" FROM r WHERE l.id = r.id AND pg_try_advisory_xact_lock(" RUN_LOCK("r.id") ")"
	" RETURNING l.id";

#define FINISH \
	"UPDATE {S}.load_runs SET status = $2, error = $3," \
	" finished_at = CASE WHEN $2 = 'running' THEN NULL ELSE clock_timestamp() END," \
	" rows_in = $4, duplicates = $5, inserted = $6, updated = $7," \
	" unchanged = $8, rejected = $9, ca_revised = $10 WHERE id = $1"

const char load_sql_run_finish[] = FINISH;

const char load_sql_run_fail[] = FINISH " AND status IN ('running', 'abandoned')";

const char load_sql_events_stage[] =
	"CREATE TEMP TABLE IF NOT EXISTS load_events ("
	" symbol text NOT NULL, ts timestamptz NOT NULL, kind text NOT NULL,"
	" value double precision, numerator double precision,"
	" denominator double precision);"
	"TRUNCATE pg_temp.load_events";

const char load_sql_events_copy[] = "COPY pg_temp.load_events FROM STDIN (FORMAT csv)";

const char load_sql_events_upsert[] =
	"WITH up AS ("
	" INSERT INTO {S}.corporate_actions AS c (symbol, ts, kind, value,"
	" numerator, denominator, run_id, xact)"
	" SELECT DISTINCT ON (symbol, ts, kind) symbol, ts, kind, value, numerator,"
	" denominator, $1::bigint, pg_current_xact_id() FROM pg_temp.load_events"
	" ORDER BY symbol, ts, kind, ctid DESC"
	" ON CONFLICT (symbol, ts, kind) DO UPDATE SET value = EXCLUDED.value,"
	" numerator = EXCLUDED.numerator, denominator = EXCLUDED.denominator,"
	" loaded_at = now(), run_id = EXCLUDED.run_id, xact = EXCLUDED.xact"
	" WHERE " REFETCH_CHANGED("c", "EXCLUDED")
	" RETURNING (c.xmax = 0) AS ins)"
	" SELECT count(*) FILTER (WHERE ins), count(*) FILTER (WHERE NOT ins) FROM up";

const char load_sql_table_kind[] =
	"SELECT coalesce((SELECT partstrat = 'r' AND partnatts = 2"
	"  FROM pg_partitioned_table WHERE partrelid = to_regclass('{S}.{T}')), false),"
	" EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass('{S}.{T}'))";

const char load_sql_partition[] =
	"SELECT {S}.stockbars_partition($1, $2, to_timestamp($3::bigint), 1)";

const char load_sql_retain[] =
	"SELECT {S}.stockbars_retain($1, to_timestamp($2::bigint))";
