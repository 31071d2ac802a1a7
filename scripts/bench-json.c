/*
 * bench-json driver: check and compact a stream of provider bodies (one
 * per line of the input file) the way fetch-bars does, and print the
 * seconds spent, the compact bytes and the bars seen.  Built twice by
 * scripts/bench-json: with -DOLD against the hand-written lib/json.c of
 * an older commit (whole body in memory, then json_check and lookups),
 * and without against lib/fetch_body (yajl, fed in 16 KB pieces as
 * libcurl delivers them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef OLD
#include "json.h"
#else
#include "fetch_body.h"
#endif

#define PIECE 16384 /* CURL_MAX_WRITE_SIZE */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#ifdef OLD
/* The old emit(): the received body, a second buffer for its compact
 * copy, then lookups on the copy. */
static long one(const char *p, size_t n, size_t *outlen)
{
	char *body = malloc(n), *out = malloc(n + 1);
	const char *end, *r;
	long bars = 0;

	for (size_t i = 0; i < n; i += PIECE) /* the receive copies */
		memcpy(body + i, p + i, n - i < PIECE ? n - i : PIECE);
	if (json_check(body, n, out, outlen, NULL) < 0) {
		bars = -1;
	} else {
		end = out + *outlen;
		r = json_index(json_member(json_member(out, end, "chart"), end,
					   "result"), end, 0);
		if (r)
			bars = json_count(json_member(r, end, "timestamp"), end);
	}
	free(body);
	free(out);
	return bars;
}
#else
static struct fetch_body fb;

static long one(const char *p, size_t n, size_t *outlen)
{
	char *out;
	long bars;

	fetch_body_reset(&fb, 256);
	for (size_t i = 0; i < n; i += PIECE)
		fetch_body_feed(&fb, p + i, n - i < PIECE ? n - i : PIECE);
	if (fetch_body_end(&fb) < 0)
		return -1;
	bars = fb.has_result ? fb.timestamps : 0;
	out = fetch_body_take(&fb, outlen);
	*outlen -= 256;
	free(out);
	return bars;
}
#endif

int main(int argc, char **argv)
{
	FILE *fp = argc > 1 ? fopen(argv[1], "rb") : NULL;
	char *all, *p, *nl;
	long size, bars = 0, b, bodies = 0;
	size_t outlen, total = 0;
	double t;

	if (!fp)
		return 2;
	fseek(fp, 0, SEEK_END);
	size = ftell(fp);
	rewind(fp);
	all = malloc((size_t)size);
	if (fread(all, 1, (size_t)size, fp) != (size_t)size)
		return 2;
	fclose(fp);
#ifndef OLD
	fetch_body_init(&fb);
#endif
	t = now();
	for (p = all; p < all + size; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(all + size - p));
		if (!nl)
			nl = all + size;
		if ((b = one(p, (size_t)(nl - p), &outlen)) < 0)
			return 1;
		bars += b;
		total += outlen;
		bodies++;
	}
	printf("%.4f %ld %zu %ld\n", now() - t, bodies, total, bars);
	return 0;
}
