/*
 * norm_fmt: fast output of bar rows for normalize-bars.
 *
 * Same bytes as bars_write() and px_format_f32() (the unit tests compare
 * them), without the snprintf/strtod loop per price, which otherwise costs
 * as much CPU as the jq adapter itself.  Functions return the length
 * written, or -1 (NaN/Inf, write error).
 */
#ifndef NORM_FMT_H
#define NORM_FMT_H

#include <stdio.h>
#include <time.h>

#include "bars.h"
#include "px.h"

/* Shortest plain decimal that reads back as the same float32 (PX_LEN). */
int norm_f32(double v, char *buf);
/* "YYYY-MM-DDTHH:MM:SSZ" into BT_ISO_LEN bytes; remembers the last day. */
int norm_iso(time_t t, char *buf);
/* One bars CSV row, byte for byte what bars_write() writes. 0 or -1. */
int norm_write_bar(FILE *fp, const struct bar *b);
/* Plain decimal parse like px_parse() (0 or -1), quicker on plain digits. */
int norm_parse(const char *s, double *out);

#endif
