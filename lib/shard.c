#include "shard.h"
#include "hash.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned shard_of(const char *symbol, unsigned n)
{
	return (unsigned)(hash_fnv1a(HASH_FNV_BASIS, symbol, strlen(symbol)) % n);
}

int shard_has(const struct shard *s, const char *symbol)
{
	return s->n == 0 || shard_of(symbol, s->n) == s->k;
}

/* A decimal of digits only, in [min, max]. */
static int count(const char *s, const char *end, unsigned long min, unsigned long max,
		 unsigned *out)
{
	unsigned long v = 0;

	if (s == end || end - s > 9)
		return -1;
	for (; s < end; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v < min || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int shard_parse(const char *text, struct shard *s, char *why, size_t n)
{
	const char *slash = strchr(text, '/');

	if (!slash || count(slash + 1, slash + strlen(slash), 1, SHARD_MAX, &s->n) < 0 ||
	    count(text, slash, 0, s->n - 1, &s->k) < 0) {
		snprintf(why, n, "not K/N with 0 <= K < N <= %d: '%.40s'", SHARD_MAX, text);
		s->n = 0;
		return -1;
	}
	return 0;
}

int shard_from_env(struct shard *s, char *why, size_t n)
{
	const char *one = getenv("STOCKBARS_SHARD"), *total = getenv("STOCKBARS_SHARDS");
	const char *index = getenv("JOB_COMPLETION_INDEX");
	char text[64], err[96];

	s->k = s->n = 0;
	if (one && *one) {
		if (shard_parse(one, s, err, sizeof(err)) == 0)
			return 0;
		snprintf(why, n, "STOCKBARS_SHARD: %s", err);
		return -1;
	}
	if (!index || !*index) {
		if (!total || !*total)
			return 0;
		snprintf(why, n, "STOCKBARS_SHARDS=%.20s needs JOB_COMPLETION_INDEX"
			 " (or set STOCKBARS_SHARD=K/N)", total);
		return -1;
	}
	if (!total || !*total) {
		snprintf(why, n, "JOB_COMPLETION_INDEX=%.20s needs STOCKBARS_SHARDS,"
			 " the number of shards", index);
		return -1;
	}
	snprintf(text, sizeof(text), "%.20s/%.20s", index, total);
	if (shard_parse(text, s, err, sizeof(err)) == 0)
		return 0;
	snprintf(why, n, "JOB_COMPLETION_INDEX/STOCKBARS_SHARDS: %s", err);
	return -1;
}
