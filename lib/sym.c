#include "sym.h"
#include "bt.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int sym_valid(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++) {
		unsigned char c = (unsigned char)s[n];

		if (!isalnum(c) && !strchr(".^=_-", c))
			return -1;
	}
	return n >= 1 && n <= SYM_MAX ? 0 : -1;
}

static const struct sym_interval intervals[] = {
	{ "1m", 60, 1, 30, 7, 0, 0 },
	{ "2m", 120, 1, 60, 60, 0, 0 },
	{ "5m", 300, 1, 60, 60, 0, 0 },
	{ "15m", 900, 1, 60, 60, 0, 0 },
	{ "30m", 1800, 1, 60, 60, 0, 0 },
	{ "60m", 3600, 1, 730, 730, 0, 0 },
	{ "90m", 5400, 1, 60, 60, 0, 0 },
	{ "1h", 3600, 1, 730, 730, 0, 0 },
	{ "1d", BT_DAY, 0, 0, 0, 1, 0 },
	{ "5d", 5 * BT_DAY, 0, 0, 0, 7, 0 },
	{ "1wk", 7 * BT_DAY, 0, 0, 0, 7, 0 },
	{ "1mo", 31 * BT_DAY, 0, 0, 0, 0, 1 },
	{ "3mo", 92 * BT_DAY, 0, 0, 0, 0, 3 },
};

const struct sym_interval *sym_interval(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(intervals) / sizeof(intervals[0]); i++)
		if (strcmp(intervals[i].name, name) == 0)
			return &intervals[i];
	return NULL;
}

const char *sym_interval_names(void)
{
	return "1m 2m 5m 15m 30m 60m 90m 1h 1d 5d 1wk 1mo 3mo";
}

long sym_period_seconds(const char *period)
{
	char *end;
	long n;

	if (!isdigit((unsigned char)*period))
		return -1;
	n = strtol(period, &end, 10);
	if (n <= 0 || n > 100000)
		return -1;
	if (strcmp(end, "d") == 0)
		return n * BT_DAY;
	if (strcmp(end, "w") == 0 || strcmp(end, "wk") == 0)
		return n * 7 * BT_DAY;
	if (strcmp(end, "mo") == 0)
		return n * 30 * BT_DAY;
	if (strcmp(end, "y") == 0)
		return n * 365 * BT_DAY;
	return -1;
}
