#include "load_keys.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct load_keys {
	uint64_t *slot; /* 0: empty */
	size_t mask;
};

struct load_keys *load_keys_new(long max)
{
	struct load_keys *k = calloc(1, sizeof(*k));
	size_t n = 16;

	if (!k)
		return NULL;
	while (n < (size_t)max * 2)
		n <<= 1;
	k->slot = calloc(n, sizeof(*k->slot));
	if (!k->slot) {
		free(k);
		return NULL;
	}
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

/* FNV-1a over the key, then the splitmix64 finalizer to spread the bits. */
static uint64_t hash(const char *symbol, const char *interval, time_t ts)
{
	uint64_t h = 1469598103934665603ULL, t = (uint64_t)ts;
	const unsigned char *p;
	int i;

	for (p = (const unsigned char *)symbol; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;
	for (p = (const unsigned char *)interval; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	for (i = 0; i < 8; i++, t >>= 8)
		h = (h ^ (t & 0xff)) * 1099511628211ULL;
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
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
