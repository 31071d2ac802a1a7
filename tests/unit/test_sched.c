/* sched-run's modules: the pipeline definition, lock keys and lock file
 * names, the metric vocabulary and how a textfile accumulates. */
#include "unit.h"

#include "sched_fs.h"
#include "sched_lock.h"
#include "sched_metrics.h"
#include "sched_pipe.h"
#include "sched_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *joined(char *const *argv, char *buf, size_t n)
{
	size_t k = 0;

	buf[0] = '\0';
	for (; *argv; argv++)
		k += (size_t)snprintf(buf + k, n - k, "%s%s", k ? " " : "", *argv);
	return buf;
}

static void test_pipeline(void)
{
	struct sched_spec s = { "c.json", "intra day", NULL, "st", NULL, NULL, NULL };
	struct sched_argv a;
	char buf[512], path[64];
	FILE *fp;

	sched_argv_build(&a, &s);
	CHECK_STR(joined(a.argv[0], buf, sizeof(buf)), "sched-plan --config c.json --job intra day",
		  "stage 1: no shard, no --shard");
	CHECK_STR(joined(a.argv[1], buf, sizeof(buf)),
		  "fetch-bars --failed st/intra_day.failed.csv --rejects st/intra_day.plan-rejects.csv "
		  "--stats st/intra_day.fetch.json",
		  "stage 2 files are named after the job");
	CHECK_STR(joined(a.argv[2], buf, sizeof(buf)), "normalize-bars --events st/intra_day.events.csv",
		  "stage 3 writes the run's events");
	CHECK_STR(joined(a.argv[3], buf, sizeof(buf)),
		  "validate-bars --rejects st/intra_day.rejects.csv --gaps st/intra_day.gaps.csv "
		  "--events st/intra_day.events.csv",
		  "stage 4 reads them (splits explain jumps) and writes the gaps");
	CHECK_STR(joined(a.argv[4], buf, sizeof(buf)),
		  "load-bars --json --events st/intra_day.events.csv -",
		  "stage 5 loads them, and the bars from stdin");
	CHECK_STR(a.file[SCHED_F_STATS], "st/intra_day.fetch.json", "statistics file");
	CHECK_STR(a.file[SCHED_F_EVENTS], "st/intra_day.events.csv", "events file");
	CHECK(sched_file_path(path, sizeof(path), SCHED_F_GAPS, &s) == 0 &&
		      strcmp(path, "st/intra_day.gaps.csv") == 0,
	      "readers get a side file's path from the same table");
	CHECK(sched_file_path(path, 8, SCHED_F_GAPS, &s) == -1 && !*path, "a path too long for dst");
	CHECK_STR(sched_stage_name(0), "sched-plan", "stage names come from the stage table");
	CHECK(!strcmp(sched_stage_name(SCHED_STAGES - 1), "load-bars") &&
		      !sched_stage_name(SCHED_STAGES), "the last stage, then none");
	sched_argv_free(&a);
	s.shard = "2/4";
	s.bindir = "/opt/b";
	sched_argv_build(&a, &s);
	CHECK_STR(joined(a.argv[0], buf, sizeof(buf)),
		  "/opt/b/sched-plan --config c.json --job intra day --shard 2/4", "sharded");
	CHECK_STR(a.file[SCHED_F_STATS], "st/intra_day.shard-2-of-4.fetch.json",
		  "sharded file names");
	CHECK_STR(a.file[SCHED_F_EVENTS], "st/intra_day.shard-2-of-4.events.csv",
		  "an events file per shard");
	sched_argv_free(&a);

	/* A chunk of a plan (parallel-pipeline): the run's name as given. */
	s = (struct sched_spec){ .state_dir = "h", .run = "p.chunk-{#}" };
	sched_argv_build(&a, &s);
	fp = tmpfile();
	sched_argv_print(fp, &a, 1);
	rewind(fp);
	if (!fgets(buf, sizeof(buf), fp))
		buf[0] = '\0';
	fclose(fp);
	CHECK_STR(buf,
		  "fetch-bars --failed 'h/p.chunk-{#}.failed.csv' --rejects "
		  "'h/p.chunk-{#}.plan-rejects.csv' --stats 'h/p.chunk-{#}.fetch.json' | "
		  "normalize-bars --events 'h/p.chunk-{#}.events.csv' | validate-bars --rejects "
		  "'h/p.chunk-{#}.rejects.csv' --gaps 'h/p.chunk-{#}.gaps.csv' --events "
		  "'h/p.chunk-{#}.events.csv' | load-bars --json --events 'h/p.chunk-{#}.events.csv' -\n",
		  "the stages after sched-plan, files named after the chunk");
	sched_argv_free(&a);
	s = (struct sched_spec){ .config = "c.json", .job = "d", .state_dir = "st", .only = "stale" };
	sched_argv_build(&a, &s);
	CHECK_STR(joined(a.argv[0], buf, sizeof(buf)), "sched-plan --config c.json --job d --only stale",
		  "the re-fetch pass plans only stale series");
	sched_argv_free(&a);
}

static void test_locks(void)
{
	char *tickers[] = { "AAPL", "MSFT" };
	struct sym_interval iv = { .name = "1d" };
	struct cfg_job j = { .name = "daily", .tickers = tickers, .ntickers = 2, .interval = &iv };
	char path[256];

	CHECK(sched_lock_key_shard(&j, NULL) == -3052795863370417547LL,
	      "unsharded key unchanged from 0.1.0");
	CHECK(sched_lock_key_shard(&j, "1/4") != sched_lock_key(&j) &&
	      sched_lock_key_shard(&j, "1/4") != sched_lock_key_shard(&j, "2/4"),
	      "each shard has its own key");
	sched_lock_path(path, sizeof(path), "/x/c.json.lock", "daily", NULL);
	CHECK_STR(path, "/x/c.json.daily.lock", "job lock beside the scheduler lock");
	sched_lock_path(path, sizeof(path), "/x/s", "../d", "0/2");
	CHECK_STR(path, "/x/s._._d.shard-0-of-2.lock", "job names are file-name safe");
}

static void test_metrics(void)
{
	char dir[] = "/tmp/test_sched.XXXXXX", path[512], line[256];
	struct sched_job j = { .name = "d\"j" };
	struct sched_summary s;
	FILE *fp;
	int found = 0;

	if (!mkdtemp(dir))
		return;
	sched_summary_init(&s, 1000);
	s.end = 1007;
	s.rows.inserted = 5;
	sched_account(&j.tot, &s);
	CHECK(sched_textfile_update(dir, &j, path, sizeof(path)) == 0, "first textfile");
	memset(&j.tot, 0, sizeof(j.tot));
	s.outcome = SCHED_FAILED;
	s.rc = 3;
	s.end = 1010;
	sched_account(&j.tot, &s);
	CHECK(sched_textfile_update(dir, &j, path, sizeof(path)) == 0, "second textfile");
	fp = fopen(path, "r");
	while (fp && fgets(line, sizeof(line), fp))
		found += !strcmp(line, "stockbars_rows_total{stockbars_job=\"d\\\"j\",outcome=\"inserted\"} 10\n") ||
			 !strcmp(line, "stockbars_last_success_timestamp_seconds{stockbars_job=\"d\\\"j\"} 1007\n") ||
			 !strcmp(line, "stockbars_last_exit_code{stockbars_job=\"d\\\"j\"} 3\n") ||
			 !strcmp(line, "stockbars_run_duration_seconds_bucket{stockbars_job=\"d\\\"j\",le=\"10\"} 2\n");
	if (fp)
		fclose(fp);
	CHECK(found == 4, "counters add up, last success kept, last exit code new (%d of 4)", found);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	test_pipeline();
	test_locks();
	test_metrics();
	return unit_failed;
}
