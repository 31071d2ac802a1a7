# Daily finality end to end: sched-plan | fetch-bars | normalize-bars |
# validate-bars | load-bars against the fake provider and PostgreSQL.  A
# daily job after the close (17:30 New York) stores that day's bar, and a
# second run the same evening sends no request at all.
. "$TOP/tests/lib.sh"
unset LOG_LEVEL
export DATABASE_URL=$(new_db final)
start_fake --log "$T/requests.log" --now-file "$T/now"
cat >"$T/d.json" <<'JSON'
{"tickers":["AAPL","MSFT"],"interval":"1d","period":"10d","timezone":"America/New_York"}
JSON

# run NOW: the pipeline once at NOW; the plan is kept in $T/plan.csv.
run() {
	export BARS_NOW=$1
	echo "$1" >"$T/now"
	"$BIN/sched-plan" --config "$T/d.json" 2>>"$T/run.err" | tee "$T/plan.csv" |
		"$BIN/fetch-bars" 2>>"$T/run.err" | "$BIN/normalize-bars" 2>>"$T/run.err" |
		"$BIN/validate-bars" 2>>"$T/run.err" | "$BIN/load-bars" 2>>"$T/run.err"
}
requests() { wc -l <"$T/requests.log"; }
newest() { psql -XAt "$DATABASE_URL" -c "SELECT string_agg(symbol || ' ' || to_char(m AT TIME ZONE 'America/New_York', 'YYYY-MM-DD'), ',' ORDER BY symbol) FROM (SELECT symbol, max(ts) m FROM bars GROUP BY 1) s"; }
# stored NAME WANT: the newest stored date of each symbol
stored() { got=$(newest); [ "$got" = "$2" ] && ok "$1" || not_ok "$1" "got '$got', want '$2'"; }

# Monday 2026-11-23, 16:15 New York: the session closed, not yet settled.
run 2026-11-23T21:15:00Z
stored "finality: at 16:15 the stored series ends on Friday" "AAPL 2026-11-20,MSFT 2026-11-20"
before=$(requests)
run 2026-11-23T21:20:00Z
expect "finality: 16:20, Monday still not final: no request" "[ $(requests) -eq $before ]"
run 2026-11-23T22:30:00Z
stored "finality: the 17:30 run stores that day's bar" "AAPL 2026-11-23,MSFT 2026-11-23"
expect "finality: the 17:30 run asked once per symbol" "[ $(requests) -eq $((before + 2)) ]"
before=$(requests)
run 2026-11-24T00:00:00Z
expect "finality: a second run that evening plans nothing" "[ \$(wc -l <'$T/plan.csv') -eq 1 ]"
expect "finality: and sends no request" "[ $(requests) -eq $before ]"
# The day after Thanksgiving closes at 13:00: final at 13:30.
run 2026-11-27T18:20:00Z
stored "finality: 13:20 on an early-close day: not final" "AAPL 2026-11-25,MSFT 2026-11-25"
run 2026-11-27T18:40:00Z
stored "finality: 13:40 on an early-close day: stored" "AAPL 2026-11-27,MSFT 2026-11-27"
expect "finality: no errors on stderr" "! grep -v -e ': info: ' -e '^load-bars: ' '$T/run.err'"
