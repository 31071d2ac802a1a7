#include "norm_fmt.h"
#include "bt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const double pow10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9 };

/*
 * v is a float32 widened to double: a 24-bit mantissa.  Times 10^d
 * (d <= 9, 5^9 < 2^21) the product fits 53 bits, so v * 10^d is exact and
 * nearbyint() rounds it half-to-even exactly as printf("%.*f") rounds the
 * exact value.  m / 10^d is then the correctly rounded double of that
 * decimal, which is what strtod() would return: the same test as
 * px_format_f32(), without text.  Anything else takes the slow path.
 */
int norm_f32(double v, char *buf)
{
	double a = fabs(v), m = 0;
	char digits[24];
	int d, n, i, len = 0;
	long long q;

	if (!isfinite(v) || (double)(float)v != v || a >= 1e9)
		return px_format_f32(v, buf);
	for (d = 0; d <= 9; d++) {
		m = nearbyint(a * pow10[d]);
		if ((float)(m / pow10[d]) == (float)a)
			break;
	}
	if (d > 9 || m >= 9e15)
		return px_format_f32(v, buf);
	q = (long long)m;
	if (q == 0) {
		strcpy(buf, "0");
		return 1;
	}
	for (; d > 0 && q % 10 == 0; d--) /* never at the minimal d; be safe */
		q /= 10;
	n = 0;
	do {
		digits[n++] = (char)('0' + q % 10);
		q /= 10;
	} while (q);
	while (n <= d) /* leading zeros: 0.05 */
		digits[n++] = '0';
	if (v < 0)
		buf[len++] = '-';
	for (i = n - 1; i >= 0; i--) {
		buf[len++] = digits[i];
		if (i == d && d > 0)
			buf[len++] = '.';
	}
	buf[len] = '\0';
	return len;
}

int norm_iso(time_t t, char *buf)
{
	static time_t day = -1;
	static char date[BT_ISO_LEN];
	time_t s = t % 86400, dd = t / 86400;

	if (s < 0) {
		s += 86400;
		dd--;
	}
	if (dd != day) {
		bt_format_iso(t, date);
		if (strlen(date) != 20) { /* a year outside 1000-9999: no cache */
			day = -1;
			strcpy(buf, date);
			return (int)strlen(buf);
		}
		day = dd;
	}
	memcpy(buf, date, 11);
	buf[11] = (char)('0' + s / 36000);
	buf[12] = (char)('0' + s / 3600 % 10);
	buf[13] = ':';
	buf[14] = (char)('0' + s % 3600 / 600);
	buf[15] = (char)('0' + s % 600 / 60);
	buf[16] = ':';
	buf[17] = (char)('0' + s % 60 / 10);
	buf[18] = (char)('0' + s % 10);
	buf[19] = 'Z';
	buf[20] = '\0';
	return 20;
}

static char *put(char *w, const char *s)
{
	size_t n = strlen(s);

	memcpy(w, s, n);
	return w + n;
}

int norm_write_bar(FILE *fp, const struct bar *b)
{
	char row[sizeof(b->symbol) + sizeof(b->interval) + BT_ISO_LEN + 5 * PX_LEN + 32];
	char *w = row, px[PX_LEN];
	const double v[] = { b->open, b->high, b->low, b->close, b->adj_close };
	int i;

	w = put(w, b->symbol);
	*w++ = ',';
	w = put(w, b->interval);
	*w++ = ',';
	w += norm_iso(b->ts, w);
	for (i = 0; i < 5; i++) {
		if ((b->px_double ? px_format_f64(v[i], px) : norm_f32(v[i], px)) < 0)
			return -1;
		*w++ = ',';
		w = put(w, px);
	}
	*w++ = ',';
	if (b->has_volume)
		w += sprintf(w, "%lld", b->volume);
	*w++ = '\n';
	return fwrite(row, 1, (size_t)(w - row), fp) == (size_t)(w - row) ? 0 : -1;
}

int norm_parse(const char *s, double *out)
{
	const char *p = s;
	char *end;

	if (*p == '-')
		p++;
	for (; *p; p++) /* plain decimals are the norm; px_parse() judges the rest */
		if ((*p < '0' || *p > '9') && *p != '.')
			return px_parse(s, out);
	if (p == s || (p == s + 1 && *s == '-'))
		return -1;
	*out = strtod(s, &end);
	return *end || !isfinite(*out) ? -1 : 0;
}
