#!/usr/bin/env python3
"""gen_bars: bars CSV of the fake provider's series, for tests.

    python3 tests/gen_bars.py SYMBOL INTERVAL START END [--drop TS]...

Writes the bars CSV (lib/bars.h) of SYMBOL's bars whose start lies in
[START, END) (ISO-8601 UTC dates or times) as tests/fake_yahoo.py serves them
(its NYSE calendar and prices), keyed as normalize-bars keys them: intraday
bars by their start, daily bars by 00:00 New York of their date.  Each
--drop TS (a key as written) leaves that bar out, to make a known hole.
The number of bars written goes to stderr as "N bars".
"""

import argparse
import datetime as dt
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fake_yahoo as fy  # noqa: E402


def epoch(s):
    if "T" not in s:
        s += "T00:00:00Z"
    return int(dt.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp())


def iso(t):
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def px(v):
    return ("%.4f" % v).rstrip("0").rstrip(".")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("symbol")
    ap.add_argument("interval")
    ap.add_argument("start")
    ap.add_argument("end")
    ap.add_argument("--drop", action="append", default=[])
    a = ap.parse_args()
    step = fy.INTERVALS[a.interval]
    drop = set(a.drop)
    out = sys.stdout
    out.write("symbol,interval,ts,open,high,low,close,adj_close,volume\n")
    n = 0
    for t in sorted(fy.bar_starts(a.interval, epoch(a.start), epoch(a.end))):
        key = t if step < fy.DAY else fy.ny_midnight(fy.ny_date(t))
        if iso(key) in drop:
            continue
        o, h, lo, c, v = fy.bar_values(a.symbol, a.interval, t, step)
        out.write("%s,%s,%s,%s,%s,%s,%s,%s,%d\n" % (
            a.symbol, a.interval, iso(key), px(o), px(h), px(lo), px(c),
            px(c), v))
        n += 1
    sys.stderr.write("%d bars\n" % n)


if __name__ == "__main__":
    main()
