# bars-report: table-driven checks of the text, CSV and JSON outputs and of
# the usage, input and database errors, on a database seeded by SQL with
# known holes: AAA 1d misses the week of 2026-11-16, CCC 5m misses
# 2026-11-25 and has half of 2026-11-24, BBB 1d is complete but revised
# once, ^GSPC is outside the calendar.  Thanksgiving (2026-11-26) is a
# holiday, never a hole.
. "$TOP/tests/lib.sh"
BR="$BIN/bars-report"
export BARS_NOW=2026-12-01T12:00:00Z   # a Tuesday before the open

for opt in --help -h; do
	check "bars-report $opt" 0 - - -- sh -c "'$BR' $opt | grep -q '^usage: bars-report'"
done
check "bars-report --version" 0 - - -- sh -c "'$BR' --version | grep -Eq '^bars-report [0-9]+\\.[0-9]+'"
# The long options as the source declares them.
sed -n 's/^[[:space:]]*{ "\([a-z-]*\)".*/\1/p' "$TOP/tools/bars-report.c" >"$T/opts"
expect "bars-report: options found in the source" "[ \$(wc -l <'$T/opts') -ge 14 ]"
"$BR" --help >"$T/help"
for o in $(cat "$T/opts"); do
	grep -q -- "--$o" "$T/help" || not_ok "bars-report --help lists --$o"
	grep -q -- "$(echo "$o" | sed 's/-/\\\\-/g')" "$TOP/man/bars-report.1" ||
		not_ok "bars-report man page documents --$o"
done
ok "bars-report --help and the man page list every option"
expect "bars-report man page has EXIT STATUS" \
	"grep -Eq '^\\.SH +\"?EXIT STATUS' '$TOP/man/bars-report.1'"

export DATABASE_URL=$(new_db report)
"$BIN/load-bars" --init 2>/dev/null
psql -qX "$DATABASE_URL" >/dev/null <<'SQL'
INSERT INTO load_runs (id, host, pid, target, started_at, finished_at, status, rows_in, inserted)
VALUES (1, 'h', 1, 'bars', '2026-11-30 21:59Z', '2026-11-30 22:00Z', 'ok', 10, 10),
       (2, 'h', 2, 'bars', '2026-12-01 11:00Z', '2026-12-01 11:01Z', 'failed', 5, 0);
INSERT INTO bars (symbol, interval, ts, open, high, low, close, adj_close, volume, loaded_at, run_id)
SELECT s, '1d', d::date::timestamp AT TIME ZONE 'America/New_York', 1, 1, 1, 1, 1, 1, '2026-11-30 22:00Z', 1
FROM (VALUES ('AAA'), ('BBB')) v(s), generate_series('2026-10-01'::date, '2026-11-30'::date, '1 day') d
WHERE extract(isodow FROM d) < 6 AND d::date <> '2026-11-26'
  AND NOT (s = 'AAA' AND d::date BETWEEN '2026-11-16' AND '2026-11-20');
INSERT INTO bars (symbol, interval, ts, open, high, low, close, adj_close, volume, loaded_at, run_id)
SELECT 'CCC', '5m', (day + time '09:30' + k * interval '5 min') AT TIME ZONE 'America/New_York',
       1, 1, 1, 1, 1, 1, '2026-11-30 22:00Z', 1
FROM (VALUES ('2026-11-23'::date, 78), ('2026-11-24', 40), ('2026-11-27', 42), ('2026-11-30', 78)) v(day, n),
     generate_series(0, n - 1) k;
INSERT INTO bars (symbol, interval, ts, open, high, low, close, adj_close, volume, loaded_at, run_id)
VALUES ('^GSPC', '1d', '2026-11-30 05:00Z', 1, 1, 1, 1, 1, 1, '2026-11-30 22:00Z', 1);
UPDATE bars SET close = 2 WHERE symbol = 'BBB' AND ts = '2026-11-30 05:00Z';
UPDATE bar_changes SET changed_at = '2026-11-20 22:00Z';  -- inside 61 days, not 3
SQL

printf '%s\n' symbol,interval,ts,open,high,low,close,adj_close,volume,reason \
	'CCC,5m,2026-11-25T15:00:00Z,1,1,1,1,1,1,high_low' 'CCC,5m,2026-11-25T15:05:00Z,1,1,1,1,1,1,high_low' \
	'BBB,1d,x,1,bad_field_count' >"$T/rejects.csv"
printf '%s\n' symbol,interval,start,end 'CCC,5m,2026-11-25T14:30:00Z,2026-11-25T21:00:00Z' \
	'DDD,1d,2026-11-01,2026-12-01' >"$T/failed.csv"
printf '%s\n' symbol,interval,ts 'CCC,5m,2026-11-24T18:50:00Z' >"$T/gaps.csv"
printf '%s\n' symbol,interval,start 'CCC,5m,2026-11-25' >"$T/badhdr.csv"
printf '%s\n' symbol,interval,start,end 'CCC,5m,2026-11-25,2026-11-26' 'C;C,5m,x,y' >"$T/badrow.csv"

# t NAME RC 'ARGS' <<END: expected stdout, then optionally "--- err" and a
# regex stderr must match.  ARGS are shell words.
t() {
	name=$1 rc=$2 args=$3
	awk -v d="$T" 'BEGIN { f = d "/want"; printf "" > f; printf "" > (d "/pat") }
		/^--- err$/ { f = d "/pat"; next } { print > f }' </dev/stdin
	eval "set -- $args"
	want="$T/want"
	[ -s "$want" ] || want=-
	check "$name" "$rc" - "$want" "$(cat "$T/pat")" -- "$BR" "$@"
}

t "text: worst first, holes as ranges, holiday not a hole" 0 '--days 61' <<'END'
sessions 2026-10-01 .. 2026-11-30 (last 61 days); 4 series; last ok load: run 1 at 2026-11-30 22:00Z
symbol   ivl     stored expected  cover miss part  rev  rej fail  first             last              loaded
AAA      1d          37       42  88.1%    5    0    0    0    0  2026-10-01 04:00Z 2026-11-30 05:00Z 2026-11-30 22:00Z
  missing 2026-11-16..2026-11-20
CCC      5m         238      354  67.2%    1    1    0    0    0  2026-11-23 14:30Z 2026-11-30 20:55Z 2026-11-30 22:00Z
  missing 2026-11-25
  partial 2026-11-24
BBB      1d          42       42 100.0%    0    0    1    0    0  2026-10-01 04:00Z 2026-11-30 05:00Z 2026-11-30 22:00Z
^GSPC    1d           1        -      -    0    0    0    0    0  2026-11-30 05:00Z 2026-11-30 05:00Z 2026-11-30 22:00Z
END

t "text: coverage strip, 13 weeks a line, H for the holiday" 0 '--days 61 --strip' <<'END'
sessions 2026-10-01 .. 2026-11-30 (last 61 days); 4 series; last ok load: run 1 at 2026-11-30 22:00Z
symbol   ivl     stored expected  cover miss part  rev  rej fail  first             last              loaded
AAA      1d          37       42  88.1%    5    0    0    0    0  2026-10-01 04:00Z 2026-11-30 05:00Z 2026-11-30 22:00Z
  missing 2026-11-16..2026-11-20
CCC      5m         238      354  67.2%    1    1    0    0    0  2026-11-23 14:30Z 2026-11-30 20:55Z 2026-11-30 22:00Z
  missing 2026-11-25
  partial 2026-11-24
BBB      1d          42       42 100.0%    0    0    1    0    0  2026-10-01 04:00Z 2026-11-30 05:00Z 2026-11-30 22:00Z
^GSPC    1d           1        -      -    0    0    0    0    0  2026-11-30 05:00Z 2026-11-30 05:00Z 2026-11-30 22:00Z

coverage: # stored, + partial, . missing, H holiday; one column per weekday
AAA 1d
  2026-09-28    ################################.....###H##
CCC 5m
  2026-09-28                                         #+.H##
BBB 1d
  2026-09-28    ########################################H##
END

t "csv: every column, ranges separated by spaces" 0 '--days 61 --format csv' <<'END'
symbol,interval,first,last,stored,expected,missing_sessions,partial_sessions,revised,rejected,failed_windows,gaps,last_load,last_run,missing,partial
AAA,1d,2026-10-01T04:00:00Z,2026-11-30T05:00:00Z,37,42,5,0,0,0,0,0,2026-11-30T22:00:00Z,1,2026-11-16..2026-11-20,
CCC,5m,2026-11-23T14:30:00Z,2026-11-30T20:55:00Z,238,354,1,1,0,0,0,0,2026-11-30T22:00:00Z,1,2026-11-25,2026-11-24
BBB,1d,2026-10-01T04:00:00Z,2026-11-30T05:00:00Z,42,42,0,0,1,0,0,0,2026-11-30T22:00:00Z,1,,
^GSPC,1d,2026-11-30T05:00:00Z,2026-11-30T05:00:00Z,1,,0,0,0,0,0,0,2026-11-30T22:00:00Z,1,,
END

t "csv: a short window judges only its sessions" 0 '--days 3 -f csv' <<'END'
symbol,interval,first,last,stored,expected,missing_sessions,partial_sessions,revised,rejected,failed_windows,gaps,last_load,last_run,missing,partial
AAA,1d,2026-10-01T04:00:00Z,2026-11-30T05:00:00Z,1,1,0,0,0,0,0,0,2026-11-30T22:00:00Z,1,,
BBB,1d,2026-10-01T04:00:00Z,2026-11-30T05:00:00Z,1,1,0,0,0,0,0,0,2026-11-30T22:00:00Z,1,,
CCC,5m,2026-11-23T14:30:00Z,2026-11-30T20:55:00Z,78,78,0,0,0,0,0,0,2026-11-30T22:00:00Z,1,,
^GSPC,1d,2026-11-30T05:00:00Z,2026-11-30T05:00:00Z,1,,0,0,0,0,0,0,2026-11-30T22:00:00Z,1,,
END

t "csv: run files counted per series; a failed symbol with no bar is missing" 0 \
	"--days 61 -f csv --rejects '$T/rejects.csv' --failed '$T/failed.csv' --gaps '$T/gaps.csv'" <<'END'
symbol,interval,first,last,stored,expected,missing_sessions,partial_sessions,revised,rejected,failed_windows,gaps,last_load,last_run,missing,partial
DDD,1d,,,0,42,42,0,0,0,1,0,,,2026-10-01..2026-11-30,
AAA,1d,2026-10-01T04:00:00Z,2026-11-30T05:00:00Z,37,42,5,0,0,0,0,0,2026-11-30T22:00:00Z,1,2026-11-16..2026-11-20,
CCC,5m,2026-11-23T14:30:00Z,2026-11-30T20:55:00Z,238,354,1,1,0,2,1,1,2026-11-30T22:00:00Z,1,2026-11-25,2026-11-24
BBB,1d,2026-10-01T04:00:00Z,2026-11-30T05:00:00Z,42,42,0,0,1,1,0,0,2026-11-30T22:00:00Z,1,,
^GSPC,1d,2026-11-30T05:00:00Z,2026-11-30T05:00:00Z,1,,0,0,0,0,0,0,2026-11-30T22:00:00Z,1,,
END

t "a run file with a bad header: reported, the rest written" 1 "--days 3 -f csv --failed '$T/badhdr.csv'" <<'END'
symbol,interval,first,last,stored,expected,missing_sessions,partial_sessions,revised,rejected,failed_windows,gaps,last_load,last_run,missing,partial
AAA,1d,2026-10-01T04:00:00Z,2026-11-30T05:00:00Z,1,1,0,0,0,0,0,0,2026-11-30T22:00:00Z,1,,
BBB,1d,2026-10-01T04:00:00Z,2026-11-30T05:00:00Z,1,1,0,0,0,0,0,0,2026-11-30T22:00:00Z,1,,
CCC,5m,2026-11-23T14:30:00Z,2026-11-30T20:55:00Z,78,78,0,0,0,0,0,0,2026-11-30T22:00:00Z,1,,
^GSPC,1d,2026-11-30T05:00:00Z,2026-11-30T05:00:00Z,1,,0,0,0,0,0,0,2026-11-30T22:00:00Z,1,,
--- err
badhdr.csv:1: 
END

t "a bad row in a run file names its line; the good rows count" 1 "--days 3 -f csv --failed '$T/badrow.csv'" <<'END'
symbol,interval,first,last,stored,expected,missing_sessions,partial_sessions,revised,rejected,failed_windows,gaps,last_load,last_run,missing,partial
CCC,5m,2026-11-23T14:30:00Z,2026-11-30T20:55:00Z,78,78,0,0,0,0,1,0,2026-11-30T22:00:00Z,1,,
AAA,1d,2026-10-01T04:00:00Z,2026-11-30T05:00:00Z,1,1,0,0,0,0,0,0,2026-11-30T22:00:00Z,1,,
BBB,1d,2026-10-01T04:00:00Z,2026-11-30T05:00:00Z,1,1,0,0,0,0,0,0,2026-11-30T22:00:00Z,1,,
^GSPC,1d,2026-11-30T05:00:00Z,2026-11-30T05:00:00Z,1,,0,0,0,0,0,0,2026-11-30T22:00:00Z,1,,
--- err
badrow.csv:3: 
END

t "usage: --days out of range" 2 '--days 0' <<'END'
--- err
^bars-report: --days: want 1 to 3660: 0
END
t "usage: unknown format" 2 '--format xml' <<'END'
--- err
^bars-report: --format: want text, csv or json: xml
END
t "usage: table must be an identifier" 2 "--table 'x;y'" <<'END'
--- err
want plain identifiers: x;y
END
t "usage: stray argument" 2 'extra' <<'END'
--- err
unexpected argument: extra
END
t "usage: unknown option" 2 '--no-such-option' <<'END'
--- err
^usage: bars-report
END
t "config error names the file" 2 "--config '$T/none.json'" <<'END'
--- err
^bars-report: config: .*none.json
END
t "html file that cannot be created" 2 "--html '$T/no/such/dir/page.html'" <<'END'
--- err
^bars-report: --html: .*page.html
END

check "json: one object per series, holes as ranges" 0 - - -- sh -c "
	'$BR' --days 61 -f json | jq -c 'select(.symbol == \"AAA\") | [.stored, .expected, .missing]' |
	grep -qxF '[37,42,[{\"from\":\"2026-11-16\",\"to\":\"2026-11-20\",\"sessions\":5}]]'"
check "json: unknown values are null" 0 - - -- sh -c "
	'$BR' --days 61 -f json | jq -e 'select(.symbol == \"^GSPC\") | .expected == null' >/dev/null"
"$BR" --days 61 --html "$T/page.html" --rejects "$T/rejects.csv" >/dev/null 2>&1
expect "html: the missing week is one rect" \
	"grep -q 'data-state=\"missing\" [^>]*data-series=\"AAA 1d\" data-from=\"2026-11-16\" data-to=\"2026-11-20\"' '$T/page.html'"
expect "html: the holiday is a column of its own" \
	"grep -q 'class=\"ho\" data-state=\"holiday\" data-day=\"2026-11-26\"' '$T/page.html'"
expect "html: the failed load run is shown" "grep -q 'class=\"failed\">failed<' '$T/page.html'"
expect "html: no connection string, socket, path, script or external address" \
	"! grep -Eo 'postgres|sock|$T|rejects.csv|<script|https?://[^\"]*\"' '$T/page.html' | grep -v 'http://www.w3.org/2000/svg\"'"
check "missing table reads as empty" 0 - - "" -- sh -c \
	"'$BR' --table nothing_here -f csv | grep -qx 'symbol,interval,first,.*,missing,partial'"
check "database unreachable" 3 - - "^bars-report: database: " -- \
	env DATABASE_URL="postgresql:///nope?host=$T/none" "$BR"

# Many series: counted on two connections, in halves; a hole in each half.
export DATABASE_URL=$(new_db many)
"$BIN/load-bars" --init 2>/dev/null
psql -qX "$DATABASE_URL" >/dev/null <<'SQL'
INSERT INTO bars (symbol, interval, ts, open, high, low, close, adj_close, volume)
SELECT 'M' || lpad(s::text, 3, '0'), '1d', d::date::timestamp AT TIME ZONE 'America/New_York', 1, 1, 1, 1, 1, 1
FROM generate_series(1, 80) s, generate_series('2026-11-02'::date, '2026-11-30'::date, '1 day') d
WHERE extract(isodow FROM d) < 6 AND d::date <> '2026-11-26'
  AND NOT (s IN (7, 77) AND d::date = '2026-11-18');
SQL
"$BR" --days 29 -f csv >"$T/many.csv" 2>"$T/many.err"
expect "many series: all 80 reported, the two holes first" \
	"[ \$(wc -l <'$T/many.csv') -eq 81 ] &&
	 sed -n 2,3p '$T/many.csv' | cut -d, -f1,5,6,7,15 | tr '\n' ' ' |
	 grep -qx 'M007,19,20,1,2026-11-18 M077,19,20,1,2026-11-18 ' &&
	 [ \$(grep -c ',20,20,0,0,' '$T/many.csv') -eq 78 ]"
