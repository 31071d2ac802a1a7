/*
 * cron: five-field cron expressions with Vixie/cronie semantics, and the
 * next fire time in a named time zone.
 *
 * Syntax (cronie crontab(5)): minute 0-59, hour 0-23, day-of-month 1-31,
 * month 1-12 or JAN-DEC, day-of-week 0-7 or SUN-SAT (0 and 7 are Sunday).
 * Names are case-insensitive and allowed in ranges and lists.  Each field
 * is a list of "*", "N", "A-B", "*\/S" or "A-B/S"; like cronie, a bare
 * "N/S" is rejected (write "N-MAX/S").  Macros: @hourly @daily @midnight
 * @weekly @monthly @yearly @annually.
 *
 * Day rule (cronie): when both day-of-month and day-of-week are restricted
 * a day matching either fires; a field that starts with '*' (so "*\/2"
 * too) counts as unrestricted, and then both must match.
 *
 * DST (cronie cron(8)): a job whose minute and hour fields are both fixed
 * (neither starts with '*') is a fixed-time job: a wall time skipped by a
 * forward jump fires once at the first instant after the jump, and a wall
 * time repeated by a backward jump fires once, on its first occurrence.
 * Every other schedule fires at each real minute whose local wall time
 * matches (so twice in a repeated hour, never in a skipped one).
 *
 * Functions return 0, or -1 with a sentence naming the field in why[].
 * cron_next() switches TZ through lib/bt (not thread-safe).
 */
#ifndef CRON_H
#define CRON_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum {
	CRON_MIN_STAR = 1,  /* minute field starts with '*' */
	CRON_HOUR_STAR = 2,
	CRON_DOM_STAR = 4,
	CRON_DOW_STAR = 8,
};

struct cron {
	uint64_t minute; /* bit n: minute n */
	uint32_t hour;   /* bit n: hour n */
	uint32_t dom;    /* bit n: day n, 1-31 */
	uint16_t month;  /* bit n: month n, 1-12 */
	uint8_t dow;     /* bit n: weekday n, 0-6 (7 folded into 0) */
	unsigned flags;
};

int cron_parse(const char *expr, struct cron *c, char *why, size_t n);
/* Does broken-down wall time tm (tm_min..tm_wday) match the fields? */
int cron_match(const struct cron *c, const struct tm *tm);
/*
 * The first fire time strictly after `after` in zone tz (a zoneinfo name
 * such as "America/New_York").  Returns -1 when tz is unknown or nothing
 * fires within ten years (such as "0 0 30 2 *").
 */
int cron_next(const struct cron *c, const char *tz, time_t after, time_t *next);

#endif
