#include "norm_time.h"
#include "bt.h"


int norm_day_key(const char *tz, time_t t, time_t *out)
{
	struct tm tm;

	if (bt_local_tm(tz, t, &tm) < 0)
		return -1;
	if (tm.tm_min == 0 && tm.tm_sec == 0 && (tm.tm_hour == 22 || tm.tm_hour == 23))
		tm.tm_mday++; /* mktime() normalises the overflow */
	return bt_local_to_utc(tz, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, 0, 0, out);
}

int norm_date_key(const char *tz, int y, int m, int d, time_t *out)
{
	return bt_local_to_utc(tz, y, m, d, 0, 0, out);
}

int norm_bar_end(const struct sym_interval *iv, const char *tz, time_t key, time_t *out)
{
	struct tm tm;

	if (iv->intraday) {
		*out = key + iv->seconds;
		return 0;
	}
	if (bt_local_tm(tz, key, &tm) < 0)
		return -1;
	return bt_local_to_utc(tz, tm.tm_year + 1900, tm.tm_mon + 1 + iv->months,
			       tm.tm_mday + iv->days, 0, 0, out);
}
