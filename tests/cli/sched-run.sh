# sched-run: options, --check output, config and cron errors, --once with a
# stub pipeline, locks, signals, logs, and every API endpoint with and
# without a token, including malformed requests.  The pipeline is a set of
# stub scripts in $T/stub picked up through BARS_BIN_DIR (documented in
# sched-run(1)), so this needs neither the network nor a database.
. "$TOP/tests/lib.sh"

SR="$BIN/sched-run"
PIDS=""
trap 'for p in $PIDS; do kill -9 $p 2>/dev/null; done; cleanup_t' EXIT
cd "$T" || exit 1

# ---- stub pipeline --------------------------------------------------------
mkdir -p stub
cat >stub/sched-plan <<'SH'
#!/bin/sh
echo "symbol,interval,start,end"
echo "sched-plan: info: $*" >&2
[ -n "${STUB_SLEEP:-}" ] && sleep "$STUB_SLEEP"
exit 0
SH
for t in fetch-bars normalize-bars validate-bars; do printf '#!/bin/sh\ncat\n' >stub/$t; done
cat >stub/load-bars <<'SH'
#!/bin/sh
n=$(wc -l)
echo "load-bars: rows_in=$n inserted=$n updated=0 unchanged=0" >&2
echo "{\"rows_in\":$n,\"inserted\":$n,\"updated\":0,\"unchanged\":0}"
exit "${STUB_RC:-0}"
SH
chmod +x stub/*
export BARS_BIN_DIR="$T/stub"

# ---- HTTP client (python3 stdlib; curl may be missing) ---------------------
cat >client.py <<'PY'
import sys, urllib.request, urllib.error
method, url = sys.argv[1], sys.argv[2]
data = sys.argv[4].encode() if len(sys.argv) > 4 else (b"" if method == "POST" else None)
req = urllib.request.Request(url, method=method, data=data)
if len(sys.argv) > 3 and sys.argv[3].startswith("H:"):
    k, v = sys.argv[3][2:].split(":", 1)
    req.add_header(k, v.strip())
elif len(sys.argv) > 3 and sys.argv[3]:
    req.add_header("Authorization", sys.argv[3])
try:
    r = urllib.request.urlopen(req, timeout=5)
    code, body = r.status, r.read()
except urllib.error.HTTPError as e:
    code, body = e.code, e.read()
sys.stdout.write("%d %s" % (code, body.decode()))
PY
cat >raw.py <<'PY'
# raw.py PORT HEX-OR-TEXT: send bytes as they are, print the status line or "closed"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
data = sys.argv[2].encode().decode("unicode_escape").encode("latin-1")
try:
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    line = s.makefile("rb").readline().decode("latin-1").strip()
except OSError:
    line = ""
print(line or "closed")
PY
# http NAME WANT_CODE BODY_REGEX METHOD PATH [AUTH [BODY]]
http() {
	name=$1 want=$2 pat=$3; shift 3
	m=$1 path=$2; shift 2
	out=$("$PY" client.py "$m" "http://127.0.0.1:$PORT$path" "$@" 2>&1)
	case "$out" in
	"$want "*) if printf '%s' "$out" | tr '\n' ' ' | grep -Eq -- "$pat"; then ok "$name"; else not_ok "$name" "body: $out"; fi ;;
	*) not_ok "$name" "want $want, got: $out" ;;
	esac
}
# wait_log FILE REGEX: up to 10 s for a log line
wait_log() {
	i=0
	while ! grep -Eq -- "$2" "$1" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	grep -Eq -- "$2" "$1" 2>/dev/null
}
start_daemon() { # LOGFILE ARGS...: starts sched-run, sets DPID and PORT
	lf=$1; shift
	"$SR" --log-file "$lf" --listen 127.0.0.1:0 "$@" 2>>"$lf.stderr" &
	DPID=$!
	PIDS="$PIDS $DPID"
	wait_log "$lf" 'event=api_listen' || echo "daemon did not start: $(cat "$lf.stderr")" >&2
	PORT=$(grep -o 'port=[0-9]*' "$lf" | head -1 | cut -d= -f2)
}

# ---- options --------------------------------------------------------------
check "help" 0 - - -- sh -c "'$SR' --help | grep -q '^usage: sched-run'"
check "version" 0 - - -- sh -c "'$SR' --version | grep -q '^sched-run '"
check "no config" 2 - - "usage: sched-run" -- "$SR"
check "check and once together" 2 - - "usage: sched-run" -- "$SR" --check --once c.json
check "tls cert without key" 2 - - "usage: sched-run" -- "$SR" --tls-cert x c.json
check "bad grace" 2 - - "--grace: want an integer" -- "$SR" --grace x c.json
check "count out of range" 2 - - "--count 0: want 1 to 1000" -- "$SR" --check --count 0 c.json
check "count too large" 2 - - "--count 1001: want 1 to 1000" -- "$SR" --check --count 1001 c.json
# --help: every option of the synopsis on a line of its own
"$SR" --help >help.out
sed '/^$/q' help.out | grep -o -- '--[a-z][a-z-]*' | sort -u >help.opts
n=0
while read -r opt; do
	n=$((n + 1))
	[ "$(sed '1,/^$/d' help.out | grep -c -- "^ *\(-h, \)\?$opt\( \|$\)")" = 1 ] || echo "$opt" >>help.missing
done <help.opts
[ $n -ge 20 ] && [ ! -s help.missing ] && ok "help: each of the $n options on one line" || not_ok "help: each option on one line" "$(cat help.missing 2>/dev/null)"
# usage errors name the one bad argument
check "usage: extra argument named" 2 - - "sched-run: unexpected argument: extra" -- "$SR" c.json extra
check "usage: missing CONFIG named" 2 - - "sched-run: missing CONFIG" -- "$SR" --once
check "usage: two modes named" 2 - - "sched-run: --once: only one of --check" -- "$SR" --check --once c.json
check "usage: --textfile-dir without --once" 2 - - "sched-run: --textfile-dir: only with --once" -- "$SR" --textfile-dir d c.json
check "usage: bad shard named" 2 - - "sched-run: --shard: not K/N with 0 <= K < N <= 1024: '3/2'" -- "$SR" --shard 3/2 --check c.json
# The shard is read as sched-plan reads it, so a Kubernetes pod locks per shard.
expect "shard from JOB_COMPLETION_INDEX and STOCKBARS_SHARDS" \
	"JOB_COMPLETION_INDEX=1 STOCKBARS_SHARDS=4 '$SR' --print-pipeline '$TOP/examples/jobs.json' | grep -q -- '--shard 1/4'"
expect "shard from STOCKBARS_SHARD" "STOCKBARS_SHARD=2/3 '$SR' --print-pipeline '$TOP/examples/jobs.json' | grep -q -- '--shard 2/3'"
check "an index without STOCKBARS_SHARDS is a usage error" 2 - - 'STOCKBARS_SHARDS' -- \
	env JOB_COMPLETION_INDEX=1 "$SR" --print-pipeline c.json
check "usage: tls key missing named" 2 - - "sched-run: --tls-cert: --tls-cert and --tls-key go together" -- "$SR" --tls-cert x c.json
# --print-pipeline --chunk: the same stages after sched-plan, files named after
# the chunk as given (parallel-pipeline's {#} included), stages from PATH.
"$SR" --print-pipeline --state-dir st --job daily "$TOP/examples/jobs.json" |
	sed -E 's#^[^|]*\| ##; s#st/daily\.#st/p.chunk-{\#}.#g; s#[^ ]*/([a-z-]+-bars )#\1#g' >chunk.want
check "--chunk: the stages after sched-plan of the one definition" 0 - chunk.want -- \
	sh -c "'$SR' --print-pipeline --chunk 'p.chunk-{#}' --state-dir st | sed \"s/'//g\""
expect "--chunk: every side file, gaps and events included" \
	"for f in failed plan-rejects fetch events rejects gaps; do grep -q \"st/p.chunk-{#}.\$f\" chunk.want || exit 1; done"
check "usage: --chunk without --print-pipeline" 2 - - "sched-run: --chunk: only with --print-pipeline" -- "$SR" --chunk x
check "usage: --chunk takes no CONFIG" 2 - - "sched-run: --chunk: no CONFIG, the plan comes on stdin: c.json" -- \
	"$SR" --print-pipeline --chunk x c.json
check "usage: --chunk is a file name" 2 - - "sched-run: --chunk a/b: want a file name" -- "$SR" --print-pipeline --chunk a/b
check "usage: --chunk with --job" 2 - - "sched-run: --job: --job and --shard need a CONFIG" -- "$SR" --print-pipeline --chunk x --job d

# ---- --check --------------------------------------------------------------
cat >c.json <<'JSON'
{"tickers":["AAPL","MSFT"],"interval":"5m","timezone":"America/New_York",
 "jobs":[{"name":"intraday","schedule":"*/5 9-15 * * 1-5"},
         {"name":"daily","interval":"1d","schedule":"30 16 * * mon-fri"},
         {"name":"berlin","schedule":"30 2 * * *","timezone":"Europe/Berlin"}]}
JSON
cat >check.want <<'TXT'
job intraday: "*/5 9-15 * * 1-5" in America/New_York
  2026-03-27 09:00 EDT     2026-03-27T13:00:00Z
  2026-03-27 09:05 EDT     2026-03-27T13:05:00Z
  2026-03-27 09:10 EDT     2026-03-27T13:10:00Z
  2026-03-27 09:15 EDT     2026-03-27T13:15:00Z
  2026-03-27 09:20 EDT     2026-03-27T13:20:00Z
job daily: "30 16 * * mon-fri" in America/New_York
  2026-03-27 16:30 EDT     2026-03-27T20:30:00Z
  2026-03-30 16:30 EDT     2026-03-30T20:30:00Z
  2026-03-31 16:30 EDT     2026-03-31T20:30:00Z
  2026-04-01 16:30 EDT     2026-04-01T20:30:00Z
  2026-04-02 16:30 EDT     2026-04-02T20:30:00Z
job berlin: "30 2 * * *" in Europe/Berlin
  2026-03-28 02:30 CET     2026-03-28T01:30:00Z
  2026-03-29 03:00 CEST    2026-03-29T01:00:00Z
  2026-03-30 02:30 CEST    2026-03-30T00:30:00Z
  2026-03-31 02:30 CEST    2026-03-31T00:30:00Z
  2026-04-01 02:30 CEST    2026-04-01T00:30:00Z
TXT
check "check: next five fires, local and UTC, across DST" 0 - check.want -- \
	env BARS_NOW=2026-03-27T12:00:00Z "$SR" --check c.json
head -6 check.want >check1.want
check "check: --job" 0 - check1.want -- env BARS_NOW=2026-03-27T12:00:00Z "$SR" --check --job intraday c.json
check "check: unknown --job" 2 - - "no job named 'nope'" -- "$SR" --check --job nope c.json
check "check: missing file" 2 - - "^sched-run: nope.json" -- "$SR" --check nope.json

# bad schedules: the error names the job and the field
while IFS='|' read -r expr pat; do
	printf '{"tickers":["A"],"interval":"5m","schedule":"%s"}\n' "$expr" >bad.json
	check "bad schedule '$expr'" 2 - - "job default: schedule \".*\": $pat" -- "$SR" --check bad.json
done <<'TAB'
* * * * 8|day-of-week: 8 out of range 0-7
61 * * * *|minute: 61 out of range 0-59
* 25 * * *|hour: 25 out of range 0-23
* * 0 * *|day-of-month: 0 out of range 1-31
* * * 13 *|month: 13 out of range 1-12
* * * foo *|month: unknown name 'foo'
*/0 * * * *|minute: bad step '0'
5/15 * * * *|minute: step needs a range
* * * *|expected 5 fields
@often|unknown macro '@often'
TAB
printf '{"tickers":["A"],"interval":"5m","schedule":"0 0 30 2 *"}\n' >never.json
check "check: schedule that never fires" 2 - - "never fires" -- "$SR" --check never.json
printf '{"tickers":["A"],"interval":"5m"}\n' >nosched.json
check "check: job without schedule" 2 - - 'job default: no "schedule"' -- "$SR" --check nosched.json
printf '{"tickers":["A"],"interval":"5m","jobs":[{"name":"x","schedule":"@daily"},{"name":"x","schedule":"@hourly"}]}\n' >dup.json
check "check: duplicate job names" 2 - - "job x: duplicate name" -- "$SR" --check dup.json
printf '{"tickers":["A"],"interval":"7m","schedule":"* * * * *"}\n' >badiv.json
check "check: config error from lib/cfg" 2 - - "unknown interval" -- "$SR" --check badiv.json

# ---- --once -----------------------------------------------------------------
check "once: runs every job, exit 0" 0 - - -- "$SR" --once --log-file once.log c.json
expect "once: each job logged run_end ok with rows" \
	"[ \$(grep -c 'event=run_end .*outcome=ok exit=0 stages=0,0,0,0,0 .*rows_in=1 inserted=1' once.log) = 3 ]"
expect "once: stage stderr is logged with the job" \
	"grep -q 'event=stage job=daily line=\"sched-plan: info: --config c.json --job daily\"' once.log"
check "once: pipeline status passes through" 7 - - -- env STUB_RC=7 "$SR" --once --job daily --log-file once.log c.json
printf '{"tickers":["A"],"interval":"5m","timeout":1}\n' >slow.json
check "once: timeout kills the group, exit 124" 124 - - "event=timeout job=default" -- \
	env STUB_SLEEP=20.3 "$SR" --once --log-file once.log slow.json
gone '[s]leep 20.3' && ok "once: no stub left behind after timeout" || not_ok "once: no stub left behind after timeout"
check "once: job without schedule is fine" 0 - - -- "$SR" --once --log-file once.log nosched.json
check "once: LOG_FORMAT=json" 0 - - -- env LOG_FORMAT=json "$SR" --once --job daily --log-file json.log c.json
expect "once: json log lines parse" \
	"$PY -c 'import json,sys; [json.loads(l) for l in open(\"json.log\")]; print(\"ok\")' && grep -q '\"event\":\"run_end\"' json.log && grep -q '\"inserted\":1' json.log"
check "once: LOG_LEVEL=error keeps stderr quiet" 0 - - -- sh -c "LOG_LEVEL=error '$SR' --once --job daily --log-file q.log c.json 2>q.err && [ ! -s q.err ]"
check "once: missing binary fails the run" 127 - - -- env BARS_BIN_DIR=/nonexistent "$SR" --once --job daily --log-file once.log c.json

# ---- daemon, API, locks and signals ------------------------------------------
printf 'tok-123\n' >token
cat >d.json <<'JSON'
{"tickers":["AAPL"],"interval":"5m","jobs":[{"name":"a","schedule":"0 0 1 1 *"}]}
JSON
start_daemon d.log --token-file token --rate-limit 50 d.json
check "lock: second scheduler refused" 3 - - "another sched-run holds the lock \\(pid $DPID\\)" -- \
	"$SR" --no-api --log-file d2.log d.json
check "lock: --once refused too" 3 - - "holds the lock" -- "$SR" --once --log-file d2.log d.json

http "api: GET /healthz" 200 '"status":"ok"' GET /healthz
http "api: GET /status" 200 '"state":"running".*"uptime_seconds":[0-9]+.*"name":"a".*"next_fire":"2027-01-01T00:00:00Z"' GET /status
http "api: GET /jobs" 200 '"schedule":"0 0 1 1 \*".*"timezone":"UTC".*"last_run":null' GET /jobs
http "api: GET /metrics" 200 'process_resident_memory_bytes [1-9].*process_cpu_seconds_total.*process_open_fds [0-9]' GET /metrics
http "api: POST /start without token" 401 'bearer token' POST /start
http "api: POST /start wrong token" 401 'bearer token' POST /start "Bearer tok-124"
http "api: POST /start short token" 401 'bearer token' POST /start "Bearer tok"
http "api: POST /stop no Bearer scheme" 401 'bearer token' POST /stop "tok-123"
http "api: POST /stop" 200 '"state":"paused"' POST /stop "Bearer tok-123"
http "api: paused in /status" 200 '"state":"paused"' GET /status
http "api: POST /start resumes" 200 '"state":"running"' POST /start "Bearer tok-123"
http "api: POST /start?job=nope" 404 'no such job' POST '/start?job=nope' "Bearer tok-123"
http "api: POST /start?job=a" 202 '"job":"a","queued":true' POST '/start?job=a' "Bearer tok-123"
wait_log d.log 'event=run_end job=a'
http "api: last run in /jobs" 200 '"runs_ok":1.*"outcome":"ok","exit_code":0,"stages":\{"sched-plan":0,"fetch-bars":0,"normalize-bars":0,"validate-bars":0,"load-bars":0\},"rows_in":1,"inserted":1' GET /jobs
http "api: metrics count the run" 200 'stockbars_runs_total\{stockbars_job="a",outcome="ok"\} 1 .*run_duration_seconds_count\{stockbars_job="a"\} 1 .*stockbars_rows_total\{stockbars_job="a",outcome="inserted"\} 1 ' GET /metrics
http "api: GET /start is 405" 405 'method not allowed' GET /start
http "api: POST /status is 405" 405 'method not allowed' POST /status "Bearer tok-123"
http "api: unknown path" 404 'not found' GET /nope
big=$("$PY" -c 'print("x" * 10000)')
http "api: body over 4 KiB refused" 413 'too large' POST /stop "Bearer tok-123" "$big"

# malformed requests: answered or closed, never a crash
while IFS='|' read -r name req; do
	out=$("$PY" raw.py "$PORT" "$req" 2>&1)
	case "$out" in
	"HTTP/1."[01]" "[45]*|closed) ok "malformed: $name" ;;
	*) not_ok "malformed: $name" "$out" ;;
	esac
done <<'TAB'
garbage|\x00\x01\x02 hello\r\n\r\n
no version|GET /status\r\n\r\n
bad version|GET /status HTTP/9.9\r\n\r\n
bad header|GET /status HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n
bad content-length|POST /stop HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n
truncated body|POST /stop HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc
bad chunked|POST /stop HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n
TAB
hdr=$("$PY" -c 'print("GET /status HTTP/1.1\\r\\nHost: x\\r\\nX-Big: " + "A" * 40000 + "\\r\\n\\r\\n")')
out=$("$PY" raw.py "$PORT" "$hdr" 2>&1)
case "$out" in "HTTP/1."[01]" 4"*|closed) ok "malformed: 40 KB header refused" ;; *) not_ok "malformed: 40 KB header refused" "$out" ;; esac
http "api: alive after malformed requests" 200 '"status":"ok"' GET /healthz

# SIGHUP: new job appears, counters kept; a broken config keeps the old one
cat >d.json <<'JSON'
{"tickers":["AAPL"],"interval":"5m","jobs":[{"name":"a","schedule":"0 0 1 1 *"},{"name":"b","schedule":"@monthly"}]}
JSON
kill -HUP "$DPID"
wait_log d.log 'event=reload config=d.json jobs=2'
http "sighup: new job listed, old counters kept" 200 '"name":"a".*"runs_ok":1.*"name":"b","schedule":"@monthly"' GET /jobs
# per-job pause: only that job; unknown jobs are 404 for both verbs
http "api: POST /stop?job=b" 200 '"job":"b","paused":true,"state":"running"' POST '/stop?job=b' "Bearer tok-123"
http "api: only b is paused" 200 '"name":"a",[^}]*"paused":false.*"name":"b",[^}]*"paused":true' GET /jobs
http "api: /status still running" 200 '"state":"running"' GET /status
http "api: metrics show the paused job" 200 'stockbars_paused\{stockbars_job="a"\} 0 stockbars_paused\{stockbars_job="b"\} 1 ' GET /metrics
http "api: POST /stop?job=nope" 404 'no such job' POST '/stop?job=nope' "Bearer tok-123"
http "api: POST /start?job=b resumes and runs it" 202 '"job":"b","queued":true,"paused":false' POST '/start?job=b' "Bearer tok-123"
http "api: b no longer paused" 200 '"name":"b",[^}]*"paused":false' GET /jobs
http "api: a mistyped argument is refused, not 'every job'" 400 'unknown query argument' \
	POST '/stop?jobx=b' "Bearer tok-123"
http "api: a job name with a NUL is refused" 400 'bad job name' POST '/stop?job=b%00x' "Bearer tok-123"
http "api: ... and nothing was paused" 200 '"state":"running"' GET /status
printf '{"tickers":' >d.json
kill -HUP "$DPID"
wait_log d.log 'event=reload_failed'
http "sighup: bad config keeps the old jobs" 200 '"name":"b"' GET /jobs

# rate limit: a burst beyond 2 x 50 requests gets 429, but never on
# /healthz (a liveness probe must not fail because a local client is busy)
codes=$("$PY" - "$PORT" <<'PY'
import sys, urllib.request, urllib.error
def get(path):
    try:
        return urllib.request.urlopen("http://127.0.0.1:%s%s" % (sys.argv[1], path), timeout=5).status
    except urllib.error.HTTPError as e:
        return e.code
c = [get("/status") for i in range(150)]
h = [get("/healthz") for i in range(20)]
print(" ".join(sorted(set(map(str, c)))), "/", " ".join(sorted(set(map(str, h)))))
PY
)
[ "$codes" = "200 429 / 200" ] && ok "api: per-client rate limit, /healthz exempt" ||
	not_ok "api: per-client rate limit, /healthz exempt" "codes: $codes"
# DNS rebinding: on loopback, a Host that is not a loopback name is refused
http "api: a foreign Host is refused on loopback (DNS rebinding)" 403 'loopback name' \
	GET /status "H:Host: evil.example:$PORT"
http "api: Host localhost is served" 200 '"jobs"' GET /status "H:Host: localhost:$PORT"

# SIGTERM while idle: clean exit 0
kill -TERM "$DPID"; wait "$DPID"; rc=$?
[ $rc -eq 0 ] && grep -q 'event=exit' d.log && ok "sigterm: clean exit" || not_ok "sigterm: clean exit" "rc=$rc"

# SIGTERM during a run: the run may finish within --grace
cat >d.json <<'JSON'
{"tickers":["AAPL"],"interval":"5m","jobs":[{"name":"a","schedule":"0 0 1 1 *"}]}
JSON
BARS_API_TOKEN=env-tok STUB_SLEEP=1 start_daemon g.log --grace 20 d.json
http "env token: BARS_API_TOKEN accepted" 202 queued POST '/start?job=a' "Bearer env-tok"
wait_log g.log 'event=run_start'
kill -TERM "$DPID"; wait "$DPID"; rc=$?
[ $rc -eq 0 ] && grep -q 'event=run_end job=a outcome=ok' g.log && ok "sigterm: running pipeline finishes within grace" ||
	not_ok "sigterm: running pipeline finishes within grace" "rc=$rc $(tail -3 g.log)"

# ... or is killed (whole group) when the grace runs out
STUB_SLEEP=31.7 start_daemon k.log --grace 1 d.json
http "loopback: a simple (form) POST is refused without a token" 403 'cross-site' POST '/start?job=a'
http "loopback: POST with X-Stockbars and no token configured" 202 queued POST '/start?job=a' "H:X-Stockbars: 1"
wait_log k.log 'event=run_start'
kill -TERM "$DPID"; wait "$DPID"; rc=$?
[ $rc -eq 0 ] && grep -q 'event=grace_over' k.log && grep -q 'event=run_end job=a outcome=killed' k.log &&
	gone '[s]leep 31.7' >/dev/null && ok "sigterm: grace over kills the group" ||
	not_ok "sigterm: grace over kills the group" "rc=$rc $(tail -3 k.log)"

# a fire missed while the scheduler was stopped: the state file remembers
# the last handled fire; within --misfire-grace it runs once at start ...
cat >m.json <<'JSON'
{"tickers":["AAPL"],"interval":"5m","jobs":[{"name":"m","schedule":"* * * * *"}]}
JSON
was=$(( $(date +%s) - 180 ))
printf 'm\t%s\n' $was >m.json.state
start_daemon m.log --misfire-grace 3600 m.json
wait_log m.log 'event=run_start job=m'
grep -q 'event=missed_while_stopped job=m' m.log && [ "$(grep -c 'event=run_start job=m' m.log)" = 1 ] &&
	ok "state: a fire missed while stopped runs once at start" ||
	not_ok "state: a fire missed while stopped runs once at start" "$(tail -3 m.log)"
wait_log m.log 'event=run_end job=m'
kill -TERM "$DPID"; wait "$DPID"
last=$(cut -f2 m.json.state)
[ "$last" -gt "$was" ] && [ $(( last % 60 )) = 0 ] && ok "state: last fire saved" || not_ok "state: last fire saved" "$(cat m.json.state)"
# ... and beyond the grace it is logged and skipped
printf 'm\t%s\n' $(( $(date +%s) - 600 )) >m.json.state
start_daemon m2.log --misfire-grace 5 m.json
wait_log m2.log 'event=misfire job=m reason=late'
grep -q 'event=misfire job=m reason=late' m2.log && ! grep -q 'event=run_start' m2.log &&
	ok "state: a missed fire beyond the grace is skipped" ||
	not_ok "state: a missed fire beyond the grace is skipped" "$(tail -3 m2.log)"
kill -TERM "$DPID"; wait "$DPID"

# bound beyond loopback without a token: POST refused entirely
"$SR" --log-file w.log --listen 0.0.0.0:0 --lock-file w.lock d.json 2>/dev/null &
DPID=$!; PIDS="$PIDS $DPID"
wait_log w.log 'event=api_listen'
PORT=$(grep -o 'port=[0-9]*' w.log | head -1 | cut -d= -f2)
http "non-loopback: POST refused without a token" 403 'no token configured' POST /stop
http "non-loopback: GET still served" 200 '"state":"running"' GET /status
kill -TERM "$DPID"; wait "$DPID"

# TLS (needs the openssl CLI to make a certificate; libmicrohttpd with GnuTLS)
if command -v openssl >/dev/null && openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem \
	-out cert.pem -days 2 -subj /CN=localhost >/dev/null 2>&1; then
	start_daemon tls.log --tls-cert cert.pem --tls-key key.pem --lock-file tls.lock d.json
	out=$("$PY" -c 'import ssl,sys,urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=5, context=ssl._create_unverified_context()).read().decode().strip())' "https://127.0.0.1:$PORT/healthz" 2>&1)
	[ "$out" = '{"status":"ok"}' ] && ok "tls: HTTPS served" || not_ok "tls: HTTPS served" "$out"
	out=$("$PY" client.py GET "http://127.0.0.1:$PORT/healthz" 2>&1 | tail -1)
	case "$out" in 200*) not_ok "tls: plain HTTP refused" "$out" ;; *) ok "tls: plain HTTP refused" ;; esac
	kill -TERM "$DPID"; wait "$DPID"
else
	ok "tls: skipped (no openssl CLI)"
fi
check "listen: bad address" 2 - - "--listen nohost:1: host must be" -- "$SR" --listen nohost:1 --lock-file x.lock --log-file x.log d.json
check "listen: bad port" 2 - - "--listen 127.0.0.1:99999: bad port" -- "$SR" --listen 127.0.0.1:99999 --lock-file x.lock --log-file x.log d.json
check "tls: unreadable cert" 2 - - "no-such.pem|TLS" -- "$SR" --tls-cert no-such.pem --tls-key no-such.pem --lock-file x.lock --log-file x.log d.json
# ---- system cron: scripts/stockbars-cron (more in tests/cli/stockbars-cron.sh) --
# The wrapper runs a job only when its schedule fires: 2026-11-24T21:30Z is
# 16:30 EST on a Tuesday, when "daily" ("30 16 * * mon-fri") is due.
W="$TOP/scripts/stockbars-cron"
DUE=2026-11-24T21:30:00Z
mkdir -p prom
check "cron wrapper: runs the pipeline" 0 - - -- env BARS_NOW=$DUE "$W" --log-file cron/w.log --textfile-dir prom --lock-dir "$T" c.json daily
expect "cron wrapper: logfmt run_end with rows" "grep -Eq 'event=run_end job=daily outcome=ok exit=0 stages=0,0,0,0,0 duration_s=[0-9]+ rows_in=1 inserted=1' cron/w.log"
expect "cron wrapper: stage stderr logged with the job" "grep -q 'event=stage job=daily line=\"sched-plan: info: --config c.json --job daily' cron/w.log"
expect "cron wrapper: textfile written" "grep -q 'stockbars_last_exit_code{stockbars_job=\"daily\"} 0' prom/stockbars_daily.prom && grep -q 'stockbars_rows_total{stockbars_job=\"daily\",outcome=\"inserted\"} 1' prom/stockbars_daily.prom"
ok_ts=$(sed -n 's/^stockbars_last_success_timestamp_seconds{stockbars_job="daily"} //p' prom/stockbars_daily.prom)
check "cron wrapper: pipefail status" 6 - - -- env BARS_NOW=$DUE STUB_RC=6 "$W" --log-file cron/w.log --textfile-dir prom --lock-dir "$T" c.json daily
expect "cron wrapper: failure recorded, last success kept" "grep -q 'stockbars_last_exit_code{stockbars_job=\"daily\"} 6' prom/stockbars_daily.prom && grep -q 'stockbars_last_success_timestamp_seconds{stockbars_job=\"daily\"} $ok_ts' prom/stockbars_daily.prom"
BARS_NOW=$DUE STUB_SLEEP=3 "$W" --log-file cron/w.log --lock-dir "$T" c.json daily 2>/dev/null &
WP=$!
wait_log cron/w.log 'event=run_start job=daily trigger=once pgid=[0-9]+$' >/dev/null
sleep 0.3
check "cron wrapper: an overlapping run is skipped, exit 3" 3 - - "daily: exit 3: .*reason=overlap" -- env BARS_NOW=$DUE "$W" --log-file cron/w.log --lock-dir "$T" c.json daily
expect "cron wrapper: overlap logged as a misfire" "grep -q 'event=misfire job=daily reason=overlap' cron/w.log"
wait $WP
check "cron wrapper: usage" 2 - - "usage: stockbars-cron" -- "$W"
check "cron wrapper: unreadable config" 2 - - "cannot read" -- "$W" nope.json
exit 0
