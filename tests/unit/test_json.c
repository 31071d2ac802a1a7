/*
 * Unit tests for lib/json (the string writer) and lib/fetch_body (yajl:
 * strict syntax, compaction, what a chart document says), every body fed
 * whole and again one byte at a time, as a network might deliver it.
 */
#include "fetch_body.h"
#include "json.h"
#include "unit.h"

#include <stdlib.h>

/* Feed all of in[0..len) in pieces of step bytes, as fetch-bars does
 * whatever the verdict so far: 0 or -1 like fetch_body_end. */
static int parse(struct fetch_body *b, const char *in, size_t len, size_t step)
{
	size_t i, n;

	fetch_body_reset(b, 3);
	for (i = 0; i < len; i += n) {
		n = len - i < step ? len - i : step;
		fetch_body_feed(b, in + i, n);
	}
	return fetch_body_end(b);
}

static void test_check(struct fetch_body *b)
{
	/* ok -1: accepted by yajl, refused by the hand-written checker that
	 * came before it (lone surrogate escapes, overlong and surrogate
	 * UTF-8 bytes: yajl checks UTF-8 byte structure only). */
	static const struct { const char *in; int ok; const char *compact; } t[] = {
		{ "{}", 1, "{}" },
		{ " { \"a\" : [ 1 , -2.5e+3 , true , false , null ] }\n", 1,
		  "{\"a\":[1,-2.5e+3,true,false,null]}" },
		{ "\"caf\xc3\xa9 \\u00e9 \\ud83d\\ude00 \\n\\/\"", 1,
		  "\"caf\xc3\xa9 \xc3\xa9 \xf0\x9f\x98\x80 \\n/\"" },
		{ "[\"a b\", {\"k\":\"v w\"}]", 1, "[\"a b\",{\"k\":\"v w\"}]" },
		{ "0", 1, "0" }, { "-0.0", 1, "-0.0" }, { "1E5", 1, "1E5" },
		{ "[1.2300000190734863,12345678901234567890]", 1,
		  "[1.2300000190734863,12345678901234567890]" },
		{ "", 0, NULL }, { "   ", 0, NULL },
		{ "{\"chart\":{\"result\":[{\"meta\":", 0, NULL }, /* truncated */
		{ "{\"a\":1,}", 0, NULL }, { "[1,]", 0, NULL }, { "[1 2]", 0, NULL },
		{ "{'a':1}", 0, NULL }, { "{a:1}", 0, NULL },
		{ "01", 0, NULL }, { "1.", 0, NULL }, { ".5", 0, NULL },
		{ "+1", 0, NULL }, { "1e", 0, NULL }, { "NaN", 0, NULL },
		{ "Infinity", 0, NULL }, { "nul", 0, NULL }, { "truex", 0, NULL },
		{ "\"a\nb\"", 0, NULL }, { "\"\\x\"", 0, NULL },
		{ "\"\\u12g4\"", 0, NULL }, { "\"\\ud800\"", -1, NULL },
		{ "\"\\udc00\"", -1, NULL }, { "\"\xc0\xaf\"", -1, NULL },
		{ "\"\xed\xa0\x80\"", -1, NULL }, { "\"\xff\"", 0, NULL },
		{ "\"abc", 0, NULL }, { "{} {}", 0, NULL }, { "[]]", 0, NULL },
		{ "<html>oops</html>", 0, NULL }, { "Edge: Too Many Requests", 0, NULL },
		{ "[1] // c", 0, NULL }, { "[1]/* c */", 0, NULL },
	};
	size_t i, step, n;
	char *out;
	int rc, want;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		want = t[i].ok != 0;
		for (step = 1; step <= 4096; step *= 4096) {
			rc = parse(b, t[i].in, strlen(t[i].in), step);
			CHECK((rc == 0) == want, "case %zu by %zu -> %d", i, step, rc);
			if (rc < 0 || !t[i].compact)
				continue;
			out = fetch_body_take(b, &n);
			out = realloc(out, n + 1);
			out[n] = '\0';
			CHECK_STR(out + 3, t[i].compact, "compact %zu by %zu", i, step);
			free(out);
		}
	}
	/* the error names the offending byte and yajl's reason */
	CHECK(parse(b, "[1,,2]", 6, 4096) < 0 && b->failed, "[1,,2] refused");
	CHECK_STR(b->why, "invalid or truncated JSON (byte 3 of 6: parse error: "
		  "unallowed token at this point in JSON text)", "why");
	CHECK(parse(b, "[1,2", 4, 1) < 0, "truncated");
	CHECK_STR(b->why, "invalid or truncated JSON (byte 4 of 4: parse error: "
		  "premature EOF)", "why truncated");
	/* embedded NUL is not JSON */
	CHECK(parse(b, "[1]\0", 4, 4096) < 0, "trailing NUL");
	CHECK(parse(b, "[\"a\0\"]", 6, 4096) < 0, "NUL in a string");
	/* a failed body ignores what follows */
	CHECK(parse(b, "[1,,2]", 6, 1) < 0 && fetch_body_feed(b, "]", 1) < 0,
	      "stays failed");
}

static void test_depth(struct fetch_body *b)
{
	size_t n = FETCH_BODY_MAX_DEPTH + 1, i;
	char *s = malloc(2 * n);

	for (i = 0; i < n; i++)
		s[i] = '[', s[2 * n - 1 - i] = ']';
	CHECK(parse(b, s, 2 * n, 4096) < 0, "depth %zu refused", n);
	CHECK_STR(b->why, "JSON nested deeper than 64", "depth why");
	CHECK(parse(b, s + 1, 2 * n - 2, 4096) == 0, "depth %zu ok", n - 1);
	free(s);
}

/* What fetch-bars reads from a chart document while it streams. */
static void test_chart(struct fetch_body *b)
{
	static const struct {
		const char *doc;
		int has_error, has_result;
		long ts;
		const char *code, *desc;
	} t[] = {
		{ "{\"chart\":{\"result\":[{\"meta\":{\"s\":\"x,]}\\\"\",\"timestamp\":[9]},"
		  "\"timestamp\":[1,2,3],\"e\":[]},{\"timestamp\":[4]}],\"error\":null}}",
		  0, 1, 3, "error", "" },
		{ "{\"chart\":{\"result\":[{\"meta\":{}}],\"error\":null}}", 0, 1, -1, "error", "" },
		{ "{\"chart\":{\"result\":[{\"timestamp\":[]}],\"error\":null}}", 0, 1, 0, "error", "" },
		{ "{\"chart\":{\"result\":null,\"error\":{\"code\":\"Not Found\","
		  "\"description\":\"No data\\nfound\"}}}", 1, 0, -1, "Not Found", "No data found" },
		{ "{\"chart\":{\"error\":{\"description\":\"d\"}}}", 1, 0, -1, "error", "d" },
		{ "{\"chart\":{\"error\":\"boom\"}}", 1, 0, -1, "error", "" },
		{ "{\"chart\":{\"result\":[[]],\"error\":null}}", 0, 0, -1, "error", "" },
		{ "{\"chart\":{\"result\":{\"timestamp\":[1]}}}", 0, 0, -1, "error", "" },
		{ "{\"x\":{\"chart\":{\"error\":1}},\"result\":[{}]}", 0, 0, -1, "error", "" },
		{ "[{\"chart\":{\"error\":1}}]", 0, 0, -1, "error", "" },
	};
	size_t i, step;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		for (step = 1; step <= 4096; step *= 4096) {
			CHECK(parse(b, t[i].doc, strlen(t[i].doc), step) == 0, "chart %zu ok", i);
			CHECK(b->has_error == t[i].has_error && b->has_result == t[i].has_result &&
			      b->timestamps == t[i].ts, "chart %zu by %zu: error %d result %d ts %ld",
			      i, step, b->has_error, b->has_result, b->timestamps);
			CHECK_STR(b->code, t[i].code, "chart %zu code", i);
			CHECK_STR(b->desc, t[i].desc, "chart %zu description", i);
		}
	}
	/* a non-JSON body leaves a printable excerpt for the message */
	CHECK(parse(b, "Edge: Too Many\r\nRequests", 24, 5) < 0, "text body");
	CHECK_STR(b->excerpt, "Edge: Too Many  Requests", "excerpt");
}

static void test_escape(struct fetch_body *b)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&buf, &n);

	json_fput_str(fp, "a\"b\\c\nd\te\x7f\xc3\xa9");
	fclose(fp);
	CHECK_STR(buf, "\"a\\\"b\\\\c\\nd\\u0009e\\u007f\xc3\xa9\"", "escaped string");
	CHECK(parse(b, buf, n, 4096) == 0, "escaped string is valid JSON");
	free(buf);
}

int main(void)
{
	struct fetch_body b;

	fetch_body_init(&b);
	test_escape(&b);
	test_check(&b);
	test_depth(&b);
	test_chart(&b);
	fetch_body_free(&b);
	return unit_failed;
}
