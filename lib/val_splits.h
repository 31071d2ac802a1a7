/*
 * val_splits: the splits validate-bars --events knows, read from an events
 * CSV (lib/events.h) that may still be growing.
 *
 * In a pipeline (normalize-bars --events F | validate-bars --events F)
 * normalize-bars writes and flushes a response's events before that
 * response's bars reach its stdout, so by the time validate-bars looks at
 * a bar, the splits that explain it are in F.  The file is therefore opened
 * at the first lookup (after normalize-bars has created it) and every
 * lookup first reads whatever complete lines were appended since; a line
 * without its newline yet waits for the next lookup.  Only splits are kept
 * (a few per symbol), so memory stays small however long the file.
 */
#ifndef VAL_SPLITS_H
#define VAL_SPLITS_H

#include <time.h>

struct val_splits;

/* Follow the events CSV at path (not opened yet).  Never NULL. */
struct val_splits *val_splits_new(const char *path);
void val_splits_free(struct val_splits *s);
/*
 * The product of the ratios of symbol's splits with ex-date in (a, b];
 * when b < a, its inverse over (b, a].  1 when there are none.  Bad lines
 * of the file are reported once each ("FILE:LINE: why") and skipped.
 */
double val_splits_ratio(struct val_splits *s, const char *symbol, time_t a, time_t b);
/* Problems reported so far: bad lines, or a file that cannot be read. */
long val_splits_errors(const struct val_splits *s);

#endif
