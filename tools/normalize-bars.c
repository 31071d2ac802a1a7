/*
 * normalize-bars: provider responses (fetch-bars NDJSON, or one raw body)
 * to the bars CSV of lib/bars.h.
 *
 * Provider specifics live in jq programs (share/providers/NAME.jq), run by
 * ONE jq process for the whole stream.  A feeder child writes every input
 * line to jq as an RFC 7464 JSON text sequence (jq --seq), each line
 * preceded by a locator text ["normalize-bars", input-index, line]: jq
 * skips a malformed text up to the next record separator and carries on,
 * and a locator followed by no rows marks that line as not JSON.  The
 * driver program below turns each line into tab-separated adapter rows:
 *
 *   L  input line            where the following rows come from
 *   J  message               the line is JSON but not an object
 *   A  message               the adapter failed on this envelope
 *   P  provider              the envelope's provider (from the driver)
 *   H  symbol interval start end fetched_at status timezone regularMarketTime
 *   X  code description      provider error: the response is skipped
 *   B  ts open high low close adj_close volume [ref]
 *   V  date kind amount numerator denominator
 *
 * This file canonicalises them: time keys, live/unfinished/out-of-window/
 * null/duplicate bars, number formats.
 */
#include "bars.h"
#include "bt.h"
#include "cal.h"
#include "events.h"
#include "exitcode.h"
#include "final.h"
#include "json.h"
#include "msg.h"
#include "norm_set.h"
#include "norm_time.h"
#include "proc.h"
#include "px.h"
#include "sym.h"
#include "xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>


/* Adding a provider: share/providers/NAME.jq plus one line here. */
static const struct provider {
	const char *name;
	int px_double; /* prices are decimal text (true doubles), not float32 */
	int text_body; /* raw responses are text (CSV), carried as a JSON string */
} providers[] = {
	{ "yahoo", 0, 0 },
	{ "stooq", 1, 1 },
};
#define NPROVIDERS (sizeof(providers) / sizeof(providers[0]))

#define MAXF 12 /* fields in an adapter row */

struct nb_opts {
	const char *provider; /* raw mode when set */
	const char *symbol, *interval, *start, *end, *fetched_at, *tz;
	const char *events;
	long settle; /* seconds after the close a daily bar is final (lib/final) */
};

/* The response being normalised (one envelope). */
struct resp {
	int skip;     /* rejected or failed: ignore its rows */
	int rejected; /* reported as invalid; no provider error on top */
	const char *defer; /* problem reported when a bar needs it */
	char defer_what[128];
	const struct provider *prov;
	char symbol[SYM_MAX + 1];
	const struct sym_interval *iv;
	char tz[128];
	int nyse;     /* the NYSE calendar decides when daily bars are final */
	int has_start, has_end, has_rmt;
	time_t start, end, fetched;
	long long rmt;
	char label[PATH_MAX + 96]; /* "INPUT:LINE: SYMBOL START..END" for messages */
	struct norm_set keys, evkeys;
	int events_pending; /* events written, not yet flushed */
	long in, out, nulls, live, window, unfinished, dups, bad;
};

/* The tool's state, passed to every function that needs it. */
struct nb {
	struct nb_opts opt;
	char **inputs;     /* operand names; "-" is stdin */
	int ninputs;
	int status;
	FILE *evfp;        /* --events */
	time_t now;
	struct resp resp;
	long cur_line;     /* 0 before the first locator */
	int cur_answered;  /* jq answered the current line with some row */
	const char *cur_name;
};

static const char synopsis[] =
	"usage: normalize-bars [--events FILE] [--tz ZONE] [--settle MINUTES] [FILE ...]\n"
	"       normalize-bars --provider NAME --symbol SYMBOL [--interval I]\n"
	"                      [--start T] [--end T] [--fetched-at T] [--tz ZONE]\n"
	"                      [--settle MINUTES] [--events FILE] [FILE ...]\n"
	"       normalize-bars -h | --help | --version\n";

static const char options[] =
	"  --events FILE        also write dividends, splits and capital gains to FILE\n"
	"  --tz ZONE            key daily bars in this IANA zone instead of the provider's\n"
	"  --settle MINUTES     a daily NYSE bar is final this long after the close (default 30)\n"
	"  --provider NAME      raw mode: each FILE is one response body of yahoo or stooq\n"
	"  --symbol SYMBOL      raw mode: the symbol of the bars (required)\n"
	"  --interval I         raw mode: the interval (default: the provider's)\n"
	"  --start T            raw mode: the request window's start (ISO-8601 UTC or epoch)\n"
	"  --end T              raw mode: the request window's end, exclusive\n"
	"  --fetched-at T       raw mode: when the body was fetched (default: now)\n"
	"  -h, --help           print this help and exit\n"
	"      --version        print the version and exit\n";

static void usage(FILE *fp, int code)
{
	fputs(synopsis, fp);
	if (code == EXIT_OK)
		fputs(options, fp);
	exit(code);
}

static const struct provider *find_provider(const char *name)
{
	size_t i;

	for (i = 0; i < NPROVIDERS; i++)
		if (strcmp(providers[i].name, name) == 0)
			return &providers[i];
	return NULL;
}

/* ---- locating the adapters ---- */

static int has_adapters(const char *dir)
{
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < NPROVIDERS; i++) {
		snprintf(path, sizeof(path), "%s/%s.jq", dir, providers[i].name);
		if (access(path, R_OK) < 0)
			return 0;
	}
	return 1;
}

/*
 * $BARS_PROVIDERS_DIR, else share/providers beside the binary's directory
 * (bin/../share/providers, so the build tree works; a few levels up for
 * build/asan/bin), else share/stockbars/providers beside it (an installed
 * tree moved to another prefix), else the installed SHAREDIR/providers.
 */
static const char *providers_dir(void)
{
	static char dir[PATH_MAX];
	char exe[PATH_MAX], *slash;
	const char *env = getenv("BARS_PROVIDERS_DIR");
	ssize_t n;
	int up;

	if (env && *env)
		return env;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')))
			*slash = '\0';
		for (up = 1; up <= 3; up++) {
			size_t len = strlen(exe);
			int k = snprintf(exe + len, sizeof(exe) - len, "/..");

			if (k < 0 || (size_t)k >= sizeof(exe) - len)
				break;
			k = snprintf(dir, sizeof(dir), "%s/share/providers", exe);
			if (k < 0 || (size_t)k >= sizeof(dir))
				break;
			if (has_adapters(dir))
				return dir;
			k = snprintf(dir, sizeof(dir), "%s/share/stockbars/providers", exe);
			if (k > 0 && (size_t)k < sizeof(dir) && has_adapters(dir))
				return dir;
		}
	}
	return SHAREDIR "/providers";
}

/* ---- the jq driver ---- */

/*
 * Imports every adapter and dispatches on the envelope's provider
 * (default yahoo, what fetch-bars writes).  Errors become J/A rows so jq
 * never stops on a bad line.
 */
static char *driver_program(void)
{
	static const char body[] =
		"def norm_clean: tostring | gsub(\"[\\t\\n\\r]\"; \" \");\n"
		"if type == \"array\" and length == 3 and .[0] == \"normalize-bars\" then\n"
		"  \"L\\t\\(.[1])\\t\\(.[2])\"\n"
		"elif type != \"object\" then \"J\\tnot a JSON object\"\n"
		"else (.provider // \"yahoo\" | tostring) as $p\n"
		"  | try (\"P\\t\" + $p, norm_rows($p)) catch (\"A\\t\" + norm_clean) end\n";
	size_t cap = sizeof(body) + 512 * NPROVIDERS, i;
	char *p = xmalloc(cap);
	size_t n = 0;

	for (i = 0; i < NPROVIDERS; i++)
		n += (size_t)snprintf(p + n, cap - n, "import \"%s\" as %s;\n",
				      providers[i].name, providers[i].name);
	n += (size_t)snprintf(p + n, cap - n, "def norm_rows($p):");
	for (i = 0; i < NPROVIDERS; i++)
		n += (size_t)snprintf(p + n, cap - n,
				      " %sif $p == \"%s\" then %s::rows($events)",
				      i ? "el" : "", providers[i].name, providers[i].name);
	n += (size_t)snprintf(p + n, cap - n,
			      " else [\"X\", \"unknown provider\", ($p | tostring)] | @tsv end;\n");
	snprintf(p + n, cap - n, "%s", body);
	return p;
}

/* ---- the feeder: t->inputs to jq, each line after its locator ---- */

/* RS (0x1e) starts each text, so jq can resynchronise after a bad one. */
static int put_locator(FILE *jq, int idx, long line)
{
	return fprintf(jq, "\036[\"normalize-bars\",%d,%ld]\n\036", idx, line) < 0 ? -1 : 0;
}

/* Copy JSON with line breaks as spaces: raw breaks cannot occur inside
 * JSON strings, so a pretty-printed body becomes one valid line. */
static int feed_json_flat(FILE *in, FILE *jq)
{
	int c;

	while ((c = getc(in)) != EOF)
		if (putc(c == '\n' || c == '\r' || c == '\036' ? ' ' : c, jq) == EOF)
			return -1;
	return ferror(in) ? -1 : 0;
}

/* Copy text as the body of a JSON string. */
static int feed_json_string(FILE *in, FILE *jq)
{
	int c;

	char esc[8];
	const char *e;

	while ((c = getc(in)) != EOF) {
		e = json_escape_char((unsigned char)c, esc);
		if (e ? fputs(e, jq) == EOF : putc(c, jq) == EOF)
			return -1;
	}
	return ferror(in) ? -1 : 0;
}

static void put_field(FILE *jq, const char *key, const char *val)
{
	if (val)
		fprintf(jq, ",\"%s\":\"%s\"", key, val); /* validated: no quotes */
}

/* Raw mode: wrap the whole body in an envelope line. */
static int feed_raw(struct nb *t, FILE *in, FILE *jq, int idx)
{
	int text = find_provider(t->opt.provider)->text_body;

	if (put_locator(jq, idx, 1) < 0)
		return -1;
	fprintf(jq, "{\"provider\":\"%s\",\"status\":200", t->opt.provider);
	put_field(jq, "symbol", t->opt.symbol);
	put_field(jq, "interval", t->opt.interval);
	put_field(jq, "start", t->opt.start);
	put_field(jq, "end", t->opt.end);
	put_field(jq, "fetched_at", t->opt.fetched_at);
	fputs(",\"body\":", jq);
	if (text)
		putc('"', jq);
	if ((text ? feed_json_string(in, jq) : feed_json_flat(in, jq)) < 0)
		return -1;
	fputs(text ? "\"}\n" : "}\n", jq);
	return ferror(jq) ? -1 : 0;
}

static int blank(const char *s)
{
	for (; *s; s++)
		if (!strchr(" \t\r\n", *s))
			return 0;
	return 1;
}

static int feed_ndjson(FILE *in, FILE *jq, int idx)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long no = 0;

	while ((n = getline(&line, &cap, in)) > 0) {
		no++;
		if (blank(line))
			continue;
		/* A stray RS would split the line into texts of its own. */
		for (char *c = line; (c = memchr(c, '\036', (size_t)(line + n - c))); c++)
			*c = ' ';
		if (put_locator(jq, idx, no) < 0 || fwrite(line, 1, (size_t)n, jq) != (size_t)n ||
		    (line[n - 1] != '\n' && putc('\n', jq) == EOF)) {
			free(line);
			return -1;
		}
	}
	free(line);
	return ferror(in) ? -1 : 0;
}

/* The feeder child: exit 0, or 1 when an input could not be read. */
static void feed(struct nb *t, FILE *jq)
{
	int i, rc = 0;

	for (i = 0; i < t->ninputs; i++) {
		int std = strcmp(t->inputs[i], "-") == 0;
		FILE *in = std ? stdin : fopen(t->inputs[i], "r");

		if (!in) {
			msg_err("%s: %s", t->inputs[i], strerror(errno));
			rc = 1;
			continue;
		}
		if ((t->opt.provider ? feed_raw(t, in, jq, i) : feed_ndjson(in, jq, i)) < 0) {
			if (ferror(jq))
				_exit(EXIT_FATAL); /* jq went away; the parent reports it */
			msg_err("%s: %s", t->inputs[i], strerror(errno));
			rc = 1;
		}
		if (!std)
			fclose(in);
	}
	if (fclose(jq) != 0)
		_exit(EXIT_FATAL);
	_exit(rc);
}

/* ---- adapter rows ---- */

/* Split a row on tabs in place; returns the field count. */
static size_t split_row(char *s, char **f)
{
	size_t n = 0;

	f[n++] = s;
	for (; *s && n < MAXF; s++)
		if (*s == '\t') {
			*s = '\0';
			f[n++] = s + 1;
		}
	return n;
}

/* Undo jq's @tsv escapes (\t \n \r \\) for text shown to people. */
static char *unescape(char *s)
{
	char *w = s, *p;

	for (p = s; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			*w++ = *p == 't' ? ' ' : *p == 'n' ? ' ' : *p == 'r' ? ' ' : *p;
		} else {
			*w++ = *p;
		}
	}
	*w = '\0';
	return s;
}

static void skipped(struct nb *t)
{
	t->status = EXIT_PARTIAL;
}

/* A problem tied to an input line: "name:line: what detail". */
static void line_err(struct nb *t, const char *what, const char *detail)
{
	msg_err("%s:%ld: %s%s", t->cur_name, t->cur_line, what, detail);
	skipped(t);
}

static void resp_report(const struct nb *t)
{
	const struct resp *r = &t->resp;

	if (!r->in || !msg_enabled(MSG_DEBUG))
		return;
	msg_log(MSG_DEBUG,
		"%s: %ld bar%s in, %ld written; dropped %ld null, %ld live, %ld outside window, "
		"%ld unfinished, %ld duplicate, %ld bad", r->label, r->in, r->in == 1 ? "" : "s",
		r->out, r->nulls, r->live, r->window, r->unfinished, r->dups, r->bad);
}

static void resp_reject(struct nb *t, const char *why, const char *what)
{
	msg_err("%s: %s%s, skipped", t->resp.label, why, what);
	t->resp.skip = 1;
	t->resp.rejected = 1;
	skipped(t);
}

/* The response ended: a deferred problem no bar needed is still one. */
static void resp_finish(struct nb *t)
{
	if (t->resp.defer && !t->resp.skip)
		resp_reject(t, t->resp.defer, t->resp.defer_what);
	resp_report(t);
}

static void resp_reset(struct nb *t)
{
	struct resp *r = &t->resp;
	norm_set_clear(&r->keys);
	norm_set_clear(&r->evkeys);
	r->skip = 1; /* until an H row accepts the response */
	r->rejected = 0;
	r->defer = NULL;
	r->in = r->out = r->nulls = r->live = r->window = 0;
	r->unfinished = r->dups = r->bad = 0;
	snprintf(r->label, sizeof(r->label), "%s:%ld", t->cur_name, t->cur_line);
}

/* "why: value" for a time that does not parse (static buffer). */
static const char *when_why(const char *s)
{
	static char buf[160];

	snprintf(buf, sizeof(buf), "%s: %.60s", bt_time_why(s), s);
	return buf;
}

static int parse_when(const char *s, time_t *t, int *has)
{
	*has = *s != '\0';
	return *has ? bt_parse_time(s, t) : 0;
}

/*
 * H symbol interval start end fetched_at status timezone rmt.  Problems
 * with the interval or time zone are only reported when a bar needs them:
 * an error response has no meta, and its provider error is what matters.
 */
static void on_head(struct nb *t, char **f, size_t n)
{
	struct resp *r = &t->resp;
	char a[BT_ISO_LEN], b[BT_ISO_LEN];
	int has_fetched;

	if (n < 9) {
		line_err(t, "adapter row too short: ", "H");
		return;
	}
	snprintf(r->symbol, sizeof(r->symbol), "%s", f[1]);
	if (sym_valid(f[1]) < 0) {
		resp_reject(t, "bad symbol: ", *f[1] ? unescape(f[1]) : "(none)");
		return;
	}
	snprintf(r->label, sizeof(r->label), "%s:%ld: %s", t->cur_name, t->cur_line, r->symbol);
	if (parse_when(f[3], &r->start, &r->has_start) < 0) {
		resp_reject(t, "bad start: ", when_why(f[3]));
		return;
	}
	if (parse_when(f[4], &r->end, &r->has_end) < 0) {
		resp_reject(t, "bad end: ", when_why(f[4]));
		return;
	}
	if (r->has_start || r->has_end)
		snprintf(r->label, sizeof(r->label), "%s:%ld: %s %s..%s", t->cur_name,
			 t->cur_line, r->symbol, r->has_start ? bt_format_iso(r->start, a) : "",
			 r->has_end ? bt_format_iso(r->end, b) : "");
	if (parse_when(f[5], &r->fetched, &has_fetched) < 0) {
		resp_reject(t, "bad fetched_at: ", when_why(f[5]));
		return;
	}
	if (!has_fetched)
		r->fetched = t->now;
	r->has_rmt = px_parse_ll(f[8], &r->rmt) == 0;
	r->skip = 0;
	snprintf(r->tz, sizeof(r->tz), "%s", t->opt.tz ? t->opt.tz : f[7]);
	r->nyse = cal_us_symbol(r->symbol) && cal_new_york(r->tz);
	r->iv = sym_interval(f[2]);
	if (!r->iv) {
		r->defer = "bad interval: ";
		snprintf(r->defer_what, sizeof(r->defer_what), "%s", *f[2] ? f[2] : "(none)");
	} else if ((!r->iv->intraday || *r->tz) && (!*r->tz || bt_set_tz(r->tz) < 0)) {
		/* Daily keys need the exchange zone; intraday keys do not. */
		r->defer = "unknown exchange time zone: ";
		snprintf(r->defer_what, sizeof(r->defer_what), "%s", *r->tz ? r->tz : "(none)");
	}
}

/* A bar or event arrived: is the response usable? */
static int resp_usable(struct nb *t)
{
	if (t->resp.skip)
		return 0;
	if (t->resp.defer) {
		resp_reject(t, t->resp.defer, t->resp.defer_what);
		return 0;
	}
	return 1;
}

/* X code description */
static void on_error(struct nb *t, char **f, size_t n)
{
	if (!t->resp.rejected) {
		msg_err("%s: provider error: %s: %s", t->resp.label, n > 1 ? unescape(f[1]) : "",
			n > 2 ? unescape(f[2]) : "");
		skipped(t);
	}
	t->resp.skip = 1;
}

/* A bad row: ref is the adapter's reference (a body line) or the stamp. */
static void bar_err(struct nb *t, const char *ref, const char *what, const char *val)
{
	msg_err("%s: bar %s: %s '%.40s', skipped", t->resp.label, ref, what, val);
	t->resp.bad++;
	skipped(t);
}

/*
 * The bar's key and raw start.  Epoch stamps are instants (Yahoo); dates
 * are trading dates (Stooq).  Returns 1 to keep, 0 to drop (counted).
 */
static int bar_time(struct nb *t, const char *s, const char *ref, time_t *key, time_t *raw)
{
	struct resp *r = &t->resp;
	int y, m, d;
	long long stamp;

	if (strlen(s) == 10 && s[4] == '-') {
		if (sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3 || bt_parse_iso(s, raw) < 0) {
			bar_err(t, ref, bt_time_why(s), s);
			return 0;
		}
		if (norm_date_key(r->tz, y, m, d, key) < 0) {
			bar_err(t, ref, "cannot key in time zone", r->tz);
			return 0;
		}
		*raw = *key;
		return 1;
	}
	if (px_parse_ll(s, &stamp) < 0) {
		bar_err(t, ref, "bad timestamp", s);
		return 0;
	}
	if (!bt_in_range((time_t)stamp)) {
		bar_err(t, ref, "timestamp outside the years 1900-2199", s);
		return 0;
	}
	*raw = (time_t)stamp;
	/* The live element Yahoo appends: stamped "now", off the minute grid. */
	if ((r->has_rmt && stamp == r->rmt) || stamp % 60 != 0) {
		r->live++;
		return 0;
	}
	if (r->iv->intraday)
		*key = *raw;
	else if (norm_day_key(r->tz, *raw, key) < 0) {
		bar_err(t, ref, "cannot key in time zone", r->tz);
		return 0;
	}
	return 1;
}

static int in_window(const struct nb *t, time_t when)
{
	return !(t->resp.has_start && when < t->resp.start) &&
	       !(t->resp.has_end && when >= t->resp.end);
}

static int parse_volume(const char *s, struct bar *b)
{
	double v;

	b->has_volume = *s != '\0';
	b->volume = 0;
	if (!b->has_volume || px_parse_ll(s, &b->volume) == 0)
		return 0;
	/* Stooq back-adjusts volumes, which makes them fractional. */
	if (px_parse(s, &v) < 0 || fabs(v) > 9e18)
		return -1;
	b->volume = llround(v);
	return 0;
}

/* One price of a B row: 0, or -1 after reporting it. */
static int bar_price(struct nb *t, const char *ref, const char *what, const char *s, double *v)
{
	char why[64];

	if (px_parse(s, v) == 0 && px_in_range(*v))
		return 0;
	snprintf(why, sizeof(why), px_parse(s, v) < 0 ? "bad %s" : "%s outside float32 range",
		 what);
	bar_err(t, ref, why, s);
	return -1;
}

/* Prices and volume of a B row with every price present: 0, or -1 after
 * reporting the bad field. */
static int bar_fields(struct nb *t, char **f, const char *ref, struct bar *b)
{
	double *px[] = { &b->open, &b->high, &b->low, &b->close };
	static const char *const name[] = { "open", "high", "low", "close" };
	int i;

	for (i = 0; i < 4; i++)
		if (bar_price(t, ref, name[i], f[2 + i], px[i]) < 0)
			return -1;
	b->adj_close = b->close;
	if (*f[6] && bar_price(t, ref, "adj_close", f[6], &b->adj_close) < 0)
		return -1;
	if (parse_volume(f[7], b) < 0) {
		bar_err(t, ref, "bad volume", f[7]);
		return -1;
	}
	return 0;
}

/* Write a kept bar. */
static void bar_out(struct nb *t, struct bar *b, time_t key)
{
	/* The response's events reach the file before its bars reach stdout,
	 * so validate-bars --events on the same file sees a split before the
	 * bars it explains. */
	if (t->resp.events_pending && fflush(t->evfp) != 0)
		msg_die(EXIT_FATAL, "%s: %s", t->opt.events, strerror(errno));
	t->resp.events_pending = 0;
	memcpy(b->symbol, t->resp.symbol, sizeof(b->symbol));
	snprintf(b->interval, sizeof(b->interval), "%s", t->resp.iv->name);
	b->ts = key;
	b->px_double = t->resp.prov->px_double;
	if (bars_write(stdout, b) < 0)
		msg_die(EXIT_FATAL, "stdout: %s", strerror(errno));
	t->resp.out++;
}

/* B ts open high low close adj volume [ref] */
/* How a message names a B row: its body line (CSV providers), else its
 * time, an epoch stamp shown as ISO-8601 too. */
static void bar_ref(char *ref, size_t len, char **f, size_t n)
{
	char iso[BT_ISO_LEN];
	long long v;
	char *end;

	if (n > 8) {
		snprintf(ref, len, "at body line %.20s", f[8]);
		return;
	}
	v = n > 1 ? strtoll(f[1], &end, 10) : 0;
	if (n > 1 && *f[1] && !*end && bt_in_range((time_t)v))
		snprintf(ref, len, "at %s (%.20s)", bt_format_iso((time_t)v, iso), f[1]);
	else
		snprintf(ref, len, "at %.40s", n > 1 ? f[1] : "");
}

static void on_bar(struct nb *t, char **f, size_t n)
{
	struct bar b;
	char ref[48];
	time_t key, raw, end;
	int i, nulls = 0;

	if (!resp_usable(t))
		return;
	bar_ref(ref, sizeof(ref), f, n);
	t->resp.in++;
	if (n < 8) {
		bar_err(t, ref, "adapter row too short", f[0]);
		return;
	}
	for (i = 0; i < 4; i++)
		nulls += *f[2 + i] == '\0';
	if (nulls) { /* all null: a missing bar; some: dropped, said so */
		if (nulls < 4)
			msg_log(MSG_WARN, "%s: bar %s has some null prices, dropped", t->resp.label, f[1]);
		t->resp.nulls++;
		return;
	}
	if (bar_fields(t, f, ref, &b) < 0 || !bar_time(t, f[1], ref, &key, &raw))
		return;
	if (!in_window(t, raw))
		t->resp.window++;
	else if (final_at(t->resp.iv, t->resp.nyse, t->resp.tz, key, t->opt.settle, &end) < 0 ||
		 end > t->resp.fetched)
		t->resp.unfinished++;
	else if (norm_set_add(&t->resp.keys, (int64_t)key) == 0)
		t->resp.dups++;
	else
		bar_out(t, &b, key);
}

/* An optional adapter number: 1 present, 0 empty, -1 malformed. */
static int ev_num(const char *s, double *v)
{
	return !*s ? 0 : px_parse(s, v) < 0 ? -1 : 1;
}

/* V date kind amount numerator denominator */
static void on_event(struct nb *t, char **f, size_t n)
{
	struct resp *r = &t->resp;
	struct event e;
	long long stamp;
	int v, a, d, rc;

	if (!t->evfp || !resp_usable(t))
		return;
	if (n < 6 || px_parse_ll(f[1], &stamp) < 0) {
		bar_err(t, "", "bad event date", n > 1 ? f[1] : "");
		return;
	}
	memset(&e, 0, sizeof(e));
	for (e.kind = 0; e.kind < EVENT_OTHER; e.kind++)
		if (strcmp(f[2], events_kind_name(e.kind)) == 0)
			break;
	if (e.kind == EVENT_OTHER || (v = ev_num(f[3], &e.value)) < 0 ||
	    (a = ev_num(f[4], &e.numerator)) < 0 || (d = ev_num(f[5], &e.denominator)) < 0) {
		bar_err(t, "", "bad event", f[2]);
		return;
	}
	if (!in_window(t, (time_t)stamp))
		return;
	if (norm_day_key(r->tz, (time_t)stamp, &e.ts) < 0) {
		bar_err(t, "", "cannot key event in time zone", r->tz);
		return;
	}
	snprintf(e.kind_name, sizeof(e.kind_name), "%s", f[2]);
	memcpy(e.symbol, r->symbol, sizeof(e.symbol));
	e.has_value = v;
	e.has_ratio = a && d && e.denominator != 0;
	if (e.kind == EVENT_SPLIT && e.has_ratio) { /* a split's value is its ratio */
		e.value = e.numerator / e.denominator;
		e.has_value = 1;
	}
	rc = norm_set_add(&r->evkeys, (int64_t)e.ts * 4 + e.kind);
	if (rc == 0)
		return;
	if (events_write(t->evfp, &e) < 0)
		msg_die(EXIT_FATAL, "%s: %s", t->opt.events, strerror(errno));
	r->events_pending = 1;
}

/* jq skipped the current line without a row: it was not JSON. */
static void check_answered(struct nb *t)
{
	if (t->cur_line && !t->cur_answered)
		line_err(t, "not JSON, skipped", "");
}

static void on_locator(struct nb *t, char **f, size_t n)
{
	long idx = n > 1 ? strtol(f[1], NULL, 10) : -1;

	check_answered(t);
	resp_finish(t);
	resp_reset(t);
	t->cur_name = idx >= 0 && idx < t->ninputs ? t->inputs[idx] : "?";
	t->cur_line = n > 2 ? strtol(f[2], NULL, 10) : 0;
	t->cur_answered = 0;
	snprintf(t->resp.label, sizeof(t->resp.label), "%s:%ld", t->cur_name, t->cur_line);
}

static void on_row(struct nb *t, char *line)
{
	char *f[MAXF];
	size_t n;

	if (*line == '\036') /* --seq output framing, if jq adds it */
		line++;
	n = split_row(line, f);

	if (strchr("PJA", f[0][0]))
		t->cur_answered = 1;
	switch (f[0][0]) {
	case 'B': on_bar(t, f, n); break;
	case 'V': on_event(t, f, n); break;
	case 'H': on_head(t, f, n); break;
	case 'P': /* a new envelope, even a second JSON text on one line */
		resp_finish(t);
		resp_reset(t);
		t->resp.prov = n > 1 ? find_provider(f[1]) : NULL;
		break;
	case 'X': on_error(t, f, n); break;
	case 'L': on_locator(t, f, n); break;
	case 'J': line_err(t, n > 1 ? unescape(f[1]) : "not JSON", ", skipped"); break;
	case 'A': line_err(t, "adapter failed: ", n > 1 ? unescape(f[1]) : ""); break;
	default: line_err(t, "unexpected adapter row: ", f[0]); break;
	}
}

/* ---- main ---- */

static void check_when(const char *name, const char *s)
{
	time_t t;

	if (s && bt_parse_time(s, &t) < 0) {
		msg_err("%s: %s: %s", name, bt_time_why(s), s);
		usage(stderr, EXIT_USAGE);
	}
}

/* The combined sanity check: NULL when the options make sense, else a
 * message naming the bad argument. */
static const char *sanity(const struct nb *t)
{
	const struct nb_opts *op = &t->opt;
	static char why[160];

	if (op->provider && !find_provider(op->provider))
		snprintf(why, sizeof(why), "--provider: unknown provider: %.40s", op->provider);
	else if (op->provider && !op->symbol)
		snprintf(why, sizeof(why), "--provider needs --symbol");
	else if (op->symbol && sym_valid(op->symbol) < 0)
		snprintf(why, sizeof(why), "--symbol: bad symbol: %.40s", op->symbol);
	else if (!op->provider &&
		 (op->symbol || op->interval || op->start || op->end || op->fetched_at))
		snprintf(why, sizeof(why),
			 "--symbol, --interval, --start, --end and --fetched-at need --provider");
	else if (op->interval && !sym_interval(op->interval))
		snprintf(why, sizeof(why), "--interval: bad interval: %.20s (one of %s)",
			 op->interval, sym_interval_names());
	else if (op->tz && bt_set_tz(op->tz) < 0)
		snprintf(why, sizeof(why), "--tz: unknown time zone: %.60s", op->tz);
	else
		return NULL;
	return why;
}

static void parse_args(struct nb *t, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "provider", required_argument, NULL, 'p' },
		{ "symbol", required_argument, NULL, 's' },
		{ "interval", required_argument, NULL, 'i' },
		{ "start", required_argument, NULL, 'S' },
		{ "end", required_argument, NULL, 'E' },
		{ "fetched-at", required_argument, NULL, 'F' },
		{ "tz", required_argument, NULL, 'z' },
		{ "events", required_argument, NULL, 'e' },
		{ "settle", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static char *stdin_only[] = { "-" };
	const char *why;
	int c;

	t->opt.settle = final_settle();
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'p': t->opt.provider = optarg; break;
		case 's': t->opt.symbol = optarg; break;
		case 'i': t->opt.interval = optarg; break;
		case 'S': t->opt.start = optarg; break;
		case 'E': t->opt.end = optarg; break;
		case 'F': t->opt.fetched_at = optarg; break;
		case 'z': t->opt.tz = optarg; break;
		case 'e': t->opt.events = optarg; break;
		case 'T':
			if ((t->opt.settle = final_parse_settle(optarg)) < 0) {
				msg_err("--settle: want minutes from 0 to %d: %s",
					FINAL_SETTLE_MAX_MINUTES, optarg);
				usage(stderr, EXIT_USAGE);
			}
			break;
		case 'h': usage(stdout, EXIT_OK); break;
		case 'V': msg_version(); break;
		default: usage(stderr, EXIT_USAGE);
		}
	}
	why = sanity(t);
	if (why) {
		msg_err("%s", why);
		usage(stderr, EXIT_USAGE);
	}
	check_when("--start", t->opt.start);
	check_when("--end", t->opt.end);
	check_when("--fetched-at", t->opt.fetched_at);
	t->inputs = argv + optind;
	t->ninputs = argc - optind;
	if (t->ninputs == 0) {
		t->inputs = stdin_only;
		t->ninputs = 1;
	}
}

/*
 * jq's stderr goes to a temporary file: its "ignoring parse error" lines
 * count the framed stream, not the user's lines (we report those), and
 * anything else matters only when jq fails.
 */
static FILE *start_jq(struct proc *jq, char **argv)
{
	FILE *err = tmpfile();
	int saved = dup(2), rc;

	if (!err || saved < 0)
		msg_die(EXIT_FATAL, "temporary file: %s", strerror(errno));
	fflush(stderr);
	dup2(fileno(err), 2);
	rc = proc_start(jq, argv, 1, 1);
	dup2(saved, 2);
	close(saved);
	if (rc < 0)
		msg_die(EXIT_FATAL, "jq: %s", strerror(errno));
	return err;
}

/* Replay jq's stderr: always when it failed, else at debug level. */
static void jq_stderr(FILE *err, int failed)
{
	char buf[512];

	rewind(err);
	while (fgets(buf, sizeof(buf), err))
		if (failed)
			fputs(buf, stderr);
		else
			msg_log(MSG_DEBUG, "jq: %s", strtok(buf, "\n") ? buf : "");
	fclose(err);
}

static pid_t start_feeder(struct nb *t, struct proc *jq)
{
	pid_t pid = fork();

	if (pid < 0)
		msg_die(EXIT_FATAL, "fork: %s", strerror(errno));
	if (pid == 0) {
		fclose(jq->out);
		feed(t, jq->in);
	}
	fclose(jq->in);
	jq->in = NULL;
	return pid;
}

/* The feeder child's end (after jq's, which explains a broken pipe): it
 * exits 0, or 1 after reporting an unreadable input. */
static void feeder_done(struct nb *t, int st)
{
	if (WIFEXITED(st) && WEXITSTATUS(st) == EXIT_PARTIAL)
		skipped(t);
	else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		msg_die(EXIT_FATAL, "input feeder failed");
}

/* One jq for the whole stream: feed it the inputs, handle its rows. */
static void run_jq(struct nb *t)
{
	char *jq_argv[] = { "jq", "-r", "--seq", "-L", NULL, "--argjson", "events",
			    NULL, NULL, NULL };
	char *prog, *line = NULL;
	size_t cap = 0;
	struct proc jq;
	FILE *jq_err;
	pid_t feeder;
	int rc, st;

	jq_argv[4] = (char *)providers_dir();
	if (!has_adapters(jq_argv[4]))
		msg_die(EXIT_FATAL, "%s: provider adapters not found (set BARS_PROVIDERS_DIR)",
			jq_argv[4]);
	jq_argv[7] = t->opt.events ? "true" : "false";
	jq_argv[8] = prog = driver_program();
	jq_err = start_jq(&jq, jq_argv);
	feeder = start_feeder(t, &jq);
	while (getline(&line, &cap, jq.out) > 0) {
		line[strcspn(line, "\n")] = '\0';
		on_row(t, line);
	}
	check_answered(t);
	resp_finish(t);
	free(line);
	free(prog);
	rc = proc_wait(&jq);
	while (waitpid(feeder, &st, 0) < 0 && errno == EINTR)
		;
	jq_stderr(jq_err, rc != 0);
	if (rc == EXIT_NOEXEC)
		msg_die(EXIT_FATAL, "jq: not found or failed to start (install jq)");
	if (rc != 0)
		msg_die(EXIT_FATAL, "jq exited with status %d", rc);
	feeder_done(t, st);
}

/* The events file and both headers, before the first row. */
static void start(struct nb *t)
{
	static char outbuf[1 << 16];

	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	if (t->opt.events && (!(t->evfp = fopen(t->opt.events, "w")) ||
			      events_write_header(t->evfp) < 0))
		msg_die(EXIT_FATAL, "%s: %s", t->opt.events, strerror(errno));
	norm_set_init(&t->resp.keys);
	norm_set_init(&t->resp.evkeys);
	t->resp.skip = 1;
	if (bars_write_header(stdout) < 0)
		msg_die(EXIT_FATAL, "stdout: %s", strerror(errno));
}

int main(int argc, char **argv)
{
	static struct nb t = { .status = EXIT_OK, .cur_name = "-" };

	msg_init(argv[0]);
	parse_args(&t, argc, argv);
	t.now = bt_now();
	start(&t);
	run_jq(&t);
	norm_set_free(&t.resp.keys);
	norm_set_free(&t.resp.evkeys);
	if (t.evfp && fclose(t.evfp) != 0)
		msg_die(EXIT_FATAL, "%s: %s", t.opt.events, strerror(errno));
	msg_close_stdout(EXIT_FATAL);
	return t.status;
}
