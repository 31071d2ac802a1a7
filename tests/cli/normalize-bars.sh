#!/bin/sh
# normalize-bars: every provider response fixture against expected CSVs,
# error envelopes, HTML bodies, bad lines, events, dedupe, idempotency,
# usage.  The synthetic fixtures in tests/fixtures (tests/fixtures/README.md)
# always run; the recorded responses in $FIXTURES (../shared/fixtures) are
# an extra layer when present, skipped with a reason otherwise.
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$TOP/tests/lib.sh"
NB="$BIN/normalize-bars"
SYN="$TOP/tests/fixtures"
Y="$SYN/yahoo"
S="$SYN/stooq"
EXP="$SYN/expected"
RY="$FIXTURES/yahoo"
RS="$FIXTURES/stooq"
REXP="$TOP/tests/expected/normalize"

# One row per recorded Yahoo fixture: file prefix | symbol | interval | start
# | end | HTTP status | fetched_at.  Windows are the recorded period1/period2
# (see yahoo/SOURCES.md) or the dates in the file name; range= requests have
# none.  fetched_at is the recording date where SOURCES.md gives it,
# otherwise the response's own regularMarketTime (the fetch cannot be
# earlier), except TSLA-30m: post-market runs to 20:00 ET and the last bar is
# 18:30 ET, so the response was taken during that bar (18:30-19:00 ET).
# The synthetic fixtures have the same table in tests/fixtures/yahoo/TABLE,
# with the count of bars still forming at fetched_at as an eighth column.
FIXTABLE='0P0000XTS7-1d|0P0000XTS7|1d|2024-09-12T00:00:00Z|2024-09-16T00:00:00Z|200|2024-09-16T12:00:00Z
AAPL-1d-2020|AAPL|1d|1598832000|1604707200|200|2025-02-20T00:00:00Z
AAPL-1d-6mo|AAPL|1d|||200|2025-10-29T20:00:01Z
AAPL-1m-1d-2021|AAPL|1m|||200|2021-01-11T18:30:13Z
AAPL-1m-2024|AAPL|1m|1727827200|1727913600|200|2024-10-04T00:00:00Z
AAPL-1m-2025|AAPL|1m|2025-02-01T00:00:00Z|2025-02-02T00:00:00Z|200|2025-02-20T00:00:00Z
BTC-USD-1d|BTC-USD|1d|2020-01-01T00:00:00Z|1578009600|200|2024-09-16T12:12:00Z
ERROR-400|BEKE|1d|1577836800|1578009600|400|2021-11-21T00:00:00Z
ERROR-404|SI|1d|2020-01-01T00:00:00Z|2020-01-03T00:00:00Z|404|2024-09-16T00:00:00Z
GS2C.DE-1d|GS2C.DE|1d|||200|2025-10-29T16:35:44Z
MSFT-1d|MSFT|1d|1612137600|1643587200|200|2025-02-21T21:00:01Z
NVDA-1d|NVDA|1d|1612137600|1643587200|200|2025-02-21T21:00:01Z
TNX-5m|^TNX|5m|||200|2026-02-02T19:59:52Z
TSLA-30m|TSLA|30m|2021-11-22T00:00:00Z|2021-11-23T00:00:00Z|200|2021-11-22T23:45:00Z
VFINX-3mo|VFINX|3mo|||200|2025-10-30T00:05:03Z
WSU.DE-1d|WSU.DE|1d|1691107200|1691539200|200|2023-09-04T07:32:53Z'

# envelope FILE SYMBOL INTERVAL START END STATUS FETCHED: one fetch-bars line.
envelope() {
	jq -c --arg s "$2" --arg i "$3" --arg a "$4" --arg b "$5" --argjson st "$6" --arg f "$7" \
		'{symbol:$s, interval:$i, start:(if $a == "" then null else $a end),
		  end:(if $b == "" then null else $b end), provider:"yahoo", status:$st,
		  fetched_at:$f, attempts:1, body:.}' "$1"
}

# replay DIR EXPECTED OUT: every Yahoo fixture in DIR named by the table on
# stdin, as an NDJSON envelope (kept as OUT/PREFIX.ndjson) and as a raw body,
# against EXPECTED/yahoo-PREFIX.csv; then every file in DIR must have a row.
replay() {
	rdir=$1 rexp=$2 rout=$3
	mkdir -p "$rout"
	while IFS='|' read -r pre sym iv st en status fa _; do
		f=$(ls "$rdir/$pre"*.json 2>/dev/null | head -1)
		if [ -z "$f" ]; then not_ok "yahoo $pre: fixture missing"; continue; fi
		envelope "$f" "$sym" "$iv" "$st" "$en" "$status" "$fa" >"$rout/$pre.ndjson"
		wrc=0 wpat=''
		case $pre in ERROR-*) wrc=1 wpat="^normalize-bars: [^ ]+:1: $sym [0-9TZ:-]+\.\.[0-9TZ:-]+: provider error: [A-Z]";; esac
		check "yahoo $pre envelope" $wrc - "$rexp/yahoo-$pre.csv" "$wpat" -- "$NB" "$rout/$pre.ndjson"
		set -- --provider yahoo --symbol "$sym" --interval "$iv" --fetched-at "$fa"
		[ -n "$st" ] && set -- "$@" --start "$st"
		[ -n "$en" ] && set -- "$@" --end "$en"
		case $pre in ERROR-*) wpat='provider error: (Bad Request|Not Found): ';; esac
		check "yahoo $pre raw" $wrc - "$rexp/yahoo-$pre.csv" "$wpat" -- "$NB" "$@" "$f"
	done
	# A fixture added later must get a table row and an expected file.
	for f in "$rdir"/*.json; do
		b=$(basename "$f")
		found=no
		for pre in $(ls "$rout" | sed 's/\.ndjson$//'); do
			case $b in "$pre"*) found=yes;; esac
		done
		[ $found = yes ] && ok "fixture $b is tested" || not_ok "fixture $b has no row in its table"
	done
}

# --- independent counts with jq: kept bars = non-null, aligned, != live,
#     in [period1, period2).  Must equal the expected files' row counts
#     (plus the bars still forming at fetched_at). ---
count_check() { # NAME FILE P1 P2 WANT_EXTRA_DROPS [EXPECTED_DIR]
	n=$(jq --arg a "$3" --arg b "$4" 'def t: if test("^[0-9]+$") then tonumber else fromdateiso8601 end;
		($a | t) as $a | ($b | t) as $b | .chart.result[0] | .meta.regularMarketTime as $rmt
		| .indicators.quote[0].close as $c | [(.timestamp // []) | to_entries[]
		| select($c[.key] != null and .value % 60 == 0 and .value != $rmt
			 and .value >= $a and .value < $b)] | length' "$2")
	want=$(($(wc -l <"${6:-$REXP}/yahoo-$1.csv") - 1 + $5))
	[ "$n" -eq "$want" ] && ok "jq count $1 ($n)" || not_ok "jq count $1" "jq says $n, expected file has $want"
}

# --- the synthetic fixtures: always ---
expect "fixtures: tests/fixtures/gen reproduces the committed files" "'$PY' '$SYN/gen' --check"
E="$T"
replay "$Y" "$EXP" "$E" <"$Y/TABLE"
while IFS='|' read -r pre sym iv st en status fa unf; do
	[ "$status" = 200 ] || continue
	count_check "$pre" "$(ls "$Y/$pre"*.json | head -1)" "${st:-0}" "${en:-9999999999}" "$unf" "$EXP"
done <"$Y/TABLE"
# The roles the checks below use, by the quirk each file has.
CRYPTO=$E/SYND-USD-1d-2026-01-01-to-01-03.ndjson            # 2 bars, the bar at period2 dropped
CRYPTO_EXP=$EXP/yahoo-SYND-USD-1d-2026-01-01-to-01-03.csv
XETRA=$E/SYNC.DE-1d-2026-10-21-to-10-29.ndjson              # Europe/Berlin, a null bar
XETRA_EXP=$EXP/yahoo-SYNC.DE-1d-2026-10-21-to-10-29.csv
SPLIT=$E/SYNA-1d-2026-09-28-to-11-06.ndjson                 # split, dividend, US DST
SPLIT_EXP=$EXP/yahoo-SYNA-1d-2026-09-28-to-11-06.csv
SPLIT_RAW=$(ls "$Y"/SYNA-1d-2026-09-28-*.json)
MINUTE=$E/SYNA-1m-2026-03-04.ndjson                         # a null bar, a bar after period2
QUARTERS=$E/SYNMX-3mo-range-max.ndjson                      # dividends and capital gains
QUARTERS_RAW=$(ls "$Y"/SYNMX-3mo-*.json)
STOOQ_VOL=$S/synt_us_d.csv
STOOQ_NOVOL=$S/synmetal_d.csv

# --- DST: daily bars key to local midnight, 04:00Z in EDT, 05:00Z in EST;
#     Berlin 22:00Z in CEST, 23:00Z in CET (whatever gmtoffset says) ---
expect "DST SYNA 2026-10-30 EDT" "grep -q '^SYNA,1d,2026-10-30T04:00:00Z,' '$SPLIT_EXP'"
expect "DST SYNA 2026-11-02 EST" "grep -q '^SYNA,1d,2026-11-02T05:00:00Z,' '$SPLIT_EXP'"
expect "DST SYNA all at local midnight" "! grep -v -e '^symbol' -e 'T04:00:00Z' -e 'T05:00:00Z' '$SPLIT_EXP'"
expect "DST gmtoffset is the request's (EST) for EDT bars" \
	"jq -e '.body.chart.result[0].meta | .gmtoffset == -18000 and .timezone == \"EST\"' '$SPLIT'"
expect "DST SYNC.DE CEST then CET" "grep -q '2026-10-21T22:00:00Z' '$XETRA_EXP' && grep -q '2026-10-25T23:00:00Z' '$XETRA_EXP'"

# --- the recorded responses: an extra layer when present ---
if [ -d "$RY" ] && [ -d "$RS" ]; then
	echo "$FIXTABLE" | replay "$RY" "$REXP" "$T/real"
	count_check AAPL-1m-2024 "$RY/AAPL-1m-2024-10-02-regular-only-with-null-bar.json" 1727827200 1727913600 0
	count_check AAPL-1d-2020 "$RY/AAPL-1d-2020-08-31-to-11-07-dividend-and-split.json" 1598832000 1604707200 0
	count_check MSFT-1d "$RY/MSFT-1d-2021-02-01-to-2022-01-31-dividends.json" 1612137600 1643587200 0
	count_check WSU.DE-1d "$RY/WSU.DE-1d-2023-08-04-to-08-09-null-bar.json" 1691107200 1691539200 0
	count_check AAPL-1m-1d-2021 "$RY/AAPL-1m-1d-2021-01-11-pretty-null-bar-live-last-bar.json" 0 9999999999 0
	# TNX, TSLA and VFINX also drop the one bar still forming at fetch time.
	count_check TNX-5m "$RY/TNX-5m-1d-index-zero-volume.json" 0 9999999999 1
	count_check TSLA-30m "$RY/TSLA-30m-2021-11-22-includePrePost-true.json" 0 9999999999 1
	count_check VFINX-3mo "$RY/VFINX-3mo-max-dividends-capitalGains.json" 0 9999999999 1
	expect "DST AAPL 2020-10-30 EDT" "grep -q '^AAPL,1d,2020-10-30T04:00:00Z,' '$REXP/yahoo-AAPL-1d-2020.csv'"
	expect "DST AAPL 2020-11-02 EST" "grep -q '^AAPL,1d,2020-11-02T05:00:00Z,' '$REXP/yahoo-AAPL-1d-2020.csv'"
	expect "DST AAPL all at local midnight" "! grep -v -e '^symbol' -e 'T04:00:00Z' -e 'T05:00:00Z' '$REXP/yahoo-AAPL-1d-2020.csv'"
	expect "DST GS2C.DE CEST then CET" "grep -q '2025-10-23T22:00:00Z' '$REXP/yahoo-GS2C.DE-1d.csv' && grep -q '2025-10-27T23:00:00Z' '$REXP/yahoo-GS2C.DE-1d.csv'"
	check "recorded events AAPL dividend and split" 0 - - -- \
		"$NB" --events "$T/ev-aapl.csv" "$T/real/AAPL-1d-2020.ndjson"
	expect "recorded events AAPL file" "diff -u '$REXP/events-AAPL-1d-2020.csv' '$T/ev-aapl.csv'"
	check "recorded events VFINX dividends and capital gains" 0 - - -- \
		"$NB" --events "$T/ev-vfinx.csv" "$T/real/VFINX-3mo.ndjson"
	expect "recorded events VFINX file" "diff -u '$REXP/events-VFINX-3mo.csv' '$T/ev-vfinx.csv'"
	expect "recorded events VFINX counts (164 dividends, 21 capital gains)" \
		"[ \$(grep -c ',dividend,' '$T/ev-vfinx.csv') -eq 164 ] && [ \$(grep -c ',capital_gain,' '$T/ev-vfinx.csv') -eq 21 ]"
	check "recorded events NVDA split in raw mode" 0 - - -- "$NB" --provider yahoo --symbol NVDA --interval 1d \
		--events "$T/ev-nvda.csv" "$RY/NVDA-1d-2021-02-01-to-2022-01-31-split.json"
	expect "recorded events NVDA file" "grep -qx 'NVDA,2021-07-20T04:00:00Z,split,4,4,1' '$T/ev-nvda.csv'"
	check "recorded stooq msft raw" 0 - "$REXP/stooq-msft_us_d.csv" -- \
		env BARS_NOW=2024-07-05T00:00:00Z "$NB" --provider stooq --symbol MSFT.US "$RS/msft_us_d.csv"
	check "recorded stooq gold raw (no Volume: empty)" 0 - "$REXP/stooq-gold_d.csv" -- \
		env BARS_NOW=2024-07-05T00:00:00Z "$NB" --provider stooq --symbol GOLD "$RS/gold_d.csv"
	jq -Rsc '{symbol:"MSFT.US", interval:"1d", provider:"stooq", status:200,
		fetched_at:"2024-07-05T00:00:00Z", body:.}' "$RS/msft_us_d.csv" >"$T/rstooq.ndjson"
	check "recorded stooq msft envelope" 0 "$T/rstooq.ndjson" "$REXP/stooq-msft_us_d.csv" -- "$NB"
	expect "recorded stooq fractional volume rounded" \
		"grep -q '^MSFT.US,1d,2020-03-13T04:00:00Z,143.782,157.83,137.18,154.842,154.842,95120889\$' '$REXP/stooq-msft_us_d.csv'"
	"$NB" --provider stooq --symbol GOLD --tz America/New_York "$RS/gold_d.csv" >"$T/gold-ny.csv" 2>&1
	expect "recorded stooq --tz keys dates in that zone" "[ \$(wc -l <'$T/gold-ny.csv') -eq 1001 ] &&
		grep -q '^GOLD,1d,2020-10-30T04:00:00Z,' '$T/gold-ny.csv' && grep -q '^GOLD,1d,2020-11-02T05:00:00Z,' '$T/gold-ny.csv'"
	check "recorded LOG_LEVEL=debug explains drops" 0 "$T/real/AAPL-1m-2024.ndjson" - \
		'AAPL .*: 391 bars in, 389 written; dropped 1 null, 0 live, 1 outside window' -- env LOG_LEVEL=debug "$NB"
else
	skip "normalize-bars: recorded Yahoo and Stooq responses" \
		"no recorded fixtures in $FIXTURES (a plain clone): the synthetic ones in tests/fixtures ran"
fi

# --- several responses in one stream: state resets per response ---
cat "$CRYPTO" "$XETRA" "$CRYPTO" >"$T/multi.ndjson"
{ cat "$CRYPTO_EXP"; tail -n +2 "$XETRA_EXP"
  tail -n +2 "$CRYPTO_EXP"; } >"$T/multi.want"
check "stream of three responses" 0 "$T/multi.ndjson" "$T/multi.want" -- "$NB"
check "operands and stdin mixed" 0 "$XETRA" "$T/multi.want" -- \
	"$NB" "$CRYPTO" - "$CRYPTO"

# --- idempotency: the same input twice gives identical bytes ---
cat "$T"/*.ndjson >"$T/all.ndjson"
"$NB" --events "$T/ev1" "$T/all.ndjson" >"$T/run1" 2>/dev/null
"$NB" --events "$T/ev2" "$T/all.ndjson" >"$T/run2" 2>/dev/null
expect "idempotent bars" "cmp '$T/run1' '$T/run2' && [ \$(wc -l <'$T/run1') -gt 1000 ]"
expect "idempotent events" "cmp '$T/ev1' '$T/ev2'"

# --- duplicates within a response keep one row (the first) ---
jq -c '.body.chart.result[0] |= (.timestamp += .timestamp
	| .indicators.quote[0] |= map_values(. + .)
	| .indicators.adjclose[0].adjclose += .indicators.adjclose[0].adjclose)' \
	"$CRYPTO" >"$T/dup.ndjson"
check "duplicate keys keep one row" 0 "$T/dup.ndjson" "$CRYPTO_EXP" -- "$NB"

# --- partial null bar: dropped with a warning; null volume becomes 0 ---
jq -c '.body.chart.result[0].indicators.quote[0] |= (.open[0] = null | .volume[1] = null)' \
	"$CRYPTO" >"$T/partial.ndjson"
{ head -1 "$CRYPTO_EXP"; sed -n '3s/,[0-9]*$/,0/p' "$CRYPTO_EXP"; } >"$T/partial.want"
check "partial null bar dropped, null volume 0" 0 "$T/partial.ndjson" "$T/partial.want" \
	'some null prices' -- "$NB"

# --- fetched_at missing: BARS_NOW decides what is unfinished ---
jq -c 'del(.fetched_at)' "$CRYPTO" >"$T/nofetch.ndjson"
head -2 "$CRYPTO_EXP" >"$T/nofetch.want"
check "no fetched_at: BARS_NOW is the clock" 0 "$T/nofetch.ndjson" "$T/nofetch.want" -- \
	env BARS_NOW=2026-01-02T12:00:00Z "$NB"

# --- error envelopes ---
printf '%s\n' '{"symbol":"AAPL","interval":"5m","start":"2026-01-05T00:00:00Z","end":"2026-01-06T00:00:00Z","provider":"yahoo","status":429,"fetched_at":"2026-01-06T00:00:00Z","body":"Edge: Too Many Requests"}' >"$T/429.ndjson"
check "429 plain-text body" 1 "$T/429.ndjson" "$EXP/yahoo-ERROR-404.csv" \
	'^normalize-bars: -:1: AAPL 2026-01-05T00:00:00Z\.\.2026-01-06T00:00:00Z: provider error: HTTP 429: Edge: Too Many Requests$' -- "$NB"
jq -c '.status = 200' "$T/ERROR-404.ndjson" >"$T/err200.ndjson"
check "chart.error with status 200" 1 "$T/err200.ndjson" "$EXP/yahoo-ERROR-404.csv" \
	'SYNF 2026-01-01T00:00:00Z\.\.2026-01-03T00:00:00Z: provider error: Not Found: No data found, symbol may be delisted' -- "$NB"
cat "$T/ERROR-404.ndjson" "$CRYPTO" >"$T/errthenok.ndjson"
check "error response skipped, next one kept" 1 "$T/errthenok.ndjson" "$CRYPTO_EXP" \
	'provider error: Not Found' -- "$NB"
jq -c '.provider = "nosuch"' "$CRYPTO" >"$T/noprov.ndjson"
check "unknown provider" 1 "$T/noprov.ndjson" "$EXP/yahoo-ERROR-404.csv" 'unknown provider: nosuch' -- "$NB"
jq -c '.symbol = "A;B"' "$CRYPTO" >"$T/badsym.ndjson"
check "bad symbol in envelope" 1 "$T/badsym.ndjson" "$EXP/yahoo-ERROR-404.csv" \
	':1: bad symbol: A;B, skipped' -- "$NB"

jq -c '.body.chart.result[0].timestamp = "oops"' "$CRYPTO" >"$T/oops.ndjson"
cat "$T/oops.ndjson" "$XETRA" >"$T/oops2.ndjson"
check "adapter failure reported, next line kept" 1 "$T/oops2.ndjson" "$XETRA_EXP" \
	'^normalize-bars: -:1: adapter failed: Cannot index string' -- "$NB"

# --- bad NDJSON lines name the input and line; good lines still count ---
{ cat "$CRYPTO"; echo '{"symbol":"AAPL", truncated'; echo; echo '[1,2]'
  cat "$XETRA"; } >"$T/bad.ndjson"
{ cat "$CRYPTO_EXP"; tail -n +2 "$XETRA_EXP"; } >"$T/bad.want"
check "bad JSON line reported with line number" 1 "$T/bad.ndjson" "$T/bad.want" \
	"bad\.ndjson:2: not JSON, skipped" -- "$NB" "$T/bad.ndjson"
check "non-object line reported" 1 "$T/bad.ndjson" "$T/bad.want" \
	"bad\.ndjson:4: not a JSON object, skipped" -- "$NB" "$T/bad.ndjson"
check "bad line on stdin" 1 "$T/bad.ndjson" "$T/bad.want" "^normalize-bars: -:2: not JSON" -- "$NB"
{ echo '{"symbol":"A","body":"unterminated'; cat "$CRYPTO"; echo 'not json'; } >"$T/bad2.ndjson"
check "unterminated string, then good line, bad last line" 1 "$T/bad2.ndjson" "$CRYPTO_EXP" \
	'^normalize-bars: -:3: not JSON, skipped$' -- "$NB"
check "first bad line named" 1 "$T/bad2.ndjson" "$CRYPTO_EXP" '^normalize-bars: -:1: not JSON' -- "$NB"
check "missing input file" 1 - "$CRYPTO_EXP" "nosuch\.ndjson: No such file" -- \
	"$NB" "$T/nosuch.ndjson" "$CRYPTO"

# --- Stooq: raw CSV, envelope, no Volume column, fractional volume, HTML ---
check "stooq raw, fractional volumes" 0 - "$EXP/stooq-synt_us_d.csv" -- \
	env BARS_NOW=2024-07-05T00:00:00Z "$NB" --provider stooq --symbol SYNT.US "$STOOQ_VOL"
check "stooq raw without Volume: empty volume" 0 - "$EXP/stooq-synmetal_d.csv" -- \
	env BARS_NOW=2024-07-05T00:00:00Z "$NB" --provider stooq --symbol SYNMETAL "$STOOQ_NOVOL"
jq -Rsc '{symbol:"SYNT.US", interval:"1d", provider:"stooq", status:200,
	fetched_at:"2024-07-05T00:00:00Z", body:.}' "$STOOQ_VOL" >"$T/stooq.ndjson"
check "stooq envelope" 0 "$T/stooq.ndjson" "$EXP/stooq-synt_us_d.csv" -- "$NB"
expect "stooq fractional volume rounded (34089427.665116)" \
	"grep -q '^2022-06-01,251.3,252.527,248.023,248.036,34089427.665116\$' '$STOOQ_VOL' &&
	grep -q '^SYNT.US,1d,2022-06-01T04:00:00Z,251.3,252.527,248.023,248.036,248.036,34089428\$' '$T/out'"
"$NB" --provider stooq --symbol SYNMETAL --tz America/New_York "$STOOQ_NOVOL" >"$T/metal-ny.csv" 2>&1
expect "stooq --tz keys dates in that zone" "[ \$(wc -l <'$T/metal-ny.csv') -eq \$(wc -l <'$STOOQ_NOVOL') ] &&
	grep -q '^SYNMETAL,1d,2022-11-04T04:00:00Z,' '$T/metal-ny.csv' && grep -q '^SYNMETAL,1d,2022-11-07T05:00:00Z,' '$T/metal-ny.csv'"
jq -c --arg d "$(tail -1 "$STOOQ_VOL" | cut -d, -f1)T00:00:00Z" '.start = $d' "$T/stooq.ndjson" >"$T/stooq-win.ndjson"
{ head -1 "$EXP/stooq-synt_us_d.csv"; tail -1 "$EXP/stooq-synt_us_d.csv"; } >"$T/stooq-win.want"
check "stooq window start" 0 "$T/stooq-win.ndjson" "$T/stooq-win.want" -- "$NB"
printf '%s\n' '<!DOCTYPE html>' '<html><head><title>Checking your browser</title></head>' \
	'<body><script>pow()</script></body></html>' >"$T/pow.html"
check "stooq HTML page raw" 1 - "$EXP/yahoo-ERROR-404.csv" \
	'^normalize-bars: [^ ]+pow\.html:1: AAPL\.US: provider error: not CSV: first line is not a Date,Open,High,Low,Close header: <!DOCTYPE html>' -- \
	"$NB" --provider stooq --symbol AAPL.US "$T/pow.html"
jq -Rsc '{symbol:"AAPL.US", start:"2026-01-01", end:"2026-02-01", provider:"stooq", status:200, body:.}' \
	"$T/pow.html" >"$T/pow.ndjson"
check "stooq HTML page in envelope" 1 "$T/pow.ndjson" "$EXP/yahoo-ERROR-404.csv" \
	'AAPL\.US 2026-01-01T00:00:00Z\.\.2026-02-01T00:00:00Z: provider error: not CSV' -- "$NB"
printf 'Date,Open,High,Low,Close,Volume\n2024-01-02,1,2,0.5,x,10\n2024-01-03,1,2,0.5,1.5,10.5\n' >"$T/badrow.csv"
printf '%s\n' 'symbol,interval,ts,open,high,low,close,adj_close,volume' \
	'X.US,1d,2024-01-03T05:00:00Z,1,2,0.5,1.5,1.5,11' >"$T/badrow.want"
check "stooq bad row names its body line" 1 - "$T/badrow.want" 'X\.US: bar at body line 2: bad close' -- \
	env BARS_NOW=2024-07-05T00:00:00Z "$NB" --provider stooq --symbol X.US "$T/badrow.csv"
printf 'Date,Open,High,Low,Close,Volume\n2024-01-02,1,2,0.5,1.5,10\n2024-01-03,1,2,0.5,1.5,7\n' >"$T/today.csv"
printf '%s\n' 'symbol,interval,ts,open,high,low,close,adj_close,volume' \
	'X.US,1d,2024-01-02T05:00:00Z,1,2,0.5,1.5,1.5,10' >"$T/today.want"
check "stooq bar of today is unfinished" 0 - "$T/today.want" -- \
	env BARS_NOW=2024-01-03T20:00:00Z "$NB" --provider stooq --symbol X.US "$T/today.csv"

printf 'Data,Otwarcie,Najwyzszy,Najnizszy,Zamkniecie,Wolumen\r\n2024-01-02,1,2,0.5,1.5,10\r\n' >"$T/pl.csv"
printf '%s\n' 'symbol,interval,ts,open,high,low,close,adj_close,volume' \
	'PKN,1d,2024-01-01T23:00:00Z,1,2,0.5,1.5,1.5,10' >"$T/pl.want"
check "stooq Polish header, CRLF, --tz" 0 - "$T/pl.want" -- env BARS_NOW=2024-07-05T00:00:00Z \
	"$NB" --provider stooq --symbol PKN --tz Europe/Warsaw "$T/pl.csv"
printf '%s\n' '{"symbol":"MSFT.US","provider":"stooq","status":503,"body":"Service Unavailable"}' >"$T/s503.ndjson"
check "stooq HTTP error status" 1 "$T/s503.ndjson" "$EXP/yahoo-ERROR-404.csv" \
	'MSFT\.US: provider error: HTTP 503: Service Unavailable' -- "$NB"

# --- events ---
check "events split and dividend" 0 - - -- "$NB" --events "$T/ev-split.csv" "$SPLIT"
expect "events split and dividend file" \
	"diff -u '$EXP/events-SYNA-1d-2026-09-28-to-11-06.csv' '$T/ev-split.csv'"
check "events dividends and capital gains keyed by their ex-dates" 0 - - -- \
	"$NB" --events "$T/ev-quarters.csv" "$QUARTERS"
expect "events quarters file" "diff -u '$EXP/events-SYNMX-3mo-range-max.csv' '$T/ev-quarters.csv'"
ndiv=$(jq '.chart.result[0].events.dividends | length' "$QUARTERS_RAW")
ngain=$(jq '.chart.result[0].events.capitalGains | length' "$QUARTERS_RAW")
expect "events counts ($ndiv dividends, $ngain capital gains, as jq counts them)" \
	"[ $ndiv -gt 100 ] && [ $ngain -gt 10 ] && [ \$(grep -c ',dividend,' '$T/ev-quarters.csv') -eq $ndiv ] &&
	[ \$(grep -c ',capital_gain,' '$T/ev-quarters.csv') -eq $ngain ]"
check "events split in raw mode" 0 - - -- "$NB" --provider yahoo --symbol SYNA --interval 1d \
	--events "$T/ev-raw.csv" "$SPLIT_RAW"
expect "events split in raw mode file" "grep -qx 'SYNA,2026-09-28T04:00:00Z,split,2,2,1' '$T/ev-raw.csv'"

# --- daily finality: a daily bar of the NYSE calendar is final once its
#     session closed plus the settle delay (30 minutes by default) ---
# fake_line SYM IV FROM TO NOW: one fetch-bars line with the fake provider's
# answer as of NOW (fetched_at NOW).
fake_line() {
	BARS_NOW=$5 "$PY" -c 'import json, sys
sys.path.insert(0, sys.argv[1])
import fake_yahoo as f
a, b, now = (f.now_epoch() if x == "now" else int(x) for x in sys.argv[4:7])
st, doc = f.generate(sys.argv[2], {"interval": sys.argv[3], "period1": a, "period2": b}, True)
print(json.dumps({"symbol": sys.argv[2], "interval": sys.argv[3], "provider": "yahoo",
    "status": st, "fetched_at": sys.argv[7], "body": doc}))' "$TOP/tests" "$1" "$2" \
		"$(date -ud "$3" +%s)" "$(date -ud "$4" +%s)" now "$5"
}
# last_key NAME WANT [CMD...]: the newest bar CMD (default normalize-bars)
# keeps of $T/day.ndjson.
last_key() {
	name=$1 want=$2; shift 2
	[ $# -eq 0 ] && set -- "$NB"
	got=$("$@" "$T/day.ndjson" 2>"$T/day.err" | tail -1 | cut -d, -f1-3)
	[ "$got" = "$want" ] && ok "$name" || not_ok "$name" "newest kept '$got', want '$want': $(cat "$T/day.err")"
}
fake_line AAPL 1d 2026-11-16 2026-11-24 2026-11-23T22:30:00Z >"$T/day.ndjson"
last_key "daily final: 17:30 New York keeps that day's bar" AAPL,1d,2026-11-23T05:00:00Z
last_key "daily final: BARS_SETTLE_MINUTES=120 waits until 18:00" AAPL,1d,2026-11-20T05:00:00Z \
	env BARS_SETTLE_MINUTES=120 "$NB"
fake_line AAPL 1d 2026-11-16 2026-11-24 2026-11-23T21:15:00Z >"$T/day.ndjson"
last_key "daily final: 16:15 is before the settle delay" AAPL,1d,2026-11-20T05:00:00Z
last_key "daily final: --settle 0 keeps it at 16:15" AAPL,1d,2026-11-23T05:00:00Z "$NB" --settle 0
fake_line AAPL 1d 2026-11-23 2026-11-28 2026-11-27T18:35:00Z >"$T/day.ndjson"
last_key "daily final: early close 13:00, kept at 13:35" AAPL,1d,2026-11-27T05:00:00Z
fake_line AAPL 1wk 2026-11-01 2026-11-28 2026-11-27T18:35:00Z >"$T/day.ndjson"
last_key "weekly final: after the week's last session" AAPL,1wk,2026-11-23T05:00:00Z
fake_line BTC-USD 1d 2026-11-16 2026-11-24 2026-11-23T22:30:00Z >"$T/day.ndjson"
last_key "daily final: no calendar for BTC-USD, midnight decides" BTC-USD,1d,2026-11-20T05:00:00Z
check "bad --settle" 2 - - '--settle: want minutes from 0 to 1440: 5m' -- "$NB" --settle 5m
check "bad BARS_SETTLE_MINUTES" 2 - - 'BARS_SETTLE_MINUTES: want minutes' -- \
	env BARS_SETTLE_MINUTES=soon "$NB"

# --- bounded inputs: prices beyond float32, leap seconds, years outside
#     1900-2199 are errors naming input, line and field; the rest goes on ---
fake_line AAPL 1d 2026-11-16 2026-11-21 2026-11-23T22:30:00Z >"$T/five.ndjson"
"$NB" "$T/five.ndjson" >"$T/five.csv" 2>/dev/null
jq -c '.body.chart.result[0].indicators.quote[0].close[2] = 1e63' "$T/five.ndjson" >"$T/huge.ndjson"
grep -v '^AAPL,1d,2026-11-18T' "$T/five.csv" >"$T/huge.want"
check "a price of 1e63 is rejected, the later bars kept" 1 "$T/huge.ndjson" "$T/huge.want" \
	'^normalize-bars: -:1: AAPL: bar at [0-9T:-]+Z \([0-9]+\): (open|high|low|close) outside float32 range .1e\+?63., skipped$' -- "$NB"
jq -c '.body.chart.result[0].indicators.adjclose[0].adjclose[0] = -1e300' "$T/five.ndjson" >"$T/hugeadj.ndjson"
check "an adj_close beyond float32 is rejected" 1 "$T/hugeadj.ndjson" - \
	'bar at [0-9T:-]+Z \([0-9]+\): adj_close outside float32 range' -- "$NB"
jq -c '.start = "2026-11-16T23:59:60Z"' "$T/five.ndjson" >"$T/leap.ndjson"
check "a leap second in an envelope names input and line" 1 "$T/leap.ndjson" "$EXP/yahoo-ERROR-404.csv" \
	'leap\.ndjson:1: AAPL: bad start: leap second \(:60\) not allowed: 2026-11-16T23:59:60Z, skipped' -- \
	"$NB" "$T/leap.ndjson"
jq -c '.fetched_at = "2300-01-01T00:00:00Z"' "$T/five.ndjson" >"$T/y2300.ndjson"
check "a year after 2199 names the field" 1 "$T/y2300.ndjson" "$EXP/yahoo-ERROR-404.csv" \
	'-:1: AAPL: bad fetched_at: year outside 1900-2199: 2300' -- "$NB"
jq -c '.body.chart.result[0].timestamp[0] = 7258118400' "$T/five.ndjson" >"$T/ts2200.ndjson"
check "a bar stamped after 2199 is rejected" 1 "$T/ts2200.ndjson" - \
	'bar at 7258118400: timestamp outside the years 1900-2199' -- "$NB"
printf 'Date,Open,High,Low,Close,Volume\n1899-12-29,1,2,0.5,1.5,10\n2024-01-03,1,2,0.5,1.5,7\n' >"$T/old.csv"
check "a Stooq date before 1900 is rejected, the next kept" 1 - - \
	'bar at body line 2: year outside 1900-2199 .1899-12-29.' -- \
	env BARS_NOW=2024-07-05T00:00:00Z "$NB" --provider stooq --symbol X.US "$T/old.csv"
check "--end with a leap second" 2 - - '--end: leap second \(:60\) not allowed: 2026-06-30T23:59:60Z' -- \
	"$NB" --provider yahoo --symbol A --end 2026-06-30T23:59:60Z x
check "BARS_NOW after 2199" 2 - - 'BARS_NOW: year outside 1900-2199' -- \
	env BARS_NOW=2200-01-01 "$NB"

# --- usage, help, version, environment ---
check "help" 0 - - -- "$NB" --help
expect "help mirrors synopsis" "'$NB' -h | grep -q -- '--provider NAME --symbol SYMBOL'"
check "version" 0 - - '' -- "$NB" --version
expect "version text" "'$NB' --version | grep -Eq '^normalize-bars [0-9]'"
check "bad option" 2 - - 'usage:' -- "$NB" --nosuch
check "raw mode needs --symbol" 2 - - 'needs --symbol' -- "$NB" --provider yahoo x.json
check "unknown provider option" 2 - - '^normalize-bars: --provider: unknown provider: foo$' -- \
	"$NB" --provider foo --symbol A x
for o in events tz settle provider symbol interval start end fetched-at help version; do
	expect "--help lists --$o on a line of its own" \
		"[ \$('$NB' --help | grep -Ec '^ +(-[A-Za-z], )?--$o( |\$)') -eq 1 ]"
done
check "--symbol without --provider" 2 - - 'need --provider' -- "$NB" --symbol AAPL
check "bad interval" 2 - - 'bad interval: 7m' -- "$NB" --provider yahoo --symbol A --interval 7m x
check "bad --start" 2 - - '--start: not ISO-8601' -- "$NB" --provider yahoo --symbol A --start yesterday x
check "bad --tz" 2 - - 'unknown time zone: Mars/Base' -- "$NB" --tz Mars/Base
check "adapters missing" 3 "$CRYPTO" - 'provider adapters not found' -- \
	env BARS_PROVIDERS_DIR="$T/none" "$NB"
check "BARS_PROVIDERS_DIR used" 0 "$CRYPTO" "$CRYPTO_EXP" -- \
	env BARS_PROVIDERS_DIR="$TOP/share/providers" "$NB"
check "jq missing" 3 "$CRYPTO" - 'jq: not found' -- env PATH=/nonexistent "$NB"
jq -c '.interval = "7m" | .body.chart.result[0] |= del(.timestamp)' "$CRYPTO" >"$T/badiv.ndjson"
check "bad interval reported without bars" 1 "$T/badiv.ndjson" "$EXP/yahoo-ERROR-404.csv" \
	'SYND-USD .*: bad interval: 7m, skipped' -- "$NB"
jq -c '.body.chart.result[0].meta.exchangeTimezoneName = "Mars/Base"' "$CRYPTO" >"$T/badtz.ndjson"
check "unknown exchange time zone" 1 "$T/badtz.ndjson" "$EXP/yahoo-ERROR-404.csv" \
	'unknown exchange time zone: Mars/Base, skipped' -- "$NB"
check "empty input: header only" 0 - "$EXP/yahoo-ERROR-404.csv" -- "$NB"
expect "quiet on success: stderr empty" "'$NB' '$SPLIT' 2>&1 >/dev/null | wc -c | grep -qx 0"
check "LOG_LEVEL=debug explains drops" 0 "$MINUTE" - \
	'SYNA .*: 391 bars in, 389 written; dropped 1 null, 0 live, 1 outside window' -- env LOG_LEVEL=debug "$NB"
