# bars-report end to end: the pipeline loads 5m bars from the fake provider
# (holidays and early closes included), sessions are deleted by hand, and
# the report, its strip and its status page must show exactly those holes;
# then headless Chromium renders the page (skipped without a browser).
. "$TOP/tests/lib.sh"

export BARS_NOW=2026-12-01T21:30:00Z   # the Tuesday after Thanksgiving, after the close
export DATABASE_URL=$(new_db report)
export BARS_STATE_DIR="$T/state"
start_fake
cat >"$T/c.json" <<'JSON'
{"timezone": "America/New_York",
 "jobs": [{"name": "intraday", "tickers": ["AAPL", "MSFT", "GOOGL"], "interval": "5m",
           "period": "20d", "schedule": "*/5 9-16 * * 1-5"}]}
JSON

check "report e2e: pipeline loads" 0 - - -- "$TOP/scripts/run-pipeline" "$T/c.json"
# Two sessions of AAPL by hand, and a whole week of GOOGL.
psql -qX "$DATABASE_URL" -c "DELETE FROM bars WHERE symbol = 'AAPL' AND
	(ts AT TIME ZONE 'America/New_York')::date IN ('2026-11-17', '2026-11-19')" \
	-c "DELETE FROM bars WHERE symbol = 'GOOGL' AND
	(ts AT TIME ZONE 'America/New_York')::date BETWEEN '2026-11-16' AND '2026-11-20'"

bars-report --days 20 -f csv >"$T/r.csv" 2>"$T/r.err"
# 2026-11-11 21:30Z + 20 days: Nov 12 .. Dec 1, 13 sessions: Thanksgiving closed,
# Nov 27 closes at 13:00 (42 bars), 12 x 78 + 42 = 978.
expect "report e2e: AAPL lists exactly the two deleted sessions" \
	"grep -q '^AAPL,5m,.*,2,0,0,0,0,0,[^,]*,[0-9]*,2026-11-17 2026-11-19,\$' '$T/r.csv'"
expect "report e2e: GOOGL's missing week is one range" \
	"grep -q '^GOOGL,5m,.*,5,0,0,0,0,0,[^,]*,[0-9]*,2026-11-16..2026-11-20,\$' '$T/r.csv'"
expect "report e2e: MSFT is complete, early close included, holiday not a hole" \
	"grep -q '^MSFT,5m,[^,]*,[^,]*,978,978,0,0,0,0,0,0,' '$T/r.csv'"
expect "report e2e: no holiday is a hole" "! grep -q 2026-11-26 '$T/r.csv'"

bars-report --days 20 --strip >"$T/r.txt" 2>>"$T/r.err"
expect "report e2e: the strip shows the holes and the holiday" \
	"grep -A1 '^AAPL 5m\$' '$T/r.txt' | grep -qx '  2026-11-09    ###.#.####H###' &&
	 grep -A1 '^GOOGL 5m\$' '$T/r.txt' | grep -qx '  2026-11-09    ##.....###H###'"
expect "report e2e: every strip line fits 80 columns" \
	"! grep -E '^  [0-9]{4}-[0-9]{2}-[0-9]{2} ' '$T/r.txt' | awk 'length > 80' | grep -q ."

check "report e2e: html page written" 0 - - -- \
	bars-report --days 20 --config "$T/c.json" --html "$T/page.html" --no-strip
expect "report e2e: html marks both AAPL holes" \
	"[ \$(grep -o 'data-series=\"AAPL 5m\" data-from=\"2026-11-1[79]\"' '$T/page.html' | wc -l) -eq 2 ]"
expect "report e2e: html shows the job and its next fire" \
	"grep -q '<td>intraday</td><td><code>\\*/5 9-16 \\* \\* 1-5</code>' '$T/page.html' &&
	 grep -q '<td>2026-12-01 21:35Z<br>2026-12-01 21:40Z' '$T/page.html'"
expect "report e2e: html shows the load runs" "grep -q '<td class=\"ok\">ok</td>' '$T/page.html'"

# The browser: Debian's chromium, chromedriver and python3-selenium.
art="$BUILD/test-artifacts"
mkdir -p "$art"
if ! command -v chromium >/dev/null 2>&1; then
	skip "report e2e: page in headless Chromium" "chromium not installed (scripts/deps installs it)"
elif ! command -v chromedriver >/dev/null 2>&1; then
	skip "report e2e: page in headless Chromium" "chromedriver not installed (package chromium-driver)"
elif ! /usr/bin/python3 -c 'import selenium' 2>/dev/null; then
	skip "report e2e: page in headless Chromium" "python3-selenium not installed"
else
	/usr/bin/python3 "$TOP/tests/e2e/bars-report-browser.py" "$T/page.html" "$art/bars-report.png" \
		"GOOGL 5m" 2026-11-16 2026-11-20 2026-11-26 >"$T/browser.out" 2>"$T/browser.err"
	rc=$?
	if [ $rc -eq 77 ]; then
		skip "report e2e: page in headless Chromium" "$(head -c 200 "$T/browser.err" | tr '\n' ' ')"
	else
		cat "$T/browser.out"
		[ -s "$T/browser.err" ] && cat "$T/browser.err" >&2
		[ $rc -eq 0 ] && [ -s "$T/browser.out" ] && ok "report e2e: page in headless Chromium (screenshot: $art/bars-report.png)" ||
			not_ok "report e2e: page in headless Chromium" "exit $rc"
		# The checks can fail: an external image is refused by the page's
		# policy, which Chromium reports as a console error.
		sed 's|<body>|<body><img src="http://192.0.2.1/x.png">|' "$T/page.html" >"$T/bad.html"
		/usr/bin/python3 "$TOP/tests/e2e/bars-report-browser.py" "$T/bad.html" "$T/bad.png" \
			"GOOGL 5m" 2026-11-16 2026-11-20 2026-11-26 >"$T/bad.out" 2>"$T/bad.err"
		rc=$?
		expect "report e2e: Chromium catches a console error" \
			"[ $rc -eq 1 ] && grep -qx 'not ok - browser: no console error' '$T/bad.out' &&
			 grep -q 'Content Security Policy' '$T/bad.err'"
	fi
fi

# Bars on closed days never stand in for a missing session: only bars inside
# the calendar's sessions count.  Each series is complete (Nov 2..30, 5m
# with the early close, 1d) but for the session it misses, and carries bars
# on a day or at an hour the exchange was closed.  A count of the whole
# window would match the calendar and hide the hole.
export DATABASE_URL=$(new_db closed)
"$BIN/load-bars" --init 2>/dev/null
psql -qX -v ON_ERROR_STOP=1 "$DATABASE_URL" >/dev/null <<'SQL'
CREATE TEMP TABLE s AS
SELECT d::date AS day, CASE WHEN d::date = '2026-11-27' THEN 42 ELSE 78 END AS n
FROM generate_series('2026-11-02'::date, '2026-11-30'::date, '1 day') d
WHERE extract(isodow FROM d) < 6 AND d::date <> '2026-11-26';
CREATE TEMP TABLE want (symbol text, interval text, ts timestamptz);
INSERT INTO want SELECT v.sym, '5m', (day + time '09:30' + k * interval '5 min') AT TIME ZONE 'America/New_York'
FROM (VALUES ('OK5'), ('SAT5'), ('HOL5'), ('PRE5'), ('ECL5')) v(sym), s, generate_series(0, s.n - 1) k;
INSERT INTO want SELECT v.sym, '1d', day::timestamp AT TIME ZONE 'America/New_York'
FROM (VALUES ('SAT1'), ('SUN1')) v(sym), s;
-- The holes: a whole session, or one bar of it.
DELETE FROM want WHERE symbol IN ('SAT5', 'HOL5', 'SAT1', 'SUN1')
  AND (ts AT TIME ZONE 'America/New_York')::date = '2026-11-18';
DELETE FROM want WHERE symbol = 'PRE5' AND ts = '2026-11-18 20:55Z';
DELETE FROM want WHERE symbol = 'ECL5' AND ts = '2026-11-27 17:55Z';
-- The bars on closed days or hours, as many as the hole.
INSERT INTO want SELECT 'SAT5', '5m', '2026-11-21 14:30Z'::timestamptz + k * interval '5 min' FROM generate_series(0, 77) k;
INSERT INTO want SELECT 'HOL5', '5m', '2026-11-26 14:30Z'::timestamptz + k * interval '5 min' FROM generate_series(0, 77) k;
INSERT INTO want VALUES ('SAT1', '1d', '2026-11-21 05:00Z'), ('SUN1', '1d', '2026-11-22 05:00Z'),
  ('PRE5', '5m', '2026-11-18 13:00Z'), ('ECL5', '5m', '2026-11-27 18:00Z');
INSERT INTO bars (symbol, interval, ts, open, high, low, close, adj_close, volume)
SELECT symbol, interval, ts, 1, 1, 1, 1, 1, 1 FROM want;
SQL
BARS_NOW=2026-12-01T12:00:00Z bars-report --days 30 -f csv >"$T/closed.csv" 2>"$T/closed.err"
# symbol interval stored expected missing_sessions partial_sessions missing partial
while read -r sym iv stored exp nmiss npart miss part; do
	[ "$miss" = - ] && miss=
	[ "$part" = - ] && part=
	expect "report closed days: $sym $iv: $nmiss missing ($miss), $npart partial ($part)" \
		"grep -qx '$sym,$iv,[^,]*,[^,]*,$stored,$exp,$nmiss,$npart,0,0,0,0,[^,]*,[0-9]*,$miss,$part' '$T/closed.csv'"
done <<'END'
OK5  5m 1524 1524 0 0 - -
SAT5 5m 1446 1524 1 0 2026-11-18 -
HOL5 5m 1446 1524 1 0 2026-11-18 -
PRE5 5m 1523 1524 0 1 - 2026-11-18
ECL5 5m 1523 1524 0 1 - 2026-11-27
SAT1 1d 19 20 1 0 2026-11-18 -
SUN1 1d 19 20 1 0 2026-11-18 -
END
expect "report closed days: all 7 series reported, nothing on stderr" \
	"[ \$(wc -l <'$T/closed.csv') -eq 8 ] && [ ! -s '$T/closed.err' ]"

# --ndjson: a run's fetch-bars output, counted per series (responses, and
# those that needed a retry: RTRY's first request gets a 503), plus lines
# written by hand: a body longer than the read buffer with numbers no C
# type holds, a blank line, and
# bad lines that are named and skipped.
stop_fake
start_fake --fault RTRY=503:1
printf '%s\n' symbol,interval,start,end OK5,5m,2026-11-23,2026-11-25 OK5,5m,2026-11-25,2026-11-28 \
	RTRY,5m,2026-11-23,2026-11-25 >"$T/plan.csv"
BARS_NOW=2026-12-01T12:00:00Z fetch-bars --rate 0 --backoff-ms 10 "$T/plan.csv" >"$T/run.ndjson" 2>"$T/fetch.err"
expect "report ndjson: fetch-bars wrote 3 responses" "[ \$(wc -l <'$T/run.ndjson') -eq 3 ]"
{
	printf '{"symbol":"BIGB","interval":"1d","attempts":3,"body":{"chart":{"result":[{"timestamp":['
	seq 1 30000 | paste -sd, - | tr -d '\n'
	printf ']}],"error":null,"big":[1e999,123456789012345678901234567890]}}}\n\n'
	printf '%s\n' 'not json' '[{"symbol":"OK5","interval":"5m"}]' \
		'{"symbol":"A;B","interval":"5m","body":{}}' '{"symbol":"OK5","interval":"5m","body":{' \
		'{"interval":"5m","body":{"symbol":"OK5"}}'
	printf '{"symbol":"OK5","interval":"5m","attempts":1,"body":{}}'
} >>"$T/run.ndjson"
check "report ndjson: bad lines named, the rest counted" 1 - - \
	'run.ndjson:6: invalid JSON' -- \
	sh -c "BARS_NOW=2026-12-01T12:00:00Z bars-report --days 30 -f csv --ndjson '$T/run.ndjson' >'$T/nd.csv'"
expect "report ndjson: every bad line named once, blank line skipped" \
	"sed -n 's/.*run.ndjson:\\([0-9]*\\): .*/\\1/p' '$T/err' | tr '\\n' ' ' | grep -qx '6 7 8 9 10 '"
# symbol interval fetched retried (the last two columns)
while read -r sym iv fetched retried; do
	expect "report ndjson: $sym $iv: $fetched fetched, $retried retried" \
		"grep -q '^$sym,$iv,.*,$fetched,$retried\$' '$T/nd.csv'"
done <<'END'
OK5  5m 3 0
RTRY 5m 1 1
BIGB 1d 1 1
SAT5 5m 0 0
END
expect "report ndjson: csv header gains fetched,retried" "head -n 1 '$T/nd.csv' | grep -q ',missing,partial,fetched,retried\$'"
check "report ndjson: text header gives the totals" 0 - - -- sh -c \
	"BARS_NOW=2026-12-01T12:00:00Z bars-report --days 30 --ndjson '$T/run.ndjson' 2>/dev/null | head -n 1 | grep -q '; run: 5 responses, 2 retried\$'"
check "report ndjson: json counts, null without the file" 0 - - -- sh -c \
	"BARS_NOW=2026-12-01T12:00:00Z bars-report --days 30 -f json | jq -e 'select(.symbol == \"OK5\") | .fetched == null' >/dev/null &&
	 head -n 3 '$T/run.ndjson' | BARS_NOW=2026-12-01T12:00:00Z bars-report --days 30 -f json --ndjson - |
	 jq -e 'select(.symbol == \"OK5\") | .fetched == 2 and .retried == 0' >/dev/null"
check "report ndjson: unreadable file" 1 - - "^bars-report: .*none.ndjson: No such file" -- \
	sh -c "BARS_NOW=2026-12-01T12:00:00Z bars-report --days 30 -f csv --ndjson '$T/none.ndjson' >/dev/null"
BARS_NOW=2026-12-01T12:00:00Z bars-report --days 30 --ndjson "$T/run.ndjson" --html "$T/nd.html" >/dev/null 2>&1
expect "report ndjson: the page gives the totals" "grep -q '5 provider responses fetched by the run, 2 after a retry' '$T/nd.html'"
