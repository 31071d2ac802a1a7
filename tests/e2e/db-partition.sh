# Storage at scale (issue 13): bars range-partitioned on (interval, ts),
# monthly for intraday and yearly for daily bars, partitions made by
# load-bars as rows need them; the same results as an unpartitioned table
# for plan, load, audit, events and a fallback batch; retention; the
# conversion of an unpartitioned table.
. "$TOP/tests/lib.sh"
unset LOG_LEVEL
LB=$BIN/load-bars
SP=$BIN/sched-plan
HDR=symbol,interval,ts,open,high,low,close,adj_close,volume
is() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got '$2', want '$3'"; fi; }
sql() { psql -X -Atq "$DATABASE_URL" -c "$1"; }
field() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" "$T/out"; }
counts() { echo "$(field inserted) $(field updated) $(field unchanged) $(field appended)"; }
digest() {
	sql "SELECT count(*) || ' ' || md5(coalesce(string_agg(concat_ws(',', symbol, interval,
		extract(epoch FROM ts), open, high, low, close, adj_close, volume, run_id), ';'
		ORDER BY symbol, interval, ts), '')) FROM bars"
}
parts() { sql "SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_inherits i
	JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'bars'::regclass"; }
# 5m bars over three months for two symbols, daily bars over three years
{
	echo "$HDR"
	awk 'BEGIN { for (s = 0; s < 2; s++) for (i = 0; i < 20000; i++)
		printf "S%d,5m,%s,%.2f,2,0.5,1.5,1.5,%d\n", s,
			strftime("%Y-%m-%dT%H:%M:%SZ", 1759276800 + 300 * i, 1), 1 + i % 7, i
		for (i = 0; i < 900; i++)
			printf "S0,1d,%s,1,2,0.5,1.5,1.5,%d\n", strftime("%Y-%m-%dT05:00:00Z", 1672531200 + 86400 * i, 1), i }'
} >"$T/bars.csv"
sed 's/^S1,5m,2025-10-05T12:00:00Z,[0-9.]*,/S1,5m,2025-10-05T12:00:00Z,9.5,/' "$T/bars.csv" >"$T/rev.csv"
printf 'symbol,ts,kind,value,numerator,denominator\nS0,2025-08-11,dividend,0.26,,\n' >"$T/ev.csv"

# The unpartitioned reference.
export DATABASE_URL=$(new_db plain)
"$LB" --batch-size 7000 "$T/bars.csv" 2>/dev/null
"$LB" --batch-size 7000 "$T/rev.csv" 2>/dev/null
plain=$(digest)

export DATABASE_URL=$(new_db part)
check "partition: --init --partition" 0 - - -- "$LB" --init --partition
is "partition: bars is partitioned on (interval, ts)" \
	"$(sql "SELECT pg_get_partkeydef('bars'::regclass)")" "RANGE (\"interval\", ts)"
check "partition: first load" 0 "$T/bars.csv" - -- "$LB" --json --batch-size 7000
is "partition: first load counts (all appended)" "$(counts)" "40900 0 0 40900"
is "partition: monthly partitions for 5m, yearly for 1d, one ahead" "$(parts)" \
	"bars_1d_2023,bars_1d_2024,bars_1d_2025,bars_1d_2026,bars_5m_202510,bars_5m_202511,bars_5m_202512,bars_5m_202601"
check "partition: the revision" 0 "$T/rev.csv" - -- "$LB" --json --batch-size 7000
is "partition: revision counts" "$(counts)" "0 1 40899 0"
is "partition: the revision audited under the table's name" \
	"$(sql "SELECT target || ' ' || symbol || ' ' || new_open FROM bar_changes")" "bars S1 9.5"
is "partition: the same table as unpartitioned" "$(digest)" "$plain"
check "partition: reload changes nothing" 0 "$T/rev.csv" - -- "$LB" --json
is "partition: reload counts" "$(counts)" "0 0 40900 0"
check "partition: events" 0 - - -- "$LB" --json --events "$T/ev.csv"
is "partition: events stored" "$(field events_inserted)" 1

# A batch whose new rows repeat keys falls back to the upsert; its
# partitions (made inside the rolled-back savepoint) are made again.
printf '%s\nS9,5m,2027-03-01T10:00:00Z,1,2,0.5,1.5,1.5,1\nS9,5m,2027-03-01T10:00:00Z,1,2,0.5,1.75,1.75,2\nS9,5m,2027-05-01T10:00:00Z,1,2,0.5,1.5,1.5,3\n' "$HDR" >"$T/dup.csv"
check "partition: repeated new keys fall back to the upsert" 0 "$T/dup.csv" - -- "$LB" --json
is "partition: fallback counts" "$(counts) $(field duplicates)" "2 0 0 0 1"
is "partition: fallback: the last row wins" "$(sql "SELECT close FROM bars WHERE symbol = 'S9' ORDER BY ts LIMIT 1")" 1.75

# sched-plan reads the heads
printf 'symbol,interval,start,end\nS0,5m,2025-12-09T10:35:00Z,2025-12-10T00:00:00Z\n' >"$T/plan.exp"
cat >"$T/c.json" <<'JSON'
{"tickers":["S0"],"interval":"5m","period":"20d","timezone":"UTC"}
JSON
check "partition: sched-plan plans from the newest bar" 0 - "$T/plan.exp" -- \
	env BARS_NOW=2025-12-10T00:00:00Z "$SP" --config "$T/c.json"

# Retention drops whole partitions only.
check "partition: --retain with --init (BARS_NOW is the clock)" 0 - - 'dropped 1 partition older' -- \
	env LOG_LEVEL=info BARS_NOW=2025-06-01 "$LB" --init --retain 365d
is "partition: the old year gone, the rest kept" "$(sql "SELECT count(*) FROM bars WHERE interval = '1d'")" 535
check "partition: --retain after a load" 0 "$T/dup.csv" - -- env BARS_NOW=2026-06-01 "$LB" --json --retain 400d
is "partition: --retain after a load: dropped counted" "$(field partitions_dropped)" 1
DATABASE_URL=$(new_db plain2) check "partition: --retain on an unpartitioned table: exit 2" 2 - - \
	'not partitioned' -- "$LB" --init --retain 700d

# Converting an unpartitioned table: the documented command.
export DATABASE_URL=$(new_db conv)
"$LB" --batch-size 7000 "$T/bars.csv" 2>/dev/null
"$LB" --batch-size 7000 "$T/rev.csv" 2>/dev/null
check "partition: converting an unpartitioned table" 0 - - 'converting' -- env LOG_LEVEL=info "$LB" --init --partition
is "partition: converted: partitioned" "$(sql "SELECT relkind FROM pg_class WHERE relname = 'bars'")" p
is "partition: converted: the same rows" "$(digest)" "$plain"
is "partition: converted: audit trigger on the new table" \
	"$(sql "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'bars'::regclass AND tgname = 'stockbars_audit'")" 1
check "partition: converted: reload changes nothing" 0 "$T/rev.csv" - -- "$LB" --json
is "partition: converted: reload counts" "$(counts)" "0 0 40900 0"
check "partition: --init --partition again does nothing" 0 - - -- "$LB" --init --partition
is "partition: still the same rows" "$(digest)" "$plain"

# A table partitioned on ts alone (as pg_partman makes them): load-bars
# only writes; its partitions are the tool's business.
export DATABASE_URL=$(new_db partman)
sql "CREATE TABLE bars (symbol text NOT NULL, interval text NOT NULL, ts timestamptz NOT NULL,
	open double precision NOT NULL, high double precision NOT NULL, low double precision NOT NULL,
	close double precision NOT NULL, adj_close double precision NOT NULL, volume bigint,
	loaded_at timestamptz NOT NULL DEFAULT now(), run_id bigint,
	PRIMARY KEY (symbol, interval, ts)) PARTITION BY RANGE (ts);
	CREATE TABLE bars_default PARTITION OF bars DEFAULT"
"$LB" --batch-size 7000 "$T/bars.csv" 2>/dev/null
check "partition: a table partitioned on ts alone: revision" 0 "$T/rev.csv" - -- "$LB" --json --batch-size 7000
is "partition: ts alone: counts" "$(counts)" "0 1 40899 0"
is "partition: ts alone: the same table" "$(digest)" "$plain"
is "partition: ts alone: no partitions made by load-bars" "$(parts)" "bars_default"
