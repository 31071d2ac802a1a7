# Yahoo chart adapter for normalize-bars(1).
#
# Input: one fetch-bars envelope {symbol, interval, start, end, provider,
# status, fetched_at, body: <chart JSON>}.  Output: tab-separated rows that
# the C side canonicalises (see normalize-bars.c, "adapter rows"):
#   H  symbol interval start end fetched_at status timezone regularMarketTime
#   X  code description                      (provider error, response skipped)
#   V  date kind amount numerator denominator     (events, when $events)
#   B  ts open high low close adj_close volume   (one per bar, as sent)
# Events come before the bars of their response: normalize-bars writes them
# to its events file before the bars they explain reach validate-bars.
# Nulls become empty fields.  A null volume on a bar with prices is 0.

def yahoo_cell: if type == "object" or type == "array" or type == "boolean" then tojson else . end;

def yahoo_status: (.status // 200) | (tonumber? // 0);

def yahoo_error($c):
  if yahoo_status >= 400 or ($c | type) != "object" then
    ["X",
     ($c.error.code? // "HTTP \(.status // "?")"),
     ($c.error.description? //
       (.body | if type == "string" then split("\n")[0][:200] else "no chart in response" end))]
  elif $c.error != null then
    ["X", ($c.error.code // "error" | yahoo_cell), ($c.error.description // "" | yahoo_cell)]
  elif ($c.result | type) != "array" or ($c.result | length) == 0 then
    ["X", "no result", "chart.result is empty"]
  else empty end;

def yahoo_bars($r):
  ($r.timestamp // []) as $t
  | ($r.indicators.quote[0] // {}) as $q
  | ($q.open // []) as $o | ($q.high // []) as $h | ($q.low // []) as $l
  | ($q.close // []) as $c | ($q.volume // []) as $v
  | ($r.indicators.adjclose[0].adjclose // []) as $a
  | range(0; $t | length) as $i
  | ["B", $t[$i], $o[$i], $h[$i], $l[$i], $c[$i], $a[$i],
     (if $v[$i] == null and $c[$i] != null then 0 else $v[$i] end)]
  | @tsv;

def yahoo_events($r):
  ($r.events // {}) as $ev
  | [ ($ev.dividends // {} | .[] | [.date, "dividend", .amount, null, null]),
      ($ev.splits // {} | .[] | [.date, "split", null, .numerator, .denominator]),
      ($ev.capitalGains // {} | .[] | [.date, "capital_gain", .amount, null, null]) ]
  | sort_by(.[0], .[1])[]
  | ["V"] + . | @tsv;

def rows($events):
  (.body | if type == "object" then .chart else null end) as $c
  | ($c.result[0]? // {}) as $r
  | ($r.meta // {}) as $m
  | (["H", (.symbol // $m.symbol), (.interval // $m.dataGranularity), .start, .end,
      .fetched_at, yahoo_status, $m.exchangeTimezoneName, $m.regularMarketTime]
     | map(yahoo_cell) | @tsv),
    ([yahoo_error($c)] | if length > 0 then .[0] | map(yahoo_cell) | @tsv
     else (if $events then yahoo_events($r) else empty end), yahoo_bars($r) end);
