/*
 * load_sql: the SQL of load-bars, as db_sql() templates ({S} schema,
 * {T} bars table, both quoted by lib/db).
 *
 * Staging: a TEMP table per session, filled by COPY (text format) and
 * emptied before every batch.  The upsert deduplicates the staging rows
 * on the key (the highest seq, i.e. the last input row, wins), inserts
 * new bars and updates a stored bar only when a value differs, so
 * unchanged rows are never rewritten.  It returns one row: inserted,
 * updated.
 */
#ifndef LOAD_SQL_H
#define LOAD_SQL_H

extern const char load_sql_stage[];
extern const char load_sql_copy[];
/* $1 run id.  Index 1: with a probe that skips rows stored unchanged
 * before ON CONFLICT (cheaper when most rows are unchanged, dearer when
 * most are new).  Updated rows are audited by a trigger (lib/db). */
extern const char *const load_sql_upsert[2];
/* $1 host, $2 pid, $3 target: returns the new run id. */
extern const char load_sql_run_start[];
/* $1 id, $2 status, $3 error or NULL, $4.. $9 rows_in duplicates inserted
 * updated unchanged rejected. */
extern const char load_sql_run_finish[];
/* $1 symbol $2 ts $3 kind $4 value $5 numerator $6 denominator $7 run id;
 * returns inserted (boolean) when the row was inserted or changed. */
extern const char load_sql_event[];

#endif
