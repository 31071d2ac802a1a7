/*
 * sched_api: sched-run's HTTP control API on libmicrohttpd (its internal
 * polling thread; all shared state is read under st->mu).
 *
 *   GET  /status   state, uptime, next fire and last run per job (JSON)
 *   GET  /jobs     jobs with schedule, time zone, next and last runs (JSON)
 *   POST /start    resume scheduling; ?job=NAME resumes that job and runs it now
 *   POST /stop     pause scheduling; ?job=NAME pauses only that job
 *   GET  /metrics  Prometheus text format (lib/sched_metrics), process_*
 *   GET  /healthz  liveness
 *   GET  /         the status page (HTML, lib/report_html): the copy the
 *                  scheduler rendered last (st->page), never made here, so
 *                  a hung database cannot hold it; 503 before the first one
 *
 * POST needs "Authorization: Bearer TOKEN" when a token is configured
 * (compared in constant time); without a token POST is allowed only when
 * bound to loopback, and only as a request a web page cannot send by
 * itself: with an "X-Stockbars" header or a JSON content type.
 *
 * A client cannot hold the API: a request must send its headers within
 * API_HEADER_SECONDS and finish within API_REQUEST_SECONDS of its first
 * byte, however slowly it trickles; and when the connection limits are
 * reached (in total or per client address) a new connection evicts the
 * oldest one still sending its headers, so /healthz always gets a slot.
 * Requests are limited in size and per client rate.
 *
 * sched_api_start() returns NULL with a sentence in why[] on failure.
 */
#ifndef SCHED_API_H
#define SCHED_API_H

#include <stddef.h>

#include "sched_state.h"

#define API_HEADER_SECONDS 5
#define API_REQUEST_SECONDS 10
#define API_CONN_MAX 32
#define API_CONN_PER_IP 8
/* A GET / that finds the page older than this asks for a new one (and
 * gets the old one meanwhile). */
#define API_PAGE_MAX_AGE 60

struct sched_api_opts {
	const char *listen;     /* "HOST:PORT", IPv4 or "localhost"; port 0: any */
	const char *token;      /* NULL: none configured */
	const char *tls_cert;   /* PEM file paths, both or neither */
	const char *tls_key;
	double rate;            /* requests per second per client (burst: 2x) */
};

struct sched_api;

struct sched_api *sched_api_start(struct sched_state *st, const struct sched_api_opts *o,
				  char *why, size_t n);
/* The port actually bound (useful with port 0). */
int sched_api_port(struct sched_api *h);
void sched_api_stop(struct sched_api *h);
/* Constant-time string equality: time depends on the lengths only. */
int sched_api_token_equal(const char *a, const char *b);

#endif
