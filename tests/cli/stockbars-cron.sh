# stockbars-cron and its schedules: the guard at UTC instants on both sides
# of the 2026 DST changes, crontab.example's UTC lines plus the guard firing
# exactly the New York schedule, the systemd timers, logfmt logs, one line
# of mail per failure, the overall timeout, and the Prometheus textfile
# (database down, first run, atomic, no temp file) parsed by real parsers
# beside sched-run's /metrics.  Stub stages come through BARS_BIN_DIR.
. "$TOP/tests/lib.sh"

SR="$BIN/sched-run"
W="$TOP/scripts/stockbars-cron"
PIDS=""
trap 'for p in $PIDS; do kill -9 $p 2>/dev/null; done; cleanup_t' EXIT
cd "$T" || exit 1

mkdir -p stub
cat >stub/sched-plan <<'SH'
#!/bin/sh
echo "symbol,interval,start,end"
echo "sched-plan: info: planning $*" >&2
echo "sched-plan: warn: a second line from ${STUB_TAG:-plan}" >&2
[ -n "${STUB_SLEEP:-}" ] && exec sleep "$STUB_SLEEP"
exit 0
SH
for t in fetch-bars normalize-bars validate-bars; do printf '#!/bin/sh\nexec cat\n' >stub/$t; done
cat >stub/load-bars <<'SH'
#!/bin/sh
n=$(wc -l)
[ -n "${STUB_FAIL:-}" ] && { echo "load-bars: database: $STUB_FAIL" >&2; exit 3; }
echo "{\"rows_in\":$n,\"inserted\":$n,\"updated\":0,\"unchanged\":0,\"rejected\":0,\"duplicates\":0}"
SH
chmod +x stub/*
export BARS_BIN_DIR="$T/stub"
JOBS="$TOP/examples/jobs.json"

# ---- options ----------------------------------------------------------------
"$W" --help >help.out 2>&1
for opt in --textfile-dir --log-file --lock-dir --timeout --shard --no-guard --help --version; do
	grep -q -- "^ *\(-h, \)\?$opt" help.out && ok "help: lists $opt" || not_ok "help: lists $opt" "$(cat help.out)"
done
check "version" 0 - - -- sh -c "'$W' --version | grep -Eq '^stockbars-cron [0-9]+\.[0-9]+'"
check "unknown option named" 2 - - "stockbars-cron: unknown option: --bogus" -- "$W" --bogus c.json
check "missing CONFIG named" 2 - - "stockbars-cron: missing CONFIG" -- "$W"
check "bad timeout named" 2 - - "--timeout 1x: want whole seconds" -- "$W" --timeout 1x c.json
check "extra argument named" 2 - - "unexpected argument: extra" -- "$W" c.json job extra

# ---- make install / uninstall: a mirror, wrapper and man page included -----
if make -s -o all -C "$TOP" BIN="$BIN" BUILD="$BUILD" install DESTDIR="$T/inst" >inst.out 2>&1; then
	[ -x "$T/inst/usr/local/bin/stockbars-cron" ] && [ -f "$T/inst/usr/local/share/man/man1/stockbars-cron.1" ] &&
		ok "install: the wrapper and its man page" || not_ok "install: the wrapper and its man page" "$(find "$T/inst" -type f)"
	make -s -o all -C "$TOP" BIN="$BIN" BUILD="$BUILD" uninstall DESTDIR="$T/inst" >>inst.out 2>&1
	left=$(find "$T/inst" -type f)
	[ -z "$left" ] && ok "uninstall: removes every installed file" || not_ok "uninstall: removes every installed file" "$left"
else
	not_ok "install: make install" "$(tail -3 inst.out)"
fi

# ---- the guard at UTC instants on both sides of each 2026 DST change ---------
# instant | job | runs?   (New York: EST = UTC-5 until 2026-03-08 and from 2026-11-01)
n=0
while IFS='|' read -r at job want why; do
	n=$((n + 1))
	rm -f g.log
	BARS_NOW=$at "$W" --log-file g.log --lock-dir "$T" "$JOBS" "$job" >g.out 2>&1
	rc=$?
	if grep -q "event=run_start job=$job" g.log 2>/dev/null; then got=yes; else got=no; fi
	[ $rc -eq 0 ] && [ "$got" = "$want" ] && ok "guard: $at $job: $want ($why)" ||
		not_ok "guard: $at $job: $want ($why)" "rc=$rc got=$got $(cat g.out)"
done <<'TAB'
2026-03-06T14:30:00Z|intraday|yes|Fri 09:30 EST
2026-03-06T13:30:00Z|intraday|no|Fri 08:30 EST, before the session
2026-03-06T21:55:00Z|intraday|yes|Fri 16:55 EST
2026-03-06T22:30:00Z|daily|yes|Fri 17:30 EST
2026-03-06T21:30:00Z|daily|no|Fri 16:30 EST
2026-03-09T13:30:00Z|intraday|yes|Mon 09:30 EDT
2026-03-09T21:55:00Z|intraday|no|Mon 17:55 EDT, after the session
2026-03-09T21:30:00Z|daily|yes|Mon 17:30 EDT
2026-03-09T22:30:00Z|daily|no|Mon 18:30 EDT
2026-10-30T13:30:00Z|intraday|yes|Fri 09:30 EDT
2026-10-30T21:30:00Z|daily|yes|Fri 17:30 EDT
2026-11-02T13:30:00Z|intraday|no|Mon 08:30 EST
2026-11-02T14:30:00Z|intraday|yes|Mon 09:30 EST
2026-11-02T22:30:00Z|daily|yes|Mon 17:30 EST
2026-11-02T21:30:00Z|daily|no|Mon 16:30 EST
2026-11-01T15:00:00Z|intraday|no|Sunday
TAB
check "guard: sched-run --due says due" 0 - - -- env BARS_NOW=2026-11-02T14:30:59Z "$SR" --due --job intraday "$JOBS"
check "guard: sched-run --due says not due" 1 - - -- env BARS_NOW=2026-11-02T13:30:00Z "$SR" --due --job intraday "$JOBS"
check "guard: --no-guard runs anyway" 0 - - -- env BARS_NOW=2026-11-02T13:30:00Z "$W" --no-guard --log-file ng.log --lock-dir "$T" "$JOBS" intraday
expect "guard: --no-guard ran" "grep -q 'event=run_end job=intraday outcome=ok' ng.log"

# ---- crontab.example: its UTC lines and the guard fire the New York schedule --
# For a day on each side of each change, the fires of the job's schedule
# (sched-run --check, New York) must all be cron ticks of its UTC line
# (sched-run --check of the line in UTC), and lie in the session.
day_fires() { # CONFIG JOB DAY: "UTC LOCAL-TIME" of the fires within that UTC day
	BARS_NOW="${3}T00:00:00Z" "$SR" --check --count 300 ${2:+--job "$2"} "$1" |
		awk -v d="$3" '$NF ~ "^"d"T" {print $NF, $2}'
}
grep -E '^[0-9*]' "$TOP/crontab.example" >cron.lines
[ "$(wc -l <cron.lines)" -ge 2 ] && ok "crontab.example: has job lines" || not_ok "crontab.example: has job lines"
grep -q '^CRON_TZ=America' "$TOP/crontab.example" && not_ok "crontab.example: no New York CRON_TZ (Debian's cron ignores it)" ||
	ok "crontab.example: no New York CRON_TZ (Debian's cron ignores it)"
while read -r mi ho dom mon dow rest; do
	job=${rest##* }
	printf '{"tickers":["A"],"interval":"5m","timezone":"UTC","schedule":"%s %s %s %s %s"}\n' \
		"$mi" "$ho" "$dom" "$mon" "$dow" >utc-$job.json
	case $job in intraday) lo=09:00 hi=16:55 ;; daily) lo=17:30 hi=17:30 ;; *) lo=00:00 hi=23:59 ;; esac
	for day in 2026-03-06 2026-03-09 2026-10-30 2026-11-02; do
		day_fires utc-$job.json "" $day | cut -d' ' -f1 >ticks-$job-$day
		day_fires "$JOBS" "$job" $day >local
		cut -d' ' -f1 local >want-$job-$day
		missed=$(comm -23 want-$job-$day ticks-$job-$day | head -3)
		[ -s local ] && [ -z "$missed" ] && ok "crontab.example: $job on $day: every fire has a cron tick" ||
			not_ok "crontab.example: $job on $day: every fire has a cron tick" "missed: $missed"
		bad=$(awk -v lo=$lo -v hi=$hi '$2 < lo || $2 > hi' local)
		[ -z "$bad" ] && ok "crontab.example: $job on $day: fires inside the New York window $lo-$hi" ||
			not_ok "crontab.example: $job on $day: fires inside the New York window" "$bad"
	done
done <cron.lines
# The guard lets through exactly the schedule's fires among the ticks.  Every
# tick of the hours where the two offsets differ (13 and 21 UTC) and of the
# hours next to them, on a day on each side of the spring change.
for day in 2026-03-06 2026-03-09; do
	: >guarded
	grep -E "T(13|14|20|21):(00|30|55)" ticks-intraday-$day >edge
	while read -r at; do
		BARS_NOW=$at "$SR" --due --job intraday "$JOBS" && echo "$at" >>guarded
	done <edge
	grep -Fx -f edge want-intraday-$day >want
	[ -s edge ] && diff -q want guarded >/dev/null && ok "guard: on $day it lets through exactly the schedule's fires among $(wc -l <edge) ticks" ||
		not_ok "guard: on $day it lets through exactly the schedule's fires" "$(diff want guarded | head -5)"
done

# ---- systemd timers: OnCalendar fires the same instants as the schedule ------
if command -v systemd-analyze >/dev/null && systemd-analyze calendar --help 2>&1 | grep -q -- --base-time; then
	for tm in intraday daily; do
		spec=$(sed -n 's/^OnCalendar=//p' "$TOP/examples/systemd/stockbars-$tm.timer")
		for day in 2026-03-06 2026-03-09 2026-11-02; do
			TZ=UTC systemd-analyze calendar --iterations=100 --base-time="$(date -u -d "$day -1 sec" '+%Y-%m-%d %H:%M:%S') UTC" "$spec" 2>/dev/null |
				sed -n 's/.*\(Next elapse\|Iter\. #[0-9]*\): [A-Z][a-z]* \([0-9-]*\) \([0-9:]*\) UTC$/\2T\3Z/p' |
				grep "^${day}T" >timer.fires
			[ -s want-$tm-$day ] && diff -q want-$tm-$day timer.fires >/dev/null &&
				ok "systemd: $tm timer on $day fires exactly the schedule's instants" ||
				not_ok "systemd: $tm timer on $day fires exactly the schedule's instants" "$(diff want-$tm-$day timer.fires | head -4)"
		done
	done
else
	skip "systemd: timers against the schedules" "systemd-analyze calendar --base-time not available"
fi
grep -q '^ExecStart=.*sched-run --once --job %i' "$TOP/examples/systemd/stockbars-job@.service" &&
	ok "systemd: the service runs sched-run --once for the timer's job" || not_ok "systemd: the service runs sched-run --once"

# ---- logs: logfmt with ts, level and job, two concurrent jobs attributable ---
rm -f both.log
STUB_TAG=one "$W" --no-guard --log-file both.log --lock-dir "$T" "$JOBS" intraday &
P1=$!
STUB_TAG=two "$W" --no-guard --log-file both.log --lock-dir "$T" "$JOBS" daily
wait $P1
printf 'not logfmt\n' | "$W" --no-guard --log-file both.log --lock-dir "$T" "$JOBS" nosuchjob 2>/dev/null
"$PY" - both.log >logfmt.out <<'PY'
import re, sys
tok = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|[^\s"]*)')
bad = 0
for n, line in enumerate(open(sys.argv[1]), 1):
    line = line.rstrip("\n"); pos = 0; keys = {}
    while pos < len(line):
        m = tok.match(line, pos)
        if not m: bad += 1; print("not logfmt: line %d: %s" % (n, line)); break
        keys[m.group(1)] = m.group(2); pos = m.end()
    else:
        if not {"ts", "level", "job"} <= set(keys): bad += 1; print("missing keys: line %d: %s" % (n, line))
print("lines=%d bad=%d" % (n, bad))
PY
grep -q ' bad=0$' logfmt.out && ok "log: every line is logfmt with ts, level and job" || not_ok "log: every line is logfmt with ts, level and job" "$(head -5 logfmt.out)"
grep -q 'level=warn event=stage job=intraday line="sched-plan: warn: a second line from one"' both.log &&
	grep -q 'level=warn event=stage job=daily line="sched-plan: warn: a second line from two"' both.log &&
	ok "log: stage lines of two concurrent jobs keep their job" || not_ok "log: stage lines of two concurrent jobs keep their job" "$(grep event=stage both.log)"
grep -q 'level=error event=stderr job=nosuchjob line="sched-run: .*no job named' both.log &&
	ok "log: sched-run's own error wrapped as logfmt" || not_ok "log: sched-run's own error wrapped as logfmt" "$(tail -2 both.log)"

# ---- failure: database down, first run --------------------------------------
mkdir -p tf
port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
DATABASE_URL="postgresql://u:Sek1Leak2@127.0.0.1:$port/db?connect_timeout=2" \
	"$W" --no-guard --log-file down.log --textfile-dir tf --lock-dir "$T" "$JOBS" daily >down.out 2>down.err
rc=$?
[ $rc -eq 3 ] && ok "db down: wrapper exits 3" || not_ok "db down: wrapper exits 3" "rc=$rc $(cat down.err)"
[ "$(wc -l <down.err)" = 1 ] && [ ! -s down.out ] && grep -q '^stockbars-cron: daily: exit 3: .*127.0.0.1' down.err &&
	ok "db down: exactly one line for cron to mail" || not_ok "db down: exactly one line for cron to mail" "$(cat down.out down.err)"
! grep -q Sek1Leak2 down.err down.log tf/* && ok "db down: no password in mail, log or textfile" ||
	not_ok "db down: no password in mail, log or textfile" "$(grep -h Sek1Leak2 down.err down.log tf/*)"
grep -q '^stockbars_runs_total{stockbars_job="daily",outcome="error"} 1$' tf/stockbars_daily.prom &&
	grep -q '^stockbars_last_exit_code{stockbars_job="daily"} 3$' tf/stockbars_daily.prom &&
	ok "db down: the first run's textfile says so" || not_ok "db down: the first run's textfile says so" "$(grep -v '^#' tf/stockbars_daily.prom 2>&1 | head)"
"$W" --no-guard --log-file ok.log --textfile-dir tf --lock-dir "$T" "$JOBS" daily 2>ok.err
grep -q '^stockbars_runs_total{stockbars_job="daily",outcome="ok"} 1$' tf/stockbars_daily.prom &&
	grep -q '^stockbars_runs_total{stockbars_job="daily",outcome="error"} 1$' tf/stockbars_daily.prom &&
	grep -q '^stockbars_last_success_timestamp_seconds{stockbars_job="daily"} [0-9]' tf/stockbars_daily.prom &&
	[ ! -s ok.err ] && ok "textfile: counters add up across runs; success prints nothing" ||
	not_ok "textfile: counters add up across runs; success prints nothing" "$(cat ok.err; grep -v '^#' tf/stockbars_daily.prom | head -4)"
STUB_FAIL="connection refused" "$W" --no-guard --log-file f.log --textfile-dir tf --lock-dir "$T" "$JOBS" intraday 2>f.err
[ "$(cat f.err)" = "stockbars-cron: intraday: exit 3: load-bars: database: connection refused (log: f.log)" ] &&
	ok "failure: the mailed line names the failing stage's message" || not_ok "failure: the mailed line names the failing stage's message" "$(cat f.err)"
printf '{"tickers":' >broken.json
"$W" --no-guard --log-file b.log --textfile-dir tf --lock-dir "$T" broken.json nightly 2>b.err
[ $? -eq 2 ] && [ "$(wc -l <b.err)" = 1 ] && grep -q '^stockbars_runs_total{stockbars_job="nightly",outcome="error"} 1$' tf/stockbars_nightly.prom &&
	ok "config error: exit 2, one line, textfile still written" || not_ok "config error: exit 2, one line, textfile still written" "$(cat b.err)"
[ -z "$(ls -A tf | grep -v '^stockbars_.*\.prom$')" ] && ok "textfile: no temporary file left behind" ||
	not_ok "textfile: no temporary file left behind" "$(ls -A tf)"

# ---- the overall timeout ------------------------------------------------------
mkdir -p tto
STUB_SLEEP=30.9 "$W" --no-guard --timeout 1 --log-file to.log --lock-dir "$T" --textfile-dir tto \
	"$JOBS" daily >/dev/null 2>to.err
rc=$?
[ $rc -eq 124 ] && [ "$(wc -l <to.err)" = 1 ] && ok "timeout: --timeout ends the run, exit 124, one line" ||
	not_ok "timeout: --timeout ends the run, exit 124, one line" "rc=$rc $(cat to.err)"
expect "timeout: the textfile says timeout and 124, as the wrapper does" \
	"grep -q '^stockbars_runs_total{stockbars_job=\"daily\",outcome=\"timeout\"} 1\$' tto/stockbars_daily.prom &&
	 grep -q '^stockbars_last_exit_code{stockbars_job=\"daily\"} 124\$' tto/stockbars_daily.prom"
gone '[s]leep 30.9' && ok "timeout: no stage left behind" || not_ok "timeout: no stage left behind"

# ---- metrics: one vocabulary, accepted by real parsers ------------------------
printf '{"tickers":["AAPL"],"interval":"5m","jobs":[{"name":"daily","schedule":"0 0 1 1 *"}]}\n' >d.json
"$SR" --log-file d.log --listen 127.0.0.1:0 d.json 2>/dev/null &
DPID=$!; PIDS="$PIDS $DPID"
i=0; while ! grep -q 'event=api_listen' d.log 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
PORT=$(grep -o 'port=[0-9]*' d.log | head -1 | cut -d= -f2)
"$PY" -c 'import sys,urllib.request; r=urllib.request.Request(sys.argv[1], method="POST", data=b"", headers={"X-Stockbars":"1"}); urllib.request.urlopen(r, timeout=5)' "http://127.0.0.1:$PORT/start?job=daily"
i=0; while ! grep -q 'event=run_end' d.log && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
"$PY" -c 'import sys,urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode(), end="")' "http://127.0.0.1:$PORT/metrics" >api.prom
kill -TERM $DPID; wait $DPID
if /usr/bin/python3 -c 'import prometheus_client' 2>/dev/null; then
	/usr/bin/python3 - api.prom tf/stockbars_daily.prom >parse.out 2>&1 <<'PY'
import sys
from prometheus_client.parser import text_string_to_metric_families as parse
fams = []
for path in sys.argv[1:]:
    fams.append({f.name: (f.type, sorted({k for s in f.samples for k in s.labels})) for f in parse(open(path).read())})
api, tf = fams
bad = [n for d in fams for n, (t, labels) in d.items() if "job" in labels or "instance" in labels]
print("job/instance labels:", bad)
print("textfile families missing from /metrics:", sorted(set(tf) - set(api)))
print("families that differ:", [n for n in tf if n in api and api[n] != tf[n]])
# the parser names counter families without their _total suffix
need = ["stockbars_last_run_timestamp_seconds", "stockbars_last_success_timestamp_seconds",
        "stockbars_run_duration_seconds", "stockbars_rows", "stockbars_windows", "stockbars_runs"]
print("per-job families missing:", [n for n in need if n not in tf or n not in api])
print("parsed", len(api), len(tf))
PY
	grep -q '^job/instance labels: \[\]$' parse.out && ok "metrics: no job or instance label (python3-prometheus-client)" ||
		not_ok "metrics: no job or instance label (python3-prometheus-client)" "$(cat parse.out)"
	grep -q '^textfile families missing from /metrics: \[\]$' parse.out && grep -q '^families that differ: \[\]$' parse.out &&
		ok "metrics: textfile and /metrics share names, types and labels" ||
		not_ok "metrics: textfile and /metrics share names, types and labels" "$(cat parse.out)"
	grep -q '^per-job families missing: \[\]$' parse.out && ok "metrics: last run, last success, duration, rows, windows" ||
		not_ok "metrics: last run, last success, duration, rows, windows" "$(cat parse.out)"
else
	skip "metrics: python3-prometheus-client parse" "python3-prometheus-client not installed (scripts/deps installs it)"
fi
if command -v promtool >/dev/null; then
	for f in api.prom tf/stockbars_daily.prom; do
		out=$(promtool check metrics <"$f" 2>&1) && ok "metrics: promtool check metrics accepts $(basename $f)" ||
			not_ok "metrics: promtool check metrics accepts $(basename $f)" "$out"
	done
else
	skip "metrics: promtool check metrics" "promtool not installed (Debian package prometheus)"
fi
exit 0
