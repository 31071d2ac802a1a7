/*
 * sched_lock: the locks that keep one run of a job (and shard) at a time.
 *
 * On one host, a per-job lock file: flock(2)ed by the scheduler before the
 * pipeline starts and inherited by every stage (lib/sched_pipe puts it on
 * fd 3), so the job stays locked while any stage lives, even after the
 * scheduler died.  Its name is the scheduler's lock file with ".lock"
 * taken off, plus ".JOB[.shard-K-of-N].lock".
 *
 * Across hosts, a PostgreSQL advisory lock whose key hashes what the job
 * writes.  The key is a cross-host protocol: two schedulers, on any hosts
 * and versions, that run the same job must compute the same key.  It
 * hashes the name, interval and tickers, so two configs that both call a
 * job "default" but load different series do not block each other; a
 * shard adds "shard" and "K/N" to the hash, while the unsharded key stays
 * the one stockbars 0.1.0 used (tests/unit/test_core.c pins it).
 *
 * Advisory locks are taken by a worker thread, never on the scheduler's
 * loop or the API thread, so a database that hangs can delay a run but
 * never /status or /healthz.  The connection uses lib/db (db_conninfo():
 * DATABASE_URL, else libpq's PG* variables), whose errors are masked.
 */
#ifndef SCHED_LOCK_H
#define SCHED_LOCK_H

#include <stddef.h>

#include "cfg.h"
#include "db.h"
#include "sched_state.h"

long long sched_lock_key(const struct cfg_job *j);
/* The key of one shard ("K/N"); sched_lock_key() when shard is NULL. */
long long sched_lock_key_shard(const struct cfg_job *j, const char *shard);

/* The per-job lock file beside the scheduler's lock file. */
void sched_lock_path(char *dst, size_t n, const char *lock_file, const char *job,
		     const char *shard);
/* Open and flock(LOCK_EX | LOCK_NB) path: a close-on-exec fd, or -1 with
 * errno (EWOULDBLOCK: held by a live run). */
int sched_lock_take(const char *path);

enum sched_tstate { SCHED_T_PENDING, SCHED_T_HELD, SCHED_T_BUSY, SCHED_T_ERROR };

/* One advisory-lock attempt; state and err are written under st->mu. */
struct sched_ticket {
	enum sched_tstate state;
	char err[512];          /* SCHED_T_ERROR: why, without passwords */
	/* the worker's */
	long long key;
	int dropped;
	struct db db;
	struct sched_ticket *next;
};

struct sched_locker;

/* Start the worker; st->mu guards the tickets' state, st->wake_fd is
 * poked when one changes. */
struct sched_locker *sched_locker_start(struct sched_state *st);
/* Queue pg_try_advisory_lock(key); the ticket starts PENDING.  Call with
 * st->mu held. */
struct sched_ticket *sched_lock_ask(struct sched_locker *l, long long key);
/* Give a ticket back (any state): a held lock is released by ending its
 * session, on the worker.  Call with st->mu held. */
void sched_lock_drop(struct sched_locker *l, struct sched_ticket *t);
/* Stop the worker (without waiting for a connect that hangs). */
void sched_locker_stop(struct sched_locker *l);

#endif
