# sched-run's status page at "/": after a real run (fake provider, real
# PostgreSQL) it shows the job's schedule, next fire and last run, and the
# coverage heatmap with a session deleted by hand; it shows nothing /status
# does not (no connection string, password or path); headless Chromium
# renders it (the served bytes through the browser helper, and the URL
# itself with the served headers); it answers while PostgreSQL is
# SIGSTOPped, and the loop goes on; without a database it shows the jobs
# and says coverage is not shown.
. "$TOP/tests/lib.sh"

SR="$BIN/sched-run"
PIDS="" STOPPED=""
trap '[ -n "$STOPPED" ] && kill -CONT $STOPPED 2>/dev/null; for p in $PIDS; do kill -9 $p 2>/dev/null; done; cleanup_t' EXIT
cd "$T" || exit 1
unset BARS_BIN_DIR BARS_NOW

wait_log() { # FILE REGEX [TENTHS]
	i=0 n=${3:-200}
	while ! grep -Eq -- "$2" "$1" 2>/dev/null && [ $i -lt "$n" ]; do sleep 0.1; i=$((i + 1)); done
	grep -Eq -- "$2" "$1" 2>/dev/null
}
port_of() { grep -o 'port=[0-9]*' "$1" | head -1 | cut -d= -f2; }
# fetch PATH FILE [METHOD]: the body into FILE, the status on stdout; the
# whole request must end within 3 s (000 otherwise).
fetch() {
	"$PY" - "http://127.0.0.1:$PORT$1" "$2" "${3:-GET}" <<'PY'
import signal, sys, urllib.error, urllib.request
signal.alarm(3)
r = urllib.request.Request(sys.argv[1], method=sys.argv[3], data=b"" if sys.argv[3] == "POST" else None,
                           headers={"X-Stockbars": "1"})
try:
    with urllib.request.urlopen(r, timeout=3) as f:
        open(sys.argv[2], "wb").write(f.read()); print(f.status)
except urllib.error.HTTPError as e:
    open(sys.argv[2], "wb").write(e.read()); print(e.code)
except BaseException as e:
    print("000"); print(repr(e), file=sys.stderr)
PY
}
# until_page REGEX [TENTHS]: fetch / into page.html until it matches
until_page() {
	i=0 n=${2:-300}
	while [ $i -lt "$n" ]; do
		[ "$(fetch / page.html 2>/dev/null)" = 200 ] && grep -Eq -- "$1" page.html && return 0
		sleep 0.2; i=$((i + 2))
	done
	return 1
}
start_daemon() { # LOG ARGS...: sets SRPID and PORT
	lf=$1; shift
	"$SR" --log-file "$lf" --listen 127.0.0.1:0 "$@" 2>/dev/null &
	SRPID=$!; PIDS="$PIDS $SRPID"
	wait_log "$lf" 'event=api_listen'
	PORT=$(port_of "$lf")
}

start_fake
DB=$(new_db page)
# A password in the URL (trust authentication ignores it): the page must not show it.
PW="s3cret-pw-$$"
DBPW=$(echo "$DB" | sed "s|^postgresql:///|postgresql://postgres:$PW@/|")
DBNAME=$(echo "$DB" | sed 's|^postgresql:///\([^?]*\).*|\1|')
cat >c.json <<'JSON'
{"tickers":["AAPL","MSFT","GOOGL"],"interval":"5m","period":"20d","timezone":"America/New_York",
 "jobs":[{"name":"intraday","schedule":"0 0 1 1 *"}]}
JSON
Y=$(date -u +%Y)
NEXT="($Y|$((Y + 1)))-01-01 05:00Z" # midnight in New York

# ---- the page before and after a run -------------------------------------------
DATABASE_URL=$DBPW start_daemon logs/page.log --state-dir state --page-days 120 c.json
until_page '<td>intraday</td>' && ok "page: GET / answers 200 with the job" ||
	not_ok "page: GET / answers 200 with the job" "$(head -c 300 page.html; tail -3 logs/page.log)"
expect "page: the job's schedule, time zone, interval, tickers and next fire" \
	"grep -Eq '<td>intraday</td><td><code>0 0 1 1 \\*</code></td><td>America/New_York</td><td>5m</td><td class=\"n\">3</td><td>$NEXT<br>' page.html"
[ "$(fetch / x.html POST)" = 405 ] && ok "page: POST / is refused (405)" || not_ok "page: POST / is refused (405)"

[ "$(fetch '/start?job=intraday' x.html POST)" = 202 ] && wait_log logs/page.log 'event=run_end job=intraday outcome=ok' &&
	ok "page: the job ran (POST /start)" || not_ok "page: the job ran (POST /start)" "$(tail -5 logs/page.log)"
if until_page '<td class="ok">ok, [0-9-]+ [0-9:]+Z to [0-9-]+ [0-9:]+Z, exit 0</td>'; then
	ok "page: the job row shows the last run and its outcome"
else
	not_ok "page: the job row shows the last run and its outcome" "$(grep -A1 '<td>intraday' page.html | head -c 600)"
fi
expect "page: the heatmap draws every series" \
	"grep -q '<svg' page.html && grep -q '>all 3 series</text>' page.html &&
	 for s in AAPL MSFT GOOGL; do grep -q \">\$s 5m</text>\" page.html || exit 1; done &&
	 grep -q 'data-state=\"stored\"' page.html"
expect "page: the load run is listed" "grep -q '<h2 id=\"runs\">Load runs</h2>' page.html && grep -q '<td class=\"ok\">ok</td>' page.html"
fetch /status status.json >/dev/null
leaks=""
for s in "$DBPW" "$PW" "$DB" "$DBNAME" "$T" "${TEST_PG_DIR:-/nonexistent}" "$TMPROOT"; do
	grep -qF -- "$s" page.html && leaks="$leaks $s"
done
[ -z "$leaks" ] && grep -q "$PW" /proc/$SRPID/environ && ok "page: no connection string, password, state, log or socket path" ||
	not_ok "page: no connection string, password, state, log or socket path" "found:$leaks"

# ---- a session deleted by hand, in Chromium ----------------------------------------
D=$(psql -XAt "$DB" -c "SELECT d FROM (SELECT DISTINCT (ts AT TIME ZONE 'America/New_York')::date AS d
	FROM bars WHERE symbol = 'GOOGL') x ORDER BY d OFFSET 2 LIMIT 1")
psql -qX "$DB" -c "DELETE FROM bars WHERE symbol = 'GOOGL' AND (ts AT TIME ZONE 'America/New_York')::date = '$D'"
# The next run ends and the page is made again (the run plans from the newest bar on).
fetch '/start?job=intraday' x.html POST >/dev/null
if until_page "data-series=\"GOOGL 5m\" data-from=\"$D\" data-to=\"$D\""; then
	ok "page: the heatmap marks the deleted session $D after the next run"
else
	not_ok "page: the heatmap marks the deleted session $D after the next run" "$(tail -3 logs/page.log)"
fi
HOL=$(grep -o 'data-state="holiday" data-day="[0-9-]*"' page.html | tail -1 | cut -d'"' -f4)
[ -n "$HOL" ] && ok "page: 120 days hold a holiday column ($HOL)" || not_ok "page: 120 days hold a holiday column"
cp page.html served.html
art="$BUILD/test-artifacts"
mkdir -p "$art"
if ! command -v chromium >/dev/null 2>&1; then
	skip "page: / in headless Chromium" "chromium not installed (scripts/deps installs it)"
elif ! command -v chromedriver >/dev/null 2>&1; then
	skip "page: / in headless Chromium" "chromedriver not installed (package chromium-driver)"
elif ! /usr/bin/python3 -c 'import selenium' 2>/dev/null; then
	skip "page: / in headless Chromium" "python3-selenium not installed"
else
	/usr/bin/python3 "$TOP/tests/e2e/bars-report-browser.py" served.html "$art/sched-run-page.png" \
		"GOOGL 5m" "$D" "$D" "$HOL" >browser.out 2>browser.err
	rc=$?
	if [ $rc -eq 77 ]; then
		skip "page: / in headless Chromium" "$(head -c 200 browser.err | tr '\n' ' ')"
	else
		sed 's/^\(not \)\{0,1\}ok - browser: /&page: /' browser.out
		[ -s browser.err ] && cat browser.err >&2
		[ $rc -eq 0 ] && [ -s browser.out ] && ok "page: / in headless Chromium (screenshot: $art/sched-run-page.png)" ||
			not_ok "page: / in headless Chromium" "exit $rc"
		# The same browser set-up, on the URL itself (the helper opens files):
		# the served headers and the page together raise no console error.
		/usr/bin/python3 - "$TOP/tests/e2e/bars-report-browser.py" "http://127.0.0.1:$PORT/" \
			>http.out 2>http.err <<'PY'
import importlib.util, shutil, sys, tempfile
spec = importlib.util.spec_from_file_location("browser", sys.argv[1])
b = importlib.util.module_from_spec(spec)
spec.loader.exec_module(b)
profile = tempfile.mkdtemp(prefix="chromium-profile.")
try:
    d = b.start(profile)
    try:
        d.get(sys.argv[2])
        b.report(d.title == "stockbars status", "over HTTP: title", "title is %r" % d.title)
        n = d.execute_script("return document.querySelectorAll('svg rect').length")
        b.report(n > 0, "over HTTP: heatmap drawn", "%s rects" % n)
        errors = [l["message"] for l in d.get_log("browser") if l.get("level") in ("SEVERE", "ERROR")]
        b.report(not errors, "over HTTP: no console error", "; ".join(errors)[:600])
    finally:
        d.quit()
finally:
    shutil.rmtree(profile, ignore_errors=True)
sys.exit(1 if b.failed else 0)
PY
		rc=$?
		sed 's/^\(not \)\{0,1\}ok - browser: /&page: /' http.out
		[ -s http.err ] && cat http.err >&2
		[ $rc -eq 0 ] && [ -s http.out ] || not_ok "page: / over HTTP in headless Chromium" "exit $rc"
	fi
fi

# ---- PostgreSQL stopped: "/" answers and the loop goes on ----------------------------
if [ -n "${TEST_PG_DIR:-}" ] && pm=$(head -1 "$TEST_PG_DIR/data/postmaster.pid" 2>/dev/null); then
	STOPPED="$pm $(pgrep -P "$pm" | tr '\n' ' ')"
	kill -STOP $STOPPED
	kill -HUP $SRPID # a reload asks for a new page: its render waits on the database
	i=0; while ! pgrep -P $SRPID -f -- '--page' >/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	pgrep -P $SRPID -f -- '--page' >/dev/null && ok "stopped database: a render is waiting on it" ||
		not_ok "stopped database: a render is waiting on it" "$(tail -3 logs/page.log)"
	[ "$(fetch / stopped.html)" = 200 ] && grep -q '<svg' stopped.html &&
		ok "stopped database: GET / answers within 3 s with the last page" ||
		not_ok "stopped database: GET / answers within 3 s with the last page"
	[ "$(fetch /status x.json)" = 200 ] && [ "$(fetch /healthz x.json)" = 200 ] &&
		ok "stopped database: /status and /healthz answer within 3 s" ||
		not_ok "stopped database: /status and /healthz answer within 3 s"
	n=$(grep -c 'event=reload' logs/page.log)
	kill -HUP $SRPID
	i=0; while [ "$(grep -c 'event=reload' logs/page.log)" -le "$n" ] && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
	[ "$(grep -c 'event=reload' logs/page.log)" -gt "$n" ] && ok "stopped database: the loop still handles signals" ||
		not_ok "stopped database: the loop still handles signals" "$(tail -3 logs/page.log)"
	kill -CONT $STOPPED; STOPPED=""
	i=0; while pgrep -P $SRPID -f -- '--page' >/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	! pgrep -P $SRPID -f -- '--page' >/dev/null && until_page '<svg' 50 &&
		ok "stopped database: once it resumes, the render ends and the page is whole" ||
		not_ok "stopped database: once it resumes, the render ends and the page is whole" "$(tail -3 logs/page.log)"
else
	skip "stopped database: GET / answers" "no test cluster (TEST_PG_DIR)"
fi
kill -TERM $SRPID; wait $SRPID; rc=$?
[ $rc -eq 0 ] && ! pgrep -f -- '--page --page-days 120 --state-dir state' >/dev/null && ok "page: SIGTERM, clean exit, no render left" ||
	not_ok "page: SIGTERM, clean exit, no render left" "rc=$rc"

# ---- --page by hand ----------------------------------------------------------------
check "page: --page prints the page" 0 - - -- env DATABASE_URL="$DB" "$SR" --page --page-days 120 c.json
expect "page: --page draws the heatmap" "grep -q '<svg' '$T/out' && grep -q '<td>intraday</td>' '$T/out'"
# The last run's failed windows, rejected rows and gaps come from the files
# the stage table names (lib/sched_pipe), as the stages write them.
mkdir -p pst
printf '%s\n' symbol,interval,ts,open,high,low,close,adj_close,volume \
	AAPL,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1000 \
	AAPL,5m,2026-11-23T14:45:00Z,100,101,99,100.5,100.5,1000 \
	AAPL,5m,2026-11-23T14:50:00Z,100,99,101,100.5,100.5,1000 |
	"$BIN/validate-bars" --rejects pst/intraday.rejects.csv --gaps pst/intraday.gaps.csv >/dev/null 2>&1
printf '%s\n' symbol,interval,start,end MSFT,5m,2026-11-23T14:30:00Z,2026-11-23T21:00:00Z >pst/intraday.failed.csv
check "page: --page reads the last run's side files" 0 - - -- env DATABASE_URL="$DB" "$SR" --page --state-dir pst c.json
expect "page: ... failed windows, rejected rows and gaps counted" \
	"grep -q '1 failed fetch window, 1 rejected row, 2 missing bars reported' '$T/out'"
check "page: --page with a database that is down exits 3, password masked" 3 - - '^sched-run: database: ' -- \
	env DATABASE_URL="postgresql://u:$PW@/nodb?host=$T/nosock&connect_timeout=2" "$SR" --page c.json
expect "page: ... and the password is not in the message" "! grep -q '$PW' '$T/err'"
check "page: --page-days only for the scheduler or --page" 2 - - -- "$SR" --once --page-days 5 c.json
check "page: --page-days 0 is refused" 2 - - 'page-days 0' -- "$SR" --page --page-days 0 c.json

# ---- without a database ----------------------------------------------------------------
cp c.json nodb.json
env -u DATABASE_URL -u PGHOST -u PGHOSTADDR -u PGPORT -u PGDATABASE -u PGUSER -u PGSERVICE \
	"$SR" --log-file logs/nodb.log --listen 127.0.0.1:0 nodb.json 2>/dev/null &
SRPID=$!; PIDS="$PIDS $SRPID"
wait_log logs/nodb.log 'event=api_listen'
PORT=$(port_of logs/nodb.log)
until_page '<td>intraday</td>' 50 && grep -q 'no database is configured' page.html && ! grep -q '<svg' page.html &&
	ok "no database: the page shows the jobs and says coverage is not shown" ||
	not_ok "no database: the page shows the jobs and says coverage is not shown" "$(head -c 600 page.html)"
kill -TERM $SRPID; wait $SRPID
exit 0
