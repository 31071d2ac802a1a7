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
	return ra > d ? ra : d;
}

void fetch_bucket_init(struct fetch_bucket *b, double rate, double now)
{
	b->rate = b->cur = rate;
	b->tokens = 1;
	b->last = b->hold = now;
}

double fetch_bucket_take(struct fetch_bucket *b, double now)
{
	if (now < b->hold)
		return b->hold - now;
	if (b->rate <= 0)
		return 0;
	if (now > b->last) {
		b->tokens += (now - b->last) * b->cur;
		if (b->tokens > 1)
			b->tokens = 1;
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
	if (ra > 0 && now + ra > b->hold)
		b->hold = now + ra;
	if (b->rate <= 0)
		return;
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
