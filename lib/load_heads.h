/*
 * load_heads: the newest stored bar per (symbol, interval), as load-bars
 * sees it during a run, and where each row of the current batch falls;
 * also, per key, whether its series is stale (lib/refetch) and what the
 * run's rows covered of it.
 *
 * A row past its key's stored head, and past every earlier row of its
 * key in the batch, cannot collide with anything stored or staged: it may
 * be copied straight into the bars table (the append fast path).  Every
 * other row goes through the staging upsert.  The stored heads come from
 * the bar_heads table at the start of an attempt and move up as batches
 * are written.  Memory grows with the number of keys, not with the input.
 */
#ifndef LOAD_HEADS_H
#define LOAD_HEADS_H

#include <time.h>

enum load_heads_place {
	LOAD_HEADS_OLD,    /* at or before the stored head: upsert */
	LOAD_HEADS_NEW,    /* past the head and past the batch's earlier rows */
	LOAD_HEADS_TANGLE, /* past the head, but a repeat or out of order in
			    * the batch: only the upsert keeps "last row wins" */
};

struct load_heads;

/* An empty map.  Never NULL. */
struct load_heads *load_heads_new(void);
void load_heads_free(struct load_heads *h);
/* Forget every key (before reloading the stored heads). */
void load_heads_clear(struct load_heads *h);
/* Set the stored head of a key (raising or lowering it). */
void load_heads_set(struct load_heads *h, const char *symbol, const char *interval,
		    time_t ts);

/* The series of a key has a corporate action not applied yet
 * (lib/refetch), or (stale 0) no longer has; load_heads_stale() says so
 * until the next clear. */
void load_heads_set_stale(struct load_heads *h, const char *symbol, const char *interval,
			  int stale);
int load_heads_stale(struct load_heads *h, const char *symbol, const char *interval);
/* How many keys the run read rows of are still stale. */
size_t load_heads_stale_read(const struct load_heads *h);

/*
 * Note a row the run read (every row, loaded now or committed before a
 * replay), for what the run covered of its key: its first and last row,
 * and whether the rows came in time order with no two of them
 * refetch_gap() apart or more.
 */
void load_heads_cover(struct load_heads *h, const char *symbol, const char *interval,
		      time_t ts);
/* Call fn for every key whose rows came so, in key order, with the first
 * and the last row. */
void load_heads_covered(struct load_heads *h,
			void (*fn)(void *ctx, const char *symbol, const char *interval,
				   time_t first, time_t last),
			void *ctx);

/* Start a batch: forget the batch's rows. */
void load_heads_batch(struct load_heads *h);
/* Place one row of the batch and remember it. */
enum load_heads_place load_heads_row(struct load_heads *h, const char *symbol,
				     const char *interval, time_t ts);
/* Call fn for every key whose newest row in this batch passes its stored
 * head, in key order (a stable lock order for concurrent loaders). */
void load_heads_raised(struct load_heads *h,
		       void (*fn)(void *ctx, const char *symbol, const char *interval,
				  time_t ts),
		       void *ctx);
/* The batch is written: its newest rows become the stored heads. */
void load_heads_commit(struct load_heads *h);

#endif
