/*
 * refetch: when a corporate action makes a stored series stale, and when a
 * load has fetched a series again whole.  sched-plan plans the re-fetch,
 * load-bars counts what it revises and records that it happened.
 *
 * Yahoo serves prices adjusted as of the request: after a split every older
 * bar changes (OHLC and volume), after a dividend or capital gain every
 * older adj_close of daily and longer bars.  Intraday bars are only split-
 * adjusted, so for them only splits count.  An action applies to a series
 * when its ex-date is after the series' oldest stored bar within the
 * provider's reach (lib/span: intraday history is limited; older bars can
 * no longer be fetched).
 *
 * The record: corporate_actions.xact is the transaction that last wrote an
 * action (NULL: before this record existed); bar_heads.adjusted_snap is a
 * snapshot whose actions the stored series reflects (NULL: none known) and
 * adjusted_run the load run that set it.  A series is stale when an action
 * applying to it is not visible in its snapshot: sched-plan then plans one
 * window from its oldest stored bar to now (REFETCH_FROM), and load-bars
 * counts the rows it revises in stale series (load_runs.ca_revised).  An
 * existing database with actions and no snapshots re-fetches each series
 * they apply to once.
 *
 * The mark (refetch_sql_mark), set by load-bars with the run's last rows,
 * for each series the run fetched whole:
 *   - its rows came in time order, no two of them a whole request apart
 *     (refetch_gap: a request of a chunked window failed), and nothing is
 *     stored within the provider's reach before its first row or after its
 *     last;
 *   - every action applying to it that was written after load-bars began is
 *     one the run's own events hold as they are (the responses showed it).
 *     Actions written before it began were known before the requests, so
 *     the responses reflect them, or the provider no longer shows them.
 * A failed or partial fetch marks nothing, and the next plan asks again.
 */
#ifndef REFETCH_H
#define REFETCH_H

#include <time.h>

#include "sym.h"

/*
 * SQL (a string literal) for a boolean: an action of kind KIND applies to a
 * series whose interval is INTRADAY (a boolean): a split to every series,
 * a dividend or capital gain to daily and longer ones (intraday bars are
 * only split-adjusted).
 */
#define REFETCH_APPLIES(KIND, INTRADAY) "(" KIND " = 'split' OR NOT " INTRADAY ")"

/*
 * SQL for a boolean: the stored action OLD and the action NEW (table
 * aliases) of the same key differ in their values (nulls compare equal).
 * A changed action is written again, with its transaction (xact); one the
 * run's events hold unchanged does not stop the mark.
 */
#define REFETCH_CHANGED(OLD, NEW)                                                       \
	"((" OLD ".value, " OLD ".numerator, " OLD ".denominator) IS DISTINCT FROM ("      \
	NEW ".value, " NEW ".numerator, " NEW ".denominator))"

/*
 * SQL for a boolean: the action written by transaction XACT (an xid8) is not
 * visible in SNAP (a pg_snapshot, not NULL).  The first term lets the xact
 * index keep it to the actions written since SNAP.
 */
#define REFETCH_UNSEEN(XACT, SNAP)                                                      \
	"(" XACT " >= pg_snapshot_xmin(" SNAP ") AND NOT pg_visible_in_snapshot(" XACT ", " SNAP "))"

/*
 * SQL (string literals, for lib/db's {S} and {T}) for a boolean: an action
 * of symbol SYM, of a kind that applies to a series whose interval is
 * INTRADAY (a boolean), with ex-date after BOUND (timestamptz), is not
 * visible in SNAP (a pg_snapshot, NULL: nothing is).  The xact index keeps
 * it to the actions written since SNAP.
 */
#define REFETCH_ACTION(SYM, INTRADAY, BOUND, SNAP) REFETCH_ACTION_IF(SYM, INTRADAY, BOUND, SNAP, "")
/* The same, of the actions that also meet WHERE (" AND ..." on a). */
#define REFETCH_ACTION_IF(SYM, INTRADAY, BOUND, SNAP, WHERE)                            \
	"(CASE WHEN " SNAP " IS NULL THEN EXISTS (SELECT 1 FROM {S}.corporate_actions a" \
	" WHERE a.symbol = " SYM " AND a.ts > " BOUND                                  \
	" AND " REFETCH_APPLIES("a.kind", INTRADAY) WHERE ")"                           \
	" ELSE EXISTS (SELECT 1 FROM {S}.corporate_actions a WHERE a.symbol = " SYM     \
	" AND " REFETCH_UNSEEN("a.xact", SNAP) " AND a.ts > " BOUND                     \
	" AND " REFETCH_APPLIES("a.kind", INTRADAY) WHERE ") END)"

/*
 * SQL for a bigint: where the re-fetch of the series (SYM, IV) of {T} must
 * start, as epoch seconds (its oldest stored bar), or NULL when the series
 * is not stale.  REACH is the provider's reach as a timestamptz (see
 * refetch_reach()); the oldest bar is looked up only for series with an
 * action the snapshot lacks.
 */
#define REFETCH_FROM(SYM, IV, INTRADAY, REACH, SNAP)                                    \
	"CASE WHEN " REFETCH_ACTION(SYM, INTRADAY, REACH, SNAP) " THEN"                 \
	" (SELECT extract(epoch FROM o.m)::bigint FROM (SELECT min(b.ts) AS m"          \
	" FROM {S}.{T} b WHERE b.symbol = " SYM " AND b.interval = " IV ") o"           \
	" WHERE " REFETCH_ACTION(SYM, INTRADAY, "greatest(o.m, " REACH ")", SNAP) ") END"

/*
 * Mark the series fetched whole ($1 run id, $2 target, $3 the snapshot
 * taken when load-bars began, as text; then arrays, one element per
 * series: $4 symbols, $5 intervals, $6 first and $7 last row (epoch
 * seconds), $8 reach (refetch_reach), $9 intraday).  [1] when the run's
 * events are in pg_temp.load_events (lib/load_sql), [0] when the run has
 * none.  Returns one row per series marked: symbol, interval, and how many
 * of its bars lie before the reach and before a split its previous mark
 * did not show (none: every split).  The re-fetch could not reach those:
 * they keep the prices from before that split.
 */
extern const char *const refetch_sql_mark[2];

/*
 * $1 symbols, $2 intervals, $3 first rows, $4 reach, $5 intraday (arrays,
 * as for the mark) of series a run fetched whole but could not mark, $6
 * target, $7 the snapshot taken when load-bars began: for each that was
 * stale before the run (so its plan asked for it from its oldest stored
 * bar: an action the run's own events brought does not count) and whose
 * stored bars within the reach begin before the run's first row, one row:
 * symbol, interval, the first such bar (epoch seconds), how many there
 * are, the first row.  Read after the mark, in its transaction.
 */
extern const char refetch_sql_unserved[];
/*
 * Stored bars from stored on, before first, the first row a whole fetch of
 * iv returned, are ones the provider no longer serves (1), or may be the
 * rows of a failed first request (0: they lie a whole request, refetch_gap,
 * or more before it; the next run asks again).
 */
int refetch_unserved(const struct sym_interval *iv, time_t stored, time_t first);

/* The provider's reach for iv at now, as epoch seconds: span_reach() from
 * PLAN_MIN_TIME (the earliest a plan names); PLAN_MIN_TIME for iv NULL (an
 * interval lib/sym does not know). */
long long refetch_reach(const struct sym_interval *iv, time_t now);
/* Two consecutive rows of one fetch this far apart (seconds) or more mean a
 * request in between failed: a window longer than one request is cut into
 * requests of this length (lib/span).  0 when one request covers any
 * window. */
long refetch_gap(const struct sym_interval *iv);
/*
 * Add every interval's name, reach at now and intraday flag, in lib/sym's
 * order, to a[0], a[1] and a[2] (lib/db arrays, for SQL that looks an
 * interval's up); the caller ends and frees them.
 */
struct db_array;
void refetch_intervals(time_t now, struct db_array *a);

#endif
