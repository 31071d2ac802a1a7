#include "load_heads.h"
#include "hash.h"
#include "refetch.h"
#include "sym.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	char symbol[SYM_MAX + 1];
	char interval[8];
	time_t head;       /* stored head, when has_head */
	time_t bmax;       /* newest row of the batch, when gen is current */
	unsigned gen;
	int has_head;
	int stale;         /* a corporate action is pending (lib/refetch) */
	int covered;       /* rows seen: first .. last; */
	int broken;        /* ... not in order, or with a hole */
	time_t first, last;
	long gap;          /* refetch_gap() of the interval */
};

struct load_heads {
	struct entry *e;
	size_t n, cap;
	uint32_t *slot;    /* index + 1 into e; 0: empty */
	size_t mask;
	size_t *touched;   /* entries with rows in this batch */
	size_t ntouched;
	unsigned gen;
	size_t last;       /* index + 1 of the last entry found: rows come
			    * grouped by symbol */
};

struct load_heads *load_heads_new(void)
{
	struct load_heads *h = xcalloc(1, sizeof(*h));

	h->mask = 255;
	h->slot = xcalloc(h->mask + 1, sizeof(*h->slot));
	h->gen = 1;
	return h;
}

void load_heads_free(struct load_heads *h)
{
	if (!h)
		return;
	free(h->e);
	free(h->slot);
	free(h->touched);
	free(h);
}

void load_heads_clear(struct load_heads *h)
{
	memset(h->slot, 0, (h->mask + 1) * sizeof(*h->slot));
	h->n = h->ntouched = h->last = 0;
	h->gen++;
}

static size_t slot_of(const struct load_heads *h, const char *symbol, const char *interval)
{
	uint64_t k = hash_mix(hash_str(hash_str(HASH_FNV_BASIS, symbol), interval));
	size_t i = (size_t)k & h->mask;
	const struct entry *e;

	while (h->slot[i]) {
		e = &h->e[h->slot[i] - 1];
		if (strcmp(e->symbol, symbol) == 0 && strcmp(e->interval, interval) == 0)
			break;
		i = (i + 1) & h->mask;
	}
	return i;
}

static void grow(struct load_heads *h)
{
	size_t i;

	free(h->slot);
	h->mask = h->mask * 2 + 1;
	h->slot = xcalloc(h->mask + 1, sizeof(*h->slot));
	for (i = 0; i < h->n; i++)
		h->slot[slot_of(h, h->e[i].symbol, h->e[i].interval)] = (uint32_t)i + 1;
}

static struct entry *find(struct load_heads *h, const char *symbol, const char *interval)
{
	size_t i;
	struct entry *e;

	if (h->last && strcmp(h->e[h->last - 1].symbol, symbol) == 0 &&
	    strcmp(h->e[h->last - 1].interval, interval) == 0)
		return &h->e[h->last - 1];
	i = slot_of(h, symbol, interval);
	if (h->slot[i]) {
		h->last = h->slot[i];
		return &h->e[h->slot[i] - 1];
	}
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 256;
		h->e = xreallocarray(h->e, h->cap, sizeof(*h->e));
		h->touched = xreallocarray(h->touched, h->cap, sizeof(*h->touched));
	}
	e = &h->e[h->n];
	memset(e, 0, sizeof(*e));
	snprintf(e->symbol, sizeof(e->symbol), "%s", symbol);
	snprintf(e->interval, sizeof(e->interval), "%s", interval);
	h->slot[i] = (uint32_t)++h->n;
	h->last = h->n;
	if (h->n * 2 > h->mask)
		grow(h);
	return e;
}

void load_heads_set(struct load_heads *h, const char *symbol, const char *interval,
		    time_t ts)
{
	struct entry *e = find(h, symbol, interval);

	e->head = ts;
	e->has_head = 1;
}

void load_heads_set_stale(struct load_heads *h, const char *symbol, const char *interval,
			  int stale)
{
	find(h, symbol, interval)->stale = stale;
}

size_t load_heads_stale_read(const struct load_heads *h)
{
	size_t i, n = 0;

	for (i = 0; i < h->n; i++)
		n += h->e[i].covered && h->e[i].stale;
	return n;
}

int load_heads_stale(struct load_heads *h, const char *symbol, const char *interval)
{
	return find(h, symbol, interval)->stale;
}

void load_heads_cover(struct load_heads *h, const char *symbol, const char *interval,
		      time_t ts)
{
	struct entry *e = find(h, symbol, interval);
	const struct sym_interval *iv;

	if (!e->covered) {
		iv = sym_interval(interval);
		e->gap = iv ? refetch_gap(iv) : 0;
		e->covered = 1;
		e->first = e->last = ts;
		return;
	}
	if (ts <= e->last || (e->gap > 0 && ts - e->last >= e->gap))
		e->broken = 1;
	if (ts > e->last)
		e->last = ts;
}

void load_heads_batch(struct load_heads *h)
{
	h->gen++;
	h->ntouched = 0;
}

enum load_heads_place load_heads_row(struct load_heads *h, const char *symbol,
				     const char *interval, time_t ts)
{
	struct entry *e = find(h, symbol, interval);
	enum load_heads_place p;

	if (e->gen != h->gen) {
		e->gen = h->gen;
		e->bmax = ts;
		h->touched[h->ntouched++] = (size_t)(e - h->e);
		return e->has_head && ts <= e->head ? LOAD_HEADS_OLD : LOAD_HEADS_NEW;
	}
	if (e->has_head && ts <= e->head)
		p = LOAD_HEADS_OLD;
	else
		p = ts > e->bmax ? LOAD_HEADS_NEW : LOAD_HEADS_TANGLE;
	if (ts > e->bmax)
		e->bmax = ts;
	return p;
}

static const struct load_heads *sort_ctx;

static int by_key(const void *a, const void *b)
{
	const struct entry *x = &sort_ctx->e[*(const size_t *)a];
	const struct entry *y = &sort_ctx->e[*(const size_t *)b];
	int c = strcmp(x->symbol, y->symbol);

	return c ? c : strcmp(x->interval, y->interval);
}

static int raised(const struct entry *e)
{
	return !e->has_head || e->bmax > e->head;
}

void load_heads_raised(struct load_heads *h,
		       void (*fn)(void *ctx, const char *symbol, const char *interval,
				  time_t ts),
		       void *ctx)
{
	size_t i;

	sort_ctx = h;
	qsort(h->touched, h->ntouched, sizeof(*h->touched), by_key);
	for (i = 0; i < h->ntouched; i++)
		if (raised(&h->e[h->touched[i]]))
			fn(ctx, h->e[h->touched[i]].symbol, h->e[h->touched[i]].interval,
			   h->e[h->touched[i]].bmax);
}

void load_heads_covered(struct load_heads *h,
			void (*fn)(void *ctx, const char *symbol, const char *interval,
				   time_t first, time_t last),
			void *ctx)
{
	size_t i, n = 0, *idx = xreallocarray(NULL, h->n ? h->n : 1, sizeof(*idx));

	for (i = 0; i < h->n; i++)
		if (h->e[i].covered && !h->e[i].broken)
			idx[n++] = i;
	sort_ctx = h;
	qsort(idx, n, sizeof(*idx), by_key);
	for (i = 0; i < n; i++)
		fn(ctx, h->e[idx[i]].symbol, h->e[idx[i]].interval, h->e[idx[i]].first,
		   h->e[idx[i]].last);
	free(idx);
}

void load_heads_commit(struct load_heads *h)
{
	struct entry *e;
	size_t i;

	for (i = 0; i < h->ntouched; i++) {
		e = &h->e[h->touched[i]];
		if (raised(e)) {
			e->head = e->bmax;
			e->has_head = 1;
		}
	}
	h->ntouched = 0;
	h->gen++;
}
