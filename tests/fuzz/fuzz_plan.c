/*
 * libFuzzer target for the planning rules (lib/sym periods, lib/shard,
 * lib/plan_win): the first 32 bytes choose an interval, a clock, a stored
 * bar and an overlap, the rest is the period (and shard) text.  Checks
 * that the parsers accept only what they document and that a plan never
 * names a time outside years 1900-2199 or reads past a buffer (a 100000y
 * period once printed -4969-07-19 from past a stack buffer).
 */
#include "bt.h"
#include "plan_win.h"
#include "shard.h"
#include "sym.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = { "1m", "2m", "5m", "15m", "30m", "60m", "90m",
				     "1h", "1d", "5d", "1wk", "1mo", "3mo" };

/* Every row names times within the range and ends after it starts. */
static void check_rows(char *out)
{
	char *line, *save = NULL, *f[4], *s;
	time_t a, b;
	int i;

	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		for (i = 0, s = line; i < 4; i++) {
			f[i] = s;
			s = strchr(s, ',');
			if (s)
				*s++ = '\0';
			else if (i < 3)
				abort();
		}
		if (bt_parse_iso(f[2], &a) < 0 || bt_parse_iso(f[3], &b) < 0 || a < PLAN_MIN_TIME ||
		    b >= PLAN_MAX_TIME || b <= a)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[(1 << 16) + 1];
	char text[64], why[160];
	struct plan_req r;
	struct shard sh;
	uint64_t v[4];
	size_t n;
	FILE *fp;

	if (size < sizeof(v))
		return 0;
	memcpy(v, data, sizeof(v));
	n = size - sizeof(v) < sizeof(text) - 1 ? size - sizeof(v) : sizeof(text) - 1;
	memcpy(text, data + sizeof(v), n);
	text[n] = '\0';
	if (shard_parse(text, &sh, why, sizeof(why)) == 0 &&
	    (sh.n == 0 || sh.n > SHARD_MAX || sh.k >= sh.n))
		abort();
	memset(&r, 0, sizeof(r));
	if (sym_period_parse(text, &r.period, why, sizeof(why)) < 0)
		return 0;
	if ((r.period.unit == SYM_PERIOD_DAYS && (r.period.n < 1 || r.period.n > SYM_PERIOD_MAX_DAYS)) ||
	    (r.period.unit == SYM_PERIOD_MONTHS && (r.period.n < 1 || r.period.n > SYM_PERIOD_MAX_MONTHS)))
		abort();
	r.symbol = "FUZZ";
	r.iv = sym_interval(names[v[0] % (sizeof(names) / sizeof(names[0]))]);
	r.now = (time_t)(PLAN_MIN_TIME + (int64_t)(v[1] % (uint64_t)(PLAN_MAX_TIME - PLAN_MIN_TIME)));
	r.have_newest = (int)(v[2] & 1);
	/* PostgreSQL timestamps end in 294276 AD: about 1e13 seconds either way. */
	r.newest = (time_t)((int64_t)v[2] / 2 % 10000000000000LL);
	r.overlap = (long)(v[3] % 100001);
	r.full = (int)(v[3] >> 20 & 1);
	r.calendar = (int)(v[3] >> 21 & 1);
	fp = fmemopen(out, sizeof(out) - 1, "w");
	if (!fp)
		return 0;
	if (plan_win_emit(fp, &r) < 0)
		abort(); /* a plan this short always fits */
	fflush(fp);
	out[ftell(fp)] = '\0'; /* this run's rows only */
	fclose(fp);
	check_rows(out);
	return 0;
}
