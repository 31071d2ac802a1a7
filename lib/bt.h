/*
 * bt: bar time.  All times are time_t seconds since the epoch, UTC.
 *
 * Parsing returns 0 on success and -1 on a malformed string; formatting
 * writes into a caller buffer of at least BT_ISO_LEN bytes.  Time-zone
 * functions switch TZ internally (not thread-safe, like localtime()).
 */
#ifndef BT_H
#define BT_H

#include <time.h>

#define BT_ISO_LEN 21 /* "YYYY-MM-DDTHH:MM:SSZ" plus NUL */
#define BT_DAY 86400L /* seconds in a UTC day */

/*
 * Civil dates as day numbers: days since 1970-01-01 of a proleptic
 * Gregorian date (Howard Hinnant's algorithms), and back.  Pure arithmetic,
 * no time zone; the one copy of this for every module.
 */
long bt_days_from_civil(long y, long mon, long d);
void bt_civil_from_days(long day, long *y, int *mon, int *d);

/* Now, or BARS_NOW (ISO-8601 UTC or epoch seconds) when set.  Dies on a
 * malformed BARS_NOW so a test never silently runs on the real clock. */
time_t bt_now(void);

/*
 * "YYYY-MM-DDTHH:MM:SSZ", "YYYY-MM-DDTHH:MMZ" or "YYYY-MM-DD" (00:00Z), with
 * a year from BT_YEAR_MIN to BT_YEAR_MAX.  A leap second (:60) is refused:
 * time_t has none, so it would silently become the next minute.
 */
#define BT_YEAR_MIN 1900
#define BT_YEAR_MAX 2199
int bt_parse_iso(const char *s, time_t *out);
/* Why s is not a time bt_parse_iso() takes; NULL when it is one. */
const char *bt_iso_why(const char *s);
/* Like bt_parse_iso() but also plain epoch seconds (within those years). */
int bt_parse_time(const char *s, time_t *out);
/* 1 when t lies within the years BT_YEAR_MIN..BT_YEAR_MAX. */
int bt_in_range(time_t t);
/* Why s is not a time bt_parse_time() takes ("leap second ...", "year
 * outside 1900-2199", ...); NULL when it is one.  For messages. */
const char *bt_time_why(const char *s);
/* Times outside years 0-9999 are written as the nearest end of that range. */
char *bt_format_iso(time_t t, char *buf);

/* Set the process time zone ("America/New_York", "UTC"); -1 when the
 * zone is unknown to the system zoneinfo. Cached: repeated calls are cheap. */
int bt_set_tz(const char *tz);
/* 00:00 local (in tz) of the local date containing t, as UTC epoch. */
int bt_local_midnight(const char *tz, time_t t, time_t *out);
/* Broken-down local time of t in tz. */
int bt_local_tm(const char *tz, time_t t, struct tm *out);
/* UTC epoch of local wall time (y, mon 1-12, d, h, m) in tz.  A wall time
 * skipped by DST resolves to the instant right after the jump. */
int bt_local_to_utc(const char *tz, int y, int mon, int d, int h, int m,
		    time_t *out);

#endif
