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

# --- The adjusted view (bars_adjusted, a migration of each bars table):
#     factors from corporate_actions and the stored closes. ---
export DATABASE_URL=$(new_db adj)
LB=$BIN/load-bars
sql() { psql -XAt "$DATABASE_URL" -c "$1" 2>&1; }
"$LB" --init 2>/dev/null
HB=symbol,interval,ts,open,high,low,close,adj_close,volume
HE=symbol,ts,kind,value,numerator,denominator

# A hand-computed series: a 2:1 split on day 3, a dividend of 1 on day 4
# after a close of 50: before day 3 prices double as traded, and every bar
# before day 4 gets 1 - 1/50 = 0.98.
printf '%s\n' "$HB" \
	'XHAND,1d,2026-11-16T05:00:00Z,100,100,100,100,100,1000' \
	'XHAND,1d,2026-11-17T05:00:00Z,102,102,102,102,102,1000' \
	'XHAND,1d,2026-11-18T05:00:00Z,50,50,50,50,50,2000' \
	'XHAND,1d,2026-11-19T05:00:00Z,51,51,51,51,51,2000' | "$LB" 2>/dev/null
printf '%s\n' "$HE" 'XHAND,2026-11-18T05:00:00Z,split,2,2,1' \
	'XHAND,2026-11-19T05:00:00Z,dividend,1,,' >"$T/hand-ev.csv"
"$LB" --events "$T/hand-ev.csv" 2>/dev/null
sql_is "adjusted view: hand-computed factors, raw and adjusted closes" \
	"2 0.98 200 98 500|2 0.98 204 99.96 500|1 0.98 50 49 2000|1 1 51 51 2000" \
	"SELECT string_agg(concat_ws(' ', round(split_factor::numeric, 9)::float8,
		round(dividend_factor::numeric, 9)::float8, round(raw_close::numeric, 9)::float8,
		round(adjusted_close::numeric, 9)::float8, raw_volume), '|' ORDER BY ts)
	 FROM bars_adjusted WHERE symbol = 'XHAND'"
sql_is "adjusted view: one per bars table" "other_bars_adjusted" \
	"$("$LB" --init --table other_bars 2>&1 >/dev/null; echo "SELECT string_agg(viewname, ',') FROM pg_views WHERE viewname LIKE 'other%'")"

# The fake provider's history as of 2026-11-30 with its split and two
# dividends, loaded as the pipeline loads it: the view's adjusted_close is
# the provider's adj_close, its raw_close what traded before the split.
echo 2026-11-30T22:00:00Z >"$T/now"
printf '%s\n%s\n' "$H" 'XSPL,1d,2026-11-10,2026-12-01' | BARS_NOW=2026-11-30T22:00:00Z "$BIN/fetch-bars" 2>/dev/null |
	BARS_NOW=2026-11-30T22:00:00Z "$BIN/normalize-bars" --events "$T/xspl-ev.csv" 2>/dev/null | "$LB" 2>/dev/null
"$LB" --events "$T/xspl-ev.csv" 2>/dev/null
sql_is "adjusted view: equals the provider's adj_close (14 bars, 1e-6)" "14 0" \
	"SELECT count(*) || ' ' || count(*) FILTER (WHERE abs(adjusted_close / adj_close - 1) > 1e-6)
	 FROM bars_adjusted WHERE symbol = 'XSPL'"
sql_is "adjusted view: raw_close before the split is the close as traded" "0" \
	"SELECT count(*) FROM bars_adjusted WHERE symbol = 'XSPL' AND ts < '2026-11-23T05:00:00Z'
	 AND abs(raw_close / (close * 4) - 1) > 1e-12"
sql_is "adjusted view: adjusted/raw steps by 1/4 at the split" "0.25" \
	"SELECT round(((SELECT adjusted_close / raw_close FROM bars_adjusted WHERE symbol = 'XSPL' AND ts = '2026-11-20T05:00:00Z')
	 / (SELECT adjusted_close / raw_close FROM bars_adjusted WHERE symbol = 'XSPL' AND ts = '2026-11-23T05:00:00Z'))::numeric, 9)::float8"

# The real Yahoo fixtures with events.  Yahoo's adj_close / close carries the
# dividends paid after each file's window too, so what must hold is the step:
# (adj_close / close) / dividend_factor is the same on every bar (1e-6: Yahoo
# rounds each adjclose to float32).
Y="$FIXTURES/yahoo"
load_fixture() { # SYMBOL FILE-PREFIX
	f=$(ls "$Y/$2"*.json 2>/dev/null | head -1)
	[ -n "$f" ] || return 1
	"$BIN/normalize-bars" --provider yahoo --symbol "$1" --fetched-at 2026-01-01T00:00:00Z \
		--events "$T/$1-ev.csv" "$f" 2>/dev/null | "$LB" 2>/dev/null &&
		"$LB" --events "$T/$1-ev.csv" 2>/dev/null
}
# drift SYMBOL: largest departure of (adj_close/close)/dividend_factor from its last value
drift() {
	sql "WITH r AS (SELECT ts, (adj_close / close) / dividend_factor AS k FROM bars_adjusted
		WHERE symbol = '$1')
	 SELECT CASE WHEN max(abs(k / (SELECT k FROM r ORDER BY ts DESC LIMIT 1) - 1)) <= 1e-6
		THEN 'steps agree' ELSE 'drift ' || max(abs(k / (SELECT k FROM r ORDER BY ts DESC LIMIT 1) - 1)) END FROM r"
}
# stepgap SYMBOL UNTIL TOLERANCE: whether the largest difference between Yahoo's step and the
# view's from one bar to the next
stepgap() {
	sql "WITH r AS (SELECT ts, adj_close / close AS q, dividend_factor AS f,
		lag(adj_close / close) OVER (ORDER BY ts) AS q0, lag(dividend_factor) OVER (ORDER BY ts) AS f0
		FROM bars_adjusted WHERE symbol = '$1' AND close > 0 AND adj_close > 0 AND ts <= '$2')
	 SELECT CASE WHEN max(abs((q0 / q) / (f0 / f) - 1)) < $3 THEN 'steps agree'
		ELSE 'gap ' || max(abs((q0 / q) / (f0 / f) - 1)) END FROM r"
}
steps() { # SYMBOL: ex-dates where Yahoo's ratio steps by more than 1e-6
	sql "WITH r AS (SELECT ts, adj_close / close AS q, lag(adj_close / close) OVER (ORDER BY ts) AS q0
		FROM bars WHERE symbol = '$1') SELECT count(*) FROM r WHERE abs(q0 / q - 1) > 1e-6"
}
is() { [ "$2" = "$3" ] && ok "$1" || not_ok "$1" "got '$2', want '$3'"; }
if load_fixture AAPL AAPL-1d-2020; then
	is "adjusted view: AAPL 2020 dividend step is Yahoo's" "$(drift AAPL)" "steps agree"
	is "adjusted view: AAPL 2020 Yahoo steps once (2020-11-06)" "$(steps AAPL)" 1
	is "adjusted view: AAPL 2020 split 4:1 on 2020-08-31 is before the window" \
		"$(sql "SELECT count(*) FROM bars_adjusted WHERE symbol = 'AAPL' AND split_factor <> 1")" 0
else skip "adjusted view: AAPL 2020" "fixture AAPL-1d-2020 absent"; fi
if load_fixture MSFT MSFT-1d-2021; then
	is "adjusted view: MSFT 2021 four dividend steps are Yahoo's" "$(drift MSFT)" "steps agree"
	is "adjusted view: MSFT 2021 Yahoo steps four times" "$(steps MSFT)" 4
else skip "adjusted view: MSFT 2021" "fixture MSFT-1d-2021 absent"; fi
if load_fixture NVDA NVDA-1d-2021; then
	# Yahoo adjusts close and adjclose alike for a split: its ratio does not
	# step there; the view's raw series does, by the ratio.
	is "adjusted view: NVDA Yahoo's ratio does not step at the 2021-07-20 split" \
		"$(sql "SELECT abs((SELECT adj_close / close FROM bars WHERE symbol = 'NVDA' AND ts = '2021-07-19T04:00:00Z')
			/ (SELECT adj_close / close FROM bars WHERE symbol = 'NVDA' AND ts = '2021-07-20T04:00:00Z') - 1) < 1e-6")" t
	is "adjusted view: NVDA raw/close steps from 4 to 1 at the split" \
		"$(sql "SELECT string_agg(split_factor::text, ' ' ORDER BY ts) FROM bars_adjusted
			WHERE symbol = 'NVDA' AND ts BETWEEN '2021-07-16' AND '2021-07-22'")" "4 4 1 1"
else skip "adjusted view: NVDA 2021" "fixture NVDA-1d-2021 absent"; fi
if load_fixture VFINX VFINX-3mo; then
	# 3mo bars: the previous close the view has is the quarter's, not the
	# session before the ex-date, so the steps agree to 0.2%; capital gains
	# count like dividends.  The file's events stop after 2020-09 (one more
	# in 2025), so the check ends there.
	is "adjusted view: VFINX 3mo steps (dividends and capital gains) within 0.2%" \
		"$(stepgap VFINX 2020-10-01 0.002)" "steps agree"
	is "adjusted view: VFINX capital gains are counted" \
		"$(sql "SELECT count(*) FROM corporate_actions WHERE symbol = 'VFINX' AND kind = 'capital_gain'")" 21
else skip "adjusted view: VFINX" "fixture VFINX-3mo absent"; fi
