#include "val_keys.h"
#include "hash.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define CAP (VAL_KEYS_WINDOW * 2) /* load factor at most 1/2 */
#define CAP0 1024u                /* small streams stay small */

struct slot {
	int64_t ts;
	uint32_t sid1; /* series id + 1; 0 marks an empty slot */
};

struct gen {
	struct slot *s;
	uint32_t n, cap;
};

struct val_keys {
	struct gen g[2];
	int cur;
};

static void gen_init(struct gen *g, uint32_t cap)
{
	g->s = xcalloc(cap, sizeof(struct slot));
	g->n = 0;
	g->cap = cap;
}

struct val_keys *val_keys_new(void)
{
	struct val_keys *k = xcalloc(1, sizeof(*k));

	gen_init(&k->g[0], CAP0);
	gen_init(&k->g[1], CAP0);
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
 * Series id mixed (lib/hash), plus minutes: consecutive bars of a series
 * land in nearby slots, so a sorted stream walks memory instead of missing
 * the cache on every row.
 */
static uint32_t hash(uint32_t sid, int64_t ts)
{
	return (uint32_t)(hash_mix(sid) >> 32) + (uint32_t)(ts / 60) + (uint32_t)(ts % 60);
}

/* The slot holding the key, or the empty slot where it would go. */
static struct slot *probe(struct gen *g, uint32_t h, uint32_t sid1, int64_t ts)
{
	uint32_t i = h & (g->cap - 1);

	for (;;) {
		struct slot *s = &g->s[i];

		if (s->sid1 == 0 || (s->sid1 == sid1 && s->ts == ts))
			return s;
		i = (i + 1) & (g->cap - 1);
	}
}

/* Double a generation's table. */
static void gen_grow(struct gen *g)
{
	struct gen ng;
	uint32_t i;

	gen_init(&ng, g->cap * 2);
	for (i = 0; i < g->cap; i++)
		if (g->s[i].sid1)
			*probe(&ng, hash(g->s[i].sid1 - 1, g->s[i].ts),
			       g->s[i].sid1, g->s[i].ts) = g->s[i];
	ng.n = g->n;
	free(g->s);
	*g = ng;
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
		memset(old->s, 0, old->cap * sizeof(struct slot));
		old->n = 0;
		k->cur = !k->cur;
	} else if (cur->n > cur->cap / 2 && cur->cap < CAP) {
		gen_grow(cur);
	}
	return 0;
}
