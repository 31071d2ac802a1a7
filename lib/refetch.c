/* refetch: the corporate-action re-fetch rule; see refetch.h. */
#include "refetch.h"
#include "bt.h"
#include "db.h"
#include "plan_win.h"
#include "span.h"

/*
 * One UPDATE of the heads: the coverage checks are index probes per
 * series, the actions check a probe of the actions written since the run
 * began.  $3 is the snapshot as text.  Without the run's events (no TEMP
 * table load_events in the session) any such action stops the mark.  o is
 * the head as it was before (its previous snapshot), for PRE_REACH.
 */
#define MARK(RUN_EVENTS)                                                                 \
	"UPDATE {S}.bar_heads h SET adjusted_run = $1::bigint,"                         \
	" adjusted_snap = pg_current_snapshot()"                                        \
	" FROM unnest($4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[],"\
	"  $9::boolean[]) AS k(symbol, interval, lo, hi, reach, intraday),"             \
	" {S}.bar_heads o"                                                              \
	" WHERE h.target = $2 AND h.symbol = k.symbol AND h.interval = k.interval"      \
	" AND o.target = h.target AND o.symbol = h.symbol AND o.interval = h.interval"  \
	" AND NOT EXISTS (SELECT 1 FROM {S}.{T} b WHERE b.symbol = k.symbol"            \
	"  AND b.interval = k.interval AND b.ts >= to_timestamp(k.reach)"               \
	"  AND b.ts < to_timestamp(k.lo))"                                              \
	" AND NOT EXISTS (SELECT 1 FROM {S}.{T} b WHERE b.symbol = k.symbol"            \
	"  AND b.interval = k.interval AND b.ts > to_timestamp(k.hi))"                  \
	" AND NOT EXISTS (SELECT 1 FROM {S}.corporate_actions a WHERE a.symbol = k.symbol"\
	"  AND " REFETCH_UNSEEN("a.xact", "$3::pg_snapshot")                            \
	"  AND a.ts > to_timestamp(k.lo) AND " REFETCH_APPLIES("a.kind", "k.intraday")   \
	RUN_EVENTS ")"                                                                  \
	" RETURNING h.symbol, h.interval, " PRE_REACH

/* The bars before the reach older than the newest split the previous mark
 * did not show: an index range scan, empty for series with no reach limit
 * (the reach is 1900) or no such split. */
#define PRE_REACH                                                                        \
	"(SELECT count(*) FROM {S}.{T} b WHERE b.symbol = k.symbol"                     \
	" AND b.interval = k.interval AND b.ts < to_timestamp(k.reach)"                 \
	" AND b.ts < (SELECT max(a.ts) FROM {S}.corporate_actions a"                    \
	"  WHERE a.symbol = k.symbol AND " REFETCH_APPLIES("a.kind", "k.intraday")        \
	"  AND (o.adjusted_snap IS NULL OR " REFETCH_UNSEEN("a.xact", "o.adjusted_snap") ")))"

const char *const refetch_sql_mark[2] = {
	MARK(""),
	MARK("  AND NOT EXISTS (SELECT 1 FROM pg_temp.load_events e WHERE e.symbol = a.symbol"
	     "   AND e.ts = a.ts AND e.kind = a.kind AND NOT " REFETCH_CHANGED("a", "e") ")"),
};

const char refetch_sql_unserved[] =
	"SELECT k.symbol, k.interval, extract(epoch FROM f.first)::bigint, f.n, k.lo"
	" FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::boolean[])"
	"  AS k(symbol, interval, lo, reach, intraday)"
	" JOIN {S}.bar_heads h ON h.target = $6 AND h.symbol = k.symbol"
	"  AND h.interval = k.interval"
	" CROSS JOIN LATERAL (SELECT min(b.ts) AS first, count(*) AS n FROM {S}.{T} b"
	"  WHERE b.symbol = k.symbol AND b.interval = k.interval"
	"  AND b.ts >= to_timestamp(k.reach) AND b.ts < to_timestamp(k.lo)) f"
	" WHERE f.n > 0 AND "
	REFETCH_ACTION_IF("k.symbol", "k.intraday", "f.first", "h.adjusted_snap",
			  " AND (a.xact IS NULL OR NOT " REFETCH_UNSEEN("a.xact", "$7::pg_snapshot") ")");

long long refetch_reach(const struct sym_interval *iv, time_t now)
{
	return iv ? (long long)span_reach(iv, now, PLAN_MIN_TIME) : PLAN_MIN_TIME;
}

long refetch_gap(const struct sym_interval *iv)
{
	return iv->chunk_days > 0 ? iv->chunk_days * BT_DAY : 0;
}

int refetch_unserved(const struct sym_interval *iv, time_t stored, time_t first)
{
	long gap = iv ? refetch_gap(iv) : 0;

	return stored < first && (gap <= 0 || first - stored < gap);
}

void refetch_intervals(time_t now, struct db_array *a)
{
	const struct sym_interval *iv;
	size_t i;

	for (i = 0; (iv = sym_interval_at(i)) != NULL; i++) {
		db_array_add(&a[0], iv->name);
		db_array_add_int(&a[1], refetch_reach(iv, now));
		db_array_add_bool(&a[2], iv->intraday);
	}
}
