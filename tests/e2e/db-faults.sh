# Time-bounded database work and faults (issue 10): a silent server, the
# connect timeout, SIGTERM/SIGINT during a connect and during a statement,
# a hung backend, the statement timeout; a short chaos loop (kill -9 of
# load-bars, an immediate server restart, SIGSTOP/SIGCONT) after which the
# table always equals a clean load and no run is left "running".
. "$TOP/tests/lib.sh"
unset LOG_LEVEL DATABASE_URL PGCONNECT_TIMEOUT
LB=$BIN/load-bars
HDR=symbol,interval,ts,open,high,low,close,adj_close,volume
is() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got '$2', want '$3'"; fi; }
sql() { psql -X -Atq "$DB" -c "$1"; }
ms() { date +%s%3N; }
# within NAME MAX_MS START_MS: the time since START is at most MAX.
within() {
	d=$(( $(ms) - $3 ))
	if [ $d -le "$2" ]; then ok "$1 (${d} ms)"; else not_ok "$1" "took $d ms, limit $2"; fi
}
digest() {
	psql -X -Atq "$DB" -c "SELECT count(*) || ' ' || md5(coalesce(string_agg(concat_ws(',',
		symbol, interval, extract(epoch FROM ts), open, close, volume), ';'
		ORDER BY symbol, interval, ts), '')) FROM bars"
}
gen() { # gen N: N 5m bars for each of three symbols, per symbol in time order
	awk -v n="$1" 'BEGIN { for (s = 0; s < 3; s++) for (i = 0; i < n; i++)
		printf "S%d,5m,%s,%.2f,2,0.5,1.5,1.5,%d\n", s,
			strftime("%Y-%m-%dT%H:%M:%SZ", 1763650800 + 300 * i, 1), 1 + i % 50, i }'
}

# ---- a server that accepts and never answers ------------------------------
rm -f "$T/silent.port"
"$PY" "$TOP/tests/silent_tcp.py" "$T/silent.port" &
SILENT=$!
trap 'kill $SILENT 2>/dev/null; cleanup_t' EXIT
i=0; while [ ! -s "$T/silent.port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
SP=$(cat "$T/silent.port")
{ echo "$HDR"; gen 10; } >"$T/small.csv"

# The default connect timeout (10 s) ends a hung connect by itself; it
# runs beside the rest of this file.
t_default=$(ms)
( DATABASE_URL="host=127.0.0.1 port=$SP user=u dbname=d" "$LB" "$T/small.csv" \
	2>"$T/default.err"; echo $? >"$T/default.rc"; ms >"$T/default.end" ) &
DEFAULT=$!

t=$(ms)
check "faults: silent server, connect_timeout=2 in the conninfo: exit 3" 3 "$T/small.csv" - \
	'no answer from .* within 2 s \(connect_timeout\)' -- \
	env DATABASE_URL="host=127.0.0.1 port=$SP user=u dbname=d connect_timeout=2" "$LB"
within "faults: silent server: ends by itself within the connect timeout (default --retries: a hung server is not retried)" 3500 "$t"
t=$(ms)
check "faults: silent server, PGCONNECT_TIMEOUT=2 with a URI" 3 "$T/small.csv" - 'connect_timeout' -- \
	env DATABASE_URL="postgresql://u@127.0.0.1:$SP/d" PGCONNECT_TIMEOUT=2 "$LB"
within "faults: silent server: PGCONNECT_TIMEOUT honoured" 3500 "$t"

for sig in TERM INT; do
	DATABASE_URL="host=127.0.0.1 port=$SP user=u dbname=d" "$LB" "$T/small.csv" 2>"$T/sig.err" &
	pid=$!
	sleep 0.5
	t=$(ms)
	kill -$sig $pid
	wait $pid
	rc=$?
	within "faults: SIG$sig during a hung connect: exits within 2 s" 2000 "$t"
	is "faults: SIG$sig during a hung connect: exit 3, said so" \
		"$rc $(grep -c 'interrupted by a signal' "$T/sig.err")" "3 1"
done
check "faults: sched-plan: SIGTERM during a hung connect" 3 - - 'interrupted' -- sh -c \
	"DATABASE_URL='host=127.0.0.1 port=$SP user=u dbname=d' '$BIN/sched-plan' --config '$TOP/examples/config.json' & p=\$!; sleep 0.5; kill \$p; wait \$p"

# ---- SIGTERM during a statement: cancelled, nothing committed ------------
DB=$(new_db stmt)
export DATABASE_URL=$DB
"$LB" --init 2>/dev/null
# Another session holds the table: the load's statements wait on it.
psql -X -q "$DB" -c "BEGIN; LOCK TABLE bars; SELECT pg_sleep(30)" >/dev/null 2>&1 &
LOCKER=$!
i=0; until [ "$(sql "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'bars' AND l.granted AND l.mode = 'AccessExclusiveLock'")" = 1 ] || [ $i -ge 100 ]; do sleep 0.05; i=$((i + 1)); done
PGAPPNAME=lbstmt "$LB" --json "$T/small.csv" >"$T/stmt.out" 2>"$T/stmt.err" &
pid=$!
i=0; until [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'lbstmt' AND wait_event_type = 'Lock'")" = 1 ] || [ $i -ge 100 ]; do sleep 0.05; i=$((i + 1)); done
t=$(ms)
kill -TERM $pid
wait $pid
rc=$?
within "faults: SIGTERM while a statement waits: exits within 2 s" 2000 "$t"
is "faults: SIGTERM while a statement waits: exit 1" "$rc" 1
kill $LOCKER 2>/dev/null
wait $LOCKER 2>/dev/null
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()" >/dev/null
is "faults: SIGTERM while a statement waits: nothing committed, run interrupted" \
	"$(sql "SELECT count(*) FROM bars") $(sql "SELECT status || ' ' || (finished_at IS NOT NULL) FROM load_runs")" \
	"0 interrupted true"
expect "faults: --json says interrupted" "grep -q '\"status\":\"interrupted\"' '$T/stmt.out'"

# A statement timeout the libpq way (PGOPTIONS).
psql -X -q "$DB" -c "BEGIN; LOCK TABLE bars; SELECT pg_sleep(30)" >/dev/null 2>&1 &
LOCKER=$!
sleep 0.3
t=$(ms)
check "faults: PGOPTIONS statement_timeout cancels a waiting statement" 1 "$T/small.csv" - \
	'statement timeout' -- env PGOPTIONS='-c statement_timeout=500' "$LB"
within "faults: statement timeout: prompt" 2500 "$t"
kill $LOCKER 2>/dev/null
wait $LOCKER 2>/dev/null
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()" >/dev/null
is "faults: statement timeout: run recorded as failed" \
	"$(sql "SELECT status FROM load_runs ORDER BY id DESC LIMIT 1")" failed

# A hung backend (SIGSTOP): SIGTERM still ends the loader within 2 s.
{ echo "$HDR"; gen 40000; } >"$T/mid.csv"
DB=$(new_db hung)
export DATABASE_URL=$DB
PGAPPNAME=lbhung "$LB" --batch-size 5000 "$T/mid.csv" 2>"$T/hung.err" &
pid=$!
i=0 bpid=""
while [ -z "$bpid" ] && [ $i -lt 200 ]; do
	bpid=$(sql "SELECT pid FROM pg_stat_activity WHERE application_name = 'lbhung' AND query LIKE 'COPY%'")
	i=$((i + 1)); sleep 0.02
done
if [ -n "$bpid" ]; then
	kill -STOP "$bpid"
	sleep 0.3
	t=$(ms)
	kill -TERM $pid
	wait $pid
	rc=$?
	within "faults: SIGTERM with a hung backend: exits within 2 s" 2000 "$t"
	kill -CONT "$bpid"
	is "faults: SIGTERM with a hung backend: exit 1" "$rc" 1
else
	not_ok "faults: SIGTERM with a hung backend: the load's COPY was seen"
	wait $pid
fi

wait $DEFAULT
is "faults: silent server: the default connect timeout (10 s) ends it, exit 3" \
	"$(cat "$T/default.rc") $(grep -c 'within 10 s' "$T/default.err")" "3 1"
d=$(( $(cat "$T/default.end") - t_default ))
[ $d -le 12500 ] && ok "faults: default connect timeout: $d ms" || not_ok "faults: default connect timeout" "$d ms"

# ---- chaos: kill -9, an immediate restart, SIGSTOP/SIGCONT ----------------
{ echo "$HDR"; gen 15000; } >"$T/chaos.csv"
DB=$(new_db chaosclean)
t=$(ms)
DATABASE_URL=$DB "$LB" --no-audit "$T/chaos.csv" 2>/dev/null
wall=$(( $(ms) - t ))
clean=$(digest)
# finished_at is the real end, not the start of the run's transaction
took=$(sql "SELECT (extract(epoch FROM finished_at - started_at) * 1000)::int FROM load_runs")
[ "$took" -ge $((wall / 2)) ] && [ "$took" -le "$wall" ] &&
	ok "faults: load_runs times the run ($took ms of $wall ms)" ||
	not_ok "faults: load_runs times the run" "recorded $took ms, took $wall ms"
DB=$(new_db chaos)
DATABASE_URL=$DB "$LB" --init 2>/dev/null
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
pg_immediate() {
	as=""
	[ "$(id -u)" -eq 0 ] && as="runuser -u postgres --"
	$as "$pgbin/pg_ctl" -D "$TEST_PG_DIR/data" -l "$TEST_PG_DIR/server.log" -m immediate -w \
		-o "-c listen_addresses='' -k $TEST_PG_DIR/sock -c fsync=off -c full_page_writes=off" \
		restart >/dev/null 2>&1
}
# busy APP: the loader's backend is copying or upserting (or 2 s passed)
busy() {
	i=0
	until [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$1'
		AND (query LIKE 'COPY%' OR query LIKE 'WITH src%')")" = 1 ] || [ $i -ge 100 ]; do
		i=$((i + 1)); sleep 0.02
	done
}
n=0
for fault in kill9 restart stop kill9 restart stop; do
	n=$((n + 1))
	mode=run
	[ $((n % 2)) -eq 0 ] && mode=batch
	what="chaos $n ($fault, --txn $mode)"
	if [ $fault = restart ] && [ -z "${TEST_PG_DIR:-}" ]; then
		skip "faults: $what" "no private cluster to restart"
		continue
	fi
	sql "TRUNCATE bars, bar_heads, bar_changes, load_runs"
	DATABASE_URL=$DB PGAPPNAME="chaos$n" "$LB" --txn $mode --batch-size 5000 "$T/chaos.csv" \
		2>"$T/chaos.err" &
	pid=$!
	busy "chaos$n"
	case $fault in
	kill9)
		kill -9 $pid
		wait $pid 2>/dev/null
		i=0 # until the server has noticed the dead client
		until [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'chaos$n'")" = 0 ] ||
			[ $i -ge 250 ]; do i=$((i + 1)); sleep 0.02; done
		DATABASE_URL=$DB "$LB" --txn $mode "$T/chaos.csv" 2>>"$T/chaos.err"
		rc=$?
		is "faults: $what: the killed run is marked abandoned by the next" \
			"$(sql "SELECT string_agg(status, ',' ORDER BY id) FROM load_runs")" "abandoned,ok"
		;;
	restart)
		pg_immediate
		wait $pid
		rc=$?
		;;
	stop)
		kill -STOP $pid 2>/dev/null
		sleep 0.5
		kill -CONT $pid 2>/dev/null
		wait $pid
		rc=$?
		;;
	esac
	is "faults: $what: the load ends well" "$rc" 0
	is "faults: $what: table equals a clean load" "$(digest)" "$clean"
	is "faults: $what: no run left running" "$(sql "SELECT count(*) FROM load_runs WHERE status = 'running'")" 0
done
