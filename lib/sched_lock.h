/*
 * sched_lock: the PostgreSQL advisory-lock key of a job.
 *
 * The key is a cross-host protocol: two schedulers, on any hosts and
 * versions, that run the same job must compute the same key so that only
 * one of them runs it.  It hashes what the job writes (name, interval and
 * tickers), so two configs that both call a job "default" but load
 * different series do not block each other.  tests/unit/test_core.c pins
 * its value; changing it is a migration, to be announced in the README.
 */
#ifndef SCHED_LOCK_H
#define SCHED_LOCK_H

#include "cfg.h"

long long sched_lock_key(const struct cfg_job *j);

#endif
