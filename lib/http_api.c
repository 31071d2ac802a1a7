#include "http_api.h"
#include "json.h"
#include "bt.h"
#include "sched_log.h"
#include "xalloc.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef VERSION
#define VERSION "0.1.0"
#endif

#define BODY_MAX 4096     /* POST bodies are ignored; anything bigger is refused */
#define NCLIENTS 256      /* rate-limit table; the least recently seen is reused */

struct client {
	unsigned char addr[16];
	double tokens, seen;
};

struct http_api {
	struct MHD_Daemon *d;
	struct sched_state *st;
	char *token;
	int loopback;
	double rate;
	pthread_mutex_t rl_mu;
	struct client clients[NCLIENTS];
	char *cert, *key;
};

struct req {
	size_t body;
	int refused;
};

/* A growable string, as git's strbuf. */
struct sb {
	char *s;
	size_t len, cap;
};

static void sb_printf(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int k;

	for (;;) {
		va_start(ap, fmt);
		k = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (k < 0)
			return;
		if (b->s && b->len + (size_t)k < b->cap) {
			b->len += (size_t)k;
			return;
		}
		b->cap = (b->cap + (size_t)k + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
}

static void sb_json_str(struct sb *b, const char *s)
{
	char esc[8];
	const char *e;

	sb_printf(b, "\"");
	for (; s && *s; s++) {
		e = json_escape_char((unsigned char)*s, esc);
		if (e)
			sb_printf(b, "%s", e);
		else
			sb_printf(b, "%c", *s);
	}
	sb_printf(b, "\"");
}

static void sb_time(struct sb *b, time_t t)
{
	char buf[BT_ISO_LEN];

	if (t)
		sb_printf(b, "\"%s\"", bt_format_iso(t, buf));
	else
		sb_printf(b, "null");
}

int http_token_equal(const char *a, const char *b)
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

/* Token bucket per client address; 1 when the request may proceed. */
static int rate_ok(struct http_api *h, struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c,
		MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	unsigned char key[16] = { 0 };
	struct client *cl = NULL, *old = &h->clients[0];
	double now = mono();
	int i, ok;

	if (h->rate <= 0 || !ci || !ci->client_addr)
		return 1;
	if (ci->client_addr->sa_family == AF_INET)
		memcpy(key, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, 4);
	else if (ci->client_addr->sa_family == AF_INET6)
		memcpy(key, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, 16);
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

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, const char *type,
			     char *body, size_t len, const char *allow)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body,
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

static enum MHD_Result reply_json(struct MHD_Connection *c, unsigned code, struct sb *b)
{
	enum MHD_Result rc;

	sb_printf(b, "\n");
	rc = reply(c, code, "application/json", b->s, b->len, NULL);
	free(b->s);
	return rc;
}

static enum MHD_Result error(struct MHD_Connection *c, unsigned code, const char *msg,
			     const char *allow)
{
	char buf[256];
	int k = snprintf(buf, sizeof(buf), "{\"error\":\"%s\"}\n", msg);

	return reply(c, code, "application/json", buf, (size_t)k, allow);
}

static const char *state_name(const struct sched_state *st)
{
	return st->stopping ? "stopping" : st->paused ? "paused" : "running";
}

static void json_summary(struct sb *b, const struct sched_summary *s)
{
	static const char *rk[4] = { "rows_in", "inserted", "updated", "unchanged" };
	int i;

	if (!s->start) {
		sb_printf(b, "null");
		return;
	}
	sb_printf(b, "{\"start\":");
	sb_time(b, s->start);
	sb_printf(b, ",\"end\":");
	sb_time(b, s->end);
	if (s->end)
		sb_printf(b, ",\"duration_seconds\":%lld,\"outcome\":\"%s\",\"exit_code\":%d",
			  (long long)(s->end - s->start), s->outcome, s->rc);
	sb_printf(b, ",\"stages\":{");
	for (i = 0; i < SCHED_STAGES; i++) {
		sb_printf(b, "%s\"%s\":", i ? "," : "", sched_stage_names[i]);
		if (s->status[i] >= 0)
			sb_printf(b, "%d", s->status[i]);
		else
			sb_printf(b, "null");
	}
	sb_printf(b, "}");
	for (i = 0; i < 4; i++) {
		if (s->rows[i] >= 0)
			sb_printf(b, ",\"%s\":%lld", rk[i], s->rows[i]);
		else
			sb_printf(b, ",\"%s\":null", rk[i]);
	}
	sb_printf(b, "}");
}

static void json_job(struct sb *b, const struct sched_job *j, int full)
{
	sb_printf(b, "{\"name\":");
	sb_json_str(b, j->name);
	if (full) {
		sb_printf(b, ",\"schedule\":");
		sb_json_str(b, j->schedule ? j->schedule : "");
		sb_printf(b, ",\"timezone\":");
		sb_json_str(b, j->timezone);
		sb_printf(b, ",\"timeout_seconds\":%ld,\"runs_ok\":%lu,\"runs_failed\":%lu,"
			  "\"misfires\":%lu,\"errors\":%lu", j->timeout, j->runs_ok,
			  j->runs_failed, j->misfires, j->errors);
		if (j->removed)
			sb_printf(b, ",\"removed\":true");
	}
	sb_printf(b, ",\"running\":%s,\"next_fire\":", j->running ? "true" : "false");
	sb_time(b, j->next);
	if (j->running) {
		sb_printf(b, ",\"current_run\":");
		json_summary(b, &j->cur);
	}
	sb_printf(b, ",\"last_run\":");
	json_summary(b, &j->last);
	sb_printf(b, "}");
}

static enum MHD_Result get_status(struct http_api *h, struct MHD_Connection *c, int jobs_only)
{
	struct sched_state *st = h->st;
	struct sb b = { 0 };
	size_t i;
	time_t now = time(NULL);

	pthread_mutex_lock(&st->mu);
	if (jobs_only) {
		sb_printf(&b, "{\"jobs\":[");
	} else {
		sb_printf(&b, "{\"state\":\"%s\",\"version\":\"%s\",\"pid\":%ld,\"started_at\":",
			  state_name(st), VERSION, (long)getpid());
		sb_time(&b, st->started);
		sb_printf(&b, ",\"uptime_seconds\":%lld,\"jobs\":[", (long long)(now - st->started));
	}
	for (i = 0; i < st->njobs; i++) {
		if (i)
			sb_printf(&b, ",");
		json_job(&b, &st->jobs[i], jobs_only);
	}
	sb_printf(&b, "]}");
	pthread_mutex_unlock(&st->mu);
	return reply_json(c, MHD_HTTP_OK, &b);
}

/* process_* metrics from /proc/self, as the Prometheus client libraries. */
static void process_metrics(struct sb *b)
{
	long pages = 0, rss = 0, ticks = sysconf(_SC_CLK_TCK);
	unsigned long ut = 0, stt = 0;
	unsigned long long start = 0;
	char buf[1024], *p;
	int nfd = 0;
	FILE *fp;
	DIR *d;

	if ((fp = fopen("/proc/self/statm", "r"))) {
		if (fscanf(fp, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(fp);
	}
	sb_printf(b, "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
		  "# TYPE process_resident_memory_bytes gauge\n"
		  "process_resident_memory_bytes %ld\n", rss * sysconf(_SC_PAGESIZE));
	if ((fp = fopen("/proc/self/stat", "r"))) {
		/* fields after the parenthesised command name, which may hold spaces */
		if (fgets(buf, sizeof(buf), fp) && (p = strrchr(buf, ')')) &&
		    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %*d %*d "
			   "%*d %*d %*d %*d %llu", &ut, &stt, &start) != 3)
			ut = stt = 0;
		fclose(fp);
	}
	sb_printf(b, "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
		  "# TYPE process_cpu_seconds_total counter\n"
		  "process_cpu_seconds_total %.2f\n", (double)(ut + stt) / (double)ticks);
	if ((d = opendir("/proc/self/fd"))) {
		while (readdir(d))
			nfd++;
		closedir(d);
		nfd -= 3; /* ".", ".." and the DIR itself */
	}
	sb_printf(b, "# HELP process_open_fds Number of open file descriptors.\n"
		  "# TYPE process_open_fds gauge\n"
		  "process_open_fds %d\n", nfd);
}

static void metric_head(struct sb *b, const char *name, const char *type, const char *help)
{
	sb_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Prometheus label values escape backslash, quote and newline. */
static void label(struct sb *b, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			sb_printf(b, "\\%c", *v);
		else if (*v == '\n')
			sb_printf(b, "\\n");
		else
			sb_printf(b, "%c", *v);
	}
}

/* One sample: metric{job="NAME"EXTRA} VALUE; extra is ",k=\"v\"" or "". */
static void job_sample(struct sb *b, const char *metric, const struct sched_job *j,
		       const char *extra, double v)
{
	sb_printf(b, "%s{job=\"", metric);
	label(b, j->name);
	sb_printf(b, "\"%s} %.15g\n", extra, v);
}

static void job_histogram(struct sb *b, const struct sched_job *j)
{
	const char *m = "stockbars_sched_run_duration_seconds";
	char name[64], le[40];
	unsigned long cum = 0;
	int k;

	snprintf(name, sizeof(name), "%s_bucket", m);
	for (k = 0; k <= SCHED_NBUCKETS; k++) {
		cum += j->hist[k];
		if (k < SCHED_NBUCKETS)
			snprintf(le, sizeof(le), ",le=\"%g\"", sched_buckets[k]);
		else
			snprintf(le, sizeof(le), ",le=\"+Inf\"");
		job_sample(b, name, j, le, (double)cum);
	}
	snprintf(name, sizeof(name), "%s_sum", m);
	job_sample(b, name, j, "", j->hist_sum);
	snprintf(name, sizeof(name), "%s_count", m);
	job_sample(b, name, j, "", (double)cum);
}

static void job_metrics(struct sb *b, struct sched_state *st)
{
	static const char *runs = "stockbars_sched_runs_total",
			  *rows = "stockbars_sched_rows_loaded_total",
			  *errs = "stockbars_sched_errors_total",
			  *mis = "stockbars_sched_misfires_total",
			  *run = "stockbars_sched_running",
			  *next = "stockbars_sched_next_fire_timestamp_seconds";
	size_t i;

#define EACH(stmt) for (i = 0; i < st->njobs; i++) { const struct sched_job *j = &st->jobs[i]; stmt; }
	metric_head(b, runs, "counter", "Pipeline runs finished, by outcome.");
	EACH(job_sample(b, runs, j, ",outcome=\"ok\"", (double)j->runs_ok);
	     job_sample(b, runs, j, ",outcome=\"failed\"", (double)j->runs_failed))
	metric_head(b, rows, "counter", "Bars written by load-bars (inserted or updated).");
	EACH(job_sample(b, rows, j, ",kind=\"inserted\"", (double)j->rows_inserted);
	     job_sample(b, rows, j, ",kind=\"updated\"", (double)j->rows_updated))
	metric_head(b, errs, "counter", "Failed runs and runs that could not start.");
	EACH(job_sample(b, errs, j, "", (double)j->errors))
	metric_head(b, mis, "counter",
		    "Fires skipped: overlap with a running run, or later than the grace.");
	EACH(job_sample(b, mis, j, "", (double)j->misfires))
	metric_head(b, run, "gauge", "1 while the job's pipeline runs.");
	EACH(job_sample(b, run, j, "", j->running))
	metric_head(b, next, "gauge", "Next scheduled fire, Unix time.");
	EACH(job_sample(b, next, j, "", (double)j->next))
	metric_head(b, "stockbars_sched_run_duration_seconds", "histogram",
		    "Pipeline run duration.");
	EACH(job_histogram(b, j))
#undef EACH
	metric_head(b, "stockbars_sched_paused", "gauge", "1 while scheduling is paused.");
	sb_printf(b, "stockbars_sched_paused %d\n", st->paused);
	metric_head(b, "process_start_time_seconds", "gauge", "Start time of the process, Unix time.");
	sb_printf(b, "process_start_time_seconds %lld\n", (long long)st->started);
}

static enum MHD_Result get_metrics(struct http_api *h, struct MHD_Connection *c)
{
	struct sb b = { 0 };
	enum MHD_Result rc;

	pthread_mutex_lock(&h->st->mu);
	job_metrics(&b, h->st);
	pthread_mutex_unlock(&h->st->mu);
	process_metrics(&b);
	rc = reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", b.s, b.len, NULL);
	free(b.s);
	return rc;
}

static enum MHD_Result post_start(struct http_api *h, struct MHD_Connection *c)
{
	const char *name = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "job");
	struct sched_state *st = h->st;
	struct sched_job *j;
	struct sb b = { 0 };
	unsigned code = MHD_HTTP_OK;

	pthread_mutex_lock(&st->mu);
	if (st->stopping) {
		pthread_mutex_unlock(&st->mu);
		return error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "shutting down", NULL);
	}
	if (name) {
		j = sched_find(st, name);
		if (!j) {
			pthread_mutex_unlock(&st->mu);
			return error(c, MHD_HTTP_NOT_FOUND, "no such job", NULL);
		}
		if (j->running || j->run_now) {
			pthread_mutex_unlock(&st->mu);
			return error(c, MHD_HTTP_CONFLICT, "job is already running", NULL);
		}
		j->run_now = 1;
		code = MHD_HTTP_ACCEPTED;
		sb_printf(&b, "{\"job\":");
		sb_json_str(&b, j->name);
		sb_printf(&b, ",\"queued\":true,\"state\":\"%s\"}", state_name(st));
	} else {
		st->paused = 0;
		sb_printf(&b, "{\"state\":\"%s\"}", state_name(st));
	}
	sched_wake(st);
	pthread_mutex_unlock(&st->mu);
	slog(MSG_INFO, "api_start", "job", name, NULL);
	return reply_json(c, code, &b);
}

static enum MHD_Result post_stop(struct http_api *h, struct MHD_Connection *c)
{
	struct sb b = { 0 };

	pthread_mutex_lock(&h->st->mu);
	h->st->paused = 1;
	sb_printf(&b, "{\"state\":\"%s\"}", state_name(h->st));
	sched_wake(h->st);
	pthread_mutex_unlock(&h->st->mu);
	slog(MSG_INFO, "api_stop", NULL);
	return reply_json(c, MHD_HTTP_OK, &b);
}

/* 0 when the POST may proceed, else the HTTP code to refuse it with. */
static unsigned authorize(struct http_api *h, struct MHD_Connection *c)
{
	const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");

	if (!h->token)
		return h->loopback ? 0 : MHD_HTTP_FORBIDDEN;
	if (!auth || strncasecmp(auth, "Bearer ", 7) != 0)
		return MHD_HTTP_UNAUTHORIZED;
	auth += 7;
	while (*auth == ' ')
		auth++;
	return http_token_equal(auth, h->token) ? 0 : MHD_HTTP_UNAUTHORIZED;
}

static enum MHD_Result route(struct http_api *h, struct MHD_Connection *c, const char *url,
			     const char *method)
{
	int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	int post = strcmp(method, "POST") == 0;
	unsigned code;

	if (!strcmp(url, "/status") || !strcmp(url, "/jobs") || !strcmp(url, "/metrics") ||
	    !strcmp(url, "/healthz")) {
		if (!get)
			return error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed", "GET, HEAD");
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
		code = authorize(h, c);
		if (code == MHD_HTTP_FORBIDDEN)
			return error(c, code, "POST is disabled: no token configured and the API "
				     "is not bound to loopback", NULL);
		if (code)
			return error(c, code, "missing or wrong bearer token", NULL);
		return !strcmp(url, "/start") ? post_start(h, c) : post_stop(h, c);
	}
	return error(c, MHD_HTTP_NOT_FOUND, "not found", NULL);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version, const char *upload,
			       size_t *upload_size, void **con_cls)
{
	struct http_api *h = cls;
	struct req *r = *con_cls;
	const char *len;

	(void)version;
	(void)upload;
	if (!r) {
		/* First call: headers only.  Refuse early what we will not serve. */
		r = xcalloc(1, sizeof(*r));
		*con_cls = r;
		if (!rate_ok(h, c)) {
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
	(void)cls;
	(void)c;
	(void)toe;
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

struct http_api *http_start(struct sched_state *st, const struct http_opts *o, char *why,
			    size_t n)
{
	struct sockaddr_in sa;
	struct http_api *h;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;

	if (parse_listen(o->listen, &sa, why, n) < 0)
		return NULL;
	h = xcalloc(1, sizeof(*h));
	h->st = st;
	h->token = o->token && *o->token ? xstrdup(o->token) : NULL;
	h->loopback = (ntohl(sa.sin_addr.s_addr) >> 24) == 127;
	h->rate = o->rate;
	pthread_mutex_init(&h->rl_mu, NULL);
	if (o->tls_cert || o->tls_key) {
		if (!o->tls_cert || !o->tls_key) {
			snprintf(why, n, "--tls-cert and --tls-key go together");
			goto fail;
		}
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			snprintf(why, n, "this libmicrohttpd has no TLS support");
			goto fail;
		}
		h->cert = slurp(o->tls_cert);
		h->key = slurp(o->tls_key);
		if (!h->cert || !h->key) {
			snprintf(why, n, "%s: %s", h->cert ? o->tls_key : o->tls_cert,
				 strerror(errno));
			goto fail;
		}
		flags |= MHD_USE_TLS;
	}
	if (h->cert)
		h->d = MHD_start_daemon(flags, 0, NULL, NULL, handler, h,
			MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
			MHD_OPTION_HTTPS_MEM_CERT, h->cert, MHD_OPTION_HTTPS_MEM_KEY, h->key,
			MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384,
			MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
			MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)16,
			MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
			MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
			MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_END);
	else
		h->d = MHD_start_daemon(flags, 0, NULL, NULL, handler, h,
			MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
			MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384,
			MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
			MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)16,
			MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
			MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
			MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_END);
	if (!h->d) {
		snprintf(why, n, "--listen %s: cannot start the HTTP server (address in use?)",
			 o->listen);
		goto fail;
	}
	return h;
fail:
	free(h->token);
	free(h->cert);
	free(h->key);
	free(h);
	return NULL;
}

int http_port(struct http_api *h)
{
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);

	return i ? i->port : -1;
}

void http_stop(struct http_api *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->d);
	free(h->token);
	free(h->cert);
	free(h->key);
	pthread_mutex_destroy(&h->rl_mu);
	free(h);
}
