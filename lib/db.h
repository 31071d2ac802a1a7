/*
 * db: the PostgreSQL connection shared by load-bars and sched-plan.
 *
 * Connection settings come only from a conninfo string (DATABASE_URL) or,
 * when it is empty, from libpq's own environment (PGHOST, PGPASSFILE,
 * PGSSLMODE...).  Logs show the conninfo through msg_mask_url(), never a
 * password.  SQL text may hold {S} (the quoted schema) and {T} (the
 * quoted table), expanded by db_sql() with PQescapeIdentifier, so names
 * from the command line never reach SQL unquoted.
 *
 * Functions return 0 (or a pointer) on success and -1 (or NULL) on
 * failure with the reason in d->err and the SQLSTATE, when the server
 * sent one, in d->state.
 */
#ifndef DB_H
#define DB_H

#include <libpq-fe.h>

struct db {
	PGconn *conn;
	char *schema;   /* quoted identifiers, owned */
	char *table;
	char *schema_name; /* as given, owned; for parameters only */
	char *table_name;
	char state[6];  /* SQLSTATE of the last error, "" when none */
	char err[1024]; /* last error, one line */
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

/* Connect with up to tries attempts and exponential backoff between
 * them; schema and table are quoted for db_sql().  -1 when the server
 * stayed unreachable (d->err says why, with the password masked). */
int db_connect(struct db *d, const char *conninfo, int tries,
	       const char *schema, const char *table);
void db_close(struct db *d);
/*
 * 0 when name is a plain SQL identifier ([A-Za-z_][A-Za-z0-9_]*, at most
 * 63 bytes), -1 otherwise.  Names are always quoted anyway; this keeps
 * typos and shell accidents from creating tables no one can find.
 */
int db_name_valid(const char *name);
/* Drop the connection and connect again (same settings). */
int db_reconnect(struct db *d, int tries);

/* Expand {S} and {T} in tmpl; malloc'd, NULL on ENOMEM. */
char *db_sql(const struct db *d, const char *tmpl);
/* Run a command (a template, see db_sql) and discard any rows. */
int db_exec(struct db *d, const char *tmpl);
/* Run a query with text parameters; the result (PGRES_TUPLES_OK or
 * PGRES_COMMAND_OK) is the caller's to PQclear; NULL on error. */
PGresult *db_query(struct db *d, const char *tmpl, int n,
		   const char *const *params);
/* Record the error of res (or of the connection when res is NULL). */
void db_set_error(struct db *d, const PGresult *res);

/* The last failure came from a broken connection (reconnect and replay). */
int db_lost(const struct db *d);
/* Worth replaying: lost connection, deadlock, serialization failure. */
int db_retryable(const struct db *d);
/* Sleep before attempt n (0-based): 200 ms doubling, at most 5 s. */
void db_backoff(int attempt);

/* Apply the versioned migrations for the schema and table, once, in one
 * transaction under an advisory lock (concurrent loaders do not race). */
int db_migrate(struct db *d);

#endif
