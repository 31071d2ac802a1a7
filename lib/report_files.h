/*
 * report_files: the side files of a pipeline run, read into a report.
 *
 *   rejects  validate-bars --rejects: bars CSV plus a reason column
 *   gaps     validate-bars --gaps: symbol,interval,ts
 *   failed   fetch-bars --failed: plan CSV of the windows that failed
 *
 * Rows are counted per series (series are added as needed); the first
 * REPORT_RECENT rejects and failed windows are kept for the status page.
 * Memory stays flat: one record at a time.  Each function returns 0, or
 * -1 after reporting input errors (NAME:LINE: why) through lib/msg; the
 * rows before and after a bad one still count.
 */
#ifndef REPORT_FILES_H
#define REPORT_FILES_H

#include "report_data.h"

int report_read_rejects(struct report *r, const char *path);
int report_read_gaps(struct report *r, const char *path);
int report_read_failed(struct report *r, const char *path);

#endif
