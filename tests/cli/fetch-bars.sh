#!/bin/sh
# fetch-bars against tests/fake_yahoo.py: contract, plan errors, every fault
# kind, rate limits, --failed round trip, chunking, User-Agent, SIGTERM,
# reproducible output in plan order, bad rows and --rejects, per-address
# egress, usage.
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

# One fake serves the contract, plan-error, fault, chunk and round-trip
# cases: faults are per symbol, and starting python is slow on some
# machines.  Symbol F<i> gets the i-th fault of $FAULTS.
FAULTS="429:2 429ra:1 503:2 reset:1 drip:1 truncate:1 badjson:1 err200:1 429 503 badjson truncate err200 404 422 400"
fargs=""
i=0
for f in $FAULTS; do
	i=$((i + 1))
	fargs="$fargs --fault F$i=$f"
done
# Responses replayed as they are: FX* the synthetic ones in tests/fixtures
# (always), RX* the recorded ones in $FIXTURES (an extra layer when present).
# Each set: a 1d response with a live last bar (A), a 400 error (E), and a
# pretty-printed 1m response (P).
Y="$TOP/tests/fixtures/yahoo"
FXA=$Y/SYNB-1d-range-6mo-synthetic-dividends-live-last-bar.json
FXE=$Y/ERROR-400-synthetic-SYNE-data-doesnt-exist-for-startDate.json
FXP=$Y/SYNA-1m-range-1d-synthetic-pretty-null-bar-live-last-bar.json
RY="$FIXTURES/yahoo"
RXA=$RY/AAPL-1d-6mo-dividends-live-last-bar.json
RXE=$RY/ERROR-400-BEKE-data-doesnt-exist-for-startDate.json
RXP=$RY/AAPL-1m-1d-2021-01-11-pretty-null-bar-live-last-bar.json
sets=FX
fxargs="--fixture FXA=$FXA --fixture FXE=$FXE --fixture FXP=$FXP"
if [ -r "$RXA" ] && [ -r "$RXE" ] && [ -r "$RXP" ]; then
	sets="FX RX"
	fxargs="$fxargs --fixture RXA=$RXA --fixture RXE=$RXE --fixture RXP=$RXP"
else
	skip "fetch-bars: recorded responses replayed" \
		"no recorded fixtures in $FIXTURES (a plain clone): the synthetic ones in tests/fixtures ran"
fi
# shellcheck disable=SC2086
start_fake --log "$T/req.log" $fargs --fault RA=429ra:1 --fault RTA=503:2 --fault RTB=429:4 $fxargs

# ---- contract: happy path, NDJSON shape, URL shape ----
plan "$T/p1.csv" "AAPL 5m 2026-11-20 2026-11-24T21:30:00Z" \
	"^GSPC 1d 2026-11-01 2026-11-24" "BRK-B 15m 2026-11-23 2026-11-24"
check happy-rc 0 "$T/p1.csv" - -- $FB $FAST --stats "$T/stats.json"
cp "$T/out" "$T/happy.out"
# gzip was asked for and used: fewer bytes on the wire than in the bodies
expect happy-compressed "[ \$(jq -r .bytes '$T/stats.json') -lt \$(jq -c .body '$T/happy.out' | wc -c) ]"
expect happy-stats "jq -e '.windows == 3 and .ok == 3 and .failed == 0 and .requests == 3 and .retries == 0 and .bars == 276' '$T/stats.json'"
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

# recorded responses replayed as-is (the pretty-printed one is compacted)
for x in $sets; do
	eval "fa=\$${x}A fe=\$${x}E fp=\$${x}P"
	from=$(jq -r .chart.error.description "$fe" | sed -n 's/.*startDate = \([0-9]*\).*/\1/p')
	plan "$T/fx.csv" "${x}A 1d 2025-05-01 2025-10-30" "${x}E 1d 2020-01-01 2020-01-03" "${x}P 1m 2021-01-11 2021-01-12"
	# "now" just after the 1m window, so it is within Yahoo's 30 days.
	check "fixtures-rc $x" 1 "$T/fx.csv" - "${x}E 1d .*HTTP 400: Bad Request: Data doesn.t exist for startDate = ${from:-none}" -- \
		env BARS_NOW=2021-01-12T21:00:00Z $FB $FAST
	expect "fixtures-same $x" "[ \"\$(jq -c . '$fa')\" = \"\$(jq -c 'select(.symbol == \"${x}A\") | .body' '$T/out')\" ] && [ \"\$(jq -c . '$fp')\" = \"\$(jq -c 'select(.symbol == \"${x}P\") | .body' '$T/out')\" ]"
	expect "fixtures-one-line-each $x" "[ \$(wc -l <'$T/out') -eq 2 ]"
done

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
check bad-header 1 - - '-:1: bad header' -- sh -c "printf 'sym,interval,start,end\nAAPL,5m,2026-11-23,2026-11-24\n' | $FB $FAST"
check empty-input 1 - - 'empty input' -- $FB $FAST
check missing-file 1 - - 'nosuch.csv: No such file' -- $FB $FAST "$T/nosuch.csv"
# A plan row that is not CSV (stray quote, text after a closing quote, a
# NUL byte, a quote left open) is reported by line and skipped like any
# bad row; the rows after it are still fetched, and --rejects keeps every
# bad row as read plus the reason (--failed is for windows that failed).
printf '%s\n' 'symbol,interval,start,end' 'AAPL,5m,2026-11-23,2026-11-24' \
	'MS"FT,5m,2026-11-23,2026-11-24' 'IBxM,5m,2026-11-23,2026-11-24' \
	'ORCL,5m,"2026-11-23,2026-11-24' '"GOOG"y,5m,2026-11-23,2026-11-24' \
	'BAD;X,5m,2026-11-23,2026-11-24' 'GOOGL,5m,2026-11-23,2026-11-24' \
	'MSFT,1d,2026-11-01,2026-11-24' | tr x '\000' >"$T/junk.csv"
: >"$T/req.log"
check junk-rows 1 - - 'junk.csv:3: malformed quoting' -- \
	$FB $FAST --rejects "$T/junk.rej" --failed "$T/junk.failed" --stats "$T/stats.json" "$T/junk.csv"
expect junk-rows-named "grep -q 'junk.csv:4: NUL byte in a field' '$T/err' && grep -q 'junk.csv:5: unterminated quoted field' '$T/err' && grep -q 'junk.csv:6: malformed quoting' '$T/err' && grep -q 'junk.csv:7: bad symbol' '$T/err'"
expect junk-later-rows-fetched "[ \"\$(jq -r .symbol '$T/out' | tr '\n' ' ')\" = 'AAPL GOOGL MSFT ' ] && [ \$(wc -l <'$T/req.log') -eq 3 ]"
expect junk-stats "jq -e '.windows == 3 and .ok == 3 and .bad_rows == 5' '$T/stats.json' >/dev/null"
cat >"$T/junk.rej.want" <<EOF
symbol,interval,start,end,reason
"MS""FT,5m,2026-11-23,2026-11-24",,,,$T/junk.csv:3: malformed quoting
"IB\\0M,5m,2026-11-23,2026-11-24",,,,$T/junk.csv:4: NUL byte in a field
"ORCL,5m,""2026-11-23,2026-11-24",,,,$T/junk.csv:5: unterminated quoted field
"""GOOG""y,5m,2026-11-23,2026-11-24",,,,$T/junk.csv:6: malformed quoting
BAD;X,5m,2026-11-23,2026-11-24,$T/junk.csv:7: bad symbol 'BAD;X'
EOF
expect junk-rejects-file "diff '$T/junk.rej.want' '$T/junk.rej'"
expect junk-rejects-five-columns "python3 -c 'import csv,sys; sys.exit(any(len(r) != 5 for r in csv.reader(open(sys.argv[1]))))' '$T/junk.rej'"
expect junk-failed-only-windows "[ \"\$(cat '$T/junk.failed')\" = 'symbol,interval,start,end' ]"
# bad headers are rejected rows too; an unwritable rejects file is a usage error
check junk-bad-header 1 - - '-:1: bad header.*; file not read' -- sh -c "printf 'sym,interval,start,end\nAAPL,5m,2026-11-23,2026-11-24\n' | $FB $FAST --rejects '$T/hdr.rej'"
expect junk-bad-header-rejected "grep -q '^.sym,interval,start,end.,,,,.-:1: bad header' '$T/hdr.rej'"

# ---- faults, all in one run beside two healthy tickers ----
: >"$T/req.log"
echo "symbol,interval,start,end" >"$T/f.csv"
i=0
for f in $FAULTS; do
	i=$((i + 1))
	echo "F$i,5m,2026-11-23,2026-11-24" >>"$T/f.csv"
done
echo "AAPL,5m,2026-11-23,2026-11-24" >>"$T/f.csv"
echo "MSFT,1d,2026-11-01,2026-11-24" >>"$T/f.csv"
check faults-rc 1 "$T/f.csv" - -- $FB $FAST -j 8 --failed "$T/failed.csv" --stats "$T/stats.json"
cp "$T/out" "$T/faults.out"
cp "$T/err" "$T/faults.err"
expect faults-no-partial-line "jq -e -s 'length == 10 and all(type == \"object\" and .status == 200 and (.body.chart.result[0].timestamp | length) > 0)' '$T/faults.out' >/dev/null"
expect faults-others-unaffected "[ \"\$(jq -r 'select(.symbol | test(\"^F\") | not) | .symbol + \":\" + (.attempts | tostring)' '$T/faults.out' | sort | tr '\n' ' ')\" = 'AAPL:1 MSFT:1 ' ]"
expect faults-stats "jq -e '.windows == 18 and .ok == 10 and .failed == 8 and .http_429 == 7' '$T/stats.json'"
expect faults-failed-count "[ \$(wc -l <'$T/failed.csv') -eq 9 ]"
# lines in plan order although failures and retries finish late
expect faults-plan-order "[ \"\$(jq -r .symbol '$T/faults.out' | tr '\n' ' ')\" = 'F1 F2 F3 F4 F5 F6 F7 F8 AAPL MSFT ' ]"
# CASE|REQUESTS THE FAKE SEES|OUTCOME|STDERR PATTERN (for failures), in
# the order of $FAULTS.
i=0
while IFS='|' read -r case nreq outcome pat; do
	[ -z "$case" ] && continue
	i=$((i + 1))
	expect "fault-$case-requests" "[ \$(grep -c '^/v8/finance/chart/F$i?' '$T/req.log') -eq $nreq ]"
	if [ "$outcome" = ok ]; then
		expect "fault-$case-recovers" "jq -e -s 'map(select(.symbol == \"F$i\")) | length == 1 and (.[0].body.chart.result[0].timestamp | length) == 78' '$T/faults.out' >/dev/null && ! grep -q '^F$i,' '$T/failed.csv'"
	else
		expect "fault-$case-fails" "! grep -q '\"F$i\"' '$T/faults.out' && grep -qx 'F$i,5m,2026-11-23T00:00:00Z,2026-11-24T00:00:00Z' '$T/failed.csv' && grep -Eq 'F$i 5m .*$pat' '$T/faults.err'"
	fi
done <<'EOF'
429-twice|3|ok|
429-retry-after|2|ok|
503-then-ok|3|ok|
reset|2|ok|
drip|2|ok|
truncate|2|ok|
badjson-once|2|ok|
err200-once|2|ok|
429-always|4|fail|HTTP 429: Edge: Too Many Requests \(4 attempts\)
503-always|4|fail|HTTP 503: Service Unavailable \(4 attempts\)
badjson-always|4|fail|invalid or truncated JSON .*\(4 attempts\)
truncate-always|4|fail|\(4 attempts\)
err200-always|4|fail|provider error: Internal Server Error
404|1|fail|HTTP 404: Not Found: No data found, symbol may be delisted \(1 attempt\)
422|1|fail|HTTP 422: Unprocessable Entity: Invalid input - start date cannot be after end date
400|1|fail|HTTP 400: Bad Request: Data doesn.t exist for startDate
EOF

# Retry-After is honoured: the second attempt waits a second.
plan "$T/ra.csv" "RA 5m 2026-11-23 2026-11-24"
check retry-after-rc 0 "$T/ra.csv" - -- $FB $FAST --stats "$T/stats.json"
expect retry-after-waited "jq -e '.wall_seconds >= 0.95 and .http_429 == 1 and .retries == 1' '$T/stats.json'"

# Unknown symbols from the generator: 404 once, no retry.
: >"$T/req.log"
plan "$T/u.csv" "NOSUCH 5m 2026-11-23 2026-11-24" "ZZNOTX 1d 2026-11-01 2026-11-24" "AAPL 5m 2026-11-23 2026-11-24"
check unknown-symbols 1 "$T/u.csv" - 'ZZNOTX 1d .*symbol may be delisted \(1 attempt\)' -- $FB $FAST
expect unknown-symbols-once "[ \$(wc -l <'$T/req.log') -eq 3 ] && [ \$(wc -l <'$T/out') -eq 1 ]"

# ---- --failed round trip: failures are retried exactly ----
# RTA fails twice, RTB (two 1m chunks) four times, then they recover: with
# --retries 1 the first run fails them, the second run, reading the
# --failed file, gets exactly them.
plan "$T/rt.csv" "RTA 5m 2026-11-23 2026-11-24" "RTB 1m 2026-11-10 2026-11-20" "GOOGL 1d 2026-11-01 2026-11-24"
check failed-first-run 1 "$T/rt.csv" - -- $FB $FAST --retries 1 --failed "$T/rt.failed"
expect failed-file "[ \"\$(cat '$T/rt.failed')\" = 'symbol,interval,start,end
RTA,5m,2026-11-23T00:00:00Z,2026-11-24T00:00:00Z
RTB,1m,2026-11-10T00:00:00Z,2026-11-17T00:00:00Z
RTB,1m,2026-11-17T00:00:00Z,2026-11-20T00:00:00Z' ]"
check failed-retry-run 0 "$T/rt.failed" - -- $FB $FAST --failed "$T/rt.failed2"
expect failed-retry-lines "[ \$(wc -l <'$T/out') -eq 3 ] && [ \"\$(cat '$T/rt.failed2')\" = 'symbol,interval,start,end' ]"

# ---- chunking: 1m windows longer than 7 days ----
plan "$T/ch.csv" "AAPL 1m 2026-11-01 2026-11-20T12:00:00Z"
check chunks-rc 0 "$T/ch.csv" - -- $FB $FAST
expect chunks-windows "[ \"\$(jq -r '.start + \" \" + .end' '$T/out' | sort | tr '\n' ';')\" = '2026-11-01T00:00:00Z 2026-11-08T00:00:00Z;2026-11-08T00:00:00Z 2026-11-15T00:00:00Z;2026-11-15T00:00:00Z 2026-11-20T12:00:00Z;' ]"
expect chunks-no-provider-error "jq -e -s 'all(.body.chart.error == null)' '$T/out'"

# ---- intraday history: a hand-written row reaching too far back ----
plan "$T/old.csv" "AAPL 5m 2020-01-01 2026-11-24" "MSFT 5m 2020-01-01 2020-01-02"
check history-trim 1 "$T/old.csv" - '-:2: AAPL 5m: start moved to 2026-09-25T21:30:00Z' -- $FB $FAST
expect history-trim-window "[ \"\$(jq -r .start '$T/out')\" = 2026-09-25T21:30:00Z ]"
expect history-too-old-is-a-bad-row "grep -q -- '-:3: MSFT 5m bars older than 60 days' '$T/err'"
stop_fake

# ---- server-side rate limit ----
start_fake --rate-limit 5
echo "symbol,interval,start,end" >"$T/rl.csv"
for s in A B C D E F G H I J K L M N O P; do echo "S$s,5m,2026-11-23,2026-11-24" >>"$T/rl.csv"; done
# unlimited client: 429s, backoff with jitter, all converge
check ratelimit-unlimited 0 "$T/rl.csv" - -- $FB -j 8 --rate 0 --backoff-ms 300 --retries 8 --stats "$T/stats.json"
expect ratelimit-got-429s "jq -e '.http_429 > 0 and .ok == 16' '$T/stats.json'"
expect ratelimit-all-lines "jq -e -s 'length == 16' '$T/out' >/dev/null"
sleep 1
# a client rate under the server's limit never sees a 429
check ratelimit-paced 0 "$T/rl.csv" - -- $FB -j 8 --rate 4 --stats "$T/stats.json"
expect ratelimit-paced-no-429 "jq -e '.http_429 == 0 and .ok == 16 and .wall_seconds >= 3.5' '$T/stats.json'"
stop_fake

# ---- User-Agent: browser-like by default; connections are reused ----
start_fake --block-bot-ua --conn-log "$T/conn.log"
plan "$T/ua.csv" "AAPL 5m 2026-11-23 2026-11-24"
check ua-default-passes 0 "$T/ua.csv" - -- $FB $FAST
: >"$T/conn.log"
check keepalive-rc 0 "$T/rl.csv" - -- $FB $FAST -j 3
expect keepalive-reuse "[ \$(wc -l <'$T/out') -eq 16 ] && [ \$(wc -l <'$T/conn.log') -ge 1 ] && [ \$(wc -l <'$T/conn.log') -le 3 ]"
check ua-bot-blocked 1 "$T/ua.csv" - 'HTTP 429' -- $FB $FAST --retries 0 --user-agent curl/8.0
stop_fake

# ---- SIGTERM: no new transfers, short grace, unfetched reported ----
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

# ---- reproducible: plan order whatever the completion order ----
# Responses take 10-110 ms at random, so they complete out of order; with
# BARS_NOW frozen, three runs of fetch-bars | normalize-bars |
# validate-bars give the same bytes in every file.
start_fake --latency 10 --jitter 100 --log "$T/req.log"
echo "symbol,interval,start,end" >"$T/rp.csv"
for s in A B C D E F G H I J; do echo "R$s,5m,2026-11-20,2026-11-24" >>"$T/rp.csv"; done
printf '%s\n' "AAPL,1m,2026-11-01,2026-11-20T12:00:00Z" "^GSPC,1d,2026-01-01,2026-11-24" \
	"MSFT,15m,2026-10-01,2026-11-24" >>"$T/rp.csv"
for r in 1 2 3; do
	: >"$T/req.log"
	check "repro-run-$r" 0 "$T/rp.csv" - -- sh -c "$FB -j 8 --rate 0 | tee '$T/rp.f$r' |
		$BIN/normalize-bars | tee '$T/rp.n$r' | $BIN/validate-bars --rejects '$T/rp.rej$r' >'$T/rp.v$r'"
	sed 's/?.*//' "$T/req.log" >"$T/rp.order$r"
done
expect repro-fetch-identical "cmp '$T/rp.f1' '$T/rp.f2' && cmp '$T/rp.f1' '$T/rp.f3' && [ \$(wc -l <'$T/rp.f1') -eq 15 ]"
expect repro-pipeline-identical "cmp '$T/rp.n1' '$T/rp.n2' && cmp '$T/rp.n1' '$T/rp.n3' && cmp '$T/rp.v1' '$T/rp.v2' && cmp '$T/rp.v1' '$T/rp.v3' && cmp '$T/rp.rej1' '$T/rp.rej2' && cmp '$T/rp.rej1' '$T/rp.rej3' && [ \$(wc -l <'$T/rp.v1') -gt 2000 ]"
expect repro-plan-order "[ \"\$(jq -r '.symbol + \" \" + .start' '$T/rp.f1' | tr '\n' ';')\" = 'RA 2026-11-20T00:00:00Z;RB 2026-11-20T00:00:00Z;RC 2026-11-20T00:00:00Z;RD 2026-11-20T00:00:00Z;RE 2026-11-20T00:00:00Z;RF 2026-11-20T00:00:00Z;RG 2026-11-20T00:00:00Z;RH 2026-11-20T00:00:00Z;RI 2026-11-20T00:00:00Z;RJ 2026-11-20T00:00:00Z;AAPL 2026-11-01T00:00:00Z;AAPL 2026-11-08T00:00:00Z;AAPL 2026-11-15T00:00:00Z;^GSPC 2026-01-01T00:00:00Z;MSFT 2026-10-01T00:00:00Z;' ]"
expect repro-fields-fixed "jq -e -s 'all(.fetched_at == \"2026-11-24T21:30:00Z\" and .attempts == 1)' '$T/rp.f1' >/dev/null"
# the test means something only if the completion order did vary
expect repro-completion-order-varied "! cmp -s '$T/rp.order1' '$T/rp.order2' || ! cmp -s '$T/rp.order1' '$T/rp.order3'"
# the issue's case: a backfill of AAPL 1d 2000-2025 to a file, three times
printf 'symbol,interval,start,end\nAAPL,1d,2000-01-01,2025-01-01\n' >"$T/bf.csv"
for r in 1 2 3; do
	check "backfill-run-$r" 0 "$T/bf.csv" - -- sh -c "$FB --rate 0 | $BIN/normalize-bars | $BIN/validate-bars >'$T/bf.v$r'"
done
expect backfill-identical "cmp '$T/bf.v1' '$T/bf.v2' && cmp '$T/bf.v1' '$T/bf.v3' && [ \$(wc -l <'$T/bf.v1') -gt 6000 ]"
# --reorder bounds the windows held: with 1, one window at a time, so five
# responses of at least 10 ms take at least 50 ms
head -6 "$T/rp.csv" >"$T/rp5.csv"
check reorder-one 0 "$T/rp5.csv" - -- $FB -j 4 --rate 0 --reorder 1 --stats "$T/stats.json"
expect reorder-one-sequential "jq -e '.ok == 5 and .wall_seconds >= 0.05' '$T/stats.json' >/dev/null && head -5 '$T/rp.f1' | cmp - '$T/out'"
# singular and plural agree in the summary
head -2 "$T/rp.csv" >"$T/rp1.csv"
check summary-singular 0 "$T/rp1.csv" - 'fetch-bars: info: 1 window: 1 ok, 0 failed, 0 bad plan rows; 1 request, 0 retries, 0 429s, [0-9]+ bytes, 156 bars' -- $FB --rate 0
stop_fake

# ---- per-address egress: --interface takes turns over source addresses ----
# The fake allows 5 requests/s per source address; Linux routes all of
# 127/8 through lo, so 127.0.0.2-5 are four sources on any host.
start_fake --rate-limit-per-addr 5 --addr-log "$T/addr.log"
echo "symbol,interval,start,end" >"$T/eg.csv"
for i in 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24; do
	echo "E$i,5m,2026-11-23,2026-11-24" >>"$T/eg.csv"
done
EG4=127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5
check egress-rc 0 "$T/eg.csv" - -- $FB -j 8 --rate 4.5 --interface $EG4 --stats "$T/stats.json"
expect egress-paced-per-address "jq -e '.ok == 24 and .http_429 == 0 and .by_interface == {\"127.0.0.2\":6,\"127.0.0.3\":6,\"127.0.0.4\":6,\"127.0.0.5\":6}' '$T/stats.json' >/dev/null"
expect egress-seen-by-server "[ \"\$(cut -d' ' -f1,2 '$T/addr.log' | sort | uniq -c | tr -s ' ' | tr '\n' ';')\" = ' 6 127.0.0.2 200; 6 127.0.0.3 200; 6 127.0.0.4 200; 6 127.0.0.5 200;' ]"
expect egress-plan-order "[ \"\$(jq -r .symbol '$T/out' | tr -d '\n')\" = \"\$(sed 1d '$T/eg.csv' | cut -d, -f1 | tr -d '\n')\" ]"
# four times the allowed rate from two addresses: 429s, each address backs
# off on its own, every window arrives
sleep 1.1
: >"$T/addr.log"
check egress-overshoot 0 "$T/eg.csv" - -- $FB -j 8 --rate 20 --backoff-ms 200 --retries 10 \
	--interface 127.0.0.2,127.0.0.3 --stats "$T/stats.json"
expect egress-overshoot-converges "jq -e '.ok == 24 and .http_429 > 0 and .by_interface[\"127.0.0.2\"] > 0 and .by_interface[\"127.0.0.3\"] > 0' '$T/stats.json' >/dev/null && [ \$(cut -d' ' -f1 '$T/addr.log' | sort -u | wc -l) -eq 2 ]"
stop_fake

# ---- usage and configuration errors ----
while IFS='|' read -r case want pat args; do
	[ -z "$case" ] && continue
	# shellcheck disable=SC2086
	check "usage-$case" "$want" - - "$pat" -- $FB $args
done <<EOF
help|0||--help
unknown-option|2|bogus|--bogus
jobs-zero|2|--jobs: not a number|-j 0
jobs-word|2|--jobs: not a number.*: abc|--jobs abc
reorder-zero|2|--reorder: not a number.*: 0|--reorder 0
rate-negative|2|--rate|--rate -1
retries-word|2|--retries|--retries many
failed-unwritable|2|/nonexistent/x|--failed /nonexistent/x
stats-unwritable|2|/nonexistent/y|--stats /nonexistent/y
rejects-unwritable|2|/nonexistent/z|--rejects /nonexistent/z
interface-empty|2|--interface: empty address|--interface 127.0.0.2,,127.0.0.3
interface-twice|2|--interface: address given twice|--interface 127.0.0.2,127.0.0.2
interface-not-local|2|--interface: 192.0.2.1: |--interface 192.0.2.1
EOF
check usage-help-stdout 0 - - -- sh -c "$FB -h | grep -q '^usage: fetch-bars'"
# the usage lines mirror the man page SYNOPSIS: the same long options
sed -n '/^\.SH SYNOPSIS/,/^\.SH DESCRIPTION/p' "$TOP/man/fetch-bars.1" | grep -o -- '\\-\\-[a-z\\-]*' |
	sed 's/\\//g' | sort -u >"$T/syn.man"
$FB -h | sed -n '1,/^ *fetch-bars -h/p' | grep -o -- '--[a-z-]*' | sort -u >"$T/syn.usage"
expect usage-mirrors-synopsis "[ \$(wc -l <'$T/syn.man') -ge 15 ] && diff '$T/syn.man' '$T/syn.usage'"
# --help lists every option of the man page, each on exactly one line
$FB --help >"$T/help.txt"
for o in $(sed -n '/^\.SH OPTIONS/,/^\.SH ENVIRONMENT/p' "$TOP/man/fetch-bars.1" |
	grep -o '\\-\\-[a-z][a-z\\-]*' | sed 's/\\-/-/g; s/^--//' | sort -u); do
	expect "usage-help-lists-$o" "[ \$(grep -cE -- '^  (-[a-zA-Z], |    )--$o ' '$T/help.txt') -eq 1 ]"
done
check usage-version 0 - - -- sh -c "$FB --version | grep -q '^fetch-bars '"
check usage-bad-bars-now 2 - - 'BARS_NOW' -- env BARS_NOW=soon $FB
check usage-bad-url 2 - - 'BARS_YAHOO_URL: not an http' -- env BARS_YAHOO_URL=ftp://x $FB
