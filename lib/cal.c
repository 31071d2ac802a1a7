#include "cal.h"
#include "bt.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAL_TZ "America/New_York"
#define NCACHE 1024 /* direct-mapped cache of dates, about three years */
#define EARLY13 (13 * 60)
#define EARLY14 (14 * 60)
#define CLOSE (16 * 60)

/* Weekday bits for rule.days (bit 0 Sunday). */
#define MON (1u << 1)
#define TUE (1u << 2)
#define WED (1u << 3)
#define THU (1u << 4)
#define FRI (1u << 5)

enum obs { AS_IS, SUN_TO_MON, NEAREST }; /* weekend observance */

/*
 * One recurring rule.  Its date in a year: the anchor (mon/mday; mon 0 is
 * Easter Sunday), then the nth weekday wday on or after it (nth < 0: on or
 * before it; nth 0: the anchor itself), then shift days, then the weekend
 * observance.  It applies in years from..to (every `every` years when set)
 * and, when days is set, only when that date falls on one of those
 * weekdays.  close is the early close in minutes after midnight; 0 a full
 * closure.
 */
struct rule {
	const char *name;
	int from, to, every;
	int mon, mday, wday, nth, shift;
	enum obs obs;
	unsigned days;
	int close;
};

#define ALWAYS 1, 9999, 0
static const struct rule rules[] = {
	/* full holidays */
	{ "New Year's Day", ALWAYS, 1, 1, 0, 0, 0, SUN_TO_MON, 0, 0 },
	{ "Martin Luther King Jr. Day", 1998, 9999, 0, 1, 1, 1, 3, 0, AS_IS, 0, 0 },
	{ "Presidents' Day", 1971, 9999, 0, 2, 1, 1, 3, 0, AS_IS, 0, 0 },
	{ "Good Friday", ALWAYS, 0, 0, 0, 0, -2, AS_IS, 0, 0 },
	{ "Memorial Day", 1971, 9999, 0, 5, 31, 1, -1, 0, AS_IS, 0, 0 },
	{ "Juneteenth", 2022, 9999, 0, 6, 19, 0, 0, 0, NEAREST, 0, 0 },
	{ "Independence Day", 1954, 9999, 0, 7, 4, 0, 0, 0, NEAREST, 0, 0 },
	{ "Labor Day", ALWAYS, 9, 1, 1, 1, 0, AS_IS, 0, 0 },
	{ "Election Day", 1968, 1980, 4, 11, 2, 2, 1, 0, AS_IS, 0, 0 },
	{ "Thanksgiving", 1942, 9999, 0, 11, 1, 4, 4, 0, AS_IS, 0, 0 },
	{ "Christmas", 1954, 9999, 0, 12, 25, 0, 0, 0, NEAREST, 0, 0 },
	/* early closes */
	{ "Christmas Eve", 1, 1992, 0, 12, 24, 0, 0, 0, AS_IS, MON | TUE | WED | THU, EARLY14 },
	{ "Christmas Eve", 1993, 9999, 0, 12, 24, 0, 0, 0, AS_IS, MON | TUE | WED | THU, EARLY13 },
	{ "day after Thanksgiving", 1992, 1992, 0, 11, 1, 4, 4, 1, AS_IS, 0, EARLY14 },
	{ "day after Thanksgiving", 1993, 9999, 0, 11, 1, 4, 4, 1, AS_IS, 0, EARLY13 },
	{ "July 3", 1995, 9999, 0, 7, 3, 0, 0, 0, AS_IS, MON | TUE | THU, EARLY13 },
	{ "July 3", 2013, 9999, 0, 7, 3, 0, 0, 0, AS_IS, WED, EARLY13 },
	{ "Friday July 5", 1995, 2012, 0, 7, 5, 0, 0, 0, AS_IS, FRI, EARLY13 },
};

/* One-off days since 1971 (exchange_calendars us_holidays.py, the adhoc
 * lists of exchange_calendar_xnys.py). */
static const struct oneoff {
	int y, m, d, close; /* close 0: closed all day */
	const char *name;
} oneoffs[] = {
	{ 1972, 12, 28, 0, "Harry S. Truman's funeral" },
	{ 1973, 1, 25, 0, "Lyndon B. Johnson's funeral" },
	{ 1977, 7, 14, 0, "New York City blackout" },
	{ 1985, 9, 27, 0, "Hurricane Gloria" },
	{ 1994, 4, 27, 0, "Richard Nixon's funeral" },
	{ 1997, 12, 26, EARLY13, "day after Christmas" },
	{ 1999, 12, 31, EARLY13, "New Year's Eve 1999" },
	{ 2001, 9, 11, 0, "September 11" },
	{ 2001, 9, 12, 0, "September 11" },
	{ 2001, 9, 13, 0, "September 11" },
	{ 2001, 9, 14, 0, "September 11" },
	{ 2003, 12, 26, EARLY13, "day after Christmas" },
	{ 2004, 6, 11, 0, "Ronald Reagan's funeral" },
	{ 2007, 1, 2, 0, "Gerald Ford's funeral" },
	{ 2012, 10, 29, 0, "Hurricane Sandy" },
	{ 2012, 10, 30, 0, "Hurricane Sandy" },
	{ 2018, 12, 5, 0, "George H. W. Bush's funeral" },
	{ 2025, 1, 9, 0, "Jimmy Carter's funeral" },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct ovr {
	long day;
	enum cal_day kind;
	int close_min; /* minutes after local midnight for CAL_EARLY */
};

static struct ovr *ovrs; /* sorted by day */
static size_t novrs, ovrcap;
static struct cal_info cache[NCACHE];
static int cache_ok[NCACHE];

/* 0 Sunday ... 6 Saturday. */
static int weekday(long day)
{
	long w = (day + 4) % 7; /* 1970-01-01 was a Thursday */

	return (int)(w < 0 ? w + 7 : w);
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

	return bt_days_from_civil(y, month, day);
}

/* The rule's date in year y before observance (the weekday it falls on
 * decides whether the rule applies). */
static long rule_date(const struct rule *r, int y)
{
	long day = r->mon ? bt_days_from_civil(y, r->mon, r->mday) : easter(y);

	if (r->nth > 0)
		day += (r->wday - weekday(day) + 7) % 7 + 7 * (r->nth - 1);
	else if (r->nth < 0)
		day -= (weekday(day) - r->wday + 7) % 7 + 7 * (-r->nth - 1);
	return day + r->shift;
}

static long observe(long day, enum obs obs)
{
	int wd = weekday(day);

	if (wd == 0 && obs != AS_IS)
		return day + 1;
	if (wd == 6 && obs == NEAREST)
		return day - 1;
	return day;
}

/* Does rule r put day (in year y) off the regular session? */
static int rule_hits(const struct rule *r, long day, int y)
{
	long d;

	if (y < r->from || y > r->to || (r->every && y % r->every))
		return 0;
	d = rule_date(r, y);
	if (r->days && !(r->days & 1u << weekday(d)))
		return 0;
	return observe(d, r->obs) == day;
}

/*
 * The built-in kind of a date.  Closures win over early closes, so a rule
 * list in any order gives the same answer.
 */
static enum cal_day builtin_kind(long day, int y, int m, int d, int *close_min)
{
	int early = 0;
	size_t i;

	*close_min = CLOSE;
	if (weekday(day) == 0 || weekday(day) == 6)
		return CAL_CLOSED;
	for (i = 0; i < NELEM(oneoffs); i++) {
		if (oneoffs[i].y != y || oneoffs[i].m != m || oneoffs[i].d != d)
			continue;
		if (!oneoffs[i].close)
			return CAL_CLOSED;
		early = oneoffs[i].close;
	}
	for (i = 0; i < NELEM(rules); i++) {
		if (!rule_hits(&rules[i], day, y))
			continue;
		if (!rules[i].close)
			return CAL_CLOSED;
		early = rules[i].close;
	}
	if (!early)
		return CAL_FULL;
	*close_min = early;
	return CAL_EARLY;
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

	if (o) {
		*close_min = o->kind == CAL_EARLY ? o->close_min : CLOSE;
		return o->kind;
	}
	return builtin_kind(day, y, m, d, close_min);
}

int cal_us_symbol(const char *s)
{
	size_t i = 0, k;

	while ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9'))
		i++;
	if (i == 0)
		return 0;
	if (!s[i])
		return 1;
	if (s[i] != '-')
		return 0;
	for (k = i + 1; s[k] >= 'A' && s[k] <= 'Z'; k++)
		;
	return !s[k] && k - i - 1 >= 1 && k - i - 1 <= 2;
}

int cal_new_york(const char *tz)
{
	return strcmp(tz, CAL_TZ) == 0 || strcmp(tz, "US/Eastern") == 0 ||
	       strcmp(tz, "EST5EDT") == 0;
}

enum cal_day cal_nyse_day(int y, int mon, int d)
{
	int close_min;

	return day_kind(bt_days_from_civil(y, mon, d), y, mon, d, &close_min);
}

int cal_day_info(long day, struct cal_info *out)
{
	int i = (int)((unsigned long)day % NCACHE), close_min;
	struct cal_info *ci = &cache[i];
	long y;

	if (cache_ok[i] && ci->day == day) {
		*out = *ci;
		return 0;
	}
	memset(ci, 0, sizeof(*ci));
	cache_ok[i] = 0;
	ci->day = day;
	bt_civil_from_days(day, &y, &ci->mon, &ci->d);
	ci->y = (int)y;
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

	if (cal_day_info(bt_days_from_civil(y, mon, d), &ci) < 0 || ci.kind == CAL_CLOSED)
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
		long cy;
		int cm, cd;

		o->day = bt_days_from_civil(y, m, d);
		bt_civil_from_days(o->day, &cy, &cm, &cd);
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
