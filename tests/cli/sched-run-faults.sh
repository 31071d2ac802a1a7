# sched-run under faults: kill -9 of the scheduler leaves no stage behind
# and the restarted scheduler runs the job once; the job lock is held by
# the pipeline itself; a hung database never blocks the API; slow clients
# cannot hold the API; a simple cross-site form POST is refused.
. "$TOP/tests/lib.sh"

SR="$BIN/sched-run"
PIDS=""
trap 'for p in $PIDS; do kill -9 $p 2>/dev/null; done; cleanup_t' EXIT
cd "$T" || exit 1

mkdir -p stub
cat >stub/sched-plan <<'SH'
#!/bin/sh
echo "symbol,interval,start,end"
[ -n "${STUB_SLEEP:-}" ] && exec sleep "$STUB_SLEEP"
exit 0
SH
for t in fetch-bars normalize-bars validate-bars; do printf '#!/bin/sh\nexec cat\n' >stub/$t; done
cat >stub/load-bars <<'SH'
#!/bin/sh
cat >/dev/null
# a child that outlives the stage keeps the job's lock (fd 3) while it lives
[ -n "${STUB_LINGER:-}" ] && sleep "$STUB_LINGER" </dev/null >/dev/null 2>&1 &
echo '{"rows_in":0,"inserted":0,"updated":0,"unchanged":0}'
SH
chmod +x stub/*
export BARS_BIN_DIR="$T/stub"
printf '{"tickers":["AAPL"],"interval":"5m","jobs":[{"name":"a","schedule":"0 0 1 1 *"}]}\n' >c.json

wait_log() { i=0; while ! grep -Eq -- "$2" "$1" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done; grep -Eq -- "$2" "$1"; }
start_daemon() { # LOG ARGS...
	lf=$1; shift
	"$SR" --log-file "$lf" --listen 127.0.0.1:0 "$@" c.json 2>/dev/null &
	DPID=$!; PIDS="$PIDS $DPID"
	wait_log "$lf" 'event=api_listen'
	PORT=$(grep -o 'port=[0-9]*' "$lf" | head -1 | cut -d= -f2)
}
post() { "$PY" -c 'import sys,urllib.request,urllib.error
r = urllib.request.Request(sys.argv[1], method="POST", data=b"", headers={"X-Stockbars": "1"})
try: print(urllib.request.urlopen(r, timeout=5).status)
except urllib.error.HTTPError as e: print(e.code)' "http://127.0.0.1:$PORT$1"; }
stages_alive() { pgrep -f "$T/stub/" >/dev/null || pgrep -f '[s]leep 61.3' >/dev/null; }

# ---- kill -9 of the scheduler -------------------------------------------------
STUB_SLEEP=61.3 start_daemon k1.log
[ "$(post '/start?job=a')" = 202 ] && wait_log k1.log 'event=run_start job=a' && stages_alive &&
	ok "kill -9: the job's pipeline runs" || not_ok "kill -9: the job's pipeline runs" "$(tail -3 k1.log)"
pg=$(sed -n 's/.*event=run_start job=a .*pgid=\([0-9]*\).*/\1/p' k1.log)
[ "$(pgrep -g "$pg" | wc -l)" -ge 5 ] && ok "kill -9: five stages in the job's process group" ||
	not_ok "kill -9: five stages in the job's process group" "$(pgrep -ag "$pg")"
kill -9 $DPID; wait $DPID 2>/dev/null
i=0; while pgrep -g "$pg" >/dev/null && [ $i -lt 40 ]; do sleep 0.05; i=$((i + 1)); done
pgrep -g "$pg" >/dev/null && not_ok "kill -9: no stage survives the scheduler by 2 s" "$(pgrep -ag "$pg")" ||
	ok "kill -9: no stage survives the scheduler by 2 s"
start_daemon k2.log
[ "$(post '/start?job=a')" = 202 ] && wait_log k2.log 'event=run_end job=a outcome=ok' &&
	[ "$(grep -c 'event=run_start job=a' k2.log)" = 1 ] && ok "kill -9: the restarted scheduler runs the job once" ||
	not_ok "kill -9: the restarted scheduler runs the job once" "$(tail -3 k2.log)"
kill -TERM $DPID; wait $DPID

# ---- the job lock lives as long as any process of the pipeline ---------------
check "lock: a run whose stage left a child behind" 0 - - -- env STUB_LINGER=2.7 "$SR" --once --log-file l.log c.json
check "lock: a second run waits for that child (misfire, exit 3)" 3 - - "reason=overlap" -- "$SR" --once --log-file l.log c.json
i=0; while pgrep -f '[s]leep 2.7' >/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
check "lock: free again once it is gone" 0 - - -- "$SR" --once --log-file l.log c.json

# ---- a database that never answers does not block the API --------------------
"$PY" -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
open("silent.port", "w").write(str(s.getsockname()[1]))
conns = []
while True:
    c, _ = s.accept(); conns.append(c)   # accept, never answer
' &
SILENT=$!; PIDS="$PIDS $SILENT"
i=0; while [ ! -s silent.port ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
DATABASE_URL="postgresql://u:pw@127.0.0.1:$(cat silent.port)/db?connect_timeout=4" start_daemon h.log
[ "$(post '/start?job=a')" = 202 ] && ok "hung database: POST /start answers" || not_ok "hung database: POST /start answers"
sleep 0.3
t0=$(date +%s%N)
out=$("$PY" -c 'import sys,urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=3).read().decode())' "http://127.0.0.1:$PORT/status" 2>&1)
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "$out" | grep -q '"running":true' && [ $ms -lt 1500 ] && ok "hung database: /status answers at once while the lock waits (${ms} ms)" ||
	not_ok "hung database: /status answers at once while the lock waits" "${ms} ms: $out"
wait_log h.log 'event=run_error job=a' && ! grep -q 'pw@' h.log && ok "hung database: the attempt ends by connect_timeout, logged masked" ||
	not_ok "hung database: the attempt ends by connect_timeout, logged masked" "$(tail -2 h.log)"
kill -TERM $DPID; wait $DPID; kill $SILENT

# ---- slow clients and cross-site requests ----------------------------------------
start_daemon s.log --rate-limit 0
"$PY" - "$PORT" >slow.out 2>&1 <<'PY'
import socket, sys, time, urllib.request
port = int(sys.argv[1])
slow = []
for i in range(16):                      # 16 slow clients from one address
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(b"GET /status HTTP/1.1\r\nHost: x\r\n")
    slow.append(s)
ok = 0
for i in range(5):
    try:
        ok += urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=2).status == 200
    except Exception as e:
        print("healthz failed:", e)
    time.sleep(0.1)
print("healthz ok", ok)
# one slow client keeps trickling header bytes: dropped at the header deadline all the same
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(b"GET /status HTTP/1.1\r\n")
t0 = time.time(); closed = None
while time.time() - t0 < 9:
    try:
        s.sendall(b"X-a: b\r\n"); time.sleep(0.3)
        s.setblocking(False)
        try:
            if s.recv(1) == b"": closed = time.time() - t0; break
        except BlockingIOError: pass
        finally: s.setblocking(True)
    except OSError:
        closed = time.time() - t0; break
print("trickler closed after %s" % (None if closed is None else round(closed, 1)))
PY
grep -q '^healthz ok 5$' slow.out && ok "api: 16 slow clients from one address do not stop /healthz" ||
	not_ok "api: 16 slow clients from one address do not stop /healthz" "$(cat slow.out)"
grep -Eq '^trickler closed after [5-7]\.' slow.out && ok "api: a trickling client is dropped at the header deadline" ||
	not_ok "api: a trickling client is dropped at the header deadline" "$(cat slow.out)"
code=$("$PY" -c 'import sys,urllib.request,urllib.error
r = urllib.request.Request(sys.argv[1], method="POST", data=b"a=1", headers={"Content-Type": "application/x-www-form-urlencoded"})
try: print(urllib.request.urlopen(r, timeout=5).status)
except urllib.error.HTTPError as e: print(e.code)' "http://127.0.0.1:$PORT/stop")
[ "$code" = 403 ] && ok "api: a simple form POST without the header is refused" || not_ok "api: a simple form POST without the header is refused" "$code"
code=$("$PY" -c 'import sys,urllib.request,urllib.error
r = urllib.request.Request(sys.argv[1], method="POST", data=b"{}", headers={"Content-Type": "application/json"})
try: print(urllib.request.urlopen(r, timeout=5).status)
except urllib.error.HTTPError as e: print(e.code)' "http://127.0.0.1:$PORT/stop?job=a")
[ "$code" = 200 ] && ok "api: a JSON POST is accepted" || not_ok "api: a JSON POST is accepted" "$code"
kill -TERM $DPID; wait $DPID
exit 0
