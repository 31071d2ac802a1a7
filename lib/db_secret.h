/*
 * db_secret: keep database passwords out of every message.
 *
 * Two layers.  db_secret_mask() renders a connection string for display
 * from what libpq itself parses (PQconninfoParse), so every spelling
 * libpq accepts (URI or key=value, spaces around '=', quotes, backslash
 * escapes, percent-encoding) shows "***" for the options libpq marks as
 * secret (password, sslpassword); a string libpq cannot parse is not
 * shown at all.  Because a mistyped URI can make libpq read part of a
 * password as a host, port or database name (an unencoded '@' or '/' in
 * it), the raw text of every password and its pieces are also learnt, and
 * db_secret_scrub() replaces them in any text, for example a libpq error
 * ("could not translate host name "Leak2@db" ...").
 *
 * Pieces shorter than DB_SECRET_MIN bytes are masked in connection strings
 * but not searched for in free text (they would blank common words).
 * Thread-safe; the learnt secrets live until exit.
 */
#ifndef DB_SECRET_H
#define DB_SECRET_H

#include <stddef.h>

#define DB_SECRET_MIN 4

/*
 * Render conninfo (a URI or key=value string; "" means libpq's
 * environment) into dst (size n) with every secret shown as "***", and
 * learn its secrets.  A string libpq cannot parse is shown as
 * "(unparseable connection string)".  Always NUL-terminates; returns dst.
 */
char *db_secret_mask(char *dst, size_t n, const char *conninfo);
/* Learn the secrets of conninfo and of PGPASSWORD without rendering. */
void db_secret_learn(const char *conninfo);
/*
 * 0 when libpq can parse conninfo; else -1 and libpq's reason in why
 * (size n) with every double-quoted token shown as "***" (libpq quotes
 * the offending piece, which may be a password).
 */
int db_secret_parse(const char *conninfo, char *why, size_t n);
/* Replace every learnt secret in s (size n, NUL-terminated) by "***".
 * Returns s. */
char *db_secret_scrub(char *s, size_t n);

#endif
