# sched-plan against a real PostgreSQL: incremental plans after loads, the
# calendar's "nothing new", overlap, --full, history limits, one query.
. "$TOP/tests/lib.sh"
unset LOG_LEVEL
SP=$BIN/sched-plan
LB=$BIN/load-bars
HDR=symbol,interval,ts,open,high,low,close,adj_close,volume
H=symbol,interval,start,end
cat >"$T/c.json" <<'EOF'
{"tickers":["AAPL","MSFT","GOOGL"],"interval":"5m","period":"20d","timezone":"US/Eastern"}
EOF
cat >"$T/d.json" <<'EOF'
{"tickers":["AAPL"],"interval":"1d","period":"1mo","timezone":"America/New_York"}
EOF

n=0
# plan NAME BARS_NOW ROWS STDERR_PATTERN ARGS...: ROWS '|'-separated, after the header.
plan() {
	name=$1 now=$2 rows=$3 pat=$4; shift 4
	n=$((n + 1))
	{ echo "$H"; [ -n "$rows" ] && echo "$rows" | tr '|' '\n'; } >"$T/exp$n"
	check "sched-plan db: $name" 0 - "$T/exp$n" "$pat" -- env BARS_NOW="$now" "$SP" "$@"
}
load() { printf '%s\n' "$HDR" "$@" | "$LB" 2>"$T/load.err" || cat "$T/load.err" >&2; }
bar() { echo "$1,$2,$3,1,2,0.5,1.5,1.5,100"; }

export DATABASE_URL=$(new_db plan)
SAT=2026-11-21T15:00:00Z
MON=2026-11-23T15:00:00Z

plan "no table yet: whole periods" $SAT \
	"AAPL,5m,2026-11-01T15:00:00Z,2026-11-21T15:00:00Z|MSFT,5m,2026-11-01T15:00:00Z,2026-11-21T15:00:00Z|GOOGL,5m,2026-11-01T15:00:00Z,2026-11-21T15:00:00Z" \
	'' --config "$T/c.json"

# AAPL up to Friday's last 5m bar (15:55 EST), MSFT up to Friday 10:00 EST.
load "$(bar AAPL 5m 2026-11-20T20:50:00Z)" "$(bar AAPL 5m 2026-11-20T20:55:00Z)" \
	"$(bar MSFT 5m 2026-11-20T15:00:00Z)"
plan "Saturday: nothing new for AAPL, MSFT from its newest bar, GOOGL whole period" $SAT \
	"MSFT,5m,2026-11-20T15:00:00Z,2026-11-21T15:00:00Z|GOOGL,5m,2026-11-01T15:00:00Z,2026-11-21T15:00:00Z" \
	'' --config "$T/c.json"
plan "Monday before the first bar ends: still nothing for AAPL" 2026-11-23T14:34:59Z \
	"MSFT,5m,2026-11-20T15:00:00Z,2026-11-23T14:34:59Z" '' --config "$T/c.json" --symbols AAPL,MSFT
plan "Monday: AAPL from its newest bar (one bar of overlap)" $MON \
	"AAPL,5m,2026-11-20T20:55:00Z,2026-11-23T15:00:00Z" '' --config "$T/c.json" --symbols AAPL
plan "--overlap 3" $MON "AAPL,5m,2026-11-20T20:45:00Z,2026-11-23T15:00:00Z" '' \
	--config "$T/c.json" --symbols AAPL --overlap 3
plan "--overlap 0" $MON "AAPL,5m,2026-11-20T21:00:00Z,2026-11-23T15:00:00Z" '' \
	--config "$T/c.json" --symbols AAPL --overlap 0
plan "--full ignores the stored bars" $SAT "AAPL,5m,2026-11-01T15:00:00Z,2026-11-21T15:00:00Z" '' \
	--config "$T/c.json" --symbols AAPL --full
plan "--start overrides the stored bars" $SAT "AAPL,5m,2026-11-20T14:30:00Z,2026-11-21T15:00:00Z" '' \
	--config "$T/c.json" --symbols AAPL --start 2026-11-20T14:30:00Z
plan "--table elsewhere: nothing stored there" $SAT "AAPL,5m,2026-11-01T15:00:00Z,2026-11-21T15:00:00Z" '' \
	--config "$T/c.json" --symbols AAPL --table other_bars

# Once everything is stored up to Friday's close, a weekend run plans nothing.
load "$(bar MSFT 5m 2026-11-20T20:55:00Z)" "$(bar GOOGL 5m 2026-11-20T20:55:00Z)"
plan "a run with nothing new plans nothing" $SAT "" '' --config "$T/c.json"

# Thanksgiving (closed) and the early close the day after.
load "$(bar IBM 5m 2026-11-25T20:55:00Z)"
plan "Thanksgiving: nothing new" 2026-11-26T18:00:00Z "" '' --config "$T/c.json" --symbols IBM
plan "day after Thanksgiving: the session opens again" 2026-11-27T14:40:00Z \
	"IBM,5m,2026-11-25T20:55:00Z,2026-11-27T14:40:00Z" '' --config "$T/c.json" --symbols IBM
load "$(bar IBM 5m 2026-11-27T17:55:00Z)"
plan "after the 13:00 early close: nothing new" 2026-11-27T20:00:00Z "" '' --config "$T/c.json" --symbols IBM

# Daily bars are final once their session closed.
load "$(bar AAPL 1d 2026-11-20T05:00:00Z)"
plan "daily: Saturday after Friday's bar plans nothing" $SAT "" '' --config "$T/d.json"
plan "daily: Monday during the session plans nothing" $MON "" '' --config "$T/d.json"
plan "daily: Monday after the close" 2026-11-23T22:00:00Z \
	"AAPL,1d,2026-11-20T05:00:00Z,2026-11-23T22:00:00Z" '' --config "$T/d.json"

# A newest bar older than the provider's history: shortened, and said so.
load "$(bar OLD 5m 2026-01-02T15:00:00Z)"
plan "old newest bar: history limit" 2026-11-24T21:30:00Z \
	"OLD,5m,2026-09-25T21:35:00Z,2026-11-24T21:30:00Z" 'OLD 5m: .*beyond the 60 days' \
	--config "$T/c.json" --symbols OLD

# One query for all symbols, not one per symbol.
if [ -n "${TEST_PG_DIR:-}" ] && [ -r "$TEST_PG_DIR/server.log" ]; then
	before=$(grep -c 'max(b.ts)' "$TEST_PG_DIR/server.log")
	BARS_NOW=$MON PGOPTIONS='-c log_statement=all' "$SP" --config "$T/c.json" --symbols AAPL,MSFT,GOOGL,IBM,OLD >/dev/null 2>&1
	after=$(grep -c 'max(b.ts)' "$TEST_PG_DIR/server.log")
	if [ $((after - before)) -eq 1 ]; then ok "sched-plan db: one query for five symbols"
	else not_ok "sched-plan db: one query for five symbols" "$((after - before)) statements"; fi
fi

check "sched-plan db: unreachable database is an error, not a full re-plan" 3 - - 'database: ' -- \
	env DATABASE_URL="postgresql:///nosuchdb?host=/nonexistent" BARS_NOW=$SAT "$SP" --config "$T/c.json"

# --- shards: four shard pipelines at once end with the table one run makes ---
start_fake
cat >"$T/s.json" <<'EOF'
{"tickers":["AAPL","MSFT","GOOGL","AMZN","NVDA","META","BRK-B","^GSPC","JPM","V","XOM","KO"],
 "interval":"5m","period":"5d","timezone":"America/New_York"}
EOF
pipe() { # pipe DATABASE_URL [sched-plan args]: one pipeline; its exit status
	db=$1; shift
	BARS_NOW=$MON DATABASE_URL=$db "$SP" --config "$T/s.json" "$@" |
		"$BIN/fetch-bars" --rate 0 | "$BIN/normalize-bars" | "$BIN/validate-bars" |
		DATABASE_URL=$db "$LB" >/dev/null
}
table() { psql -XAt "$1" -c "SELECT count(*) || ' ' || md5(string_agg(concat_ws(',', symbol, interval, ts,
	open, high, low, close, adj_close, volume), ';' ORDER BY symbol, interval, ts)) FROM bars"; }
ONE=$(new_db one)
SHARDED=$(new_db sharded)
pipe "$ONE" 2>"$T/one.err" || not_ok "sched-plan db: unsharded pipeline" "$(head -c 600 "$T/one.err")"
pids=""
for k in 0 1 2 3; do
	pipe "$SHARDED" --shard $k/4 2>"$T/shard$k.err" &
	pids="$pids $!"
done
failed=0
for p in $pids; do wait "$p" || failed=$((failed + 1)); done
[ $failed -eq 0 ] && ok "sched-plan db: four shard pipelines ran concurrently" ||
	not_ok "sched-plan db: four shard pipelines ran concurrently" "$failed failed: $(cat "$T"/shard*.err | head -c 600)"
a=$(table "$ONE") b=$(table "$SHARDED")
[ "$a" = "$b" ] && [ "${a%% *}" -gt 2000 ] && ok "sched-plan db: sharded table equals the unsharded one ($a)" ||
	not_ok "sched-plan db: sharded table equals the unsharded one" "one: $a; sharded: $b"
for k in 0 1 2 3; do BARS_NOW=$MON "$SP" --config "$T/s.json" --shard $k/4 | tail -n +2; done | sort >"$T/shards.csv"
BARS_NOW=$MON "$SP" --config "$T/s.json" | tail -n +2 | sort >"$T/all.csv"
expect "sched-plan db: the shards' plans are the whole plan, once" "cmp '$T/all.csv' '$T/shards.csv'"
expect "sched-plan db: every shard loaded its own rows" \
	"[ \$(psql -XAt '$SHARDED' -c 'SELECT count(*) FROM load_runs WHERE inserted > 0') -eq 4 ]"
