/*
 * db: the PostgreSQL connection shared by load-bars and sched-plan.
 *
 * Connection settings come only from a conninfo string (DATABASE_URL) or,
 * when it is empty, from libpq's own environment (PGHOST, PGPASSFILE,
 * PGSSLMODE...), exactly as psql would read them.  Messages show the
 * conninfo through db_secret_mask() and every error text is scrubbed of
 * passwords (lib/db_secret), so d->err is always safe to print.
 *
 * Database work is time-bounded: connect_timeout (from the conninfo, a
 * service file or PGCONNECT_TIMEOUT; DB_CONNECT_TIMEOUT seconds when none
 * says) bounds each connection attempt, TCP keepalives find a dead peer,
 * and a statement timeout can be set the libpq way
 * (PGOPTIONS='-c statement_timeout=5min').  The socket is non-blocking:
 * after db_catch_signals(), SIGINT or SIGTERM aborts a connection attempt
 * at once and cancels a running statement (PQcancel); every wait then
 * ends within DB_STOP_GRACE_MS, so a hung server cannot hold the process.
 *
 * SQL text may hold {S} (the quoted schema) and {T} (the quoted table),
 * expanded by db_sql() with PQescapeIdentifier, so names from the command
 * line never reach SQL unquoted.
 *
 * Functions return 0 (or a pointer) on success and -1 (or NULL) on
 * failure with the reason in d->err and the SQLSTATE, when the server
 * sent one, in d->state (57014 when a signal cancelled the work).
 */
#ifndef DB_H
#define DB_H

#include <libpq-fe.h>

#define DB_CONNECT_TIMEOUT 10  /* seconds, when nothing else says */
#define DB_STOP_GRACE_MS 700   /* after a signal, the longest any wait lasts */

struct db {
	PGconn *conn;
	char *conninfo;    /* as given, owned; for reconnects */
	char *schema;      /* quoted identifiers, owned */
	char *table;
	char *schema_name; /* as given, owned; for parameters only */
	char *table_name;
	int in_copy;       /* a COPY FROM STDIN is open */
	char state[6];     /* SQLSTATE of the last error, "" when none */
	int no_answer;     /* the last connection attempt hit connect_timeout */
	char err[1024];    /* last error, one line, passwords scrubbed */
};

/*
 * The connection string a tool should use, as psql would: DATABASE_URL
 * when set and non-empty, else "" so that libpq reads PGHOST, PGDATABASE,
 * PGUSER, PGSERVICE, the service file and ~/.pgpass itself.  Never NULL.
 */
const char *db_conninfo(void);
/*
 * 1 when a database is configured at all: DATABASE_URL, or one of libpq's
 * PGHOST, PGHOSTADDR, PGPORT, PGDATABASE, PGUSER, PGSERVICE.  Tools that can
 * work without a database (sched-plan, sched-run) use it to tell "none
 * configured" (plan whole periods, say so) from "configured but
 * unreachable" (an error).
 */
int db_configured(void);

/*
 * Catch SIGINT and SIGTERM (no SA_RESTART): the first one makes every
 * database wait give up as described above and db_stopped() return 1.
 * SIGPIPE is ignored (a dead server must not kill the process).
 */
void db_catch_signals(void);
/* 1 once SIGINT or SIGTERM arrived (after db_catch_signals()). */
int db_stopped(void);

/* Connect with up to tries attempts and exponential backoff between
 * them (no retry after an attempt that hit connect_timeout: the server
 * is hung); schema and table are quoted for db_sql().  -1 when the server
 * stayed unreachable or a signal arrived (d->err says why). */
int db_connect(struct db *d, const char *conninfo, int tries,
	       const char *schema, const char *table);
void db_close(struct db *d);
/*
 * 0 when name is a plain SQL identifier ([A-Za-z_][A-Za-z0-9_]*, at most
 * 63 bytes), -1 otherwise.  Names are always quoted anyway; this keeps
 * typos and shell accidents from creating tables no one can find.
 */
int db_name_valid(const char *name);
/* Drop the connection and connect again (same settings).  After a
 * signal it still tries, once more within DB_STOP_GRACE_MS, so that the
 * caller can record the outcome. */
int db_reconnect(struct db *d, int tries);

/* Expand {S} and {T} in tmpl; malloc'd, never NULL. */
char *db_sql(const struct db *d, const char *tmpl);
/* Run a command (a template, see db_sql; several statements allowed) and
 * discard any rows. */
int db_exec(struct db *d, const char *tmpl);
/* Run a query with text parameters; the result (PGRES_TUPLES_OK or
 * PGRES_COMMAND_OK) is the caller's to PQclear; NULL on error. */
PGresult *db_query(struct db *d, const char *tmpl, int n,
		   const char *const *params);
/* COMMIT, which a signal does not cancel (its outcome must be known);
 * it still gives up DB_STOP_GRACE_MS after a signal if the server hangs. */
int db_commit(struct db *d);
/* ROLLBACK (when connected; an open COPY is aborted first), keeping
 * d->err and d->state of the error that made it necessary; bounded like
 * db_commit(). */
void db_rollback(struct db *d);
/* Record the error of res (or of the connection when res is NULL). */
void db_set_error(struct db *d, const PGresult *res);

/*
 * COPY FROM STDIN: start it with the SQL template, send text-format data,
 * end it.  db_copy_end() with why != NULL aborts the COPY (the statement
 * fails with why); with NULL it completes and *rows (when not NULL) gets
 * the number of rows copied.  All three wait without blocking signals.
 */
int db_copy_begin(struct db *d, const char *tmpl);
int db_copy_put(struct db *d, const char *buf, size_t len);
int db_copy_end(struct db *d, const char *why, long long *rows);

/*
 * A text array literal ("{...}") for a parameter such as $1::text[] or
 * $2::bigint[], built element by element (quoted and escaped, so any text
 * is safe).  Start from { NULL }; db_array_end() gives the literal (owned
 * by a, "{}" when empty), db_array_free() releases it.
 */
struct db_array {
	char *s;
	size_t len, cap;
};
void db_array_add(struct db_array *a, const char *v);
/* The same for a number (for $n::bigint[]) and a boolean ($n::boolean[]). */
void db_array_add_int(struct db_array *a, long long v);
void db_array_add_bool(struct db_array *a, int v);
const char *db_array_end(struct db_array *a);
void db_array_free(struct db_array *a);

/* The last failure came from a broken connection (reconnect and replay). */
int db_lost(const struct db *d);
/* Worth replaying: lost connection, deadlock, serialization failure;
 * never after a signal. */
int db_retryable(const struct db *d);
/* Sleep before attempt n (0-based): 200 ms doubling, at most 5 s; a
 * signal cuts it short. */
void db_backoff(int attempt);

#endif
