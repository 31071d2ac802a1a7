/*
 * val_keys: a bounded set of recent bar keys (series id, ts) for finding
 * duplicate rows in a stream without memory growing with the input.
 *
 * Two generations of VAL_KEYS_WINDOW keys each are kept: when the newer
 * one fills up, the older one is dropped.  So a duplicate is always found
 * when its earlier copy is among the last VAL_KEYS_WINDOW keys added, and
 * sometimes up to twice that far back.  Memory is bounded, not fixed: the
 * tables start small and double as keys arrive, up to about 8 MB however
 * long the input.
 */
#ifndef VAL_KEYS_H
#define VAL_KEYS_H

#include <stdint.h>

#define VAL_KEYS_WINDOW (1u << 17)

struct val_keys;

/* Never NULL (xalloc policy). */
struct val_keys *val_keys_new(void);
void val_keys_free(struct val_keys *k);
/* 1 when (sid, ts) was added before (within the window); otherwise adds
 * it and returns 0. */
int val_keys_check_add(struct val_keys *k, uint32_t sid, int64_t ts);

#endif
