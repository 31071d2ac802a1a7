#include "plan.h"
#include "bars.h"
#include "bt.h"

#include <stdio.h>
#include <string.h>

const char *const plan_header[PLAN_NCOLS] = { "symbol", "interval", "start", "end" };
const char *const plan_rejects_header[PLAN_REJECTS_NCOLS] = {
	"symbol", "interval", "start", "end", "reason",
};

int plan_parse(char **f, size_t nf, struct plan_row *row, char *why, size_t n)
{
	if (nf != PLAN_NCOLS) {
		snprintf(why, n, "expected 4 fields (symbol,interval,start,end), got %zu", nf);
		return -1;
	}
	if (sym_valid(f[0]) < 0) {
		snprintf(why, n, "bad symbol '%.40s'", f[0]);
		return -1;
	}
	row->interval = sym_interval(f[1]);
	if (!row->interval) {
		snprintf(why, n, "unknown interval '%.16s' (valid: %s)", f[1],
			 sym_interval_names());
		return -1;
	}
	if (bt_parse_iso(f[2], &row->start) < 0 || bt_parse_iso(f[3], &row->end) < 0) {
		const int s = bt_parse_iso(f[2], &row->start) < 0;

		snprintf(why, n, "%s '%.40s': %s", s ? "start" : "end", f[s ? 2 : 3],
			 bt_iso_why(f[s ? 2 : 3]));
		return -1;
	}
	if (row->end <= row->start) {
		snprintf(why, n, "end %s is not after start %s", f[3], f[2]);
		return -1;
	}
	strcpy(row->symbol, f[0]);
	return 0;
}

int plan_write_header(FILE *fp)
{
	return bars_write_fields(fp, (char **)plan_header, PLAN_NCOLS);
}

int plan_write_rejects_header(FILE *fp)
{
	return bars_write_fields(fp, (char **)plan_rejects_header, PLAN_REJECTS_NCOLS);
}

int plan_write(FILE *fp, const struct plan_row *row)
{
	char a[BT_ISO_LEN], b[BT_ISO_LEN];

	return fprintf(fp, "%s,%s,%s,%s\n", row->symbol, row->interval->name,
		       bt_format_iso(row->start, a), bt_format_iso(row->end, b)) < 0
		       ? -1 : 0;
}
