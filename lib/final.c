#include "final.h"
#include "bt.h"
#include "cal.h"
#include "exitcode.h"
#include "msg.h"
#include "norm_time.h"

#include <ctype.h>
#include <stdlib.h>
#include <time.h>

long final_parse_settle(const char *s)
{
	char *end;
	long m;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	m = strtol(s, &end, 10);
	if (*end || m > FINAL_SETTLE_MAX_MINUTES)
		return -1;
	return m * 60;
}

long final_settle(void)
{
	const char *env = getenv("BARS_SETTLE_MINUTES");
	long s;

	if (!env || !*env)
		return FINAL_SETTLE_DEFAULT;
	if ((s = final_parse_settle(env)) < 0)
		msg_die(EXIT_USAGE, "BARS_SETTLE_MINUTES: want minutes from 0 to %d: %s",
			FINAL_SETTLE_MAX_MINUTES, env);
	return s;
}

/* The close of the first session on or after the date of t (1d bars). */
static int first_close(time_t t, time_t *close)
{
	struct cal_info ci;
	long day, i;

	if (cal_info_at(t, &ci) < 0)
		return -1;
	for (day = ci.day, i = 0; i < 31; i++) {
		if (cal_day_info(day + i, &ci) < 0)
			return -1;
		if (ci.kind != CAL_CLOSED) {
			*close = ci.close;
			return 0;
		}
	}
	return 1; /* no session within a month: not an NYSE date range */
}

/* The close of the last session in [t, end) (weekly and longer bars). */
static int last_close(time_t t, time_t end, time_t *close)
{
	struct cal_info ci;
	long first, day;

	if (cal_info_at(t, &ci) < 0)
		return -1;
	first = ci.day;
	if (cal_info_at(end - 1, &ci) < 0)
		return -1;
	for (day = ci.day; day >= first; day--) {
		if (cal_day_info(day, &ci) < 0)
			return -1;
		if (ci.kind != CAL_CLOSED) {
			*close = ci.close;
			return 0;
		}
	}
	return 1;
}

/*
 * Where the calendar length of a daily or longer bar keyed at key ends:
 * local midnight in tz, or without a zone the same days and months on the
 * UTC calendar, the key's time of day kept (timegm() normalises).
 */
static int calendar_end(const struct sym_interval *iv, const char *tz, time_t key, time_t *out)
{
	struct tm tm;

	if (tz)
		return norm_bar_end(iv, tz, key, out);
	if (!gmtime_r(&key, &tm))
		return -1;
	tm.tm_mon += iv->months;
	tm.tm_mday += iv->days;
	*out = timegm(&tm);
	return 0;
}

/* An intraday bar ends after its interval, or at its session's close
 * when that comes first (the last bar of a session is short). */
static int intraday_end(const struct sym_interval *iv, int nyse, time_t key, time_t *out)
{
	struct cal_info ci;

	*out = key + iv->seconds;
	if (!nyse)
		return 0;
	if (cal_info_at(key, &ci) < 0)
		return -1;
	if (ci.kind != CAL_CLOSED && key < ci.close && *out > ci.close)
		*out = ci.close;
	return 0;
}

int final_at(const struct sym_interval *iv, int nyse, const char *tz, time_t t,
	     long settle, time_t *out)
{
	time_t end, close;
	int rc;

	if (iv->intraday)
		return intraday_end(iv, nyse, t, out);
	if (calendar_end(iv, nyse ? "America/New_York" : tz, t, &end) < 0)
		return -1;
	if (!nyse) {
		*out = end;
		return 0;
	}
	rc = iv->days == 1 ? first_close(t, &close) : last_close(t, end, &close);
	if (rc < 0)
		return -1;
	*out = rc == 0 ? close + settle : end;
	return 0;
}
