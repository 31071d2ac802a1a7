# load-bars through a real PostgreSQL: idempotency, revisions and their
# audit, duplicate keys, malformed rows, lost connections, concurrent
# loaders, SIGTERM, migrations, corporate actions, quoting, masking.
. "$TOP/tests/lib.sh"
unset LOG_LEVEL
LB=$BIN/load-bars
HDR=symbol,interval,ts,open,high,low,close,adj_close,volume

# gen SYMBOL COUNT [FIRST_EPOCH] [PRICE_SHIFT]: COUNT 5m bars, no header.
gen() {
	awk -v s="$1" -v n="$2" -v t0="${3:-1763650800}" -v d="${4:-0}" 'BEGIN {
		for (i = 0; i < n; i++) {
			p = 100 + (i % 97) / 4 + d
			printf "%s,5m,%s,%.2f,%.2f,%.2f,%.2f,%.2f,%d\n", s, \
				strftime("%Y-%m-%dT%H:%M:%SZ", t0 + 300 * i, 1), \
				p, p + 1, p - 1, p + 0.5, p + 0.5, 1000 + i % 97
		}
	}'
}
sql() { psql -X -Atq "$DB" -c "$1"; }
# A digest of the whole bars table, to compare with a clean run.
digest() {
	psql -X -Atq "$1" -c "SELECT count(*) || ' ' || md5(coalesce(string_agg(
		concat_ws(',', symbol, interval, extract(epoch FROM ts), open, high,
		low, close, adj_close, coalesce(volume::text, '-')), ';'
		ORDER BY symbol, interval, ts), '')) FROM ${2:-bars}"
}
# field NAME FILE: a number from the --json object.
field() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" "$2"; }
# counts FILE: "inserted updated unchanged" from --json output.
counts() { echo "$(field inserted "$1") $(field updated "$1") $(field unchanged "$1")"; }
is() { # is NAME GOT WANT
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got '$2', want '$3'"; fi
}

{ echo "$HDR"; gen AAPL 300; gen MSFT 200; } >"$T/base.csv"

# --- idempotency --------------------------------------------------------
DB=$(new_db idem)
export DATABASE_URL="$DB"
# Usage errors name the one bad argument (exit 2).
while IFS='|' read -r args pat; do
	# shellcheck disable=SC2086
	check "load-bars: usage: $args" 2 - - "$pat" -- "$LB" $args
done <<'USAGE'
--txn foo|^load-bars: --txn foo: want run or batch
--retries 101|^load-bars: --retries 101: want 0 to 100
--schema a-b|^load-bars: --schema 'a-b': not a plain name
--table 1x|^load-bars: --table '1x': not a plain name
--batch-size 0|^load-bars: --batch-size 0: want 1 to 10000000
--partition|^load-bars: --partition goes with --init
--init x.csv|^load-bars: --init takes no input
USAGE
check "load-bars: a missing file is named before any connection attempt" 1 - - \
	'^load-bars: /nonexistent/bars.csv: No such file' -- \
	env DATABASE_URL='host=/nonexistent connect_timeout=1' "$LB" --retries 0 /nonexistent/bars.csv
check "load-bars: first load" 0 "$T/base.csv" - \
	'rows_in=500 inserted=500 updated=0 unchanged=0 rejected=0' -- "$LB" --json
cp "$T/out" "$T/first.json"
is "load-bars: --json first load counts" "$(counts "$T/first.json")" "500 0 0"
check "load-bars: second load changes nothing" 0 "$T/base.csv" - \
	'rows_in=500 inserted=0 updated=0 unchanged=500' -- "$LB" --json
is "load-bars: --json second load counts" "$(counts "$T/out")" "0 0 500"
is "load-bars: load_runs rows with counts" \
	"$(sql "SELECT string_agg(concat_ws(' ', status, rows_in, inserted, updated, unchanged,
		finished_at >= started_at, host <> '', pid > 0), '|' ORDER BY id) FROM load_runs")" \
	"ok 500 500 0 0 t t t|ok 500 0 0 500 t t t"
is "load-bars: unchanged rows are not rewritten" \
	"$(sql "SELECT count(DISTINCT run_id) || ' ' || min(run_id) FROM bars")" "1 1"
check "load-bars: file operands, stdin as -" 0 "$T/base.csv" - 'rows_in=1000 inserted=0' -- \
	"$LB" "$T/base.csv" -
expect "load-bars: quiet at LOG_LEVEL=warn" \
	"[ -z \"\$(LOG_LEVEL=warn '$LB' <'$T/base.csv' 2>&1 >/dev/null)\" ]"
is "load-bars: --init twice" "$("$LB" --init && "$LB" --init && echo ok)" ok
is "load-bars: migrations recorded once" \
	"$(sql "SELECT string_agg(target || ':' || version, ',' ORDER BY target, version) FROM schema_migrations")" \
	":1,:2,:3,:4,:5,:6,:7,:8,bars:1,bars:2,bars:3,bars:4,bars:5"
is "load-bars: --init keeps the data" "$(sql "SELECT count(*) FROM bars")" 500

# --- revision and audit -------------------------------------------------
sed 's/^AAPL,5m,2025-11-20T15:05:00Z,100.25,/AAPL,5m,2025-11-20T15:05:00Z,99.5,/' "$T/base.csv" >"$T/rev.csv"
expect "load-bars: revision input differs in one row" "[ \$(diff '$T/base.csv' '$T/rev.csv' | grep -c '^>') -eq 1 ]"
check "load-bars: a revised bar is updated once" 0 "$T/rev.csv" - - -- "$LB" --json
is "load-bars: revision counts" "$(counts "$T/out")" "0 1 499"
is "load-bars: revision audited with old and new values" \
	"$(sql "SELECT concat_ws(' ', symbol, interval, ts, old_open, new_open, old_close, new_close, run_id = (SELECT max(id) FROM load_runs)) FROM bar_changes")" \
	"AAPL 5m 2025-11-20 15:05:00+00 100.25 99.5 100.75 100.75 t"
check "load-bars: the revision again changes nothing" 0 "$T/rev.csv" - - -- "$LB" --json
is "load-bars: no second audit row" "$(counts "$T/out") $(sql "SELECT count(*) FROM bar_changes")" "0 0 500 1"
check "load-bars: --no-audit" 0 "$T/base.csv" - - -- "$LB" --json --no-audit
is "load-bars: --no-audit updates without an audit row" "$(counts "$T/out") $(sql "SELECT count(*) FROM bar_changes")" "0 1 499 1"
printf '%s\nAAPL,5m,2025-11-20T15:05:00Z,100.25,101.25,99.25,100.75,100.75,\n' "$HDR" >"$T/novol.csv"
check "load-bars: volume becoming NULL is a change" 0 "$T/novol.csv" - - -- "$LB" --json
is "load-bars: NULL volume stored and audited" \
	"$(counts "$T/out") $(sql "SELECT coalesce(volume::text, 'null') FROM bars WHERE ts = '2025-11-20T15:05:00Z' AND symbol = 'AAPL'") $(sql "SELECT old_volume || ' ' || coalesce(new_volume::text, 'null') FROM bar_changes ORDER BY id DESC LIMIT 1")" \
	"0 1 0 null 1001 null"

# --- duplicate keys in one input: the last row wins ---------------------
DB=$(new_db dup)
export DATABASE_URL="$DB"
# the same key three ways: plain date, full and short ISO forms
printf '%s\nAAPL,1d,2025-11-20,1,2,0.5,1.5,1.5,10\nAAPL,1d,2025-11-20T00:00:00Z,1,2,0.5,1.5,1.5,10\nAAPL,1d,2025-11-20T00:00Z,1,2,0.5,1.75,1.75,20\nAAPL,1d,2025-11-21,1,2,0.5,1.5,1.5,10\n' "$HDR" >"$T/dup.csv"
check "load-bars: duplicate keys across batches" 0 "$T/dup.csv" - 'duplicates=1' -- "$LB" --json --batch-size 2
is "load-bars: across batches the later batch updates" "$(field duplicates "$T/out") $(counts "$T/out")" "1 2 1 0"
is "load-bars: across batches the last row wins" \
	"$(sql "SELECT string_agg(close || '/' || volume, ' ' ORDER BY ts) FROM bars")" "1.75/20 1.5/10"
DB=$(new_db dup2)
export DATABASE_URL="$DB"
check "load-bars: duplicate keys in one batch" 0 "$T/dup.csv" - 'duplicates=2' -- "$LB" --json
is "load-bars: duplicates counted in one batch" "$(field duplicates "$T/out") $(counts "$T/out")" "2 2 0 0"
is "load-bars: last duplicate wins" \
	"$(sql "SELECT string_agg(close || '/' || volume, ' ' ORDER BY ts) FROM bars")" "1.75/20 1.5/10"

# --- malformed rows: the run (or the batch) fails, nothing committed ----
DB=$(new_db bad)
export DATABASE_URL="$DB"
{ cat "$T/base.csv"; echo "IBM,5m,2025-11-20T15:00:00Z,1,2,0.5,abc,1,1"; gen IBM 10; } >"$T/bad.csv"
check "load-bars: malformed row fails the run with its line" 1 "$T/bad.csv" - \
	'^load-bars: -:502: bad_price: close$' -- "$LB" --batch-size 100
is "load-bars: nothing of the failed run committed" "$(sql "SELECT count(*) FROM bars")" 0
is "load-bars: failed run recorded with its error" \
	"$(sql "SELECT status || ' ' || error || ' ' || rejected FROM load_runs")" \
	"failed -:502: bad_price: close 1"
check "load-bars: malformed file names the file" 1 - - "bad.csv:502: bad_price: close" -- "$LB" "$T/bad.csv"
check "load-bars: --txn batch keeps earlier batches" 1 "$T/bad.csv" - 'bad_price' -- \
	"$LB" --txn batch --batch-size 100
is "load-bars: --txn batch: whole batches only" "$(sql "SELECT count(*) FROM bars")" 500
printf 'symbol,interval,time,open,high,low,close,adj_close,volume\n' >"$T/hdr.csv"
check "load-bars: wrong header" 1 "$T/hdr.csv" - 'header' -- "$LB"
printf '%s\nAAPL,5m,2025-11-20T15:00:00Z,1,2,0.5,1,1\n' "$HDR" >"$T/short.csv"
check "load-bars: short row" 1 "$T/short.csv" - '^load-bars: -:2: bad_field_count$' -- "$LB"
printf '%s\nAA PL,5m,2025-11-20T15:00:00Z,1,2,0.5,1,1,1\n' "$HDR" >"$T/sym.csv"
check "load-bars: bad symbol" 1 "$T/sym.csv" - '^load-bars: -:2: bad_symbol: symbol$' -- "$LB"
check "load-bars: missing file" 1 - - 'nope.csv: No such file' -- "$LB" "$T/nope.csv"

# --- lost connection: replayed, final table equals a clean run ----------
{ echo "$HDR"; gen AAPL 150000; gen MSFT 150000 1763650800 3; } >"$T/big.csv"
DB=$(new_db clean)
DATABASE_URL="$DB" "$LB" --no-audit <"$T/big.csv" 2>/dev/null
clean=$(digest "$DB")
# kill_load MODE [pipe]: terminate the loader's backend while it works;
# with pipe the input comes through a pipe (spooled for the replay).
kill_load() {
	DB=$(new_db "kill$1${2:-}")
	if [ -n "${2:-}" ]; then
		cat "$T/big.csv" | DATABASE_URL="$DB" PGAPPNAME="lbkill$1" "$LB" --txn "$1" \
			--batch-size 20000 --json >"$T/kill.out" 2>"$T/kill.err" &
	else
		DATABASE_URL="$DB" PGAPPNAME="lbkill$1" "$LB" --txn "$1" --batch-size 20000 \
			--json "$T/big.csv" >"$T/kill.out" 2>"$T/kill.err" &
	fi
	pid=$!
	i=0 killed=f
	while [ $i -lt 300 ] && [ "$killed" != t ]; do
		killed=$(psql -X -Atq "$DB" -c "SELECT coalesce(bool_or(pg_terminate_backend(pid)), false)
			FROM pg_stat_activity WHERE application_name = 'lbkill$1'
			AND (query LIKE 'COPY%' OR query LIKE 'WITH src%')")
		i=$((i + 1))
		sleep 0.02
	done
	wait $pid
	rc=$?
	how="--txn $1${2:+, from a pipe}"
	is "load-bars: $how: loader's backend terminated mid-load" "$killed" t
	is "load-bars: $how: exit 0 after the replay" "$rc" 0
	expect "load-bars: $how: replay said on stderr" "grep -q 'replaying the' '$T/kill.err'"
	is "load-bars: $how: table equals a clean run" "$(digest "$DB")" "$clean"
	is "load-bars: $how: one run, ok" "$(DB=$DB sql "SELECT string_agg(status || ' ' || rows_in, ',') FROM load_runs")" "ok 300000"
}
kill_load run
kill_load batch
kill_load run pipe

# a server restart during a load
if [ -n "${TEST_PG_DIR:-}" ]; then
	DB=$(new_db restart)
	DATABASE_URL="$DB" PGAPPNAME=lbrestart "$LB" --batch-size 20000 "$T/big.csv" 2>"$T/restart.err" &
	pid=$!
	i=0
	until [ $i -ge 300 ] || [ "$(psql -X -Atq "$DB" -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'lbrestart' AND (query LIKE 'COPY%' OR query LIKE 'WITH src%')")" = 1 ]; do
		i=$((i + 1)); sleep 0.02
	done
	# held while the server restarts, so the restart always lands mid-load
	kill -STOP $pid
	"$TOP/scripts/pg" restart "$TEST_PG_DIR" >/dev/null 2>&1
	kill -CONT $pid
	wait $pid
	rc=$?; [ $rc -eq 0 ] || cat "$T/restart.err" >&2
	is "load-bars: server restart mid-load: exit 0" "$rc" 0
	is "load-bars: server restart mid-load: table equals a clean run" "$(digest "$DB")" "$clean"
	expect "load-bars: server restart mid-load: the batch was replayed" "grep -q 'replaying the' '$T/restart.err'"
fi

# --- concurrent loaders on the same table -------------------------------
{ echo "$HDR"; gen AAPL 60000; gen MSFT 30000; } >"$T/c1.csv"
# c2 overlaps c1 by 30900 AAPL bars (a multiple of gen's 97-bar cycle), same values
{ echo "$HDR"; gen AAPL 60000 1772380800; gen MSFT 30000; gen IBM 30000; } >"$T/c2.csv"
DB=$(new_db cclean)
cat "$T/c1.csv" "$T/c2.csv" | grep -v '^symbol' | { echo "$HDR"; cat; } | DATABASE_URL="$DB" "$LB" 2>/dev/null
cclean=$(digest "$DB")
for mode in run batch; do
	DB=$(new_db "conc$mode")
	DATABASE_URL="$DB" "$LB" --txn $mode --batch-size 10000 "$T/c1.csv" 2>"$T/c1.err" &
	p1=$!
	DATABASE_URL="$DB" "$LB" --txn $mode --batch-size 10000 "$T/c2.csv" 2>"$T/c2.err" &
	p2=$!
	wait $p1; r1=$?
	wait $p2; r2=$?
	is "load-bars: concurrent loaders (--txn $mode) both succeed" "$r1 $r2" "0 0"
	is "load-bars: concurrent loaders (--txn $mode) equal a clean run" "$(digest "$DB")" "$cclean"
done
is "load-bars: concurrent loaders: migrations applied once" \
	"$(sql "SELECT count(*) FROM schema_migrations")" 13

# --- SIGTERM: cancel the statement, roll back the batch, never half -----
# (--txn batch: signalled once a batch is committed, so whole batches stay)
for mode in run batch; do
	DB=$(new_db "term$mode")
	DATABASE_URL="$DB" PGAPPNAME="lbterm$mode" "$LB" --txn $mode --batch-size 7000 "$T/big.csv" 2>"$T/term.err" &
	pid=$!
	i=0
	if [ $mode = run ]; then
		busy="SELECT count(*) FROM pg_stat_activity WHERE application_name = 'lbtermrun'
			AND state = 'active' AND (query LIKE 'COPY%' OR query LIKE 'WITH src%')"
	else
		busy="SELECT least(count(*), 1) FROM load_runs WHERE inserted > 0"
	fi
	until [ $i -ge 300 ] || [ "$(psql -X -Atq "$DB" -c "$busy" 2>/dev/null)" = 1 ]; do
		i=$((i + 1)); sleep 0.02
	done
	kill -TERM $pid
	wait $pid
	rc=$?
	n=$(sql "SELECT count(*) FROM bars")
	is "load-bars: SIGTERM (--txn $mode) exits 1" "$rc" 1
	expect "load-bars: SIGTERM (--txn $mode) said so" "grep -q 'terminated by signal' '$T/term.err'"
	if [ $mode = run ]; then
		is "load-bars: SIGTERM (--txn run) rolls the run back" "$n" 0
	else
		is "load-bars: SIGTERM (--txn batch) leaves whole batches ($n rows)" \
			"$(( n > 0 && n < 300000 && n % 7000 == 0 ))" 1
	fi
	is "load-bars: SIGTERM (--txn $mode) run recorded as interrupted" \
		"$(sql "SELECT status || ' ' || (finished_at IS NOT NULL) FROM load_runs")" "interrupted true"
done

# --- corporate actions --------------------------------------------------
DB=$(new_db events)
export DATABASE_URL="$DB"
printf 'symbol,ts,kind,value,numerator,denominator\nAAPL,2025-08-11,dividend,0.26,,\nAAPL,2020-08-31T13:30:00Z,split,,4,1\n' >"$T/ev.csv"
check "load-bars: --events loads the actions" 0 - - -- "$LB" --json --events "$T/ev.csv"
is "load-bars: --events counts" "$(field events_inserted "$T/out") $(field events_updated "$T/out")" "2 0"
check "load-bars: --events again is idempotent" 0 - - -- "$LB" --json --events "$T/ev.csv"
is "load-bars: --events alone closes its load_runs row" \
	"$(sql "SELECT string_agg(status, ',' ORDER BY id) FROM load_runs")" "ok,ok"
is "load-bars: --events second counts" "$(field events_inserted "$T/out") $(field events_updated "$T/out") $(field events_unchanged "$T/out")" "0 0 2"
sed 's/0.26/0.27/' "$T/ev.csv" >"$T/ev2.csv"
check "load-bars: --events with bars" 0 "$T/base.csv" - - -- "$LB" --json --events "$T/ev2.csv" -
is "load-bars: --events revision and bars" "$(field events_updated "$T/out") $(field inserted "$T/out")" "1 500"
is "load-bars: corporate_actions table" \
	"$(sql "SELECT string_agg(concat_ws(' ', symbol, kind, value, numerator, denominator), ',' ORDER BY ts) FROM corporate_actions")" \
	"AAPL split 4 4 1,AAPL dividend 0.27"
printf 'symbol,ts,kind,value,numerator,denominator\nAAPL,2025-08-11,div;drop,0.26,,\n' >"$T/evbad.csv"
check "load-bars: bad event row names the line" 1 - - 'evbad.csv:2: bad kind' -- "$LB" --events "$T/evbad.csv"

# --- names are quoted; connection errors; usage -------------------------
DB=$(new_db names)
export DATABASE_URL="$DB"
check "load-bars: --schema/--table with other names" 0 "$T/base.csv" - - -- \
	"$LB" --schema Market --table bars_5m
is "load-bars: other names stored as given" "$(digest "$DB" '"Market".bars_5m' | cut -d' ' -f1)" 500
check "load-bars: names that are not plain identifiers refused" 2 "$T/base.csv" - 'usage: load-bars' -- \
	"$LB" --schema 'My "Schema"' --table 'bars; DROP TABLE x'
check "sched-plan: names that are not plain identifiers refused" 2 - - 'usage: sched-plan' -- \
	sched-plan --config "$TOP/examples/config.json" --table 'bars x'

check "load-bars: unreachable database exits 3, password masked" 3 "$T/base.csv" - \
	'database: postgresql://bob:\*\*\*@127\.0\.0\.1:1/db' -- \
	env DATABASE_URL=postgresql://bob:hunter2@127.0.0.1:1/db "$LB" --retries 1
expect "load-bars: password never printed" \
	"! env DATABASE_URL='host=127.0.0.1 port=1 password=hunter2' '$LB' --retries 0 <'$T/base.csv' 2>&1 | grep -q hunter2"
check "load-bars: bad --txn" 2 - - 'usage: load-bars' -- "$LB" --txn sometimes
check "load-bars: bad --batch-size" 2 - - 'batch-size' -- "$LB" --batch-size 0
check "load-bars: --init takes no input" 2 - - 'usage: load-bars' -- "$LB" --init "$T/base.csv"

# --- a fixture with a split and a dividend through normalize-bars and
#     validate-bars, twice: the synthetic one always, the recorded one as an
#     extra layer when present.  fixture_load NAME FILE SYMBOL FETCHED_AT
#     BARS SPLIT_AND_DIVIDEND ---
fixture_load() {
	DB=$(new_db "fixture$1")
	export DATABASE_URL="$DB"
	for n in 1 2; do
		"$BIN/normalize-bars" --provider yahoo --symbol "$3" --interval 1d \
			--fetched-at "$4" --events "$T/fev.csv" "$2" 2>/dev/null |
			"$BIN/validate-bars" 2>/dev/null |
			"$LB" --json --events "$T/fev.csv" - >"$T/fix$n.json" 2>/dev/null
	done
	is "load-bars: $1 fixture pipeline, first run" \
		"$(counts "$T/fix1.json") $(field events_inserted "$T/fix1.json")" "$5 0 0 2"
	is "load-bars: $1 fixture pipeline, second run changes nothing" \
		"$(counts "$T/fix2.json") $(field events_inserted "$T/fix2.json") $(field events_updated "$T/fix2.json")" "0 0 $5 0 0"
	is "load-bars: $1 fixture split and dividend stored" \
		"$(sql "SELECT string_agg(kind || ' ' || value, ',' ORDER BY ts) FROM corporate_actions")" "$6"
}
F=$(ls "$TOP"/tests/fixtures/yahoo/SYNA-1d-2026-09-28-*.json)
fixture_load synthetic "$F" SYNA 2026-11-20T00:00:00Z \
	$(($(wc -l <"$TOP/tests/fixtures/expected/yahoo-SYNA-1d-2026-09-28-to-11-06.csv") - 1)) "split 2,dividend 0.26"
F=$FIXTURES/yahoo/AAPL-1d-2020-08-31-to-11-07-dividend-and-split.json
if [ -r "$F" ]; then
	fixture_load recorded "$F" AAPL 2020-12-01T00:00:00Z 49 "split 4,dividend 0.205"
else
	skip "load-bars: recorded fixture pipeline" "no recorded fixtures in $FIXTURES (a plain clone): the synthetic ones in tests/fixtures ran"
fi
