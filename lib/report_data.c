#include "report_data.h"
#include "bt.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

void report_init(struct report *r, time_t now, int days)
{
	memset(r, 0, sizeof(*r));
	r->now = now;
	r->days = days;
	r->since = now - (time_t)days * BT_DAY;
	r->last_ok.id = -1;
	cov_grid_init(&r->grid, r->since, now);
}

void report_free(struct report *r)
{
	size_t i;

	for (i = 0; i < r->nseries; i++)
		cov_free(&r->series[i].cov);
	for (i = 0; i < r->njobs; i++) {
		free(r->jobs[i].name);
		free(r->jobs[i].schedule);
		free(r->jobs[i].timezone);
	}
	free(r->series);
	free(r->runs);
	free(r->revs);
	free(r->fails);
	free(r->rejects);
	free(r->jobs);
	cov_grid_free(&r->grid);
	memset(r, 0, sizeof(*r));
}

static int cmp_key(const char *sa, const char *ia, const char *sb, const char *ib)
{
	int c = strcmp(sa, sb);

	return c ? c : strcmp(ia, ib);
}

struct report_series *report_series(struct report *r, const char *symbol,
				     const char *interval, int create)
{
	size_t lo = 0, hi = r->nseries, mid;
	struct report_series *s;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = cmp_key(symbol, interval, r->series[mid].symbol, r->series[mid].interval);
		if (c == 0)
			return &r->series[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	/* Valid symbols only: they reach HTML and SQL array literals unquoted. */
	if (!create || sym_valid(symbol) < 0 || strlen(interval) >= sizeof(s->interval) ||
	    strspn(interval, "0123456789abcdefghijklmnopqrstuvwxyz") != strlen(interval))
		return NULL;
	r->series = xreallocarray(r->series, r->nseries + 1, sizeof(*r->series));
	memmove(&r->series[lo + 1], &r->series[lo], (r->nseries - lo) * sizeof(*r->series));
	r->nseries++;
	s = &r->series[lo];
	memset(s, 0, sizeof(*s));
	strcpy(s->symbol, symbol);
	strcpy(s->interval, interval);
	s->iv = sym_interval(interval);
	s->last_run = -1;
	return s;
}

void report_cov_begin(struct report *r)
{
	size_t i;

	for (i = 0; i < r->nseries; i++)
		cov_init(&r->series[i].cov, &r->grid, r->series[i].symbol,
			 r->series[i].iv, r->series[i].first);
}

void report_cov_end(struct report *r)
{
	size_t i;

	for (i = 0; i < r->nseries; i++)
		cov_finish(&r->series[i].cov, &r->grid);
}

long report_missing_bars(const struct report_series *s)
{
	if (s->cov.expected < 0 || s->cov.expected <= s->cov.stored)
		return 0;
	return s->cov.expected - s->cov.stored;
}

static int cmp_long_desc(long a, long b)
{
	return a < b ? 1 : a > b ? -1 : 0;
}

static int cmp_worst(const void *pa, const void *pb)
{
	const struct report_series *a = pa, *b = pb;
	int c;

	if ((c = cmp_long_desc(a->cov.nmissing, b->cov.nmissing)) ||
	    (c = cmp_long_desc(report_missing_bars(a), report_missing_bars(b))) ||
	    (c = cmp_long_desc(a->cov.npartial, b->cov.npartial)) ||
	    (c = cmp_long_desc(a->failed, b->failed)) ||
	    (c = cmp_long_desc(a->rejected, b->rejected)) ||
	    (c = cmp_long_desc(a->revised, b->revised)))
		return c;
	return cmp_key(a->symbol, a->interval, b->symbol, b->interval);
}

void report_sort(struct report *r)
{
	if (r->nseries > 1)
		qsort(r->series, r->nseries, sizeof(*r->series), cmp_worst);
}
