/*
 * cal: the NYSE trading calendar (built-in rules plus an override file).
 *
 * Regular session 09:30-16:00 America/New_York.  The built-in rules are
 * exchange_calendars' XNYS (exchange_calendar_xnys.py, us_holidays.py; see
 * ../shared/notes/FACTS.md), complete from 1971 on and checked day by day
 * from 1990 to 2030 (tests/unit/test_cal.c):
 *
 *   full holidays: New Year's Day (Sunday -> Monday; a Saturday is not
 *   observed), MLK Day (3rd Monday of January, since 1998), Presidents' Day
 *   (3rd Monday of February), Good Friday, Memorial Day (last Monday of
 *   May), Juneteenth (since 2022), Independence Day, Labor Day (1st Monday
 *   of September), Thanksgiving (4th Thursday of November), Christmas;
 *   fixed dates on a Saturday move to Friday, on a Sunday to Monday.
 *   Election Day every four years until 1980.
 *
 *   early closes: Christmas Eve Monday-Thursday and the day after
 *   Thanksgiving (since 1992) at 14:00 until 1992, 13:00 since 1993; July 3
 *   on a Monday, Tuesday or Thursday since 1995, on a Wednesday since 2013;
 *   Friday July 5 from 1995 to 2012.
 *
 *   one-off days: the closures for national days of mourning, September 11
 *   2001, hurricanes Gloria and Sandy, the 1977 blackout, and the early
 *   closes of 1997-12-26, 1999-12-31 and 2003-12-26.
 *
 * An override file adds future one-off days and wins over the rules.
 * Session bounds are cached per date, so repeated lookups do not touch TZ.
 * Not thread-safe (like bt).  Functions return 0 on success and -1 on
 * failure unless stated otherwise.
 */
#ifndef CAL_H
#define CAL_H

#include <stddef.h>
#include <time.h>

enum cal_day { CAL_CLOSED = 0, CAL_FULL = 1, CAL_EARLY = 2 };

/*
 * Does the NYSE calendar apply?  To plain US symbols: [A-Z0-9]+ with an
 * optional -A or -AB class suffix (AAPL, BRK-B); not to ^GSPC, EURUSD=X,
 * BTC-USD or 7203.T.  And to the New York time zone under its names
 * (America/New_York, US/Eastern, EST5EDT).  1 yes, 0 no.
 */
int cal_us_symbol(const char *s);
int cal_new_york(const char *tz);

/* Kind of NYSE day for a local date (y, mon 1-12, d). */
enum cal_day cal_nyse_day(int y, int mon, int d);

/* 1 when the market trades that date, with *open and *close as UTC epochs;
 * 0 when closed. */
int cal_session(int y, int mon, int d, time_t *open, time_t *close);

/* The session containing t, or the next one starting after t: 0 with
 * open/close, -1 none within 30 days. */
int cal_next_session(time_t t, time_t *open, time_t *close);

/* Load an override file: CSV lines `YYYY-MM-DD,closed` or
 * `YYYY-MM-DD,early,HH:MM` (# comments allowed); 0, or -1 with why
 * (a message of at most n bytes naming the line). */
int cal_load_overrides(const char *path, char *why, size_t n);

/*
 * Extensions for hot loops (validate-bars, sched-plan).  Dates are day
 * numbers (bt_days_from_civil) of the local (New York) calendar date.
 * Session bounds are computed once per date and cached, so a lookup that
 * hits the cache does not switch TZ.  The answer is copied into the
 * caller's struct: nothing the caller holds is ever overwritten by a later
 * lookup, however many dates it walks.  0, or -1 when the time zone data
 * is missing.
 */
struct cal_info {
	long day;
	int y, mon, d;
	enum cal_day kind;
	time_t midnight;    /* 00:00 local of the date, UTC epoch */
	time_t open, close; /* session bounds; 0 when closed */
};
int cal_day_info(long day, struct cal_info *out);
/* The New York date containing t. */
int cal_info_at(time_t t, struct cal_info *out);

#endif
