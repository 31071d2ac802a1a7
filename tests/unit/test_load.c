/* Unit tests for load-bars' helpers: lib/load_keys, lib/db's templates,
 * and lib/plan_win's rules that need no database. */
#include "bt.h"
#include "db.h"
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
	plans();
	return unit_failed;
}
