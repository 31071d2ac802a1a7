/* fetch_retry: retry verdicts, backoff and the token bucket; see .h. */
#include "fetch_retry.h"

enum fetch_verdict fetch_classify_http(long status)
{
	if (status == 200)
		return FETCH_OK;
	if (status == 408 || status == 425 || status == 429 ||
	    (status >= 500 && status <= 599))
		return FETCH_RETRY;
	return FETCH_FAIL;
}

double fetch_backoff(long base_ms, int attempt, double ra, double rnd)
{
	double d = base_ms / 1000.0;
	int i;

	for (i = 1; i < attempt && d < FETCH_BACKOFF_MAX; i++)
		d *= 2;
	if (d > FETCH_BACKOFF_MAX)
		d = FETCH_BACKOFF_MAX;
	d = d / 2 + d / 2 * rnd;
	if (ra > FETCH_RETRY_AFTER_MAX)
		ra = FETCH_RETRY_AFTER_MAX;
	return ra > d ? ra : d;
}

void fetch_bucket_init(struct fetch_bucket *b, double rate, double now)
{
	b->rate = b->cur = rate;
	b->tokens = 1;
	b->last = b->hold = b->calm = now;
}

double fetch_bucket_take(struct fetch_bucket *b, double now)
{
	if (now < b->hold)
		return b->hold - now;
	if (b->rate <= 0)
		return 0;
	if (now > b->last) {
		b->tokens += (now - b->last) * b->cur;
		/* Up to half a token of credit, so a caller that wakes a
		 * little late catches up instead of losing the time. */
		if (b->tokens > FETCH_BUCKET_CAP)
			b->tokens = FETCH_BUCKET_CAP;
		b->last = now;
	}
	if (b->tokens >= 1 - 1e-9) {
		b->tokens -= 1;
		return 0;
	}
	return (1 - b->tokens) / b->cur;
}

void fetch_bucket_throttled(struct fetch_bucket *b, double now, double ra)
{
	if (ra > FETCH_RETRY_AFTER_MAX)
		ra = FETCH_RETRY_AFTER_MAX;
	if (ra > 0 && now + ra > b->hold)
		b->hold = now + ra;
	/* 429s of requests already in flight report the same overload:
	 * slow down once per second at most, like TCP once per RTT. */
	if (b->rate <= 0 || now < b->calm)
		return;
	b->calm = now + 1.0;
	b->cur /= 2;
	if (b->cur < b->rate / 16)
		b->cur = b->rate / 16;
}

void fetch_bucket_ok(struct fetch_bucket *b)
{
	if (b->rate <= 0)
		return;
	b->cur += b->rate / 20;
	if (b->cur > b->rate)
		b->cur = b->rate;
}
