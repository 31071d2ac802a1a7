#include "val_gaps.h"
#include "bt.h"
#include "cal.h"

#include <stdlib.h>
#include <string.h>

/* Longest regular session: 6.5 hours. */
#define SESSION_SECS (390L * 60)

void val_gaps_init(struct val_gaps *g, long iv, int daily)
{
	long spd = daily ? 1 : (SESSION_SECS + iv - 1) / iv;

	memset(g, 0, sizeof(*g));
	g->iv = iv;
	g->daily = daily;
	g->wpd = (int)((spd + 63) / 64);
}

void val_gaps_free(struct val_gaps *g)
{
	free(g->bits);
	g->bits = NULL;
	g->dead = 1;
}

/* Widen the bitmap to cover day (whole days, so words just move),
 * with a quarter of slack in the direction it grows. */
static int cover(struct val_gaps *g, long day)
{
	long lo = day, hi = day, slack;
	uint64_t *nb;

	if (g->bits) {
		if (day >= g->d0 && day < g->d0 + g->ndays)
			return 0;
		lo = day < g->d0 ? day : g->d0;
		hi = day < g->d0 ? g->d0 + g->ndays - 1 : day;
	}
	if (hi - lo + 1 > VAL_GAPS_MAX_DAYS)
		return -1;
	slack = (hi - lo + 1) / 4;
	if (g->bits && day < g->d0)
		lo = hi - lo + 1 + slack > VAL_GAPS_MAX_DAYS ? hi - VAL_GAPS_MAX_DAYS + 1
							     : lo - slack;
	else
		hi = hi - lo + 1 + slack > VAL_GAPS_MAX_DAYS ? lo + VAL_GAPS_MAX_DAYS - 1
							     : hi + slack;
	nb = calloc((size_t)((hi - lo + 1) * g->wpd), sizeof(*nb));
	if (!nb)
		return -1;
	if (g->bits)
		memcpy(nb + (g->d0 - lo) * g->wpd, g->bits,
		       (size_t)(g->ndays * g->wpd) * sizeof(*nb));
	free(g->bits);
	g->bits = nb;
	g->d0 = lo;
	g->ndays = hi - lo + 1;
	return 0;
}

int val_gaps_add(struct val_gaps *g, long day, long slot, time_t ts)
{
	int fresh = !g->bits;
	uint64_t *w;

	if (g->dead)
		return 0;
	if (slot < 0 || slot >= (long)g->wpd * 64 || cover(g, day) < 0) {
		val_gaps_free(g);
		return -1;
	}
	w = &g->bits[(day - g->d0) * g->wpd + slot / 64];
	*w |= 1ull << (slot % 64);
	if (fresh || ts < g->first)
		g->first = ts;
	if (fresh || ts > g->last)
		g->last = ts;
	return 0;
}

static int seen(const struct val_gaps *g, long day, long slot)
{
	return (int)(g->bits[(day - g->d0) * g->wpd + slot / 64] >> (slot % 64) & 1);
}

int val_gaps_write(const struct val_gaps *g, const char *symbol,
		   const char *interval, FILE *fp, long *missing,
		   long *expected)
{
	const struct cal_info *first, *last, *ci;
	char buf[BT_ISO_LEN];
	long day, slot;
	time_t t;

	*missing = *expected = 0;
	if (g->dead || !g->bits)
		return 0;
	first = cal_info_at(g->first);
	if (!first)
		return 0;
	day = first->day;
	last = cal_info_at(g->last);
	if (!last)
		return 0;
	for (; day <= last->day; day++) {
		ci = cal_day_info(day);
		if (!ci || ci->kind == CAL_CLOSED)
			continue;
		for (slot = 0;; slot++) {
			t = g->daily ? ci->midnight : ci->open + slot * g->iv;
			if (g->daily ? slot > 0 : t >= ci->close)
				break;
			if (t < g->first || t > g->last)
				continue;
			++*expected;
			if (day >= g->d0 && day < g->d0 + g->ndays && seen(g, day, slot))
				continue;
			++*missing;
			if (fprintf(fp, "%s,%s,%s\n", symbol, interval,
				    bt_format_iso(t, buf)) < 0)
				return -1;
		}
	}
	return 0;
}
