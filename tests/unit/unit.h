/*
 * unit: a tiny table-friendly test helper.  Each CHECK prints a TAP-like
 * "ok - ..." or "not ok - ..." line that tests/run counts.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_failed;

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		int ok_ = (cond);                                          \
		printf("%s - %s:%d ", ok_ ? "ok" : "not ok", __FILE__, __LINE__); \
		printf(__VA_ARGS__);                                       \
		putchar('\n');                                             \
		if (!ok_)                                                  \
			unit_failed = 1;                                   \
	} while (0)

#define CHECK_STR(got, want, ...)                                          \
	do {                                                               \
		const char *g_ = (got), *w_ = (want);                      \
		CHECK(g_ && strcmp(g_, w_) == 0, __VA_ARGS__);             \
		if (!(g_ && strcmp(g_, w_) == 0))                          \
			fprintf(stderr, "  got '%s', want '%s'\n", g_ ? g_ : "(null)", w_); \
	} while (0)

#endif
