/*
 * plan: the plan CSV contract between sched-plan and fetch-bars.
 *
 *   symbol,interval,start,end
 *
 * start and end are ISO-8601 UTC (plain dates accepted on input), end is
 * exclusive.  People write these files by hand, so plan_parse() explains
 * what is wrong in a sentence for the caller to prefix with name:line.
 */
#ifndef PLAN_H
#define PLAN_H

#include <stdio.h>
#include <time.h>

#include "sym.h"

#define PLAN_NCOLS 4
extern const char *const plan_header[PLAN_NCOLS];
/* A plan-rejects file (fetch-bars --rejects): the bad rows as read, plus
 * the reason. */
#define PLAN_REJECTS_NCOLS (PLAN_NCOLS + 1)
extern const char *const plan_rejects_header[PLAN_REJECTS_NCOLS];

struct plan_row {
	char symbol[SYM_MAX + 1];
	const struct sym_interval *interval;
	time_t start, end;
};

/* 0 on success; -1 with why[] (size n) describing the problem. */
int plan_parse(char **f, size_t nf, struct plan_row *row, char *why, size_t n);
int plan_write_header(FILE *fp);
int plan_write_rejects_header(FILE *fp);
int plan_write(FILE *fp, const struct plan_row *row);

#endif
