/*
 * hash: one 64-bit FNV-1a, the hash behind every table, lock key and shard.
 *
 * Values are a protocol where they cross processes or hosts (sched-run's
 * advisory lock key, sched-plan's shards): tests/unit/test_core.c pins
 * them, so a change here is deliberate.  Nothing here allocates.
 */
#ifndef HASH_H
#define HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_FNV_BASIS 14695981039346656037ULL /* FNV-1a 64 offset basis */

/* Continue the FNV-1a hash h over n bytes at p. */
uint64_t hash_fnv1a(uint64_t h, const void *p, size_t n);
/* Continue h over the string s and then one 0xff separator byte, so that
 * ("ab","c") and ("a","bc") differ; 0xff never occurs in UTF-8 text. */
uint64_t hash_str(uint64_t h, const char *s);
/* The splitmix64 finalizer: spreads every input bit over the result, for
 * open-addressing tables indexed by the low bits. */
uint64_t hash_mix(uint64_t h);

#endif
