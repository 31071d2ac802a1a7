/*
 * db_migrate: the versioned schema of stockbars (tables, the audit
 * trigger, the heads table, partition helpers), per schema and per bars
 * table.
 *
 * Every migration is idempotent (IF NOT EXISTS, CREATE OR REPLACE) and
 * carries a catalog check that says whether its objects are really there,
 * so a half-applied schema (tables without their trigger, a dropped or
 * lagging schema_migrations) is found and repaired by running the missing
 * pieces again.  Adding a migration is one entry in the table in
 * db_migrate.c.
 *
 * db_migrate_pending() only reads the catalog: a loader with a current
 * schema issues no DDL and needs no privilege beyond its tables.
 */
#ifndef DB_MIGRATE_H
#define DB_MIGRATE_H

#include "db.h"

/* How many migrations the schema and table lack (0: current); -1 on a
 * database error.  Read-only. */
int db_migrate_pending(struct db *d);

/*
 * Apply what is pending in one transaction under an advisory lock
 * (concurrent loaders do not race).  With partition, a missing bars table
 * is created range-partitioned on (interval, ts) and an existing
 * unpartitioned one is converted (its rows copied into the new table in
 * the same transaction).  0, or -1 with d->err and d->state (42501 when
 * the role may not change the schema).
 */
int db_migrate(struct db *d, int partition);

/*
 * Maintenance for --init: recompute the table's heads (newest bar per
 * symbol and interval) from the bars, and create the partitions of the
 * current and the next period for every interval stored.  One
 * transaction.
 */
int db_migrate_maintain(struct db *d);

#endif
