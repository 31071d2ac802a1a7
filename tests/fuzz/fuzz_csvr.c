/*
 * libFuzzer target for lib/csvr: any bytes as CSV input.  Checks that the
 * reader never crashes, leaks or returns a record with NULL fields, and
 * that line numbers never go backwards.
 */
#include "bars.h"
#include "csvr.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *fp;
	struct csvr *r;
	char **f;
	size_t n, i;
	long last = 0;
	int rc;

	if (size == 0)
		return 0;
	fp = fmemopen((void *)data, size, "r");
	if (!fp)
		return 0;
	r = csvr_new(fp, "fuzz");
	if (size % 2)
		(void)csvr_header(r, bars_header, BARS_NCOLS);
	while ((rc = csvr_next(r, &f, &n)) == 1) {
		for (i = 0; i < n; i++)
			if (!f[i])
				abort();
		if (csvr_line(r) < last)
			abort();
		last = csvr_line(r);
	}
	if (rc < 0 && !csvr_error(r)[0])
		abort(); /* an error always says why */
	csvr_free(r);
	fclose(fp);
	return 0;
}
