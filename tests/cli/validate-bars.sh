# validate-bars: one table row per rule and option.  Each case gives the
# input rows (header added), the rows expected on stdout and in --rejects
# (headers added), and optionally a regex stderr must match.
. "$TOP/tests/lib.sh"
VB="$BIN/validate-bars"
H=symbol,interval,ts,open,high,low,close,adj_close,volume
export BARS_NOW=2026-11-29T12:00:00Z

# t NAME RC 'ARGS' <<EOF
#   input rows / --- out / expected rows / --- rejects / rows / --- err / regex
# ARGS are shell words; leading VAR=value words go to the environment.
t() {
	name=$1 rc=$2 args=$3
	awk -v d="$T" -v h="$H" '
		BEGIN { f = d "/in.csv"; print h > f; print h > (d "/want.out")
			print h ",reason" > (d "/want.rej"); printf "" > (d "/pat") }
		/^--- out$/ { f = d "/want.out"; next }
		/^--- rejects$/ { f = d "/want.rej"; next }
		/^--- err$/ { f = d "/pat"; next }
		{ print > f }' </dev/stdin
	eval "set -- $args"
	envs=""
	while [ $# -gt 0 ]; do
		case $1 in [A-Z]*=*) envs="$envs $1"; shift ;; *) break ;; esac
	done
	rm -f "$T/rej.csv"
	# shellcheck disable=SC2086
	check "$name" "$rc" "$T/in.csv" "$T/want.out" "$(cat "$T/pat")" -- \
		env $envs "$VB" --rejects "$T/rej.csv" "$@"
	if ! diff -u "$T/want.rej" "$T/rej.csv" >"$T/rej.diff" 2>&1; then
		not_ok "$name: rejects" "$(head -c 1500 "$T/rej.diff")"
	else
		ok "$name: rejects"
	fi
}

t "valid rows pass unchanged" 0 '' <<'EOF'
AAPL,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1000
AAPL,5m,2026-11-23T14:35:00Z,100.5,102,100,101,101,
MSFT,1d,2026-11-23T05:00:00Z,420.1,425,419.07,424.5,424.5,21000000
BRK-B,60m,2026-07-06T13:30:00Z,480,481,479,480.5,480.5,0
BRK-B,60m,2026-07-06T19:30:00Z,480,481,479,480.5,480.5,0
--- out
AAPL,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1000
AAPL,5m,2026-11-23T14:35:00Z,100.5,102,100,101,101,
MSFT,1d,2026-11-23T05:00:00Z,420.1,425,419.07,424.5,424.5,21000000
BRK-B,60m,2026-07-06T13:30:00Z,480,481,479,480.5,480.5,0
BRK-B,60m,2026-07-06T19:30:00Z,480,481,479,480.5,480.5,0
--- err
1 rows|5 rows in, 5 passed, 0 rejected, 0 warnings
EOF

t "unparseable fields" 0 '' <<'EOF'
AAPL,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5
AA;PL,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1
AAPL,7m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1
AAPL,5m,2026-11-23 14:30,100,101,99,100.5,100.5,1
AAPL,5m,2026-11-23T14:30:00Z,abc,101,99,100.5,100.5,1
AAPL,5m,2026-11-23T14:30:00Z,100,inf,99,100.5,100.5,1
AAPL,5m,2026-11-23T14:30:00Z,100,101,nan,100.5,100.5,1
AAPL,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1.5
--- rejects
AAPL,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,bad_field_count
AA;PL,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1,bad_symbol
AAPL,7m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1,bad_interval
AAPL,5m,2026-11-23 14:30,100,101,99,100.5,100.5,1,bad_timestamp
AAPL,5m,2026-11-23T14:30:00Z,abc,101,99,100.5,100.5,1,bad_price
AAPL,5m,2026-11-23T14:30:00Z,100,inf,99,100.5,100.5,1,bad_price
AAPL,5m,2026-11-23T14:30:00Z,100,101,nan,100.5,100.5,1,bad_price
AAPL,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1.5,bad_volume
--- err
:2: rejected bad_field_count
EOF

t "non-positive prices" 0 '' <<'EOF'
AAPL,5m,2026-11-23T14:30:00Z,0,101,0,100.5,100.5,1
AAPL,5m,2026-11-23T14:35:00Z,-1,101,-2,100.5,100.5,1
AAPL,5m,2026-11-23T14:40:00Z,100,101,99,100.5,0,1
AAPL,5m,2026-11-23T14:45:00Z,100,101,99,100.5,100.5,1
--- out
AAPL,5m,2026-11-23T14:45:00Z,100,101,99,100.5,100.5,1
--- rejects
AAPL,5m,2026-11-23T14:30:00Z,0,101,0,100.5,100.5,1,price_not_positive
AAPL,5m,2026-11-23T14:35:00Z,-1,101,-2,100.5,100.5,1,price_not_positive
AAPL,5m,2026-11-23T14:40:00Z,100,101,99,100.5,0,1,price_not_positive
--- err
price_not_positive 3
EOF

t "bounded inputs: leap second, years, float32 range" 0 '' <<'EOF'
AAPL,5m,2026-11-23T23:59:60Z,100,101,99,100.5,100.5,1
AAPL,5m,2200-01-05T14:30:00Z,100,101,99,100.5,100.5,1
AAPL,5m,1899-12-29T14:30:00Z,100,101,99,100.5,100.5,1
AAPL,5m,2026-11-23T14:30:00Z,1e63,1e64,99,100.5,100.5,1
AAPL,5m,2026-11-23T14:30:00Z,100,101,99,100.5,-4e38,1
AAPL,5m,2026-11-23T14:35:00Z,100,101,99,100.5,100.5,1
--- out
AAPL,5m,2026-11-23T14:35:00Z,100,101,99,100.5,100.5,1
--- rejects
AAPL,5m,2026-11-23T23:59:60Z,100,101,99,100.5,100.5,1,bad_timestamp
AAPL,5m,2200-01-05T14:30:00Z,100,101,99,100.5,100.5,1,bad_timestamp
AAPL,5m,1899-12-29T14:30:00Z,100,101,99,100.5,100.5,1,bad_timestamp
AAPL,5m,2026-11-23T14:30:00Z,1e63,1e64,99,100.5,100.5,1,bad_price
AAPL,5m,2026-11-23T14:30:00Z,100,101,99,100.5,-4e38,1,bad_price
--- err
:2: rejected bad_timestamp: AAPL 5m 2026-11-23T23:59:60Z \(ts: leap second \(:60\) not allowed\)
EOF
check "bounded inputs: the year is named" 0 "$T/in.csv" - \
	':3: rejected bad_timestamp: AAPL 5m 2200-01-05T14:30:00Z \(ts: year outside 1900-2199\)' -- "$VB"
check "bounded inputs: the price field is named" 0 "$T/in.csv" - \
	':6: rejected bad_price: .*\(adj_close: outside float32 range\)' -- "$VB"
check "bounded inputs: BARS_NOW with a leap second" 2 - - \
	'BARS_NOW: leap second \(:60\) not allowed' -- env BARS_NOW=2026-06-30T23:59:60Z "$VB"

t "high and low against open and close" 0 '' <<'EOF'
AAPL,5m,2026-11-23T14:30:00Z,100,101,100.6,100.5,100.5,1
AAPL,5m,2026-11-23T14:35:00Z,100,100.2,99,100.5,100.5,1
AAPL,5m,2026-11-23T14:40:00Z,102,101,99,100.5,100.5,1
AAPL,5m,2026-11-23T14:45:00Z,100,99,101,100,100,1
AAPL,5m,2026-11-23T14:50:00Z,100,100,100,100,100,1
--- out
AAPL,5m,2026-11-23T14:50:00Z,100,100,100,100,100,1
--- rejects
AAPL,5m,2026-11-23T14:30:00Z,100,101,100.6,100.5,100.5,1,high_low
AAPL,5m,2026-11-23T14:35:00Z,100,100.2,99,100.5,100.5,1,high_low
AAPL,5m,2026-11-23T14:40:00Z,102,101,99,100.5,100.5,1,high_low
AAPL,5m,2026-11-23T14:45:00Z,100,99,101,100,100,1,high_low
EOF

t "negative volume" 0 '' <<'EOF'
AAPL,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,-1
AAPL,5m,2026-11-23T14:35:00Z,100,101,99,100.5,100.5,0
--- out
AAPL,5m,2026-11-23T14:35:00Z,100,101,99,100.5,100.5,0
--- rejects
AAPL,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,-1,negative_volume
EOF

t "future and unfinished bars" 0 'BARS_NOW=2026-11-24T15:02:00Z' <<'EOF'
AAPL,5m,2026-11-24T14:55:00Z,100,101,99,100.5,100.5,1
AAPL,5m,2026-11-24T15:00:00Z,100,101,99,100.5,100.5,1
AAPL,5m,2026-11-24T15:05:00Z,100,101,99,100.5,100.5,1
AAPL,1d,2026-11-23T05:00:00Z,100,101,99,100.5,100.5,1
AAPL,1d,2026-11-24T05:00:00Z,100,101,99,100.5,100.5,1
--- out
AAPL,5m,2026-11-24T14:55:00Z,100,101,99,100.5,100.5,1
AAPL,1d,2026-11-23T05:00:00Z,100,101,99,100.5,100.5,1
--- rejects
AAPL,5m,2026-11-24T15:00:00Z,100,101,99,100.5,100.5,1,unfinished
AAPL,5m,2026-11-24T15:05:00Z,100,101,99,100.5,100.5,1,future
AAPL,1d,2026-11-24T05:00:00Z,100,101,99,100.5,100.5,1,unfinished
EOF

t "market holidays and weekends" 0 '' <<'EOF'
AAPL,5m,2026-11-26T15:00:00Z,100,101,99,100.5,100.5,1
AAPL,5m,2026-11-28T15:00:00Z,100,101,99,100.5,100.5,1
AAPL,1d,2026-11-26T05:00:00Z,100,101,99,100.5,100.5,1
AAPL,1d,2026-07-03T04:00:00Z,100,101,99,100.5,100.5,1
AAPL,1d,2026-07-02T04:00:00Z,100,101,99,100.5,100.5,1
--- out
AAPL,1d,2026-07-02T04:00:00Z,100,101,99,100.5,100.5,1
--- rejects
AAPL,5m,2026-11-26T15:00:00Z,100,101,99,100.5,100.5,1,market_closed
AAPL,5m,2026-11-28T15:00:00Z,100,101,99,100.5,100.5,1,market_closed
AAPL,1d,2026-11-26T05:00:00Z,100,101,99,100.5,100.5,1,market_closed
AAPL,1d,2026-07-03T04:00:00Z,100,101,99,100.5,100.5,1,market_closed
EOF

t "outside the session, DST and early close" 0 '' <<'EOF'
AAPL,5m,2026-11-23T14:25:00Z,100,101,99,100.5,100.5,1
AAPL,5m,2026-11-23T21:00:00Z,100,101,99,100.5,100.5,1
AAPL,5m,2026-11-23T20:55:00Z,100,101,99,100.5,100.5,1
AAPL,5m,2026-07-06T13:30:00Z,100,101,99,100.5,100.5,1
AAPL,5m,2026-07-06T20:00:00Z,100,101,99,100.5,100.5,1
AAPL,5m,2026-11-27T17:55:00Z,100,101,99,100.5,100.5,1
AAPL,5m,2026-11-27T18:00:00Z,100,101,99,100.5,100.5,1
--- out
AAPL,5m,2026-11-23T20:55:00Z,100,101,99,100.5,100.5,1
AAPL,5m,2026-07-06T13:30:00Z,100,101,99,100.5,100.5,1
AAPL,5m,2026-11-27T17:55:00Z,100,101,99,100.5,100.5,1
--- rejects
AAPL,5m,2026-11-23T14:25:00Z,100,101,99,100.5,100.5,1,off_session
AAPL,5m,2026-11-23T21:00:00Z,100,101,99,100.5,100.5,1,off_session
AAPL,5m,2026-07-06T20:00:00Z,100,101,99,100.5,100.5,1,off_session
AAPL,5m,2026-11-27T18:00:00Z,100,101,99,100.5,100.5,1,off_session
EOF

t "interval grid" 0 '' <<'EOF'
AAPL,5m,2026-11-23T14:47:00Z,100,101,99,100.5,100.5,1
AAPL,60m,2026-11-23T15:00:00Z,100,101,99,100.5,100.5,1
AAPL,60m,2026-11-23T15:30:00Z,100,101,99,100.5,100.5,1
AAPL,90m,2026-11-23T16:00:00Z,100,101,99,100.5,100.5,1
AAPL,1d,2026-11-24T04:00:00Z,100,101,99,100.5,100.5,1
AAPL,1wk,2026-11-16T05:00:00Z,100,101,99,100.5,100.5,1
BTC-USD,5m,2026-11-23T14:30:30Z,100,101,99,100.5,100.5,1
--- out
AAPL,60m,2026-11-23T15:30:00Z,100,101,99,100.5,100.5,1
AAPL,90m,2026-11-23T16:00:00Z,100,101,99,100.5,100.5,1
AAPL,1wk,2026-11-16T05:00:00Z,100,101,99,100.5,100.5,1
--- rejects
AAPL,5m,2026-11-23T14:47:00Z,100,101,99,100.5,100.5,1,off_grid
AAPL,60m,2026-11-23T15:00:00Z,100,101,99,100.5,100.5,1,off_grid
AAPL,1d,2026-11-24T04:00:00Z,100,101,99,100.5,100.5,1,off_grid
BTC-USD,5m,2026-11-23T14:30:30Z,100,101,99,100.5,100.5,1,off_grid
EOF

t "calendar skipped for non-US symbol forms" 0 '' <<'EOF'
BTC-USD,5m,2026-11-28T15:00:00Z,100,101,99,100.5,100.5,1
EURUSD=X,1d,2026-11-26T00:00:00Z,1.1,1.2,1.0,1.1,1.1,0
^GSPC,5m,2026-11-26T15:00:00Z,100,101,99,100.5,100.5,1
7203.T,1d,2026-11-26T15:00:00Z,100,101,99,100.5,100.5,1
--- out
BTC-USD,5m,2026-11-28T15:00:00Z,100,101,99,100.5,100.5,1
EURUSD=X,1d,2026-11-26T00:00:00Z,1.1,1.2,1.0,1.1,1.1,0
^GSPC,5m,2026-11-26T15:00:00Z,100,101,99,100.5,100.5,1
7203.T,1d,2026-11-26T15:00:00Z,100,101,99,100.5,100.5,1
EOF

t "--calendar none" 0 '--calendar none' <<'EOF'
AAPL,5m,2026-11-26T15:00:00Z,100,101,99,100.5,100.5,1
AAPL,5m,2026-11-26T15:00:30Z,100,101,99,100.5,100.5,1
--- out
AAPL,5m,2026-11-26T15:00:00Z,100,101,99,100.5,100.5,1
--- rejects
AAPL,5m,2026-11-26T15:00:30Z,100,101,99,100.5,100.5,1,off_grid
EOF

t "duplicate keys" 0 '' <<'EOF'
AAPL,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1
AAPL,5m,2026-11-23T14:35:00Z,100,101,99,100.5,100.5,1
AAPL,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,2
AAPL,15m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1
MSFT,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1
AAPL,5m,2026-11-23T14:40:00Z,0,101,99,100.5,100.5,1
AAPL,5m,2026-11-23T14:40:00Z,100,101,99,100.5,100.5,1
--- out
AAPL,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1
AAPL,5m,2026-11-23T14:35:00Z,100,101,99,100.5,100.5,1
AAPL,15m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1
MSFT,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1
AAPL,5m,2026-11-23T14:40:00Z,100,101,99,100.5,100.5,1
--- rejects
AAPL,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,2,duplicate
AAPL,5m,2026-11-23T14:40:00Z,0,101,99,100.5,100.5,1,price_not_positive
EOF

JUMP='AAPL,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1
AAPL,5m,2026-11-23T14:35:00Z,10000,10100,9900,10050,10050,1
AAPL,5m,2026-11-23T14:40:00Z,100,101,99,100.5,100.5,1
MSFT,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1
MSFT,5m,2026-11-23T14:35:00Z,900,1100,95,950,950,1'
t "price jump warns by default" 0 '' <<EOF
$JUMP
--- out
$JUMP
--- err
:3: warning price_jump: AAPL 5m 2026-11-23T14:35:00Z
EOF

t "price jump rejected on request" 0 '--reject price_jump' <<EOF
$JUMP
--- out
AAPL,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1
AAPL,5m,2026-11-23T14:40:00Z,100,101,99,100.5,100.5,1
MSFT,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1
--- rejects
AAPL,5m,2026-11-23T14:35:00Z,10000,10100,9900,10050,10050,1,price_jump
MSFT,5m,2026-11-23T14:35:00Z,900,1100,95,950,950,1,price_jump
EOF

t "price jump: a confirmed new level re-anchors" 0 '--reject price_jump' <<'EOF'
AAPL,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1
AAPL,5m,2026-11-23T14:35:00Z,1,1.01,0.99,1.005,1.005,1
AAPL,5m,2026-11-23T14:40:00Z,1,1.01,0.99,1.005,1.005,1
AAPL,5m,2026-11-23T14:45:00Z,1,1.01,0.99,1.005,1.005,1
--- out
AAPL,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1
AAPL,5m,2026-11-23T14:40:00Z,1,1.01,0.99,1.005,1.005,1
AAPL,5m,2026-11-23T14:45:00Z,1,1.01,0.99,1.005,1.005,1
--- rejects
AAPL,5m,2026-11-23T14:35:00Z,1,1.01,0.99,1.005,1.005,1,price_jump
EOF

t "--max-jump raises the factor" 0 '--reject price_jump --max-jump 200' <<EOF
$JUMP
--- out
$JUMP
EOF

t "--warn downgrades a rule" 0 '--warn high_low,off_session' <<'EOF'
AAPL,5m,2026-11-23T14:30:00Z,100,99,99,100.5,100.5,1
AAPL,5m,2026-11-23T22:00:00Z,100,101,99,100.5,100.5,1
--- out
AAPL,5m,2026-11-23T14:30:00Z,100,99,99,100.5,100.5,1
AAPL,5m,2026-11-23T22:00:00Z,100,101,99,100.5,100.5,1
--- err
2 warnings \(high_low 1, off_session 1\)
EOF

t "--ignore turns a rule off" 0 '--ignore all' <<'EOF'
AAPL,5m,2026-11-23T14:30:00Z,100,99,99,100.5,100.5,1
AAPL,5m,2026-11-23T14:30:00Z,100,99,99,100.5,100.5,1
AAPL,5m,2026-11-23T14:30:00Z,100,99,99,100.5,x,1
--- out
AAPL,5m,2026-11-23T14:30:00Z,100,99,99,100.5,100.5,1
AAPL,5m,2026-11-23T14:30:00Z,100,99,99,100.5,100.5,1
--- rejects
AAPL,5m,2026-11-23T14:30:00Z,100,99,99,100.5,x,1,bad_price
--- err
0 warnings
EOF

printf '# ad-hoc closures\n2026-11-24,closed\n2026-11-25,early,12:00\n' >"$T/ovr.csv"
t "--calendar-overrides" 0 "--calendar-overrides $T/ovr.csv" <<'EOF'
AAPL,5m,2026-11-24T15:00:00Z,100,101,99,100.5,100.5,1
AAPL,5m,2026-11-25T16:55:00Z,100,101,99,100.5,100.5,1
AAPL,5m,2026-11-25T17:00:00Z,100,101,99,100.5,100.5,1
--- out
AAPL,5m,2026-11-25T16:55:00Z,100,101,99,100.5,100.5,1
--- rejects
AAPL,5m,2026-11-24T15:00:00Z,100,101,99,100.5,100.5,1,market_closed
AAPL,5m,2026-11-25T17:00:00Z,100,101,99,100.5,100.5,1,off_session
EOF

RATIO='AAPL,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1
AAPL,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1'
RATIO_OUT='AAPL,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1'
RATIO_REJ='AAPL,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1,duplicate'
t "--max-reject-ratio exceeded exits 3" 3 '--max-reject-ratio 0.4' <<EOF
$RATIO
--- out
$RATIO_OUT
--- rejects
$RATIO_REJ
--- err
rejected 1 of 2 rows \\(50.00%\\), above --max-reject-ratio 0.4
EOF
t "--max-reject-ratio met exits 0" 0 '--max-reject-ratio 0.5' <<EOF
$RATIO
--- out
$RATIO_OUT
--- rejects
$RATIO_REJ
EOF

# --gaps: expected bars between the first and last seen per series.
cat >"$T/gaps.in" <<EOF
$H
AAPL,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1
AAPL,5m,2026-11-23T14:50:00Z,100,101,99,100.5,100.5,1
AAPL,5m,2026-11-23T14:35:00Z,100,101,99,100.5,100.5,1
AAPL,1d,2026-11-20T05:00:00Z,100,101,99,100.5,100.5,1
AAPL,1d,2026-11-24T05:00:00Z,100,101,99,100.5,100.5,1
MSFT,60m,2025-11-26T20:30:00Z,100,101,99,100.5,100.5,1
MSFT,60m,2025-11-28T14:30:00Z,100,101,99,100.5,100.5,1
MSFT,60m,2025-11-28T17:30:00Z,100,101,99,100.5,100.5,1
MSFT,60m,2025-12-01T14:30:00Z,100,101,99,100.5,100.5,1
BTC-USD,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1
BTC-USD,5m,2026-11-23T15:30:00Z,100,101,99,100.5,100.5,1
EOF
cat >"$T/gaps.want" <<'EOF'
symbol,interval,ts
AAPL,5m,2026-11-23T14:40:00Z
AAPL,5m,2026-11-23T14:45:00Z
AAPL,1d,2026-11-23T05:00:00Z
MSFT,60m,2025-11-28T15:30:00Z
MSFT,60m,2025-11-28T16:30:00Z
EOF
check "--gaps writes the missing expected bars" 0 "$T/gaps.in" - \
	'gaps: 5 missing of 14 expected bars in 3 series' -- "$VB" --gaps "$T/gaps.out"
expect "--gaps file" "diff -u '$T/gaps.want' '$T/gaps.out'"
check "--gaps summary per series" 0 "$T/gaps.in" - 'gaps: MSFT 60m: 2 missing of 6 expected' -- \
	"$VB" --gaps "$T/gaps.out"

# --gaps on long series: the report walks every date of the range (the
# calendar's cache holds about three years), so a 25-year daily series and
# 60 days of 1m bars with known holes give exactly those holes.  The series
# come from the fake provider's own calendar (tests/gen_bars.py).
# gaps_case NAME SYMBOL INTERVAL START END EXPECTED_TOTAL HOLE...
gaps_case() {
	name=$1 sym=$2 iv=$3 a=$4 b=$5 total=$6; shift 6
	drops="" want="symbol,interval,ts"
	for h in "$@"; do drops="$drops --drop $h"; want="$want
$sym,$iv,$h"; done
	# shellcheck disable=SC2086
	"$PY" "$TOP/tests/gen_bars.py" "$sym" "$iv" "$a" "$b" $drops >"$T/long.csv" 2>"$T/long.n"
	n=$(($(cut -d' ' -f1 "$T/long.n") + $#))
	[ -n "$total" ] && [ "$total" -ne "$n" ] && not_ok "$name: generator" "$n expected bars, want $total"
	printf '%s\n' "$want" >"$T/long.want"
	check "$name" 0 "$T/long.csv" - "gaps: $sym $iv: $# missing of $n expected" -- \
		env BARS_NOW=2027-01-01T00:00:00Z "$VB" --gaps "$T/long.gaps"
	expect "$name: gaps file" "diff -u '$T/long.want' '$T/long.gaps'"
}
gaps_case "--gaps daily 2020-2024 (5 years)" AAPL 1d 2020-01-01 2025-01-01 1258 \
	2021-03-03T05:00:00Z 2023-07-12T04:00:00Z
gaps_case "--gaps daily 2000-2024 (25 years)" SPY 1d 2000-01-01 2025-01-01 6289 \
	2001-09-17T04:00:00Z 2008-10-10T04:00:00Z 2024-12-30T05:00:00Z
gaps_case "--gaps 1m over 60 days" MSFT 1m 2026-10-01 2026-11-30 "" \
	2026-10-05T13:30:00Z 2026-11-02T14:30:00Z 2026-11-27T17:58:00Z

# --events: a jump that a split between the two bars explains is not a
# jump.  Two fake-provider responses in one stream, one fetched before a
# 20:1 split (not adjusted) and one after it (with the split event), go
# through normalize-bars --events F | validate-bars --events F: the events
# of a response reach F before its bars reach validate-bars.
# fake_resp NOW FROM TO: one fetch-bars line for XJ 1d as served at NOW.
fake_resp() {
	BARS_NOW=$1 "$PY" -c 'import json, sys
sys.path.insert(0, sys.argv[1])
import fake_yahoo as f
f.add_event("XJ=2026-11-23:20:1", "split")
now = f.now_epoch()
st, doc = f.generate("XJ", {"interval": "1d", "period1": sys.argv[2], "period2": sys.argv[3],
    "events": "div,splits"}, True)
print(json.dumps({"symbol": "XJ", "interval": "1d", "provider": "yahoo", "status": st,
    "fetched_at": now, "body": doc}))' "$TOP/tests" "$(date -ud "$2" +%s)" "$(date -ud "$3" +%s)"
}
{ fake_resp 2026-11-20T22:00:00Z 2026-11-16 2026-11-21
  fake_resp 2026-11-25T22:00:00Z 2026-11-23 2026-11-26; } >"$T/split.ndjson"
check "--events: a split in the same run is not a price jump" 0 "$T/split.ndjson" - \
	'8 rows in, 8 passed, 0 rejected, 0 warnings' -- sh -c \
	"'$BIN/normalize-bars' --events '$T/split-ev.csv' | '$VB' --events '$T/split-ev.csv' --reject price_jump >/dev/null"
expect "--events: the split came through the events file" \
	"grep -qx 'XJ,2026-11-23T05:00:00Z,split,20,20,1' '$T/split-ev.csv'"
check "--events: without it the split is rejected as a jump" 0 "$T/split.ndjson" - \
	'rejected price_jump: XJ 1d 2026-11-23T05:00:00Z' -- sh -c \
	"'$BIN/normalize-bars' | '$VB' --reject price_jump >/dev/null"
# The same split twice (two responses of one run both carry it) counts once.
printf '%s\n' symbol,ts,kind,value,numerator,denominator XJ,2026-11-23T05:00:00Z,split,20,20,1 \
	XJ,2026-11-23T05:00:00Z,split,x,20,1 XJ,2026-11-23T05:00:00Z,split,20,20,1 >"$T/ev-bad.csv"
"$BIN/normalize-bars" <"$T/split.ndjson" >"$T/split.csv" 2>/dev/null
check "--events: a bad events line is named and skipped, exit 1" 1 "$T/split.csv" - \
	'ev-bad.csv:3: bad value, skipped' -- "$VB" --events "$T/ev-bad.csv" --reject price_jump
check "--events: the good line still explains the split" 1 "$T/split.csv" - \
	'8 rows in, 8 passed, 0 rejected' -- "$VB" --events "$T/ev-bad.csv" --reject price_jump
check "--events: a missing events file is an input error" 1 "$T/split.csv" - \
	'nosuch.csv: No such file or directory; splits are not known' -- \
	"$VB" --events "$T/nosuch.csv" --reject price_jump

# Headers, CSV syntax, several inputs.
printf '%s\n' "$H" 'AAPL,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1' >"$T/a.csv"
printf '%s\n' "$H" 'MSFT,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1' >"$T/b.csv"
printf '\n\nsymbol,interval,ts,open,high,low,close,volume\n' >"$T/badhdr.csv"
printf '%s\n%s\n%s\n' "$H" 'AAPL,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1' \
	'AAPL,5m,"2026-11-23T14:35:00Z,100,101,99,100.5,100.5,1' >"$T/quote.csv"
printf '%s\n' "$H" 'AAPL,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1' \
	'MSFT,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1' >"$T/ab.want"
printf '%s\n' "$H" >"$T/h.want"
check "several files, one header" 0 - "$T/ab.want" -- "$VB" "$T/a.csv" "$T/b.csv"
check "stdin as -" 0 "$T/b.csv" - -- "$VB" "$T/a.csv" -
check "bad header names file and line" 1 "$T/badhdr.csv" "$T/h.want" \
	'^validate-bars: -:3: bad header' -- "$VB"
check "empty input" 1 - "$T/h.want" '^validate-bars: -: empty input' -- "$VB"
# A quote left open swallows the lines after it: an input error naming the
# line the quote opened on, never a silently merged row.
check "unterminated quote rejected with its line" 1 "$T/quote.csv" - 'quote.csv:3: unterminated quoted field' -- "$VB" "$T/quote.csv"
check "missing file" 1 - "$T/ab.want" 'nope.csv: No such file' -- "$VB" "$T/a.csv" "$T/nope.csv" "$T/b.csv"
check "quoted fields written back quoted" 0 - - -- sh -c \
	"printf '%s\n%s\n' '$H' '\"AAPL\",5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1' | '$VB' | grep -qx 'AAPL,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1'"

# Usage.
check "--help" 0 - - -- sh -c "'$VB' --help | grep -q '^usage: validate-bars'"
check "--version" 0 - - -- sh -c "'$VB' --version | grep -Eq '^validate-bars [0-9]'"
check "unknown rule" 2 - - 'unknown rule: nope' -- "$VB" --warn nope
check "usage error names the option" 2 - - '^validate-bars: --ignore: unknown rule: nope$' -- \
	"$VB" --ignore price_jump,nope
for o in rejects gaps calendar calendar-overrides events warn reject ignore max-jump \
	max-reject-ratio help version; do
	expect "--help lists --$o on a line of its own" \
		"[ \$('$VB' --help | grep -Ec '^ +(-[A-Za-z], )?--$o( |\$)') -eq 1 ]"
done
expect "--help lists each option once, usage errors show only the synopsis" \
	"[ \$('$VB' --nosuch 2>&1 | grep -c -- '--rejects') -eq 1 ]"
printf '%s\n' "$H" 'AAPL,5m,2026-11-23T14:30:00Z,100,101,99,100.5,100.5,1' >"$T/one.csv"
check "singular: 1 row in" 0 "$T/one.csv" - ': 1 row in, 1 passed, 0 rejected, 0 warnings$' -- "$VB"
check "bad --max-jump" 2 - - 'max-jump' -- "$VB" --max-jump 1
check "bad --max-reject-ratio" 2 - - 'max-reject-ratio' -- "$VB" --max-reject-ratio 1.5
check "bad --calendar" 2 - - 'calendar: want nyse or none' -- "$VB" --calendar lse
check "bad override file" 2 - - 'calendar overrides: .*:1: want' -- sh -c \
	"printf '2026-11-24,shut\n' >'$T/bad.ovr'; '$VB' --calendar-overrides '$T/bad.ovr'"
check "bad BARS_NOW" 2 - - 'BARS_NOW' -- env BARS_NOW=yesterday "$VB"

# Every normalized fixture (normalize-bars' expected outputs): what passes,
# what a careful analyst would reject, and the gaps found.
# FILE | EXTRA ARGS | summary regex
EXPN="$TOP/tests/expected/normalize"
while IFS='|' read -r file args want; do
	[ -n "$file" ] || continue
	if [ ! -f "$EXPN/$file" ]; then
		not_ok "fixture $file" "$EXPN/$file missing"
		continue
	fi
	# shellcheck disable=SC2086
	check "fixture $file" 0 "$EXPN/$file" - "$want" -- "$VB" --gaps "$T/fx-gaps.csv" $args
done <<'EOF'
yahoo-0P0000XTS7-1d.csv||1 row in, 1 passed, 0 rejected
yahoo-AAPL-1d-2020.csv||49 rows in, 49 passed, 0 rejected
yahoo-AAPL-1d-6mo.csv||126 rows in, 126 passed, 0 rejected
yahoo-AAPL-1m-1d-2021.csv||240 rows in, 240 passed, 0 rejected
yahoo-AAPL-1m-2024.csv||389 rows in, 389 passed, 0 rejected
yahoo-AAPL-1m-2025.csv||0 rows in, 0 passed
yahoo-BTC-USD-1d.csv||2 rows in, 2 passed, 0 rejected
yahoo-GS2C.DE-1d.csv||4 rows in, 4 passed, 0 rejected
yahoo-MSFT-1d.csv||252 rows in, 252 passed, 0 rejected
yahoo-NVDA-1d.csv||252 rows in, 252 passed, 0 rejected
yahoo-TNX-5m.csv||14 rows in, 14 passed, 0 rejected
yahoo-TSLA-30m.csv||29 rows in, 13 passed, 16 rejected \(off_session 16\)
yahoo-VFINX-3mo.csv||163 rows in, 161 passed, 2 rejected \(price_not_positive 1, high_low 1\)
yahoo-WSU.DE-1d.csv||2 rows in, 2 passed, 0 rejected
stooq-msft_us_d.csv||1004 rows in, 1004 passed, 0 rejected
stooq-gold_d.csv|--calendar none|1000 rows in, 1000 passed, 0 rejected
stooq-gold_d.csv||1000 rows in, 0 passed, 1000 rejected \(off_grid 1000\)
EOF
# The 1m fixture with a null bar: the dropped minute is the one gap.
"$VB" --gaps "$T/fx-gaps.csv" "$EXPN/yahoo-AAPL-1m-2024.csv" >/dev/null 2>&1
printf 'symbol,interval,ts\nAAPL,1m,2024-10-02T15:15:00Z\n' >"$T/fx-gaps.want"
expect "fixture 1m null bar is a gap" "diff -u '$T/fx-gaps.want' '$T/fx-gaps.csv'"
