/*
 * validate-bars: pass valid bars CSV rows through, reject the rest with a
 * reason, warn about suspicious ones, report gaps against the NYSE
 * calendar.  The rules live in lib/val_rules.c.
 */
#include "bars.h"
#include "bt.h"
#include "exitcode.h"
#include "cal.h"
#include "csvr.h"
#include "msg.h"
#include "val_rules.h"
#include "xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


#define LOG_CAP 10 /* logged rejects/warnings per reason below debug */

/*
 * Reason slots: bars_err_code() codes 1..BARS_NERR-1 (slot 0, BARS_OK, is
 * never a reason, so it holds too_many_series), then the rules.
 */
#define NPARSE ((size_t)BARS_NERR)
#define NREASONS (NPARSE + VAL_NRULES)

static struct {
	long rows, passed, rejected, warnings;
	long by_reason[NREASONS];
	long warn_by_rule[VAL_NRULES];
	long unlogged;
} st;

static FILE *rejects;
static char **rowbuf;
static size_t rowcap;

static void usage(FILE *fp, int code)
{
	fprintf(fp,
		"usage: validate-bars [--rejects FILE] [--gaps FILE] "
		"[--calendar nyse|none]\n"
		"                     [--calendar-overrides FILE] "
		"[--warn RULES] [--reject RULES]\n"
		"                     [--ignore RULES] [--max-jump FACTOR] "
		"[--max-reject-ratio R]\n"
		"                     [FILE ...]\n"
		"       validate-bars -h | --help | --version\n"
		"rules: price_not_positive high_low negative_volume future "
		"unfinished\n"
		"       market_closed off_session off_grid duplicate price_jump "
		"(or all)\n");
	exit(code);
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

/* Apply "--warn a,b" style lists; -1 on an unknown rule. */
static int set_modes(struct val_opts *o, char *list, enum val_mode m)
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
			msg_err("unknown rule: %s", p);
			return -1;
		}
		o->mode[r] = m;
	}
	return 0;
}

static int parse_ratio(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno || *end || end == s || !(*out >= 0 && *out <= 1) ? -1 : 0;
}

static void log_row(struct csvr *r, char **f, size_t n, const char *what,
		    const char *reason, const char *detail, long count)
{
	if (count > LOG_CAP && !msg_enabled(MSG_DEBUG)) {
		st.unlogged++;
		return;
	}
	msg_log(MSG_WARN, "%s:%ld: %s %s: %s %s %s%s%s%s", csvr_name(r),
		csvr_line(r), what, reason, n > 0 ? f[0] : "", n > 1 ? f[1] : "",
		n > 2 ? f[2] : "", detail ? " (" : "", detail ? detail : "", detail ? ")" : "");
}

static void reject_row(struct csvr *r, char **f, size_t n, const char *reason,
		       const char *detail)
{
	size_t i = reason_index(reason);

	st.rejected++;
	log_row(r, f, n, "rejected", reason, detail, ++st.by_reason[i]);
	if (!rejects)
		return;
	if (n + 1 > rowcap) {
		rowbuf = xreallocarray(rowbuf, n + 1, sizeof(*rowbuf));
		rowcap = n + 1;
	}
	memcpy(rowbuf, f, n * sizeof(*f));
	rowbuf[n] = (char *)reason;
	if (bars_write_fields(rejects, rowbuf, n + 1) < 0)
		msg_die(EXIT_FATAL, "rejects: write error: %s", strerror(errno));
}

static void warn_row(struct csvr *r, char **f, size_t n, unsigned warn)
{
	int i;

	for (i = 0; i < VAL_NRULES; i++) {
		if (!(warn & 1u << i))
			continue;
		st.warnings++;
		log_row(r, f, n, "warning", val_rule_code((enum val_rule)i), NULL,
			++st.warn_by_rule[i]);
	}
}

/* Validate one input; 0, or -1 after an input error (reported). */
static int validate(struct val *v, FILE *fp, const char *name)
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
		st.rows++;
		if (val_row(v, f, n, &vd)) {
			st.passed++;
			if (bars_write_fields(stdout, f, n) < 0)
				msg_die(EXIT_FATAL, "stdout: %s", strerror(errno));
		} else {
			reject_row(r, f, n, vd.reject, vd.detail);
		}
		if (vd.warn)
			warn_row(r, f, n, vd.warn);
		if ((st.rows & 0xFFFF) == 0)
			msg_progress(0, "%ld rows", st.rows);
	}
	if (rc < 0)
		msg_err("%s", csvr_error(r));
	csvr_free(r);
	return rc < 0 ? -1 : 0;
}

static void summary(void)
{
	char rej[1024] = "", wrn[512] = "";
	size_t i, len = 0;

	for (i = 0; i < NREASONS; i++)
		if (st.by_reason[i] && len < sizeof(rej))
			len += (size_t)snprintf(rej + len, sizeof(rej) - len, "%s%s %ld",
						len ? ", " : " (", reason_name(i),
						st.by_reason[i]);
	if (len && len < sizeof(rej))
		snprintf(rej + len, sizeof(rej) - len, ")");
	for (i = 0, len = 0; i < VAL_NRULES; i++)
		if (st.warn_by_rule[i] && len < sizeof(wrn))
			len += (size_t)snprintf(wrn + len, sizeof(wrn) - len, "%s%s %ld",
						len ? ", " : " (",
						val_rule_code((enum val_rule)i),
						st.warn_by_rule[i]);
	if (len && len < sizeof(wrn))
		snprintf(wrn + len, sizeof(wrn) - len, ")");
	if (st.unlogged)
		msg_log(MSG_INFO, "%ld more rejected or warned rows not logged "
			"(LOG_LEVEL=debug logs all)", st.unlogged);
	msg_log(MSG_INFO, "%ld rows in, %ld passed, %ld rejected%s, %ld warnings%s",
		st.rows, st.passed, st.rejected, rej, st.warnings, wrn);
}

static FILE *open_out(const char *path, const char *what)
{
	FILE *fp = fopen(path, "w");

	if (!fp)
		msg_die(EXIT_USAGE, "%s: %s: %s", what, path, strerror(errno));
	return fp;
}

static void close_out(FILE *fp, const char *path)
{
	if (fp && (ferror(fp) | fclose(fp)))
		msg_die(EXIT_FATAL, "%s: write error", path);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rejects", required_argument, NULL, 'r' },
		{ "gaps", required_argument, NULL, 'g' },
		{ "calendar", required_argument, NULL, 'c' },
		{ "calendar-overrides", required_argument, NULL, 'O' },
		{ "warn", required_argument, NULL, 'w' },
		{ "reject", required_argument, NULL, 'R' },
		{ "ignore", required_argument, NULL, 'i' },
		{ "max-jump", required_argument, NULL, 'j' },
		{ "max-reject-ratio", required_argument, NULL, 'm' },
		{ "events", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *rejects_path = NULL, *gaps_path = NULL, *ovr_path = NULL;
	const char *calendar = "nyse";
	double ratio = -1;
	char *end, why[256];
	struct val_opts o;
	struct val *v;
	FILE *gaps = NULL, *fp;
	int ch, bad = 0, status = EXIT_OK, i;

	msg_init(argv[0]);
	val_opts_default(&o);
	while ((ch = getopt_long(argc, argv, "r:g:c:O:e:w:R:i:j:m:h", longopts,
				 NULL)) != -1) {
		switch (ch) {
		case 'r': rejects_path = optarg; break;
		case 'g': gaps_path = optarg; break;
		case 'c': calendar = optarg; break;
		case 'O': ovr_path = optarg; break;
		case 'e': o.events = optarg; break;
		case 'w': bad |= set_modes(&o, optarg, VAL_WARN) < 0; break;
		case 'R': bad |= set_modes(&o, optarg, VAL_REJECT) < 0; break;
		case 'i': bad |= set_modes(&o, optarg, VAL_OFF) < 0; break;
		case 'j':
			errno = 0;
			o.max_jump = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(o.max_jump > 1 && o.max_jump < 1e300)) {
				msg_err("--max-jump: want a factor above 1: %s", optarg);
				bad = 1;
			}
			break;
		case 'm':
			if (parse_ratio(optarg, &ratio) < 0) {
				msg_err("--max-reject-ratio: want 0 to 1: %s", optarg);
				bad = 1;
			}
			break;
		case 'h': usage(stdout, EXIT_OK); break;
		case 'V': msg_version(); break;
		default: bad = 1;
		}
	}
	if (strcmp(calendar, "nyse") != 0 && strcmp(calendar, "none") != 0) {
		msg_err("--calendar: want nyse or none: %s", calendar);
		bad = 1;
	}
	if (bad)
		usage(stderr, EXIT_USAGE);
	o.calendar = strcmp(calendar, "nyse") == 0;
	o.gaps = gaps_path != NULL;
	o.now = bt_now();
	if (ovr_path && cal_load_overrides(ovr_path, why, sizeof(why)) < 0)
		msg_die(EXIT_USAGE, "calendar overrides: %s", why);
	v = val_new(&o);
	if (rejects_path) {
		static const char *const hdr[] = {
			"symbol", "interval", "ts", "open", "high", "low",
			"close", "adj_close", "volume", "reason",
		};

		rejects = open_out(rejects_path, "rejects");
		bars_write_fields(rejects, (char **)hdr, BARS_NCOLS + 1);
	}
	if (gaps_path)
		gaps = open_out(gaps_path, "gaps");
	/* Larger buffers: fewer read and write calls than 4 KB ones. */
	setvbuf(stdin, NULL, _IOFBF, 1 << 16);
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (bars_write_header(stdout) < 0)
		msg_die(EXIT_FATAL, "stdout: %s", strerror(errno));
	for (i = optind; i < argc || i == optind; i++) {
		const char *name = i < argc ? argv[i] : "-";

		if (strcmp(name, "-") == 0) {
			if (validate(v, stdin, "-") < 0)
				status = EXIT_PARTIAL;
		} else if (!(fp = fopen(name, "r"))) {
			msg_err("%s: %s", name, strerror(errno));
			status = EXIT_PARTIAL;
		} else {
			setvbuf(fp, NULL, _IOFBF, 1 << 16);
			if (validate(v, fp, name) < 0)
				status = EXIT_PARTIAL;
			fclose(fp);
		}
	}
	msg_progress_end();
	if (gaps) {
		fputs("symbol,interval,ts\n", gaps);
		if (val_write_gaps(v, gaps) < 0)
			msg_die(EXIT_FATAL, "gaps: %s: write error", gaps_path);
		close_out(gaps, gaps_path);
	}
	close_out(rejects, rejects_path);
	if (val_events_errors(v))
		status = EXIT_PARTIAL;
	summary();
	if (status == EXIT_OK && ratio >= 0 && st.rows > 0 &&
	    (double)st.rejected > ratio * (double)st.rows) {
		msg_err("rejected %ld of %ld rows (%.2f%%), above --max-reject-ratio %g",
			st.rejected, st.rows, 100.0 * (double)st.rejected / (double)st.rows,
			ratio);
		status = EXIT_FATAL;
	}
	val_free(v);
	free(rowbuf);
	msg_close_stdout(EXIT_FATAL);
	return status;
}
