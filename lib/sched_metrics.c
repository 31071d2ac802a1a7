#include "sched_metrics.h"
#include "sched_fs.h"
#include "xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum kind {
	K_GAUGE,   /* this process's value */
	K_COUNTER, /* merge: add the earlier file's value */
	K_STAMP,   /* merge: the later of the two */
	K_LAST,    /* merge: the earlier file's, when this process has none */
};

struct old {
	char *key;
	double v;
};

/* Where samples go: printed (fp), or merged from an earlier file (old). */
struct sink {
	FILE *fp;
	struct old *old;
	size_t nold;
	int ran; /* merge: the job ran in this process */
};

/* Prometheus label values escape backslash, quote and newline. */
static size_t label(char *dst, size_t n, const char *v)
{
	size_t k = 0;

	for (; *v && k + 3 < n; v++) {
		if (*v == '\\' || *v == '"')
			dst[k++] = '\\', dst[k++] = *v;
		else if (*v == '\n')
			dst[k++] = '\\', dst[k++] = 'n';
		else
			dst[k++] = *v;
	}
	dst[k] = '\0';
	return k;
}

/* metric{stockbars_job="J"[,stockbars_shard="K/N"][,lk="lv"]} */
static void series(char *key, size_t n, const char *metric, const struct sched_job *j,
		   const char *lk, const char *lv)
{
	char job[512], shard[64] = "", extra[128] = "";

	label(job, sizeof(job), j->name);
	if (j->shard)
		snprintf(shard, sizeof(shard), ",stockbars_shard=\"%s\"", j->shard);
	if (lk)
		snprintf(extra, sizeof(extra), ",%s=\"%s\"", lk, lv);
	snprintf(key, n, "%s{stockbars_job=\"%s\"%s%s}", metric, job, shard, extra);
}

static void sample(struct sink *s, const char *metric, const struct sched_job *j,
		   const char *lk, const char *lv, double *v, enum kind kind)
{
	char key[1024];
	size_t i;

	series(key, sizeof(key), metric, j, lk, lv);
	if (s->fp) {
		fprintf(s->fp, "%s %.17g\n", key, *v);
		return;
	}
	for (i = 0; i < s->nold && strcmp(s->old[i].key, key) != 0; i++)
		;
	if (i == s->nold)
		return;
	if (kind == K_COUNTER)
		*v += s->old[i].v;
	else if (kind == K_STAMP && s->old[i].v > *v)
		*v = s->old[i].v;
	else if (kind == K_LAST && !s->ran)
		*v = s->old[i].v;
}

static void head(struct sink *s, const char *name, const char *type, const char *help)
{
	if (s->fp)
		fprintf(s->fp, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void histogram(struct sink *s, struct sched_job *j)
{
	const char *m = "stockbars_run_duration_seconds";
	char name[64], le[32];
	double count;
	int k;

	snprintf(name, sizeof(name), "%s_bucket", m);
	for (k = 0; k <= SCHED_NBUCKETS; k++) {
		if (k < SCHED_NBUCKETS)
			snprintf(le, sizeof(le), "%g", sched_buckets[k]);
		else
			snprintf(le, sizeof(le), "+Inf");
		sample(s, name, j, "le", le, &j->tot.hist[k], K_COUNTER);
	}
	snprintf(name, sizeof(name), "%s_sum", m);
	sample(s, name, j, NULL, NULL, &j->tot.hist_sum, K_COUNTER);
	snprintf(name, sizeof(name), "%s_count", m);
	count = j->tot.hist[SCHED_NBUCKETS]; /* derived: never merged twice */
	sample(s, name, j, NULL, NULL, &count, K_GAUGE);
}

static void rows(struct sink *s, struct sched_job *j)
{
	static const char *const names[] = { "inserted", "updated", "unchanged", "rejected",
					      "duplicates" };
	double *v[] = { &j->tot.rows.inserted, &j->tot.rows.updated, &j->tot.rows.unchanged,
			&j->tot.rows.rejected, &j->tot.rows.duplicates };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		sample(s, "stockbars_rows_total", j, "outcome", names[i], v[i], K_COUNTER);
}

static void windows(struct sink *s, struct sched_job *j)
{
	static const char *const names[] = { "ok", "failed", "bad_row" };
	double *v[] = { &j->tot.windows.ok, &j->tot.windows.failed, &j->tot.windows.bad_rows };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		sample(s, "stockbars_windows_total", j, "outcome", names[i], v[i], K_COUNTER);
}

/* A timestamp gauge, left out while the event never happened. */
static void stamp(struct sink *s, const char *m, struct sched_job *j, double *v)
{
	if (*v > 0 || !s->fp)
		sample(s, m, j, NULL, NULL, v, K_STAMP);
}

#define EACH(stmt) for (i = 0; i < n; i++) { struct sched_job *j = &jobs[i]; stmt; }

static void job_families(struct sink *s, struct sched_job *jobs, size_t n)
{
	size_t i;
	int k;

	head(s, "stockbars_runs_total", "counter", "Pipeline runs, by outcome.");
	EACH(for (k = 0; k < SCHED_NOUTCOMES; k++)
		sample(s, "stockbars_runs_total", j, "outcome", sched_outcome_names[k],
		       &j->tot.runs[k], K_COUNTER))
	head(s, "stockbars_run_duration_seconds", "histogram", "Pipeline run duration.");
	EACH(histogram(s, j))
	head(s, "stockbars_last_run_timestamp_seconds", "gauge", "End of the last run, Unix time.");
	EACH(stamp(s, "stockbars_last_run_timestamp_seconds", j, &j->tot.last_run))
	head(s, "stockbars_last_success_timestamp_seconds", "gauge",
	     "End of the last successful run, Unix time.");
	EACH(stamp(s, "stockbars_last_success_timestamp_seconds", j, &j->tot.last_success))
	head(s, "stockbars_last_exit_code", "gauge",
	     "Exit status of the last run (pipefail; 124: timeout).");
	EACH(if (j->tot.last_run > 0 || !s->fp)
		sample(s, "stockbars_last_exit_code", j, NULL, NULL, &j->tot.last_rc, K_LAST))
	head(s, "stockbars_rows_total", "counter", "Bars as load-bars counted them, by outcome.");
	EACH(rows(s, j))
	head(s, "stockbars_windows_total", "counter",
	     "Plan windows as fetch-bars counted them, by outcome.");
	EACH(windows(s, j))
	head(s, "stockbars_misfires_total", "counter",
	     "Fires that did not run: overlap, late, or locked by another host.");
	EACH(for (k = 0; k < SCHED_NMISFIRES; k++)
		sample(s, "stockbars_misfires_total", j, "reason", sched_misfire_names[k],
		       &j->tot.misfires[k], K_COUNTER))
}

static void daemon_families(struct sink *s, struct sched_job *jobs, size_t n)
{
	double v;
	size_t i;

	head(s, "stockbars_running", "gauge", "1 while the job's pipeline runs.");
	EACH(v = j->running; sample(s, "stockbars_running", j, NULL, NULL, &v, K_GAUGE))
	head(s, "stockbars_paused", "gauge", "1 while the job is paused (POST /stop?job=NAME).");
	EACH(v = j->paused; sample(s, "stockbars_paused", j, NULL, NULL, &v, K_GAUGE))
	head(s, "stockbars_next_fire_timestamp_seconds", "gauge", "Next scheduled fire, Unix time.");
	EACH(v = (double)j->next; if (v > 0) sample(s, "stockbars_next_fire_timestamp_seconds",
						     j, NULL, NULL, &v, K_GAUGE))
}

#undef EACH

void sched_metrics_write(FILE *fp, struct sched_job *jobs, size_t n, int daemon)
{
	struct sink s = { .fp = fp };

	job_families(&s, jobs, n);
	if (daemon)
		daemon_families(&s, jobs, n);
}

static void old_free(struct sink *s)
{
	size_t i;

	for (i = 0; i < s->nold; i++)
		free(s->old[i].key);
	free(s->old);
}

int sched_metrics_merge(const char *path, struct sched_job *j)
{
	struct sink s = { 0 };
	char *line = NULL, *sp, *end;
	size_t cap = 0;
	FILE *fp = fopen(path, "r");

	if (!fp)
		return errno == ENOENT ? 0 : -1;
	while (getline(&line, &cap, fp) > 0) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || !(sp = strrchr(line, ' ')))
			continue;
		*sp = '\0';
		s.old = xreallocarray(s.old, s.nold + 1, sizeof(*s.old));
		s.old[s.nold].v = strtod(sp + 1, &end);
		if (*end)
			continue;
		s.old[s.nold++].key = xstrdup(line);
	}
	free(line);
	fclose(fp);
	s.ran = j->tot.last_run > 0;
	job_families(&s, j, 1);
	old_free(&s);
	return 0;
}

static int write_one(FILE *fp, void *job)
{
	sched_metrics_write(fp, job, 1, 0);
	return 0;
}

int sched_textfile_update(const char *dir, struct sched_job *j, char *path, size_t n)
{
	char run[300];

	sched_run_name(run, sizeof(run), j->name, j->shard);
	snprintf(path, n, "%s/stockbars_%s.prom", dir, run);
	if (sched_metrics_merge(path, j) < 0)
		return -1;
	return sched_fs_replace(path, 0644, write_one, j);
}
