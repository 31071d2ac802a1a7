/*
 * load_heads: the newest stored bar per (symbol, interval), as load-bars
 * sees it during a run, and where each row of the current batch falls.
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
