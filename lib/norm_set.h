/*
 * norm_set: a set of 64-bit keys that can be emptied in O(1).
 *
 * normalize-bars keeps one row per key within a response: the set holds
 * the keys seen so far and is cleared when the next response starts, so
 * memory is bounded by the largest response, not the stream.  Clearing
 * bumps a generation number instead of wiping the table.
 */
#ifndef NORM_SET_H
#define NORM_SET_H

#include <stddef.h>
#include <stdint.h>

struct norm_set {
	struct norm_slot *slot;
	size_t cap;      /* power of two, 0 before the first add */
	size_t len;      /* keys in the current generation */
	uint32_t gen;
};

/* An empty set; no allocation until the first add. */
void norm_set_init(struct norm_set *s);
void norm_set_free(struct norm_set *s);
/* Forget every key (keeps the memory for the next response). */
void norm_set_clear(struct norm_set *s);
/* Add key: 1 when it was new, 0 when already present. */
int norm_set_add(struct norm_set *s, int64_t key);

#endif
