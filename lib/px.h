/*
 * px: price numbers.
 *
 * Providers send float32 prices widened to double (227.1750030517578).
 * px_format_f32() writes the shortest plain decimal (never an exponent)
 * that reads back as the same float32 (227.175).  px_parse() accepts a
 * plain or exponent decimal and returns -1 when the text is not a finite
 * number in full.
 */
#ifndef PX_H
#define PX_H

#include <stddef.h>

#define PX_LEN 64

/* Writes into buf (PX_LEN bytes); returns length, or -1 for NaN/Inf. */
int px_format_f32(double v, char *buf);
/* Same for values that are really doubles (Stooq): shortest round-trip. */
int px_format_f64(double v, char *buf);
int px_parse(const char *s, double *out);
/*
 * 1 when |v| fits a float32 (at most FLT_MAX, about 3.4e38), the range of
 * every price the providers send; 0 otherwise.  Prices outside it are
 * rejected: they cannot be a provider's value and would not format.
 */
int px_in_range(double v);
/* Integer parse of the whole string; -1 when not an integer. */
int px_parse_ll(const char *s, long long *out);

#endif
