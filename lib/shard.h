/*
 * shard: which of N workers plans a symbol.
 *
 * A symbol belongs to shard hash_fnv1a(HASH_FNV_BASIS, symbol, strlen)
 * mod N: FNV-1a 64 of the symbol's bytes (no separator), a protocol
 * between hosts: shards of known symbols are pinned in
 * tests/unit/test_plan.c (the FNV-1a vectors in test_core.c), and it is
 * documented in sched-plan(1).  Shards are numbered 0 to N-1, so every symbol lies in
 * exactly one shard whatever host, version or run asks.
 *
 * Functions return 0 on success and -1 with a sentence in why[] (size n).
 */
#ifndef SHARD_H
#define SHARD_H

#include <stddef.h>

#define SHARD_MAX 1024 /* the most shards a plan may be split into */

struct shard {
	unsigned k, n; /* shard k of n; n == 0: not sharded */
};

/* The shard of symbol among n (n >= 1). */
unsigned shard_of(const char *symbol, unsigned n);
/* 1 when symbol belongs to s (always when s is not sharded). */
int shard_has(const struct shard *s, const char *symbol);
/* "K/N" with 0 <= K < N <= SHARD_MAX. */
int shard_parse(const char *text, struct shard *s, char *why, size_t n);
/*
 * The shard from the environment, for schedulers that number their
 * workers: STOCKBARS_SHARD ("K/N"), else JOB_COMPLETION_INDEX (a
 * Kubernetes Indexed Job's 0-based index) as K with STOCKBARS_SHARDS as N.
 * s->n stays 0 when none is set; an index without STOCKBARS_SHARDS is an
 * error, since planning every symbol in every worker would be silent waste.
 */
int shard_from_env(struct shard *s, char *why, size_t n);

#endif
