# Corporate actions under scheduled runs (issue 11): a month of daily runs
# of the pipeline definition (sched-run --once, both jobs at 17:30 New York)
# against the fake provider, across a 4:1 split and two dividends, leaves
# tables equal, row for row, to a fresh backfill at the same final moment;
# a stale series is fetched again once, in one request, and a failed
# re-fetch is asked for again.
. "$TOP/tests/lib.sh"
unset LOG_LEVEL
D1=$(new_db month)
start_fake --log "$T/requests.log" --now-file "$T/now" \
	--split XSPL=2026-11-16:4:1 --dividend XSPL=2026-11-09:0.5 --dividend XSPL=2026-11-23:0.25 \
	--dividend XDIV=2026-11-18:0.4
GOOD_URL=$BARS_YAHOO_URL
cat >"$T/c.json" <<'JSON'
{"tickers":["XSPL","XDIV","XPLN"],"timezone":"America/New_York","jobs":[
 {"name":"daily","interval":"1d","period":"1mo","schedule":"30 17 * * 1-5"},
 {"name":"intraday","interval":"5m","period":"10d","schedule":"30 17 * * 1-5"}]}
JSON
# The backfill: the same series, periods reaching past what the month stored.
sed -e 's/"1mo"/"3mo"/' -e 's/"10d"/"60d"/' "$T/c.json" >"$T/full.json"
export BARS_STATE_DIR="$T/state"
mkdir -p "$BARS_STATE_DIR"
sql() { psql -XAt "$1" -c "$2" 2>&1; }
is() { [ "$2" = "$3" ] && ok "$1" || not_ok "$1" "got '$2', want '$3'"; }
requests() { wc -l <"$T/requests.log"; }

# run DB NOW [CONFIG]: both jobs once at NOW, as cron or systemd run them.
run() {
	echo "$2" >"$T/now"
	BARS_NOW=$2 DATABASE_URL=$1 sched-run --once --no-api --lock-file "$T/lock" \
		--state-file "$T/sched.state" --log-file "$T/sched.log" "${3:-$T/c.json}" \
		>>"$T/run.out" 2>&1
}
# since N: the request lines after the first N
since() { tail -n +"$(($1 + 1))" "$T/requests.log"; }
# epoch NAME DB SYMBOL IV: the oldest stored bar, as epoch seconds
oldest() { sql "$1" "SELECT extract(epoch FROM min(ts))::bigint FROM bars WHERE symbol = '$2' AND interval = '$3'"; }
# asked FILE SYMBOL IV: the period1 of SYMBOL's requests of IV in FILE
asked() { sed -n "s|^/v8/finance/chart/$2?period1=\([0-9]*\)&.*interval=$3&.*|\1|p" "$1" | tr '\n' ' '; }

# invariant LABEL DB NOW: a fresh backfill at NOW, into a new (partitioned)
# database, equals DB's tables row for row (1d and 5m, from DB's oldest bar).
dump() { # DB IV FROM: the rows of IV from FROM on, sorted
	sql "$1" "SELECT symbol, ts, open, high, low, close, adj_close, volume FROM bars
		WHERE interval = '$2' AND ts >= to_timestamp($3) ORDER BY symbol, ts"
}
invariant() {
	fresh=$(new_db "fresh$(echo "$3" | tr -dc 0-9 | cut -c5-8)")
	DATABASE_URL=$fresh load-bars --init --partition 2>/dev/null
	run "$fresh" "$3" "$T/full.json"
	for iv in 1d 5m; do
		from=$(sql "$2" "SELECT extract(epoch FROM min(ts))::bigint FROM bars WHERE interval = '$iv'")
		dump "$2" $iv "$from" >"$T/d1.$iv"
		dump "$fresh" $iv "$from" >"$T/d2.$iv"
		is "invariant $1: $iv rows stored by the scheduled runs" "$(wc -l <"$T/d1.$iv" | tr -d ' ')" \
			"$(wc -l <"$T/d2.$iv" | tr -d ' ')"
		is "invariant $1: $iv rows differing from a fresh backfill" \
			"$(diff "$T/d1.$iv" "$T/d2.$iv" | grep -c '^[<>]')" 0
	done
	echo "$fresh" >"$T/last-fresh"
}

# A month of weekday runs at 17:30 New York (22:30 UTC after 1 November).
days=$(python3 -c 'import datetime as d
t = d.date(2026, 11, 2)
while t <= d.date(2026, 12, 4):
    if t.weekday() < 5: print(t)
    t += d.timedelta(1)')
fails=0
for day in $days; do
	n=$(requests)
	case $day in
	2026-11-16)
		# The split's day: only the daily job runs, against a second
		# fake that serves XSPL's first request (the run's own, which
		# shows the split) and fails every later one (the re-fetch).
		"$PY" "$TOP/tests/fake_yahoo.py" --port-file "$T/bad.port" --now-file "$T/now" \
			--log "$T/requests.log" --fault XSPL=404:+1 --split XSPL=2026-11-16:4:1 \
			--dividend XSPL=2026-11-09:0.5 --dividend XSPL=2026-11-23:0.25 \
			--dividend XDIV=2026-11-18:0.4 2>/dev/null &
		bad=$!
		i=0; while [ ! -s "$T/bad.port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
		echo "${day}T22:30:00Z" >"$T/now"
		BARS_YAHOO_URL=http://127.0.0.1:$(cat "$T/bad.port") BARS_NOW=${day}T22:30:00Z \
			DATABASE_URL=$D1 sched-run --once --no-api --job daily --lock-file "$T/lock" \
			--state-file "$T/sched.state" --log-file "$T/sched-fail.log" "$T/c.json" \
			>>"$T/run.out" 2>&1 || true
		kill $bad; wait $bad 2>/dev/null
		split_rows=$(sql "$D1" "SELECT count(*) FROM corporate_actions WHERE kind = 'split'")
		stale_after_fail=$(DATABASE_URL=$D1 BARS_NOW=${day}T22:30:00Z sched-plan --config "$T/c.json" \
			--job daily --only stale 2>/dev/null | tail -n +2 | cut -d, -f1,2 | tr '\n' ' ')
		;;
	*)
		run "$D1" "${day}T22:30:00Z" || fails=$((fails + 1))
		;;
	esac
	since "$n" >"$T/req.$day"
	case $day in
	2026-11-09 | 2026-11-18 | 2026-11-23) invariant "$day" "$D1" "${day}T22:30:00Z" ;;
	esac
done
FINAL=2026-12-04T22:30:00Z
is "month: every scheduled run succeeded (but the one with the failing provider)" "$fails" 0
expect "month: no bar rejected" "! grep -v '^symbol,' '$T/state/'*.rejects.csv"
expect "month: no errors in the scheduler log" "! grep -E 'level=(error|warn)' '$T/sched.log'"
is "month: the failing run failed XSPL's re-fetch only" \
	"$(grep -c 'level=error event=stage .*XSPL .*HTTP 404' "$T/sched-fail.log")" 1

# The run that first sees an action fetches the series again at once.
o1=$(oldest "$D1" XSPL 1d) o5=$(oldest "$D1" XSPL 5m)
is "re-fetch: the first dividend's run asks XSPL 1d for what is new, then again from its oldest bar" \
	"$(asked "$T/req.2026-11-09" XSPL 1d | wc -w) $(asked "$T/req.2026-11-09" XSPL 1d | cut -d' ' -f2)" \
	"2 $o1"
expect "re-fetch: the scheduler says why it fetched again" \
	"grep -q 'event=refetch job=daily stale_series=' '$T/sched.log'"
is "re-fetch: the split's run loads the split" "$split_rows" 1
is "re-fetch: after the failed re-fetch XSPL 1d is still stale (sched-plan --only stale)" \
	"$stale_after_fail" "XSPL,1d "
is "re-fetch: the next run asks again, one request per series from its oldest bar" \
	"$(asked "$T/req.2026-11-17" XSPL 1d)$(asked "$T/req.2026-11-17" XSPL 5m)" "$o1 $o5 "
is "re-fetch: a dividend re-fetches XDIV 1d whole in its own run, not its 5m bars" \
	"$(asked "$T/req.2026-11-18" XDIV 1d | cut -d' ' -f2) $(asked "$T/req.2026-11-18" XDIV 5m | wc -w)" \
	"$(oldest "$D1" XDIV 1d) 1"
expect "re-fetch: XDIV 5m is asked only for what is new" \
	"[ '$(asked "$T/req.2026-11-18" XDIV 5m)' != '$(oldest "$D1" XDIV 5m) ' ]"
is "re-fetch: XPLN (no actions) is never fetched from its oldest bar again" \
	"$(cat "$T"/req.2026-11-1* "$T"/req.2026-11-2* | grep -c "XPLN?period1=$(oldest "$D1" XPLN 1d)&")" 0
is "re-fetch: the second dividend re-fetches XSPL 1d in its own run" \
	"$(asked "$T/req.2026-11-23" XSPL 1d | cut -d' ' -f2)" "$o1"
is "re-fetch: a run with nothing new re-fetches nothing" \
	"$(wc -l <"$T/req.2026-11-24" | tr -d ' ')" 6

# Revisions: audited with their runs, counted by load_runs.
is "audit: bar_changes holds every revision, each with its run" \
	"$(sql "$D1" "SELECT count(*) > 100 AND count(*) = count(run_id) FROM bar_changes")" t
is "audit: load_runs.ca_revised counts them" \
	"$(sql "$D1" "SELECT (SELECT sum(ca_revised) FROM load_runs) = (SELECT count(*) FROM bar_changes)")" t
is "audit: every XSPL 1d bar before the split was revised by the split's re-fetch" \
	"$(sql "$D1" "SELECT count(*) FROM bars b WHERE symbol = 'XSPL' AND interval = '1d' AND ts < '2026-11-16T05:00:00Z'
		AND NOT EXISTS (SELECT 1 FROM bar_changes c WHERE c.symbol = b.symbol AND c.interval = b.interval
		AND c.ts = b.ts AND abs(c.new_close * 4 / c.old_close - 1) < 1e-6)")" 0

# 17:30 stores that day's bar; a rerun that evening sends no request.
is "finality: the 17:30 run stored that day's bar" \
	"$(sql "$D1" "SELECT to_char(max(ts) AT TIME ZONE 'America/New_York', 'YYYY-MM-DD') FROM bars WHERE interval = '1d'")" \
	2026-12-04
n=$(requests)
run "$D1" 2026-12-05T00:30:00Z
is "finality: a rerun that evening sends no request" "$(requests)" "$n"

# The invariant at the end of the month too.
invariant final "$D1" "$FINAL"
D2=$(cat "$T/last-fresh")
expect "invariant: the comparison has rows before the split" "grep -q '^XSPL|2026-11-13' '$T/d1.1d'"

# The upgrade case: actions stored, no refresh record yet (as after an
# upgrade): the series they apply to are fetched again once, the rest not.
sql "$D2" "UPDATE bar_heads SET adjusted_snap = NULL, adjusted_run = NULL" >/dev/null
echo "$FINAL" >"$T/now"
DATABASE_URL=$D2 BARS_NOW=$FINAL sched-plan --config "$T/c.json" --job daily >"$T/up.plan" 2>/dev/null
is "upgrade: XSPL and XDIV 1d planned from their oldest bar, XPLN not at all" \
	"$(cut -d, -f1,2 "$T/up.plan" | tr '\n' ' ')" "symbol,interval XSPL,1d XDIV,1d "
n=$(requests)
run "$D2" "$FINAL"
DATABASE_URL=$D2 BARS_NOW=$FINAL sched-plan --config "$T/c.json" >"$T/up2.plan" 2>/dev/null
is "upgrade: once fetched again, nothing is planned" "$(wc -l <"$T/up2.plan" | tr -d ' ')" 1
is "upgrade: the re-fetch changed nothing" "$(sql "$D2" "SELECT count(*) FROM bar_changes")" 0
