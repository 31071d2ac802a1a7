/*
 * sched_log: structured log lines for sched-run.
 *
 * One line per event, logfmt by default
 *   ts=2026-11-24T21:30:00Z level=info event=run_end job=intraday rc=0
 * or one JSON object per line with LOG_FORMAT=json.  Lines go to stderr
 * and, when a file is open, are appended to it (O_APPEND, one write() per
 * line so concurrent writers do not interleave).  LOG_LEVEL filters, as
 * in lib/msg.  Callers pass key/value string pairs ended by NULL; values
 * that look like integers are written as JSON numbers.  Thread-safe.
 */
#ifndef SCHED_LOG_H
#define SCHED_LOG_H

#include "msg.h"

/* Open path for appending (creating its directory); NULL: stderr only.
 * Returns 0 or -1 with errno set. */
int slog_open(const char *path);
void slog_close(void);
/* event, then key, value, key, value, ..., NULL.  NULL values are skipped. */
void slog(enum msg_level lvl, const char *event, ...) __attribute__((sentinel));

#endif
