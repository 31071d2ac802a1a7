/*
 * bars-report: what is stored, per (symbol, interval): first and last
 * bar, bars stored against the bars the NYSE calendar expects, missing
 * sessions as date ranges, revisions, rejects and failed windows, worst
 * first; as text (with a coverage strip on a terminal), CSV, NDJSON, or a
 * static HTML status page.  The work is in lib/report_*.
 */
#include "bt.h"
#include "cal.h"
#include "db.h"
#include "exitcode.h"
#include "msg.h"
#include "report_data.h"
#include "report_db.h"
#include "report_files.h"
#include "report_html.h"
#include "report_jobs.h"
#include "report_ndjson.h"
#include "report_text.h"
#include "xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_DAYS 3660

enum format { F_TEXT, F_CSV, F_JSON };

struct opts {
	enum format format;
	int days, strip;          /* strip: -1 when stdout is a terminal */
	const char *rejects, *gaps, *failed, *ndjson, *config, *html, *overrides;
	const char *schema, *table;
};

static void usage(FILE *fp, int code)
{
	fprintf(fp,
		"usage: bars-report [--format text|csv|json] [--days N] [--strip|--no-strip]\n"
		"                   [--html FILE] [--config FILE] [--rejects FILE]\n"
		"                   [--gaps FILE] [--failed FILE] [--ndjson FILE]\n"
		"                   [--calendar-overrides FILE] [--schema NAME] [--table NAME]\n"
		"       bars-report -h | --help | --version\n");
	if (fp == stdout)
		fprintf(fp,
			"  -f, --format F          text (default), csv or json (one object per line)\n"
			"  -d, --days N            window: the sessions of the last N days (default 30)\n"
			"      --strip, --no-strip coverage strip per series (default: on a terminal)\n"
			"  -H, --html FILE         also write the status page to FILE\n"
			"  -c, --config FILE       jobs with schedules and next fires; their series\n"
			"  -r, --rejects FILE      rejected rows of a run (validate-bars --rejects)\n"
			"  -g, --gaps FILE         missing bars of a run (validate-bars --gaps)\n"
			"  -F, --failed FILE       failed windows of a run (fetch-bars --failed)\n"
			"      --ndjson FILE       responses of a run (fetch-bars' output), retries\n"
			"  -O, --calendar-overrides FILE  closures the built-in calendar lacks\n"
			"      --schema NAME       schema of the tables (default public)\n"
			"      --table NAME        bars table (default bars)\n"
			"  -h, --help              this help\n"
			"      --version           print the version\n");
	exit(code);
}

/* Side files, config and database into r; EXIT_OK or the worst status. */
static int gather(const struct opts *o, struct report *r)
{
	char why[512];
	struct db d;
	int status = EXIT_OK;

	if (o->config && report_jobs_load(r, o->config, why, sizeof(why)) < 0)
		msg_die(EXIT_USAGE, "config: %s", why);
	if ((o->rejects && report_read_rejects(r, o->rejects) < 0) |
	    (o->gaps && report_read_gaps(r, o->gaps) < 0) |
	    (o->failed && report_read_failed(r, o->failed) < 0) |
	    (o->ndjson && report_read_ndjson(r, o->ndjson) < 0))
		status = EXIT_PARTIAL;
	if (db_connect(&d, db_conninfo(), 2, o->schema, o->table) < 0)
		msg_die(EXIT_FATAL, "database: %s", d.err);
	if (report_db_gather(&d, r) < 0)
		msg_die(EXIT_FATAL, "database: %s", d.err);
	db_close(&d);
	report_sort(r);
	return status;
}

/* Write the page beside its final name, then rename: a reader (a web
 * server, a browser reload) never sees half a page. */
static void write_html(const char *path, const struct report *r)
{
	size_t n = strlen(path) + 32;
	char *tmp = xmalloc(n);
	FILE *fp;

	snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
	if (!(fp = fopen(tmp, "w")))
		msg_die(EXIT_USAGE, "--html: %s: %s", path, strerror(errno));
	if ((report_html_write(fp, r) < 0) | (ferror(fp) != 0) | (fclose(fp) != 0) ||
	    rename(tmp, path) < 0) {
		unlink(tmp);
		msg_die(EXIT_FATAL, "--html: %s: write error", path);
	}
	free(tmp);
}

static int parse_days(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 1 || v > MAX_DAYS)
		return -1;
	*out = (int)v;
	return 0;
}

static int parse_format(const char *s, enum format *f)
{
	static const char *const names[] = { "text", "csv", "json" };
	int i;

	for (i = 0; i < 3; i++)
		if (strcmp(s, names[i]) == 0) {
			*f = (enum format)i;
			return 0;
		}
	return -1;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "days", required_argument, NULL, 'd' },
		{ "strip", no_argument, NULL, 's' },
		{ "no-strip", no_argument, NULL, 'S' },
		{ "html", required_argument, NULL, 'H' },
		{ "config", required_argument, NULL, 'c' },
		{ "rejects", required_argument, NULL, 'r' },
		{ "gaps", required_argument, NULL, 'g' },
		{ "failed", required_argument, NULL, 'F' },
		{ "ndjson", required_argument, NULL, 'J' },
		{ "calendar-overrides", required_argument, NULL, 'O' },
		{ "schema", required_argument, NULL, 'A' },
		{ "table", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, bad = 0;

	while ((ch = getopt_long(argc, argv, "f:d:H:c:r:g:F:O:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (parse_format(optarg, &o->format) < 0) {
				msg_err("--format: want text, csv or json: %s", optarg);
				bad = 1;
			}
			break;
		case 'd':
			if (parse_days(optarg, &o->days) < 0) {
				msg_err("--days: want 1 to %d: %s", MAX_DAYS, optarg);
				bad = 1;
			}
			break;
		case 's': o->strip = 1; break;
		case 'S': o->strip = 0; break;
		case 'H': o->html = optarg; break;
		case 'c': o->config = optarg; break;
		case 'r': o->rejects = optarg; break;
		case 'g': o->gaps = optarg; break;
		case 'F': o->failed = optarg; break;
		case 'J': o->ndjson = optarg; break;
		case 'O': o->overrides = optarg; break;
		case 'A': o->schema = optarg; break;
		case 'T': o->table = optarg; break;
		case 'h': usage(stdout, EXIT_OK); break;
		case 'V': msg_version(); break;
		default: bad = 1;
		}
	}
	if (optind < argc)
		msg_err("unexpected argument: %s", argv[optind]);
	if (db_name_valid(o->schema) < 0 || db_name_valid(o->table) < 0)
		msg_err("--schema, --table: want plain identifiers: %s",
			db_name_valid(o->schema) < 0 ? o->schema : o->table);
	return bad || optind < argc || db_name_valid(o->schema) < 0 ||
	       db_name_valid(o->table) < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct opts o = { F_TEXT, 30, -1, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
			  "public", "bars" };
	struct report r;
	char why[256];
	int status, rc;

	msg_init(argv[0]);
	if (parse_args(argc, argv, &o) < 0)
		usage(stderr, EXIT_USAGE);
	if (o.overrides && cal_load_overrides(o.overrides, why, sizeof(why)) < 0)
		msg_die(EXIT_USAGE, "calendar overrides: %s", why);
	if (o.strip < 0)
		o.strip = o.format == F_TEXT && isatty(STDOUT_FILENO);
	report_init(&r, bt_now(), o.days);
	status = gather(&o, &r);
	if (o.html)
		write_html(o.html, &r);
	rc = o.format == F_CSV ? report_write_csv(stdout, &r)
	   : o.format == F_JSON ? report_write_json(stdout, &r)
	   : report_write_text(stdout, &r, o.strip);
	if (rc < 0)
		msg_die(EXIT_FATAL, "stdout: %s", strerror(errno));
	report_free(&r);
	msg_close_stdout(EXIT_FATAL);
	return status;
}
