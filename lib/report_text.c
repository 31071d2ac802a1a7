#include "report_text.h"
#include "bt.h"
#include "json.h"

#include <string.h>

/* "2026-11-24 20:55Z", or "-" for an unknown time. */
static const char *short_time(time_t t, char *buf)
{
	if (!t)
		return "-";
	bt_format_iso(t, buf);
	buf[10] = ' ';
	buf[16] = 'Z';
	buf[17] = '\0';
	return buf;
}

static const char *iso_or_empty(time_t t, char *buf)
{
	return t ? bt_format_iso(t, buf) : "";
}

static void ranges(FILE *fp, const struct cov_range *rg, size_t n, const char *sep)
{
	char buf[COV_RANGE_LEN];
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(fp, "%s%s", i ? sep : "", cov_range_str(&rg[i], buf));
}

static void text_row(FILE *fp, const struct report_series *s)
{
	char a[BT_ISO_LEN], b[BT_ISO_LEN], c[BT_ISO_LEN], exp[24] = "-", cover[16] = "-";

	if (s->cov.expected >= 0) {
		snprintf(exp, sizeof(exp), "%ld", s->cov.expected);
		if (s->cov.expected > 0)
			snprintf(cover, sizeof(cover), "%.1f%%",
				 100.0 * (double)(s->cov.expected - report_missing_bars(s)) /
				 (double)s->cov.expected);
	}
	fprintf(fp, "%-8s %-5s %8ld %8s %6s %4ld %4ld %4ld %4ld %4ld  %-17s %-17s %s\n",
		s->symbol, s->interval, s->cov.stored, exp, cover, s->cov.nmissing,
		s->cov.npartial, s->revised, s->rejected, s->failed,
		short_time(s->first, a), short_time(s->last, b), short_time(s->last_load, c));
	if (s->cov.nmissing_r) {
		fputs("  missing ", fp);
		ranges(fp, s->cov.missing, s->cov.nmissing_r, ", ");
		fputc('\n', fp);
	}
	if (s->cov.npartial_r) {
		fputs("  partial ", fp);
		ranges(fp, s->cov.partial, s->cov.npartial_r, ", ");
		fputc('\n', fp);
	}
}

static void text_head(FILE *fp, const struct report *r)
{
	char a[COV_DAY_LEN], b[COV_DAY_LEN], c[BT_ISO_LEN];

	if (r->grid.ncols)
		fprintf(fp, "sessions %s .. %s", cov_day_str(r->grid.first, a),
			cov_day_str(r->grid.last, b));
	else
		fputs("no closed session", fp);
	fprintf(fp, " (last %d day%s); %zu series", r->days, r->days == 1 ? "" : "s",
		r->nseries);
	if (r->last_ok.id >= 0)
		fprintf(fp, "; last ok load: run %lld at %s", r->last_ok.id,
			short_time(r->last_ok.finished ? r->last_ok.finished : r->last_ok.started, c));
	if (r->have_ndjson)
		fprintf(fp, "; run: %ld response%s, %ld retried", r->fetched_total,
			r->fetched_total == 1 ? "" : "s", r->retried_total);
	fputc('\n', fp);
	fprintf(fp, "%-8s %-5s %8s %8s %6s %4s %4s %4s %4s %4s  %-17s %-17s %s\n",
		"symbol", "ivl", "stored", "expected", "cover", "miss", "part", "rev",
		"rej", "fail", "first", "last", "loaded");
}

int report_write_text(FILE *fp, const struct report *r, int strip)
{
	size_t i;

	text_head(fp, r);
	for (i = 0; i < r->nseries; i++)
		text_row(fp, &r->series[i]);
	if (strip && r->grid.ncols) {
		fputs("\ncoverage: # stored, + partial, . missing, H holiday;"
		      " one column per weekday\n", fp);
		for (i = 0; i < r->nseries; i++) {
			if (!r->series[i].cov.applies)
				continue;
			fprintf(fp, "%s %s\n", r->series[i].symbol, r->series[i].interval);
			report_write_strip(fp, r, &r->series[i]);
		}
	}
	return ferror(fp) ? -1 : 0;
}

int report_write_strip(FILE *fp, const struct report *r, const struct report_series *s)
{
	const struct cov_grid *g = &r->grid;
	char line[8 * REPORT_STRIP_WEEKS], day_s[COV_DAY_LEN];
	long mon, day, col, w = (g->first + 4) % 7; /* 0 Sunday */
	size_t n;
	int k;

	if (!g->ncols)
		return 0;
	mon = g->first - (w + 6) % 7;
	for (; mon <= g->last; mon += 7 * REPORT_STRIP_WEEKS) {
		for (n = 0, day = mon; day < mon + 7 * REPORT_STRIP_WEEKS; day += 7)
			for (k = 0; k < 5; k++) {
				col = cov_grid_col(g, day + k);
				line[n++] = col >= 0 ? s->cov.cells[col] : ' ';
			}
		while (n && line[n - 1] == ' ')
			n--;
		line[n] = '\0';
		fprintf(fp, "  %s %s\n", cov_day_str(mon, day_s), line);
	}
	return ferror(fp) ? -1 : 0;
}

int report_write_csv(FILE *fp, const struct report *r)
{
	char a[BT_ISO_LEN], b[BT_ISO_LEN], c[BT_ISO_LEN];
	const struct report_series *s;
	size_t i;

	fputs("symbol,interval,first,last,stored,expected,missing_sessions,"
	      "partial_sessions,revised,rejected,failed_windows,gaps,last_load,"
	      "last_run,missing,partial", fp);
	fputs(r->have_ndjson ? ",fetched,retried\n" : "\n", fp);
	for (i = 0; i < r->nseries; i++) {
		s = &r->series[i];
		fprintf(fp, "%s,%s,%s,%s,%ld,", s->symbol, s->interval,
			iso_or_empty(s->first, a), iso_or_empty(s->last, b), s->cov.stored);
		if (s->cov.expected >= 0)
			fprintf(fp, "%ld", s->cov.expected);
		fprintf(fp, ",%ld,%ld,%ld,%ld,%ld,%ld,%s,", s->cov.nmissing, s->cov.npartial,
			s->revised, s->rejected, s->failed, s->gaps,
			iso_or_empty(s->last_load, c));
		if (s->last_run >= 0)
			fprintf(fp, "%lld", s->last_run);
		fputc(',', fp);
		ranges(fp, s->cov.missing, s->cov.nmissing_r, " ");
		fputc(',', fp);
		ranges(fp, s->cov.partial, s->cov.npartial_r, " ");
		if (r->have_ndjson)
			fprintf(fp, ",%ld,%ld", s->fetched, s->retried);
		fputc('\n', fp);
	}
	return ferror(fp) ? -1 : 0;
}

static void json_time(FILE *fp, const char *key, time_t t)
{
	char buf[BT_ISO_LEN];

	fprintf(fp, ",\"%s\":", key);
	if (t)
		fprintf(fp, "\"%s\"", bt_format_iso(t, buf));
	else
		fputs("null", fp);
}

static void json_ranges(FILE *fp, const char *key, const struct cov_range *rg, size_t n)
{
	char a[COV_DAY_LEN], b[COV_DAY_LEN];
	size_t i;

	fprintf(fp, ",\"%s\":[", key);
	for (i = 0; i < n; i++)
		fprintf(fp, "%s{\"from\":\"%s\",\"to\":\"%s\",\"sessions\":%ld}", i ? "," : "",
			cov_day_str(rg[i].from, a), cov_day_str(rg[i].to, b), rg[i].sessions);
	fputc(']', fp);
}

int report_write_json(FILE *fp, const struct report *r)
{
	const struct report_series *s;
	size_t i;

	for (i = 0; i < r->nseries; i++) {
		s = &r->series[i];
		fputs("{\"symbol\":", fp);
		json_fput_str(fp, s->symbol);
		fputs(",\"interval\":", fp);
		json_fput_str(fp, s->interval);
		json_time(fp, "first", s->first);
		json_time(fp, "last", s->last);
		fprintf(fp, ",\"stored\":%ld,\"expected\":", s->cov.stored);
		if (s->cov.expected >= 0)
			fprintf(fp, "%ld", s->cov.expected);
		else
			fputs("null", fp);
		fprintf(fp, ",\"missing_sessions\":%ld,\"partial_sessions\":%ld,\"revised\":%ld,"
			"\"rejected\":%ld,\"failed_windows\":%ld,\"gaps\":%ld", s->cov.nmissing,
			s->cov.npartial, s->revised, s->rejected, s->failed, s->gaps);
		if (r->have_ndjson)
			fprintf(fp, ",\"fetched\":%ld,\"retried\":%ld", s->fetched, s->retried);
		else
			fputs(",\"fetched\":null,\"retried\":null", fp);
		json_time(fp, "last_load", s->last_load);
		if (s->last_run >= 0)
			fprintf(fp, ",\"last_run\":%lld", s->last_run);
		else
			fputs(",\"last_run\":null", fp);
		json_ranges(fp, "missing", s->cov.missing, s->cov.nmissing_r);
		json_ranges(fp, "partial", s->cov.partial, s->cov.npartial_r);
		fputs("}\n", fp);
	}
	return ferror(fp) ? -1 : 0;
}
