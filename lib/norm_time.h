/*
 * norm_time: bar keys and bar ends for normalize-bars.
 *
 * Intraday bars are keyed by their start instant.  Daily and longer bars
 * are keyed by their trading date in the exchange time zone: 00:00 local of
 * that date, as a UTC epoch.  Functions return 0, or -1 when the time zone
 * is unknown to the system.
 */
#ifndef NORM_TIME_H
#define NORM_TIME_H

#include <time.h>

#include "sym.h"

/*
 * Trading-date key of a daily+ bar stamped at instant t.  A stamp at
 * exactly 22:00 or 23:00 local is Yahoo's DST slip of the next midnight
 * (yfinance fix_Yahoo_dst_issue) and keys the following date.
 */
int norm_day_key(const char *tz, time_t t, time_t *out);
/* Key of the trading date y-m-d (Stooq rows): 00:00 local in tz. */
int norm_date_key(const char *tz, int y, int m, int d, time_t *out);
/*
 * When the bar keyed at key ends: key + interval for intraday bars; for
 * daily+ bars the local midnight after the interval's calendar length
 * (sym_interval days/months: 1d a day, 5d and 1wk a week, 1mo and 3mo one
 * and three months).
 */
int norm_bar_end(const struct sym_interval *iv, const char *tz, time_t key, time_t *out);

#endif
