# Splits and dividends: the fake provider serves history as Yahoo does as of
# the request time (tests/fake_yahoo.py --split/--dividend/--now-file), read
# through fetch-bars and normalize-bars --events.
. "$TOP/tests/lib.sh"
unset LOG_LEVEL
echo 2026-11-20T22:00:00Z >"$T/now"
start_fake --now-file "$T/now" --split XSPL=2026-11-23:4:1 --dividend XSPL=2026-11-18:0.96 \
	--dividend XSPL=2026-11-25:0.25 --split XODD=2026-11-24:3:2
H=symbol,interval,start,end

# serve NOW SYM IV FROM TO: bars CSV and events CSV ($T/ev.csv) of one
# window as served at NOW.
serve() {
	echo "$1" >"$T/now"
	printf '%s\n%s,%s,%s,%s\n' "$H" "$2" "$3" "$4" "$5" |
		BARS_NOW=$1 "$BIN/fetch-bars" 2>"$T/fetch.err" |
		BARS_NOW=$1 "$BIN/normalize-bars" --events "$T/ev.csv" 2>"$T/norm.err"
}
# col FILE DATE N: column N of the row of DATE (a ts prefix) in FILE
col() { grep ",$2" "$1" | head -1 | cut -d, -f"$3"; }
# same NAME A B: two numbers agree to float32 rounding (1e-6 relative)
same() {
	if awk -v a="$2" -v b="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && d <= 1e-6 * (b < 0 ? -b : b)) }'
	then ok "$1"; else not_ok "$1" "$2 vs $3"; fi
}

# Before the events: nothing adjusted, no events.
serve 2026-11-20T22:00:00Z XSPL 5m 2026-11-20T14:30:00Z 2026-11-20T15:00:00Z >"$T/before5.csv"
serve 2026-11-17T22:00:00Z XSPL 1d 2026-11-10 2026-11-30 >"$T/before.csv"
expect "fake events: none known before the ex-dates" "[ \$(wc -l <'$T/ev.csv') -eq 1 ]"
c17=$(col "$T/before.csv" 2026-11-17 7)
expect "fake events: before them adj_close is the close" \
	"[ '$(col "$T/before.csv" 2026-11-17 8)' = '$c17' ]"

# After the split and both dividends.
serve 2026-11-30T22:00:00Z XSPL 1d 2026-11-16 2026-12-01 >"$T/after.csv"
cat >"$T/ev.want" <<'CSV'
symbol,ts,kind,value,numerator,denominator
XSPL,2026-11-18T05:00:00Z,dividend,0.23999999463558197,,
XSPL,2026-11-23T05:00:00Z,split,4,4,1
XSPL,2026-11-25T05:00:00Z,dividend,0.25,,
CSV
expect "fake events: events.dividends and events.splits as Yahoo shapes them" \
	"diff -u '$T/ev.want' '$T/ev.csv'"
for k in 4 5 6 7; do
	same "fake events: daily column $k split-adjusted (divided by 4)" \
		"$(col "$T/after.csv" 2026-11-17 $k)" \
		"$(awk -v x="$(col "$T/before.csv" 2026-11-17 $k)" 'BEGIN { printf "%.9f", x / 4 }')"
done
expect "fake events: volume multiplied by 4" \
	"[ $(col "$T/after.csv" 2026-11-17 9) -eq \$(( $(col "$T/before.csv" 2026-11-17 9) * 4 )) ]"
# adj_close / close steps at each ex-date by 1 - dividend / previous close.
ratio() { awk -v a="$(col "$T/after.csv" "$1" 8)" -v c="$(col "$T/after.csv" "$1" 7)" 'BEGIN { printf "%.9f", a / c }'; }
step() { awk -v r0="$(ratio "$1")" -v r1="$(ratio "$2")" 'BEGIN { printf "%.9f", r0 / r1 }'; }
factor() { awk -v d="$2" -v c="$(col "$T/after.csv" "$1" 7)" 'BEGIN { printf "%.9f", 1 - d / c }'; }
same "fake events: step at the 2026-11-18 dividend" "$(step 2026-11-17 2026-11-18)" \
	"$(factor 2026-11-17 0.23999999463558197)"
same "fake events: step at the 2026-11-25 dividend" "$(step 2026-11-24 2026-11-25)" \
	"$(factor 2026-11-24 0.25)"
same "fake events: no step at the split" "$(step 2026-11-20 2026-11-23)" 1
same "fake events: no step between dividends" "$(step 2026-11-19 2026-11-20)" 1
expect "fake events: after the last dividend adj_close is the close" \
	"[ '$(col "$T/after.csv" 2026-11-27 8)' = '$(col "$T/after.csv" 2026-11-27 7)' ]"

# Intraday bars are split-adjusted too; a 3:2 split divides by 1.5.
serve 2026-11-30T22:00:00Z XSPL 5m 2026-11-20T14:30:00Z 2026-11-20T15:00:00Z >"$T/after5.csv"
same "fake events: 5m close split-adjusted" "$(col "$T/after5.csv" 2026-11-20T14:35 7)" \
	"$(awk -v x="$(col "$T/before5.csv" 2026-11-20T14:35 7)" 'BEGIN { printf "%.9f", x / 4 }')"
serve 2026-11-20T22:00:00Z XODD 1d 2026-11-16 2026-11-21 >"$T/odd0.csv"
serve 2026-11-30T22:00:00Z XODD 1d 2026-11-16 2026-11-25 >"$T/odd1.csv"
same "fake events: a 3:2 split divides by 1.5" "$(col "$T/odd1.csv" 2026-11-20 7)" \
	"$(awk -v x="$(col "$T/odd0.csv" 2026-11-20 7)" 'BEGIN { printf "%.9f", x / 1.5 }')"
expect "fake events: 3:2 split event" "grep -qx 'XODD,2026-11-24T05:00:00Z,split,1.5,3,2' '$T/ev.csv'"
expect "fake events: no errors" "! cat '$T/fetch.err' '$T/norm.err' | grep -v ': info: '"
