/*
 * load_keys: which (symbol, interval, ts) keys a load-bars batch has seen,
 * to count duplicate keys on the client.  Counting them in SQL would make
 * PostgreSQL materialize the deduplicated batch a second time.
 *
 * Keys are kept as 64-bit hashes in a table sized for one batch, so
 * memory depends on --batch-size, not on the input.  A hash collision
 * (odds about n^2/2^65) could only miscount one duplicate: the database
 * deduplicates the rows itself.
 */
#ifndef LOAD_KEYS_H
#define LOAD_KEYS_H

#include <time.h>

struct load_keys;

/* A set for up to max keys per batch.  Never NULL. */
struct load_keys *load_keys_new(long max);
void load_keys_free(struct load_keys *k);
/* 1 when the key is new in this batch, 0 when seen before. */
int load_keys_add(struct load_keys *k, const char *symbol, const char *interval,
		  time_t ts);
/* Forget every key (start of a batch). */
void load_keys_clear(struct load_keys *k);

#endif
