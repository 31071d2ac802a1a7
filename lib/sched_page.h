/*
 * sched_page: the process that renders sched-run's status page.
 *
 * The page (lib/report_html) reads the database, whose queries have no
 * client-side timeout, and switches TZ (lib/cal, lib/cron), which is
 * process-wide.  So it is made neither on the HTTP thread (which must
 * never wait on the database) nor on the scheduling loop (a hung database
 * would stop the fires), nor on a thread beside them (TZ), but by a child
 * process: `sched-run --page`, executed afresh, with its input (the jobs'
 * last runs, which only the scheduler knows) on stdin.  The loop collects
 * the child's stdout (the page) and stderr (the reason when it fails)
 * without blocking, and kills it at its deadline.  The child dies with the
 * scheduler (PR_SET_PDEATHSIG) and keeps none of its descriptors (API
 * socket, locks, log).  The caller reaps it (waitpid(-1)) and hands the
 * status over with sched_page_reaped().
 *
 * Main thread only.  Functions return 0 or -1 with a sentence in why[].
 */
#ifndef SCHED_PAGE_H
#define SCHED_PAGE_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#define SCHED_PAGE_MAX (64L << 20)  /* a bigger page is cut off: a failure */

struct sched_page {
	pid_t pid;            /* 0: none started or finished and taken */
	int out_fd, err_fd;   /* -1 once at EOF */
	char *out;            /* the page so far, malloc'd */
	size_t outlen, outcap;
	char err[512];        /* the first bytes of its stderr */
	size_t errlen;
	int status;           /* wait status, -1 until reaped */
	time_t deadline;
	int killed;           /* 1: at the deadline, 2: too big */
};

/* An idle page process (no child). */
void sched_page_init(struct sched_page *p);
/* Start exe with argv, input (inlen bytes) on its stdin; it gets timeout
 * seconds from now. */
int sched_page_start(struct sched_page *p, const char *exe, char *const argv[],
		     const char *input, size_t inlen, time_t now, long timeout, char *why,
		     size_t n);
/* 1 while a child is started and not yet taken. */
int sched_page_busy(const struct sched_page *p);
/* Read what is there; kill the child past its deadline or beyond
 * SCHED_PAGE_MAX. */
void sched_page_tend(struct sched_page *p, time_t now);
/* Record the wait status of pid if it is the child; 1 if so. */
int sched_page_reaped(struct sched_page *p, pid_t pid, int wstatus);
/* 1 when the child is reaped and both its outputs are at EOF. */
int sched_page_done(const struct sched_page *p);
/*
 * After done: the page (malloc'd, the caller's, *len bytes and a NUL) when the child
 * exited 0 with some output; else NULL with why[] (its first stderr line,
 * or how it ended).  The process is idle again.
 */
char *sched_page_take(struct sched_page *p, size_t *len, char *why, size_t n);
/* Shutdown: kill and reap a child still running; free everything. */
void sched_page_stop(struct sched_page *p);

#endif
