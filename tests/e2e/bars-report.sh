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
