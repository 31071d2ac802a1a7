#include "sym.h"
#include "bt.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int sym_valid(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++) {
		unsigned char c = (unsigned char)s[n];

		if (!isalnum(c) && !strchr(".^=_-", c))
			return -1;
	}
	return n >= 1 && n <= SYM_MAX ? 0 : -1;
}

static const struct sym_interval intervals[] = {
	{ "1m", 60, 1, 30, 7, 0, 0 },
	{ "2m", 120, 1, 60, 60, 0, 0 },
	{ "5m", 300, 1, 60, 60, 0, 0 },
	{ "15m", 900, 1, 60, 60, 0, 0 },
	{ "30m", 1800, 1, 60, 60, 0, 0 },
	{ "60m", 3600, 1, 730, 730, 0, 0 },
	{ "90m", 5400, 1, 60, 60, 0, 0 },
	{ "1h", 3600, 1, 730, 730, 0, 0 },
	{ "1d", BT_DAY, 0, 0, 0, 1, 0 },
	{ "5d", 5 * BT_DAY, 0, 0, 0, 7, 0 },
	{ "1wk", 7 * BT_DAY, 0, 0, 0, 7, 0 },
	{ "1mo", 31 * BT_DAY, 0, 0, 0, 0, 1 },
	{ "3mo", 92 * BT_DAY, 0, 0, 0, 0, 3 },
};

const struct sym_interval *sym_interval(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(intervals) / sizeof(intervals[0]); i++)
		if (strcmp(intervals[i].name, name) == 0)
			return &intervals[i];
	return NULL;
}

const struct sym_interval *sym_interval_at(size_t i)
{
	return i < sizeof(intervals) / sizeof(intervals[0]) ? &intervals[i] : NULL;
}

size_t sym_interval_join(char *buf, size_t n, const char *sep, int intraday_only)
{
	size_t i, len = 0, k;

	if (n)
		buf[0] = '\0';
	for (i = 0; i < sizeof(intervals) / sizeof(intervals[0]); i++) {
		if (intraday_only && !intervals[i].intraday)
			continue;
		k = (size_t)snprintf(len < n ? buf + len : NULL, len < n ? n - len : 0, "%s%s",
				     len ? sep : "", intervals[i].name);
		len += k;
	}
	return len;
}

static char names[128];

static void names_init(void)
{
	sym_interval_join(names, sizeof(names), " ", 0);
}

const char *sym_interval_names(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, names_init);
	return names;
}

int sym_period_parse(const char *s, struct sym_period *p, char *why, size_t n)
{
	static const struct { const char *suffix; enum sym_period_unit unit; long mult; } u[] = {
		{ "d", SYM_PERIOD_DAYS, 1 }, { "w", SYM_PERIOD_DAYS, 7 },
		{ "wk", SYM_PERIOD_DAYS, 7 }, { "mo", SYM_PERIOD_MONTHS, 1 },
		{ "y", SYM_PERIOD_MONTHS, 12 },
	};
	char *end;
	long v;
	size_t i;

	memset(p, 0, sizeof(*p));
	if (strcmp(s, "ytd") == 0 || strcmp(s, "max") == 0) {
		p->unit = s[0] == 'y' ? SYM_PERIOD_YTD : SYM_PERIOD_MAX;
		return 0;
	}
	v = isdigit((unsigned char)*s) ? strtol(s, &end, 10) : -1;
	for (i = 0; v > 0 && i < sizeof(u) / sizeof(u[0]); i++) {
		long lim = u[i].unit == SYM_PERIOD_DAYS ? SYM_PERIOD_MAX_DAYS : SYM_PERIOD_MAX_MONTHS;

		if (strcmp(end, u[i].suffix) != 0)
			continue;
		/* v <= lim first: v * mult must not overflow. */
		if (v > lim || v * u[i].mult > lim)
			break;
		p->unit = u[i].unit;
		p->n = v * u[i].mult;
		return 0;
	}
	snprintf(why, n, "%s (Nd, Nw, Nmo or Ny up to 300 years, ytd or max)",
		 v > 0 && i < sizeof(u) / sizeof(u[0]) ? "more than 300 years" : "not a period");
	return -1;
}

long sym_period_max_days(const struct sym_period *p)
{
	switch (p->unit) {
	case SYM_PERIOD_DAYS: return p->n;
	case SYM_PERIOD_MONTHS: return p->n / 12 * 366 + p->n % 12 * 31;
	default: return -1;
	}
}

/*
 * N months back on the UTC calendar: the same day of the month and time
 * of day, the day clamped to the month's length (31 March - 1mo is the
 * last day of February).  timegm() normalises the month arithmetic.
 */
static time_t months_back(time_t t, long months)
{
	struct tm tm;
	time_t first, x;
	int mday, mon;

	gmtime_r(&t, &tm);
	mday = tm.tm_mday;
	tm.tm_mday = 1;
	tm.tm_mon -= (int)(months % 12);
	tm.tm_year -= (int)(months / 12);
	first = timegm(&tm);
	mon = tm.tm_mon;
	for (x = first + (mday - 1) * BT_DAY;; x -= BT_DAY) {
		gmtime_r(&x, &tm);
		if (tm.tm_mon == mon)
			return x;
	}
}

int sym_period_start(const struct sym_period *p, time_t end, time_t *out)
{
	struct tm tm;

	switch (p->unit) {
	case SYM_PERIOD_DAYS:
		*out = end - p->n * BT_DAY;
		return 0;
	case SYM_PERIOD_MONTHS:
		*out = months_back(end, p->n);
		return 0;
	case SYM_PERIOD_YTD:
		gmtime_r(&end, &tm);
		tm.tm_mon = 0;
		tm.tm_mday = 1;
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		*out = timegm(&tm);
		return 0;
	default:
		return -1;
	}
}
