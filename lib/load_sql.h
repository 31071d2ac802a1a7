/*
 * load_sql: the SQL of load-bars, as db_sql() templates ({S} schema,
 * {T} bars table, both quoted by lib/db).  The tables themselves are
 * made by lib/db_migrate.
 *
 * Rows reach the bars table two ways, both in COPY's binary format with
 * the columns symbol, interval, ts, open, high, low, close, adj_close,
 * volume, run_id:
 *  - straight into the table (load_sql_copy_direct) when they lie past
 *    the stored head of their key (lib/load_heads): nothing can collide;
 *  - through a TEMP staging table (load_sql_stage, load_sql_copy_stage),
 *    emptied before every batch, and an upsert that deduplicates the
 *    staged rows on the key (the row staged last wins: COPY appends to the
 *    freshly truncated table in input order, so ctid order is input
 *    order), inserts new bars and updates a stored bar only when a value
 *    differs, so unchanged rows are never rewritten.  It returns one
 *    row: inserted, updated.
 */
#ifndef LOAD_SQL_H
#define LOAD_SQL_H

extern const char load_sql_stage[];
extern const char load_sql_truncate[];
extern const char load_sql_copy_stage[];
extern const char load_sql_copy_direct[];
/*
 * $1 run id.  Indexed [partitioned][probe][dedup]: partitioned for a
 * partitioned bars table (no xmax there); probe 1 skips rows stored
 * unchanged before ON CONFLICT (cheaper when most rows are unchanged,
 * dearer when most are new); dedup 1 when the batch repeats a key (else
 * the sort is skipped).  Updated rows are audited by a trigger
 * (lib/db_migrate).
 */
extern const char *const load_sql_upsert[2][2][2];

/* $1 target, $2-$4 the interval arrays of refetch_intervals(), $5 the
 * reach of an interval they lack (refetch_reach(NULL, ...)): symbol,
 * interval, epoch seconds of every stored head, and whether its series is
 * stale (lib/refetch). */
extern const char load_sql_heads_get[];
/* $1 symbols, $2 intervals of the stale series: how many staged rows of
 * theirs differ from the stored bar (load_runs.ca_revised). */
extern const char load_sql_stale_revised[];
/* $1 target, $2 symbols, $3 intervals, $4 epoch seconds (array
 * literals, in key order): raise the heads. */
extern const char load_sql_heads_put[];

/* $1 host, $2 pid, $3 target: returns the new run id. */
extern const char load_sql_run_start[];
/* $1 run id: a session lock that says "this run's loader is alive". */
extern const char load_sql_run_lock[];
/* $1 own run id: mark runs whose loader is gone (no session holds their
 * lock) abandoned; returns their ids. */
extern const char load_sql_sweep[];
/* $1 id, $2 status, $3 error or NULL, $4.. $10 rows_in duplicates
 * inserted updated unchanged rejected ca_revised.  finished_at is the real
 * time of the call. */
extern const char load_sql_run_finish[];
/* The same for a run that failed outside its transaction: it does not
 * overwrite a status the run's own commit may already have set. */
extern const char load_sql_run_fail[];

/*
 * Corporate actions (--events): a TEMP table load_events with the events
 * CSV's columns (created if missing, emptied), filled by COPY in CSV, then
 * the upsert ($1 run id) that returns one row: inserted, updated.  A
 * repeated key keeps its last row; a row is written only when its values
 * change, and then records its transaction (xact) for the refresh rule
 * (lib/refetch).
 */
extern const char load_sql_events_stage[];
extern const char load_sql_events_copy[];
extern const char load_sql_events_upsert[];

/* One row: the table is partitioned on (interval, ts), as load-bars
 * makes it (t/f); it is partitioned at all, for instance by pg_partman
 * on ts alone (t/f). */
extern const char load_sql_table_kind[];
/* $1 table, $2 interval, $3 epoch seconds: the partition holding that
 * time, and the next one, exist afterwards. */
extern const char load_sql_partition[];
/* $1 table, $2 epoch seconds: drop the partitions that end before that
 * time; returns how many. */
extern const char load_sql_retain[];

#endif
