/*
 * http_api: sched-run's HTTP control API on libmicrohttpd (its internal
 * polling thread; all shared state is read under st->mu).
 *
 *   GET  /status   state, uptime, next fire and last run per job (JSON)
 *   GET  /jobs     jobs with schedule, time zone, next and last runs (JSON)
 *   POST /start    resume scheduling; ?job=NAME runs that job now
 *   POST /stop     pause scheduling (running pipelines finish)
 *   GET  /metrics  Prometheus text format, with process_* metrics
 *   GET  /healthz  liveness
 *
 * POST needs "Authorization: Bearer TOKEN" when a token is configured
 * (compared in constant time); without a token POST is allowed only when
 * bound to loopback.  Requests are limited in size and per client rate.
 * http_start() returns NULL with a sentence in why[] on failure.
 */
#ifndef HTTP_API_H
#define HTTP_API_H

#include <stddef.h>

#include "sched_state.h"

struct http_opts {
	const char *listen;     /* "HOST:PORT", IPv4 or "localhost"; port 0: any */
	const char *token;      /* NULL: none configured */
	const char *tls_cert;   /* PEM file paths, both or neither */
	const char *tls_key;
	double rate;            /* requests per second per client (burst: 2x) */
};

struct http_api;

struct http_api *http_start(struct sched_state *st, const struct http_opts *o, char *why,
			    size_t n);
/* The port actually bound (useful with port 0). */
int http_port(struct http_api *h);
void http_stop(struct http_api *h);
/* Constant-time string equality: time depends on the lengths only. */
int http_token_equal(const char *a, const char *b);

#endif
