/*
 * fetch-bars: download the Yahoo chart windows named by plan CSV rows and
 * write one NDJSON line per window (lib/envelope).
 *
 * One process, one curl multi handle: -j transfers run at once over reused
 * connections, from one or more source addresses (--interface), each paced
 * by its own token bucket that slows down on 429 (lib/fetch_egress).
 * Transient failures (429, 5xx, connection errors, timeouts, invalid or
 * truncated JSON) are retried with exponential backoff and jitter; answers
 * that will not change (400, 404, 422) are reported once.  Every window
 * ends as one complete line on stdout or one failure on stderr (and in
 * --failed as a plan row).  Lines are written in plan order, so the same
 * plan and answers give the same bytes: a finished window waits for the
 * ones before it, and no window more than --reorder past the oldest
 * unfinished one starts, which bounds the lines held.  Plan rows are held
 * in memory (one small struct per window).
 */
#include "bars.h"
#include "bt.h"
#include "csvr.h"
#include "envelope.h"
#include "exitcode.h"
#include "fetch_body.h"
#include "fetch_egress.h"
#include "fetch_req.h"
#include "fetch_retry.h"
#include "json.h"
#include "msg.h"
#include "plan.h"
#include "span.h"
#include "sym.h"
#include "xalloc.h"

#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BODY_MAX (64L << 20) /* refuse larger responses */
#define GRACE 2.0            /* seconds running transfers get on a signal */
#define URL_MAX 2048

static const char default_ua[] =
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
	"(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

enum wstate { WS_NEW, WS_WAIT, WS_RUN, WS_OK, WS_FAIL };

struct window {
	char symbol[SYM_MAX + 1];
	const struct sym_interval *ivl;
	time_t start, end;
	enum wstate state;
	int attempts;
	double due; /* WS_WAIT: not before this (monotonic seconds) */
	char *line; /* WS_OK, not yet written: the buffer holding its line */
	size_t off, len; /* the line is line[off .. off+len) */
	char why[256];
};

/* One transfer in flight. */
struct slot {
	CURL *h;
	struct window *w; /* NULL when free */
	struct fetch_egress *eg; /* the source address it was sent from */
	struct fetch_body body;
	char err[CURL_ERROR_SIZE];
};

struct opts {
	int jobs, retries, reorder;
	double rate, timeout, connect_timeout;
	long backoff_ms, low_speed, low_speed_time;
	const char *ua, *interfaces, *failed, *rejects, *stats, *base;
};

struct stats {
	long windows, ok, failed, bad_rows, requests, retries, n429;
	long long bytes, bars;
};

/* The tool's whole state, passed to every function that needs it. */
struct fetcher {
	struct opts opt;
	struct stats st;
	struct window *win;    /* every window, in plan order */
	size_t nwin, capwin;
	size_t nextnew;        /* first window never started */
	size_t ndone;          /* windows written or failed */
	size_t nwait;          /* windows waiting for a retry */
	size_t head;           /* first window not yet written or failed */
	struct slot *slots;    /* opt.jobs of them */
	CURLM *multi;
	struct curl_slist *hdrs;
	struct fetch_egress_set eg; /* source addresses and their buckets */
	FILE *failed_fp, *rejects_fp, *stats_fp;
	double t0;
	unsigned long long rng;
};

/* Set by SIGINT/SIGTERM: the one thing a signal handler may touch. */
static volatile sig_atomic_t interrupted;

static const char synopsis[] =
	"usage: fetch-bars [-j jobs] [--rate R] [--retries N] [--backoff-ms MS]\n"
	"                  [--timeout S] [--connect-timeout S] [--low-speed-time S]\n"
	"                  [--low-speed-limit B] [--user-agent UA]\n"
	"                  [--interface ADDR[,ADDR...]] [--reorder N] [--failed FILE]\n"
	"                  [--rejects FILE] [--stats FILE] [FILE ...]\n"
	"       fetch-bars -h | --help | --version\n";

static const char options_help[] =
	"Download the Yahoo chart windows of plan CSV files (or stdin) as NDJSON.\n"
	"  -j, --jobs N             transfers at once, 1-256 (default 4)\n"
	"      --rate R             requests/s per source address, 0: no limit (def. 2)\n"
	"      --retries N          retries after the first attempt, 0-100 (default 4)\n"
	"      --backoff-ms MS      base of the exponential backoff (default 500)\n"
	"      --timeout S          seconds allowed for one request (default 30)\n"
	"      --connect-timeout S  seconds allowed to connect (default 10)\n"
	"      --low-speed-time S   give up on a slow transfer after S s (default 15)\n"
	"      --low-speed-limit B  bytes/s below which a transfer is slow (default 100)\n"
	"  -A, --user-agent UA      User-Agent header (default: a desktop Chrome)\n"
	"      --interface LIST     comma-separated source addresses to take turns with\n"
	"      --reorder N          start windows at most N ahead (default 64, 4 x jobs)\n"
	"      --failed FILE        write the windows that failed as plan CSV\n"
	"      --rejects FILE       write the bad plan rows as read, with the reason\n"
	"      --stats FILE         write the run's counters as one JSON object\n"
	"  -h, --help               print this help and exit\n"
	"      --version            print the version and exit\n";

/* The synopsis (on stderr for usage errors); --help adds the options. */
static void usage(FILE *fp, int code)
{
	fputs(synopsis, fp);
	if (code == EXIT_OK)
		fputs(options_help, fp);
	exit(code);
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The noun for n things: "1 window", "2 windows". */
static const char *noun(long long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* xorshift64*: jitter only, so any seed will do. */
static double rnd01(struct fetcher *F)
{
	F->rng ^= F->rng >> 12;
	F->rng ^= F->rng << 25;
	F->rng ^= F->rng >> 27;
	return (double)((F->rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* ---- input ---- */

static void add_windows(struct fetcher *F, const struct plan_row *r)
{
	long i, n = span_nchunks(r->interval, r->start, r->end);
	struct window *w;

	for (i = 0; i < n; i++) {
		if (F->nwin == F->capwin) {
			F->capwin = F->capwin ? F->capwin * 2 : 64;
			F->win = xreallocarray(F->win, F->capwin, sizeof(*F->win));
		}
		w = &F->win[F->nwin++];
		memset(w, 0, sizeof(*w));
		strcpy(w->symbol, r->symbol);
		w->ivl = r->interval;
		span_chunk(r->interval, r->start, r->end, i, &w->start, &w->end);
	}
	if (n > 1)
		msg_log(MSG_DEBUG, "%s %s: window split into %ld requests",
			r->symbol, r->interval->name, n);
}

/*
 * Yahoo serves intraday bars only so far back (lib/span) and answers
 * older windows with 422 for every chunk.  A hand-written plan row that
 * reaches further is cut to what can be served, with a warning; one
 * entirely beyond it is a bad row.  0 or -1 with why.
 */
static int trim_history(struct plan_row *row, const char *name, long line,
			char *why, size_t n)
{
	char a[BT_ISO_LEN];
	time_t oldest;

	if (span_oldest(row->interval, bt_now(), &oldest) < 0)
		return 0;
	if (row->end <= oldest) {
		snprintf(why, n, "%s %s bars older than %ld days are not served by Yahoo",
			 row->symbol, row->interval->name, row->interval->history_days);
		return -1;
	}
	if (row->start < oldest) {
		msg_log(MSG_WARN, "%s:%ld: %s %s: start moved to %s: Yahoo serves "
			"%ld days of %s bars", name, line, row->symbol,
			row->interval->name, bt_format_iso(oldest, a),
			row->interval->history_days, row->interval->name);
		row->start = oldest;
	}
	return 0;
}

/*
 * A bad plan row: reported as NAME:LINE: why, counted, and with --rejects
 * written as read plus that message, always in the file's five columns:
 * a row of four fields as its fields, any other (not CSV, or another
 * number of fields) as its raw line in the first column, the others empty.
 */
static void bad_row(struct fetcher *F, struct csvr *r, char **f, size_t nf,
		    const char *msg)
{
	char *out[PLAN_REJECTS_NCOLS] = { "", "", "", "", (char *)msg }, *raw = NULL;
	const char *p;
	size_t len, i, o;

	msg_err("%s", msg);
	F->st.bad_rows++;
	p = csvr_raw(r, &len);
	if (!F->rejects_fp || (!f && len == 0)) /* empty input: no row */
		return;
	if (f && nf == PLAN_NCOLS) {
		memcpy(out, f, nf * sizeof(*out));
	} else {
		/* The line as one field; a NUL shows as \0. */
		raw = xmalloc(2 * len + 1);
		for (i = o = 0; i < len; i++)
			if (p[i])
				raw[o++] = p[i];
			else
				raw[o++] = '\\', raw[o++] = '0';
		raw[o] = '\0';
		out[0] = raw;
	}
	if (bars_write_fields(F->rejects_fp, out, PLAN_REJECTS_NCOLS) < 0)
		msg_die(EXIT_FATAL, "%s: %s", F->opt.rejects, strerror(errno));
	free(raw);
}

/*
 * Read one plan file.  A bad row is reported and skipped, never the end:
 * csvr resynchronises at the next line after a syntax error.  A bad
 * header skips the file (its columns cannot be trusted).
 */
static void read_plan(struct fetcher *F, FILE *fp, const char *name)
{
	struct csvr *r = csvr_new(fp, name);
	struct plan_row row;
	char why[200], msg[512], **f;
	size_t nf;
	int rc;

	csvr_set_resync(r);
	if (csvr_header(r, plan_header, PLAN_NCOLS) < 0) {
		snprintf(msg, sizeof(msg), "%s; file not read", csvr_error(r));
		bad_row(F, r, NULL, 0, msg);
		csvr_free(r);
		return;
	}
	while ((rc = csvr_next(r, &f, &nf)) != 0) {
		if (rc < 0) {
			bad_row(F, r, NULL, 0, csvr_error(r));
			continue;
		}
		if (plan_parse(f, nf, &row, why, sizeof(why)) < 0 ||
		    trim_history(&row, name, csvr_line(r), why, sizeof(why)) < 0) {
			snprintf(msg, sizeof(msg), "%s:%ld: %s", name, csvr_line(r), why);
			bad_row(F, r, f, nf, msg);
			continue;
		}
		add_windows(F, &row);
	}
	csvr_free(r);
}

static void read_plans(struct fetcher *F, char **names, int n)
{
	FILE *fp;
	int i;

	if (n == 0)
		read_plan(F, stdin, "-");
	for (i = 0; i < n; i++) {
		if (strcmp(names[i], "-") == 0) {
			read_plan(F, stdin, "-");
			continue;
		}
		if (!(fp = fopen(names[i], "r"))) {
			msg_err("%s: %s", names[i], strerror(errno));
			F->st.bad_rows++;
			continue;
		}
		read_plan(F, fp, names[i]);
		fclose(fp);
	}
	F->st.windows = (long)F->nwin;
	if (F->rejects_fp && fclose(F->rejects_fp) != 0)
		msg_die(EXIT_FATAL, "%s: %s", F->opt.rejects, strerror(errno));
}

/* ---- output ---- */

static void put_line(const char *p, size_t n)
{
	ssize_t w;

	/* One write per line (restarted after partial writes) so no reader
	 * ever sees half a line interleaved with something else. */
	while (n > 0) {
		w = write(STDOUT_FILENO, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			msg_die(EXIT_FATAL, "stdout: %s", strerror(errno));
		p += w;
		n -= (size_t)w;
	}
}

/*
 * Check a 200 answer and build its line in w.  0 when done; -1 with
 * w->why set when the body is unusable.
 */
static int emit(struct fetcher *F, struct slot *s, struct window *w)
{
	struct envelope e = { w->symbol, w->ivl->name, "yahoo", w->start,
			      w->end, bt_now(), 200, w->attempts };
	struct fetch_body *fb = &s->body;
	char hdr[ENVELOPE_HEAD_MAX];
	size_t len, tl = strlen(ENVELOPE_TAIL);
	int hl;

	if (fetch_body_end(fb) < 0) {
		snprintf(w->why, sizeof(w->why), "%s", fb->why);
		return -1;
	}
	if (fb->has_error) {
		snprintf(w->why, sizeof(w->why), "provider error: %s: %.160s",
			 fb->code, fb->desc);
		return -1;
	}
	if (!fb->has_result) {
		snprintf(w->why, sizeof(w->why), "no chart.result in response");
		return -1;
	}
	if (fb->timestamps > 0)
		F->st.bars += fb->timestamps;
	/* The body was compacted ENVELOPE_HEAD_MAX bytes into its buffer:
	 * the head goes right in front of it, the body is never copied. */
	hl = envelope_head(hdr, sizeof(hdr), &e); /* fits: symbols are checked */
	w->line = fetch_body_take(fb, &len);
	w->line = xrealloc(w->line, len + tl); /* also drops the slack */
	w->off = ENVELOPE_HEAD_MAX - (size_t)hl;
	memcpy(w->line + w->off, hdr, (size_t)hl);
	memcpy(w->line + len, ENVELOPE_TAIL, tl);
	w->len = len + tl - w->off;
	return 0;
}

/* Write the lines of the finished windows at the head, in plan order. */
static void flush(struct fetcher *F)
{
	struct window *w;

	for (; F->head < F->nwin; F->head++) {
		w = &F->win[F->head];
		if (w->state != WS_OK && w->state != WS_FAIL)
			break;
		if (w->line) {
			put_line(w->line + w->off, w->len);
			free(w->line);
			w->line = NULL;
		}
	}
}

static void fail(struct fetcher *F, struct window *w)
{
	char a[BT_ISO_LEN], b[BT_ISO_LEN];

	w->state = WS_FAIL;
	F->ndone++;
	F->st.failed++;
	flush(F);
	msg_err("%s %s %s..%s: %s (%d %s)", w->symbol, w->ivl->name,
		bt_format_iso(w->start, a), bt_format_iso(w->end, b), w->why,
		w->attempts, noun(w->attempts, "attempt", "attempts"));
}

/* ---- transfers ---- */

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	struct slot *s = arg;
	size_t add = size * n;

	if (s->body.nin + add > (size_t)BODY_MAX)
		return 0; /* CURLE_WRITE_ERROR: too large */
	/* An invalid body is still read to its end: the verdict waits for
	 * the status and the transfer's outcome. */
	fetch_body_feed(&s->body, p, add);
	return add;
}

static void slot_init(struct slot *s, const struct opts *o,
		      struct curl_slist *hdrs)
{
	fetch_body_init(&s->body);
	if (!(s->h = curl_easy_init()))
		msg_die(EXIT_FATAL, "curl_easy_init failed");
	curl_easy_setopt(s->h, CURLOPT_PRIVATE, s);
	curl_easy_setopt(s->h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(s->h, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(s->h, CURLOPT_ERRORBUFFER, s->err);
	curl_easy_setopt(s->h, CURLOPT_USERAGENT, o->ua);
	curl_easy_setopt(s->h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(s->h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(s->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(s->h, CURLOPT_TIMEOUT_MS, (long)(o->timeout * 1000));
	curl_easy_setopt(s->h, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)(o->connect_timeout * 1000));
	curl_easy_setopt(s->h, CURLOPT_LOW_SPEED_LIMIT, o->low_speed);
	curl_easy_setopt(s->h, CURLOPT_LOW_SPEED_TIME, o->low_speed_time);
	curl_easy_setopt(s->h, CURLOPT_TCP_KEEPALIVE, 1L);
}

static void start(struct fetcher *F, struct slot *s, struct window *w,
		  struct fetch_egress *eg)
{
	char url[URL_MAX];

	/* cannot fail: setup() checked the longest URL fits */
	fetch_url(url, sizeof(url), F->opt.base, w->symbol, w->ivl->name,
		  w->start, w->end);
	if (w->state == WS_WAIT)
		F->nwait--;
	if (w->attempts > 0)
		F->st.retries++;
	w->attempts++;
	w->state = WS_RUN;
	F->st.requests++;
	s->w = w;
	s->eg = eg;
	fetch_body_reset(&s->body, ENVELOPE_HEAD_MAX);
	s->err[0] = '\0';
	curl_easy_setopt(s->h, CURLOPT_URL, url);
	curl_easy_setopt(s->h, CURLOPT_INTERFACE, eg->name);
	msg_log(MSG_DEBUG, "GET %s (attempt %d%s%s)", url, w->attempts,
		eg->name ? ", from " : "", eg->name ? eg->name : "");
	if (curl_multi_add_handle(F->multi, s->h) != CURLM_OK)
		msg_die(EXIT_FATAL, "curl_multi_add_handle failed");
}

/* The waiting window due first, if it is due by now; else lowers *wait
 * to the time until it is. */
static struct window *next_retry(struct fetcher *F, double now, double *wait)
{
	struct window *best = NULL;
	size_t i;

	/* Linear, but only while some window waits for a retry: those are
	 * few next to windows, and this runs only when a slot is free. */
	if (F->nwait == 0)
		return NULL;
	for (i = 0; i < F->nextnew; i++)
		if (F->win[i].state == WS_WAIT &&
		    (!best || F->win[i].due < best->due))
			best = &F->win[i];
	if (!best)
		return NULL;
	if (best->due > now) {
		if (best->due - now < *wait)
			*wait = best->due - now;
		return NULL;
	}
	return best;
}

/* Start what slots, the buckets and backoffs allow; seconds until more. */
static double start_more(struct fetcher *F, double now)
{
	struct fetch_egress *eg;
	double wait = 1.0;
	struct window *w;
	int i;

	for (i = 0; i < F->opt.jobs; i++) {
		if (F->slots[i].w)
			continue;
		w = next_retry(F, now, &wait);
		/* New windows only within --reorder of the head: what
		 * finishes meanwhile is held until the head is written. */
		if (!w && F->nextnew < F->nwin &&
		    F->nextnew < F->head + (size_t)F->opt.reorder)
			w = &F->win[F->nextnew];
		if (!w)
			break;
		if (!(eg = fetch_egress_pick(&F->eg, now, &wait)))
			return wait;
		if (w == &F->win[F->nextnew])
			F->nextnew++;
		start(F, &F->slots[i], w, eg);
	}
	return wait;
}

static enum fetch_verdict curl_verdict(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_BAD_CONTENT_ENCODING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
		return FETCH_RETRY;
	default:
		return FETCH_FAIL;
	}
}

/*
 * The verdict on an answer that arrived: FETCH_OK once its line is
 * built (written in plan order by flush); else w->why says why.  A 429
 * slows its address's bucket down and sets *ra to its Retry-After.
 */
static enum fetch_verdict judge_answer(struct fetcher *F, struct slot *s,
				       double now, double *ra)
{
	struct window *w = s->w;
	struct fetch_body *fb = &s->body;
	enum fetch_verdict v;
	curl_off_t retry_after = 0;
	long status = 0;

	curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &status);
	v = fetch_classify_http(status);
	if (status == 429) {
		F->st.n429++;
		curl_easy_getinfo(s->h, CURLINFO_RETRY_AFTER, &retry_after);
		*ra = (double)retry_after;
		fetch_bucket_throttled(&s->eg->bucket, now, *ra);
	}
	if (v == FETCH_OK)
		/* a bad body may be transient */
		return emit(F, s, w) == 0 ? FETCH_OK : FETCH_RETRY;
	/* The provider's own words: its JSON description when there is
	 * one, else the start of the body. */
	if (fetch_body_end(fb) == 0 && fb->has_error)
		snprintf(w->why, sizeof(w->why), "HTTP %ld: %s: %.160s", status,
			 fb->code, fb->desc);
	else
		snprintf(w->why, sizeof(w->why), "HTTP %ld: %s", status,
			 fb->excerpt);
	return v;
}

/* Judge a finished transfer: write its line, schedule a retry or fail. */
static void finish(struct fetcher *F, struct slot *s, CURLcode rc, double now)
{
	struct window *w = s->w;
	enum fetch_verdict v;
	curl_off_t dl = 0;
	double ra = 0;

	curl_easy_getinfo(s->h, CURLINFO_SIZE_DOWNLOAD_T, &dl);
	F->st.bytes += dl;
	if (rc != CURLE_OK) {
		v = curl_verdict(rc);
		snprintf(w->why, sizeof(w->why), "%.200s",
			 s->err[0] ? s->err : curl_easy_strerror(rc));
	} else if ((v = judge_answer(F, s, now, &ra)) == FETCH_OK) {
		fetch_bucket_ok(&s->eg->bucket);
		w->state = WS_OK;
		F->ndone++;
		F->st.ok++;
		flush(F);
	}
	s->w = NULL;
	if (v == FETCH_OK)
		return;
	if (v == FETCH_RETRY && w->attempts <= F->opt.retries) {
		w->state = WS_WAIT;
		F->nwait++;
		w->due = now + fetch_backoff(F->opt.backoff_ms, w->attempts, ra,
					     rnd01(F));
		msg_log(MSG_DEBUG, "%s %s: %s; retry in %.2fs", w->symbol,
			w->ivl->name, w->why, w->due - now);
		return;
	}
	fail(F, w);
}

static void reap(struct fetcher *F, double now)
{
	CURLMsg *m;
	struct slot *s;
	char *priv;
	int left;

	while ((m = curl_multi_info_read(F->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
		s = (struct slot *)(void *)priv;
		curl_multi_remove_handle(F->multi, s->h);
		finish(F, s, m->data.result, now);
	}
}

/* ---- reporting ---- */

static void progress(struct fetcher *F, double now)
{
	double el = now - F->t0, rate = el >= 1 ? F->st.requests / el : 0;
	double eta = F->ndone > 0 ? el / F->ndone * (F->nwin - F->ndone) : 0;

	msg_progress(0, "%zu/%zu %s, %lld %s, %.1f req/s, %ld %s, ETA %.0fs",
		     F->ndone, F->nwin, noun((long long)F->nwin, "window", "windows"),
		     F->st.bars, noun(F->st.bars, "bar", "bars"), rate, F->st.failed,
		     noun(F->st.failed, "error", "errors"), eta);
}

static void write_failed(struct fetcher *F)
{
	struct plan_row r;
	size_t i;

	if (!F->failed_fp)
		return;
	plan_write_header(F->failed_fp);
	for (i = 0; i < F->nwin; i++) {
		if (F->win[i].state == WS_OK)
			continue;
		strcpy(r.symbol, F->win[i].symbol);
		r.interval = F->win[i].ivl;
		r.start = F->win[i].start;
		r.end = F->win[i].end;
		plan_write(F->failed_fp, &r);
	}
	if (fclose(F->failed_fp) != 0)
		msg_die(EXIT_FATAL, "%s: %s", F->opt.failed, strerror(errno));
}

static void write_stats(struct fetcher *F, double wall)
{
	const struct stats *st = &F->st;
	size_t i;

	msg_log(MSG_INFO,
		"%ld %s: %ld ok, %ld failed, %ld bad plan %s; %ld %s, %ld %s, "
		"%ld %s, %lld %s, %lld %s, %.2fs",
		st->windows, noun(st->windows, "window", "windows"), st->ok,
		st->failed, st->bad_rows, noun(st->bad_rows, "row", "rows"),
		st->requests, noun(st->requests, "request", "requests"),
		st->retries, noun(st->retries, "retry", "retries"),
		st->n429, noun(st->n429, "429", "429s"),
		st->bytes, noun(st->bytes, "byte", "bytes"),
		st->bars, noun(st->bars, "bar", "bars"), wall);
	if (!F->stats_fp)
		return;
	fprintf(F->stats_fp,
		"{\"windows\":%ld,\"ok\":%ld,\"failed\":%ld,\"bad_rows\":%ld,"
		"\"requests\":%ld,\"retries\":%ld,\"http_429\":%ld,"
		"\"bytes\":%lld,\"bars\":%lld,\"wall_seconds\":%.3f",
		st->windows, st->ok, st->failed, st->bad_rows, st->requests,
		st->retries, st->n429, st->bytes, st->bars, wall);
	/* With --interface: the requests sent from each address. */
	for (i = 0; F->opt.interfaces && i < F->eg.n; i++) {
		fputs(i ? "," : ",\"by_interface\":{", F->stats_fp);
		json_fput_str(F->stats_fp, F->eg.e[i].name);
		fprintf(F->stats_fp, ":%ld", F->eg.e[i].requests);
	}
	fputs(F->opt.interfaces ? "}}\n" : "}\n", F->stats_fp);
	if (fclose(F->stats_fp) != 0)
		msg_die(EXIT_FATAL, "%s: %s", F->opt.stats, strerror(errno));
}

/* ---- the run ---- */

/* Abandon what is still running; every window not done fails. */
static void abandon(struct fetcher *F)
{
	size_t k;
	int i;

	for (i = 0; i < F->opt.jobs; i++) {
		if (!F->slots[i].w)
			continue;
		curl_multi_remove_handle(F->multi, F->slots[i].h);
		F->slots[i].w->state = WS_NEW;
		F->slots[i].w = NULL;
	}
	for (k = 0; k < F->nwin; k++) {
		if (F->win[k].state == WS_OK || F->win[k].state == WS_FAIL)
			continue;
		snprintf(F->win[k].why, sizeof(F->win[k].why),
			 "not fetched: interrupted");
		fail(F, &F->win[k]);
	}
}

static int running(const struct fetcher *F)
{
	int i, n = 0;

	for (i = 0; i < F->opt.jobs; i++)
		n += F->slots[i].w != NULL;
	return n;
}

static void run(struct fetcher *F)
{
	double now, wait, deadline = 0;
	int still, stopping = 0;
	long ms;

	while (F->ndone < F->nwin) {
		now = mono();
		if (interrupted && !stopping) {
			stopping = 1;
			deadline = now + GRACE;
			msg_log(MSG_WARN, "interrupted: no new transfers, "
				"%.0fs for running ones", GRACE);
		}
		if (stopping && (running(F) == 0 || now >= deadline))
			break;
		curl_multi_perform(F->multi, &still);
		now = mono();
		reap(F, now);
		/* Start after reaping, so a freed slot is used at once. */
		wait = stopping ? 0.1 : start_more(F, now);
		progress(F, now);
		if (F->ndone == F->nwin)
			break;
		ms = (long)(wait * 1000) + 1;
		curl_multi_poll(F->multi, NULL, 0, ms > 200 ? 200 : (int)ms, NULL);
	}
	abandon(F);
	msg_progress_end();
}

/* ---- setup and teardown ---- */

static double num(const char *s, const char *name, double lo, double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < lo || v > hi) {
		msg_err("%s: not a number in [%g, %g]: %s", name, lo, hi, s);
		usage(stderr, EXIT_USAGE);
	}
	return v;
}

/*
 * The one sanity check of the arguments, after getopt: 0, or -1 with why
 * naming the bad one.  The source addresses are parsed and tried here,
 * so a typo is a usage error, not a run of failed windows.
 */
static int check_args(struct fetcher *F, char *why, size_t n)
{
	struct opts *o = &F->opt;

	if (!*o->ua || strpbrk(o->ua, "\r\n")) {
		snprintf(why, n, "--user-agent: empty or contains a line break");
		return -1;
	}
	if (!o->reorder)
		o->reorder = o->jobs * 4 > 64 ? o->jobs * 4 : 64;
	if (fetch_egress_parse(&F->eg, o->interfaces, o->rate, mono(), why, n) < 0)
		return -1;
	return fetch_egress_probe(&F->eg, why, n);
}

/* Configuration from the environment and output files, checked before
 * anything is read or fetched. */
static void setup(struct fetcher *F)
{
	char url[URL_MAX];

	F->opt.base = getenv("BARS_YAHOO_URL");
	if (!F->opt.base || !*F->opt.base)
		F->opt.base = FETCH_DEFAULT_BASE;
	if (fetch_base_ok(F->opt.base) < 0 ||
	    fetch_url(url, sizeof(url), F->opt.base,
		      "^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^", "3mo",
		      (time_t)-99999999999, (time_t)-99999999999) < 0)
		msg_die(EXIT_USAGE, "BARS_YAHOO_URL: not an http(s) URL of "
			"reasonable length: %.80s", F->opt.base);
	(void)bt_now(); /* a malformed BARS_NOW is a config error, early */
	/* Output files are opened first so a bad path is a usage error, not
	 * a surprise after a long run. */
	if (F->opt.failed && !(F->failed_fp = fopen(F->opt.failed, "w")))
		msg_die(EXIT_USAGE, "%s: %s", F->opt.failed, strerror(errno));
	if (F->opt.rejects && !(F->rejects_fp = fopen(F->opt.rejects, "w")))
		msg_die(EXIT_USAGE, "%s: %s", F->opt.rejects, strerror(errno));
	if (F->rejects_fp && plan_write_rejects_header(F->rejects_fp) < 0)
		msg_die(EXIT_FATAL, "%s: %s", F->opt.rejects, strerror(errno));
	if (F->opt.stats && !(F->stats_fp = fopen(F->opt.stats, "w")))
		msg_die(EXIT_USAGE, "%s: %s", F->opt.stats, strerror(errno));
	F->t0 = mono();
	F->rng = (unsigned long long)time(NULL) << 20 ^
		 (unsigned long long)getpid() ^ 0x9E3779B97F4A7C15ULL;
}

/* Signals, libcurl and one slot per job. */
static void start_engine(struct fetcher *F)
{
	struct sigaction sa;
	int i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    !(F->multi = curl_multi_init()))
		msg_die(EXIT_FATAL, "libcurl initialisation failed");
	curl_multi_setopt(F->multi, CURLMOPT_MAXCONNECTS, (long)F->opt.jobs);
	F->hdrs = xcheck(curl_slist_append(NULL, "Accept: application/json,text/plain,*/*"));
	F->slots = xcalloc((size_t)F->opt.jobs, sizeof(*F->slots));
	for (i = 0; i < F->opt.jobs; i++)
		slot_init(&F->slots[i], &F->opt, F->hdrs);
}

static void stop_engine(struct fetcher *F)
{
	int i;

	for (i = 0; i < F->opt.jobs; i++) {
		curl_easy_cleanup(F->slots[i].h);
		fetch_body_free(&F->slots[i].body);
	}
	curl_multi_cleanup(F->multi);
	curl_slist_free_all(F->hdrs);
	curl_global_cleanup();
	free(F->slots);
}

enum { O_RATE = 256, O_RETRIES, O_BACKOFF, O_TIMEOUT, O_CTIMEOUT, O_LSTIME,
       O_LSLIMIT, O_INTERFACE, O_REORDER, O_FAILED, O_REJECTS, O_STATS, O_VERSION };

static const struct option longopts[] = {
	{ "jobs", required_argument, NULL, 'j' },
	{ "rate", required_argument, NULL, O_RATE },
	{ "retries", required_argument, NULL, O_RETRIES },
	{ "backoff-ms", required_argument, NULL, O_BACKOFF },
	{ "timeout", required_argument, NULL, O_TIMEOUT },
	{ "connect-timeout", required_argument, NULL, O_CTIMEOUT },
	{ "low-speed-time", required_argument, NULL, O_LSTIME },
	{ "low-speed-limit", required_argument, NULL, O_LSLIMIT },
	{ "user-agent", required_argument, NULL, 'A' },
	{ "interface", required_argument, NULL, O_INTERFACE },
	{ "reorder", required_argument, NULL, O_REORDER },
	{ "failed", required_argument, NULL, O_FAILED },
	{ "rejects", required_argument, NULL, O_REJECTS },
	{ "stats", required_argument, NULL, O_STATS },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, O_VERSION },
	{ NULL, 0, NULL, 0 }
};

int main(int argc, char **argv)
{
	static struct fetcher F = { .opt = {
		.jobs = 4, .retries = 4, .rate = 2.0, .timeout = 30,
		.connect_timeout = 10, .backoff_ms = 500, .low_speed = 100,
		.low_speed_time = 15, .ua = default_ua } };
	struct opts *o = &F.opt;
	char why[256];
	int c;

	msg_init(argv[0]);
	while ((c = getopt_long(argc, argv, "j:A:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': o->jobs = (int)num(optarg, "--jobs", 1, 256); break;
		case O_RATE: o->rate = num(optarg, "--rate", 0, 1e6); break;
		case O_RETRIES: o->retries = (int)num(optarg, "--retries", 0, 100); break;
		case O_BACKOFF: o->backoff_ms = (long)num(optarg, "--backoff-ms", 0, 600000); break;
		case O_TIMEOUT: o->timeout = num(optarg, "--timeout", 0.001, 86400); break;
		case O_CTIMEOUT: o->connect_timeout = num(optarg, "--connect-timeout", 0.001, 3600); break;
		case O_LSTIME: o->low_speed_time = (long)num(optarg, "--low-speed-time", 0, 3600); break;
		case O_LSLIMIT: o->low_speed = (long)num(optarg, "--low-speed-limit", 0, 1e9); break;
		case 'A': o->ua = optarg; break;
		case O_INTERFACE: o->interfaces = optarg; break;
		case O_REORDER: o->reorder = (int)num(optarg, "--reorder", 1, 1e6); break;
		case O_FAILED: o->failed = optarg; break;
		case O_REJECTS: o->rejects = optarg; break;
		case O_STATS: o->stats = optarg; break;
		case 'h': usage(stdout, EXIT_OK); break;
		case O_VERSION: msg_version(); break;
		default: usage(stderr, EXIT_USAGE);
		}
	}
	if (check_args(&F, why, sizeof(why)) < 0) {
		msg_err("%s", why);
		usage(stderr, EXIT_USAGE);
	}
	setup(&F);
	read_plans(&F, argv + optind, argc - optind);
	start_engine(&F);
	run(&F);
	stop_engine(&F);
	write_failed(&F);
	write_stats(&F, mono() - F.t0);
	fetch_egress_free(&F.eg);
	free(F.win);
	msg_close_stdout(EXIT_FATAL);
	return F.st.failed || F.st.bad_rows ? EXIT_PARTIAL : EXIT_OK;
}
