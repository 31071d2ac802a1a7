# sched-run end to end: the real pipeline through the fake provider into a
# real PostgreSQL, from a `* * * * *` schedule, POST /start and --once;
# overlap skipping; the per-job advisory lock; SIGTERM during a run.
# Slow pipelines use stub binaries through BARS_BIN_DIR (see sched-run(1)).
# Takes up to ~70 s: the schedule tests wait for a real minute boundary, so
# they are started first and checked last.
. "$TOP/tests/lib.sh"

SR="$BIN/sched-run"
PIDS=""
trap 'for p in $PIDS; do kill -9 $p 2>/dev/null; done; cleanup_t' EXIT
cd "$T" || exit 1
unset BARS_BIN_DIR

wait_log() { # FILE REGEX [TENTHS]
	i=0 n=${3:-200}
	while ! grep -Eq -- "$2" "$1" 2>/dev/null && [ $i -lt "$n" ]; do sleep 0.1; i=$((i + 1)); done
	grep -Eq -- "$2" "$1" 2>/dev/null
}
port_of() { grep -o 'port=[0-9]*' "$1" | head -1 | cut -d= -f2; }
get() { "$PY" -c 'import sys,urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "$1"; }
post() { "$PY" -c 'import sys,urllib.request; print(urllib.request.urlopen(urllib.request.Request(sys.argv[1], method="POST", data=b"", headers={"X-Stockbars": "1"}), timeout=5).status)' "$1"; }
q() { psql -XAt "$1" -c "$2"; }
# bars and load_runs agree: nothing half loaded
consistent() { [ "$(q "$1" 'SELECT count(*) FROM bars')" = "$(q "$1" 'SELECT coalesce(sum(inserted), 0) FROM load_runs')" ]; }

start_fake --latency 150
cat >c.json <<'JSON'
{"tickers":["AAPL","MSFT"],"interval":"5m","period":"5d","timezone":"America/New_York",
 "jobs":[{"name":"minute","schedule":"* * * * *","timeout":50}]}
JSON

# ---- start the minute-boundary tests first --------------------------------
DB_CRON=$(new_db cron)
cp c.json cron.json # its own lock file: the daemon runs beside the --once tests
DATABASE_URL=$DB_CRON "$SR" --log-file cron.log --listen 127.0.0.1:0 cron.json 2>/dev/null &
CRON_PID=$!; PIDS="$PIDS $CRON_PID"

mkdir -p stub
cat >stub/sched-plan <<'SH'
#!/bin/sh
echo "symbol,interval,start,end"
sleep "${STUB_SLEEP:-0}"
SH
for t in fetch-bars normalize-bars validate-bars; do printf '#!/bin/sh\ncat\n' >stub/$t; done
printf '#!/bin/sh\ncat >/dev/null\necho "{\\"rows_in\\":0,\\"inserted\\":0,\\"updated\\":0,\\"unchanged\\":0}"\n' >stub/load-bars
chmod +x stub/*
cat >slow.json <<'JSON'
{"tickers":["AAPL"],"interval":"5m","jobs":[{"name":"slow","schedule":"* * * * *"}]}
JSON
BARS_BIN_DIR=$T/stub STUB_SLEEP=100.3 "$SR" --log-file slow.log --listen 127.0.0.1:0 --grace 1 slow.json 2>/dev/null &
SLOW_PID=$!; PIDS="$PIDS $SLOW_PID"
wait_log slow.log 'event=api_listen'
[ "$(post "http://127.0.0.1:$(port_of slow.log)/start?job=slow")" = 202 ] && ok "overlap: slow job started by POST /start" ||
	not_ok "overlap: slow job started by POST /start"

# misfire after the process was stopped across a minute boundary: skipped
cat >late.json <<'JSON'
{"tickers":["AAPL"],"interval":"5m","jobs":[{"name":"late","schedule":"* * * * *"}]}
JSON
BARS_BIN_DIR=$T/stub "$SR" --log-file late.log --no-api --misfire-grace 1 late.json 2>/dev/null &
LATE_PID=$!; PIDS="$PIDS $LATE_PID"
(
	# stop it over the first minute boundary after it has started
	wait_log late.log 'event=start'
	while [ "$(date +%S)" -lt 57 ]; do sleep 0.5; done
	kill -STOP $LATE_PID; date -u +"stopped %T" >>stopper.log
	sleep 5
	kill -CONT $LATE_PID; date -u +"continued %T" >>stopper.log
) &
STOPPER=$!

# ---- --once: the real pipeline ----------------------------------------------
export BARS_NOW=2026-11-24T21:30:00Z
DB1=$(new_db once)
check "once: real pipeline loads" 0 - - -- env DATABASE_URL="$DB1" "$SR" --once --log-file once.log c.json
n1=$(q "$DB1" 'SELECT count(*) FROM bars')
[ "${n1:-0}" -gt 0 ] && ok "once: bars stored ($n1)" || not_ok "once: bars stored" "$(tail -5 once.log)"
expect "once: run_end reports the rows load-bars inserted" \
	"grep -Eq 'event=run_end job=minute outcome=ok exit=0 stages=0,0,0,0,0 .* inserted=$n1 ' once.log"
check "once: second run" 0 - - -- env DATABASE_URL="$DB1" "$SR" --once --log-file once.log c.json
expect "once: second run inserts nothing" "tail -3 once.log | grep -Eq 'event=run_end .*inserted=0 updated=0'"

# ---- advisory lock: a second host with the same job is refused -------------
cp c.json other-host.json
BARS_BIN_DIR=$T/stub STUB_SLEEP=3 DATABASE_URL=$DB1 "$SR" --once --log-file adv1.log c.json 2>/dev/null &
ADV=$!; PIDS="$PIDS $ADV"
wait_log adv1.log 'event=run_start'
check "advisory lock: same job elsewhere is refused" 3 - - "reason=locked_elsewhere" -- \
	env BARS_BIN_DIR="$T/stub" DATABASE_URL="$DB1" "$SR" --once --log-file adv2.log other-host.json
# A job of the same name that loads another interval is a different job.
jq -c '.interval = "1d" | .period = "5d"' c.json >other-job.json
check "advisory lock: same name, other interval runs" 0 - - -- \
	env BARS_BIN_DIR="$T/stub" DATABASE_URL="$DB1" "$SR" --once --log-file adv3.log other-job.json
wait $ADV
check "advisory lock: released after the run" 0 - - -- \
	env BARS_BIN_DIR="$T/stub" DATABASE_URL="$DB1" "$SR" --once --log-file adv2.log other-host.json
# libpq's PG* variables alone (no DATABASE_URL) reach the same database
pghost=$(echo "$DB1" | sed -n 's/.*host=\([^&]*\).*/\1/p')
pgdb=$(echo "$DB1" | sed -n 's|^postgresql:///\([^?]*\).*|\1|p')
BARS_BIN_DIR=$T/stub STUB_SLEEP=3 DATABASE_URL=$DB1 "$SR" --once --log-file adv4.log c.json 2>/dev/null &
ADV=$!; PIDS="$PIDS $ADV"
wait_log adv4.log 'event=run_start'
check "advisory lock: PG* variables without DATABASE_URL take it too" 3 - - "reason=locked_elsewhere" -- \
	env -u DATABASE_URL PGHOST="$pghost" PGUSER=postgres PGDATABASE="$pgdb" BARS_BIN_DIR="$T/stub" \
	"$SR" --once --log-file adv5.log other-host.json
wait $ADV

# ---- SIGTERM during a real run ----------------------------------------------
# with a grace long enough: the run finishes and is fully loaded
DB2=$(new_db term)
DATABASE_URL=$DB2 "$SR" --once --grace 60 --log-file term.log c.json 2>/dev/null &
P=$!; PIDS="$PIDS $P"
wait_log term.log 'event=run_start'
sleep 0.3
kill -TERM $P; wait $P; rc=$?
n2=$(q "$DB2" 'SELECT count(*) FROM bars')
[ $rc -eq 0 ] && [ "$n2" = "$n1" ] && grep -q 'event=run_end job=minute outcome=ok' term.log &&
	ok "sigterm: run finishes within grace, fully loaded" ||
	not_ok "sigterm: run finishes within grace, fully loaded" "rc=$rc bars=$n2 want $n1; $(tail -3 term.log)"
# with no grace: the group is killed and nothing is half loaded
DB3=$(new_db kill)
# an empty load creates the schema, so the check below compares real tables
printf 'symbol,interval,ts,open,high,low,close,adj_close,volume\n' | DATABASE_URL=$DB3 "$BIN/load-bars" 2>/dev/null
DATABASE_URL=$DB3 "$SR" --once --grace 0 --log-file kill.log c.json 2>/dev/null &
P=$!; PIDS="$PIDS $P"
wait_log kill.log 'event=run_start'
sleep 0.3
kill -TERM $P; wait $P; rc=$?
grep -q 'event=run_end job=minute outcome=killed' kill.log && ok "sigterm: grace 0 kills the run" ||
	not_ok "sigterm: grace 0 kills the run" "rc=$rc $(tail -3 kill.log)"
if psql -XAt "$DB3" -c 'SELECT 1 FROM bars LIMIT 0' >/dev/null 2>&1; then
	consistent "$DB3" && ok "sigterm: no partial load" || not_ok "sigterm: no partial load" "bars vs load_runs differ"
else
	ok "sigterm: no partial load (schema never committed)"
fi
unset BARS_NOW

# ---- the `* * * * *` job and the overlap, after a minute boundary ----------
if wait_log cron.log 'event=run_end job=minute' 800; then
	grep -q 'event=run_start job=minute trigger=schedule' cron.log && ok "cron: '* * * * *' fired on schedule" ||
		not_ok "cron: '* * * * *' fired on schedule" "$(head -5 cron.log)"
	grep -q 'event=run_end job=minute outcome=ok exit=0' cron.log && ok "cron: scheduled run succeeded" ||
		not_ok "cron: scheduled run succeeded" "$(grep -E 'run_end|level=error' cron.log | head -5)"
	nc=$(q "$DB_CRON" 'SELECT count(*) FROM bars')
	[ "${nc:-0}" -gt 0 ] && consistent "$DB_CRON" && ok "cron: bars loaded ($nc)" || not_ok "cron: bars loaded" "bars=$nc"
	st=$(get "http://127.0.0.1:$(port_of cron.log)/status")
	echo "$st" | grep -q '"outcome":"ok"' && ok "cron: /status shows the last run" || not_ok "cron: /status shows the last run" "$st"
else
	not_ok "cron: '* * * * *' fired within 80 s" "$(tail -5 cron.log)"
fi
if wait_log slow.log 'event=misfire job=slow reason=overlap' 800; then
	ok "overlap: scheduled fire skipped while running"
	m=$(get "http://127.0.0.1:$(port_of slow.log)/metrics")
	echo "$m" | grep -q 'stockbars_misfires_total{stockbars_job="slow",reason="overlap"} 1' && ok "overlap: counted as a misfire" ||
		not_ok "overlap: counted as a misfire" "$(echo "$m" | grep misfire)"
	[ "$(grep -c 'event=run_start job=slow' slow.log)" = 1 ] && ok "overlap: no second instance" ||
		not_ok "overlap: no second instance"
else
	not_ok "overlap: scheduled fire skipped while running" "$(tail -5 slow.log)"
fi
kill -TERM $SLOW_PID; wait $SLOW_PID; rc=$?
[ $rc -eq 0 ] && grep -q 'event=run_end job=slow outcome=killed' slow.log && gone '[s]leep 100.3' >/dev/null &&
	ok "overlap: SIGTERM kills the slow group after grace, exit 0" || not_ok "overlap: SIGTERM after grace" "rc=$rc"
wait $STOPPER
if wait_log late.log 'event=misfire job=late reason=late' 150; then
	ok "misfire: a fire later than --misfire-grace is skipped"
	# No run up to the minute of the misfire; the next minute's own fire
	# may run (the suite is slow to get here), and is not a burst.
	mis=$(grep -m1 'event=misfire job=late reason=late' late.log | cut -c4-19)
	early=$(grep 'event=run_start job=late' late.log |
		awk -v m="$mis" 'substr($1, 4, 16) <= m { n++ } END { print n + 0 }')
	[ "$early" = 0 ] && ok "misfire: no burst of late runs" ||
		not_ok "misfire: no burst of late runs" "misfire at $mis; $(grep run_start late.log)"
else
	not_ok "misfire: a fire later than --misfire-grace is skipped" "$(cat stopper.log; tail -3 late.log; date -u +%T)"
fi
kill -TERM $LATE_PID; wait $LATE_PID
kill -TERM $CRON_PID; wait $CRON_PID; rc=$?
[ $rc -eq 0 ] && ok "cron: SIGTERM clean exit" || not_ok "cron: SIGTERM clean exit" "rc=$rc"
exit 0
