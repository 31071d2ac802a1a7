# Stooq daily CSV adapter for normalize-bars(1).
#
# Input: one envelope whose body is the CSV text as a JSON string
# ("Date,Open,High,Low,Close[,Volume]", or the Polish headers).  Output rows
# as in yahoo.jq, except that B rows carry the trading date (YYYY-MM-DD)
# instead of an epoch and end with the body line number:
#   H  symbol interval start end fetched_at status timezone ""
#   X  code description
#   B  date open high low close "" volume line
# A body whose first line is not a CSV header (an HTML proof-of-work page,
# "No data") is an X row, never parsed.  Volume is empty when the file has
# no Volume column.  Stooq names carry no time zone: it comes from the
# envelope's "timezone", else the symbol's market suffix, else UTC.

def stooq_zones:
  { "US": "America/New_York", "UK": "Europe/London", "DE": "Europe/Berlin",
    "JP": "Asia/Tokyo", "HK": "Asia/Hong_Kong", "HU": "Europe/Budapest",
    "PL": "Europe/Warsaw", "F": "Europe/Berlin" };

def stooq_tz:
  .timezone // ((.symbol // "") | ascii_upcase | split(".")
               | if length > 1 then stooq_zones[.[-1]] else null end)
  // "UTC";

def stooq_cols:
  { "date": "d", "data": "d", "open": "o", "otwarcie": "o", "high": "h",
    "najwyzszy": "h", "low": "l", "najnizszy": "l", "close": "c",
    "zamkniecie": "c", "volume": "v", "wolumen": "v" };

def stooq_cell: if type == "object" or type == "array" or type == "boolean" then tojson else . end;

def rows($events):
  ((.status // 200) | tonumber? // 0) as $st
  | (["H", .symbol, (.interval // "1d"), .start, .end, .fetched_at, $st, stooq_tz, null]
     | map(stooq_cell) | @tsv),
    (.body as $b
     | if ($b | type) != "string" then ["X", "not CSV", "body is not text"] | @tsv
       else ($b | split("\n") | map(rtrimstr("\r"))) as $lines
       | ($lines[0] | ascii_downcase | split(",")) as $head
       | (reduce range(0; $head | length) as $i ({}; . + {(stooq_cols[$head[$i]] // "?"): $i})) as $ix
       | if $st >= 400 then ["X", "HTTP \($st)", $lines[0][:200]] | @tsv
         elif ($ix | has("d") and has("o") and has("h") and has("l") and has("c")) | not then
           ["X", "not CSV", "first line is not a Date,Open,High,Low,Close header: \($lines[0][:80])"] | @tsv
         else range(1; $lines | length) as $n
           | select($lines[$n] != "")
           | ($lines[$n] | split(",")) as $f
           | ["B", $f[$ix.d], $f[$ix.o], $f[$ix.h], $f[$ix.l], $f[$ix.c], null,
              (if $ix.v then $f[$ix.v] // "" else null end), $n + 1] | @tsv
         end
       end);
