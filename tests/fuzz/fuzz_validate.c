/*
 * libFuzzer target for the validate-bars rules (lib/val_rules.c with
 * lib/cal.c, lib/val_keys.c and lib/val_gaps.c): bars CSV through the
 * reader into val_row(), then the gaps report.  The first input byte
 * picks the options, so rule modes, calendar on/off and gaps all get
 * explored.  Checks that a verdict is consistent: a rejected row has a
 * reason, a passed one has none, and warnings only come from warn rules.
 */
#include "bars.h"
#include "csvr.h"
#include "msg.h"
#include "val_rules.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	msg_init((*argv)[0]);
	setenv("LOG_LEVEL", "error", 1);
	devnull = fopen("/dev/null", "w");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct val_opts o;
	struct val_verdict vd;
	struct val *v;
	struct csvr *r;
	FILE *fp;
	char **f;
	size_t n;
	unsigned pick;
	int i, pass;

	if (size < 2)
		return 0;
	pick = data[0];
	val_opts_default(&o);
	o.calendar = !(pick & 1);
	o.gaps = !(pick & 2);
	o.max_jump = pick & 4 ? 2 : 10;
	o.now = 1795000000; /* 2026-11-17 */
	for (i = 0; i < VAL_NRULES; i++)
		if (pick & 8)
			o.mode[i] = (enum val_mode)((pick >> 4) + i) % 3;
	fp = fmemopen((void *)(data + 1), size - 1, "r");
	if (!fp)
		return 0;
	v = val_new(&o);
	r = csvr_new(fp, "fuzz");
	if (v && r && csvr_header(r, bars_header, BARS_NCOLS) == 0) {
		while (csvr_next(r, &f, &n) == 1) {
			pass = val_row(v, f, n, &vd);
			if (pass == !!vd.reject)
				abort();
			for (i = 0; i < VAL_NRULES; i++)
				if ((vd.warn >> i & 1) && o.mode[i] != VAL_WARN)
					abort();
		}
		if (o.gaps && devnull)
			val_write_gaps(v, devnull);
	}
	csvr_free(r);
	val_free(v);
	fclose(fp);
	return 0;
}
