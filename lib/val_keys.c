#include "val_keys.h"

#include <stdlib.h>
#include <string.h>

#define CAP (VAL_KEYS_WINDOW * 2) /* load factor at most 1/2 */

struct slot {
	int64_t ts;
	uint32_t sid1; /* series id + 1; 0 marks an empty slot */
};

struct gen {
	struct slot *s;
	uint32_t n;
};

struct val_keys {
	struct gen g[2];
	int cur;
};

struct val_keys *val_keys_new(void)
{
	struct val_keys *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->g[0].s = calloc(CAP, sizeof(struct slot));
	k->g[1].s = calloc(CAP, sizeof(struct slot));
	if (!k->g[0].s || !k->g[1].s) {
		val_keys_free(k);
		return NULL;
	}
	return k;
}

void val_keys_free(struct val_keys *k)
{
	if (!k)
		return;
	free(k->g[0].s);
	free(k->g[1].s);
	free(k);
}

/*
 * Series id mixed, plus minutes: consecutive bars of a series land in
 * nearby slots, so a sorted stream walks memory instead of missing the
 * cache on every row.
 */
static uint32_t hash(uint32_t sid, int64_t ts)
{
	uint64_t h = (uint64_t)sid * 0x9E3779B97F4A7C15ull;

	h ^= h >> 29;
	return (uint32_t)(h >> 16) + (uint32_t)(ts / 60) + (uint32_t)(ts % 60);
}

/* The slot holding the key, or the empty slot where it would go. */
static struct slot *probe(struct gen *g, uint32_t h, uint32_t sid1, int64_t ts)
{
	uint32_t i = h & (CAP - 1);

	for (;;) {
		struct slot *s = &g->s[i];

		if (s->sid1 == 0 || (s->sid1 == sid1 && s->ts == ts))
			return s;
		i = (i + 1) & (CAP - 1);
	}
}

int val_keys_check_add(struct val_keys *k, uint32_t sid, int64_t ts)
{
	uint32_t h = hash(sid, ts), sid1 = sid + 1;
	struct gen *cur = &k->g[k->cur], *old = &k->g[!k->cur];
	struct slot *s;

	if (probe(old, h, sid1, ts)->sid1)
		return 1;
	s = probe(cur, h, sid1, ts);
	if (s->sid1)
		return 1;
	s->sid1 = sid1;
	s->ts = ts;
	if (++cur->n == VAL_KEYS_WINDOW) {
		/* Drop the older generation; it becomes the new current. */
		memset(old->s, 0, CAP * sizeof(struct slot));
		old->n = 0;
		k->cur = !k->cur;
	}
	return 0;
}
