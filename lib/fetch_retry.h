/*
 * fetch_retry: the pacing policy of fetch-bars: which outcomes are worth
 * another attempt, how long to wait before it, and a global token bucket
 * that slows down when the provider answers 429.  Times are seconds as
 * doubles on a monotonic clock supplied by the caller, so the policy can
 * be tested without sleeping.  Nothing allocates.
 */
#ifndef FETCH_RETRY_H
#define FETCH_RETRY_H

enum fetch_verdict {
	FETCH_OK,    /* usable answer */
	FETCH_RETRY, /* transient: try again after a backoff */
	FETCH_FAIL   /* permanent: report once */
};

/*
 * Verdict for an HTTP status of a completed transfer: 200 OK; 408, 425,
 * 429 and 5xx retry; anything else (400, 403, 404, 422, redirects) fails.
 */
enum fetch_verdict fetch_classify_http(long status);

/*
 * Delay before attempt number attempt+1 after attempt (>= 1) failed:
 * exponential from base_ms (base, 2 base, 4 base, ...) capped at
 * FETCH_BACKOFF_MAX seconds, with "equal jitter" (half fixed, half scaled
 * by rnd in [0,1)) so clients that failed together do not retry together.
 * A Retry-After of ra seconds (> 0) replaces it when longer; it is capped
 * at FETCH_RETRY_AFTER_MAX so one odd header cannot stall a run for hours.
 */
#define FETCH_BACKOFF_MAX 60.0
#define FETCH_RETRY_AFTER_MAX 120.0
double fetch_backoff(long base_ms, int attempt, double ra, double rnd);

/*
 * Token bucket: at most rate requests per second on average, spaced, not
 * bunched: the bucket holds FETCH_BUCKET_CAP tokens, so after a pause at
 * most one request comes half a period early.  rate 0 means unlimited.  On a 429
 * the current rate halves (at most once a second, since the 429s of
 * requests already in flight report the same overload; not below
 * rate/16) and, with Retry-After, no
 * token is handed out before it has passed; every success then wins back
 * a twentieth of the configured rate (additive increase).
 */
#define FETCH_BUCKET_CAP 1.5

struct fetch_bucket {
	double rate;   /* configured requests per second; 0: unlimited */
	double cur;    /* current (possibly slowed-down) rate */
	double tokens; /* 0..FETCH_BUCKET_CAP */
	double last;   /* time tokens was last updated */
	double hold;   /* no tokens before this time */
	double calm;   /* no further slow-down before this time */
};

void fetch_bucket_init(struct fetch_bucket *b, double rate, double now);
/* Take a token: 0 when one was taken, else seconds until one is due. */
double fetch_bucket_take(struct fetch_bucket *b, double now);
/* A 429 was received; ra is its Retry-After in seconds or 0. */
void fetch_bucket_throttled(struct fetch_bucket *b, double now, double ra);
/* A request succeeded. */
void fetch_bucket_ok(struct fetch_bucket *b);

#endif
