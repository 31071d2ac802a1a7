/* Unit tests for load-bars' helpers: lib/load_keys, lib/db's templates,
 * and lib/plan_win's rules that need no database. */
#include "bt.h"
#include "db.h"
#include "db_secret.h"
#include "load_heads.h"
#include "load_keys.h"
#include "plan_win.h"
#include "unit.h"

#include <stdlib.h>

static void keys(void)
{
	struct load_keys *k = load_keys_new(4);
	int i, fresh = 0;

	CHECK(k != NULL, "load_keys_new");
	CHECK(load_keys_add(k, "AAPL", "5m", 100) == 1, "new key");
	CHECK(load_keys_add(k, "AAPL", "5m", 100) == 0, "same key again");
	CHECK(load_keys_add(k, "AAPL", "1d", 100) == 1, "other interval");
	CHECK(load_keys_add(k, "AAP", "L5m", 100) == 1, "fields do not run together");
	CHECK(load_keys_add(k, "AAPL", "5m", 101) == 1, "other ts");
	load_keys_clear(k);
	CHECK(load_keys_add(k, "AAPL", "5m", 100) == 1, "cleared");
	load_keys_free(k);
	k = load_keys_new(100000);
	for (i = 0; i < 100000; i++)
		fresh += load_keys_add(k, i % 2 ? "MSFT" : "AAPL", "5m", (time_t)i * 150);
	CHECK(fresh == 100000, "100000 distinct keys all new (%d)", fresh);
	for (i = 0, fresh = 0; i < 1000; i++)
		fresh += load_keys_add(k, i % 2 ? "MSFT" : "AAPL", "5m", (time_t)i * 150);
	CHECK(fresh == 0, "then all seen");
	load_keys_free(k);
}

static void templates(void)
{
	struct db d = { 0 };
	char *s;

	d.schema = "\"my schema\"";
	d.table = "\"bars\"";
	s = db_sql(&d, "SELECT {S}.{T}, '{X}', {S}");
	CHECK_STR(s, "SELECT \"my schema\".\"bars\", '{X}', \"my schema\"", "db_sql expands {S} and {T} only");
	free(s);
}

/* Every spelling libpq accepts shows its password as ***; what libpq
 * might misread (an unencoded '@' or '/') is scrubbed as well. */
static void secrets(void)
{
	static const struct { const char *in, *want; } t[] = {
		{ "postgresql://u:Sek1Leak2@h:5432/db", "postgresql://u:***@h:5432/db" },
		{ "postgres://u@h/db?password=Sek1Leak2&sslmode=require",
		  "postgres://u@h/db?password=***&sslmode=require" },
		{ "host=h user=u password = Sek1Leak2 dbname=x", "host=h user=u password=*** dbname=x" },
		{ "host=h password='Sek1 Leak2' dbname=x", "host=h password=*** dbname=x" },
		{ "host=h password='Sek1\\'Leak2' dbname='my db'", "host=h password=*** dbname='my db'" },
		{ "host=h password=Sek1\\ Leak2", "host=h password=***" },
		{ "host=h sslpassword=Sek1Leak2", "host=h sslpassword=***" },
		{ "postgresql://u:Sek1%40Leak2@h/db", "postgresql://u:***@h/db" },
		{ "postgresql://u:Sek1@Leak2@h/db", "postgresql://u:***@h/db" },
		{ "postgresql://u:Sek1/Leak2@h/db", "postgresql://u:***@h/db" },
		{ "postgresql://u:Sek1%ZZLeak2@h/db", "(unparseable connection string)" },
		{ "host=h password='Sek1Leak2", "(unparseable connection string)" },
		{ "postgresql:///db?host=/tmp/sock&user=u", "postgresql:///db?host=/tmp/sock&user=u" },
		{ "", "(libpq environment)" },
	};
	char buf[256], why[256];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		CHECK_STR(db_secret_mask(buf, sizeof(buf), t[i].in), t[i].want, "mask %s", t[i].in);
	CHECK(db_secret_parse("postgresql://u:Sek1%ZZLeak2@h/db", why, sizeof(why)) < 0,
	      "unparseable: %s", why);
	CHECK(!strstr(why, "Sek1") && !strstr(why, "Leak2") && strstr(why, "percent"),
	      "libpq's reason without the token: %s", why);
	snprintf(buf, sizeof(buf), "could not translate host name \"Leak2@h\" to address");
	CHECK_STR(db_secret_scrub(buf, sizeof(buf)),
		  "could not translate host name \"***@h\" to address", "pieces scrubbed from free text");
	snprintf(buf, sizeof(buf), "port 1 of host h failed");
	CHECK_STR(db_secret_scrub(buf, sizeof(buf)), "port 1 of host h failed",
		  "short words are left alone");
}

/* The append fast path's decision per row. */
static void heads(void)
{
	struct load_heads *h = load_heads_new();

	load_heads_set(h, "AAPL", "5m", 1000);
	load_heads_batch(h);
	CHECK(load_heads_row(h, "AAPL", "5m", 1000) == LOAD_HEADS_OLD, "at the head: upsert");
	CHECK(load_heads_row(h, "AAPL", "5m", 1300) == LOAD_HEADS_NEW, "past the head: append");
	CHECK(load_heads_row(h, "AAPL", "5m", 1600) == LOAD_HEADS_NEW, "and on");
	CHECK(load_heads_row(h, "AAPL", "5m", 1600) == LOAD_HEADS_TANGLE, "a repeat: tangle");
	CHECK(load_heads_row(h, "AAPL", "5m", 1500) == LOAD_HEADS_TANGLE, "back in time: tangle");
	CHECK(load_heads_row(h, "AAPL", "5m", 900) == LOAD_HEADS_OLD, "before the head: upsert");
	CHECK(load_heads_row(h, "MSFT", "5m", 5) == LOAD_HEADS_NEW, "no head: append");
	CHECK(load_heads_row(h, "AAPL", "1d", 5) == LOAD_HEADS_NEW, "other interval: its own head");
	load_heads_commit(h);
	load_heads_batch(h);
	CHECK(load_heads_row(h, "AAPL", "5m", 1600) == LOAD_HEADS_OLD, "committed batch raised the head");
	CHECK(load_heads_row(h, "MSFT", "5m", 6) == LOAD_HEADS_NEW, "new key has a head now");
	load_heads_clear(h);
	load_heads_batch(h);
	CHECK(load_heads_row(h, "AAPL", "5m", 1600) == LOAD_HEADS_NEW, "cleared: no heads");
	load_heads_free(h);
}

/* Windows for one symbol as "start-end;..." in ISO. */
static const char *windows(struct plan_req *r)
{
	static char out[4096];
	FILE *fp;
	int n;

	out[0] = '\0';
	fp = fmemopen(out, sizeof(out), "w");
	n = plan_win_emit(fp, r);
	fclose(fp);
	return n < 0 ? "error" : out;
}

static void plans(void)
{
	struct plan_req r = { 0 };

	r.symbol = "AAPL";
	r.iv = sym_interval("5m");
	bt_parse_iso("2026-11-21T15:00:00Z", &r.now); /* a Saturday */
	r.period.unit = SYM_PERIOD_DAYS;
	r.period.n = 2;
	r.overlap = 1;
	r.calendar = 1;
	CHECK_STR(windows(&r), "AAPL,5m,2026-11-19T15:00:00Z,2026-11-21T15:00:00Z\n", "whole period");
	r.have_newest = 1;
	bt_parse_iso("2026-11-20T20:55:00Z", &r.newest);
	CHECK_STR(windows(&r), "", "nothing new on Saturday after Friday's last bar");
	r.calendar = 0;
	CHECK_STR(windows(&r), "AAPL,5m,2026-11-20T20:55:00Z,2026-11-21T15:00:00Z\n", "without the calendar the clock decides");
	r.overlap = 0;
	CHECK_STR(windows(&r), "AAPL,5m,2026-11-20T21:00:00Z,2026-11-21T15:00:00Z\n", "overlap 0");
	r.full = 1;
	CHECK_STR(windows(&r), "AAPL,5m,2026-11-19T15:00:00Z,2026-11-21T15:00:00Z\n", "--full");
}

int main(void)
{
	keys();
	templates();
	secrets();
	heads();
	plans();
	return unit_failed;
}
