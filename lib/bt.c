#include "bt.h"
#include "exitcode.h"
#include "msg.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

time_t bt_now(void)
{
	const char *env = getenv("BARS_NOW");
	time_t t;

	if (!env || !*env)
		return time(NULL);
	if (bt_parse_time(env, &t) < 0)
		msg_die(EXIT_USAGE, "BARS_NOW: %s: %s", bt_time_why(env), env);
	return t;
}

static int digits(const char *s, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : d[m - 1];
}

/* timegm() is several times slower and validate-bars calls this per row. */
long bt_days_from_civil(long y, long m, long d)
{
	long era, yoe, doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* The parse behind bt_parse_iso(): NULL, or why s is refused. */
static const char *parse_iso(const char *s, time_t *out)
{
	int y, mo, d, h = 0, mi = 0, se = 0;
	size_t len = strlen(s);

	if (len < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d))
		return "not ISO-8601 UTC or epoch seconds";
	if (len == 10)
		goto done;
	if (s[10] != 'T' && s[10] != ' ')
		return "not ISO-8601 UTC or epoch seconds";
	if (len == 17 && s[16] == 'Z' && !digits(s + 11, 2, &h) && s[13] == ':' &&
	    !digits(s + 14, 2, &mi))
		goto done;
	if (len != 20 || s[19] != 'Z' || digits(s + 11, 2, &h) || s[13] != ':' ||
	    digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &se))
		return "not ISO-8601 UTC or epoch seconds";
done:
	if (y < BT_YEAR_MIN || y > BT_YEAR_MAX)
		return "year outside 1900-2199";
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return "no such date";
	if (se == 60)
		return "leap second (:60) not allowed";
	if (h > 23 || mi > 59 || se > 59)
		return "hour, minute or second out of range";
	*out = (time_t)(bt_days_from_civil(y, mo, d) * BT_DAY + h * 3600L + mi * 60L + se);
	return NULL;
}

int bt_parse_iso(const char *s, time_t *out)
{
	return parse_iso(s, out) ? -1 : 0;
}

const char *bt_iso_why(const char *s)
{
	time_t t;
	const char *why = parse_iso(s, &t);

	return why && !strcmp(why, "not ISO-8601 UTC or epoch seconds")
		       ? "want YYYY-MM-DD[THH:MM[:SS]Z]" : why;
}

/* Epoch seconds of 1900-01-01 and of 2200-01-01. */
#define EPOCH_MIN (-2208988800LL)
#define EPOCH_END 7258118400LL

int bt_in_range(time_t t)
{
	return (long long)t >= EPOCH_MIN && (long long)t < EPOCH_END;
}

const char *bt_time_why(const char *s)
{
	const char *why;
	char *end;
	long long v;
	time_t t;

	if (!(why = parse_iso(s, &t)))
		return NULL;
	if (!isdigit((unsigned char)*s))
		return why;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end)
		return why;
	if (errno || !bt_in_range((time_t)v))
		return "epoch seconds outside the years 1900-2199";
	return NULL;
}

int bt_parse_time(const char *s, time_t *out)
{
	if (bt_parse_iso(s, out) == 0)
		return 0;
	if (bt_time_why(s))
		return -1;
	*out = (time_t)strtoll(s, NULL, 10);
	return 0;
}

void bt_civil_from_days(long z, long *y, int *m, int *d)
{
	long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* Arithmetic, not gmtime_r()+strftime(): this runs once per bar written. */
char *bt_format_iso(time_t t, char *buf)
{
	long days = (long)(t / BT_DAY), s = (long)(t % BT_DAY), y;
	int m, d;

	if (s < 0) {
		s += BT_DAY;
		days--;
	}
	bt_civil_from_days(days, &y, &m, &d);
	/* Four digits of year is all the format (and buf) holds: a time
	 * outside years 0-9999 is written as the nearest end of that range,
	 * never past the buffer.  Callers bound their inputs well inside. */
	if (y < 0 || y > 9999) {
		snprintf(buf, BT_ISO_LEN, "%s", y < 0 ? "0000-01-01T00:00:00Z" : "9999-12-31T23:59:59Z");
		return buf;
	}
	snprintf(buf, BT_ISO_LEN, "%04ld-%02d-%02dT%02ld:%02ld:%02ldZ", y, m, d,
		 s / 3600, s / 60 % 60, s % 60);
	return buf;
}

int bt_set_tz(const char *tz)
{
	static char current[128];
	char path[256];

	if (strcmp(current, tz) == 0)
		return 0;
	/* glibc silently falls back to UTC for unknown zones; check the file. */
	if (strcmp(tz, "UTC") != 0 && tz[0] != ':') {
		if (strstr(tz, "..") || tz[0] == '/')
			return -1;
		snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", tz);
		if (access(path, R_OK) < 0)
			return -1;
	}
	if (setenv("TZ", tz, 1) < 0)
		return -1;
	tzset();
	snprintf(current, sizeof(current), "%s", tz);
	return 0;
}

int bt_local_tm(const char *tz, time_t t, struct tm *out)
{
	if (bt_set_tz(tz) < 0)
		return -1;
	return localtime_r(&t, out) ? 0 : -1;
}

int bt_local_to_utc(const char *tz, int y, int mon, int d, int h, int m,
		    time_t *out)
{
	struct tm tm = { 0 };
	time_t t;

	if (bt_set_tz(tz) < 0)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (t == (time_t)-1)
		return -1;
	/*
	 * In a skipped hour mktime() normalises using the offset it guessed,
	 * which can land before the jump; the first valid instant is the jump
	 * itself, i.e. the local wall time rounded down to the hour boundary.
	 */
	if (tm.tm_hour != h || tm.tm_min != m) {
		struct tm chk;

		t -= t % 3600;
		localtime_r(&t, &chk);
		if (chk.tm_hour < h && chk.tm_mday == d)
			t += 3600;
	}
	*out = t;
	return 0;
}

int bt_local_midnight(const char *tz, time_t t, time_t *out)
{
	struct tm tm;

	if (bt_local_tm(tz, t, &tm) < 0)
		return -1;
	return bt_local_to_utc(tz, tm.tm_year + 1900, tm.tm_mon + 1,
			       tm.tm_mday, 0, 0, out);
}
