#include "load_keys.h"
#include "hash.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct load_keys {
	uint64_t *slot; /* 0: empty */
	size_t mask;
};

struct load_keys *load_keys_new(long max)
{
	struct load_keys *k = xcalloc(1, sizeof(*k));
	size_t n = 16;

	while (n < (size_t)max * 2)
		n <<= 1;
	k->slot = xcalloc(n, sizeof(*k->slot));
	k->mask = n - 1;
	return k;
}

void load_keys_free(struct load_keys *k)
{
	if (!k)
		return;
	free(k->slot);
	free(k);
}

void load_keys_clear(struct load_keys *k)
{
	memset(k->slot, 0, (k->mask + 1) * sizeof(*k->slot));
}

/* The key's hash; 0 marks an empty slot, so it is never returned. */
static uint64_t hash(const char *symbol, const char *interval, time_t ts)
{
	unsigned char t[8];
	uint64_t h, v = (uint64_t)ts;
	int i;

	for (i = 0; i < 8; i++, v >>= 8)
		t[i] = v & 0xff;
	h = hash_str(hash_str(HASH_FNV_BASIS, symbol), interval);
	h = hash_mix(hash_fnv1a(h, t, sizeof(t)));
	return h ? h : 1;
}

int load_keys_add(struct load_keys *k, const char *symbol, const char *interval,
		  time_t ts)
{
	uint64_t h = hash(symbol, interval, ts);
	size_t i = (size_t)h & k->mask;

	while (k->slot[i]) {
		if (k->slot[i] == h)
			return 0;
		i = (i + 1) & k->mask;
	}
	k->slot[i] = h;
	return 1;
}
