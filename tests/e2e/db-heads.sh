# bar_heads follow bars deleted by hand (issue 13): the newest bar per
# series is what sched-plan plans from, so a DELETE of the newest bars must
# move the head back (the next plan fetches them again), a series deleted
# whole loses its head, a TRUNCATE drops the table's heads; on a plain and
# a partitioned table, and for a role that may delete bars but not write
# heads.
. "$TOP/tests/lib.sh"
unset LOG_LEVEL
HDR=symbol,interval,ts,open,high,low,close,adj_close,volume
sql() { psql -X -Atq "$DATABASE_URL" -c "$1" 2>&1; }
heads() { sql "SELECT coalesce(string_agg(symbol || ' ' || interval || ' ' ||
	to_char(ts AT TIME ZONE 'UTC', 'MM-DD\"T\"HH24:MI'), ',' ORDER BY symbol, interval), '')
	FROM bar_heads WHERE target = 'bars'"; }
is() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got '$2', want '$3'"; fi; }
{
	echo "$HDR"
	for d in 02 03 04 05 06; do
		echo "AAA,1d,2026-11-${d}T05:00:00Z,1,2,0.5,1.5,1.5,10"
		echo "BBB,1d,2026-11-${d}T05:00:00Z,1,2,0.5,1.5,1.5,10"
	done
	echo "AAA,5m,2026-11-06T14:30:00Z,1,2,0.5,1.5,1.5,10"
	echo "AAA,5m,2026-11-06T14:35:00Z,1,2,0.5,1.5,1.5,10"
} >"$T/bars.csv"
cat >"$T/c.json" <<'JSON'
{"tickers":["AAA"],"timezone":"America/New_York","jobs":[
 {"name":"d","interval":"1d","period":"1mo","schedule":"0 18 * * 1-5"}]}
JSON

for kind in plain partitioned; do
	export DATABASE_URL=$(new_db "$kind")
	[ $kind = partitioned ] && load-bars --init --partition 2>/dev/null
	load-bars "$T/bars.csv" 2>/dev/null
	is "$kind: heads after the load" "$(heads)" \
		"AAA 1d 11-06T05:00,AAA 5m 11-06T14:35,BBB 1d 11-06T05:00"
	sql "DELETE FROM bars WHERE symbol = 'AAA' AND interval = '1d' AND ts >= '2026-11-05'" >/dev/null
	is "$kind: deleting the newest bars moves the head back" "$(heads)" \
		"AAA 1d 11-04T05:00,AAA 5m 11-06T14:35,BBB 1d 11-06T05:00"
	BARS_NOW=2026-11-06T23:30:00Z sched-plan --config "$T/c.json" --overlap 0 >"$T/plan" 2>/dev/null
	is "$kind: the next plan fetches the deleted days again" "$(sed -n 2p "$T/plan" | cut -d, -f1-3)" \
		"AAA,1d,2026-11-05T05:00:00Z"
	sql "DELETE FROM bars WHERE symbol = 'BBB' AND ts < '2026-11-04'" >/dev/null
	is "$kind: deleting older bars leaves the head" "$(heads)" \
		"AAA 1d 11-04T05:00,AAA 5m 11-06T14:35,BBB 1d 11-06T05:00"
	sql "DELETE FROM bars WHERE symbol = 'AAA' AND interval = '5m'" >/dev/null
	is "$kind: a series deleted whole loses its head" "$(heads)" \
		"AAA 1d 11-04T05:00,BBB 1d 11-06T05:00"
	load-bars "$T/bars.csv" 2>/dev/null
	is "$kind: reloading restores the rows and heads" \
		"$(sql "SELECT count(*) FROM bars")|$(heads)" \
		"12|AAA 1d 11-06T05:00,AAA 5m 11-06T14:35,BBB 1d 11-06T05:00"
	sql "TRUNCATE bars" >/dev/null
	is "$kind: TRUNCATE drops the heads" "$(heads)" ""
	load-bars "$T/bars.csv" 2>/dev/null
done

# A role that may delete bars but has no right on bar_heads.
sql "DROP ROLE IF EXISTS heads_pruner; CREATE ROLE heads_pruner LOGIN;
	GRANT USAGE ON SCHEMA public TO heads_pruner;
	GRANT SELECT, DELETE ON bars TO heads_pruner" >/dev/null
got=$(psql -X -Atq "$DATABASE_URL" -c "SET ROLE heads_pruner" \
	-c "DELETE FROM bars WHERE symbol = 'BBB' AND ts >= '2026-11-06'" 2>&1)
is "role: a delete by a role without rights on bar_heads succeeds" "$got" ""
is "role: and still moves the head" "$(heads)" \
	"AAA 1d 11-06T05:00,AAA 5m 11-06T14:35,BBB 1d 11-05T05:00"
sql "REVOKE ALL ON bars FROM heads_pruner; REVOKE ALL ON SCHEMA public FROM heads_pruner;
	DROP ROLE heads_pruner" >/dev/null
