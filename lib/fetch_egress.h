/*
 * fetch_egress: the source addresses fetch-bars spreads its requests over
 * (--interface ADDR[,ADDR...]), each with its own token bucket, so the
 * rate limit and the 429 back-off are kept per address: Yahoo limits
 * requests per source address.  Addresses take turns (round robin),
 * skipping those whose bucket has no token yet.  Times are seconds on the
 * caller's monotonic clock, as in lib/fetch_retry.  Allocation failure
 * exits (lib/xalloc).
 */
#ifndef FETCH_EGRESS_H
#define FETCH_EGRESS_H

#include <stddef.h>

#include "fetch_retry.h"

#define FETCH_EGRESS_MAX 256

struct fetch_egress {
	char *name;                 /* CURLOPT_INTERFACE value; NULL: any */
	struct fetch_bucket bucket; /* this address's pacing and back-off */
	long requests;              /* requests sent from it */
};

struct fetch_egress_set {
	struct fetch_egress *e;
	size_t n, next; /* next: whose turn it is */
};

/*
 * Parse "ADDR[,ADDR...]" (libcurl's CURLOPT_INTERFACE forms: an IP
 * address, an interface name, "if!NAME", "host!NAME") into s, each with
 * a bucket of rate requests per second; list NULL means one egress with
 * the system's choice of address.  0, or -1 with why (naming the bad
 * item) and s empty.
 */
int fetch_egress_parse(struct fetch_egress_set *s, const char *list,
		       double rate, double now, char *why, size_t n);
/*
 * Check before any transfer that every address can be used: an IP
 * address must be bindable here (one of this host's, or in 127/8 on
 * Linux), "if!NAME" must be an interface.  Other names are left to
 * libcurl.  0, or -1 with why naming the first bad one.
 */
int fetch_egress_probe(const struct fetch_egress_set *s, char *why, size_t n);
/*
 * The egress whose turn it is among those with a token at now (the token
 * is taken and its request counted); NULL when none has one, with *wait
 * lowered to the seconds until one will.
 */
struct fetch_egress *fetch_egress_pick(struct fetch_egress_set *s, double now,
				       double *wait);
void fetch_egress_free(struct fetch_egress_set *s);

#endif
