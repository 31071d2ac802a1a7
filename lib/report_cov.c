#include "report_cov.h"
#include "bt.h"
#include "cal.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How far back from now to look for the last closed session. */
#define LAST_SESSION_DAYS 30

/* 0 Sunday ... 6 Saturday; 1970-01-01 was a Thursday. */
static int weekday(long day)
{
	long w = (day + 4) % 7;

	return (int)(w < 0 ? w + 7 : w);
}

/* The day of the last session that closed at or before now, or -1. */
static long last_closed(time_t now)
{
	struct cal_info ci;
	long day, k;

	if (cal_info_at(now, &ci) < 0)
		return -1;
	for (day = ci.day, k = 0; k < LAST_SESSION_DAYS; k++, day--)
		if (cal_day_info(day, &ci) == 0 && ci.kind != CAL_CLOSED && ci.close <= now)
			return day;
	return -1;
}

void cov_grid_init(struct cov_grid *g, time_t since, time_t now)
{
	struct cal_info ci;
	int have = cal_info_at(since, &ci) == 0;
	long day, n;

	memset(g, 0, sizeof(*g));
	g->last = last_closed(now);
	g->first = have ? ci.day : 0;
	if (!have || g->last < g->first) {
		g->first = g->last = 0;
		return;
	}
	n = g->last - g->first + 1;
	g->col = xreallocarray(NULL, (size_t)n, sizeof(*g->col));
	g->day = xreallocarray(NULL, (size_t)n, sizeof(*g->day));
	g->holiday = xcalloc((size_t)n, sizeof(*g->holiday));
	for (day = g->first; day <= g->last; day++) {
		int wd = weekday(day);

		g->col[day - g->first] = -1;
		if (wd == 0 || wd == 6)
			continue;
		have = cal_day_info(day, &ci) == 0;
		g->col[day - g->first] = (long)g->ncols;
		g->holiday[g->ncols] = !have || ci.kind == CAL_CLOSED;
		g->day[g->ncols++] = day;
	}
}

void cov_grid_free(struct cov_grid *g)
{
	free(g->col);
	free(g->day);
	free(g->holiday);
	memset(g, 0, sizeof(*g));
}

long cov_grid_col(const struct cov_grid *g, long day)
{
	if (!g->ncols || day < g->first || day > g->last)
		return -1;
	return g->col[day - g->first];
}

int cov_applies(const char *symbol, const struct sym_interval *iv)
{
	return iv && (iv->intraday || iv->seconds == BT_DAY) && cal_us_symbol(symbol);
}

void cov_init(struct cov *c, const struct cov_grid *g, const char *symbol,
	      const struct sym_interval *iv, time_t first)
{
	struct cal_info fi;

	memset(c, 0, sizeof(*c));
	c->applies = cov_applies(symbol, iv);
	c->expected = c->applies ? 0 : -1;
	c->first = first;
	if (first && cal_info_at(first, &fi) == 0)
		c->first_day = fi.day;
	c->iv = iv ? iv->seconds : 0;
	c->daily = iv && !iv->intraday;
	c->count = xcalloc(g->ncols ? g->ncols : 1, sizeof(*c->count));
	c->cells = xmalloc(g->ncols + 1);
	memset(c->cells, COV_NONE, g->ncols);
	c->cells[g->ncols] = '\0';
}

void cov_count(struct cov *c, const struct cov_grid *g, long day, long n)
{
	long col;

	if (!g->ncols || day < g->first || day > g->last)
		return;
	col = g->col[day - g->first];
	if (c->applies && (col < 0 || g->holiday[col]))
		return;
	c->stored += n;
	if (col >= 0 && c->count)
		c->count[col] += n;
}

size_t cov_grid_sessions(const struct cov_grid *g, int daily, struct cov_session *out)
{
	struct cal_info ci, next;
	size_t i, n = 0;

	for (i = 0; i < g->ncols; i++) {
		if (g->holiday[i] || cal_day_info(g->day[i], &ci) < 0 || ci.kind == CAL_CLOSED)
			continue;
		if (daily && cal_day_info(g->day[i] + 1, &next) < 0)
			continue;
		out[n].day = g->day[i];
		out[n].lo = daily ? ci.midnight : ci.open;
		out[n].hi = daily ? next.midnight : ci.close;
		n++;
	}
	return n;
}

long cov_session_slots(time_t open, time_t close, long iv, time_t from)
{
	long all, skip = 0;

	if (iv <= 0 || close <= open)
		return 0;
	all = (long)((close - open + iv - 1) / iv);
	if (from > open)
		skip = (long)((from - open + iv - 1) / iv);
	return skip >= all ? 0 : all - skip;
}

/* Append day to the ranges when it continues the last one, else start one. */
static void add_range(struct cov_range **r, size_t *n, int extend, long day)
{
	if (extend && *n) {
		(*r)[*n - 1].to = day;
		(*r)[*n - 1].sessions++;
		return;
	}
	*r = xreallocarray(*r, *n + 1, sizeof(**r));
	(*r)[*n].from = (*r)[*n].to = day;
	(*r)[*n].sessions = 1;
	++*n;
}

/* Expected bars of column col, or 0 when it is not judged. */
static long expected_at(const struct cov *c, const struct cov_grid *g, size_t col)
{
	struct cal_info ci;

	if (cal_day_info(g->day[col], &ci) < 0 || ci.kind == CAL_CLOSED ||
	    g->day[col] < c->first_day)
		return 0;
	if (c->first && g->day[col] == c->first_day && !c->daily)
		return cov_session_slots(ci.open, ci.close, c->iv, c->first);
	return c->daily ? 1 : cov_session_slots(ci.open, ci.close, c->iv, 0);
}

void cov_set_stored(struct cov *c, long n)
{
	c->stored = n;
}

void cov_finish(struct cov *c, const struct cov_grid *g)
{
	char prev = COV_NONE;
	size_t i;
	long exp;

	for (i = 0; c->applies && i < g->ncols; i++) {
		if (g->holiday[i]) {
			c->cells[i] = COV_HOLIDAY;
			continue;
		}
		if ((exp = expected_at(c, g, i)) <= 0)
			continue;
		c->expected += exp;
		c->cells[i] = c->count[i] >= exp ? COV_STORED
			    : c->count[i] > 0 ? COV_PARTIAL : COV_MISSING;
		if (c->cells[i] == COV_MISSING) {
			c->nmissing++;
			add_range(&c->missing, &c->nmissing_r, prev == COV_MISSING, g->day[i]);
		} else if (c->cells[i] == COV_PARTIAL) {
			c->npartial++;
			add_range(&c->partial, &c->npartial_r, prev == COV_PARTIAL, g->day[i]);
		}
		prev = c->cells[i];
	}
	free(c->count);
	c->count = NULL;
}

void cov_free(struct cov *c)
{
	free(c->count);
	free(c->cells);
	free(c->missing);
	free(c->partial);
	memset(c, 0, sizeof(*c));
}

char *cov_day_str(long day, char *buf)
{
	long y;
	int m, d;

	bt_civil_from_days(day, &y, &m, &d);
	snprintf(buf, COV_DAY_LEN, "%04ld-%02d-%02d", y, m, d);
	return buf;
}

char *cov_range_str(const struct cov_range *r, char *buf)
{
	char a[COV_DAY_LEN], b[COV_DAY_LEN];

	if (r->from == r->to)
		snprintf(buf, COV_RANGE_LEN, "%s", cov_day_str(r->from, a));
	else
		snprintf(buf, COV_RANGE_LEN, "%s..%s", cov_day_str(r->from, a), cov_day_str(r->to, b));
	return buf;
}
