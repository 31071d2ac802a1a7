#include "px.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Drop trailing zeros after the point, and a trailing point, from "%f". */
static int trim(char *buf, int n)
{
	if (strchr(buf, '.')) {
		while (n > 0 && buf[n - 1] == '0')
			buf[--n] = '\0';
		if (n > 0 && buf[n - 1] == '.')
			buf[--n] = '\0';
	}
	if (strcmp(buf, "-0") == 0) {
		strcpy(buf, "0");
		n = 1;
	}
	return n;
}

/*
 * The fewest decimal places that read back as the same value is the
 * shortest plain decimal: "%f" never uses an exponent.  Try the common
 * short forms first so typical prices need one or two snprintf calls.
 */
static int shortest(double v, char *buf, int single)
{
	int d, n = 0;

	if (!isfinite(v))
		return -1;
	for (d = 0; d <= 40; d++) {
		double back;

		n = snprintf(buf, PX_LEN, "%.*f", d, v);
		if (n >= PX_LEN)
			return -1;
		back = strtod(buf, NULL);
		if (single ? (float)back == (float)v : back == v)
			break;
	}
	return trim(buf, n);
}

static const double pow10[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
				1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };

/* Write the decimal q / 10^d (q > 0) with an optional minus sign. */
static int put_decimal(long long q, int d, int neg, char *buf)
{
	char digits[24];
	int n = 0, len = 0, i;

	do {
		digits[n++] = (char)('0' + q % 10);
		q /= 10;
	} while (q);
	while (n <= d) /* leading zeros: 0.05 */
		digits[n++] = '0';
	if (neg)
		buf[len++] = '-';
	for (i = n - 1; i >= 0; i--) {
		buf[len++] = digits[i];
		if (i == d && d > 0)
			buf[len++] = '.';
	}
	buf[len] = '\0';
	return len;
}

/*
 * A float32 widened to double has a 24-bit mantissa, so for d <= 9
 * (5^9 < 2^21) v * 10^d is exact and nearbyint() rounds it half-to-even
 * as printf("%.*f") would; m / 10^d is then what strtod() would return for
 * that text.  This is the same search as shortest() without any text, and
 * it matters: normalize-bars formats five prices per bar.  Other values
 * take the general path.
 */
int px_format_f32(double v, char *buf)
{
	double a = fabs(v), m = 0;
	int d;

	if (!isfinite(v) || (double)(float)v != v || a >= 1e9)
		return shortest(v, buf, 1);
	for (d = 0; d <= 9; d++) {
		m = nearbyint(a * pow10[d]);
		if ((float)(m / pow10[d]) == (float)a)
			break;
	}
	if (d > 9)
		return shortest(v, buf, 1);
	if (m == 0) {
		strcpy(buf, "0");
		return 1;
	}
	return put_decimal((long long)m, d, v < 0, buf);
}

int px_format_f64(double v, char *buf)
{
	return shortest(v, buf, 0);
}

/*
 * Clinger's fast path for plain decimals of at most 15 digits: mantissa and
 * power of ten are both exact doubles, so one division rounds correctly.
 * Returns -1 when the text is not of that form and strtod must decide.
 */
static int fast_decimal(const char *s, double *out)
{
	long long m = 0;
	int nd = 0, frac = -1, neg = *s == '-';

	for (s += neg; *s; s++) {
		if (*s >= '0' && *s <= '9') {
			m = m * 10 + (*s - '0');
			if (++nd > 15)
				return -1;
			frac += frac >= 0;
		} else if (*s == '.' && frac < 0) {
			frac = 0;
		} else {
			return -1;
		}
	}
	if (nd == 0)
		return -1;
	*out = (double)m / pow10[frac < 0 ? 0 : frac];
	if (neg)
		*out = -*out;
	return 0;
}

int px_parse(const char *s, double *out)
{
	char *end;

	if (!s || !*s)
		return -1;
	if (fast_decimal(s, out) == 0)
		return 0;
	errno = 0;
	*out = strtod(s, &end);
	if (*end || errno == ERANGE || !isfinite(*out))
		return -1;
	/* strtod accepts "nan", "inf" and hex; prices are plain decimals. */
	for (; *s; s++)
		if (!strchr("0123456789.-+eE", *s))
			return -1;
	return 0;
}

int px_in_range(double v)
{
	return isfinite(v) && fabs(v) <= FLT_MAX;
}

int px_parse_ll(const char *s, long long *out)
{
	char *end;

	if (!s || !*s)
		return -1;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return *end || errno ? -1 : 0;
}
