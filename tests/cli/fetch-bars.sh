#!/bin/sh
# fetch-bars against tests/fake_yahoo.py: contract, plan errors, every fault
# kind, --failed round trip, chunking, signals, usage.
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$TOP/tests/lib.sh"
FB="$BIN/fetch-bars"
export BARS_NOW=2026-11-24T21:30:00Z
# Fast test settings: no client rate limit, short backoff and drip timeout.
FAST="--rate 0 --backoff-ms 50 --retries 3 --low-speed-time 1 --timeout 10"

plan() { # plan FILE "SYM INTERVAL START END"...
	f=$1; shift
	echo "symbol,interval,start,end" >"$f"
	for r in "$@"; do echo "$r" | tr ' ' ',' >>"$f"; done
}
# ---- contract: happy path, NDJSON shape, URL shape ----
start_fake --log "$T/req.log"
plan "$T/p1.csv" "AAPL 5m 2026-11-20 2026-11-24T21:30:00Z" \
	"^GSPC 1d 2026-11-01 2026-11-24" "BRK-B 15m 2026-11-23 2026-11-24"
check happy-rc 0 "$T/p1.csv" - -- $FB $FAST
cp "$T/out" "$T/happy.out"
expect happy-lines "[ \$(wc -l <'$T/happy.out') -eq 3 ]"
expect happy-key-order "jq -e -s 'all(keys_unsorted == [\"symbol\",\"interval\",\"start\",\"end\",\"provider\",\"status\",\"fetched_at\",\"attempts\",\"body\"])' '$T/happy.out'"
expect happy-fields "jq -e -s 'all(.provider == \"yahoo\" and .status == 200 and .fetched_at == \"2026-11-24T21:30:00Z\" and .attempts == 1 and .body.chart.error == null and .body.chart.result[0].meta.symbol == .symbol)' '$T/happy.out'"
expect happy-window "jq -e -s 'map(select(.symbol == \"AAPL\"))[0] | .interval == \"5m\" and .start == \"2026-11-20T00:00:00Z\" and .end == \"2026-11-24T21:30:00Z\"' '$T/happy.out'"
expect happy-url-encoded "grep -q '^/v8/finance/chart/%5EGSPC?period1=1793491200&period2=1795478400&interval=1d&includePrePost=false&events=div,splits 200' '$T/req.log'"
# the body is the provider's JSON, compacted but otherwise the same
u="$FAKE_URL/v8/finance/chart/BRK-B?period1=1795392000&period2=1795478400&interval=15m&includePrePost=false&events=div,splits"
expect happy-body-same "[ \"\$(curl -s '$u' | jq -c .)\" = \"\$(jq -c 'select(.symbol == \"BRK-B\") | .body' '$T/happy.out')\" ]"
expect happy-one-line-bodies "[ \$(jq -c .body '$T/happy.out' | wc -l) -eq 3 ]"

# stdin, "-" and several files
check stdin-dash 0 "$T/p1.csv" - -- $FB $FAST - "$T/p1.csv"
expect stdin-dash-lines "[ \$(wc -l <'$T/out') -eq 6 ]"
check header-only 0 - - -- sh -c "echo symbol,interval,start,end | $FB $FAST"
expect header-only-empty "[ ! -s '$T/out' ]"

# ---- bad plan rows: named by line, skipped, counted; never requested ----
cat >"$T/bad.csv" <<'EOF'
symbol,interval,start,end
AAPL,5m,2026-11-23,2026-11-24
BAD;DROP,5m,2026-11-23,2026-11-24
MSFT,7m,2026-11-23,2026-11-24
MSFT,5m,2026-11-24,2026-11-23
MSFT,5m,yesterday,2026-11-24
MSFT,5m,2026-11-23
GOOGL,5m,2026-11-23,2026-11-24
EOF
: >"$T/req.log"
check bad-rows 1 - - 'bad.csv:3: bad symbol' -- $FB $FAST "$T/bad.csv"
expect bad-rows-lines "grep -q 'bad.csv:4: unknown interval' '$T/err' && grep -q 'bad.csv:5: end' '$T/err' && grep -q 'bad.csv:6:' '$T/err' && grep -q 'bad.csv:7: expected 4 fields' '$T/err'"
expect bad-rows-good-ones-fetched "[ \"\$(jq -r .symbol '$T/out' | sort | tr '\n' ' ')\" = 'AAPL GOOGL ' ]"
expect bad-symbol-never-requested "! grep -q 'DROP' '$T/req.log' && [ \$(wc -l <'$T/req.log') -eq 2 ]"
check bad-header 1 - - 'line 1: bad header' -- sh -c "printf 'sym,interval,start,end\nAAPL,5m,2026-11-23,2026-11-24\n' | $FB $FAST"
check empty-input 1 - - 'empty input' -- $FB $FAST
check missing-file 1 - - 'nosuch.csv: No such file' -- $FB $FAST "$T/nosuch.csv"
stop_fake

# ---- faults: NAME FAULT RC REQUESTS OUTCOME STDERR ----
# The faulty symbol comes first so it gets a fresh connection (curl itself
# retries once, silently, when a reused keep-alive connection dies).
while IFS='|' read -r name fault rc nreq outcome pat; do
	[ -z "$name" ] && continue
	: >"$T/req.log"
	start_fake --log "$T/req.log" --fault "FLT=$fault"
	plan "$T/f.csv" "FLT 5m 2026-11-23 2026-11-24" \
		"AAPL 5m 2026-11-23 2026-11-24" "MSFT 1d 2026-11-01 2026-11-24"
	check "fault-$name-rc" "$rc" "$T/f.csv" - "$pat" -- $FB $FAST --failed "$T/failed.csv" --stats "$T/stats.json"
	expect "fault-$name-no-partial-line" "jq -e -s 'all(type == \"object\" and .status == 200)' '$T/out' >/dev/null"
	expect "fault-$name-requests" "[ \$(grep -c '^/v8/finance/chart/FLT?' '$T/req.log') -eq $nreq ]"
	expect "fault-$name-others-unaffected" "[ \"\$(jq -r 'select(.symbol != \"FLT\") | .symbol + \":\" + (.attempts | tostring)' '$T/out' | sort | tr '\n' ' ')\" = 'AAPL:1 MSFT:1 ' ]"
	if [ "$outcome" = ok ]; then
		expect "fault-$name-outcome" "jq -e -s 'map(select(.symbol == \"FLT\")) | length == 1 and .[0].attempts == $nreq and (.[0].body.chart.result[0].timestamp | length) == 78' '$T/out' && [ \$(wc -l <'$T/failed.csv') -eq 1 ]"
	else
		expect "fault-$name-outcome" "! grep -q '\"FLT\"' '$T/out' && grep -qx 'FLT,5m,2026-11-23T00:00:00Z,2026-11-24T00:00:00Z' '$T/failed.csv' && jq -e '.failed == 1 and .ok == 2' '$T/stats.json'"
	fi
	stop_fake
done <<'EOF'
429|429:2|0|3|ok|
429-retry-after|429ra:1|0|2|ok|
503-then-ok|503:2|0|3|ok|
reset|reset:1|0|2|ok|
drip|drip:1|0|2|ok|
truncate|truncate:1|0|2|ok|
badjson-once|badjson:1|0|2|ok|
err200-once|err200:1|0|2|ok|
429-always|429|1|4|fail|FLT 5m .*HTTP 429: Edge: Too Many Requests \(4 attempts\)
503-always|503|1|4|fail|HTTP 503
badjson-always|badjson|1|4|fail|invalid or truncated JSON
truncate-always|truncate|1|4|fail|FLT 5m
err200-always|err200|1|4|fail|provider error: Internal Server Error
404|404|1|1|fail|HTTP 404: Not Found: No data found, symbol may be delisted \(1 attempt\)
422|422|1|1|fail|HTTP 422: Unprocessable Entity: Invalid input - start date cannot be after end date
400|400|1|1|fail|HTTP 400: Bad Request: Data doesn't exist for startDate
EOF

# Retry-After is honoured: the second attempt waits a second.
start_fake --log "$T/req.log" --fault "FLT=429ra:1"
plan "$T/ra.csv" "FLT 5m 2026-11-23 2026-11-24"
check retry-after-rc 0 "$T/ra.csv" - -- $FB $FAST --stats "$T/stats.json"
expect retry-after-waited "jq -e '.wall_seconds >= 0.95 and .http_429 == 1 and .retries == 1' '$T/stats.json'"
stop_fake

# Unknown symbols from the generator: 404 once, no retry.
: >"$T/req.log"
start_fake --log "$T/req.log"
plan "$T/u.csv" "NOSUCH 5m 2026-11-23 2026-11-24" "ZZNOTX 1d 2026-11-01 2026-11-24" "AAPL 5m 2026-11-23 2026-11-24"
check unknown-symbols 1 "$T/u.csv" - 'ZZNOTX 1d .*symbol may be delisted \(1 attempt\)' -- $FB $FAST
expect unknown-symbols-once "[ \$(wc -l <'$T/req.log') -eq 3 ] && [ \$(wc -l <'$T/out') -eq 1 ]"
stop_fake

# ---- server-side rate limit ----
: >"$T/req.log"
start_fake --log "$T/req.log" --rate-limit 5
echo "symbol,interval,start,end" >"$T/rl.csv"
for s in A B C D E F G H I J K L M N O P; do echo "S$s,5m,2026-11-23,2026-11-24" >>"$T/rl.csv"; done
# unlimited client: 429s, backoff, all converge
check ratelimit-unlimited 0 "$T/rl.csv" - -- $FB -j 8 --rate 0 --backoff-ms 300 --retries 8 --stats "$T/stats.json"
expect ratelimit-got-429s "jq -e '.http_429 > 0 and .ok == 16' '$T/stats.json'"
expect ratelimit-all-lines "[ \$(wc -l <'$T/out') -eq 16 ] && jq -e -s 'length == 16' '$T/out' >/dev/null"
sleep 1
# a client rate under the server's limit never sees a 429
check ratelimit-paced 0 "$T/rl.csv" - -- $FB -j 8 --rate 4 --stats "$T/stats.json"
expect ratelimit-paced-no-429 "jq -e '.http_429 == 0 and .ok == 16 and .wall_seconds >= 3.5' '$T/stats.json'"
stop_fake

# ---- --failed round trip: failures are retried exactly ----
start_fake --fault "AAPL=503" --fault "MSFT=reset"
plan "$T/rt.csv" "AAPL 5m 2026-11-23 2026-11-24" "MSFT 1m 2026-11-10 2026-11-20" "GOOGL 1d 2026-11-01 2026-11-24"
check failed-first-run 1 "$T/rt.csv" - -- $FB $FAST --retries 1 --failed "$T/rt.failed"
expect failed-file "[ \"\$(cat '$T/rt.failed')\" = 'symbol,interval,start,end
AAPL,5m,2026-11-23T00:00:00Z,2026-11-24T00:00:00Z
MSFT,1m,2026-11-10T00:00:00Z,2026-11-17T00:00:00Z
MSFT,1m,2026-11-17T00:00:00Z,2026-11-20T00:00:00Z' ]"
stop_fake
start_fake
check failed-retry-run 0 "$T/rt.failed" - -- $FB $FAST --failed "$T/rt.failed2"
expect failed-retry-lines "[ \$(wc -l <'$T/out') -eq 3 ] && [ \$(cat '$T/rt.failed2') = 'symbol,interval,start,end' ]"

# ---- chunking: 1m windows longer than 7 days ----
plan "$T/ch.csv" "AAPL 1m 2026-11-01 2026-11-20T12:00:00Z"
check chunks-rc 0 "$T/ch.csv" - -- $FB $FAST
expect chunks-windows "[ \"\$(jq -r '.start + \" \" + .end' '$T/out' | sort | tr '\n' ';')\" = '2026-11-01T00:00:00Z 2026-11-08T00:00:00Z;2026-11-08T00:00:00Z 2026-11-15T00:00:00Z;2026-11-15T00:00:00Z 2026-11-20T12:00:00Z;' ]"
expect chunks-no-provider-error "jq -e -s 'all(.body.chart.error == null)' '$T/out'"

# ---- User-Agent: browser-like by default ----
stop_fake
start_fake --block-bot-ua
plan "$T/ua.csv" "AAPL 5m 2026-11-23 2026-11-24"
check ua-default-passes 0 "$T/ua.csv" - -- $FB $FAST
check ua-bot-blocked 1 "$T/ua.csv" - 'HTTP 429' -- $FB $FAST --retries 0 --user-agent curl/8.0

# ---- SIGTERM: no new transfers, short grace, unfetched reported ----
stop_fake
start_fake --latency 4000
echo "symbol,interval,start,end" >"$T/sig.csv"
for s in A B C D E F; do echo "S$s,5m,2026-11-23,2026-11-24" >>"$T/sig.csv"; done
$FB $FAST -j 2 --failed "$T/sig.failed" <"$T/sig.csv" >"$T/sig.out" 2>"$T/sig.err" &
pid=$!
sleep 1
kill -TERM $pid
wait $pid
rc=$?
if [ $rc -eq 1 ]; then ok sigterm-rc; else not_ok sigterm-rc "exit $rc"; fi
expect sigterm-reported "grep -q 'interrupted' '$T/sig.err' && [ \$(grep -c 'not fetched: interrupted' '$T/sig.err') -eq 6 ]"
expect sigterm-failed-file "[ \$(wc -l <'$T/sig.failed') -eq 7 ] && [ ! -s '$T/sig.out' ]"
stop_fake

# ---- usage and configuration errors ----
while IFS='|' read -r name rc pat args; do
	[ -z "$name" ] && continue
	# shellcheck disable=SC2086
	check "usage-$name" "$rc" - - "$pat" -- $FB $args
done <<EOF
help|0||--help
unknown-option|2|usage: fetch-bars|--bogus
jobs-zero|2|--jobs: not a number|-j 0
rate-negative|2|--rate|--rate -1
retries-word|2|--retries|--retries many
failed-unwritable|2|/nonexistent/x|--failed /nonexistent/x
stats-unwritable|2|/nonexistent/y|--stats /nonexistent/y
EOF
check usage-help-stdout 0 - - -- sh -c "$FB -h | grep -q '^usage: fetch-bars'"
check usage-version 0 - - -- sh -c "$FB --version | grep -q '^fetch-bars '"
check usage-bad-bars-now 2 - - 'BARS_NOW' -- env BARS_NOW=soon $FB
