#include "sched_api.h"
#include "bt.h"
#include "sched_log.h"
#include "sched_metrics.h"
#include "xalloc.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#ifndef VERSION
#define VERSION "0.1.0"
#endif

#define BODY_MAX 4096     /* POST bodies are ignored; anything bigger is refused */
#define NCLIENTS 256      /* rate-limit table; the least recently seen is reused */
#define CONN_SLOTS (API_CONN_MAX + 16) /* evicted connections linger until closed */

struct client {
	unsigned char addr[16];
	double tokens, seen;
};

/* A connection as the watchdog and the accept policy see it. */
struct conn {
	int fd;                 /* -1: free slot */
	unsigned char addr[16];
	double t0;              /* first byte of the current request */
	int headers;            /* its headers are complete */
	int evicted;            /* shut down, waiting for libmicrohttpd to close it */
};

struct sched_api {
	struct MHD_Daemon *d;
	struct sched_state *st;
	char *token;
	int loopback;
	double rate;
	pthread_mutex_t rl_mu;
	struct client clients[NCLIENTS];
	char *cert, *key;
	pthread_mutex_t conn_mu; /* conns, watch_stop */
	pthread_cond_t watch_cv;
	struct conn conns[CONN_SLOTS];
	pthread_t watchdog;
	int watch_stop;
};

struct req {
	size_t body;
	int refused;
};

int sched_api_token_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char d = la != lb;

	for (i = 0; i < la; i++)
		d |= (unsigned char)a[i] ^ (unsigned char)b[i % (lb ? lb : 1)];
	return d == 0;
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void addr_key(const struct sockaddr *sa, unsigned char key[16])
{
	memset(key, 0, 16);
	if (!sa)
		return;
	if (sa->sa_family == AF_INET)
		memcpy(key, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	else if (sa->sa_family == AF_INET6)
		memcpy(key, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
}

/* ---- connection limits and deadlines ------------------------------------ */

static void evict(struct conn *c)
{
	shutdown(c->fd, SHUT_RDWR); /* libmicrohttpd sees EOF and closes it */
	c->evicted = 1;
}

/*
 * Accept policy: within the limits, accept; beyond them, make room by
 * evicting the oldest connection that has not finished its headers (from
 * the same address when that address is over its limit).  Connections
 * being served are never evicted: then the new one is refused.
 */
static enum MHD_Result accept_policy(void *cls, const struct sockaddr *sa, socklen_t len)
{
	struct sched_api *h = cls;
	unsigned char key[16];
	struct conn *c, *oldest = NULL, *oldest_ip = NULL, *victim = NULL;
	int total = 0, same = 0, free_slot = 0, full, i;

	(void)len;
	addr_key(sa, key);
	pthread_mutex_lock(&h->conn_mu);
	for (i = 0; i < CONN_SLOTS; i++) {
		c = &h->conns[i];
		if (c->fd < 0) {
			free_slot = 1;
			continue;
		}
		if (c->evicted)
			continue;
		total++;
		same += !memcmp(c->addr, key, 16);
		if (c->headers)
			continue;
		if (!oldest || c->t0 < oldest->t0)
			oldest = c;
		if (!memcmp(c->addr, key, 16) && (!oldest_ip || c->t0 < oldest_ip->t0))
			oldest_ip = c;
	}
	full = same >= API_CONN_PER_IP || total >= API_CONN_MAX;
	if (full)
		victim = same >= API_CONN_PER_IP ? oldest_ip : oldest;
	if (victim)
		evict(victim);
	pthread_mutex_unlock(&h->conn_mu);
	return free_slot && (!full || victim) ? MHD_YES : MHD_NO;
}

static void notify_conn(void *cls, struct MHD_Connection *mc, void **ctx,
			enum MHD_ConnectionNotificationCode code)
{
	struct sched_api *h = cls;
	const union MHD_ConnectionInfo *fd, *ad;
	struct conn *c = *ctx;
	int i;

	pthread_mutex_lock(&h->conn_mu);
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		fd = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);
		ad = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		for (i = 0; i < CONN_SLOTS && h->conns[i].fd >= 0; i++)
			;
		if (fd && i < CONN_SLOTS) {
			c = &h->conns[i];
			memset(c, 0, sizeof(*c));
			c->fd = fd->connect_fd;
			addr_key(ad ? ad->client_addr : NULL, c->addr);
			c->t0 = mono();
			*ctx = c;
		}
	} else if (c) {
		/* libmicrohttpd closes the socket after this returns */
		c->fd = -1;
		*ctx = NULL;
	}
	pthread_mutex_unlock(&h->conn_mu);
}

static struct conn *conn_of(struct MHD_Connection *mc)
{
	const union MHD_ConnectionInfo *i = MHD_get_connection_info(mc,
		MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return i ? i->socket_context : NULL;
}

static void conn_mark(struct sched_api *h, struct MHD_Connection *mc, int headers)
{
	struct conn *c = conn_of(mc);

	pthread_mutex_lock(&h->conn_mu);
	if (c) {
		c->headers = headers;
		if (!headers)
			c->t0 = mono(); /* keep-alive: the next request starts now */
	}
	pthread_mutex_unlock(&h->conn_mu);
}

/* Absolute deadlines, however slowly a client trickles bytes. */
static void *watchdog(void *arg)
{
	struct sched_api *h = arg;
	struct timespec until;
	struct conn *c;
	double now;
	int i;

	pthread_mutex_lock(&h->conn_mu);
	while (!h->watch_stop) {
		now = mono();
		for (i = 0; i < CONN_SLOTS; i++) {
			c = &h->conns[i];
			if (c->fd < 0 || c->evicted)
				continue;
			if ((!c->headers && now - c->t0 > API_HEADER_SECONDS) ||
			    now - c->t0 > API_REQUEST_SECONDS)
				evict(c);
		}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 250000000L;
		if (until.tv_nsec >= 1000000000L)
			until.tv_sec++, until.tv_nsec -= 1000000000L;
		pthread_cond_timedwait(&h->watch_cv, &h->conn_mu, &until);
	}
	pthread_mutex_unlock(&h->conn_mu);
	return NULL;
}

/* Token bucket per client address; 1 when the request may proceed. */
static int rate_ok(struct sched_api *h, struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c,
		MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	unsigned char key[16];
	struct client *cl = NULL, *old = &h->clients[0];
	double now = mono();
	int i, ok;

	if (h->rate <= 0 || !ci || !ci->client_addr)
		return 1;
	addr_key(ci->client_addr, key);
	pthread_mutex_lock(&h->rl_mu);
	for (i = 0; i < NCLIENTS && !cl; i++) {
		if (memcmp(h->clients[i].addr, key, 16) == 0 && h->clients[i].seen > 0)
			cl = &h->clients[i];
		else if (h->clients[i].seen < old->seen)
			old = &h->clients[i];
	}
	if (!cl) {
		cl = old;
		memcpy(cl->addr, key, 16);
		cl->tokens = 2 * h->rate;
		cl->seen = now;
	}
	cl->tokens += (now - cl->seen) * h->rate;
	if (cl->tokens > 2 * h->rate)
		cl->tokens = 2 * h->rate;
	cl->seen = now;
	ok = cl->tokens >= 1;
	if (ok)
		cl->tokens -= 1;
	pthread_mutex_unlock(&h->rl_mu);
	return ok;
}

/* ---- responses ------------------------------------------------------------ */

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, const char *type,
			     const char *body, size_t len, const char *allow)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body,
		MHD_RESPMEM_MUST_COPY);
	enum MHD_Result rc;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (allow)
		MHD_add_response_header(r, "Allow", allow);
	if (code == MHD_HTTP_TOO_MANY_REQUESTS)
		MHD_add_response_header(r, "Retry-After", "1");
	if (code == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"sched-run\"");
	rc = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return rc;
}

/* Send the JSON in g (plus a newline) and free g. */
static enum MHD_Result reply_json(struct MHD_Connection *c, unsigned code, yajl_gen g)
{
	const unsigned char *buf;
	size_t len;
	char *body;
	enum MHD_Result rc;

	yajl_gen_get_buf(g, &buf, &len);
	body = xmalloc(len + 2);
	memcpy(body, buf, len);
	body[len++] = '\n';
	rc = reply(c, code, "application/json", body, len, NULL);
	free(body);
	yajl_gen_free(g);
	return rc;
}

static enum MHD_Result error(struct MHD_Connection *c, unsigned code, const char *msg,
			     const char *allow)
{
	char buf[256];
	int k = snprintf(buf, sizeof(buf), "{\"error\":\"%s\"}\n", msg);

	return reply(c, code, "application/json", buf, (size_t)k, allow);
}

/* ---- JSON ------------------------------------------------------------------ */

static void j_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void j_kstr(yajl_gen g, const char *k, const char *v)
{
	j_str(g, k);
	j_str(g, v);
}

static void j_kint(yajl_gen g, const char *k, long long v)
{
	j_str(g, k);
	yajl_gen_integer(g, v);
}

/* A count, or null when unknown (-1). */
static void j_kcount(yajl_gen g, const char *k, long long v)
{
	j_str(g, k);
	if (v >= 0)
		yajl_gen_integer(g, v);
	else
		yajl_gen_null(g);
}

static void j_ktime(yajl_gen g, const char *k, time_t t)
{
	char buf[BT_ISO_LEN];

	j_str(g, k);
	if (t)
		j_str(g, bt_format_iso(t, buf));
	else
		yajl_gen_null(g);
}

static const char *state_name(const struct sched_state *st)
{
	return st->stopping ? "stopping" : st->paused ? "paused" : "running";
}

static void json_summary(yajl_gen g, const struct sched_summary *s)
{
	int i;

	if (!s->start) {
		yajl_gen_null(g);
		return;
	}
	yajl_gen_map_open(g);
	j_ktime(g, "start", s->start);
	j_ktime(g, "end", s->end);
	if (s->end) {
		j_kint(g, "duration_seconds", (long long)(s->end - s->start));
		j_kstr(g, "outcome", sched_outcome_names[s->outcome]);
		j_kint(g, "exit_code", s->rc);
	}
	j_str(g, "stages");
	yajl_gen_map_open(g);
	for (i = 0; i < SCHED_STAGES; i++)
		j_kcount(g, sched_stage_name(i), s->status[i]);
	yajl_gen_map_close(g);
	j_kcount(g, "rows_in", s->rows.rows_in);
	j_kcount(g, "inserted", s->rows.inserted);
	j_kcount(g, "updated", s->rows.updated);
	j_kcount(g, "unchanged", s->rows.unchanged);
	j_kcount(g, "rejected", s->rows.rejected);
	j_kcount(g, "duplicates", s->rows.duplicates);
	j_kcount(g, "windows_ok", s->windows.ok);
	j_kcount(g, "windows_failed", s->windows.failed);
	yajl_gen_map_close(g);
}

static void json_job(yajl_gen g, const struct sched_job *j, int full)
{
	const struct sched_totals *t = &j->tot;

	yajl_gen_map_open(g);
	j_kstr(g, "name", j->name);
	if (full) {
		j_kstr(g, "schedule", j->schedule ? j->schedule : "");
		j_kstr(g, "timezone", j->timezone);
		j_kint(g, "timeout_seconds", j->timeout);
		j_kint(g, "runs_ok", (long long)t->runs[SCHED_OK]);
		j_kint(g, "runs_failed", (long long)sched_runs_failed(t));
		j_kint(g, "misfires", (long long)sched_misfires(t));
		j_kint(g, "errors", (long long)(sched_runs_failed(t) + t->runs[SCHED_ERROR]));
		if (j->removed) {
			j_str(g, "removed");
			yajl_gen_bool(g, 1);
		}
	}
	j_str(g, "paused");
	yajl_gen_bool(g, j->paused);
	j_str(g, "running");
	yajl_gen_bool(g, j->running);
	j_ktime(g, "next_fire", j->next);
	if (j->phase == SCHED_RUNNING) {
		j_str(g, "current_run");
		json_summary(g, &j->cur);
	}
	j_str(g, "last_run");
	json_summary(g, &j->last);
	yajl_gen_map_close(g);
}

static enum MHD_Result get_status(struct sched_api *h, struct MHD_Connection *c, int jobs_only)
{
	struct sched_state *st = h->st;
	yajl_gen g = yajl_gen_alloc(NULL);
	time_t now = time(NULL);
	size_t i;

	pthread_mutex_lock(&st->mu);
	yajl_gen_map_open(g);
	if (!jobs_only) {
		j_kstr(g, "state", state_name(st));
		j_kstr(g, "version", VERSION);
		j_kint(g, "pid", (long long)getpid());
		j_ktime(g, "started_at", st->started);
		j_kint(g, "uptime_seconds", (long long)(now - st->started));
	}
	j_str(g, "jobs");
	yajl_gen_array_open(g);
	for (i = 0; i < st->njobs; i++)
		json_job(g, &st->jobs[i], jobs_only);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	pthread_mutex_unlock(&st->mu);
	return reply_json(c, MHD_HTTP_OK, g);
}

/* ---- the status page -------------------------------------------------------- */

static const char page_wait[] =
	"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	"<title>stockbars status</title></head>\n<body><p>The status page is being"
	" prepared; reload in a moment.</p></body></html>\n";

/*
 * GET /: a copy of the page the scheduler rendered last, taken under mu
 * (a memcpy; the page is built elsewhere).  An old page is served all the
 * same and a new one asked for, so the answer never waits for a render;
 * before the first one, a 503 that says so.  The headers repeat the
 * page's own policy, and forbid framing and sniffing.
 */
static enum MHD_Result get_page(struct sched_api *h, struct MHD_Connection *c)
{
	struct sched_state *st = h->st;
	struct MHD_Response *r;
	unsigned code = MHD_HTTP_OK;
	enum MHD_Result rc;

	pthread_mutex_lock(&st->mu);
	if (st->page)
		r = MHD_create_response_from_buffer(st->page_len, st->page, MHD_RESPMEM_MUST_COPY);
	else
		r = MHD_create_response_from_buffer(sizeof(page_wait) - 1, (void *)page_wait,
						    MHD_RESPMEM_PERSISTENT);
	if (!st->page || time(NULL) - st->page_at >= API_PAGE_MAX_AGE) {
		st->page_stale = 1;
		sched_wake(st);
	}
	if (!st->page)
		code = MHD_HTTP_SERVICE_UNAVAILABLE;
	pthread_mutex_unlock(&st->mu);
	if (!r)
		return MHD_NO;
	if (code != MHD_HTTP_OK)
		MHD_add_response_header(r, "Retry-After", "1");
	MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "Content-Security-Policy",
				"default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	rc = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return rc;
}

/* ---- metrics --------------------------------------------------------------- */

/* process_* metrics from /proc/self, as the Prometheus client libraries. */
static void process_metrics(FILE *fp, time_t started)
{
	long pages = 0, rss = 0, ticks = sysconf(_SC_CLK_TCK);
	unsigned long ut = 0, stt = 0;
	char buf[1024], *p;
	int nfd = 0;
	FILE *in;
	DIR *d;

	if ((in = fopen("/proc/self/statm", "r"))) {
		if (fscanf(in, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(in);
	}
	fprintf(fp, "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
		"# TYPE process_resident_memory_bytes gauge\n"
		"process_resident_memory_bytes %ld\n", rss * sysconf(_SC_PAGESIZE));
	if ((in = fopen("/proc/self/stat", "r"))) {
		/* fields after the parenthesised command name, which may hold spaces */
		if (fgets(buf, sizeof(buf), in) && (p = strrchr(buf, ')')) &&
		    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
			   &ut, &stt) != 2)
			ut = stt = 0;
		fclose(in);
	}
	fprintf(fp, "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
		"# TYPE process_cpu_seconds_total counter\n"
		"process_cpu_seconds_total %.2f\n", (double)(ut + stt) / (double)ticks);
	if ((d = opendir("/proc/self/fd"))) {
		while (readdir(d))
			nfd++;
		closedir(d);
		nfd -= 3; /* ".", ".." and the DIR itself */
	}
	fprintf(fp, "# HELP process_open_fds Number of open file descriptors.\n"
		"# TYPE process_open_fds gauge\n"
		"process_open_fds %d\n", nfd);
	fprintf(fp, "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n"
		"# TYPE process_start_time_seconds gauge\n"
		"process_start_time_seconds %lld\n", (long long)started);
}

static enum MHD_Result get_metrics(struct sched_api *h, struct MHD_Connection *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	enum MHD_Result rc;

	if (!fp)
		return error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory", NULL);
	pthread_mutex_lock(&h->st->mu);
	sched_metrics_write(fp, h->st->jobs, h->st->njobs, 1);
	fprintf(fp, "# HELP stockbars_scheduler_paused 1 while all scheduling is paused (POST /stop).\n"
		"# TYPE stockbars_scheduler_paused gauge\n"
		"stockbars_scheduler_paused %d\n", h->st->paused);
	pthread_mutex_unlock(&h->st->mu);
	process_metrics(fp, h->st->started);
	if (fclose(fp) != 0) {
		free(buf);
		return error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory", NULL);
	}
	rc = reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", buf, len, NULL);
	free(buf);
	return rc;
}

/* ---- control --------------------------------------------------------------- */

/* POST /start and /stop, with or without ?job=NAME.  Called under mu;
 * *done says whether it changed anything (for the log). */
static enum MHD_Result control(struct sched_api *h, struct MHD_Connection *c, int start,
			       const char *name, int *done)
{
	struct sched_state *st = h->st;
	struct sched_job *j = NULL;
	yajl_gen g;
	size_t i;

	if (start && st->stopping)
		return error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "shutting down", NULL);
	if (name && !(j = sched_find(st, name)))
		return error(c, MHD_HTTP_NOT_FOUND, "no such job", NULL);
	if (j && start && (j->running || j->run_now))
		return error(c, MHD_HTTP_CONFLICT, "job is already running", NULL);
	g = yajl_gen_alloc(NULL);
	yajl_gen_map_open(g);
	if (j) {
		j->paused = !start;
		j->run_now = start;
		j_kstr(g, "job", j->name);
		if (start) {
			j_str(g, "queued");
			yajl_gen_bool(g, 1);
		}
		j_str(g, "paused");
		yajl_gen_bool(g, j->paused);
	} else {
		st->paused = !start;
		for (i = 0; start && i < st->njobs; i++)
			st->jobs[i].paused = 0;
	}
	j_kstr(g, "state", state_name(st));
	yajl_gen_map_close(g);
	sched_wake(st);
	*done = 1;
	return reply_json(c, j && start ? MHD_HTTP_ACCEPTED : MHD_HTTP_OK, g);
}

/* Query arguments other than job= (a typo such as jobx=) count here. */
static enum MHD_Result other_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				 const char *value)
{
	(void)kind;
	(void)value;
	if (strcmp(key, "job") != 0)
		++*(int *)cls;
	return MHD_YES;
}

static enum MHD_Result post_control(struct sched_api *h, struct MHD_Connection *c, int start)
{
	const char *name = NULL;
	size_t len = 0;
	int others = 0, done = 0;
	enum MHD_Result rc;

	/* A mistyped argument must not widen "stop one job" to "stop all". */
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, other_arg, &others);
	if (others)
		return error(c, MHD_HTTP_BAD_REQUEST, "unknown query argument (only job=NAME)", NULL);
	if (MHD_lookup_connection_value_n(c, MHD_GET_ARGUMENT_KIND, "job", 3, &name, &len) ==
		    MHD_YES &&
	    (!name || strlen(name) != len || len == 0))
		return error(c, MHD_HTTP_BAD_REQUEST, "bad job name", NULL);
	pthread_mutex_lock(&h->st->mu);
	rc = control(h, c, start, name, &done);
	pthread_mutex_unlock(&h->st->mu);
	if (done)
		slog(MSG_INFO, start ? "api_start" : "api_stop", "job", name, NULL);
	return rc;
}

/*
 * 0 when the POST may proceed, else the HTTP code to refuse it with.  A
 * bearer token is itself a header no web page can add to a cross-site
 * request; without one, ask for a header or content type that only a
 * script with CORS permission (which we never grant) could send.
 */
static unsigned authorize(struct sched_api *h, struct MHD_Connection *c, const char **why)
{
	const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	const char *x = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Stockbars");
	const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");

	*why = "missing or wrong bearer token";
	if (h->token) {
		if (!auth || strncasecmp(auth, "Bearer ", 7) != 0)
			return MHD_HTTP_UNAUTHORIZED;
		auth += 7;
		while (*auth == ' ')
			auth++;
		return sched_api_token_equal(auth, h->token) ? 0 : MHD_HTTP_UNAUTHORIZED;
	}
	*why = "POST is disabled: no token configured and the API is not bound to loopback";
	if (!h->loopback)
		return MHD_HTTP_FORBIDDEN;
	*why = "cross-site request refused: send the header X-Stockbars: 1 (or a JSON body)";
	if ((x && *x) || (type && strncasecmp(type, "application/json", 16) == 0))
		return 0;
	return MHD_HTTP_FORBIDDEN;
}

/*
 * On a loopback address, the Host a client asked for must be a loopback
 * name too: a web page that rebinds its own name to 127.0.0.1 is
 * same-origin with us and could otherwise read /status or send the
 * X-Stockbars header.  No Host at all (HTTP/1.0 tools) is allowed.
 */
static int host_ok(const struct sched_api *h, struct MHD_Connection *c)
{
	const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
	char name[256];
	struct in_addr a;
	size_t n;

	if (!h->loopback || !host)
		return 1;
	if (*host == '[')
		return strncmp(host, "[::1]", 5) == 0 && (host[5] == '\0' || host[5] == ':');
	n = strcspn(host, ":");
	if (n >= sizeof(name))
		return 0;
	memcpy(name, host, n);
	name[n] = '\0';
	if (strcasecmp(name, "localhost") == 0 || strcasecmp(name, "localhost.") == 0)
		return 1;
	return inet_pton(AF_INET, name, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

static enum MHD_Result route(struct sched_api *h, struct MHD_Connection *c, const char *url,
			     const char *method)
{
	int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	int post = strcmp(method, "POST") == 0;
	const char *why;
	unsigned code;

	if (!host_ok(h, c))
		return error(c, MHD_HTTP_FORBIDDEN,
			     "Host is not a loopback name (DNS rebinding?): use 127.0.0.1 or localhost",
			     NULL);
	if (!strcmp(url, "/status") || !strcmp(url, "/jobs") || !strcmp(url, "/metrics") ||
	    !strcmp(url, "/healthz") || !strcmp(url, "/")) {
		if (!get)
			return error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed", "GET, HEAD");
		if (!strcmp(url, "/"))
			return get_page(h, c);
		if (!strcmp(url, "/metrics"))
			return get_metrics(h, c);
		if (!strcmp(url, "/healthz"))
			return reply(c, MHD_HTTP_OK, "application/json", "{\"status\":\"ok\"}\n", 16,
				     NULL);
		return get_status(h, c, !strcmp(url, "/jobs"));
	}
	if (!strcmp(url, "/start") || !strcmp(url, "/stop")) {
		if (!post)
			return error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed", "POST");
		code = authorize(h, c, &why);
		if (code)
			return error(c, code, why, NULL);
		return post_control(h, c, !strcmp(url, "/start"));
	}
	return error(c, MHD_HTTP_NOT_FOUND, "not found", NULL);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version, const char *upload,
			       size_t *upload_size, void **con_cls)
{
	struct sched_api *h = cls;
	struct req *r = *con_cls;
	const char *len;

	(void)version;
	(void)upload;
	if (!r) {
		/* First call: headers only.  Refuse early what we will not serve. */
		conn_mark(h, c, 1);
		r = xcalloc(1, sizeof(*r));
		*con_cls = r;
		/* A liveness probe must not fail because other local
		 * clients are busy: /healthz is a constant answer. */
		if (strcmp(url, "/healthz") != 0 && !rate_ok(h, c)) {
			r->refused = 1;
			return error(c, MHD_HTTP_TOO_MANY_REQUESTS, "rate limit exceeded", NULL);
		}
		len = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
		if (len && strtoull(len, NULL, 10) > BODY_MAX) {
			r->refused = 1;
			return error(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large", NULL);
		}
		return MHD_YES;
	}
	if (*upload_size) {
		r->body += *upload_size;
		*upload_size = 0;
		if (r->body > BODY_MAX && !r->refused) {
			r->refused = 1;
			return error(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large", NULL);
		}
		return MHD_YES;
	}
	if (r->refused)
		return MHD_YES;
	return route(h, c, url, method);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	(void)toe;
	conn_mark(cls, c, 0);
	free(*con_cls);
	*con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[512];
	size_t k;

	(void)cls;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	k = strlen(buf);
	while (k && buf[k - 1] == '\n')
		buf[--k] = '\0';
	slog(MSG_DEBUG, "api_log", "msg", buf, NULL);
}

/* ---- setup ----------------------------------------------------------------- */

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *s = NULL;
	size_t len = 0, cap = 0, k;

	if (!fp)
		return NULL;
	for (;;) {
		if (cap - len < 4096) {
			cap = cap * 2 + 8192;
			s = xrealloc(s, cap);
		}
		k = fread(s + len, 1, cap - len - 1, fp);
		len += k;
		if (k == 0)
			break;
	}
	fclose(fp);
	s[len] = '\0';
	return s;
}

static int parse_listen(const char *s, struct sockaddr_in *sa, char *why, size_t n)
{
	char host[256], *colon;
	char *end;
	long port;

	snprintf(host, sizeof(host), "%s", s);
	colon = strrchr(host, ':');
	if (!colon) {
		snprintf(why, n, "--listen %s: want HOST:PORT", s);
		return -1;
	}
	*colon = '\0';
	port = strtol(colon + 1, &end, 10);
	if (!colon[1] || *end || port < 0 || port > 65535) {
		snprintf(why, n, "--listen %s: bad port", s);
		return -1;
	}
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (!strcmp(host, "localhost"))
		snprintf(host, sizeof(host), "127.0.0.1");
	if (!*host)
		snprintf(host, sizeof(host), "0.0.0.0");
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1) {
		snprintf(why, n, "--listen %s: host must be an IPv4 address or localhost", s);
		return -1;
	}
	return 0;
}

static int load_tls(struct sched_api *h, const struct sched_api_opts *o, char *why, size_t n)
{
	if (!o->tls_cert || !o->tls_key) {
		snprintf(why, n, "--tls-cert and --tls-key go together");
		return -1;
	}
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		snprintf(why, n, "this libmicrohttpd has no TLS support");
		return -1;
	}
	h->cert = slurp(o->tls_cert);
	h->key = slurp(o->tls_key);
	if (!h->cert || !h->key) {
		snprintf(why, n, "%s: %s", h->cert ? o->tls_key : o->tls_cert, strerror(errno));
		return -1;
	}
	return 0;
}

static struct MHD_Daemon *start_daemon(struct sched_api *h, struct sockaddr_in *sa)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	struct MHD_OptionItem tls[] = {
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, h->cert },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, h->key },
		{ MHD_OPTION_END, 0, NULL },
	};

	if (h->cert)
		flags |= MHD_USE_TLS;
	else
		tls[0].option = MHD_OPTION_END;
	return MHD_start_daemon(flags, 0, accept_policy, h, handler, h,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)sa,
		MHD_OPTION_ARRAY, tls,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONN_SLOTS,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)API_REQUEST_SECONDS,
		MHD_OPTION_NOTIFY_COMPLETED, completed, h,
		MHD_OPTION_NOTIFY_CONNECTION, notify_conn, h,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_END);
}

static void api_free(struct sched_api *h)
{
	pthread_mutex_destroy(&h->rl_mu);
	pthread_mutex_destroy(&h->conn_mu);
	pthread_cond_destroy(&h->watch_cv);
	free(h->token);
	free(h->cert);
	free(h->key);
	free(h);
}

struct sched_api *sched_api_start(struct sched_state *st, const struct sched_api_opts *o,
				  char *why, size_t n)
{
	struct sockaddr_in sa;
	struct sched_api *h;
	int i;

	if (parse_listen(o->listen, &sa, why, n) < 0)
		return NULL;
	h = xcalloc(1, sizeof(*h));
	h->st = st;
	h->token = o->token && *o->token ? xstrdup(o->token) : NULL;
	h->loopback = (ntohl(sa.sin_addr.s_addr) >> 24) == 127;
	h->rate = o->rate;
	pthread_mutex_init(&h->rl_mu, NULL);
	pthread_mutex_init(&h->conn_mu, NULL);
	pthread_cond_init(&h->watch_cv, NULL);
	for (i = 0; i < CONN_SLOTS; i++)
		h->conns[i].fd = -1;
	if ((o->tls_cert || o->tls_key) && load_tls(h, o, why, n) < 0) {
		api_free(h);
		return NULL;
	}
	h->d = start_daemon(h, &sa);
	if (!h->d) {
		snprintf(why, n, "--listen %s: cannot start the HTTP server (address in use?)",
			 o->listen);
		api_free(h);
		return NULL;
	}
	if (pthread_create(&h->watchdog, NULL, watchdog, h) != 0) {
		snprintf(why, n, "cannot start the API watchdog thread");
		MHD_stop_daemon(h->d);
		api_free(h);
		return NULL;
	}
	return h;
}

int sched_api_port(struct sched_api *h)
{
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);

	return i ? i->port : -1;
}

void sched_api_stop(struct sched_api *h)
{
	if (!h)
		return;
	pthread_mutex_lock(&h->conn_mu);
	h->watch_stop = 1;
	pthread_cond_signal(&h->watch_cv);
	pthread_mutex_unlock(&h->conn_mu);
	pthread_join(h->watchdog, NULL);
	MHD_stop_daemon(h->d);
	api_free(h);
}
