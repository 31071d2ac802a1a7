/*
 * validate-bars: pass valid bars CSV rows through, reject the rest with a
 * reason, warn about suspicious ones, report gaps against the NYSE
 * calendar.  The rules live in lib/val_rules.c.
 */
#include "bars.h"
#include "bt.h"
#include "cal.h"
#include "csvr.h"
#include "exitcode.h"
#include "final.h"
#include "msg.h"
#include "val_gaps.h"
#include "val_rules.h"
#include "xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_CAP 10 /* logged rejects/warnings per reason below debug */

/*
 * Reason slots: bars_err_code() codes 1..BARS_NERR-1 (slot 0, BARS_OK, is
 * never a reason, so it holds too_many_series), then the rules.
 */
#define NPARSE ((size_t)BARS_NERR)
#define NREASONS (NPARSE + VAL_NRULES)

/* The tool's state: options, outputs, counters. */
struct vb {
	struct val_opts o;
	struct val *v;
	const char *rejects_path, *gaps_path, *ovr_path, *calendar;
	double ratio;      /* --max-reject-ratio, < 0 when not given */
	FILE *rejects, *gaps;
	char **rowbuf;     /* a rejected row plus its reason */
	size_t rowcap;
	long rows, passed, rejected, warnings, unlogged;
	long by_reason[NREASONS];
	long warn_by_rule[VAL_NRULES];
	int status;
};

static const char synopsis[] =
	"usage: validate-bars [--rejects FILE] [--gaps FILE] [--calendar nyse|none]\n"
	"                     [--calendar-overrides FILE] [--events FILE] [--warn RULES]\n"
	"                     [--reject RULES] [--ignore RULES] [--max-jump FACTOR]\n"
	"                     [--max-reject-ratio R] [FILE ...]\n"
	"       validate-bars -h | --help | --version\n";

static const char options[] =
	"  -r, --rejects FILE              write rejected rows with a reason column to FILE\n"
	"  -g, --gaps FILE                 write the missing expected NYSE bars to FILE\n"
	"  -c, --calendar nyse|none        apply the NYSE calendar rules (default nyse)\n"
	"  -O, --calendar-overrides FILE   closures and early closes to add (YYYY-MM-DD,...)\n"
	"  -e, --events FILE               splits that explain price jumps (events CSV)\n"
	"  -w, --warn RULES                make these rules (comma-separated, or all) warn\n"
	"  -R, --reject RULES              make these rules reject\n"
	"  -i, --ignore RULES              do not check these rules\n"
	"  -j, --max-jump FACTOR           price_jump factor, above 1 (default 10)\n"
	"  -m, --max-reject-ratio R        exit 3 when more than R (0 to 1) of the rows are rejected\n"
	"  -h, --help                      print this help and exit\n"
	"      --version                   print the version and exit\n"
	"rules: price_not_positive high_low negative_volume future unfinished\n"
	"       market_closed off_session off_grid duplicate price_jump\n";

static void usage(FILE *fp, int code)
{
	fputs(synopsis, fp);
	if (code == EXIT_OK)
		fputs(options, fp);
	exit(code);
}

/* "" or "s": "1 row", "2 rows". */
static const char *plural(long n)
{
	return n == 1 ? "" : "s";
}

static size_t reason_index(const char *reason)
{
	size_t i;
	int r;

	if (strcmp(reason, "too_many_series") == 0)
		return 0;
	for (i = 1; i < NPARSE; i++)
		if (strcmp(bars_err_code((enum bars_err)i), reason) == 0)
			return i;
	r = val_rule_lookup(reason);
	return NPARSE + (size_t)(r < 0 ? 0 : r);
}

static const char *reason_name(size_t i)
{
	if (i == 0)
		return "too_many_series";
	return i < NPARSE ? bars_err_code((enum bars_err)i)
			  : val_rule_code((enum val_rule)(i - NPARSE));
}

/* Apply "--warn a,b" style lists; -1 on an unknown rule (named). */
static int set_modes(struct val_opts *o, const char *opt, char *list, enum val_mode m)
{
	char *p, *save = NULL;
	int r, i;

	for (p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		if (strcmp(p, "all") == 0) {
			for (i = 0; i < VAL_NRULES; i++)
				o->mode[i] = m;
			continue;
		}
		if ((r = val_rule_lookup(p)) < 0) {
			msg_err("%s: unknown rule: %s", opt, p);
			return -1;
		}
		o->mode[r] = m;
	}
	return 0;
}

static int parse_number(const char *s, double lo, double hi, int lo_open, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (errno || *end || end == s || !(*out <= hi) || !(lo_open ? *out > lo : *out >= lo))
		return -1;
	return 0;
}

/* One option; 0, or -1 after naming the bad argument. */
static int option(struct vb *t, int ch, char *arg)
{
	switch (ch) {
	case 'r': t->rejects_path = arg; return 0;
	case 'g': t->gaps_path = arg; return 0;
	case 'c': t->calendar = arg; return 0;
	case 'O': t->ovr_path = arg; return 0;
	case 'e': t->o.events = arg; return 0;
	case 'w': return set_modes(&t->o, "--warn", arg, VAL_WARN);
	case 'R': return set_modes(&t->o, "--reject", arg, VAL_REJECT);
	case 'i': return set_modes(&t->o, "--ignore", arg, VAL_OFF);
	case 'j':
		if (parse_number(arg, 1, 1e300, 1, &t->o.max_jump) == 0)
			return 0;
		msg_err("--max-jump: want a factor above 1: %s", arg);
		return -1;
	case 'm':
		if (parse_number(arg, 0, 1, 0, &t->ratio) == 0)
			return 0;
		msg_err("--max-reject-ratio: want 0 to 1: %s", arg);
		return -1;
	case 'h': usage(stdout, EXIT_OK); return 0;
	case 'V': msg_version();
	default: return -1; /* getopt named it */
	}
}

static void parse_args(struct vb *t, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rejects", required_argument, NULL, 'r' },
		{ "gaps", required_argument, NULL, 'g' },
		{ "calendar", required_argument, NULL, 'c' },
		{ "calendar-overrides", required_argument, NULL, 'O' },
		{ "events", required_argument, NULL, 'e' },
		{ "warn", required_argument, NULL, 'w' },
		{ "reject", required_argument, NULL, 'R' },
		{ "ignore", required_argument, NULL, 'i' },
		{ "max-jump", required_argument, NULL, 'j' },
		{ "max-reject-ratio", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, bad = 0;

	while ((ch = getopt_long(argc, argv, "r:g:c:O:e:w:R:i:j:m:h", longopts, NULL)) != -1)
		bad |= option(t, ch, optarg) < 0;
	if (!bad && strcmp(t->calendar, "nyse") != 0 && strcmp(t->calendar, "none") != 0) {
		msg_err("--calendar: want nyse or none: %s", t->calendar);
		bad = 1;
	}
	if (bad)
		usage(stderr, EXIT_USAGE);
}

static void log_row(struct vb *t, struct csvr *r, char **f, size_t n, const char *what,
		    const char *reason, const char *detail, long count)
{
	if (count > LOG_CAP && !msg_enabled(MSG_DEBUG)) {
		t->unlogged++;
		return;
	}
	msg_log(MSG_WARN, "%s:%ld: %s %s: %s %s %s%s%s%s", csvr_name(r),
		csvr_line(r), what, reason, n > 0 ? f[0] : "", n > 1 ? f[1] : "",
		n > 2 ? f[2] : "", detail ? " (" : "", detail ? detail : "", detail ? ")" : "");
}

static void reject_row(struct vb *t, struct csvr *r, char **f, size_t n,
		       const struct val_verdict *vd)
{
	size_t i = reason_index(vd->reject);

	t->rejected++;
	log_row(t, r, f, n, "rejected", vd->reject, vd->detail, ++t->by_reason[i]);
	if (!t->rejects)
		return;
	if (n + 1 > t->rowcap) {
		t->rowbuf = xreallocarray(t->rowbuf, n + 1, sizeof(*t->rowbuf));
		t->rowcap = n + 1;
	}
	memcpy(t->rowbuf, f, n * sizeof(*f));
	t->rowbuf[n] = (char *)vd->reject;
	if (bars_write_fields(t->rejects, t->rowbuf, n + 1) < 0)
		msg_die(EXIT_FATAL, "%s: write error: %s", t->rejects_path, strerror(errno));
}

static void warn_row(struct vb *t, struct csvr *r, char **f, size_t n, unsigned warn)
{
	int i;

	for (i = 0; i < VAL_NRULES; i++) {
		if (!(warn & 1u << i))
			continue;
		t->warnings++;
		log_row(t, r, f, n, "warning", val_rule_code((enum val_rule)i), NULL,
			++t->warn_by_rule[i]);
	}
}

/* Validate one input; 0, or -1 after an input error (reported). */
static int validate(struct vb *t, FILE *fp, const char *name)
{
	struct csvr *r = csvr_new(fp, name);
	struct val_verdict vd;
	char **f;
	size_t n;
	int rc;

	if (csvr_header(r, bars_header, BARS_NCOLS) < 0) {
		msg_err("%s", csvr_error(r));
		csvr_free(r);
		return -1;
	}
	while ((rc = csvr_next(r, &f, &n)) == 1) {
		t->rows++;
		if (val_row(t->v, f, n, &vd)) {
			t->passed++;
			if (bars_write_fields(stdout, f, n) < 0)
				msg_die(EXIT_FATAL, "stdout: %s", strerror(errno));
		} else {
			reject_row(t, r, f, n, &vd);
		}
		if (vd.warn)
			warn_row(t, r, f, n, vd.warn);
		if ((t->rows & 0xFFFF) == 0)
			msg_progress(0, "%ld rows", t->rows);
	}
	if (rc < 0)
		msg_err("%s", csvr_error(r));
	csvr_free(r);
	return rc < 0 ? -1 : 0;
}

/* Validate FILE operands in turn, or standard input. */
static void validate_inputs(struct vb *t, int argc, char **argv)
{
	FILE *fp;
	int i;

	for (i = optind; i < argc || i == optind; i++) {
		const char *name = i < argc ? argv[i] : "-";

		if (strcmp(name, "-") == 0) {
			fp = stdin;
		} else if (!(fp = fopen(name, "r"))) {
			msg_err("%s: %s", name, strerror(errno));
			t->status = EXIT_PARTIAL;
			continue;
		} else {
			setvbuf(fp, NULL, _IOFBF, 1 << 16);
		}
		if (validate(t, fp, name) < 0)
			t->status = EXIT_PARTIAL;
		if (fp != stdin)
			fclose(fp);
	}
	msg_progress_end();
}

/* " (a 1, b 2)" for the nonzero counts, or "". */
static void tally(char *buf, size_t cap, const long *count, size_t n, size_t base)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < n; i++)
		if (count[i] && len < cap)
			len += (size_t)snprintf(buf + len, cap - len, "%s%s %ld", len ? ", " : " (",
						base ? val_rule_code((enum val_rule)i) : reason_name(i),
						count[i]);
	if (len && len < cap)
		snprintf(buf + len, cap - len, ")");
}

static void summary(const struct vb *t)
{
	char rej[1024], wrn[512];

	tally(rej, sizeof(rej), t->by_reason, NREASONS, 0);
	tally(wrn, sizeof(wrn), t->warn_by_rule, VAL_NRULES, 1);
	if (t->unlogged)
		msg_log(MSG_INFO, "%ld more rejected or warned row%s not logged "
			"(LOG_LEVEL=debug logs all)", t->unlogged, plural(t->unlogged));
	msg_log(MSG_INFO, "%ld row%s in, %ld passed, %ld rejected%s, %ld warning%s%s",
		t->rows, plural(t->rows), t->passed, t->rejected, rej, t->warnings,
		plural(t->warnings), wrn);
}

static FILE *open_out(const char *path, const char *what)
{
	FILE *fp = fopen(path, "w");

	if (!fp)
		msg_die(EXIT_USAGE, "--%s: %s: %s", what, path, strerror(errno));
	return fp;
}

static void close_out(FILE *fp, const char *path)
{
	if (fp && (ferror(fp) | fclose(fp)))
		msg_die(EXIT_FATAL, "%s: write error", path);
}

/* Everything the options ask for before the first row. */
static void start(struct vb *t)
{
	char why[256];

	t->o.calendar = strcmp(t->calendar, "nyse") == 0;
	t->o.gaps = t->gaps_path != NULL;
	t->o.now = bt_now();
	t->o.settle = final_settle();
	if (t->ovr_path && cal_load_overrides(t->ovr_path, why, sizeof(why)) < 0)
		msg_die(EXIT_USAGE, "calendar overrides: %s", why);
	t->v = val_new(&t->o);
	if (t->rejects_path) {
		t->rejects = open_out(t->rejects_path, "rejects");
		bars_write_rejects_header(t->rejects);
	}
	if (t->gaps_path)
		t->gaps = open_out(t->gaps_path, "gaps");
	/* Larger buffers: fewer read and write calls than 4 KB ones. */
	setvbuf(stdin, NULL, _IOFBF, 1 << 16);
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (bars_write_header(stdout) < 0)
		msg_die(EXIT_FATAL, "stdout: %s", strerror(errno));
}

/* Gaps, outputs, summary, the reject ratio: the exit status. */
static int finish(struct vb *t)
{
	if (t->gaps) {
		if (val_gaps_write_header(t->gaps) < 0 || val_write_gaps(t->v, t->gaps) < 0)
			msg_die(EXIT_FATAL, "%s: write error", t->gaps_path);
		close_out(t->gaps, t->gaps_path);
	}
	close_out(t->rejects, t->rejects_path);
	if (val_events_errors(t->v))
		t->status = EXIT_PARTIAL;
	summary(t);
	if (t->status == EXIT_OK && t->ratio >= 0 && t->rows > 0 &&
	    (double)t->rejected > t->ratio * (double)t->rows) {
		msg_err("rejected %ld of %ld rows (%.2f%%), above --max-reject-ratio %g",
			t->rejected, t->rows, 100.0 * (double)t->rejected / (double)t->rows,
			t->ratio);
		t->status = EXIT_FATAL;
	}
	val_free(t->v);
	free(t->rowbuf);
	msg_close_stdout(EXIT_FATAL);
	return t->status;
}

int main(int argc, char **argv)
{
	struct vb t = { .calendar = "nyse", .ratio = -1, .status = EXIT_OK };

	msg_init(argv[0]);
	val_opts_default(&t.o);
	parse_args(&t, argc, argv);
	start(&t);
	validate_inputs(&t, argc, argv);
	return finish(&t);
}
