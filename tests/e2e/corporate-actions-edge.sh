# Corporate actions, the edges of a re-fetch (sched-run --once against the
# fake provider): a stored bar the provider no longer serves stops the mark,
# and load-bars says so with the DELETE that fixes it; after it the next run
# marks the series and nothing more is planned.  An intraday bar older than
# the provider's reach keeps its pre-split price, and load-bars says so.
. "$TOP/tests/lib.sh"
unset LOG_LEVEL
D=$(new_db edge)
start_fake --log "$T/requests.log" --now-file "$T/now" --split XSPL=2026-11-16:4:1
cat >"$T/c.json" <<'JSON'
{"tickers":["XSPL"],"timezone":"America/New_York","jobs":[
 {"name":"daily","interval":"1d","period":"1mo","schedule":"30 17 * * 1-5"},
 {"name":"intraday","interval":"5m","period":"5d","schedule":"30 17 * * 1-5"}]}
JSON
export BARS_STATE_DIR="$T/state"
mkdir -p "$BARS_STATE_DIR"
sql() { psql -XAt "$D" -c "$1" 2>&1; }
is() { [ "$2" = "$3" ] && ok "$1" || not_ok "$1" "got '$2', want '$3'"; }
# run NOW LOG: both jobs once at NOW
run() {
	echo "$1" >"$T/now"
	BARS_NOW=$1 DATABASE_URL=$D sched-run --once --no-api --lock-file "$T/lock" \
		--state-file "$T/sched.state" --log-file "$T/$2" "$T/c.json" >>"$T/run.out" 2>&1
}
stale() { DATABASE_URL=$D BARS_NOW=$1 sched-plan --config "$T/c.json" --only stale 2>/dev/null | tail -n +2 | cut -d, -f1,2 | tr '\n' ' '; }

run 2026-11-13T22:30:00Z before.log
r0=$(sql "SELECT max(id) FROM load_runs")
# A Saturday daily bar (the provider serves none) before the oldest stored
# one, and a 5m bar from long before the 60 days Yahoo serves.
sql "INSERT INTO bars (symbol, interval, ts, open, high, low, close, adj_close, volume)
	VALUES ('XSPL', '1d', '2026-10-03T04:00:00Z', 100, 101, 99, 100, 100, 1000),
	       ('XSPL', '5m', '2026-08-04T14:00:00Z', 100, 101, 99, 100, 100, 1000)" >/dev/null
is "setup: the runs before the split stored both series" \
	"$(sql "SELECT count(DISTINCT interval) FROM bars WHERE ts > '2026-11-01'")" 2

# The split's run: the re-fetch pass fetches XSPL 1d whole, but the
# Saturday bar is stored before the first bar the provider returns.
run 2026-11-16T22:30:00Z split.log
grep 'level=warn' "$T/split.log" >"$T/warn"
is "unserved: one warning, for XSPL 1d" "$(grep -c 'XSPL 1d' "$T/warn") $(wc -l <"$T/warn" | tr -d ' ')" "1 1"
expect "unserved: it names the stored bar and the run's first bar" \
	"grep -q '1 stored bar from 2026-10-03T04:00:00Z on is not served any more (this run.s fetch begins at 2026-10-05T04:00:00Z)' '$T/warn'"
expect "unserved: it says what to do" "grep -q 'delete it: DELETE FROM' '$T/warn'"
is "unserved: XSPL 1d is left stale (5m is marked)" "$(stale 2026-11-16T22:30:00Z)" "XSPL,1d "
is "unserved: XSPL 5m marked" \
	"$(sql "SELECT count(*) FROM bar_heads WHERE symbol = 'XSPL' AND interval = '5m' AND adjusted_snap IS NOT NULL")" 1
expect "pre-reach: the 5m bar before the reach keeps its pre-split price, and load-bars says so" \
	"grep 'level=info' '$T/split.log' | grep -q 'XSPL 5m: 1 bar before 2026-09-17T.*, beyond the 60 days of 5m history Yahoo serves, keeps the prices from before a split'"
is "pre-reach: that bar is unchanged" \
	"$(sql "SELECT close FROM bars WHERE symbol = 'XSPL' AND interval = '5m' AND ts = '2026-08-04T14:00:00Z'")" 100

# The DELETE as the warning prints it; the next run marks the series.
del=$(sed -n 's/.*delete it: \(DELETE FROM .*\)"$/\1/p' "$T/warn" | sed 's/\\"/"/g')
is "fix: the suggested DELETE removes the one bar" "$(sql "$del")" "DELETE 1"
is "fix: bar_heads keeps its head" \
	"$(sql "SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD') FROM bar_heads WHERE symbol = 'XSPL' AND interval = '1d'")" 2026-11-16
run 2026-11-17T22:30:00Z next.log
expect "fix: no warning any more" "! grep -q 'level=warn' '$T/next.log'"
is "fix: XSPL 1d marked fetched whole" \
	"$(sql "SELECT count(*) FROM bar_heads WHERE symbol = 'XSPL' AND adjusted_snap IS NOT NULL")" 2
is "fix: nothing stale is planned" "$(stale 2026-11-17T22:30:00Z)" ""
# Rows the split left as they were would still carry a run from before it.
is "fix: every XSPL 1d bar before the split was rewritten (24 revised by 4:1, 6 first loaded since)" \
	"$(sql "SELECT count(*) FILTER (WHERE run_id <= $r0), count(*) FILTER (WHERE EXISTS (SELECT 1
		FROM bar_changes c WHERE c.symbol = b.symbol AND c.interval = b.interval AND c.ts = b.ts
		AND abs(c.new_close * 4 / c.old_close - 1) < 1e-6)), count(*)
		FROM bars b WHERE symbol = 'XSPL' AND interval = '1d' AND ts < '2026-11-16T05:00:00Z'")" "0|24|30"
