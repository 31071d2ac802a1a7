/* Unit tests for lib/json: strict syntax, compaction, lookups. */
#include "json.h"
#include "unit.h"

#include <stdlib.h>

static void test_check(void)
{
	static const struct { const char *in; int ok; const char *compact; } t[] = {
		{ "{}", 1, "{}" },
		{ " { \"a\" : [ 1 , -2.5e+3 , true , false , null ] }\n", 1,
		  "{\"a\":[1,-2.5e+3,true,false,null]}" },
		{ "\"caf\xc3\xa9 \\u00e9 \\ud83d\\ude00 \\n\"", 1,
		  "\"caf\xc3\xa9 \\u00e9 \\ud83d\\ude00 \\n\"" },
		{ "[\"a b\", {\"k\":\"v w\"}]", 1, "[\"a b\",{\"k\":\"v w\"}]" },
		{ "0", 1, "0" }, { "-0.0", 1, "-0.0" }, { "1E5", 1, "1E5" },
		{ "", 0, NULL }, { "   ", 0, NULL },
		{ "{\"chart\":{\"result\":[{\"meta\":", 0, NULL }, /* truncated */
		{ "{\"a\":1,}", 0, NULL }, { "[1,]", 0, NULL }, { "[1 2]", 0, NULL },
		{ "{'a':1}", 0, NULL }, { "{a:1}", 0, NULL },
		{ "01", 0, NULL }, { "1.", 0, NULL }, { ".5", 0, NULL },
		{ "+1", 0, NULL }, { "1e", 0, NULL }, { "NaN", 0, NULL },
		{ "Infinity", 0, NULL }, { "nul", 0, NULL }, { "truex", 0, NULL },
		{ "\"a\nb\"", 0, NULL }, { "\"\\x\"", 0, NULL },
		{ "\"\\u12g4\"", 0, NULL }, { "\"\\ud800\"", 0, NULL },
		{ "\"\\udc00\"", 0, NULL }, { "\"\xc0\xaf\"", 0, NULL },
		{ "\"\xed\xa0\x80\"", 0, NULL }, { "\"\xff\"", 0, NULL },
		{ "\"abc", 0, NULL }, { "{} {}", 0, NULL }, { "[]]", 0, NULL },
		{ "<html>oops</html>", 0, NULL }, { "Edge: Too Many Requests", 0, NULL },
	};
	char out[256];
	size_t i, n, pos;
	int rc;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		rc = json_check(t[i].in, strlen(t[i].in), out, &n, &pos);
		CHECK((rc == 0) == t[i].ok, "json_check case %zu -> %d", i, rc);
		if (rc == 0 && t[i].compact) {
			out[n] = '\0';
			CHECK_STR(out, t[i].compact, "compact %zu", i);
		}
	}
	/* error offset points at the problem */
	rc = json_check("[1,,2]", 6, NULL, NULL, &pos);
	CHECK(rc < 0 && pos == 3, "errpos %zu", pos);
	/* embedded NUL is not JSON */
	CHECK(json_check("[1]\0", 4, NULL, NULL, NULL) < 0, "trailing NUL");
	/* in-place compaction */
	{
		char buf[] = "{ \"a\" : [ 1, 2 ] }";
		CHECK(json_check(buf, strlen(buf), buf, &n, NULL) == 0 && n == 11 &&
		      memcmp(buf, "{\"a\":[1,2]}", 11) == 0, "in place");
	}
}

static void test_depth(void)
{
	size_t n = JSON_MAX_DEPTH + 1, i;
	char *s = malloc(2 * n);

	for (i = 0; i < n; i++)
		s[i] = '[', s[2 * n - 1 - i] = ']';
	CHECK(json_check(s, 2 * n, NULL, NULL, NULL) < 0, "depth %zu refused", n);
	CHECK(json_check(s + 1, 2 * n - 2, NULL, NULL, NULL) == 0, "depth %zu ok", n - 1);
	free(s);
}

static void test_lookup(void)
{
	const char *d = "{\"chart\":{\"result\":[{\"meta\":{\"s\":\"x,]}\\\"\"},"
			"\"timestamp\":[1,2,3],\"e\":[]}],\"error\":null}}";
	const char *e = d + strlen(d), *c, *r;
	char buf[32];

	c = json_member(d, e, "chart");
	CHECK(c && *c == '{', "member chart");
	CHECK(json_is_null(json_member(c, e, "error"), e), "error null");
	r = json_index(json_member(c, e, "result"), e, 0);
	CHECK(r && *r == '{', "result[0]");
	CHECK(json_index(json_member(c, e, "result"), e, 1) == NULL, "result[1] absent");
	CHECK(json_count(json_member(r, e, "timestamp"), e) == 3, "count 3");
	CHECK(json_count(json_member(r, e, "e"), e) == 0, "count 0");
	CHECK(json_count(json_member(r, e, "meta"), e) == -1, "count non-array");
	CHECK(json_member(r, e, "nope") == NULL, "absent member");
	CHECK(json_member(NULL, e, "x") == NULL, "NULL tolerated");
	CHECK(json_string(json_member(json_member(r, e, "meta"), e, "s"), e, buf,
			  sizeof(buf)) == 0, "string");
	CHECK_STR(buf, "x,]}\"", "string value");
	d = "\"a\\u00e9\\nb\"";
	CHECK(json_string(d, d + strlen(d), buf, sizeof(buf)) == 0, "escapes");
	CHECK_STR(buf, "a\xc3\xa9 b", "escape decoding");
	d = "\"abcdef\"";
	CHECK(json_string(d, d + strlen(d), buf, 4) == 0, "truncation");
	CHECK_STR(buf, "abc", "truncated");
	d = "12";
	CHECK(json_string(d, d + 2, buf, 4) < 0, "not a string");
}

static void test_escape(void)
{
	char *buf = NULL, out[64];
	size_t n = 0, outlen;
	FILE *fp = open_memstream(&buf, &n);

	json_fput_str(fp, "a\"b\\c\nd\te\x7f\xc3\xa9");
	fclose(fp);
	CHECK_STR(buf, "\"a\\\"b\\\\c\\nd\\u0009e\\u007f\xc3\xa9\"", "escaped string");
	CHECK(json_check(buf, n, out, &outlen, NULL) == 0, "escaped string is valid JSON");
	free(buf);
}

int main(void)
{
	test_escape();
	test_check();
	test_depth();
	test_lookup();
	return unit_failed;
}
