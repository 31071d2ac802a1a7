#include "cron.h"
#include "bt.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CRON_HORIZON (10L * 366 * BT_DAY) /* Feb 29 alone can wait 8 years */

struct field {
	const char *name;
	int lo, hi;
	const char *const *names; /* names[i] is value lo + i... see name_base */
	int name_base;
	unsigned star;
};

static const char *const month_names[] = { "JAN", "FEB", "MAR", "APR", "MAY", "JUN",
					   "JUL", "AUG", "SEP", "OCT", "NOV", "DEC", NULL };
static const char *const dow_names[] = { "SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT",
					 NULL };

static const struct field fields[5] = {
	{ "minute", 0, 59, NULL, 0, CRON_MIN_STAR },
	{ "hour", 0, 23, NULL, 0, CRON_HOUR_STAR },
	{ "day-of-month", 1, 31, NULL, 0, CRON_DOM_STAR },
	{ "month", 1, 12, month_names, 1, 0 },
	{ "day-of-week", 0, 7, dow_names, 0, CRON_DOW_STAR },
};

static const struct { const char *name, *expr; } macros[] = {
	{ "@yearly", "0 0 1 1 *" },   { "@annually", "0 0 1 1 *" },
	{ "@monthly", "0 0 1 * *" },  { "@weekly", "0 0 * * 0" },
	{ "@daily", "0 0 * * *" },    { "@midnight", "0 0 * * *" },
	{ "@hourly", "0 * * * *" },
};

/* One value: digits, or a name when the field has names.  *s advances. */
static int value(const struct field *f, const char **s, int *out, char *why, size_t n)
{
	const char *p = *s;
	long v = 0;
	int i;

	if (isdigit((unsigned char)*p)) {
		while (isdigit((unsigned char)*p)) {
			v = v * 10 + (*p++ - '0');
			if (v > 99999)
				v = 99999; /* saturate: only the range check reads it */
		}
	} else if (f->names && isalpha((unsigned char)*p)) {
		for (i = 0; f->names[i]; i++)
			if (strncasecmp(p, f->names[i], 3) == 0 && !isalpha((unsigned char)p[3]))
				break;
		if (!f->names[i]) {
			snprintf(why, n, "%s: unknown name '%.12s'", f->name, p);
			return -1;
		}
		v = i + f->name_base;
		p += 3;
	} else {
		snprintf(why, n, "%s: bad value '%.12s'", f->name, *p ? p : "(empty)");
		return -1;
	}
	if (v < f->lo || v > f->hi) {
		snprintf(why, n, "%s: %.*s out of range %d-%d", f->name, (int)(p - *s < 20 ? p - *s : 20),
			 *s, f->lo, f->hi);
		return -1;
	}
	*s = p;
	*out = (int)v;
	return 0;
}

/* One list element: "*", "N", "A-B", each with an optional "/S" except N. */
static int element(const struct field *f, const char *s, uint64_t *bits, char *why, size_t n)
{
	const char *start = s;
	int a, b, step = 1, v;
	char *end;
	long st;

	if (*s == '*') {
		a = f->lo;
		b = f->hi;
		s++;
	} else {
		if (value(f, &s, &a, why, n) < 0)
			return -1;
		b = a;
		if (*s == '-') {
			s++;
			if (value(f, &s, &b, why, n) < 0)
				return -1;
			if (a > b) {
				snprintf(why, n, "%s: range %d-%d is reversed", f->name, a, b);
				return -1;
			}
		} else if (*s == '/') {
			snprintf(why, n, "%s: step needs a range or '*' ('%.12s'; write %d-%d/...)",
				 f->name, start, a, f->hi);
			return -1;
		}
	}
	if (*s == '/') {
		st = strtol(s + 1, &end, 10);
		if (!isdigit((unsigned char)s[1]) || st < 1 || st > f->hi + 1) {
			snprintf(why, n, "%s: bad step '%.12s' (1-%d)", f->name, s + 1, f->hi + 1);
			return -1;
		}
		step = (int)st;
		s = end;
	}
	if (*s) {
		snprintf(why, n, "%s: unexpected '%.12s' in '%.24s'", f->name, s, start);
		return -1;
	}
	for (v = a; v <= b; v += step)
		*bits |= 1ULL << v;
	return 0;
}

static int parse_field(const struct field *f, char *text, uint64_t *bits, unsigned *flags,
		       char *why, size_t n)
{
	char *tok, *save = NULL;
	size_t len = strlen(text);

	*bits = 0;
	if (text[0] == '*')
		*flags |= f->star;
	if (len == 0 || text[0] == ',' || text[len - 1] == ',' || strstr(text, ",,")) {
		snprintf(why, n, "%s: empty list element in '%.24s'", f->name, text);
		return -1;
	}
	for (tok = strtok_r(text, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (element(f, tok, bits, why, n) < 0)
			return -1;
	return 0;
}

int cron_parse(const char *expr, struct cron *c, char *why, size_t n)
{
	char buf[256], *tok[6], *save = NULL, *p;
	uint64_t bits[5];
	size_t i, nf = 0;

	memset(c, 0, sizeof(*c));
	while (isspace((unsigned char)*expr))
		expr++;
	if (*expr == '@') {
		for (i = 0; i < sizeof(macros) / sizeof(macros[0]); i++)
			if (strcasecmp(expr, macros[i].name) == 0)
				return cron_parse(macros[i].expr, c, why, n);
		snprintf(why, n, "unknown macro '%.24s' (@hourly @daily @midnight @weekly "
			 "@monthly @yearly @annually)", expr);
		return -1;
	}
	if (strlen(expr) >= sizeof(buf)) {
		snprintf(why, n, "expression longer than %zu characters", sizeof(buf) - 1);
		return -1;
	}
	strcpy(buf, expr);
	for (p = strtok_r(buf, " \t\n", &save); p; p = strtok_r(NULL, " \t\n", &save)) {
		if (nf == 6)
			break;
		tok[nf++] = p;
	}
	if (nf != 5) {
		snprintf(why, n, "expected 5 fields (minute hour day-of-month month "
			 "day-of-week), got %s%zu", nf == 6 ? "more than " : "", nf == 6 ? 5 : nf);
		return -1;
	}
	for (i = 0; i < 5; i++)
		if (parse_field(&fields[i], tok[i], &bits[i], &c->flags, why, n) < 0)
			return -1;
	c->minute = bits[0];
	c->hour = (uint32_t)bits[1];
	c->dom = (uint32_t)bits[2];
	c->month = (uint16_t)bits[3];
	c->dow = (uint8_t)((bits[4] | bits[4] >> 7) & 0x7f);
	return 0;
}

static int day_match(const struct cron *c, const struct tm *tm)
{
	int dom = (c->dom >> tm->tm_mday) & 1, dow = (c->dow >> tm->tm_wday) & 1;

	if (c->flags & (CRON_DOM_STAR | CRON_DOW_STAR))
		return dom && dow;
	return dom || dow;
}

int cron_match(const struct cron *c, const struct tm *tm)
{
	return ((c->month >> (tm->tm_mon + 1)) & 1) && day_match(c, tm) &&
	       ((c->hour >> tm->tm_hour) & 1) && ((c->minute >> tm->tm_min) & 1);
}

/*
 * "Naive" seconds: a local wall time read as if it were UTC, so calendar
 * arithmetic on wall times is plain timegm()/gmtime_r() arithmetic.
 */
static time_t naive(time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	return t + tm.tm_gmtoff;
}

static long offset_at(time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	return tm.tm_gmtoff;
}

/*
 * The first instant whose wall time is g, or, when the wall time is
 * skipped by a forward jump, the first instant after the jump.  Assumes at
 * most one offset change within a day of g, as every real zone does.
 */
static time_t wall_first(time_t g)
{
	time_t ta = g - offset_at(g - BT_DAY), tb = g - offset_at(g + BT_DAY);
	time_t lo, hi, mid;
	int va = naive(ta) == g, vb = naive(tb) == g;

	if (va && vb)
		return ta < tb ? ta : tb;
	if (va || vb)
		return va ? ta : tb;
	lo = ta < tb ? ta : tb; /* wall before g */
	hi = ta < tb ? tb : ta; /* wall after g */
	if (naive(lo) >= g || naive(hi) <= g)
		return ta;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (naive(mid) > g)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

static time_t next_month(time_t g)
{
	struct tm tm;

	gmtime_r(&g, &tm);
	tm.tm_mon++;
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	return timegm(&tm);
}

/* Fixed-time jobs: walk wall times; wall_first() is monotone in them. */
static int next_fixed(const struct cron *c, time_t after, time_t *out)
{
	time_t g = naive(after), limit = g + CRON_HORIZON, t;
	struct tm tm;

	g -= g % 60;
	while (g < limit) {
		gmtime_r(&g, &tm);
		if (!((c->month >> (tm.tm_mon + 1)) & 1)) {
			g = next_month(g);
		} else if (!day_match(c, &tm)) {
			g = g - g % BT_DAY + BT_DAY;
		} else if (!((c->hour >> tm.tm_hour) & 1)) {
			g = g - g % 3600 + 3600;
		} else if (!((c->minute >> tm.tm_min) & 1)) {
			g += 60;
		} else {
			t = wall_first(g);
			if (t > after) {
				*out = t;
				return 0;
			}
			g += 60;
		}
	}
	return -1;
}

/* Wildcard schedules: walk real minutes, skipping whole mismatched units. */
static int next_wild(const struct cron *c, time_t after, time_t *out)
{
	time_t t = after - after % 60 + 60, limit = t + CRON_HORIZON, g, nt;
	struct tm tm;

	while (t < limit) {
		localtime_r(&t, &tm);
		g = t + tm.tm_gmtoff;
		g -= g % 60;
		if (!((c->month >> (tm.tm_mon + 1)) & 1))
			nt = wall_first(next_month(g));
		else if (!day_match(c, &tm))
			nt = wall_first(g - g % BT_DAY + BT_DAY);
		else if (!((c->hour >> tm.tm_hour) & 1))
			nt = wall_first(g - g % 3600 + 3600);
		else if (!((c->minute >> tm.tm_min) & 1))
			nt = t + 60;
		else {
			*out = t;
			return 0;
		}
		/* A backward jump can put the next wall unit behind us. */
		t = nt > t ? nt : t + 60;
	}
	return -1;
}

int cron_next(const struct cron *c, const char *tz, time_t after, time_t *next)
{
	if (bt_set_tz(tz) < 0)
		return -1;
	if (c->flags & (CRON_MIN_STAR | CRON_HOUR_STAR))
		return next_wild(c, after, next);
	return next_fixed(c, after, next);
}
