/*
 * json: the one JSON string writer.  Every tool that writes JSON or
 * logfmt strings (load-bars, normalize-bars, sched_log, the HTTP API)
 * escapes through json_escape_char, so quoting is decided once.
 *
 * Reading JSON is not done here: fetch-bars checks and compacts provider
 * bodies with yajl (lib/fetch_body); normalize-bars and the config use jq.
 */
#ifndef JSON_H
#define JSON_H

#include <stdio.h>

/*
 * The escape sequence for byte c inside a JSON string, written to esc (at
 * least 8 bytes), or NULL when c stands for itself.
 */
const char *json_escape_char(unsigned char c, char *esc);
/* Write s to fp as a quoted JSON string.  0, or -1 on a write error. */
int json_fput_str(FILE *fp, const char *s);

#endif
