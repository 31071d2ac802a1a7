#include "val_gaps.h"
#include "bars.h"
#include "bt.h"
#include "cal.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Longest regular session: 6.5 hours. */
#define SESSION_SECS (390L * 60)

const char *const val_gaps_header[VAL_GAPS_NCOLS] = { "symbol", "interval", "ts" };

int val_gaps_write_header(FILE *fp)
{
	return bars_write_fields(fp, (char **)val_gaps_header, VAL_GAPS_NCOLS);
}

void val_gaps_init(struct val_gaps *g, long iv, int daily)
{
	memset(g, 0, sizeof(*g));
	g->iv = iv;
	g->daily = daily;
	g->spd = daily ? 1 : (int)((SESSION_SECS + iv - 1) / iv);
	g->dpb = daily ? 64 : 1;
	g->wpb = (g->dpb * g->spd + 63) / 64;
}

void val_gaps_free(struct val_gaps *g)
{
	free(g->bits);
	g->bits = NULL;
	g->dead = 1;
}

/* Block of a date: floor division, so blocks line up for any date. */
static long block_of(const struct val_gaps *g, long day)
{
	return day >= 0 ? day / g->dpb : -((-day + g->dpb - 1) / g->dpb);
}

/* Widen the bitmap to cover block b (whole blocks, so words just move),
 * with a quarter of slack in the direction it grows. */
static int cover(struct val_gaps *g, long b)
{
	long lo = b, hi = b, slack, max = VAL_GAPS_MAX_BYTES / (8L * g->wpb);
	uint64_t *nb;

	if (g->bits) {
		if (b >= g->b0 && b < g->b0 + g->nblocks)
			return 0;
		lo = b < g->b0 ? b : g->b0;
		hi = b < g->b0 ? g->b0 + g->nblocks - 1 : b;
	}
	if (hi - lo + 1 > max)
		return -1;
	slack = (hi - lo + 1) / 4;
	if (hi - lo + 1 + slack > max)
		slack = max - (hi - lo + 1);
	if (g->bits && b < g->b0)
		lo -= slack;
	else
		hi += slack;
	nb = xcalloc((size_t)((hi - lo + 1) * g->wpb), sizeof(*nb));
	if (g->bits)
		memcpy(nb + (g->b0 - lo) * g->wpb, g->bits,
		       (size_t)(g->nblocks * g->wpb) * sizeof(*nb));
	free(g->bits);
	g->bits = nb;
	g->b0 = lo;
	g->nblocks = hi - lo + 1;
	return 0;
}

/* Bit number of (day, slot) inside its block. */
static long bit_of(const struct val_gaps *g, long day, long slot)
{
	return (day - block_of(g, day) * g->dpb) * g->spd + slot;
}

int val_gaps_add(struct val_gaps *g, long day, long slot, time_t ts)
{
	int fresh = !g->bits;
	long b = block_of(g, day), bit = bit_of(g, day, slot);

	if (g->dead)
		return 0;
	if (slot < 0 || slot >= g->spd || cover(g, b) < 0) {
		val_gaps_free(g);
		return -1;
	}
	g->bits[(b - g->b0) * g->wpb + bit / 64] |= 1ull << (bit % 64);
	if (fresh || ts < g->first)
		g->first = ts;
	if (fresh || ts > g->last)
		g->last = ts;
	return 0;
}

static int seen(const struct val_gaps *g, long day, long slot)
{
	long b = block_of(g, day), bit = bit_of(g, day, slot);

	if (b < g->b0 || b >= g->b0 + g->nblocks)
		return 0;
	return (int)(g->bits[(b - g->b0) * g->wpb + bit / 64] >> (bit % 64) & 1);
}

/* The expected bars of one trading date, checked against the bitmap. */
static int write_day(const struct val_gaps *g, const struct cal_info *ci,
		     const char *symbol, const char *interval, FILE *fp,
		     long *missing, long *expected)
{
	char buf[BT_ISO_LEN];
	long slot;
	time_t t;

	for (slot = 0; slot < g->spd; slot++) {
		t = g->daily ? ci->midnight : ci->open + slot * g->iv;
		if (!g->daily && t >= ci->close)
			break;
		if (t < g->first || t > g->last)
			continue;
		++*expected;
		if (seen(g, ci->day, slot))
			continue;
		++*missing;
		if (fprintf(fp, "%s,%s,%s\n", symbol, interval, bt_format_iso(t, buf)) < 0)
			return -1;
	}
	return 0;
}

int val_gaps_write(const struct val_gaps *g, const char *symbol,
		   const char *interval, FILE *fp, long *missing,
		   long *expected)
{
	struct cal_info ci;
	long day, last;

	*missing = *expected = 0;
	if (g->dead || !g->bits || cal_info_at(g->last, &ci) < 0)
		return 0;
	last = ci.day;
	if (cal_info_at(g->first, &ci) < 0)
		return 0;
	for (day = ci.day; day <= last; day++) {
		if (cal_day_info(day, &ci) < 0 || ci.kind == CAL_CLOSED)
			continue;
		if (write_day(g, &ci, symbol, interval, fp, missing, expected) < 0)
			return -1;
	}
	return 0;
}
