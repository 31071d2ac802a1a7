/* span: the provider's history limit and window chunking; see span.h. */
#include "span.h"
#include "bt.h"

int span_oldest(const struct sym_interval *iv, time_t now, time_t *oldest)
{
	if (iv->history_days <= 0)
		return -1;
	*oldest = now - (time_t)iv->history_days * BT_DAY;
	return 0;
}

int span_earliest(const struct sym_interval *iv, time_t now, time_t *t)
{
	long step = iv->seconds < BT_DAY ? iv->seconds : BT_DAY;
	time_t e;
	long r;

	if (span_oldest(iv, now, &e) < 0)
		return -1;
	e += 1;
	r = (long)((e % step + step) % step); /* e may lie before 1970 */
	*t = r ? e - r + step : e;
	return 0;
}

time_t span_reach(const struct sym_interval *iv, time_t now, time_t min)
{
	time_t t;

	if (span_earliest(iv, now, &t) < 0 || t < min)
		return min;
	return t;
}

long span_nchunks(const struct sym_interval *iv, time_t start, time_t end)
{
	long long span = (long long)iv->chunk_days * BT_DAY;

	if (end <= start)
		return 0;
	if (span <= 0)
		return 1;
	return (long)(((long long)(end - start) + span - 1) / span);
}

void span_chunk(const struct sym_interval *iv, time_t start, time_t end,
		long i, time_t *cs, time_t *ce)
{
	long long span = (long long)iv->chunk_days * BT_DAY;

	if (span <= 0) {
		*cs = start;
		*ce = end;
		return;
	}
	*cs = (time_t)(start + i * span);
	*ce = (time_t)(start + (i + 1) * span);
	if (*ce > end)
		*ce = end;
}
