#include "load_sql.h"

const char load_sql_stage[] =
	"CREATE TEMP TABLE IF NOT EXISTS load_stage ("
	" seq bigint NOT NULL, symbol text NOT NULL, interval text NOT NULL,"
	" ts timestamptz NOT NULL, open double precision, high double precision,"
	" low double precision, close double precision,"
	" adj_close double precision, volume bigint)";

const char load_sql_copy[] =
	"COPY pg_temp.load_stage (seq, symbol, interval, ts, open, high, low,"
	" close, adj_close, volume) FROM STDIN";

#define SRC \
	"WITH src AS (" \
	" SELECT DISTINCT ON (symbol, interval, ts) symbol, interval, ts," \
	" open, high, low, close, adj_close, volume" \
	" FROM pg_temp.load_stage ORDER BY symbol, interval, ts, seq DESC)," \
	" up AS (" \
	" INSERT INTO {S}.{T} AS b (symbol, interval, ts, open, high, low," \
	" close, adj_close, volume, loaded_at, run_id)" \
	" SELECT symbol, interval, ts, open, high, low, close, adj_close," \
	" volume, now(), $1::bigint FROM src"

#define PROBE \
	" WHERE (SELECT true FROM {S}.{T} o WHERE o.symbol = src.symbol" \
	" AND o.interval = src.interval AND o.ts = src.ts" \
	" AND (o.open, o.high, o.low, o.close, o.adj_close, o.volume)" \
	" IS NOT DISTINCT FROM (src.open, src.high, src.low, src.close," \
	" src.adj_close, src.volume)) IS NULL"

#define GUARD \
	" ON CONFLICT (symbol, interval, ts) DO UPDATE SET" \
	" open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low," \
	" close = EXCLUDED.close, adj_close = EXCLUDED.adj_close," \
	" volume = EXCLUDED.volume, loaded_at = EXCLUDED.loaded_at," \
	" run_id = EXCLUDED.run_id" \
	" WHERE (b.open, b.high, b.low, b.close, b.adj_close, b.volume)" \
	" IS DISTINCT FROM (EXCLUDED.open, EXCLUDED.high, EXCLUDED.low," \
	" EXCLUDED.close, EXCLUDED.adj_close, EXCLUDED.volume)"

/*
 * PROBE skips rows already stored as they are: ON CONFLICT's guard alone
 * would still lock (and so write) every unchanged row.  It is a
 * correlated subquery on purpose, an index probe per staged row; as a
 * NOT EXISTS the planner may turn it into a scan of the whole table.
 * The guard stays for rows a concurrent loader changes meanwhile.  The
 * probe costs time when the rows are new, so load-bars uses it only when
 * the previous batch was mostly unchanged (variant [1]).
 */
/* The batch's duplicates are counted by the client (lib/load_keys): a
 * second reference to src would materialize it. */
#define COUNTS \
	" SELECT count(*) FILTER (WHERE ins), count(*) FILTER (WHERE NOT ins)" \
	" FROM up"

/* The audit rows come from the stockbars_audit trigger (lib/db). */
const char *const load_sql_upsert[2] = {
	SRC GUARD " RETURNING (b.xmax = 0) AS ins)" COUNTS,
	SRC PROBE GUARD " RETURNING (b.xmax = 0) AS ins)" COUNTS,
};

const char load_sql_run_start[] =
	"INSERT INTO {S}.load_runs (host, pid, target) VALUES ($1, $2, $3)"
	" RETURNING id";

const char load_sql_run_finish[] =
	"UPDATE {S}.load_runs SET finished_at = now(), status = $2, error = $3,"
	" rows_in = $4, duplicates = $5, inserted = $6, updated = $7,"
	" unchanged = $8, rejected = $9 WHERE id = $1";

const char load_sql_event[] =
	"INSERT INTO {S}.corporate_actions AS c (symbol, ts, kind, value,"
	" numerator, denominator, run_id)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7)"
	" ON CONFLICT (symbol, ts, kind) DO UPDATE SET value = EXCLUDED.value,"
	" numerator = EXCLUDED.numerator, denominator = EXCLUDED.denominator,"
	" loaded_at = now(), run_id = EXCLUDED.run_id"
	" WHERE (c.value, c.numerator, c.denominator) IS DISTINCT FROM"
	" (EXCLUDED.value, EXCLUDED.numerator, EXCLUDED.denominator)"
	" RETURNING (c.xmax = 0) AS inserted";
