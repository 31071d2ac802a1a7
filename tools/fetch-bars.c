/*
 * fetch-bars: download the Yahoo chart windows named by plan CSV rows and
 * write one NDJSON line per window.
 *
 * One process, one curl multi handle: -j transfers run at once over reused
 * connections, paced by a global token bucket that slows down on 429.
 * Transient failures (429, 5xx, connection errors, timeouts, invalid or
 * truncated JSON) are retried with exponential backoff and jitter; answers
 * that will not change (400, 404, 422) are reported once.  Every window
 * ends as one complete line on stdout or one failure on stderr (and in
 * --failed as a plan row).  Plan rows are held in memory (one small
 * struct per window); response bodies only while they are in flight.
 */
#include "bt.h"
#include "exitcode.h"
#include "csvr.h"
#include "envelope.h"
#include "fetch_body.h"
#include "fetch_req.h"
#include "fetch_retry.h"
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
	char why[256];
};

struct slot {
	CURL *h;
	struct window *w;
	struct fetch_body body;
	char err[CURL_ERROR_SIZE];
};

static struct {
	int jobs, retries;
	double rate, timeout, connect_timeout;
	long backoff_ms, low_speed, low_speed_time;
	const char *ua, *failed, *stats, *base;
} opt = { 4, 4, 2.0, 30, 10, 500, 100, 15, default_ua, NULL, NULL, NULL };

static struct {
	long windows, ok, failed, bad_rows, requests, retries, n429;
	long long bytes, bars;
} st;

static struct window *win;
static size_t nwin, capwin, nextnew, ndone, nwait;
static struct slot *slots;
static CURLM *multi;
static struct fetch_bucket bucket;
static double t0;
static unsigned long long rng;
static volatile sig_atomic_t stop;

static void usage(FILE *fp, int code)
{
	fprintf(fp,
		"usage: fetch-bars [-j jobs] [--rate R] [--retries N] "
		"[--backoff-ms MS]\n"
		"                  [--timeout S] [--connect-timeout S] "
		"[--low-speed-time S]\n"
		"                  [--low-speed-limit B] [--user-agent UA] "
		"[--failed FILE]\n"
		"                  [--stats FILE] [file ...]\n");
	exit(code);
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* xorshift64*: jitter only, so any seed will do. */
static double rnd01(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (double)((rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* ---- input ---- */

static void add_window(const struct plan_row *r)
{
	long i, n = span_nchunks(r->interval, r->start, r->end);
	struct window *w;

	for (i = 0; i < n; i++) {
		if (nwin == capwin) {
			capwin = capwin ? capwin * 2 : 64;
			win = xreallocarray(win, capwin, sizeof(*win));
		}
		w = &win[nwin++];
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
	time_t oldest;

	if (span_oldest(row->interval, bt_now(), &oldest) < 0)
		return 0;
	if (row->end <= oldest) {
		snprintf(why, n, "%s %s bars older than %ld days are not served by Yahoo",
			 row->symbol, row->interval->name, row->interval->history_days);
		return -1;
	}
	if (row->start < oldest) {
		char a[BT_ISO_LEN];

		msg_log(MSG_WARN, "%s:%ld: %s %s: start moved to %s: Yahoo serves "
			"%ld days of %s bars", name, line, row->symbol,
			row->interval->name, bt_format_iso(oldest, a),
			row->interval->history_days, row->interval->name);
		row->start = oldest;
	}
	return 0;
}

/* Read one plan file; bad rows are reported and counted, not fatal. */
static void read_plan(FILE *fp, const char *name)
{
	struct csvr *r = csvr_new(fp, name);
	struct plan_row row;
	char why[200], **f;
	size_t nf;
	int rc;

	if (csvr_header(r, plan_header, PLAN_NCOLS) < 0) {
		msg_err("%s", csvr_error(r));
		st.bad_rows++;
		csvr_free(r);
		return;
	}
	while ((rc = csvr_next(r, &f, &nf)) == 1) {
		if (plan_parse(f, nf, &row, why, sizeof(why)) < 0 ||
		    trim_history(&row, name, csvr_line(r), why, sizeof(why)) < 0) {
			msg_err("%s:%ld: %s", name, csvr_line(r), why);
			st.bad_rows++;
			continue;
		}
		add_window(&row);
	}
	if (rc < 0) {
		msg_err("%s", csvr_error(r));
		st.bad_rows++;
	}
	csvr_free(r);
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

static void slot_init(struct slot *s, struct curl_slist *hdrs)
{
	fetch_body_init(&s->body);
	if (!(s->h = curl_easy_init()))
		msg_die(EXIT_FATAL, "curl_easy_init failed");
	curl_easy_setopt(s->h, CURLOPT_PRIVATE, s);
	curl_easy_setopt(s->h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(s->h, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(s->h, CURLOPT_ERRORBUFFER, s->err);
	curl_easy_setopt(s->h, CURLOPT_USERAGENT, opt.ua);
	curl_easy_setopt(s->h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(s->h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(s->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(s->h, CURLOPT_TIMEOUT_MS, (long)(opt.timeout * 1000));
	curl_easy_setopt(s->h, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)(opt.connect_timeout * 1000));
	curl_easy_setopt(s->h, CURLOPT_LOW_SPEED_LIMIT, opt.low_speed);
	curl_easy_setopt(s->h, CURLOPT_LOW_SPEED_TIME, opt.low_speed_time);
	curl_easy_setopt(s->h, CURLOPT_TCP_KEEPALIVE, 1L);
}

static void start(struct slot *s, struct window *w)
{
	char url[URL_MAX];

	/* cannot fail: main() checked the longest URL fits */
	fetch_url(url, sizeof(url), opt.base, w->symbol, w->ivl->name,
		  w->start, w->end);
	if (w->state == WS_WAIT)
		nwait--;
	if (w->attempts > 0)
		st.retries++;
	w->attempts++;
	w->state = WS_RUN;
	st.requests++;
	s->w = w;
	fetch_body_reset(&s->body, ENVELOPE_HEAD_MAX);
	s->err[0] = '\0';
	curl_easy_setopt(s->h, CURLOPT_URL, url);
	msg_log(MSG_DEBUG, "GET %s (attempt %d)", url, w->attempts);
	if (curl_multi_add_handle(multi, s->h) != CURLM_OK)
		msg_die(EXIT_FATAL, "curl_multi_add_handle failed");
}

/* The waiting window due first, if it is due by now. */
static struct window *next_retry(double now, double *due)
{
	struct window *best = NULL;
	size_t i;

	/* Linear, but only while some window waits for a retry: those are
	 * few next to windows, and this runs only when a slot is free. */
	if (nwait == 0)
		return NULL;
	for (i = 0; i < nextnew; i++)
		if (win[i].state == WS_WAIT && (!best || win[i].due < best->due))
			best = &win[i];
	if (!best)
		return NULL;
	if (best->due > now) {
		if (best->due - now < *due)
			*due = best->due - now;
		return NULL;
	}
	return best;
}

/* Start what slots, the bucket and backoffs allow; seconds until more. */
static double start_more(double now)
{
	double wait = 1.0, tw;
	struct window *w;
	int i;

	for (i = 0; i < opt.jobs; i++) {
		if (slots[i].w)
			continue;
		w = next_retry(now, &wait);
		if (!w && nextnew < nwin)
			w = &win[nextnew];
		if (!w)
			break;
		if ((tw = fetch_bucket_take(&bucket, now)) > 0)
			return tw < wait ? tw : wait;
		if (w == &win[nextnew])
			nextnew++;
		start(&slots[i], w);
	}
	return wait;
}

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
 * Check a 200 answer and write its line.  0 when written; -1 with w->why
 * set when the body is unusable.
 */
static int emit(struct slot *s, struct window *w)
{
	struct envelope e = { w->symbol, w->ivl->name, "yahoo", w->start,
			      w->end, bt_now(), 200, w->attempts };
	struct fetch_body *fb = &s->body;
	char hdr[ENVELOPE_HEAD_MAX];
	size_t len, tl = strlen(ENVELOPE_TAIL);
	char *line;
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
		st.bars += fb->timestamps;
	hl = envelope_head(hdr, sizeof(hdr), &e); /* fits: symbols are checked */
	line = fetch_body_take(fb, &len);
	line = xrealloc(line, len + tl);
	memcpy(line + ENVELOPE_HEAD_MAX - hl, hdr, (size_t)hl);
	memcpy(line + len, ENVELOPE_TAIL, tl);
	put_line(line + ENVELOPE_HEAD_MAX - hl, len + tl - (ENVELOPE_HEAD_MAX - hl));
	free(line);
	return 0;
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

static void fail(struct window *w)
{
	char a[BT_ISO_LEN], b[BT_ISO_LEN];

	w->state = WS_FAIL;
	ndone++;
	st.failed++;
	msg_err("%s %s %s..%s: %s (%d attempt%s)", w->symbol, w->ivl->name,
		bt_format_iso(w->start, a), bt_format_iso(w->end, b), w->why,
		w->attempts, w->attempts == 1 ? "" : "s");
}

/* Judge a finished transfer: write its line, schedule a retry or fail. */
static void finish(struct slot *s, CURLcode rc, double now)
{
	struct window *w = s->w;
	enum fetch_verdict v;
	curl_off_t ra = 0, dl = 0;
	long status = 0;
	struct fetch_body *fb = &s->body;

	s->w = NULL;
	curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(s->h, CURLINFO_SIZE_DOWNLOAD_T, &dl);
	st.bytes += dl;
	if (rc != CURLE_OK) {
		v = curl_verdict(rc);
		snprintf(w->why, sizeof(w->why), "%.200s",
			 s->err[0] ? s->err : curl_easy_strerror(rc));
	} else {
		v = fetch_classify_http(status);
		if (status == 429) {
			st.n429++;
			curl_easy_getinfo(s->h, CURLINFO_RETRY_AFTER, &ra);
			fetch_bucket_throttled(&bucket, now, (double)ra);
		}
		if (v == FETCH_OK && emit(s, w) == 0) {
			fetch_bucket_ok(&bucket);
			w->state = WS_OK;
			ndone++;
			st.ok++;
			return;
		}
		if (v != FETCH_OK) {
			/* The provider's own words: its JSON description when
			 * there is one, else the start of the body. */
			if (fetch_body_end(fb) == 0 && fb->has_error)
				snprintf(w->why, sizeof(w->why), "HTTP %ld: %s: %.160s",
					 status, fb->code, fb->desc);
			else
				snprintf(w->why, sizeof(w->why), "HTTP %ld: %s",
					 status, fb->excerpt);
		} else {
			v = FETCH_RETRY; /* bad body: may be transient */
		}
	}
	if (v == FETCH_RETRY && w->attempts <= opt.retries) {
		w->state = WS_WAIT;
		nwait++;
		w->due = now + fetch_backoff(opt.backoff_ms, w->attempts,
					     (double)ra, rnd01());
		msg_log(MSG_DEBUG, "%s %s: %s; retry in %.2fs", w->symbol,
			w->ivl->name, w->why, w->due - now);
		return;
	}
	fail(w);
}

static void reap(double now)
{
	CURLMsg *m;
	struct slot *s;
	char *priv;
	int left;

	while ((m = curl_multi_info_read(multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
		s = (struct slot *)(void *)priv;
		curl_multi_remove_handle(multi, s->h);
		finish(s, m->data.result, now);
	}
}

/* ---- reporting ---- */

static void progress(double now, int last)
{
	double el = now - t0, rate = el >= 1 ? st.requests / el : 0;
	double eta = ndone > 0 ? el / ndone * (nwin - ndone) : 0;

	if (last) {
		msg_progress_end();
		return;
	}
	msg_progress(0, "%zu/%zu windows, %lld bars, %.1f req/s, %ld error%s, ETA %.0fs",
		     ndone, nwin, st.bars, rate, st.failed, st.failed == 1 ? "" : "s", eta);
}

static FILE *failed_fp, *stats_fp;

static void write_failed(void)
{
	FILE *fp = failed_fp;
	struct plan_row r;
	size_t i;

	if (!fp)
		return;
	plan_write_header(fp);
	for (i = 0; i < nwin; i++) {
		if (win[i].state == WS_OK)
			continue;
		strcpy(r.symbol, win[i].symbol);
		r.interval = win[i].ivl;
		r.start = win[i].start;
		r.end = win[i].end;
		plan_write(fp, &r);
	}
	if (fclose(fp) != 0)
		msg_die(EXIT_FATAL, "%s: %s", opt.failed, strerror(errno));
}

static void write_stats(double wall)
{
	FILE *fp = stats_fp;

	msg_log(MSG_INFO,
		"%ld windows: %ld ok, %ld failed, %ld bad plan rows; "
		"%ld requests, %ld retries, %ld 429s, %lld bytes, %lld bars, "
		"%.2fs",
		st.windows, st.ok, st.failed, st.bad_rows, st.requests,
		st.retries, st.n429, st.bytes, st.bars, wall);
	if (!fp)
		return;
	fprintf(fp,
		"{\"windows\":%ld,\"ok\":%ld,\"failed\":%ld,\"bad_rows\":%ld,"
		"\"requests\":%ld,\"retries\":%ld,\"http_429\":%ld,"
		"\"bytes\":%lld,\"bars\":%lld,\"wall_seconds\":%.3f}\n",
		st.windows, st.ok, st.failed, st.bad_rows, st.requests,
		st.retries, st.n429, st.bytes, st.bars, wall);
	if (fclose(fp) != 0)
		msg_die(EXIT_FATAL, "%s: %s", opt.stats, strerror(errno));
}

/* ---- main loop ---- */

static void run(void)
{
	double now, wait, deadline = 0;
	int i, running, stopping = 0;
	long ms;

	while (ndone < nwin) {
		now = mono();
		if (stop && !stopping) {
			stopping = 1;
			deadline = now + GRACE;
			msg_log(MSG_WARN, "interrupted: no new transfers, "
				"%.0fs for running ones", GRACE);
		}
		for (running = 0, i = 0; i < opt.jobs; i++)
			running += slots[i].w != NULL;
		if (stopping && (running == 0 || now >= deadline))
			break;
		curl_multi_perform(multi, &running);
		now = mono();
		reap(now);
		/* Start after reaping, so a freed slot is used at once. */
		wait = stopping ? 0.1 : start_more(now);
		progress(now, 0);
		if (ndone == nwin)
			break;
		ms = (long)(wait * 1000) + 1;
		curl_multi_poll(multi, NULL, 0, ms > 200 ? 200 : (int)ms, NULL);
	}
	/* Abandon what is still running; unfetched windows fail. */
	for (i = 0; i < opt.jobs; i++) {
		if (!slots[i].w)
			continue;
		curl_multi_remove_handle(multi, slots[i].h);
		slots[i].w->state = WS_NEW;
		slots[i].w = NULL;
	}
	for (size_t k = 0; k < nwin; k++) {
		if (win[k].state == WS_OK || win[k].state == WS_FAIL)
			continue;
		snprintf(win[k].why, sizeof(win[k].why), "not fetched: "
			 "interrupted");
		fail(&win[k]);
	}
	progress(mono(), 1);
}

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

int main(int argc, char **argv)
{
	enum { O_RATE = 256, O_RETRIES, O_BACKOFF, O_TIMEOUT, O_CTIMEOUT,
	       O_LSTIME, O_LSLIMIT, O_FAILED, O_STATS, O_VERSION };
	static const struct option lo[] = {
		{ "jobs", required_argument, NULL, 'j' },
		{ "rate", required_argument, NULL, O_RATE },
		{ "retries", required_argument, NULL, O_RETRIES },
		{ "backoff-ms", required_argument, NULL, O_BACKOFF },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "connect-timeout", required_argument, NULL, O_CTIMEOUT },
		{ "low-speed-time", required_argument, NULL, O_LSTIME },
		{ "low-speed-limit", required_argument, NULL, O_LSLIMIT },
		{ "user-agent", required_argument, NULL, 'A' },
		{ "failed", required_argument, NULL, O_FAILED },
		{ "stats", required_argument, NULL, O_STATS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	struct curl_slist *hdrs = NULL;
	struct sigaction sa;
	char url[URL_MAX];
	FILE *fp;
	int c, i;

	msg_init(argv[0]);
	while ((c = getopt_long(argc, argv, "j:A:h", lo, NULL)) != -1) {
		switch (c) {
		case 'j': opt.jobs = (int)num(optarg, "--jobs", 1, 256); break;
		case O_RATE: opt.rate = num(optarg, "--rate", 0, 1e6); break;
		case O_RETRIES: opt.retries = (int)num(optarg, "--retries", 0, 100); break;
		case O_BACKOFF: opt.backoff_ms = (long)num(optarg, "--backoff-ms", 0, 600000); break;
		case O_TIMEOUT: opt.timeout = num(optarg, "--timeout", 0.001, 86400); break;
		case O_CTIMEOUT: opt.connect_timeout = num(optarg, "--connect-timeout", 0.001, 3600); break;
		case O_LSTIME: opt.low_speed_time = (long)num(optarg, "--low-speed-time", 0, 3600); break;
		case O_LSLIMIT: opt.low_speed = (long)num(optarg, "--low-speed-limit", 0, 1e9); break;
		case 'A': opt.ua = optarg; break;
		case O_FAILED: opt.failed = optarg; break;
		case O_STATS: opt.stats = optarg; break;
		case 'h': usage(stdout, EXIT_OK); break;
		case O_VERSION: msg_version(); break;
		default: usage(stderr, EXIT_USAGE);
		}
	}
	opt.base = getenv("BARS_YAHOO_URL");
	if (!opt.base || !*opt.base)
		opt.base = FETCH_DEFAULT_BASE;
	if (fetch_base_ok(opt.base) < 0 ||
	    fetch_url(url, sizeof(url), opt.base,
		      "^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^", "3mo", (time_t)-99999999999,
		      (time_t)-99999999999) < 0)
		msg_die(EXIT_USAGE, "BARS_YAHOO_URL: not an http(s) URL of "
			"reasonable length: %.80s", opt.base);
	if (!*opt.ua || strpbrk(opt.ua, "\r\n")) {
		msg_err("--user-agent: empty or contains a line break");
		usage(stderr, EXIT_USAGE);
	}
	(void)bt_now(); /* a malformed BARS_NOW is a config error, early */
	/* Output files are opened first so a bad path is a usage error, not
	 * a surprise after a long run. */
	if (opt.failed && !(failed_fp = fopen(opt.failed, "w")))
		msg_die(EXIT_USAGE, "%s: %s", opt.failed, strerror(errno));
	if (opt.stats && !(stats_fp = fopen(opt.stats, "w")))
		msg_die(EXIT_USAGE, "%s: %s", opt.stats, strerror(errno));

	t0 = mono();
	rng = (unsigned long long)time(NULL) << 20 ^ (unsigned long long)getpid() ^ 0x9E3779B97F4A7C15ULL;
	if (optind == argc)
		read_plan(stdin, "-");
	for (i = optind; i < argc; i++) {
		if (strcmp(argv[i], "-") == 0) {
			read_plan(stdin, "-");
			continue;
		}
		if (!(fp = fopen(argv[i], "r"))) {
			msg_err("%s: %s", argv[i], strerror(errno));
			st.bad_rows++;
			continue;
		}
		read_plan(fp, argv[i]);
		fclose(fp);
	}
	st.windows = (long)nwin;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    !(multi = curl_multi_init()))
		msg_die(EXIT_FATAL, "libcurl initialisation failed");
	curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long)opt.jobs);
	hdrs = curl_slist_append(hdrs, "Accept: application/json,text/plain,*/*");
	slots = xcalloc((size_t)opt.jobs, sizeof(*slots));
	if (!hdrs)
		msg_die(EXIT_FATAL, "out of memory");
	for (i = 0; i < opt.jobs; i++)
		slot_init(&slots[i], hdrs);
	fetch_bucket_init(&bucket, opt.rate, mono());

	run();

	for (i = 0; i < opt.jobs; i++) {
		curl_easy_cleanup(slots[i].h);
		fetch_body_free(&slots[i].body);
	}
	curl_multi_cleanup(multi);
	curl_slist_free_all(hdrs);
	curl_global_cleanup();
	write_failed();
	write_stats(mono() - t0);
	free(slots);
	free(win);
	msg_close_stdout(EXIT_FATAL);
	return st.failed || st.bad_rows ? EXIT_PARTIAL : EXIT_OK;
}
