#include "events.h"
#include "bars.h"
#include "bt.h"
#include "px.h"

#include <string.h>

const char *const events_header[EVENTS_NCOLS] = {
	"symbol", "ts", "kind", "value", "numerator", "denominator",
};

static const char *const kinds[] = { "dividend", "split", "capital_gain" };

const char *events_kind_name(enum event_kind k)
{
	return k < EVENT_OTHER ? kinds[k] : NULL;
}

static int kind_of(const char *s, struct event *e)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz_");
	int k;

	if (n == 0 || s[n] || n > EVENTS_KIND_MAX)
		return -1;
	memcpy(e->kind_name, s, n + 1);
	e->kind = EVENT_OTHER;
	for (k = 0; k < EVENT_OTHER; k++)
		if (strcmp(s, kinds[k]) == 0)
			e->kind = (enum event_kind)k;
	return 0;
}

/* An optional number: 1 present, 0 empty, -1 malformed. */
static int num(const char *s, double *v)
{
	if (!*s)
		return 0;
	return px_parse(s, v) < 0 ? -1 : 1;
}

int events_parse(char **f, size_t n, struct event *e, const char **why)
{
	int v, a, b;

	memset(e, 0, sizeof(*e));
	if (n != EVENTS_NCOLS)
		return *why = "expected 6 fields", -1;
	if (sym_valid(f[0]) < 0)
		return *why = "bad symbol", -1;
	if (bt_parse_iso(f[1], &e->ts) < 0)
		return *why = "bad ts", -1;
	if (kind_of(f[2], e) < 0)
		return *why = "bad kind", -1;
	if ((v = num(f[3], &e->value)) < 0)
		return *why = "bad value", -1;
	if ((a = num(f[4], &e->numerator)) < 0)
		return *why = "bad numerator", -1;
	if ((b = num(f[5], &e->denominator)) < 0)
		return *why = "bad denominator", -1;
	strcpy(e->symbol, f[0]);
	e->has_value = v;
	e->has_ratio = a && b && e->denominator != 0;
	if (!v && e->kind == EVENT_SPLIT && e->has_ratio) {
		e->value = e->numerator / e->denominator;
		e->has_value = 1;
	}
	return 0;
}

double events_split_ratio(const struct event *e)
{
	if (e->has_ratio)
		return e->numerator / e->denominator;
	return e->has_value && e->value > 0 ? e->value : 0;
}

int events_write_header(FILE *fp)
{
	return bars_write_fields(fp, (char **)events_header, EVENTS_NCOLS);
}

static void put(char *buf, int has, double v)
{
	if (!has || px_format_f64(v, buf) < 0)
		buf[0] = '\0';
}

size_t events_format(const struct event *e, char *buf)
{
	char ts[BT_ISO_LEN], v[PX_LEN], a[PX_LEN], b[PX_LEN];
	int n;

	put(v, e->has_value, e->value);
	put(a, e->has_ratio, e->numerator);
	put(b, e->has_ratio, e->denominator);
	n = snprintf(buf, EVENTS_LINE_MAX, "%s,%s,%s,%s,%s,%s\n", e->symbol,
		     bt_format_iso(e->ts, ts), e->kind_name, v, a, b);
	return n < 0 ? 0 : (size_t)n < EVENTS_LINE_MAX ? (size_t)n : EVENTS_LINE_MAX - 1;
}

int events_write(FILE *fp, const struct event *e)
{
	char line[EVENTS_LINE_MAX];
	size_t n = events_format(e, line);

	return fwrite(line, 1, n, fp) == n ? 0 : -1;
}
