#include "db.h"
#include "db_secret.h"
#include "msg.h"
#include "xalloc.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- signals and clocks ---- */

static volatile sig_atomic_t stopped;
static volatile long long stopped_at; /* CLOCK_MONOTONIC ms of the signal */

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* clock_gettime is async-signal-safe; the time is written before the
 * flag, and read only once the flag is seen. */
static void on_signal(int sig)
{
	(void)sig;
	if (!stopped) {
		stopped_at = mono_ms();
		stopped = 1;
	}
}

void db_catch_signals(void)
{
	struct sigaction sa;

	/* SA_RESTART keeps file reads whole; poll() and nanosleep() return
	 * EINTR regardless (signal(7)), which is what the waits below need. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int db_stopped(void)
{
	return stopped != 0;
}

/* ---- errors ---- */

static void quiet_notice(void *arg, const char *message)
{
	char buf[1024];

	(void)arg;
	snprintf(buf, sizeof(buf), "%s", message);
	msg_log(MSG_DEBUG, "server: %s", db_secret_scrub(buf, sizeof(buf)));
}

static void one_line(char *s, size_t n)
{
	char *p;
	size_t len;

	for (p = s; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	len = strlen(s);
	while (len > 0 && s[len - 1] == ' ')
		s[--len] = '\0';
	db_secret_scrub(s, n);
}

void db_set_error(struct db *d, const PGresult *res)
{
	const char *m = NULL, *st = NULL;

	if (res) {
		m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		st = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	}
	if (!m && d->conn)
		m = PQerrorMessage(d->conn);
	snprintf(d->err, sizeof(d->err), "%s", m && *m ? m : "unknown error");
	/* No result, or none from the server: the connection failed (a
	 * write to a terminated backend can fail before libpq notices). */
	if (!st && (!res || !d->conn || PQstatus(d->conn) == CONNECTION_BAD))
		st = "08006";
	snprintf(d->state, sizeof(d->state), "%s", st ? st : "");
	one_line(d->err, sizeof(d->err));
}

/* A wait that a signal ended: the connection is dropped (its state is
 * unknown), and the server rolls back whatever was open. */
static void give_up(struct db *d)
{
	snprintf(d->err, sizeof(d->err), "interrupted by a signal; the server did not"
		 " answer within %d ms", DB_STOP_GRACE_MS);
	snprintf(d->state, sizeof(d->state), "57014");
	PQfinish(d->conn);
	d->conn = NULL;
	d->in_copy = 0;
}

/* ---- waiting on the socket ---- */

/*
 * Wait until the socket is ready for events: 1.  0 when deadline (a
 * mono_ms() time, 0 for none) passed, -1 when a signal's grace ran out,
 * or at once when abort_on_stop is set.  Polls in slices of 100 ms so a
 * signal that lands just before poll() is seen soon.  After a signal it
 * also returns 1 every slice, so that the caller can cancel its
 * statement and look again.
 */
static int wait_io(PGconn *c, short events, long long deadline, int abort_on_stop)
{
	struct pollfd p;
	long long now, until;
	int r;

	for (;;) {
		now = mono_ms();
		if (stopped && (abort_on_stop || now >= stopped_at + DB_STOP_GRACE_MS))
			return -1;
		if (deadline && now >= deadline)
			return 0;
		until = now + 100;
		if (deadline && deadline < until)
			until = deadline;
		p.fd = PQsocket(c);
		p.events = events;
		p.revents = 0;
		if (p.fd < 0)
			return 1; /* let libpq report the broken connection */
		r = poll(&p, 1, (int)(until - now));
		if (r > 0 || (r < 0 && errno != EINTR) || stopped)
			return 1;
	}
}

/* Send everything libpq has queued; -1 on error or a signal's end. */
static int flush_out(struct db *d)
{
	int r;

	while ((r = PQflush(d->conn)) == 1) {
		if (wait_io(d->conn, POLLOUT | POLLIN, 0, 0) < 0) {
			give_up(d);
			return -1;
		}
		/* Read what the server sent meanwhile, or it may stall. */
		if (!PQconsumeInput(d->conn))
			break;
	}
	if (r < 0) {
		db_set_error(d, NULL);
		return -1;
	}
	return 0;
}

/* PQcancel blocks until the server closes the cancel connection, which
 * a hung server never does: send it from a thread nobody waits for. */
static void *cancel_thread(void *arg)
{
	char buf[256];

	PQcancel(arg, buf, sizeof(buf));
	PQfreeCancel(arg);
	return NULL;
}

static void send_cancel(struct db *d)
{
	PGcancel *c = PQgetCancel(d->conn);
	pthread_t t;

	if (!c)
		return;
	msg_log(MSG_DEBUG, "database: cancelling the running statement");
	if (pthread_create(&t, NULL, cancel_thread, c) == 0)
		pthread_detach(t);
	else
		PQfreeCancel(c);
}

/*
 * Collect the results of the statement just sent: the first error, else
 * the last result (a COPY IN result ends the collection).  A signal that
 * arrives meanwhile cancels the statement when cancellable (and it began
 * before the signal).  NULL with d->err set on error.
 */
static PGresult *collect(struct db *d, int cancellable)
{
	PGresult *res, *keep = NULL;
	int cancelled = !cancellable || stopped;

	for (;;) {
		while (PQisBusy(d->conn)) {
			if (stopped && !cancelled) {
				send_cancel(d);
				cancelled = 1;
			}
			if (wait_io(d->conn, POLLIN, 0, 0) < 0) {
				PQclear(keep);
				give_up(d);
				return NULL;
			}
			if (!PQconsumeInput(d->conn))
				break;
		}
		if (!(res = PQgetResult(d->conn)))
			break;
		if (keep && PQresultStatus(keep) == PGRES_FATAL_ERROR) {
			PQclear(res);
			continue;
		}
		PQclear(keep);
		keep = res;
		if (PQresultStatus(res) == PGRES_COPY_IN)
			return res;
	}
	if (!keep || (PQresultStatus(keep) != PGRES_TUPLES_OK &&
		      PQresultStatus(keep) != PGRES_COMMAND_OK)) {
		db_set_error(d, keep);
		PQclear(keep);
		return NULL;
	}
	return keep;
}

/* ---- connecting ---- */

const char *db_conninfo(void)
{
	const char *url = getenv("DATABASE_URL");

	return url ? url : "";
}

int db_configured(void)
{
	static const char *const vars[] = {
		"DATABASE_URL", "PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE",
		"PGUSER", "PGSERVICE",
	};
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (getenv(vars[i]) && *getenv(vars[i]))
			return 1;
	return 0;
}

/* The connect_timeout libpq resolved (conninfo, service file,
 * PGCONNECT_TIMEOUT), in ms; libpq's own rules: 0 waits forever, and
 * less than 2 s means 2 s.  Non-blocking connects must enforce it. */
static long long connect_timeout_ms(PGconn *c)
{
	PQconninfoOption *opts = PQconninfo(c), *o;
	long long ms = DB_CONNECT_TIMEOUT * 1000LL;

	for (o = opts; o && o->keyword; o++)
		if (strcmp(o->keyword, "connect_timeout") == 0 && o->val && *o->val)
			ms = atoll(o->val) * 1000LL;
	PQconninfoFree(opts);
	return ms > 0 && ms < 2000 ? 2000 : ms;
}

static int poll_connect(struct db *d, int abort_on_stop)
{
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	long long timeout = connect_timeout_ms(d->conn), deadline = 0;
	char at[512] = "", now_at[512];
	int r;

	while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
		/* connect_timeout is per host, as libpq counts it */
		snprintf(now_at, sizeof(now_at), "%s:%s", PQhost(d->conn) ? PQhost(d->conn) : "",
			 PQport(d->conn) ? PQport(d->conn) : "");
		if (strcmp(now_at, at) != 0 || !deadline) {
			memcpy(at, now_at, sizeof(at));
			deadline = timeout ? mono_ms() + timeout : 0;
		}
		r = wait_io(d->conn, st == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline,
			    abort_on_stop);
		if (r < 0) {
			snprintf(d->err, sizeof(d->err), "connection attempt interrupted by a signal");
			snprintf(d->state, sizeof(d->state), "57014");
			return -1;
		}
		if (r == 0) {
			snprintf(d->err, sizeof(d->err), "no answer from %s within %lld s"
				 " (connect_timeout)", at, timeout / 1000);
			one_line(d->err, sizeof(d->err));
			snprintf(d->state, sizeof(d->state), "08001");
			d->no_answer = 1;
			return -1;
		}
		st = PQconnectPoll(d->conn);
	}
	if (st == PGRES_POLLING_OK)
		return 0;
	snprintf(d->err, sizeof(d->err), "%s", PQerrorMessage(d->conn));
	d->state[0] = '\0';
	return -1;
}

/*
 * Keepalives go before the conninfo: libpq lets later (expanded) settings
 * override earlier ones, so the user's own values win.  An idle
 * connection to a vanished host is noticed in about a minute.
 */
static int connect_once(struct db *d, int abort_on_stop)
{
	const char *kw[] = { "keepalives", "keepalives_idle", "keepalives_interval",
			     "keepalives_count", "dbname", NULL };
	const char *val[] = { "1", "30", "10", "3", d->conninfo, NULL };
	char masked[512], why[700];

	if (stopped && (abort_on_stop || mono_ms() >= stopped_at + DB_STOP_GRACE_MS)) {
		snprintf(d->err, sizeof(d->err), "connection attempt interrupted by a signal");
		snprintf(d->state, sizeof(d->state), "57014");
		return -1;
	}
	if (!*d->conninfo)
		kw[4] = NULL; /* libpq's environment alone */
	d->conn = PQconnectStartParams(kw, val, 1);
	/* PQconnectPoll never blocks; PQsetnonblocking() clears the error
	 * text, so it comes once connected. */
	if (d->conn && PQstatus(d->conn) != CONNECTION_BAD && poll_connect(d, abort_on_stop) == 0 &&
	    PQsetnonblocking(d->conn, 1) == 0) {
		PQsetNoticeProcessor(d->conn, quiet_notice, NULL);
		return 0;
	}
	if (!d->conn || PQstatus(d->conn) == CONNECTION_BAD)
		snprintf(why, sizeof(why), "%s", d->conn ? PQerrorMessage(d->conn) : "out of memory");
	else
		snprintf(why, sizeof(why), "%.690s", d->err);
	if (strcmp(d->state, "57014") != 0) {
		db_secret_mask(masked, sizeof(masked), d->conninfo);
		snprintf(d->err, sizeof(d->err), "%.300s: %.700s", masked, why);
	}
	one_line(d->err, sizeof(d->err));
	PQfinish(d->conn);
	d->conn = NULL;
	return -1;
}

static int connect_retry(struct db *d, int tries, int abort_on_stop)
{
	int i;

	for (i = 0; i < tries; i++) {
		if (i > 0) {
			msg_log(MSG_WARN, "database: %s; retrying", d->err);
			db_backoff(i - 1);
		}
		d->state[0] = '\0';
		d->no_answer = 0;
		if (connect_once(d, abort_on_stop) == 0)
			return 0;
		/* A server that accepts and never answers is hung, not
		 * restarting: connect_timeout bounds the whole attempt. */
		if (stopped || d->no_answer)
			break;
	}
	return -1;
}

static char *quote(PGconn *c, const char *name)
{
	char *q = PQescapeIdentifier(c, name, strlen(name));
	char *s;

	if (!q)
		return NULL;
	s = xstrdup(q);
	PQfreemem(q);
	return s;
}

int db_connect(struct db *d, const char *conninfo, int tries,
	       const char *schema, const char *table)
{
	char masked[512], why[512];

	memset(d, 0, sizeof(*d));
	d->conninfo = xstrdup(conninfo ? conninfo : "");
	/* A string libpq cannot parse never reaches a message whole, and
	 * retrying it is pointless. */
	if (db_secret_parse(d->conninfo, why, sizeof(why)) < 0) {
		snprintf(d->err, sizeof(d->err), "connection string: %s", why);
		one_line(d->err, sizeof(d->err));
		return -1;
	}
	msg_log(MSG_DEBUG, "connecting to %s", db_secret_mask(masked, sizeof(masked), d->conninfo));
	if (connect_retry(d, tries < 1 ? 1 : tries, 1) < 0)
		return -1;
	d->schema = quote(d->conn, schema);
	d->table = quote(d->conn, table);
	d->schema_name = xstrdup(schema);
	d->table_name = xstrdup(table);
	if (!d->schema || !d->table) {
		snprintf(d->err, sizeof(d->err), "cannot quote identifier: %s",
			 PQerrorMessage(d->conn));
		one_line(d->err, sizeof(d->err));
		return -1;
	}
	return 0;
}

int db_reconnect(struct db *d, int tries)
{
	static int regraced;

	d->in_copy = 0;
	/* After a signal: one more grace period, to record the outcome. */
	if (stopped && !regraced) {
		stopped_at = mono_ms();
		regraced = 1;
	}
	PQfinish(d->conn);
	d->conn = NULL;
	return connect_retry(d, tries < 1 ? 1 : tries, 0);
}

void db_close(struct db *d)
{
	PQfinish(d->conn);
	free(d->conninfo);
	free(d->schema);
	free(d->table);
	free(d->schema_name);
	free(d->table_name);
	d->conn = NULL;
	d->conninfo = d->schema = d->table = d->schema_name = d->table_name = NULL;
}

int db_name_valid(const char *name)
{
	size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789");

	if (n == 0 || name[n] || n > 63 || (name[0] >= '0' && name[0] <= '9'))
		return -1;
	return 0;
}

/* ---- statements ---- */

char *db_sql(const struct db *d, const char *tmpl)
{
	size_t n = 1, ls = strlen(d->schema), lt = strlen(d->table);
	const char *p;
	char *out, *o;

	for (p = tmpl; *p; p++)
		n += (p[0] == '{' && (p[1] == 'S' || p[1] == 'T') && p[2] == '}')
			? (p[1] == 'S' ? ls : lt) : 1;
	out = xmalloc(n);
	for (p = tmpl, o = out; *p; p++) {
		if (p[0] == '{' && (p[1] == 'S' || p[1] == 'T') && p[2] == '}') {
			memcpy(o, p[1] == 'S' ? d->schema : d->table,
			       p[1] == 'S' ? ls : lt);
			o += p[1] == 'S' ? ls : lt;
			p += 2;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

static int not_connected(struct db *d)
{
	if (d->conn && PQstatus(d->conn) == CONNECTION_OK)
		return 0;
	if (!d->conn) {
		snprintf(d->err, sizeof(d->err), "not connected");
		snprintf(d->state, sizeof(d->state), "08003");
	} else {
		db_set_error(d, NULL);
	}
	return -1;
}

static PGresult *run(struct db *d, const char *tmpl, int n, const char *const *params,
		     int cancellable)
{
	char *sql;
	int sent;

	if (not_connected(d) < 0)
		return NULL;
	sql = db_sql(d, tmpl);
	/* Several statements need the simple protocol (PQsendQuery). */
	sent = n > 0 ? PQsendQueryParams(d->conn, sql, n, NULL, params, NULL, NULL, 0)
		     : PQsendQuery(d->conn, sql);
	free(sql);
	if (!sent) {
		db_set_error(d, NULL);
		return NULL;
	}
	if (flush_out(d) < 0)
		return NULL;
	return collect(d, cancellable);
}

PGresult *db_query(struct db *d, const char *tmpl, int n,
		   const char *const *params)
{
	PGresult *res = run(d, tmpl, n, params, 1);

	if (res && PQresultStatus(res) == PGRES_COPY_IN) {
		db_copy_end(d, "load-bars: not a COPY", NULL);
		PQclear(res);
		snprintf(d->err, sizeof(d->err), "unexpected COPY");
		return NULL;
	}
	return res;
}

int db_exec(struct db *d, const char *tmpl)
{
	PGresult *res = db_query(d, tmpl, 0, NULL);

	PQclear(res);
	return res ? 0 : -1;
}

int db_commit(struct db *d)
{
	PGresult *res = run(d, "COMMIT", 0, NULL, 0);

	PQclear(res);
	return res ? 0 : -1;
}

void db_rollback(struct db *d)
{
	char err[sizeof(d->err)], state[sizeof(d->state)];

	if (!d->conn || PQstatus(d->conn) != CONNECTION_OK)
		return;
	memcpy(err, d->err, sizeof(err));
	memcpy(state, d->state, sizeof(state));
	if (d->in_copy)
		db_copy_end(d, "rolled back", NULL);
	PQclear(run(d, "ROLLBACK", 0, NULL, 0));
	memcpy(d->err, err, sizeof(err));
	memcpy(d->state, state, sizeof(state));
}

/* ---- COPY ---- */

int db_copy_begin(struct db *d, const char *tmpl)
{
	PGresult *res = run(d, tmpl, 0, NULL, 1);

	if (!res)
		return -1;
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		PQclear(res);
		snprintf(d->err, sizeof(d->err), "COPY did not start");
		return -1;
	}
	PQclear(res);
	d->in_copy = 1;
	return 0;
}

int db_copy_put(struct db *d, const char *buf, size_t len)
{
	int r;

	if (stopped) {
		snprintf(d->err, sizeof(d->err), "interrupted by a signal");
		snprintf(d->state, sizeof(d->state), "57014");
		return -1;
	}
	while ((r = PQputCopyData(d->conn, buf, (int)len)) == 0)
		if (wait_io(d->conn, POLLOUT, 0, 0) < 0) {
			give_up(d);
			return -1;
		}
	if (r < 0) {
		db_set_error(d, NULL);
		return -1;
	}
	return flush_out(d);
}

int db_copy_end(struct db *d, const char *why, long long *rows)
{
	PGresult *res;
	int r;

	if (!d->conn)
		return -1;
	d->in_copy = 0;
	while ((r = PQputCopyEnd(d->conn, why)) == 0)
		if (wait_io(d->conn, POLLOUT, 0, 0) < 0) {
			give_up(d);
			return -1;
		}
	if (r < 0 || flush_out(d) < 0) {
		if (!why)
			db_set_error(d, NULL);
		return -1;
	}
	if (why) {
		/* Aborted on purpose: drain the expected error, keep d->err. */
		for (;;) {
			while (PQisBusy(d->conn))
				if (wait_io(d->conn, POLLIN, 0, 0) < 0 || !PQconsumeInput(d->conn))
					return PQstatus(d->conn) == CONNECTION_OK ? 0 : -1;
			if (!(res = PQgetResult(d->conn)))
				return 0;
			PQclear(res);
		}
	}
	if (!(res = collect(d, 1)))
		return -1;
	if (rows)
		*rows = atoll(PQcmdTuples(res));
	PQclear(res);
	return 0;
}

/* ---- failures ---- */

int db_lost(const struct db *d)
{
	/* 57P01-57P03: admin shutdown, crash shutdown, cannot connect now. */
	return !d->conn || PQstatus(d->conn) == CONNECTION_BAD ||
	       strncmp(d->state, "08", 2) == 0 ||
	       strncmp(d->state, "57P0", 4) == 0;
}

int db_retryable(const struct db *d)
{
	return !stopped && (db_lost(d) || strcmp(d->state, "40P01") == 0 ||
			    strcmp(d->state, "40001") == 0);
}

void db_backoff(int attempt)
{
	long ms = 200L << (attempt < 5 ? attempt : 5);
	struct timespec ts;

	if (ms > 5000)
		ms = 5000;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (!stopped && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void array_put(struct db_array *a, char c)
{
	if (a->len + 2 > a->cap) {
		a->cap = a->cap ? a->cap * 2 : 256;
		a->s = xrealloc(a->s, a->cap);
	}
	a->s[a->len++] = c;
}

void db_array_add(struct db_array *a, const char *v)
{
	array_put(a, a->len ? ',' : '{');
	array_put(a, '"');
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			array_put(a, '\\');
		array_put(a, *v);
	}
	array_put(a, '"');
}

void db_array_add_int(struct db_array *a, long long v)
{
	char t[24];

	snprintf(t, sizeof(t), "%lld", v);
	db_array_add(a, t);
}

void db_array_add_bool(struct db_array *a, int v)
{
	db_array_add(a, v ? "t" : "f");
}

const char *db_array_end(struct db_array *a)
{
	if (!a->len)
		array_put(a, '{');
	array_put(a, '}');
	a->s[a->len] = '\0';
	return a->s;
}

void db_array_free(struct db_array *a)
{
	free(a->s);
	memset(a, 0, sizeof(*a));
}
