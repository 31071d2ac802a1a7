/*
 * fetch_req: shaping Yahoo chart requests for fetch-bars: the URL of one
 * window and the split of long windows into chunks the provider accepts.
 * Functions return 0 on success and -1 on failure (nothing allocates).
 */
#ifndef FETCH_REQ_H
#define FETCH_REQ_H

#include <stddef.h>
#include <time.h>

#define FETCH_DEFAULT_BASE "https://query2.finance.yahoo.com"

/*
 * Percent-encode s (RFC 3986: everything but ALPHA DIGIT - . _ ~) into
 * dst of size n.  -1 when it does not fit.
 */
int fetch_encode(char *dst, size_t n, const char *s);

/*
 * BASE/v8/finance/chart/SYM?period1=S&period2=E&interval=I
 * &includePrePost=false&events=div,splits into dst of size n; a trailing
 * slash on base is ignored.  -1 when it does not fit.
 */
int fetch_url(char *dst, size_t n, const char *base, const char *symbol,
	      const char *interval, time_t start, time_t end);

/*
 * Number of requests [start, end) needs when one request may cover at
 * most chunk_days days (0: any length).  Chunk i (from 0) is
 * [start + i*span, min(end, start + (i+1)*span)).
 */
long fetch_nchunks(time_t start, time_t end, long chunk_days);
void fetch_chunk(time_t start, time_t end, long chunk_days, long i,
		 time_t *cs, time_t *ce);

#endif
