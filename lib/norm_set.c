#include "norm_set.h"
#include "hash.h"
#include "xalloc.h"

#include <stdlib.h>

struct norm_slot {
	int64_t key;
	uint32_t gen; /* slot is used when gen equals the set's generation */
};

void norm_set_init(struct norm_set *s)
{
	s->slot = NULL;
	s->cap = s->len = 0;
	s->gen = 1;
}

void norm_set_free(struct norm_set *s)
{
	free(s->slot);
	norm_set_init(s);
}

void norm_set_clear(struct norm_set *s)
{
	s->len = 0;
	if (++s->gen == 0) { /* wrapped: stale slots could look live again */
		size_t i;

		for (i = 0; i < s->cap; i++)
			s->slot[i].gen = 0;
		s->gen = 1;
	}
}

/* hash_mix spreads every key bit, so the low bits index the table. */
static size_t hash(int64_t key, size_t cap)
{
	return (size_t)hash_mix((uint64_t)key) & (cap - 1);
}

/* Probe for key: its slot, or the empty slot where it would go. */
static struct norm_slot *find(struct norm_slot *t, size_t cap, uint32_t gen, int64_t key)
{
	size_t i = hash(key, cap);

	while (t[i].gen == gen && t[i].key != key)
		i = (i + 1) & (cap - 1);
	return &t[i];
}

static void grow(struct norm_set *s)
{
	size_t ncap = s->cap ? s->cap * 2 : 1024, i;
	struct norm_slot *t = xcalloc(ncap, sizeof(*t));

	for (i = 0; i < s->cap; i++)
		if (s->slot[i].gen == s->gen)
			*find(t, ncap, 1, s->slot[i].key) = (struct norm_slot){ s->slot[i].key, 1 };
	free(s->slot);
	s->slot = t;
	s->cap = ncap;
	s->gen = 1;
}

int norm_set_add(struct norm_set *s, int64_t key)
{
	struct norm_slot *e;

	if ((s->len + 1) * 2 > s->cap)
		grow(s);
	e = find(s->slot, s->cap, s->gen, key);
	if (e->gen == s->gen)
		return 0;
	e->key = key;
	e->gen = s->gen;
	s->len++;
	return 1;
}
