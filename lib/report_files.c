#include "report_files.h"
#include "bars.h"
#include "bt.h"
#include "csvr.h"
#include "msg.h"
#include "plan.h"
#include "val_gaps.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

enum kind { K_REJECTS, K_GAPS, K_FAILED };

/* The series a row names, or NULL (reported) when it names none. */
static struct report_series *row_series(struct report *r, struct csvr *c,
					char **f, size_t n)
{
	struct report_series *s = NULL;

	if (n >= 2 && sym_valid(f[0]) == 0 && sym_interval(f[1]))
		s = report_series(r, f[0], f[1], 1);
	if (!s)
		msg_err("%s:%ld: no valid symbol and interval in the first two fields",
			csvr_name(c), csvr_line(c));
	return s;
}

static void keep(struct report_item **items, size_t *n, const struct report_series *s,
		 time_t start, time_t end, const char *reason)
{
	struct report_item *it;

	if (*n >= REPORT_RECENT)
		return;
	*items = xreallocarray(*items, *n + 1, sizeof(**items));
	it = &(*items)[(*n)++];
	memset(it, 0, sizeof(*it));
	strcpy(it->symbol, s->symbol);
	strcpy(it->interval, s->interval);
	it->start = start;
	it->end = end;
	snprintf(it->reason, sizeof(it->reason), "%s", reason);
}

/* Account one record; -1 when it is malformed (reported). */
static int one(struct report *r, struct csvr *c, enum kind k, char **f, size_t n)
{
	struct report_series *s = row_series(r, c, f, n);
	struct plan_row p;
	char why[160];
	time_t ts = 0;

	if (!s)
		return -1;
	if (k == K_FAILED) {
		if (plan_parse(f, n, &p, why, sizeof(why)) < 0) {
			msg_err("%s:%ld: %s", csvr_name(c), csvr_line(c), why);
			return -1;
		}
		s->failed++;
		r->fails_total++;
		keep(&r->fails, &r->nfails, s, p.start, p.end, "");
		return 0;
	}
	if (n >= 3)
		bt_parse_iso(f[2], &ts);
	if (k == K_GAPS) {
		s->gaps++;
		r->gaps_total++;
		return 0;
	}
	s->rejected++;
	r->rejects_total++;
	keep(&r->rejects, &r->nrejects, s, ts, 0, n >= 4 ? f[n - 1] : "");
	return 0;
}

static int header(struct csvr *c, enum kind k)
{
	int rc;

	if (k == K_REJECTS) {
		rc = csvr_header(c, bars_rejects_header, BARS_REJECTS_NCOLS);
	} else if (k == K_GAPS) {
		rc = csvr_header(c, val_gaps_header, VAL_GAPS_NCOLS);
	} else {
		rc = csvr_header(c, plan_header, PLAN_NCOLS);
	}
	if (rc < 0)
		msg_err("%s", csvr_error(c));
	return rc;
}

static int read_file(struct report *r, const char *path, enum kind k)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	struct csvr *c;
	char **f;
	size_t n;
	int rc, bad = 0;

	if (!fp) {
		msg_err("%s: %s", path, strerror(errno));
		return -1;
	}
	c = csvr_new(fp, path);
	if ((rc = header(c, k)) == 0) {
		while ((rc = csvr_next(c, &f, &n)) == 1)
			bad |= one(r, c, k, f, n) < 0;
		if (rc < 0)
			msg_err("%s", csvr_error(c));
	}
	csvr_free(c);
	if (fp != stdin)
		fclose(fp);
	return rc < 0 || bad ? -1 : 0;
}

int report_read_rejects(struct report *r, const char *path)
{
	return read_file(r, path, K_REJECTS);
}

int report_read_gaps(struct report *r, const char *path)
{
	return read_file(r, path, K_GAPS);
}

int report_read_failed(struct report *r, const char *path)
{
	return read_file(r, path, K_FAILED);
}
