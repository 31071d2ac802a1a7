/*
 * Unit tests for lib/cron: parse tables, error tables (each error names
 * its field), and next-fire tables including the DOM/DOW rule and the real
 * 2026 DST transitions in America/New_York and Europe/Berlin.
 */
#include "bt.h"
#include "cron.h"
#include "unit.h"

#define BIT(n) (1ULL << (n))

static void parse_table(void)
{
	static const struct {
		const char *expr;
		uint64_t minute;
		uint32_t hour, dom;
		uint16_t month;
		uint8_t dow;
		unsigned flags;
	} t[] = {
		{ "*/15 * * * *", BIT(0) | BIT(15) | BIT(30) | BIT(45), 0xffffff, 0xfffffffe, 0x1ffe,
		  0x7f, CRON_MIN_STAR | CRON_HOUR_STAR | CRON_DOM_STAR | CRON_DOW_STAR },
		{ "0 9-16/2 * * *", BIT(0), BIT(9) | BIT(11) | BIT(13) | BIT(15), 0xfffffffe,
		  0x1ffe, 0x7f, CRON_DOM_STAR | CRON_DOW_STAR },
		{ "30 4 1,15 * 5", BIT(30), BIT(4), BIT(1) | BIT(15), 0x1ffe, BIT(5), 0 },
		{ "0 0 * * 7", BIT(0), BIT(0), 0xfffffffe, 0x1ffe, BIT(0), CRON_DOM_STAR },
		{ "0 0 * * 5-7", BIT(0), BIT(0), 0xfffffffe, 0x1ffe, BIT(5) | BIT(6) | BIT(0),
		  CRON_DOM_STAR },
		{ "0 0 * jan,MAR-may sun", BIT(0), BIT(0), 0xfffffffe,
		  BIT(1) | BIT(3) | BIT(4) | BIT(5), BIT(0), CRON_DOM_STAR },
		{ "0 0 1 Jan-Dec/3 Mon-Fri", BIT(0), BIT(0), BIT(1),
		  BIT(1) | BIT(4) | BIT(7) | BIT(10), 0x3e, 0 },
		{ "0 0 */2 * 1", BIT(0), BIT(0), 0xaaaaaaaa, 0x1ffe, BIT(1), CRON_DOM_STAR },
		{ "@daily", BIT(0), BIT(0), 0xfffffffe, 0x1ffe, 0x7f, CRON_DOM_STAR | CRON_DOW_STAR },
		{ "@midnight", BIT(0), BIT(0), 0xfffffffe, 0x1ffe, 0x7f,
		  CRON_DOM_STAR | CRON_DOW_STAR },
		{ "@HOURLY", BIT(0), 0xffffff, 0xfffffffe, 0x1ffe, 0x7f,
		  CRON_HOUR_STAR | CRON_DOM_STAR | CRON_DOW_STAR },
		{ "@weekly", BIT(0), BIT(0), 0xfffffffe, 0x1ffe, BIT(0), CRON_DOM_STAR },
		{ "@monthly", BIT(0), BIT(0), BIT(1), 0x1ffe, 0x7f, CRON_DOW_STAR },
		{ "@yearly", BIT(0), BIT(0), BIT(1), BIT(1), 0x7f, CRON_DOW_STAR },
		{ "@annually", BIT(0), BIT(0), BIT(1), BIT(1), 0x7f, CRON_DOW_STAR },
		{ "  5,10-12  0  1  1  0 ", BIT(5) | BIT(10) | BIT(11) | BIT(12), BIT(0), BIT(1),
		  BIT(1), BIT(0), 0 },
		{ "59 23 31 12 6", BIT(59), BIT(23), BIT(31), BIT(12), BIT(6), 0 },
	};
	struct cron c;
	char why[256];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int rc = cron_parse(t[i].expr, &c, why, sizeof(why));

		CHECK(rc == 0 && c.minute == t[i].minute && c.hour == t[i].hour &&
		      c.dom == t[i].dom && c.month == t[i].month && c.dow == t[i].dow &&
		      c.flags == t[i].flags, "parse '%s'", t[i].expr);
		if (rc)
			fprintf(stderr, "  %s\n", why);
	}
}

static void error_table(void)
{
	static const struct { const char *expr, *err; } t[] = {
		{ "", "expected 5 fields (minute hour day-of-month month day-of-week), got 0" },
		{ "* * * *", "expected 5 fields (minute hour day-of-month month day-of-week), got 4" },
		{ "* * * * * *", "expected 5 fields (minute hour day-of-month month day-of-week), got more than 5" },
		{ "60 * * * *", "minute: 60 out of range 0-59" },
		{ "* 24 * * *", "hour: 24 out of range 0-23" },
		{ "* * 0 * *", "day-of-month: 0 out of range 1-31" },
		{ "* * 32 * *", "day-of-month: 32 out of range 1-31" },
		{ "* * * 13 *", "month: 13 out of range 1-12" },
		{ "* * * * 8", "day-of-week: 8 out of range 0-7" },
		{ "* * * FOO *", "month: unknown name 'FOO'" },
		{ "* * * MON *", "month: unknown name 'MON'" },
		{ "* * * * MON-FOO", "day-of-week: unknown name 'FOO'" },
		{ "* * * * monday", "day-of-week: unknown name 'monday'" },
		{ "* JAN * * *", "hour: bad value 'JAN'" },
		{ "*/0 * * * *", "minute: bad step '0' (1-60)" },
		{ "*/x * * * *", "minute: bad step 'x' (1-60)" },
		{ "5/10 * * * *", "minute: step needs a range or '*' ('5/10'; write 5-59/...)" },
		{ "10-5 * * * *", "minute: range 10-5 is reversed" },
		{ "1,,2 * * * *", "minute: empty list element in '1,,2'" },
		{ "* * * * 1,", "day-of-week: empty list element in '1,'" },
		{ "1-2-3 * * * *", "minute: unexpected '-3' in '1-2-3'" },
		{ "*-5 * * * *", "minute: unexpected '-5' in '*-5'" },
		{ "-1 * * * *", "minute: bad value '-1'" },
		{ "99999999999 * * * *", "minute: 99999999999 out of range 0-59" },
		{ "@fortnightly", "unknown macro '@fortnightly' (@hourly @daily @midnight @weekly @monthly @yearly @annually)" },
	};
	struct cron c;
	char why[256];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		why[0] = '\0';
		CHECK(cron_parse(t[i].expr, &c, why, sizeof(why)) == -1, "reject '%s'", t[i].expr);
		CHECK_STR(why, t[i].err, "error for '%s'", t[i].expr);
	}
}

static void next_table(void)
{
	static const struct { const char *expr, *tz, *after, *want; } t[] = {
		/* basics in UTC */
		{ "*/5 * * * *", "UTC", "2026-01-01T00:00:00Z", "2026-01-01T00:05:00Z" },
		{ "*/5 * * * *", "UTC", "2026-01-01T00:02:30Z", "2026-01-01T00:05:00Z" },
		{ "* * * * *", "UTC", "2026-01-01T00:00:59Z", "2026-01-01T00:01:00Z" },
		{ "0 9-16/2 * * *", "UTC", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z" },
		{ "0 9-16/2 * * *", "UTC", "2026-01-01T15:00:00Z", "2026-01-02T09:00:00Z" },
		{ "@hourly", "UTC", "2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z" },
		{ "@weekly", "UTC", "2026-01-01T00:00:00Z", "2026-01-04T00:00:00Z" },
		{ "@monthly", "UTC", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z" },
		{ "@yearly", "UTC", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z" },
		{ "0 12 * * 7", "UTC", "2026-01-01T00:00:00Z", "2026-01-04T12:00:00Z" },
		{ "0 12 * * SUN", "UTC", "2026-01-01T00:00:00Z", "2026-01-04T12:00:00Z" },
		{ "0 0 1 jan-dec/2 *", "UTC", "2026-01-02T00:00:00Z", "2026-03-01T00:00:00Z" },
		{ "0 0 31 * *", "UTC", "2026-01-31T00:00:00Z", "2026-03-31T00:00:00Z" },
		{ "0 0 29 2 *", "UTC", "2026-01-01T00:00:00Z", "2028-02-29T00:00:00Z" },
		{ "59 23 31 12 *", "UTC", "2026-06-01T00:00:00Z", "2026-12-31T23:59:00Z" },
		/* DOM/DOW: both restricted, either matches (Jan 2 2026 is a Friday) */
		{ "30 4 1,15 * 5", "UTC", "2026-01-01T05:00:00Z", "2026-01-02T04:30:00Z" },
		{ "30 4 1,15 * 5", "UTC", "2026-01-09T05:00:00Z", "2026-01-15T04:30:00Z" },
		{ "0 0 13 * FRI", "UTC", "2026-02-01T00:00:00Z", "2026-02-06T00:00:00Z" },
		/* cronie: "*" first makes the field unrestricted, so both must match:
		 * odd days that are Mondays (Jan 5 and Jan 19), not every odd day */
		{ "0 0 */2 * 1", "UTC", "2026-01-01T00:00:00Z", "2026-01-05T00:00:00Z" },
		{ "0 0 */2 * 1", "UTC", "2026-01-05T00:00:00Z", "2026-01-19T00:00:00Z" },
		{ "0 0 1 * */2", "UTC", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z" },
		{ "0 0 1 * */2", "UTC", "2026-03-01T00:00:00Z", "2026-08-01T00:00:00Z" },
		/* named zones */
		{ "0 16 * * 1-5", "America/New_York", "2026-11-24T21:30:00Z", "2026-11-25T21:00:00Z" },
		{ "*/5 9-15 * * MON-FRI", "America/New_York", "2026-11-24T21:30:00Z", "2026-11-25T14:00:00Z" },
		{ "*/5 9-15 * * MON-FRI", "US/Eastern", "2026-11-27T20:57:00Z", "2026-11-30T14:00:00Z" },
		{ "30 16 * * 1-5", "US/Eastern", "2026-07-01T00:00:00Z", "2026-07-01T20:30:00Z" },
		/* New York spring forward 2026-03-08 02:00 EST -> 03:00 EDT (07:00Z) */
		{ "30 2 * * *", "America/New_York", "2026-03-08T05:00:00Z", "2026-03-08T07:00:00Z" },
		{ "30 2 * * *", "America/New_York", "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z" },
		{ "0,30 2 * * *", "America/New_York", "2026-03-08T05:00:00Z", "2026-03-08T07:00:00Z" },
		{ "0,30 2 * * *", "America/New_York", "2026-03-08T07:00:00Z", "2026-03-09T06:00:00Z" },
		{ "30 3 * * *", "America/New_York", "2026-03-08T05:00:00Z", "2026-03-08T07:30:00Z" },
		{ "30 1 * * *", "America/New_York", "2026-03-07T12:00:00Z", "2026-03-08T06:30:00Z" },
		{ "*/30 * * * *", "America/New_York", "2026-03-08T06:30:00Z", "2026-03-08T07:00:00Z" },
		{ "*/15 2 * * *", "America/New_York", "2026-03-08T05:00:00Z", "2026-03-09T06:00:00Z" },
		{ "0 * * * *", "America/New_York", "2026-03-08T06:00:00Z", "2026-03-08T07:00:00Z" },
		/* New York fall back 2026-11-01 02:00 EDT -> 01:00 EST (06:00Z) */
		{ "30 1 * * *", "America/New_York", "2026-11-01T04:00:00Z", "2026-11-01T05:30:00Z" },
		{ "30 1 * * *", "America/New_York", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z" },
		{ "30 1 * * *", "America/New_York", "2026-11-01T06:10:00Z", "2026-11-02T06:30:00Z" },
		{ "0 2 * * *", "America/New_York", "2026-11-01T04:00:00Z", "2026-11-01T07:00:00Z" },
		{ "*/30 * * * *", "America/New_York", "2026-11-01T05:30:00Z", "2026-11-01T06:00:00Z" },
		{ "*/30 * * * *", "America/New_York", "2026-11-01T06:30:00Z", "2026-11-01T07:00:00Z" },
		{ "0 * * * *", "America/New_York", "2026-11-01T05:00:00Z", "2026-11-01T06:00:00Z" },
		{ "*/20 1 * * *", "America/New_York", "2026-11-01T05:40:00Z", "2026-11-01T06:00:00Z" },
		/* Berlin spring forward 2026-03-29 02:00 CET -> 03:00 CEST (01:00Z) */
		{ "30 2 * * *", "Europe/Berlin", "2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z" },
		{ "30 2 * * *", "Europe/Berlin", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z" },
		{ "0 * * * *", "Europe/Berlin", "2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z" },
		{ "0 0 * * *", "Europe/Berlin", "2026-03-28T12:00:00Z", "2026-03-28T23:00:00Z" },
		/* Berlin fall back 2026-10-25 03:00 CEST -> 02:00 CET (01:00Z) */
		{ "30 2 * * *", "Europe/Berlin", "2026-10-24T23:00:00Z", "2026-10-25T00:30:00Z" },
		{ "30 2 * * *", "Europe/Berlin", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z" },
		{ "*/20 2 * * *", "Europe/Berlin", "2026-10-25T00:50:00Z", "2026-10-25T01:00:00Z" },
		{ "0 3 * * *", "Europe/Berlin", "2026-10-25T00:00:00Z", "2026-10-25T02:00:00Z" },
	};
	struct cron c;
	char why[256], buf[BT_ISO_LEN];
	time_t after, next;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int rc;

		if (cron_parse(t[i].expr, &c, why, sizeof(why)) < 0 ||
		    bt_parse_iso(t[i].after, &after) < 0) {
			CHECK(0, "next '%s': setup: %s", t[i].expr, why);
			continue;
		}
		rc = cron_next(&c, t[i].tz, after, &next);
		CHECK_STR(rc == 0 ? bt_format_iso(next, buf) : "(none)", t[i].want,
			  "next '%s' in %s after %s", t[i].expr, t[i].tz, t[i].after);
	}
}

static void next_misc(void)
{
	struct cron c;
	char why[256];
	time_t next, t;
	int i, ok = 1;

	cron_parse("0 0 30 2 *", &c, why, sizeof(why));
	CHECK(cron_next(&c, "UTC", 0, &next) == -1, "Feb 30 never fires");
	cron_parse("* * * * *", &c, why, sizeof(why));
	CHECK(cron_next(&c, "Mars/Base", 0, &next) == -1, "unknown zone fails");
	/* every real minute through the New York fall-back day: no gap, no repeat */
	bt_parse_iso("2026-11-01T00:00:00Z", &t);
	for (i = 0; i < 24 * 60 && ok; i++) {
		ok = cron_next(&c, "America/New_York", t, &next) == 0 && next == t + 60;
		t = next;
	}
	CHECK(ok, "'* * * * *' steps one real minute across fall-back");
	/* a fixed-time job fires exactly once per day across both transitions */
	cron_parse("30 1 * * *", &c, why, sizeof(why));
	bt_parse_iso("2026-03-01T00:00:00Z", &t);
	for (i = 0; i < 300 && ok; i++) {
		ok = cron_next(&c, "America/New_York", t, &next) == 0 &&
		     (i == 0 || (next - t >= 23 * 3600 && next - t <= 25 * 3600));
		t = next;
	}
	CHECK(ok, "'30 1 * * *' fires once a day for 300 days");
}

static unsigned rnd(unsigned *seed, unsigned n)
{
	*seed = *seed * 1103515245 + 12345;
	return (*seed >> 16) % n;
}

/* One random field: mostly well-formed pieces, some out of range or junk. */
static void rnd_field(unsigned *seed, char *out, size_t n)
{
	static const char *const names[] = { "jan", "DEC", "Mon", "sun", "sat", "*" };
	size_t len = 0;
	int parts = 1 + (int)rnd(seed, 3), i;

	out[0] = '\0';
	for (i = 0; i < parts && len + 16 < n; i++) {
		/* mostly 1-7, valid in every field; now and then anything */
		unsigned a = rnd(seed, 10) ? rnd(seed, 7) + 1 : rnd(seed, 70);
		unsigned b = a + rnd(seed, 5), st = rnd(seed, 9);

		switch (rnd(seed, 7)) {
		case 0: len += (size_t)snprintf(out + len, n - len, "*"); break;
		case 1: len += (size_t)snprintf(out + len, n - len, "*/%u", st); break;
		case 2: len += (size_t)snprintf(out + len, n - len, "%u-%u", a, b); break;
		case 3: len += (size_t)snprintf(out + len, n - len, "%u-%u/%u", a, b, st); break;
		case 4: len += (size_t)snprintf(out + len, n - len, "%s", names[rnd(seed, 6)]); break;
		case 5: len += (size_t)snprintf(out + len, n - len, "%u", a); break;
		default: len += (size_t)snprintf(out + len, n - len, "%u", rnd(seed, 8)); break;
		}
		if (i + 1 < parts)
			len += (size_t)snprintf(out + len, n - len, ",");
	}
}

/* Random expressions: parse never crashes, and whatever parses has a next
 * fire that is later and matches its fields (deterministic seed, UTC). */
static void fuzz(void)
{
	char expr[200], f[5][36], why[256];
	unsigned seed = 12345;
	struct cron c;
	struct tm tm;
	time_t next, after = 1767225600;
	int i, k, parsed = 0, bad = 0, none = 0;

	for (i = 0; i < 20000; i++) {
		for (k = 0; k < 5; k++)
			rnd_field(&seed, f[k], sizeof(f[k]));
		snprintf(expr, sizeof(expr), "%s %s %s %s %s", f[0], f[1], f[2], f[3], f[4]);
		if (rnd(&seed, 10) == 0)
			expr[rnd(&seed, (unsigned)strlen(expr))] = "-/,* @x"[rnd(&seed, 7)];
		if (cron_parse(expr, &c, why, sizeof(why)) < 0)
			continue;
		parsed++;
		if (cron_next(&c, "UTC", after, &next) < 0) {
			none++;
			continue;
		}
		if (!gmtime_r(&next, &tm) || !cron_match(&c, &tm) || next <= after || next % 60)
			bad++;
	}
	CHECK(parsed > 1000 && bad == 0, "fuzz: %d parsed (%d never fire), %d bad next fires",
	      parsed, none, bad);
}

int main(void)
{
	parse_table();
	error_table();
	next_table();
	next_misc();
	fuzz();
	return unit_failed;
}
