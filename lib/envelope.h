/*
 * envelope: the NDJSON contract between fetch-bars and normalize-bars.
 *
 * One line per provider response, one JSON object with these keys in
 * this order:
 *
 *   {"symbol":"AAPL","interval":"5m","start":"2026-11-20T00:00:00Z",
 *    "end":"2026-11-24T21:30:00Z","provider":"yahoo","status":200,
 *    "fetched_at":"2026-11-24T21:30:02Z","attempts":1,"body":{...}}
 *
 *   symbol      the plan row's symbol (lib/sym rules, so never escaped)
 *   interval    a lib/sym interval name
 *   start, end  the window asked for, ISO-8601 UTC, end exclusive
 *   provider    the name of normalize-bars' jq program ("yahoo", "stooq")
 *   status      the HTTP status of the answer (fetch-bars writes only 200s)
 *   fetched_at  when the answer was complete: BARS_NOW or the clock, so
 *               bars not yet ended then are dropped by normalize-bars
 *   attempts    requests it took (1 unless retried)
 *   body        the provider's response: JSON as compacted by yajl (see
 *               lib/fetch_body), or for text providers a JSON string
 *
 * The line ends in "}\n" and contains no other line break.  Readers take
 * every key as optional except body (normalize-bars: provider defaults to
 * yahoo, status to 200, fetched_at to the clock); writers write them all.
 * fetch-bars writes the lines in plan order, so the same plan and answers
 * at the same BARS_NOW give the same bytes.
 *
 * The writer builds the text up to the body so a caller can put it in
 * front of a body it already holds (no copy of the body); the line is
 * head, body, ENVELOPE_TAIL.
 */
#ifndef ENVELOPE_H
#define ENVELOPE_H

#include <stddef.h>
#include <time.h>

/* Longest head: 32-byte symbols, escaping included, with room to spare. */
#define ENVELOPE_HEAD_MAX 512
#define ENVELOPE_TAIL "}\n"

struct envelope {
	const char *symbol, *interval, *provider;
	time_t start, end, fetched_at;
	int status, attempts;
};

/*
 * Write the line's head (from "{" to "\"body\":") into dst of size n
 * (ENVELOPE_HEAD_MAX is always enough for lib/sym symbols and intervals).
 * Returns its length, or -1 when it does not fit.
 */
int envelope_head(char *dst, size_t n, const struct envelope *e);

#endif
