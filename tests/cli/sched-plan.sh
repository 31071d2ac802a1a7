# sched-plan without a database: whole periods, overrides, history limits,
# chunks, the calendar, and errors.  Each case: name, exit code, expected
# stdout (rows after the header, '|' separating lines, '-' to ignore),
# stderr pattern, then the arguments.
. "$TOP/tests/lib.sh"
unset DATABASE_URL
export BARS_NOW=2026-11-24T21:30:00Z
H=symbol,interval,start,end

cat >"$T/one.json" <<'EOF'
{"tickers":["AAPL","MSFT"],"interval":"5m","period":"20d","timezone":"US/Eastern"}
EOF
cat >"$T/utc.json" <<'EOF'
{"tickers":["BTC-USD"],"interval":"5m","period":"2d","timezone":"UTC"}
EOF
cat >"$T/jobs.json" <<'EOF'
{"timezone":"America/New_York","jobs":[
 {"name":"intraday","tickers":["AAPL"],"interval":"15m","period":"5d"},
 {"name":"daily","tickers":["AAPL","^GSPC"],"interval":"1d","period":"1y"}]}
EOF
printf '{"tickers":"AAPL","interval":"5m"}\n' >"$T/badtickers.json"
printf '{"tickers":["AAPL"],"interval":"7m"}\n' >"$T/badiv.json"
printf '{"tickers":["AA;PL"],"interval":"5m"}\n' >"$T/badsym.json"
printf '{"tickers":["AAPL"],' >"$T/broken.json"

n=0
case_() {
	name=$1 rc=$2 rows=$3 pat=$4; shift 4
	n=$((n + 1))
	if [ "$rows" = - ]; then
		exp=-
	else
		exp="$T/exp$n"
		{ echo "$H"; [ -n "$rows" ] && echo "$rows" | tr '|' '\n'; } >"$exp"
	fi
	check "sched-plan: $name" "$rc" - "$exp" "$pat" -- "$BIN/sched-plan" "$@"
}

case_ "whole period per ticker" 0 \
	"AAPL,5m,2026-11-04T21:30:00Z,2026-11-24T21:30:00Z|MSFT,5m,2026-11-04T21:30:00Z,2026-11-24T21:30:00Z" \
	'' --config "$T/one.json"
case_ "--symbols and --interval override" 0 \
	"IBM,15m,2026-11-04T21:30:00Z,2026-11-24T21:30:00Z" \
	'' --config "$T/one.json" --symbols IBM --interval 15m
case_ "1m split into 7-day chunks" 0 \
	"AAPL,1m,2026-11-04T21:30:00Z,2026-11-11T21:30:00Z|AAPL,1m,2026-11-11T21:30:00Z,2026-11-18T21:30:00Z|AAPL,1m,2026-11-18T21:30:00Z,2026-11-24T21:30:00Z" \
	'' --config "$T/one.json" --symbols AAPL --interval 1m
case_ "5m history limited to 60 days, said on stderr" 0 \
	"AAPL,5m,2026-09-25T21:35:00Z,2026-11-24T21:30:00Z" \
	'AAPL 5m: start 2026-01-01T00:00:00Z is beyond the 60 days' \
	--config "$T/one.json" --symbols AAPL --start 2026-01-01
case_ "1m history limited to 30 days" 0 - 'beyond the 30 days of 1m history' \
	--config "$T/one.json" --symbols AAPL --interval 1m --start 2026-09-01
case_ "1h history limited to 730 days" 0 \
	"AAPL,1h,2024-11-24T22:00:00Z,2026-11-24T21:30:00Z" 'beyond the 730 days' \
	--config "$T/one.json" --symbols AAPL --interval 1h --start 2020-01-01
case_ "daily has no history limit" 0 \
	"AAPL,1d,2020-01-01T00:00:00Z,2026-11-24T21:30:00Z" '' \
	--config "$T/one.json" --symbols AAPL --interval 1d --start 2020-01-01
case_ "explicit window, end exclusive as given" 0 \
	"MSFT,5m,2026-11-20T14:30:00Z,2026-11-20T21:00:00Z" '' \
	--config "$T/one.json" --symbols MSFT --start 2026-11-20T14:30:00Z --end 2026-11-20T21:00:00Z
case_ "calendar: a weekend-only intraday window plans nothing" 0 "" '' \
	--config "$T/one.json" --start 2026-11-21 --end 2026-11-23
case_ "calendar: Thanksgiving only plans nothing" 0 "" '' \
	--config "$T/one.json" --symbols AAPL --start 2026-11-26T05:00:00Z --end 2026-11-27T05:00:00Z
case_ "no calendar outside New York time (crypto trades weekends)" 0 \
	"BTC-USD,5m,2026-11-21T00:00:00Z,2026-11-23T00:00:00Z" '' \
	--config "$T/utc.json" --start 2026-11-21 --end 2026-11-23
case_ "all jobs in config order" 0 \
	"AAPL,15m,2026-11-19T21:30:00Z,2026-11-24T21:30:00Z|AAPL,1d,2025-11-24T00:00:00Z,2026-11-24T21:30:00Z|^GSPC,1d,2025-11-24T00:00:00Z,2026-11-24T21:30:00Z" \
	'' --config "$T/jobs.json"
case_ "--job selects one job" 0 \
	"AAPL,15m,2026-11-19T21:30:00Z,2026-11-24T21:30:00Z" '' --config "$T/jobs.json" --job intraday
case_ "--full without a database is the whole period" 0 \
	"AAPL,15m,2026-11-19T21:30:00Z,2026-11-24T21:30:00Z" '' --config "$T/jobs.json" --job intraday --full

# errors
case_ "missing --config" 2 - 'usage: sched-plan'
case_ "operand" 2 - 'usage: sched-plan' --config "$T/one.json" extra
case_ "unknown --interval" 2 - "unknown interval '7m'" --config "$T/one.json" --interval 7m
case_ "bad --symbols" 2 - "bad symbol 'A;B'" --config "$T/one.json" --symbols "A;B"
case_ "bad --start" 2 - '--start: not a time' --config "$T/one.json" --start yesterday
case_ "--end before --start" 2 - 'end must be after --start' --config "$T/one.json" --start 2026-11-20 --end 2026-11-19
case_ "bad --overlap" 2 - '--overlap: not a bar count' --config "$T/one.json" --overlap -1
case_ "missing config file" 2 - "nope.json" --config "$T/nope.json"
case_ "config not JSON" 2 - "broken.json: parse error" --config "$T/broken.json"
case_ "config tickers not an array" 2 - "tickers must be a non-empty array" --config "$T/badtickers.json"
case_ "config bad interval" 2 - "7m" --config "$T/badiv.json"
case_ "config bad ticker" 2 - "bad ticker 'AA;PL'" --config "$T/badsym.json"
case_ "unknown job" 2 - "no job named 'weekly'" --config "$T/jobs.json" --job weekly
check "sched-plan: bad BARS_NOW is a usage error" 2 - - "BARS_NOW" -- env BARS_NOW=soon "$BIN/sched-plan" --config "$T/one.json"
check "sched-plan: DATABASE_URL set but unreachable: exit 3, password masked" 3 - - \
	'database: postgresql://u:\*\*\*@127\.0\.0\.1:1/x.*unset DATABASE_URL' -- \
	env DATABASE_URL=postgresql://u:s3cret@127.0.0.1:1/x "$BIN/sched-plan" --config "$T/one.json"
expect "sched-plan: password never printed" \
	"! env DATABASE_URL=postgresql://u:s3cret@127.0.0.1:1/x '$BIN/sched-plan' --config '$T/one.json' 2>&1 | grep -q s3cret"
check "sched-plan: deterministic for a given BARS_NOW" 0 - - -- sh -c \
	"'$BIN/sched-plan' --config '$T/jobs.json' >'$T/a' && '$BIN/sched-plan' --config '$T/jobs.json' >'$T/b' && cmp '$T/a' '$T/b'"

# --- periods: calendar months and years, ytd, max (the provider's history) ---
cat >"$T/per.json" <<'EOF'
{"timezone":"America/New_York","jobs":[
 {"name":"y10","tickers":["A"],"interval":"1d","period":"10y"},
 {"name":"mo1","tickers":["A"],"interval":"1d","period":"1mo"},
 {"name":"ytd","tickers":["A"],"interval":"1d","period":"ytd"},
 {"name":"max","tickers":["A"],"interval":"1d","period":"max"},
 {"name":"max5m","tickers":["A"],"interval":"5m","period":"max"},
 {"name":"max1h","tickers":["A"],"interval":"1h","period":"max"}]}
EOF
per() { # per NAME JOB BARS_NOW ROW
	printf '%s\n%s\n' "$H" "$4" >"$T/per.want"
	check "sched-plan: period $1" 0 - "$T/per.want" '' -- \
		env BARS_NOW="$3" "$BIN/sched-plan" --config "$T/per.json" --job "$2"
}
per "10y is the same date ten years back (not 3650 days)" y10 2026-11-24T21:30:00Z \
	"A,1d,2016-11-24T00:00:00Z,2026-11-24T21:30:00Z"
per "1mo from 31 March is 29 February in a leap year" mo1 2024-03-31T12:00:00Z \
	"A,1d,2024-02-29T00:00:00Z,2024-03-31T12:00:00Z"
per "ytd starts on 1 January" ytd 2026-11-24T21:30:00Z "A,1d,2026-01-01T00:00:00Z,2026-11-24T21:30:00Z"
per "max for daily bars is the whole history (from 1900)" max 2026-11-24T21:30:00Z \
	"A,1d,1900-01-01T00:00:00Z,2026-11-24T21:30:00Z"
per "max for 5m is the provider's 60 days" max5m 2026-11-24T21:30:00Z \
	"A,5m,2026-09-25T21:35:00Z,2026-11-24T21:30:00Z"
expect "sched-plan: max asks for the history without a note" "! grep -v 'no database configured' '$T/err'"
per "max for 1h is the provider's 730 days" max1h 2026-11-24T21:30:00Z \
	"A,1h,2024-11-24T22:00:00Z,2026-11-24T21:30:00Z"

# --- help and usage: every option one line each; errors name one argument ---
"$BIN/sched-plan" --help >"$T/help" 2>&1
for o in config job symbols interval start end full overlap shard schema table help version; do
	expect "sched-plan: --help has one line for --$o" "[ \$(grep -c -- '^  \\(-., \\)\\{0,1\\}--$o\\b' '$T/help') -eq 1 ]"
	expect "sched-plan: man page documents --$o" "grep -q -- '^\\.B.*\\\\-\\\\-$o' '$TOP/man/sched-plan.1'"
done
check "sched-plan: --help exits 0" 0 - - -- "$BIN/sched-plan" --help
check "sched-plan: the unknown option is named" 2 - - "unrecognized option '--nosuch'" -- \
	"$BIN/sched-plan" --config "$T/one.json" --nosuch
check "sched-plan: the operand is named" 2 - - "unexpected operand 'extra'" -- \
	"$BIN/sched-plan" --config "$T/one.json" extra
check "sched-plan: missing --config named" 2 - - "^sched-plan: --config FILE is required" -- "$BIN/sched-plan"
check "sched-plan: the bad --table is named" 2 - - "--table: not a plain name .*'bars x'" -- \
	"$BIN/sched-plan" --config "$T/one.json" --table 'bars x'
check "sched-plan: the bad --schema is named" 2 - - "--schema: not a plain name .*'a-b'" -- \
	"$BIN/sched-plan" --config "$T/one.json" --schema a-b --table 'x y'

# --- bad inputs: each is exit 2, nothing on stdout, and one line that
#     names the field and the value.  CONFIG|ARGS|STDERR (ERE). ---
: >"$T/empty"
OK='{"tickers":["AAPL"],"interval":"1d"}'
bad=0
while IFS='|' read -r json args pat; do
	[ -z "$json" ] && continue
	bad=$((bad + 1))
	[ "$json" = OK ] && json=$OK
	printf '%s\n' "$json" >"$T/bad$bad.json"
	# shellcheck disable=SC2086
	check "sched-plan: bad input $bad: $json $args" 2 - "$T/empty" "$pat" -- \
		"$BIN/sched-plan" --config "$T/bad$bad.json" $args
	expect "sched-plan: bad input $bad: one message line" "[ \$(grep -vc '^usage:\\|^  ' '$T/err') -eq 1 ]"
done <<'EOF'
{"tickers":["AAPL"],"interval":"1d","period":"100000y"}||period '100000y': more than 300 years
{"tickers":["AAPL"],"interval":"1d","period":"7000y"}||period '7000y': more than 300 years
{"tickers":["AAPL"],"interval":"1d","period":"109576d"}||period '109576d': more than 300 years
{"tickers":["AAPL"],"interval":"1d","period":"3601mo"}||more than 300 years
{"tickers":["AAPL"],"interval":"1d","period":"99999999999999999999999y"}||more than 300 years
{"tickers":["AAPL"],"interval":"1d","period":"0d"}||period '0d': not a period
{"tickers":["AAPL"],"interval":"1d","period":"-1y"}||period '-1y': not a period
{"tickers":["AAPL"],"interval":"1d","period":"1.5y"}||not a period
{"tickers":["AAPL"],"interval":"1d","period":"MAX"}||period 'MAX': not a period
{"tickers":["AAPL"],"interval":"1d","period":""}||period '': not a period
{"tickers":["AAPL"],"interval":"1d","period":20}||period must be a string
{"tickers":["AAPL"],"interval":"5m","period":"61d"}||period '61d' is beyond the 60 days of 5m history
{"tickers":["AAPL"],"interval":"1m","period":"5w"}||beyond the 30 days of 1m history
{"tickers":["AAPL"],"interval":"60m","period":"2y"}||beyond the 730 days of 60m history.*or max
{"tickers":["AAPL"],"interval":"1d","timeout":"abc"}||timeout "abc": want whole seconds from 1 to 604800
{"tickers":["AAPL"],"interval":"1d","timeout":-5}||timeout -5: want whole seconds
{"tickers":["AAPL"],"interval":"1d","timeout":1e100}||timeout 1e\+100: want whole seconds
{"tickers":["AAPL"],"interval":"1d","timeout":0.5}||timeout 0.5: want whole seconds
{"tickers":["AAPL"],"interval":"1d","timeout":true}||timeout true: want whole seconds
{"tickers":["AAPL"],"interval":"1d","time_zone":"US/Eastern"}||unknown key "time_zone" \(did you mean "timezone"\?\)
{"jobs":[{"name":"d","tickers":["AAPL"],"interval":"1d","timout":60}]}||job d: unknown key "timout" \(did you mean "timeout"\?\)
{"tickers":["AAPL"],"intervall":"1d"}||unknown key "intervall" \(did you mean "interval"\?\)
{"jobs":[{"name":"d","tickers":["AAPL"],"interval":"1d","jobs":[]}]}||job d: unknown key "jobs" \(known:
{"tickers":["AAPL"],"interval":"1d","retries":3}||unknown key "retries" \(known:
{"tickers":["AAPL"],"interval":"1d","timezone":"Mars/Base"}||unknown timezone 'Mars/Base'
{"tickers":["AAPL"],"interval":"1d","timezone":"../../etc/passwd"}||unknown timezone
{"tickers":["AAPL"],"interval":"1d","name":7}||name must be a string
{"tickers":[],"interval":"1d"}||tickers must be a non-empty array
{"tickers":["A B"],"interval":"1d"}||bad ticker 'A B'
{"tickers":["AAPL,MSFT"],"interval":"1d"}||bad ticker 'AAPL,MSFT'
{"tickers":["ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG"],"interval":"1d"}||bad ticker
{"jobs":[1]}||jobs\[0\] must be an object
{"jobs":{}}||jobs must be a non-empty array
OK|--start 1899-12-31|--start: not a time in years 1900-2199: '1899-12-31'
OK|--start 2200-01-01|--start: not a time in years 1900-2199
OK|--end 9999-12-31T00:00:00Z|--end: not a time in years 1900-2199
OK|--start 99999999999|--start: not a time in years 1900-2199: '99999999999'
OK|--start 99999999999999999999999|--start: not a time
OK|--start -5|--start: not a time
OK|--start 2026-02-30|--start: not a time
OK|--overlap 100001|--overlap: not a bar count from 0 to 100000: '100001'
OK|--overlap 1e3|--overlap: not a bar count
OK|--overlap 99999999999999999999|--overlap: not a bar count
OK|--shard 4/4|--shard: not K/N with 0 <= K < N <= 1024: '4/4'
OK|--shard 0/0|--shard: not K/N
OK|--shard 0/1025|--shard: not K/N
OK|--shard 1|--shard: not K/N
OK|--shard -1/4|--shard: not K/N
OK|--shard 1/4/8|--shard: not K/N
OK|--interval 1y|--interval: unknown interval '1y'
OK|--symbols ,,|--symbols: empty list
EOF
printf '%s\n' "$OK" >"$T/ok.json"
for v in 1899-12-31T23:59:59Z 2200-01-01 99999999999; do
	check "sched-plan: BARS_NOW=$v is out of range" 2 - "$T/empty" "BARS_NOW: .*$v" -- \
		env BARS_NOW=$v "$BIN/sched-plan" --config "$T/ok.json"
done
for e in STOCKBARS_SHARD=2/2 STOCKBARS_SHARD=x JOB_COMPLETION_INDEX=1 STOCKBARS_SHARDS=4 \
	"JOB_COMPLETION_INDEX=4 STOCKBARS_SHARDS=4" "JOB_COMPLETION_INDEX=-1 STOCKBARS_SHARDS=4"; do
	# shellcheck disable=SC2086
	check "sched-plan: bad shard environment $e" 2 - "$T/empty" \
		'^sched-plan: (STOCKBARS_SHARDS?|JOB_COMPLETION_INDEX)[=:/]' -- env $e "$BIN/sched-plan" --config "$T/ok.json"
done

# --- shards: disjoint and complete over 10,000 symbols for N = 1..16 ---
syms=$(awk 'BEGIN { for (i = 0; i < 10000; i++) printf "%sS%d", i ? "," : "", i }')
bad=""
for n in $(seq 1 16); do
	k=0
	: >"$T/shards"
	while [ $k -lt $n ]; do
		LOG_LEVEL=warn "$BIN/sched-plan" --config "$T/ok.json" --symbols "$syms" --shard $k/$n |
			tail -n +2 | cut -d, -f1 >>"$T/shards"
		k=$((k + 1))
	done
	[ "$(sort -u "$T/shards" | wc -l)" -eq 10000 ] && [ "$(wc -l <"$T/shards")" -eq 10000 ] ||
		bad="$bad N=$n"
done
[ -z "$bad" ] && ok "sched-plan: shards disjoint and complete over 10000 symbols, N=1..16" ||
	not_ok "sched-plan: shards disjoint and complete over 10000 symbols, N=1..16" "$bad"
# The pinned hash: FNV-1a 64 of the symbol mod N (tests/unit/test_plan.c).
check "sched-plan: --shard 3/4 keeps AAPL and MSFT (FNV-1a mod 4 = 3)" 0 - - -- \
	"$BIN/sched-plan" --config "$T/ok.json" --symbols AAPL,MSFT,^GSPC,BRK-B,EURUSD=X --shard 3/4
expect "sched-plan: shard 3/4 rows" "[ \"\$(cut -d, -f1 '$T/out' | tail -n +2 | paste -sd' ')\" = 'AAPL MSFT' ]"
check "sched-plan: STOCKBARS_SHARD=2/4" 0 - - -- env STOCKBARS_SHARD=2/4 \
	"$BIN/sched-plan" --config "$T/ok.json" --symbols AAPL,MSFT,^GSPC,BRK-B,EURUSD=X
expect "sched-plan: STOCKBARS_SHARD rows" "[ \"\$(cut -d, -f1 '$T/out' | tail -n +2)\" = '^GSPC' ]"
check "sched-plan: JOB_COMPLETION_INDEX with STOCKBARS_SHARDS" 0 - - -- \
	env JOB_COMPLETION_INDEX=1 STOCKBARS_SHARDS=4 "$BIN/sched-plan" --config "$T/ok.json" --symbols AAPL,MSFT,^GSPC,BRK-B,EURUSD=X
expect "sched-plan: JOB_COMPLETION_INDEX rows" "[ \"\$(cut -d, -f1 '$T/out' | tail -n +2)\" = 'BRK-B' ]"
check "sched-plan: --shard wins over the environment" 0 - - -- env STOCKBARS_SHARD=2/4 \
	"$BIN/sched-plan" --config "$T/ok.json" --symbols AAPL,MSFT,^GSPC,BRK-B,EURUSD=X --shard 0/4
expect "sched-plan: --shard rows" "[ \"\$(cut -d, -f1 '$T/out' | tail -n +2)\" = 'EURUSD=X' ]"
