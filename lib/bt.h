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

/* Now, or BARS_NOW (ISO-8601 UTC or epoch seconds) when set.  Dies on a
 * malformed BARS_NOW so a test never silently runs on the real clock. */
time_t bt_now(void);

/* "YYYY-MM-DDTHH:MM:SSZ", "YYYY-MM-DDTHH:MMZ" or "YYYY-MM-DD" (00:00Z). */
int bt_parse_iso(const char *s, time_t *out);
/* Like bt_parse_iso() but also plain epoch seconds. */
int bt_parse_time(const char *s, time_t *out);
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
