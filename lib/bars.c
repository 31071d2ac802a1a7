#include "bars.h"
#include "bt.h"
#include "px.h"

#include <csv.h>
#include <errno.h>
#include <string.h>

const char *const bars_header[BARS_NCOLS] = {
	"symbol", "interval", "ts", "open", "high", "low", "close", "adj_close", "volume",
};

const char *const bars_rejects_header[BARS_REJECTS_NCOLS] = {
	"symbol", "interval", "ts", "open", "high", "low", "close", "adj_close", "volume", "reason",
};

const char *bars_err_code(enum bars_err e)
{
	static const char *codes[] = {
		"ok", "bad_field_count", "bad_symbol", "bad_interval",
		"bad_timestamp", "bad_price", "bad_volume",
	};

	return codes[e];
}

enum bars_err bars_parse(char **f, size_t n, struct bar *b, const char **field)
{
	double *px[] = { &b->open, &b->high, &b->low, &b->close, &b->adj_close };
	int i;

	*field = NULL;
	if (n != BARS_NCOLS)
		return BARS_EFIELDS;
	*field = "symbol";
	if (sym_valid(f[0]) < 0)
		return BARS_ESYMBOL;
	*field = "interval";
	if (!sym_interval(f[1]))
		return BARS_EINTERVAL;
	*field = "ts";
	if (bt_parse_iso(f[2], &b->ts) < 0)
		return BARS_ETS;
	for (i = 0; i < 5; i++) {
		*field = bars_header[3 + i];
		if (px_parse(f[3 + i], px[i]) < 0 || !px_in_range(*px[i]))
			return BARS_EPRICE;
	}
	*field = "volume";
	b->has_volume = f[8][0] != '\0';
	b->volume = 0;
	if (b->has_volume && px_parse_ll(f[8], &b->volume) < 0)
		return BARS_EVOLUME;
	strcpy(b->symbol, f[0]);
	strcpy(b->interval, f[1]);
	*field = NULL;
	return BARS_OK;
}

int bars_write_header(FILE *fp)
{
	return bars_write_fields(fp, (char **)bars_header, BARS_NCOLS);
}

int bars_write_rejects_header(FILE *fp)
{
	return bars_write_fields(fp, (char **)bars_rejects_header, BARS_REJECTS_NCOLS);
}

int bars_write(FILE *fp, const struct bar *b)
{
	char row[SYM_MAX + 8 + BT_ISO_LEN + 5 * PX_LEN + 32], *w = row;
	const double v[] = { b->open, b->high, b->low, b->close, b->adj_close };
	int i, n;

	w += sprintf(w, "%s,%s,", b->symbol, b->interval);
	bt_format_iso(b->ts, w);
	w += strlen(w);
	for (i = 0; i < 5; i++) {
		*w++ = ',';
		n = b->px_double ? px_format_f64(v[i], w) : px_format_f32(v[i], w);
		if (n < 0) {
			errno = ERANGE; /* not a write error: callers check the range */
			return -1;
		}
		w += n;
	}
	*w++ = ',';
	if (b->has_volume)
		w += sprintf(w, "%lld", b->volume);
	*w++ = '\n';
	return fwrite(row, 1, (size_t)(w - row), fp) == (size_t)(w - row) ? 0 : -1;
}

int bars_write_fields(FILE *fp, char **f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i && putc(',', fp) == EOF)
			return -1;
		size_t len = strcspn(f[i], ",\"\n\r");

		if (f[i][len]) {
			if (csv_fwrite(fp, f[i], strlen(f[i])) != 0)
				return -1;
		} else if (fwrite(f[i], 1, len, fp) != len) {
			return -1;
		}
	}
	return putc('\n', fp) == EOF ? -1 : 0;
}
