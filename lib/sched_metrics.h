/*
 * sched_metrics: the one metric vocabulary of sched-run's /metrics and of
 * the textfile that `sched-run --once --textfile-dir` (and so the cron
 * wrapper) writes for node_exporter.  Both come from the same function,
 * so names, types, help texts and labels cannot drift apart.
 *
 * Jobs are labelled stockbars_job (never job or instance, which Prometheus
 * owns), plus stockbars_shard="K/N" when sharded.  Per job:
 *
 *   stockbars_runs_total{outcome}             counter  ok failed timeout killed error
 *   stockbars_run_duration_seconds            histogram
 *   stockbars_last_run_timestamp_seconds      gauge    end of the last run
 *   stockbars_last_success_timestamp_seconds  gauge    end of the last ok run
 *   stockbars_last_exit_code                  gauge
 *   stockbars_rows_total{outcome}             counter  inserted updated unchanged
 *                                                      rejected duplicates
 *   stockbars_windows_total{outcome}          counter  ok failed bad_row
 *   stockbars_misfires_total{reason}          counter  overlap late locked_elsewhere
 *
 * and from the long-running scheduler only (daemon set):
 *
 *   stockbars_running, stockbars_paused, stockbars_next_fire_timestamp_seconds
 *
 * Timestamps of events that never happened are left out rather than 0.
 */
#ifndef SCHED_METRICS_H
#define SCHED_METRICS_H

#include <stdio.h>

#include "sched_state.h"

/* Every family for jobs[0..n); daemon adds the scheduler-only ones. */
void sched_metrics_write(FILE *fp, struct sched_job *jobs, size_t n, int daemon);
/*
 * Add the counters of an earlier file written by sched_metrics_write (for
 * the same job) to j's totals, and keep its timestamps where j has none
 * newer: how a textfile accumulates over cron runs.  A missing file adds
 * nothing.  Returns 0, or -1 with errno when the file cannot be read.
 */
int sched_metrics_merge(const char *path, struct sched_job *j);
/*
 * DIR/stockbars_RUN.prom (RUN: job and shard as a file name), merged with
 * its previous content and replaced atomically (lib/sched_fs).  path gets
 * the file name.  Returns 0, or -1 with errno.
 */
int sched_textfile_update(const char *dir, struct sched_job *j, char *path, size_t n);

#endif
