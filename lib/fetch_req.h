/*
 * fetch_req: shaping Yahoo chart requests for fetch-bars: the URL of one
 * window (the split of long windows is lib/span's).
 * Functions return 0 on success and -1 on failure (nothing allocates).
 */
#ifndef FETCH_REQ_H
#define FETCH_REQ_H

#include <stddef.h>
#include <time.h>

#define FETCH_DEFAULT_BASE "https://query2.finance.yahoo.com"

/*
 * Percent-encode s with libcurl (RFC 3986: everything but ALPHA DIGIT
 * - . _ ~) into dst of size n.  -1 when it does not fit.
 */
int fetch_encode(char *dst, size_t n, const char *s);

/* 0 when base parses as an http or https URL with a host (libcurl's URL
 * parser), -1 otherwise. */
int fetch_base_ok(const char *base);

/*
 * BASE/v8/finance/chart/SYM?period1=S&period2=E&interval=I
 * &includePrePost=false&events=div,splits into dst of size n; a trailing
 * slash on base is ignored.  -1 when it does not fit.
 */
int fetch_url(char *dst, size_t n, const char *base, const char *symbol,
	      const char *interval, time_t start, time_t end);

#endif
