/*
 * events: the corporate-actions CSV contract, written by normalize-bars
 * --events and read by load-bars --events and validate-bars --events.
 *
 *   symbol,ts,kind,value,numerator,denominator
 *
 * ts is the ex-date keyed like a daily bar: 00:00 of that date in the
 * exchange time zone, as ISO-8601 UTC.  kind is dividend, split or
 * capital_gain (readers accept any [a-z_]{1,32}, as EVENT_OTHER, so a new
 * kind does not break an old loader).  value is the amount per share in the
 * provider's current (split-adjusted) units, or for a split its ratio
 * numerator / denominator; numerator and denominator are a split's, empty
 * otherwise.  Numbers are plain decimals, the shortest that round-trip;
 * an empty field is a null.  No field ever needs CSV quoting.
 */
#ifndef EVENTS_H
#define EVENTS_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "sym.h"

#define EVENTS_NCOLS 6
#define EVENTS_KIND_MAX 32
extern const char *const events_header[EVENTS_NCOLS];

enum event_kind { EVENT_DIVIDEND, EVENT_SPLIT, EVENT_CAPITAL_GAIN, EVENT_OTHER };

struct event {
	char symbol[SYM_MAX + 1];
	time_t ts;
	enum event_kind kind;
	char kind_name[EVENTS_KIND_MAX + 1];
	int has_value, has_ratio; /* has_ratio: numerator and denominator */
	double value, numerator, denominator;
};

/* "dividend", "split", "capital_gain"; NULL for EVENT_OTHER. */
const char *events_kind_name(enum event_kind k);
/*
 * Parse one record into e: 0, or -1 with *why set to a short static
 * reason naming the field ("bad ts").  A split without a value gets its
 * ratio as value.
 */
int events_parse(char **f, size_t n, struct event *e, const char **why);
/* A split's ratio (numerator / denominator, else value); 0 when unknown. */
double events_split_ratio(const struct event *e);
/* Write the header line / one event.  0, or -1 on a write error. */
int events_write_header(FILE *fp);
int events_write(FILE *fp, const struct event *e);
/* One event as its line (newline included) into buf (EVENTS_LINE_MAX
 * bytes); its length.  The line is also valid input for PostgreSQL's COPY
 * (FORMAT csv), an empty field being a null. */
#define EVENTS_LINE_MAX (SYM_MAX + EVENTS_KIND_MAX + 3 * 64 + 32)
size_t events_format(const struct event *e, char *buf);

#endif
