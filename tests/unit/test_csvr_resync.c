/*
 * Unit tests for lib/csvr's resync mode (plan CSV): a bad line is
 * reported with its number and text, and reading goes on at the next
 * line; without the opt-in, an error still ends the input as before.
 */
#include "csvr.h"
#include "unit.h"

#include <stdlib.h>

static struct csvr *open_mem(const char *text, size_t len, FILE **fp)
{
	*fp = fmemopen((void *)text, len, "r");
	return csvr_new(*fp, "mem");
}

static void test_resync(void)
{
	static const char text[] =
		"a,b\n"
		"AAPL,1\n"
		"MS\"FT,2\n"             /* 3: stray quote */
		"\"GOOG\"x,3\n"          /* 4: text after a closing quote */
		"IB\0M,4\n"              /* 5: NUL byte */
		"ORCL,\"5\n"             /* 6: quote open at the end of the line */
		"\n"
		"TSLA,\"6,7\"\r\n"       /* 8: fine, CRLF */
		"NVDA,\"8";              /* 9: unterminated at the end of input */
	static const struct { int rc; long line; const char *raw, *err; } want[] = {
		{ 1, 1, "a,b", NULL }, { 1, 2, "AAPL,1", NULL },
		{ -1, 3, "MS\"FT,2", "mem:3: malformed quoting" },
		{ -1, 4, "\"GOOG\"x,3", "mem:4: malformed quoting" },
		{ -1, 5, NULL, "mem:5: NUL byte in a field" },
		{ -1, 6, "ORCL,\"5", "mem:6: unterminated quoted field" },
		{ 1, 8, "TSLA,\"6,7\"", NULL },
		{ -1, 9, "NVDA,\"8", "mem:9: unterminated quoted field" },
		{ 0, 0, NULL, NULL },
	};
	FILE *fp;
	struct csvr *r = open_mem(text, sizeof(text) - 1, &fp);
	const char *raw;
	size_t i, nf, len;
	char **f;
	int rc;

	csvr_set_resync(r);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		rc = csvr_next(r, &f, &nf);
		CHECK(rc == want[i].rc, "record %zu: rc %d", i, rc);
		if (rc == 1)
			CHECK(csvr_line(r) == want[i].line, "record %zu: line %ld", i, csvr_line(r));
		if (want[i].err)
			CHECK_STR(csvr_error(r), want[i].err, "record %zu: error", i);
		raw = csvr_raw(r, &len);
		if (want[i].raw)
			CHECK(len == strlen(want[i].raw) && memcmp(raw, want[i].raw, len) == 0,
			      "record %zu: raw text '%.*s'", i, (int)len, raw);
	}
	CHECK(rc == 0 && csvr_next(r, &f, &nf) == 0, "stays at end");
	raw = csvr_raw(r, &len);
	csvr_free(r);
	fclose(fp);
	/* the NUL line keeps its bytes */
	fp = fmemopen((void *)"IB\0M,4\n", 7, "r");
	r = csvr_new(fp, "mem");
	csvr_set_resync(r);
	CHECK(csvr_next(r, &f, &nf) == -1, "NUL");
	raw = csvr_raw(r, &len);
	CHECK(len == 6 && memcmp(raw, "IB\0M,4", 6) == 0, "NUL line raw");
	CHECK(csvr_next(r, &f, &nf) == 0, "then end");
	csvr_free(r);
	fclose(fp);
}

/* Without the opt-in, a quote open at the end of a line continues the
 * field on the next line, as the CSV standard says. */
static void test_default_unchanged(void)
{
	static const char text[] = "ORCL,\"5\nx\",6\nMS\"FT,2\n";
	FILE *fp;
	struct csvr *r = open_mem(text, sizeof(text) - 1, &fp);
	size_t nf;
	char **f;

	CHECK(csvr_next(r, &f, &nf) == 1 && nf == 3 && strcmp(f[1], "5\nx") == 0,
	      "multi-line field");
	CHECK(csvr_next(r, &f, &nf) == -1, "stray quote");
	CHECK_STR(csvr_error(r), "mem:3: malformed quoting", "error text");
	csvr_free(r);
	fclose(fp);
}

int main(void)
{
	test_resync();
	test_default_unchanged();
	return unit_failed;
}
