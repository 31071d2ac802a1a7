/*
 * Unit tests for lib/fetch_req, lib/fetch_retry, lib/fetch_egress,
 * lib/span and lib/envelope.
 */
#include "envelope.h"
#include "fetch_egress.h"
#include "fetch_req.h"
#include "fetch_retry.h"
#include "span.h"
#include "unit.h"

static void test_url(void)
{
	static const struct { const char *in, *want; } enc[] = {
		{ "AAPL", "AAPL" }, { "^GSPC", "%5EGSPC" }, { "EURUSD=X", "EURUSD%3DX" },
		{ "BRK-B", "BRK-B" }, { "7203.T", "7203.T" }, { "a b/c", "a%20b%2Fc" },
	};
	char buf[512];
	size_t i;

	for (i = 0; i < sizeof(enc) / sizeof(enc[0]); i++) {
		CHECK(fetch_encode(buf, sizeof(buf), enc[i].in) == 0, "encode %s", enc[i].in);
		CHECK_STR(buf, enc[i].want, "encode %s", enc[i].in);
	}
	CHECK(fetch_encode(buf, 4, "^GS") < 0, "encode overflow");
	CHECK(fetch_url(buf, sizeof(buf), "http://h:1/", "^GSPC", "5m", 100, 200) == 0, "url");
	CHECK_STR(buf, "http://h:1/v8/finance/chart/%5EGSPC?period1=100&period2=200"
		  "&interval=5m&includePrePost=false&events=div,splits", "url text");
	CHECK(fetch_url(buf, 20, FETCH_DEFAULT_BASE, "AAPL", "1d", 0, 1) < 0, "url overflow");
	CHECK(fetch_base_ok(FETCH_DEFAULT_BASE) == 0 && fetch_base_ok("http://127.0.0.1:8/x/") == 0 &&
	      fetch_base_ok("HTTPS://h") == 0, "http(s) bases");
	CHECK(fetch_base_ok("ftp://h") < 0 && fetch_base_ok("h:80") < 0 &&
	      fetch_base_ok("http://") < 0 && fetch_base_ok("") < 0, "other bases refused");
}

static void test_chunks(void)
{
	/* 1d: any length in one request; 1m: 7 days; 5m: 60 days */
	static const struct { long start, end; const char *iv; long n, last_s, last_e; } t[] = {
		{ 0, 86400, "1d", 1, 0, 86400 },
		{ 0, 7 * 86400, "1m", 1, 0, 7 * 86400 },
		{ 0, 7 * 86400 + 1, "1m", 2, 7 * 86400, 7 * 86400 + 1 },
		{ 0, 20 * 86400, "1m", 3, 14 * 86400, 20 * 86400 },
		{ 5, 5, "1m", 0, 0, 0 },
		{ 0, 130 * 86400, "5m", 3, 120 * 86400, 130 * 86400 },
	};
	time_t s, e, old;
	size_t i;
	long n;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		n = span_nchunks(sym_interval(t[i].iv), t[i].start, t[i].end);
		CHECK(n == t[i].n, "nchunks %zu: %ld", i, n);
		if (n > 0) {
			span_chunk(sym_interval(t[i].iv), t[i].start, t[i].end, n - 1, &s, &e);
			CHECK(s == t[i].last_s && e == t[i].last_e, "last chunk %zu", i);
		}
	}
	/* history: 30 days of 1m, 730 of 1h, none for daily */
	CHECK(span_oldest(sym_interval("1m"), 100 * 86400, &old) == 0 &&
	      old == 70 * 86400, "1m history 30 days");
	CHECK(span_oldest(sym_interval("1h"), 1000 * 86400, &old) == 0 &&
	      old == 270 * 86400, "1h history 730 days");
	CHECK(span_oldest(sym_interval("1d"), 100, &old) < 0, "1d unlimited");
}

static void test_policy(void)
{
	static const struct { long status; enum fetch_verdict v; } t[] = {
		{ 200, FETCH_OK }, { 429, FETCH_RETRY }, { 500, FETCH_RETRY },
		{ 502, FETCH_RETRY }, { 503, FETCH_RETRY }, { 504, FETCH_RETRY },
		{ 408, FETCH_RETRY }, { 400, FETCH_FAIL }, { 401, FETCH_FAIL },
		{ 403, FETCH_FAIL }, { 404, FETCH_FAIL }, { 422, FETCH_FAIL },
		{ 301, FETCH_FAIL }, { 204, FETCH_FAIL },
	};
	size_t i;
	double d;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		CHECK(fetch_classify_http(t[i].status) == t[i].v, "classify %ld", t[i].status);
	/* base 500 ms: attempt k waits in [b/2, b) with b = 0.5 * 2^(k-1) */
	CHECK(fetch_backoff(500, 1, 0, 0) == 0.25, "backoff 1 low");
	CHECK(fetch_backoff(500, 1, 0, 0.999) < 0.5, "backoff 1 high");
	CHECK(fetch_backoff(500, 3, 0, 0) == 1.0, "backoff 3 low");
	d = fetch_backoff(500, 40, 0, 0.999);
	CHECK(d <= FETCH_BACKOFF_MAX && d >= FETCH_BACKOFF_MAX / 2, "backoff capped %g", d);
	CHECK(fetch_backoff(500, 1, 7, 0.5) == 7, "Retry-After wins when longer");
	CHECK(fetch_backoff(500, 8, 1, 0) > 1, "backoff wins when longer");
	CHECK(fetch_backoff(500, 1, 86400, 0) == FETCH_RETRY_AFTER_MAX, "Retry-After capped");
}

static void test_bucket(void)
{
	struct fetch_bucket b;
	double now = 100, w;
	int n = 0;

	fetch_bucket_init(&b, 2, now);
	CHECK(fetch_bucket_take(&b, now) == 0, "first token at once");
	w = fetch_bucket_take(&b, now);
	CHECK(w > 0.49 && w <= 0.5, "next in 0.5s: %g", w);
	/* 10 simulated seconds at 2/s: about 20 tokens, no burst */
	for (now = 100; now < 110; now += 0.01)
		n += fetch_bucket_take(&b, now) == 0;
	CHECK(n >= 19 && n <= 21, "rate 2/s over 10s: %d", n);
	/* a 429 with Retry-After 3 holds every token for 3 s and halves the rate */
	fetch_bucket_throttled(&b, now, 3);
	CHECK(fetch_bucket_take(&b, now + 1) >= 1.99, "held by Retry-After");
	CHECK(b.cur == 1, "rate halved: %g", b.cur);
	fetch_bucket_throttled(&b, now + 0.5, 0);
	CHECK(b.cur == 1, "one slow-down per second: %g", b.cur);
	for (n = 1; n <= 5; n++)
		fetch_bucket_throttled(&b, now + 1.0 * n, 0);
	CHECK(b.cur == 2.0 / 16, "floor rate/16: %g", b.cur);
	for (n = 0; n < 30; n++)
		fetch_bucket_ok(&b);
	CHECK(b.cur == 2, "recovers to configured rate: %g", b.cur);
	/* unlimited */
	fetch_bucket_init(&b, 0, 0);
	for (n = 0; n < 1000 && fetch_bucket_take(&b, 0) == 0; n++)
		;
	CHECK(n == 1000, "rate 0 is unlimited");
}

static void test_envelope(void)
{
	struct envelope e = { "^GSPC", "5m", "yahoo", 1795392000, 1795478400,
			      1795555800, 200, 3 };
	char buf[ENVELOPE_HEAD_MAX];

	CHECK(envelope_head(buf, sizeof(buf), &e) == 182, "head length");
	CHECK_STR(buf, "{\"symbol\":\"^GSPC\",\"interval\":\"5m\",\"start\":"
		  "\"2026-11-23T00:00:00Z\",\"end\":\"2026-11-24T00:00:00Z\","
		  "\"provider\":\"yahoo\",\"status\":200,\"fetched_at\":"
		  "\"2026-11-24T21:30:00Z\",\"attempts\":3,\"body\":", "head text");
	CHECK(envelope_head(buf, 182, &e) < 0 && envelope_head(buf, 183, &e) == 182,
	      "head fits exactly or fails");
	e.symbol = "A\"B\n";
	CHECK(envelope_head(buf, sizeof(buf), &e) > 0 &&
	      strstr(buf, "\"A\\\"B\\n\"") != NULL, "strings escaped");
	e.symbol = "ABCDEFGHIJKLMNOPQRSTUVWXYZ123456";
	e.attempts = 2147483647;
	e.fetched_at = e.start = e.end = -62135596800; /* year 1 */
	CHECK(envelope_head(buf, sizeof(buf), &e) > 0, "longest head fits");
}

static void test_egress(void)
{
	static const char *const bad[] = { "", "a,,b", "a,", ",a", "a,a", "a b" };
	struct fetch_egress_set s;
	struct fetch_egress *e;
	char why[256], got[16];
	double w;
	size_t i;
	int k;

	CHECK(fetch_egress_parse(&s, NULL, 2, 0, why, sizeof(why)) == 0 &&
	      s.n == 1 && s.e[0].name == NULL, "no list: one egress, any address");
	fetch_egress_free(&s);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(fetch_egress_parse(&s, bad[i], 2, 0, why, sizeof(why)) < 0 &&
		      s.n == 0, "bad list '%s' refused: %s", bad[i], why);
		CHECK(strncmp(why, "--interface: ", 13) == 0, "why names the option");
	}
	/* three addresses at 2 requests/s each: turns, then all wait */
	CHECK(fetch_egress_parse(&s, "a,b,c", 2, 0, why, sizeof(why)) == 0 && s.n == 3,
	      "three addresses");
	for (k = 0; k < 3; k++) {
		w = 1;
		e = fetch_egress_pick(&s, 0, &w);
		got[k] = e ? e->name[0] : '-';
	}
	w = 1;
	CHECK(memcmp(got, "abc", 3) == 0 && !fetch_egress_pick(&s, 0, &w) &&
	      w > 0.49 && w <= 0.5, "round robin, then wait %g", w);
	/* a 429 with Retry-After 3 on b holds b only */
	fetch_bucket_throttled(&s.e[1].bucket, 0.1, 3);
	for (k = 0; k < 4; k++) {
		w = 1;
		e = fetch_egress_pick(&s, 0.6 + 0.5 * (k / 2), &w);
		got[k] = e ? e->name[0] : '-';
	}
	CHECK(memcmp(got, "acac", 4) == 0, "b held, a and c go on: %.4s", got);
	CHECK(s.e[0].requests == 3 && s.e[1].requests == 1 && s.e[2].requests == 3,
	      "requests counted per address");
	CHECK(fetch_egress_probe(&s, why, sizeof(why)) == 0, "names left to libcurl");
	fetch_egress_free(&s);
	CHECK(fetch_egress_parse(&s, "127.0.0.1,if!lo", 0, 0, why, sizeof(why)) == 0 &&
	      fetch_egress_probe(&s, why, sizeof(why)) == 0, "loopback usable");
	fetch_egress_free(&s);
	CHECK(fetch_egress_parse(&s, "127.0.0.1,if!nosuch0", 0, 0, why, sizeof(why)) == 0 &&
	      fetch_egress_probe(&s, why, sizeof(why)) < 0, "missing interface");
	CHECK_STR(why, "--interface: if!nosuch0: no such interface", "why");
	fetch_egress_free(&s);
}

int main(void)
{
	test_egress();
	test_envelope();
	test_url();
	test_chunks();
	test_policy();
	test_bucket();
	return unit_failed;
}
