#include "report_html.h"
#include "bt.h"
#include "cal.h"
#include "report_db.h"
#include "report_jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LABEL_W 150   /* px for "SYMBOL interval" */
#define ROW_H 14
#define AXIS_H 18
#define PAGE_W 960    /* cells share this width, within [3, 20] px each */

/* The one stylesheet; class names are the cell states. */
static const char style[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fff}"
	"h1{font-size:1.4em;margin:0 0 .3em}h2{font-size:1.15em;margin:1.4em 0 .4em}"
	"table{border-collapse:collapse;font-size:13px}"
	"th,td{border:1px solid #ccc;padding:2px 6px;text-align:left}"
	"td.n{text-align:right}th{background:#f2f2f2}"
	".ok{color:#1b5e20}.failed,.running{color:#b71c1c}"
	"svg{display:block;margin:.4em 0}svg text{font:11px monospace;fill:#222}"
	".st{fill:#43a047}.pa{fill:#fbc02d}.mi{fill:#d32f2f}.ho{fill:#9fa8da}"
	".na{fill:#eeeeee}.legend span{display:inline-block;width:.9em;height:.9em;"
	"margin:0 .3em 0 1em;vertical-align:middle}"
	"summary{cursor:pointer;margin:.3em 0}.muted{color:#666}";

/* HTML-escape s. */
static void esc(FILE *fp, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\'': fputs("&#39;", fp); break;
		default: fputc(*s, fp);
		}
	}
}

/* "2026-11-24 21:30Z", or an em dash for an unknown time. */
static const char *when(time_t t, char *buf)
{
	if (!t)
		return "&#8212;";
	bt_format_iso(t, buf);
	buf[10] = ' ';
	buf[16] = 'Z';
	buf[17] = '\0';
	return buf;
}

/* The document up to the first section; summary: the window and the
 * series (not for a page without coverage). */
static void head(FILE *fp, const struct report *r, int summary)
{
	char a[COV_DAY_LEN], b[COV_DAY_LEN], t[BT_ISO_LEN];
	size_t i, holes = 0;

	for (i = 0; i < r->nseries; i++)
		holes += r->series[i].cov.nmissing || r->series[i].cov.npartial;
	fprintf(fp, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"
		" style-src 'unsafe-inline'\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		"<title>stockbars status</title>\n<style>%s</style></head>\n<body>\n"
		"<h1>stockbars status</h1>\n<p>Generated %s (UTC). ", style, when(r->now, t));
	if (!summary) {
		fputs("</p>\n", fp);
		return;
	}
	if (r->grid.ncols)
		fprintf(fp, "Sessions %s to %s (last %d days). ", cov_day_str(r->grid.first, a),
			cov_day_str(r->grid.last, b), r->days);
	fprintf(fp, "%zu series, %zu with missing or partial sessions.</p>\n",
		r->nseries, holes);
}

static void jobs(FILE *fp, const struct report *r)
{
	char t[BT_ISO_LEN], u[BT_ISO_LEN];
	const struct report_job *j;
	size_t i;
	int k;

	if (!r->njobs)
		return;
	fputs("<h2 id=\"jobs\">Jobs</h2>\n<table><tr><th>job</th><th>schedule</th>"
	      "<th>time zone</th><th>interval</th><th>tickers</th><th>next fires (UTC)</th>"
	      "<th>last run</th></tr>\n", fp);
	for (i = 0; i < r->njobs; i++) {
		j = &r->jobs[i];
		fputs("<tr><td>", fp);
		esc(fp, j->name);
		fputs("</td><td><code>", fp);
		esc(fp, j->schedule ? j->schedule : "");
		fputs("</code></td><td>", fp);
		esc(fp, j->timezone);
		fprintf(fp, "</td><td>%s</td><td class=\"n\">%zu</td><td>", j->interval,
			j->ntickers);
		for (k = 0; k < REPORT_NEXT && j->next[k]; k++)
			fprintf(fp, "%s%s", k ? "<br>" : "", when(j->next[k], t));
		if (j->last_start) {
			fprintf(fp, "</td><td class=\"%s\">%s, %s to %s, exit %d</td></tr>\n",
				strcmp(j->last_outcome, "ok") ? "failed" : "ok", j->last_outcome,
				when(j->last_start, t), when(j->last_end, u), j->last_rc);
		} else {
			fputs("</td><td class=\"muted\">see load runs</td></tr>\n", fp);
		}
	}
	fputs("</table>\n", fp);
}

/* The status as a class name: only the values load_runs allows. */
static const char *run_status(const struct report_run *x)
{
	return strcmp(x->status, "ok") == 0 ? "ok"
	     : strcmp(x->status, "failed") == 0 ? "failed" : "running";
}

static void runs(FILE *fp, const struct report *r)
{
	char t[BT_ISO_LEN], u[BT_ISO_LEN];
	const struct report_run *x;
	size_t i;

	fputs("<h2 id=\"runs\">Load runs</h2>\n", fp);
	if (!r->nruns) {
		fputs("<p class=\"muted\">No load run recorded.</p>\n", fp);
		return;
	}
	fputs("<table><tr><th>run</th><th>started</th><th>finished</th><th>status</th>"
	      "<th>rows in</th><th>inserted</th><th>updated</th><th>unchanged</th>"
	      "<th>rejected</th></tr>\n", fp);
	for (i = 0; i < r->nruns; i++) {
		x = &r->runs[i];
		fprintf(fp, "<tr><td class=\"n\">%lld</td><td>%s</td><td>%s</td>"
			"<td class=\"%s\">%s</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td>"
			"<td class=\"n\">%lld</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td>"
			"</tr>\n", x->id, when(x->started, t), when(x->finished, u),
			run_status(x), run_status(x), x->rows_in, x->inserted, x->updated, x->unchanged, x->rejected);
	}
	fputs("</table>\n", fp);
}

static double cell_w(const struct report *r)
{
	double w = (double)PAGE_W / (double)(r->grid.ncols ? r->grid.ncols : 1);

	return w < 3 ? 3 : w > 20 ? 20 : w;
}

static const char *cell_class(char c)
{
	switch (c) {
	case COV_STORED: return "st";
	case COV_PARTIAL: return "pa";
	case COV_MISSING: return "mi";
	default: return "na";
	}
}

static const char *cell_state(char c)
{
	switch (c) {
	case COV_STORED: return "stored";
	case COV_PARTIAL: return "partial";
	default: return "missing";
	}
}

static int month_of(long day)
{
	long y;
	int m, d;

	bt_civil_from_days(day, &y, &m, &d);
	return (int)(y * 12 + m - 1);
}

/* Month labels over the columns, at least 56 px apart. */
static void axis(FILE *fp, const struct report *r, double cw)
{
	double x, last = -1e9;
	size_t i;
	int m;

	for (i = 0; i < r->grid.ncols; i++) {
		m = month_of(r->grid.day[i]);
		x = LABEL_W + (double)i * cw;
		if ((i == 0 || m != month_of(r->grid.day[i - 1])) && x - last >= 56) {
			fprintf(fp, "<text x=\"%.1f\" y=\"12\">%04d-%02d</text>", x, m / 12,
				m % 12 + 1);
			last = x;
		}
	}
	fputc('\n', fp);
}

/* Holidays as whole columns under the rows: the same for every series. */
static void holidays(FILE *fp, const struct report *r, double cw, size_t nrows)
{
	char d[COV_DAY_LEN];
	size_t i;

	for (i = 0; i < r->grid.ncols; i++)
		if (r->grid.holiday[i])
			fprintf(fp, "<rect class=\"ho\" data-state=\"holiday\" data-day=\"%s\""
				" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%zu\">"
				"<title>%s: exchange closed</title></rect>\n",
				cov_day_str(r->grid.day[i], d), LABEL_W + (double)i * cw, AXIS_H,
				cw, nrows * ROW_H, d);
}

/* One rect per run of equal cells; holidays and unjudged days stay empty. */
static void row(FILE *fp, const struct report *r, const struct report_series *s,
		double cw, int y)
{
	const char *c = s->cov.cells;
	char a[COV_DAY_LEN], b[COV_DAY_LEN];
	size_t i, j;

	fprintf(fp, "<text x=\"0\" y=\"%d\">", y + ROW_H - 3);
	esc(fp, s->symbol);
	fprintf(fp, " %s%s</text>", s->interval, s->cov.applies ? "" : " (no calendar)");
	for (i = 0; i < r->grid.ncols; i = j) {
		for (j = i + 1; j < r->grid.ncols && c[j] == c[i]; j++)
			;
		if (c[i] == COV_HOLIDAY || c[i] == COV_NONE)
			continue;
		fprintf(fp, "<rect class=\"%s\" data-state=\"%s\" x=\"%.1f\" y=\"%d\""
			" width=\"%.1f\" height=\"%d\"", cell_class(c[i]), cell_state(c[i]),
			LABEL_W + (double)i * cw, y + 1, (double)(j - i) * cw, ROW_H - 2);
		if (c[i] == COV_STORED) {
			fputs("/>", fp);
			continue;
		}
		cov_day_str(r->grid.day[i], a);
		cov_day_str(r->grid.day[j - 1], b);
		fprintf(fp, " data-series=\"%s %s\" data-from=\"%s\" data-to=\"%s\"><title>",
			s->symbol, s->interval, a, b);
		esc(fp, s->symbol);
		fprintf(fp, " %s: %s %s%s%s</title></rect>", s->interval, cell_state(c[i]), a,
			j - i > 1 ? " to " : "", j - i > 1 ? b : "");
	}
	fputc('\n', fp);
}

static void svg_open(FILE *fp, const struct report *r, double cw, size_t nrows,
		     const char *label)
{
	fprintf(fp, "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"%s\""
		" width=\"%.0f\" height=\"%zu\">\n", label,
		/* 56 px of room on the right for the last month label */
		LABEL_W + (double)r->grid.ncols * cw + 56, AXIS_H + nrows * ROW_H + 2);
	axis(fp, r, cw);
	holidays(fp, r, cw, nrows);
}

/* One row over all series, so a bad day shows at a glance however many
 * series there are: red when at least a tenth of them miss it, amber
 * when some miss it or have it partly; the counts in the tooltip. */
static void overview(FILE *fp, const struct report *r, double cw)
{
	char d[COV_DAY_LEN];
	size_t i, k;
	long miss, part;

	svg_open(fp, r, cw, 1, "coverage of all series");
	fprintf(fp, "<text x=\"0\" y=\"%d\">all %zu series</text>", AXIS_H + ROW_H - 3,
		r->nseries);
	for (i = 0; i < r->grid.ncols; i++) {
		if (r->grid.holiday[i])
			continue;
		for (k = 0, miss = part = 0; k < r->nseries; k++) {
			miss += r->series[k].cov.cells[i] == COV_MISSING;
			part += r->series[k].cov.cells[i] == COV_PARTIAL;
		}
		fprintf(fp, "<rect class=\"%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\">"
			"<title>%s: %ld missing, %ld partial</title></rect>",
			miss * 10 >= (long)r->nseries ? "mi" : miss || part ? "pa" : "st", LABEL_W + (double)i * cw, AXIS_H + 1,
			cw, ROW_H - 2, cov_day_str(r->grid.day[i], d), miss, part);
	}
	fputs("\n</svg>\n", fp);
}

static void heatmap(FILE *fp, const struct report *r)
{
	double cw = cell_w(r);
	size_t p, i, n;

	fputs("<h2 id=\"coverage\">Coverage</h2>\n<p class=\"legend\">One column per weekday,"
	      " worst series first:<span class=\"st\" style=\"background:#43a047\"></span>"
	      "stored<span style=\"background:#fbc02d\"></span>partial"
	      "<span style=\"background:#d32f2f\"></span>missing"
	      "<span style=\"background:#9fa8da\"></span>holiday. The first row sums up all"
	      " series: red when a tenth or more miss the day, amber when some do.</p>\n", fp);
	if (!r->grid.ncols || !r->nseries) {
		fputs("<p class=\"muted\">Nothing to show in this window.</p>\n", fp);
		return;
	}
	overview(fp, r, cw);
	for (p = 0; p < r->nseries; p += REPORT_HTML_PAGE) {
		n = r->nseries - p < REPORT_HTML_PAGE ? r->nseries - p : REPORT_HTML_PAGE;
		fprintf(fp, "<details%s><summary>Series %zu to %zu of %zu</summary>\n",
			p == 0 ? " open" : "", p + 1, p + n, r->nseries);
		svg_open(fp, r, cw, n, "coverage per series");
		for (i = 0; i < n; i++)
			row(fp, r, &r->series[p + i], cw, AXIS_H + (int)(i * ROW_H));
		fputs("</svg>\n</details>\n", fp);
	}
}

static void failures(FILE *fp, const struct report *r)
{
	char t[BT_ISO_LEN], u[BT_ISO_LEN];
	size_t i;

	fputs("<h2 id=\"failures\">Recent failures</h2>\n", fp);
	for (i = 0; i < r->nruns; i++)
		if (strcmp(r->runs[i].status, "failed") == 0)
			fprintf(fp, "<p class=\"failed\">Load run %lld failed at %s.</p>\n",
				r->runs[i].id, when(r->runs[i].finished, t));
	fprintf(fp, "<p>%ld failed fetch window%s, %ld rejected row%s, %ld missing bar%s"
		" reported by the last run's files.</p>\n", r->fails_total,
		r->fails_total == 1 ? "" : "s", r->rejects_total, r->rejects_total == 1 ? "" : "s",
		r->gaps_total, r->gaps_total == 1 ? "" : "s");
	if (r->have_ndjson)
		fprintf(fp, "<p>%ld provider response%s fetched by the run, %ld after a retry.</p>\n",
			r->fetched_total, r->fetched_total == 1 ? "" : "s", r->retried_total);
	if (r->nfails) {
		fputs("<table><tr><th>symbol</th><th>interval</th><th>window start</th>"
		      "<th>window end</th></tr>\n", fp);
		for (i = 0; i < r->nfails; i++)
			fprintf(fp, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
				r->fails[i].symbol, r->fails[i].interval,
				when(r->fails[i].start, t), when(r->fails[i].end, u));
		fputs("</table>\n", fp);
	}
	if (r->nrejects) {
		fputs("<table><tr><th>symbol</th><th>interval</th><th>bar</th>"
		      "<th>reason</th></tr>\n", fp);
		for (i = 0; i < r->nrejects; i++) {
			fprintf(fp, "<tr><td>%s</td><td>%s</td><td>%s</td><td>",
				r->rejects[i].symbol, r->rejects[i].interval,
				when(r->rejects[i].start, t));
			esc(fp, r->rejects[i].reason);
			fputs("</td></tr>\n", fp);
		}
		fputs("</table>\n", fp);
	}
}

static void revisions(FILE *fp, const struct report *r)
{
	char t[BT_ISO_LEN], u[BT_ISO_LEN];
	const struct report_revision *v;
	size_t i;

	fprintf(fp, "<h2 id=\"revisions\">Recent revisions</h2>\n<p>%ld bar%s revised in"
		" the last %d days.</p>\n", r->revised_total, r->revised_total == 1 ? "" : "s",
		r->days);
	if (!r->nrevs)
		return;
	fputs("<table><tr><th>symbol</th><th>interval</th><th>bar</th><th>changed</th>"
	      "<th>run</th><th>close before</th><th>close after</th></tr>\n", fp);
	for (i = 0; i < r->nrevs; i++) {
		v = &r->revs[i];
		fprintf(fp, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td class=\"n\">"
			"%lld</td><td class=\"n\">%.10g</td><td class=\"n\">%.10g</td></tr>\n",
			v->symbol, v->interval, when(v->ts, t), when(v->changed_at, u), v->run,
			v->old_close, v->new_close);
	}
	fputs("</table>\n", fp);
}

int report_html_write(FILE *fp, const struct report *r)
{
	head(fp, r, 1);
	jobs(fp, r);
	runs(fp, r);
	heatmap(fp, r);
	failures(fp, r);
	revisions(fp, r);
	fputs("</body></html>\n", fp);
	return ferror(fp) ? -1 : 0;
}

int report_html_write_jobs(FILE *fp, const struct report *r, const char *note)
{
	head(fp, r, 0);
	jobs(fp, r);
	fputs("<h2 id=\"coverage\">Coverage</h2>\n<p class=\"muted\">", fp);
	esc(fp, note);
	fputs("</p>\n</body></html>\n", fp);
	return ferror(fp) ? -1 : 0;
}
