/*
 * msg: diagnostics for every tool.
 *
 * Errors read "tool: what: why" on stderr.  Log lines are filtered by the
 * LOG_LEVEL environment variable (debug, info, warn, error; default info).
 * msg_init() must be called first with argv[0]; the name is borrowed, not
 * copied.  Nothing here allocates.
 */
#ifndef MSG_H
#define MSG_H

#include <stddef.h>

enum msg_level { MSG_DEBUG, MSG_INFO, MSG_WARN, MSG_ERROR };

void msg_init(const char *argv0);
const char *msg_prog(void);

/* "prog: fmt" plus newline on stderr, regardless of LOG_LEVEL. */
void msg_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* msg_err() then exit(code). */
void msg_die(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
/* "prog: level: fmt" when level passes LOG_LEVEL. */
void msg_log(enum msg_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int msg_enabled(enum msg_level lvl);
/* "debug", "info", "warn" or "error": the one list of level names. */
const char *msg_level_name(enum msg_level lvl);

/*
 * Copy a libpq URI or conninfo string into dst (size n) with any password
 * replaced by "***".  Always NUL-terminates; returns dst.  Implemented in
 * lib/db_secret.c (db_secret_mask(), on libpq's own parser), so that this
 * module needs no libpq.
 */
char *msg_mask_url(char *dst, size_t n, const char *url);

/*
 * The progress line: on a terminal only (stderr is a tty), one line
 * rewritten in place, "prog: fmt".  Every other message from this module
 * clears it first, so an error never lands glued to its end.  msg_progress
 * redraws at most every 0.25 s unless force is set; msg_progress_end()
 * clears it for good.  Callers that write to stderr themselves call
 * msg_progress_clear() before they do.
 */
void msg_progress(int force, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void msg_progress_clear(void);
void msg_progress_end(void);

/* Print "prog VERSION" on stdout and exit 0. */
void msg_version(void) __attribute__((noreturn));

/* Check stdout for write errors at exit; dies with code on failure. */
void msg_close_stdout(int code);

#endif
