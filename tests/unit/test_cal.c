/* Unit tests for lib/cal: NYSE holidays, early closes, observance rules,
 * every non-standard day from 1990 to 2030, DST session bounds, next
 * session and the override file. */
#include "bt.h"
#include "cal.h"
#include "unit.h"

#include <stdlib.h>
#include <unistd.h>

static const char *kind_name(enum cal_day k)
{
	return k == CAL_CLOSED ? "closed" : k == CAL_FULL ? "full" : "early";
}

struct day_case {
	const char *date;
	enum cal_day want;
	const char *why;
};

static const struct day_case days[] = {
	/* 2026 full holidays */
	{ "2026-01-01", CAL_CLOSED, "New Year's Day (Thu)" },
	{ "2026-01-19", CAL_CLOSED, "MLK Day" },
	{ "2026-02-16", CAL_CLOSED, "Presidents' Day" },
	{ "2026-04-03", CAL_CLOSED, "Good Friday" },
	{ "2026-05-25", CAL_CLOSED, "Memorial Day" },
	{ "2026-06-19", CAL_CLOSED, "Juneteenth (Fri)" },
	{ "2026-07-03", CAL_CLOSED, "Independence Day observed (Jul 4 Sat)" },
	{ "2026-09-07", CAL_CLOSED, "Labor Day" },
	{ "2026-11-26", CAL_CLOSED, "Thanksgiving" },
	{ "2026-12-25", CAL_CLOSED, "Christmas (Fri)" },
	/* 2026 early closes */
	{ "2026-11-27", CAL_EARLY, "day after Thanksgiving" },
	{ "2026-12-24", CAL_EARLY, "Christmas Eve (Thu)" },
	/* 2026 ordinary days around them */
	{ "2026-01-02", CAL_FULL, "Friday after New Year's" },
	{ "2026-01-03", CAL_CLOSED, "Saturday" },
	{ "2026-01-04", CAL_CLOSED, "Sunday" },
	{ "2026-04-02", CAL_FULL, "Thursday before Good Friday" },
	{ "2026-04-06", CAL_FULL, "Easter Monday" },
	{ "2026-07-02", CAL_FULL, "Jul 2 is no early close" },
	{ "2026-12-31", CAL_FULL, "New Year's Eve" },
	{ "2026-12-23", CAL_FULL, "Dec 23" },
	/* observance in other years */
	{ "2021-12-24", CAL_CLOSED, "Christmas 2021 on Sat -> Fri" },
	{ "2021-12-31", CAL_FULL, "New Year's 2022 on Sat: not observed" },
	{ "2022-01-03", CAL_FULL, "Monday after a Saturday New Year's" },
	{ "2023-01-02", CAL_CLOSED, "New Year's 2023 on Sun -> Mon" },
	{ "2022-06-20", CAL_CLOSED, "Juneteenth 2022 on Sun -> Mon" },
	{ "2021-06-18", CAL_FULL, "no Juneteenth before 2022" },
	{ "2027-06-18", CAL_CLOSED, "Juneteenth 2027 on Sat -> Fri" },
	{ "2027-07-05", CAL_CLOSED, "Independence Day 2027 on Sun -> Mon" },
	{ "2027-12-24", CAL_CLOSED, "Christmas 2027 on Sat -> Fri" },
	{ "2027-12-31", CAL_FULL, "New Year's 2028 on Sat: not observed" },
	{ "2022-12-26", CAL_CLOSED, "Christmas 2022 on Sun -> Mon" },
	{ "2020-07-03", CAL_CLOSED, "Independence Day 2020 on Sat -> Fri" },
	{ "1997-01-20", CAL_FULL, "no MLK Day before 1998" },
	{ "1998-01-19", CAL_CLOSED, "MLK Day 1998" },
	{ "2025-04-18", CAL_CLOSED, "Good Friday 2025" },
	{ "2024-03-29", CAL_CLOSED, "Good Friday 2024" },
	{ "2025-05-26", CAL_CLOSED, "Memorial Day 2025" },
	{ "2025-11-27", CAL_CLOSED, "Thanksgiving 2025" },
	/* early closes in other years */
	{ "2019-07-03", CAL_EARLY, "Jul 3 Wednesday since 2013" },
	{ "2024-07-03", CAL_EARLY, "Jul 3 2024 Wednesday" },
	{ "2025-07-03", CAL_EARLY, "Jul 3 2025 Thursday" },
	{ "2023-07-03", CAL_EARLY, "Jul 3 2023 Monday" },
	{ "2012-07-03", CAL_EARLY, "Jul 3 2012 Tuesday" },
	{ "2002-07-03", CAL_FULL, "Jul 3 Wednesday before 2013" },
	{ "2025-12-24", CAL_EARLY, "Christmas Eve 2025 Wednesday" },
	{ "2020-12-24", CAL_EARLY, "Christmas Eve 2020 Thursday" },
	{ "2021-11-26", CAL_EARLY, "day after Thanksgiving 2021" },
	{ "2023-12-24", CAL_CLOSED, "Christmas Eve 2023 Sunday" },
};

struct sess_case {
	const char *date, *open, *close;
};

static const struct sess_case sessions[] = {
	{ "2026-01-05", "2026-01-05T14:30:00Z", "2026-01-05T21:00:00Z" },
	{ "2026-07-06", "2026-07-06T13:30:00Z", "2026-07-06T20:00:00Z" },
	{ "2026-03-06", "2026-03-06T14:30:00Z", "2026-03-06T21:00:00Z" },
	{ "2026-03-09", "2026-03-09T13:30:00Z", "2026-03-09T20:00:00Z" },
	{ "2026-10-30", "2026-10-30T13:30:00Z", "2026-10-30T20:00:00Z" },
	{ "2026-11-02", "2026-11-02T14:30:00Z", "2026-11-02T21:00:00Z" },
	{ "2026-11-27", "2026-11-27T14:30:00Z", "2026-11-27T18:00:00Z" },
	{ "2025-07-03", "2025-07-03T13:30:00Z", "2025-07-03T17:00:00Z" },
};

struct next_case {
	const char *t, *open, *close;
};

static const struct next_case nexts[] = {
	{ "2026-07-02T15:00:00Z", "2026-07-02T13:30:00Z", "2026-07-02T20:00:00Z" },
	{ "2026-07-02T13:30:00Z", "2026-07-02T13:30:00Z", "2026-07-02T20:00:00Z" },
	{ "2026-07-02T20:00:00Z", "2026-07-06T13:30:00Z", "2026-07-06T20:00:00Z" },
	{ "2026-07-02T08:00:00Z", "2026-07-02T13:30:00Z", "2026-07-02T20:00:00Z" },
	{ "2026-12-24T23:00:00Z", "2026-12-28T14:30:00Z", "2026-12-28T21:00:00Z" },
	{ "2026-11-25T21:00:00Z", "2026-11-27T14:30:00Z", "2026-11-27T18:00:00Z" },
};

static void date_of(const char *s, int *y, int *m, int *d)
{
	*y = atoi(s);
	*m = atoi(s + 5);
	*d = atoi(s + 8);
}

static const char *iso(time_t t, char *buf)
{
	return bt_format_iso(t, buf);
}

/*
 * Every weekday from 1990 to 2030 that is not a regular 09:30-16:00
 * session, from exchange_calendars' XNYS rules (us_holidays.py and the
 * adhoc lists of exchange_calendar_xnys.py, evaluated independently with
 * pandas): C closed, E13 / E14 early close at 13:00 / 14:00.  Every other
 * weekday is a full session and every weekend day is closed.
 */
enum hist_kind { C, E13, E14 };

static const struct hist_case {
	const char *date;
	enum hist_kind kind;
	const char *why;
} history[] = {
	{ "1990-01-01", C, "New Year's Day" },
	{ "1990-02-19", C, "Presidents' Day" },
	{ "1990-04-13", C, "Good Friday" },
	{ "1990-05-28", C, "Memorial Day" },
	{ "1990-07-04", C, "Independence Day" },
	{ "1990-09-03", C, "Labor Day" },
	{ "1990-11-22", C, "Thanksgiving" },
	{ "1990-12-24", E14, "Christmas Eve" },
	{ "1990-12-25", C, "Christmas" },
	{ "1991-01-01", C, "New Year's Day" },
	{ "1991-02-18", C, "Presidents' Day" },
	{ "1991-03-29", C, "Good Friday" },
	{ "1991-05-27", C, "Memorial Day" },
	{ "1991-07-04", C, "Independence Day" },
	{ "1991-09-02", C, "Labor Day" },
	{ "1991-11-28", C, "Thanksgiving" },
	{ "1991-12-24", E14, "Christmas Eve" },
	{ "1991-12-25", C, "Christmas" },
	{ "1992-01-01", C, "New Year's Day" },
	{ "1992-02-17", C, "Presidents' Day" },
	{ "1992-04-17", C, "Good Friday" },
	{ "1992-05-25", C, "Memorial Day" },
	{ "1992-07-03", C, "Independence Day" },
	{ "1992-09-07", C, "Labor Day" },
	{ "1992-11-26", C, "Thanksgiving" },
	{ "1992-11-27", E14, "day after Thanksgiving" },
	{ "1992-12-24", E14, "Christmas Eve" },
	{ "1992-12-25", C, "Christmas" },
	{ "1993-01-01", C, "New Year's Day" },
	{ "1993-02-15", C, "Presidents' Day" },
	{ "1993-04-09", C, "Good Friday" },
	{ "1993-05-31", C, "Memorial Day" },
	{ "1993-07-05", C, "Independence Day" },
	{ "1993-09-06", C, "Labor Day" },
	{ "1993-11-25", C, "Thanksgiving" },
	{ "1993-11-26", E13, "day after Thanksgiving" },
	{ "1993-12-24", C, "Christmas" },
	{ "1994-02-21", C, "Presidents' Day" },
	{ "1994-04-01", C, "Good Friday" },
	{ "1994-04-27", C, "Richard Nixon's funeral" },
	{ "1994-05-30", C, "Memorial Day" },
	{ "1994-07-04", C, "Independence Day" },
	{ "1994-09-05", C, "Labor Day" },
	{ "1994-11-24", C, "Thanksgiving" },
	{ "1994-11-25", E13, "day after Thanksgiving" },
	{ "1994-12-26", C, "Christmas" },
	{ "1995-01-02", C, "New Year's Day" },
	{ "1995-02-20", C, "Presidents' Day" },
	{ "1995-04-14", C, "Good Friday" },
	{ "1995-05-29", C, "Memorial Day" },
	{ "1995-07-03", E13, "July 3, Mon Tue Thu since 1995" },
	{ "1995-07-04", C, "Independence Day" },
	{ "1995-09-04", C, "Labor Day" },
	{ "1995-11-23", C, "Thanksgiving" },
	{ "1995-11-24", E13, "day after Thanksgiving" },
	{ "1995-12-25", C, "Christmas" },
	{ "1996-01-01", C, "New Year's Day" },
	{ "1996-02-19", C, "Presidents' Day" },
	{ "1996-04-05", C, "Good Friday" },
	{ "1996-05-27", C, "Memorial Day" },
	{ "1996-07-04", C, "Independence Day" },
	{ "1996-07-05", E13, "Friday July 5, 1995-2012" },
	{ "1996-09-02", C, "Labor Day" },
	{ "1996-11-28", C, "Thanksgiving" },
	{ "1996-11-29", E13, "day after Thanksgiving" },
	{ "1996-12-24", E13, "Christmas Eve" },
	{ "1996-12-25", C, "Christmas" },
	{ "1997-01-01", C, "New Year's Day" },
	{ "1997-02-17", C, "Presidents' Day" },
	{ "1997-03-28", C, "Good Friday" },
	{ "1997-05-26", C, "Memorial Day" },
	{ "1997-07-03", E13, "July 3, Mon Tue Thu since 1995" },
	{ "1997-07-04", C, "Independence Day" },
	{ "1997-09-01", C, "Labor Day" },
	{ "1997-11-27", C, "Thanksgiving" },
	{ "1997-11-28", E13, "day after Thanksgiving" },
	{ "1997-12-24", E13, "Christmas Eve" },
	{ "1997-12-25", C, "Christmas" },
	{ "1997-12-26", E13, "one-off early close" },
	{ "1998-01-01", C, "New Year's Day" },
	{ "1998-01-19", C, "MLK Day" },
	{ "1998-02-16", C, "Presidents' Day" },
	{ "1998-04-10", C, "Good Friday" },
	{ "1998-05-25", C, "Memorial Day" },
	{ "1998-07-03", C, "Independence Day" },
	{ "1998-09-07", C, "Labor Day" },
	{ "1998-11-26", C, "Thanksgiving" },
	{ "1998-11-27", E13, "day after Thanksgiving" },
	{ "1998-12-24", E13, "Christmas Eve" },
	{ "1998-12-25", C, "Christmas" },
	{ "1999-01-01", C, "New Year's Day" },
	{ "1999-01-18", C, "MLK Day" },
	{ "1999-02-15", C, "Presidents' Day" },
	{ "1999-04-02", C, "Good Friday" },
	{ "1999-05-31", C, "Memorial Day" },
	{ "1999-07-05", C, "Independence Day" },
	{ "1999-09-06", C, "Labor Day" },
	{ "1999-11-25", C, "Thanksgiving" },
	{ "1999-11-26", E13, "day after Thanksgiving" },
	{ "1999-12-24", C, "Christmas" },
	{ "1999-12-31", E13, "one-off early close" },
	{ "2000-01-17", C, "MLK Day" },
	{ "2000-02-21", C, "Presidents' Day" },
	{ "2000-04-21", C, "Good Friday" },
	{ "2000-05-29", C, "Memorial Day" },
	{ "2000-07-03", E13, "July 3, Mon Tue Thu since 1995" },
	{ "2000-07-04", C, "Independence Day" },
	{ "2000-09-04", C, "Labor Day" },
	{ "2000-11-23", C, "Thanksgiving" },
	{ "2000-11-24", E13, "day after Thanksgiving" },
	{ "2000-12-25", C, "Christmas" },
	{ "2001-01-01", C, "New Year's Day" },
	{ "2001-01-15", C, "MLK Day" },
	{ "2001-02-19", C, "Presidents' Day" },
	{ "2001-04-13", C, "Good Friday" },
	{ "2001-05-28", C, "Memorial Day" },
	{ "2001-07-03", E13, "July 3, Mon Tue Thu since 1995" },
	{ "2001-07-04", C, "Independence Day" },
	{ "2001-09-03", C, "Labor Day" },
	{ "2001-09-11", C, "September 11" },
	{ "2001-09-12", C, "September 11" },
	{ "2001-09-13", C, "September 11" },
	{ "2001-09-14", C, "September 11" },
	{ "2001-11-22", C, "Thanksgiving" },
	{ "2001-11-23", E13, "day after Thanksgiving" },
	{ "2001-12-24", E13, "Christmas Eve" },
	{ "2001-12-25", C, "Christmas" },
	{ "2002-01-01", C, "New Year's Day" },
	{ "2002-01-21", C, "MLK Day" },
	{ "2002-02-18", C, "Presidents' Day" },
	{ "2002-03-29", C, "Good Friday" },
	{ "2002-05-27", C, "Memorial Day" },
	{ "2002-07-04", C, "Independence Day" },
	{ "2002-07-05", E13, "Friday July 5, 1995-2012" },
	{ "2002-09-02", C, "Labor Day" },
	{ "2002-11-28", C, "Thanksgiving" },
	{ "2002-11-29", E13, "day after Thanksgiving" },
	{ "2002-12-24", E13, "Christmas Eve" },
	{ "2002-12-25", C, "Christmas" },
	{ "2003-01-01", C, "New Year's Day" },
	{ "2003-01-20", C, "MLK Day" },
	{ "2003-02-17", C, "Presidents' Day" },
	{ "2003-04-18", C, "Good Friday" },
	{ "2003-05-26", C, "Memorial Day" },
	{ "2003-07-03", E13, "July 3, Mon Tue Thu since 1995" },
	{ "2003-07-04", C, "Independence Day" },
	{ "2003-09-01", C, "Labor Day" },
	{ "2003-11-27", C, "Thanksgiving" },
	{ "2003-11-28", E13, "day after Thanksgiving" },
	{ "2003-12-24", E13, "Christmas Eve" },
	{ "2003-12-25", C, "Christmas" },
	{ "2003-12-26", E13, "one-off early close" },
	{ "2004-01-01", C, "New Year's Day" },
	{ "2004-01-19", C, "MLK Day" },
	{ "2004-02-16", C, "Presidents' Day" },
	{ "2004-04-09", C, "Good Friday" },
	{ "2004-05-31", C, "Memorial Day" },
	{ "2004-06-11", C, "Ronald Reagan's funeral" },
	{ "2004-07-05", C, "Independence Day" },
	{ "2004-09-06", C, "Labor Day" },
	{ "2004-11-25", C, "Thanksgiving" },
	{ "2004-11-26", E13, "day after Thanksgiving" },
	{ "2004-12-24", C, "Christmas" },
	{ "2005-01-17", C, "MLK Day" },
	{ "2005-02-21", C, "Presidents' Day" },
	{ "2005-03-25", C, "Good Friday" },
	{ "2005-05-30", C, "Memorial Day" },
	{ "2005-07-04", C, "Independence Day" },
	{ "2005-09-05", C, "Labor Day" },
	{ "2005-11-24", C, "Thanksgiving" },
	{ "2005-11-25", E13, "day after Thanksgiving" },
	{ "2005-12-26", C, "Christmas" },
	{ "2006-01-02", C, "New Year's Day" },
	{ "2006-01-16", C, "MLK Day" },
	{ "2006-02-20", C, "Presidents' Day" },
	{ "2006-04-14", C, "Good Friday" },
	{ "2006-05-29", C, "Memorial Day" },
	{ "2006-07-03", E13, "July 3, Mon Tue Thu since 1995" },
	{ "2006-07-04", C, "Independence Day" },
	{ "2006-09-04", C, "Labor Day" },
	{ "2006-11-23", C, "Thanksgiving" },
	{ "2006-11-24", E13, "day after Thanksgiving" },
	{ "2006-12-25", C, "Christmas" },
	{ "2007-01-01", C, "New Year's Day" },
	{ "2007-01-02", C, "Gerald Ford's funeral" },
	{ "2007-01-15", C, "MLK Day" },
	{ "2007-02-19", C, "Presidents' Day" },
	{ "2007-04-06", C, "Good Friday" },
	{ "2007-05-28", C, "Memorial Day" },
	{ "2007-07-03", E13, "July 3, Mon Tue Thu since 1995" },
	{ "2007-07-04", C, "Independence Day" },
	{ "2007-09-03", C, "Labor Day" },
	{ "2007-11-22", C, "Thanksgiving" },
	{ "2007-11-23", E13, "day after Thanksgiving" },
	{ "2007-12-24", E13, "Christmas Eve" },
	{ "2007-12-25", C, "Christmas" },
	{ "2008-01-01", C, "New Year's Day" },
	{ "2008-01-21", C, "MLK Day" },
	{ "2008-02-18", C, "Presidents' Day" },
	{ "2008-03-21", C, "Good Friday" },
	{ "2008-05-26", C, "Memorial Day" },
	{ "2008-07-03", E13, "July 3, Mon Tue Thu since 1995" },
	{ "2008-07-04", C, "Independence Day" },
	{ "2008-09-01", C, "Labor Day" },
	{ "2008-11-27", C, "Thanksgiving" },
	{ "2008-11-28", E13, "day after Thanksgiving" },
	{ "2008-12-24", E13, "Christmas Eve" },
	{ "2008-12-25", C, "Christmas" },
	{ "2009-01-01", C, "New Year's Day" },
	{ "2009-01-19", C, "MLK Day" },
	{ "2009-02-16", C, "Presidents' Day" },
	{ "2009-04-10", C, "Good Friday" },
	{ "2009-05-25", C, "Memorial Day" },
	{ "2009-07-03", C, "Independence Day" },
	{ "2009-09-07", C, "Labor Day" },
	{ "2009-11-26", C, "Thanksgiving" },
	{ "2009-11-27", E13, "day after Thanksgiving" },
	{ "2009-12-24", E13, "Christmas Eve" },
	{ "2009-12-25", C, "Christmas" },
	{ "2010-01-01", C, "New Year's Day" },
	{ "2010-01-18", C, "MLK Day" },
	{ "2010-02-15", C, "Presidents' Day" },
	{ "2010-04-02", C, "Good Friday" },
	{ "2010-05-31", C, "Memorial Day" },
	{ "2010-07-05", C, "Independence Day" },
	{ "2010-09-06", C, "Labor Day" },
	{ "2010-11-25", C, "Thanksgiving" },
	{ "2010-11-26", E13, "day after Thanksgiving" },
	{ "2010-12-24", C, "Christmas" },
	{ "2011-01-17", C, "MLK Day" },
	{ "2011-02-21", C, "Presidents' Day" },
	{ "2011-04-22", C, "Good Friday" },
	{ "2011-05-30", C, "Memorial Day" },
	{ "2011-07-04", C, "Independence Day" },
	{ "2011-09-05", C, "Labor Day" },
	{ "2011-11-24", C, "Thanksgiving" },
	{ "2011-11-25", E13, "day after Thanksgiving" },
	{ "2011-12-26", C, "Christmas" },
	{ "2012-01-02", C, "New Year's Day" },
	{ "2012-01-16", C, "MLK Day" },
	{ "2012-02-20", C, "Presidents' Day" },
	{ "2012-04-06", C, "Good Friday" },
	{ "2012-05-28", C, "Memorial Day" },
	{ "2012-07-03", E13, "July 3, Mon Tue Thu since 1995" },
	{ "2012-07-04", C, "Independence Day" },
	{ "2012-09-03", C, "Labor Day" },
	{ "2012-10-29", C, "Hurricane Sandy" },
	{ "2012-10-30", C, "Hurricane Sandy" },
	{ "2012-11-22", C, "Thanksgiving" },
	{ "2012-11-23", E13, "day after Thanksgiving" },
	{ "2012-12-24", E13, "Christmas Eve" },
	{ "2012-12-25", C, "Christmas" },
	{ "2013-01-01", C, "New Year's Day" },
	{ "2013-01-21", C, "MLK Day" },
	{ "2013-02-18", C, "Presidents' Day" },
	{ "2013-03-29", C, "Good Friday" },
	{ "2013-05-27", C, "Memorial Day" },
	{ "2013-07-03", E13, "July 3, Wed since 2013" },
	{ "2013-07-04", C, "Independence Day" },
	{ "2013-09-02", C, "Labor Day" },
	{ "2013-11-28", C, "Thanksgiving" },
	{ "2013-11-29", E13, "day after Thanksgiving" },
	{ "2013-12-24", E13, "Christmas Eve" },
	{ "2013-12-25", C, "Christmas" },
	{ "2014-01-01", C, "New Year's Day" },
	{ "2014-01-20", C, "MLK Day" },
	{ "2014-02-17", C, "Presidents' Day" },
	{ "2014-04-18", C, "Good Friday" },
	{ "2014-05-26", C, "Memorial Day" },
	{ "2014-07-03", E13, "July 3, Mon Tue Thu since 1995" },
	{ "2014-07-04", C, "Independence Day" },
	{ "2014-09-01", C, "Labor Day" },
	{ "2014-11-27", C, "Thanksgiving" },
	{ "2014-11-28", E13, "day after Thanksgiving" },
	{ "2014-12-24", E13, "Christmas Eve" },
	{ "2014-12-25", C, "Christmas" },
	{ "2015-01-01", C, "New Year's Day" },
	{ "2015-01-19", C, "MLK Day" },
	{ "2015-02-16", C, "Presidents' Day" },
	{ "2015-04-03", C, "Good Friday" },
	{ "2015-05-25", C, "Memorial Day" },
	{ "2015-07-03", C, "Independence Day" },
	{ "2015-09-07", C, "Labor Day" },
	{ "2015-11-26", C, "Thanksgiving" },
	{ "2015-11-27", E13, "day after Thanksgiving" },
	{ "2015-12-24", E13, "Christmas Eve" },
	{ "2015-12-25", C, "Christmas" },
	{ "2016-01-01", C, "New Year's Day" },
	{ "2016-01-18", C, "MLK Day" },
	{ "2016-02-15", C, "Presidents' Day" },
	{ "2016-03-25", C, "Good Friday" },
	{ "2016-05-30", C, "Memorial Day" },
	{ "2016-07-04", C, "Independence Day" },
	{ "2016-09-05", C, "Labor Day" },
	{ "2016-11-24", C, "Thanksgiving" },
	{ "2016-11-25", E13, "day after Thanksgiving" },
	{ "2016-12-26", C, "Christmas" },
	{ "2017-01-02", C, "New Year's Day" },
	{ "2017-01-16", C, "MLK Day" },
	{ "2017-02-20", C, "Presidents' Day" },
	{ "2017-04-14", C, "Good Friday" },
	{ "2017-05-29", C, "Memorial Day" },
	{ "2017-07-03", E13, "July 3, Mon Tue Thu since 1995" },
	{ "2017-07-04", C, "Independence Day" },
	{ "2017-09-04", C, "Labor Day" },
	{ "2017-11-23", C, "Thanksgiving" },
	{ "2017-11-24", E13, "day after Thanksgiving" },
	{ "2017-12-25", C, "Christmas" },
	{ "2018-01-01", C, "New Year's Day" },
	{ "2018-01-15", C, "MLK Day" },
	{ "2018-02-19", C, "Presidents' Day" },
	{ "2018-03-30", C, "Good Friday" },
	{ "2018-05-28", C, "Memorial Day" },
	{ "2018-07-03", E13, "July 3, Mon Tue Thu since 1995" },
	{ "2018-07-04", C, "Independence Day" },
	{ "2018-09-03", C, "Labor Day" },
	{ "2018-11-22", C, "Thanksgiving" },
	{ "2018-11-23", E13, "day after Thanksgiving" },
	{ "2018-12-05", C, "George H. W. Bush's funeral" },
	{ "2018-12-24", E13, "Christmas Eve" },
	{ "2018-12-25", C, "Christmas" },
	{ "2019-01-01", C, "New Year's Day" },
	{ "2019-01-21", C, "MLK Day" },
	{ "2019-02-18", C, "Presidents' Day" },
	{ "2019-04-19", C, "Good Friday" },
	{ "2019-05-27", C, "Memorial Day" },
	{ "2019-07-03", E13, "July 3, Wed since 2013" },
	{ "2019-07-04", C, "Independence Day" },
	{ "2019-09-02", C, "Labor Day" },
	{ "2019-11-28", C, "Thanksgiving" },
	{ "2019-11-29", E13, "day after Thanksgiving" },
	{ "2019-12-24", E13, "Christmas Eve" },
	{ "2019-12-25", C, "Christmas" },
	{ "2020-01-01", C, "New Year's Day" },
	{ "2020-01-20", C, "MLK Day" },
	{ "2020-02-17", C, "Presidents' Day" },
	{ "2020-04-10", C, "Good Friday" },
	{ "2020-05-25", C, "Memorial Day" },
	{ "2020-07-03", C, "Independence Day" },
	{ "2020-09-07", C, "Labor Day" },
	{ "2020-11-26", C, "Thanksgiving" },
	{ "2020-11-27", E13, "day after Thanksgiving" },
	{ "2020-12-24", E13, "Christmas Eve" },
	{ "2020-12-25", C, "Christmas" },
	{ "2021-01-01", C, "New Year's Day" },
	{ "2021-01-18", C, "MLK Day" },
	{ "2021-02-15", C, "Presidents' Day" },
	{ "2021-04-02", C, "Good Friday" },
	{ "2021-05-31", C, "Memorial Day" },
	{ "2021-07-05", C, "Independence Day" },
	{ "2021-09-06", C, "Labor Day" },
	{ "2021-11-25", C, "Thanksgiving" },
	{ "2021-11-26", E13, "day after Thanksgiving" },
	{ "2021-12-24", C, "Christmas" },
	{ "2022-01-17", C, "MLK Day" },
	{ "2022-02-21", C, "Presidents' Day" },
	{ "2022-04-15", C, "Good Friday" },
	{ "2022-05-30", C, "Memorial Day" },
	{ "2022-06-20", C, "Juneteenth" },
	{ "2022-07-04", C, "Independence Day" },
	{ "2022-09-05", C, "Labor Day" },
	{ "2022-11-24", C, "Thanksgiving" },
	{ "2022-11-25", E13, "day after Thanksgiving" },
	{ "2022-12-26", C, "Christmas" },
	{ "2023-01-02", C, "New Year's Day" },
	{ "2023-01-16", C, "MLK Day" },
	{ "2023-02-20", C, "Presidents' Day" },
	{ "2023-04-07", C, "Good Friday" },
	{ "2023-05-29", C, "Memorial Day" },
	{ "2023-06-19", C, "Juneteenth" },
	{ "2023-07-03", E13, "July 3, Mon Tue Thu since 1995" },
	{ "2023-07-04", C, "Independence Day" },
	{ "2023-09-04", C, "Labor Day" },
	{ "2023-11-23", C, "Thanksgiving" },
	{ "2023-11-24", E13, "day after Thanksgiving" },
	{ "2023-12-25", C, "Christmas" },
	{ "2024-01-01", C, "New Year's Day" },
	{ "2024-01-15", C, "MLK Day" },
	{ "2024-02-19", C, "Presidents' Day" },
	{ "2024-03-29", C, "Good Friday" },
	{ "2024-05-27", C, "Memorial Day" },
	{ "2024-06-19", C, "Juneteenth" },
	{ "2024-07-03", E13, "July 3, Wed since 2013" },
	{ "2024-07-04", C, "Independence Day" },
	{ "2024-09-02", C, "Labor Day" },
	{ "2024-11-28", C, "Thanksgiving" },
	{ "2024-11-29", E13, "day after Thanksgiving" },
	{ "2024-12-24", E13, "Christmas Eve" },
	{ "2024-12-25", C, "Christmas" },
	{ "2025-01-01", C, "New Year's Day" },
	{ "2025-01-09", C, "Jimmy Carter's funeral" },
	{ "2025-01-20", C, "MLK Day" },
	{ "2025-02-17", C, "Presidents' Day" },
	{ "2025-04-18", C, "Good Friday" },
	{ "2025-05-26", C, "Memorial Day" },
	{ "2025-06-19", C, "Juneteenth" },
	{ "2025-07-03", E13, "July 3, Mon Tue Thu since 1995" },
	{ "2025-07-04", C, "Independence Day" },
	{ "2025-09-01", C, "Labor Day" },
	{ "2025-11-27", C, "Thanksgiving" },
	{ "2025-11-28", E13, "day after Thanksgiving" },
	{ "2025-12-24", E13, "Christmas Eve" },
	{ "2025-12-25", C, "Christmas" },
	{ "2026-01-01", C, "New Year's Day" },
	{ "2026-01-19", C, "MLK Day" },
	{ "2026-02-16", C, "Presidents' Day" },
	{ "2026-04-03", C, "Good Friday" },
	{ "2026-05-25", C, "Memorial Day" },
	{ "2026-06-19", C, "Juneteenth" },
	{ "2026-07-03", C, "Independence Day" },
	{ "2026-09-07", C, "Labor Day" },
	{ "2026-11-26", C, "Thanksgiving" },
	{ "2026-11-27", E13, "day after Thanksgiving" },
	{ "2026-12-24", E13, "Christmas Eve" },
	{ "2026-12-25", C, "Christmas" },
	{ "2027-01-01", C, "New Year's Day" },
	{ "2027-01-18", C, "MLK Day" },
	{ "2027-02-15", C, "Presidents' Day" },
	{ "2027-03-26", C, "Good Friday" },
	{ "2027-05-31", C, "Memorial Day" },
	{ "2027-06-18", C, "Juneteenth" },
	{ "2027-07-05", C, "Independence Day" },
	{ "2027-09-06", C, "Labor Day" },
	{ "2027-11-25", C, "Thanksgiving" },
	{ "2027-11-26", E13, "day after Thanksgiving" },
	{ "2027-12-24", C, "Christmas" },
	{ "2028-01-17", C, "MLK Day" },
	{ "2028-02-21", C, "Presidents' Day" },
	{ "2028-04-14", C, "Good Friday" },
	{ "2028-05-29", C, "Memorial Day" },
	{ "2028-06-19", C, "Juneteenth" },
	{ "2028-07-03", E13, "July 3, Mon Tue Thu since 1995" },
	{ "2028-07-04", C, "Independence Day" },
	{ "2028-09-04", C, "Labor Day" },
	{ "2028-11-23", C, "Thanksgiving" },
	{ "2028-11-24", E13, "day after Thanksgiving" },
	{ "2028-12-25", C, "Christmas" },
	{ "2029-01-01", C, "New Year's Day" },
	{ "2029-01-15", C, "MLK Day" },
	{ "2029-02-19", C, "Presidents' Day" },
	{ "2029-03-30", C, "Good Friday" },
	{ "2029-05-28", C, "Memorial Day" },
	{ "2029-06-19", C, "Juneteenth" },
	{ "2029-07-03", E13, "July 3, Mon Tue Thu since 1995" },
	{ "2029-07-04", C, "Independence Day" },
	{ "2029-09-03", C, "Labor Day" },
	{ "2029-11-22", C, "Thanksgiving" },
	{ "2029-11-23", E13, "day after Thanksgiving" },
	{ "2029-12-24", E13, "Christmas Eve" },
	{ "2029-12-25", C, "Christmas" },
	{ "2030-01-01", C, "New Year's Day" },
	{ "2030-01-21", C, "MLK Day" },
	{ "2030-02-18", C, "Presidents' Day" },
	{ "2030-04-19", C, "Good Friday" },
	{ "2030-05-27", C, "Memorial Day" },
	{ "2030-06-19", C, "Juneteenth" },
	{ "2030-07-03", E13, "July 3, Wed since 2013" },
	{ "2030-07-04", C, "Independence Day" },
	{ "2030-09-02", C, "Labor Day" },
	{ "2030-11-28", C, "Thanksgiving" },
	{ "2030-11-29", E13, "day after Thanksgiving" },
	{ "2030-12-24", E13, "Christmas Eve" },
	{ "2030-12-25", C, "Christmas" },
};

static const char *hist_name(enum hist_kind k)
{
	return k == C ? "closed" : k == E13 ? "early 13:00" : "early 14:00";
}

/* What the calendar says of a day, in the table's terms. */
static const char *got_name(const struct cal_info *ci, char *buf, size_t n)
{
	struct tm tm;

	if (ci->kind == CAL_CLOSED)
		return "closed";
	bt_local_tm("America/New_York", ci->close, &tm);
	if (ci->kind == CAL_FULL)
		snprintf(buf, n, "full (close %02d:%02d)", tm.tm_hour, tm.tm_min);
	else
		snprintf(buf, n, "early %02d:%02d", tm.tm_hour, tm.tm_min);
	return buf;
}

static void test_history(void)
{
	long day = bt_days_from_civil(1990, 1, 1), end = bt_days_from_civil(2030, 12, 31);
	long ndays = 0, bad = 0, nsess = 0;
	size_t i = 0;
	struct cal_info ci;
	char want[64], buf[64], date[BT_ISO_LEN];
	const char *got;
	struct tm tm;

	for (; day <= end; day++, ndays++) {
		bt_format_iso((time_t)day * BT_DAY, date);
		date[10] = '\0';
		if (cal_day_info(day, &ci) < 0) {
			CHECK(0, "%s: no calendar answer", date);
			return;
		}
		if (i < sizeof(history) / sizeof(history[0]) &&
		    strcmp(history[i].date, date) == 0)
			snprintf(want, sizeof(want), "%s", hist_name(history[i++].kind));
		else if ((day + 4) % 7 == 0 || (day + 4) % 7 == 6)
			snprintf(want, sizeof(want), "closed");
		else
			snprintf(want, sizeof(want), "full (close 16:00)");
		got = got_name(&ci, buf, sizeof(buf));
		if (ci.kind != CAL_CLOSED) {
			nsess++;
			bt_local_tm("America/New_York", ci.open, &tm);
			if (tm.tm_hour != 9 || tm.tm_min != 30)
				got = "an open other than 09:30";
		}
		if (strcmp(got, want) != 0 && ++bad <= 20)
			CHECK(0, "%s is %s, want %s (%s)", date, got, want,
			      i && strcmp(history[i - 1].date, date) == 0 ? history[i - 1].why
									: "regular day");
	}
	CHECK(i == sizeof(history) / sizeof(history[0]), "the table is in date order (%zu of %zu used)",
	      i, sizeof(history) / sizeof(history[0]));
	CHECK(bad == 0, "NYSE 1990-2030: %ld days, %ld sessions, %zu non-standard days, %ld disagree",
	      ndays, nsess, sizeof(history) / sizeof(history[0]), bad);
}

/* Before 1990 (the rules hold from 1971): a few known days. */
static void test_older(void)
{
	static const struct day_case c[] = {
		{ "1972-12-28", CAL_CLOSED, "Truman's funeral" },
		{ "1973-01-25", CAL_CLOSED, "Johnson's funeral" },
		{ "1976-11-02", CAL_CLOSED, "Election Day 1976" },
		{ "1980-11-04", CAL_CLOSED, "Election Day 1980" },
		{ "1978-11-07", CAL_FULL, "Election Day only every four years" },
		{ "1984-11-06", CAL_FULL, "no Election Day after 1980" },
		{ "1977-07-14", CAL_CLOSED, "New York City blackout" },
		{ "1985-09-27", CAL_CLOSED, "Hurricane Gloria" },
		{ "1985-11-29", CAL_FULL, "no early close after Thanksgiving before 1992" },
		{ "1985-12-24", CAL_EARLY, "Christmas Eve (14:00 before 1993)" },
		{ "1989-07-03", CAL_FULL, "no July 3 early close before 1995" },
	};
	size_t i;
	int y, m, d;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		date_of(c[i].date, &y, &m, &d);
		CHECK_STR(kind_name(cal_nyse_day(y, m, d)), kind_name(c[i].want), "%s %s",
			  c[i].date, c[i].why);
	}
}

static void test_days(void)
{
	size_t i;
	int y, m, d;

	for (i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
		date_of(days[i].date, &y, &m, &d);
		CHECK_STR(kind_name(cal_nyse_day(y, m, d)), kind_name(days[i].want),
			  "%s %s", days[i].date, days[i].why);
	}
}

static void test_sessions(void)
{
	char a[BT_ISO_LEN], b[BT_ISO_LEN];
	time_t o = 0, c = 0;
	size_t i;
	int y, m, d;

	for (i = 0; i < sizeof(sessions) / sizeof(sessions[0]); i++) {
		date_of(sessions[i].date, &y, &m, &d);
		CHECK(cal_session(y, m, d, &o, &c) == 1, "session %s trades",
		      sessions[i].date);
		CHECK_STR(iso(o, a), sessions[i].open, "open %s", sessions[i].date);
		CHECK_STR(iso(c, b), sessions[i].close, "close %s", sessions[i].date);
	}
	CHECK(cal_session(2026, 12, 25, &o, &c) == 0, "no session on Christmas");
	CHECK(cal_session(2026, 3, 7, &o, &c) == 0, "no session on Saturday");
}

static void test_next(void)
{
	char a[BT_ISO_LEN], b[BT_ISO_LEN];
	time_t t, o = 0, c = 0;
	size_t i;

	for (i = 0; i < sizeof(nexts) / sizeof(nexts[0]); i++) {
		bt_parse_iso(nexts[i].t, &t);
		CHECK(cal_next_session(t, &o, &c) == 0, "next after %s", nexts[i].t);
		CHECK_STR(iso(o, a), nexts[i].open, "next open after %s", nexts[i].t);
		CHECK_STR(iso(c, b), nexts[i].close, "next close after %s", nexts[i].t);
	}
}

static void test_info_at(void)
{
	static const struct {
		const char *t;
		int d;
	} c[] = {
		{ "2026-07-07T03:59:59Z", 6 }, /* 23:59:59 EDT */
		{ "2026-07-07T04:00:00Z", 7 },
		{ "2026-01-06T04:59:59Z", 5 }, /* 23:59:59 EST */
		{ "2026-01-06T05:00:00Z", 6 },
	};
	struct cal_info ci;
	size_t i;
	time_t t;
	int y, m, d;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		bt_parse_iso(c[i].t, &t);
		CHECK(cal_info_at(t, &ci) == 0 && ci.d == c[i].d,
		      "local date of %s is day %d", c[i].t, c[i].d);
	}
	{
		long ly;

		bt_civil_from_days(bt_days_from_civil(2024, 2, 29), &ly, &m, &d);
		y = (int)ly;
	}
	CHECK(y == 2024 && m == 2 && d == 29, "day number round trip");
	CHECK(bt_days_from_civil(1970, 1, 1) == 0, "epoch is day 0");
}

static const char *write_file(const char *text)
{
	static char path[64];
	FILE *fp;
	int fd;

	snprintf(path, sizeof(path), "/tmp/test_cal.XXXXXX");
	fd = mkstemp(path);
	fp = fdopen(fd, "w");
	fputs(text, fp);
	fclose(fp);
	return path;
}

static void test_overrides(void)
{
	static const struct {
		const char *text;
		const char *why; /* NULL when the file is valid */
	} bad[] = {
		{ "2025-13-01,closed\n", ":1: want" },
		{ "# c\n2025-02-30,closed\n", ":2: want" },
		{ "2025-01-09,open\n", ":1: want" },
		{ "2025-01-09,early\n", ":1: want" },
		{ "2025-01-09,early,17:00\n", ":1: want" },
		{ "2025-01-09,closed,x\n", ":1: want" },
		{ "\n\n20250109,closed\n", ":3: want" },
	};
	char why[200], a[BT_ISO_LEN];
	const char *p;
	time_t o, c;
	size_t i;

	CHECK(cal_nyse_day(2025, 1, 9) == CAL_CLOSED, "2025-01-09 closed without an override");
	CHECK(cal_nyse_day(2029, 1, 10) == CAL_FULL, "2029-01-10 before overrides");
	p = write_file("# days of mourning and ad-hoc closures\n"
		       "2029-01-10,closed\n"
		       "\n"
		       "  2026-07-02,early,13:00  \n"
		       "2026-11-27,early,12:00\n"
		       "2028-03-01,closed\r\n");
	CHECK(cal_load_overrides(p, why, sizeof(why)) == 0, "override file loads");
	unlink(p);
	CHECK(cal_nyse_day(2029, 1, 10) == CAL_CLOSED, "override closes 2029-01-10");
	CHECK(cal_nyse_day(2028, 3, 1) == CAL_CLOSED, "override closes 2028-03-01");
	CHECK(cal_session(2026, 11, 27, &o, &c) == 1 && strcmp(iso(c, a), "2026-11-27T17:00:00Z") == 0,
	      "an override replaces a built-in early close (12:00 EST)");
	CHECK(cal_nyse_day(2026, 7, 2) == CAL_EARLY, "override early 2026-07-02");
	CHECK(cal_session(2026, 7, 2, &o, &c) == 1, "early override still trades");
	CHECK_STR(iso(c, a), "2026-07-02T17:00:00Z", "override close 13:00 EDT");
	CHECK(cal_nyse_day(2026, 7, 6) == CAL_FULL, "other days unchanged");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = write_file(bad[i].text);
		why[0] = '\0';
		CHECK(cal_load_overrides(p, why, sizeof(why)) == -1 &&
			      strstr(why, bad[i].why),
		      "bad override %zu rejected naming %s (%s)", i, bad[i].why, why);
		unlink(p);
	}
	CHECK(cal_load_overrides("/nonexistent/x", why, sizeof(why)) == -1,
	      "missing override file");
	p = write_file("2026-08-03,closed\n2026-08-04,shut\n");
	CHECK(cal_load_overrides(p, why, sizeof(why)) == -1, "half-bad file fails");
	unlink(p);
	CHECK(cal_nyse_day(2026, 8, 3) == CAL_FULL, "a failed file loads nothing");
}

int main(void)
{
	test_days();
	test_history();
	test_older();
	test_sessions();
	test_next();
	test_info_at();
	test_overrides();
	return unit_failed;
}
