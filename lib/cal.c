#include "cal.h"
#include "bt.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAL_TZ "America/New_York"
#define NCACHE 1024 /* direct-mapped cache of dates, about three years */

struct ovr {
	long day;
	enum cal_day kind;
	int close_min; /* minutes after local midnight for CAL_EARLY */
};

static struct ovr *ovrs; /* sorted by day */
static size_t novrs, ovrcap;
static struct cal_info cache[NCACHE];
static int cache_ok[NCACHE];

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant). */
long cal_day_number(int y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void cal_civil(long day, int *y, int *m, int *d)
{
	long z = day + 719468, era, doe, yoe, doy, mp;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* 0 Sunday ... 6 Saturday. */
static int weekday(long day)
{
	long w = (day + 4) % 7; /* 1970-01-01 was a Thursday */

	return (int)(w < 0 ? w + 7 : w);
}

/* The n-th (1-based) weekday wd of a month; n = -1 for the last one. */
static long nth_weekday(int y, int m, int wd, int n)
{
	long first, last;

	if (n > 0) {
		first = cal_day_number(y, m, 1);
		return first + (wd - weekday(first) + 7) % 7 + 7 * (n - 1);
	}
	last = (m == 12 ? cal_day_number(y + 1, 1, 1)
			: cal_day_number(y, m + 1, 1)) - 1;
	return last - (weekday(last) - wd + 7) % 7;
}

/* Easter Sunday (anonymous Gregorian computus). */
static long easter(int y)
{
	int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
	int f = (b + 8) / 25, g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31;
	int day = (h + l - 7 * m + 114) % 31 + 1;

	return cal_day_number(y, month, day);
}

/* Fixed-date holiday observed Saturday -> Friday, Sunday -> Monday. */
static int observed(long day, int y, int m, int d)
{
	long h = cal_day_number(y, m, d);
	int wd = weekday(h);

	if (wd == 6)
		h -= 1;
	else if (wd == 0)
		h += 1;
	return day == h;
}

static int is_holiday(long day, int y, int m, int d)
{
	long ny = cal_day_number(y, 1, 1);

	/* New Year's: Sunday -> Monday; a Saturday is not observed (NYSE
	 * rule 7.2: the Friday before would end the fiscal year). */
	if (day == ny && weekday(ny) != 6 && weekday(ny) != 0)
		return 1;
	if (weekday(ny) == 0 && day == ny + 1)
		return 1;
	if (m == 1 && y >= 1998 && day == nth_weekday(y, 1, 1, 3))
		return 1;
	if (m == 2 && day == nth_weekday(y, 2, 1, 3))
		return 1;
	if (day == easter(y) - 2)
		return 1;
	if (m == 5 && day == nth_weekday(y, 5, 1, -1))
		return 1;
	if (y >= 2022 && (m == 6) && observed(day, y, 6, 19))
		return 1;
	if (m == 7 && observed(day, y, 7, 4))
		return 1;
	if (m == 9 && day == nth_weekday(y, 9, 1, 1))
		return 1;
	if (m == 11 && day == nth_weekday(y, 11, 4, 4))
		return 1;
	if (m == 12 && observed(day, y, 12, 25))
		return 1;
	(void)d;
	return 0;
}

static int is_early(long day, int y, int m, int d)
{
	int wd = weekday(day);

	if (m == 7 && d == 3 &&
	    (wd == 1 || wd == 2 || wd == 4 || (wd == 3 && y >= 2013)))
		return 1;
	if (m == 11 && day == nth_weekday(y, 11, 4, 4) + 1)
		return 1;
	if (m == 12 && d == 24 && wd >= 1 && wd <= 4)
		return 1;
	return 0;
}

static const struct ovr *find_ovr(long day)
{
	size_t lo = 0, hi = novrs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ovrs[mid].day == day)
			return &ovrs[mid];
		if (ovrs[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static enum cal_day day_kind(long day, int y, int m, int d, int *close_min)
{
	const struct ovr *o = find_ovr(day);
	int wd = weekday(day);

	*close_min = 16 * 60;
	if (o) {
		if (o->kind == CAL_EARLY)
			*close_min = o->close_min;
		return o->kind;
	}
	if (wd == 0 || wd == 6 || is_holiday(day, y, m, d))
		return CAL_CLOSED;
	if (is_early(day, y, m, d)) {
		*close_min = 13 * 60;
		return CAL_EARLY;
	}
	return CAL_FULL;
}

enum cal_day cal_nyse_day(int y, int mon, int d)
{
	int close_min;

	return day_kind(cal_day_number(y, mon, d), y, mon, d, &close_min);
}

int cal_day_info(long day, struct cal_info *out)
{
	int i = (int)((unsigned long)day % NCACHE), close_min;
	struct cal_info *ci = &cache[i];

	if (cache_ok[i] && ci->day == day) {
		*out = *ci;
		return 0;
	}
	memset(ci, 0, sizeof(*ci));
	cache_ok[i] = 0;
	ci->day = day;
	cal_civil(day, &ci->y, &ci->mon, &ci->d);
	ci->kind = day_kind(day, ci->y, ci->mon, ci->d, &close_min);
	if (bt_local_to_utc(CAL_TZ, ci->y, ci->mon, ci->d, 0, 0, &ci->midnight) < 0)
		return -1;
	if (ci->kind != CAL_CLOSED &&
	    (bt_local_to_utc(CAL_TZ, ci->y, ci->mon, ci->d, 9, 30, &ci->open) < 0 ||
	     bt_local_to_utc(CAL_TZ, ci->y, ci->mon, ci->d, close_min / 60,
			     close_min % 60, &ci->close) < 0))
		return -1;
	cache_ok[i] = 1;
	*out = *ci;
	return 0;
}

int cal_info_at(time_t t, struct cal_info *out)
{
	/* New York is UTC-5 or UTC-4: the local date is the UTC-5 date or
	 * the day after it. */
	long s = (long)t - 5 * 3600;
	long day = s >= 0 ? s / BT_DAY : -((-s + BT_DAY - 1) / BT_DAY);

	if (cal_day_info(day + 1, out) == 0 && t >= out->midnight)
		return 0;
	return cal_day_info(day, out);
}

int cal_session(int y, int mon, int d, time_t *open, time_t *close)
{
	struct cal_info ci;

	if (cal_day_info(cal_day_number(y, mon, d), &ci) < 0 || ci.kind == CAL_CLOSED)
		return 0;
	*open = ci.open;
	*close = ci.close;
	return 1;
}

int cal_next_session(time_t t, time_t *open, time_t *close)
{
	struct cal_info ci;
	long day, i;

	if (cal_info_at(t, &ci) < 0)
		return -1;
	day = ci.day;
	for (i = 0; i <= 31; i++) {
		if (cal_day_info(day + i, &ci) < 0)
			return -1;
		if (ci.kind == CAL_CLOSED || ci.close <= t)
			continue;
		if (ci.open > t + 30 * BT_DAY)
			return -1;
		*open = ci.open;
		*close = ci.close;
		return 0;
	}
	return -1;
}

static int cmp_ovr(const void *a, const void *b)
{
	long x = ((const struct ovr *)a)->day, y = ((const struct ovr *)b)->day;

	return x < y ? -1 : x > y;
}

/* Parse one override line (comments and blanks already skipped). */
static int parse_ovr(char *s, struct ovr *o)
{
	char *f[4] = { NULL };
	int nf = 0, y, m, d, hh, mm;
	char *p, end;

	for (p = strtok(s, ","); p && nf < 4; p = strtok(NULL, ","))
		f[nf++] = p;
	if (nf < 2 || strtok(NULL, ",") ||
	    sscanf(f[0], "%4d-%2d-%2d%c", &y, &m, &d, &end) != 3 || m < 1 ||
	    m > 12 || d < 1 || d > 31 || strlen(f[0]) != 10)
		return -1;
	{
		int cy, cm, cd;

		o->day = cal_day_number(y, m, d);
		cal_civil(o->day, &cy, &cm, &cd);
		if (cd != d) /* 2026-02-30 */
			return -1;
	}
	if (nf == 2 && strcmp(f[1], "closed") == 0) {
		o->kind = CAL_CLOSED;
		o->close_min = 0;
		return 0;
	}
	if (nf == 3 && strcmp(f[1], "early") == 0 && strlen(f[2]) == 5 &&
	    sscanf(f[2], "%2d:%2d%c", &hh, &mm, &end) == 2 && hh >= 0 &&
	    mm >= 0 && mm < 60 && hh * 60 + mm > 9 * 60 + 30 &&
	    hh * 60 + mm <= 16 * 60) {
		o->kind = CAL_EARLY;
		o->close_min = hh * 60 + mm;
		return 0;
	}
	return -1;
}

static void trim(char *s)
{
	size_t n = strlen(s);

	while (n && strchr(" \t\r\n", s[n - 1]))
		s[--n] = '\0';
}

int cal_load_overrides(const char *path, char *why, size_t n)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	long lineno = 0;
	struct ovr o, *nv;
	size_t before = novrs;
	int rc = 0;

	if (!fp) {
		snprintf(why, n, "%s: cannot open", path);
		return -1;
	}
	while (getline(&line, &cap, fp) >= 0) {
		char *s = line;

		lineno++;
		trim(s);
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			continue;
		if (parse_ovr(s, &o) < 0) {
			snprintf(why, n, "%s:%ld: want YYYY-MM-DD,closed or "
				 "YYYY-MM-DD,early,HH:MM", path, lineno);
			rc = -1;
			break;
		}
		if (novrs == ovrcap) {
			size_t ncap = ovrcap ? ovrcap * 2 : 16;

			nv = xreallocarray(ovrs, ncap, sizeof(*nv));
			ovrs = nv;
			ovrcap = ncap;
		}
		ovrs[novrs++] = o;
	}
	if (rc == 0 && ferror(fp)) {
		snprintf(why, n, "%s: read error", path);
		rc = -1;
	}
	free(line);
	fclose(fp);
	if (rc < 0)
		novrs = before; /* all of a file or nothing */
	if (novrs)
		qsort(ovrs, novrs, sizeof(*ovrs), cmp_ovr);
	memset(cache_ok, 0, sizeof(cache_ok));
	return rc;
}
