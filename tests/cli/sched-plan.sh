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
case_ "--end before --start" 2 - 'end after --start' --config "$T/one.json" --start 2026-11-20 --end 2026-11-19
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
