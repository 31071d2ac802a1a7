# End to end: the five tools through the fake provider into a real PostgreSQL.
. "$TOP/tests/lib.sh"

export BARS_NOW=2026-11-24T21:30:00Z   # a Tuesday, after the close
export DATABASE_URL=$(new_db pipeline)
start_fake --log "$T/requests.log"
cat >"$T/c.json" <<'JSON'
{"tickers":["AAPL","MSFT"],"interval":"5m","period":"20d","timezone":"US/Eastern"}
JSON

run() { "$TOP/scripts/run-pipeline" "$T/c.json" 2>"$T/run.err"; }
export BARS_STATE_DIR="$T/state"

check "pipeline: first run loads" 0 - - -- "$TOP/scripts/run-pipeline" "$T/c.json"
# 2026-11-04T21:30Z + 20 days: the sessions of Nov 5 .. Nov 24 (14 days, 78 bars each).
sql_is "pipeline: 1092 bars per symbol" "AAPL=1092 MSFT=1092" \
	"SELECT string_agg(symbol || '=' || n, ' ' ORDER BY symbol) FROM (SELECT symbol, count(*) n FROM bars GROUP BY 1) s"
sql_is "pipeline: bars lie in regular sessions" 0 \
	"SELECT count(*) FROM bars WHERE (ts AT TIME ZONE 'America/New_York')::time NOT BETWEEN '09:30' AND '15:55'"
sql_is "pipeline: prices are sane" 0 \
	"SELECT count(*) FROM bars WHERE low > least(open, close) OR high < greatest(open, close) OR low <= 0"
before=$(wc -l <"$T/requests.log")
check "pipeline: second run" 0 - - -- "$TOP/scripts/run-pipeline" "$T/c.json"
sql_is "pipeline: second run changes nothing" "0,0" \
	"SELECT inserted || ',' || updated FROM load_runs ORDER BY id DESC LIMIT 1"
expect "pipeline: second run asks only for the overlap" \
	"[ \$(wc -l <'$T/requests.log') -le \$(( $before + 2 )) ]"
sql_is "pipeline: no duplicate bars" 0 \
	"SELECT count(*) - count(DISTINCT (symbol, interval, ts)) FROM bars"

# A weekend run after Friday's close: nothing can be new, nothing is requested.
before=$(wc -l <"$T/requests.log")
BARS_NOW=2026-11-21T15:00:00Z sched-plan --config "$T/c.json" >"$T/plan-weekend.csv" 2>/dev/null
expect "pipeline: weekend plan after a full load is empty" \
	"[ \$(wc -l <'$T/plan-weekend.csv') -le 1 ]"

# One bad plan row must not stop the others, and must name its line.
printf 'symbol,interval,start,end\nAAPL,5m,2026-11-24,2026-11-25\nA;B,5m,2026-11-24,2026-11-25\nMSFT,5m,2026-11-24,2026-11-25\n' >"$T/plan.csv"
fetch-bars "$T/plan.csv" >"$T/out.ndjson" 2>"$T/fetch.err"
expect "pipeline: bad plan row reported with its line" "grep -q 'plan.csv:3' '$T/fetch.err'"
expect "pipeline: good rows fetched despite a bad one" "[ \$(wc -l <'$T/out.ndjson') -eq 2 ]"
