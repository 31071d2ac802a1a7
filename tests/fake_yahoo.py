#!/usr/bin/env python3
"""fake_yahoo: a local stand-in for the Yahoo chart API, for tests and demos.

    python3 tests/fake_yahoo.py --port-file FILE [--port N]
        [--fixture SYMBOL=PATH]... [--fault SYMBOL=KIND[:N]]...
        [--latency MS] [--rate-limit RPS] [--log FILE] [--conn-log FILE]
        [--no-limits] [--block-bot-ua]
        [--jitter MS] [--rate-limit-per-addr RPS] [--addr-log FILE]
        [--split SYM=DATE:N:M]... [--dividend SYM=DATE:AMOUNT]... [--now-file FILE]

Serves GET /v8/finance/chart/<SYMBOL>?period1=&period2=&interval=... on
127.0.0.1 only (python3 standard library, one thread per connection, HTTP/1.1
keep-alive).  The port is written to --port-file once listening (--port 0,
the default, picks a free one).

Generated data (any symbol, deterministic):
  * Intraday bars only inside NYSE regular sessions: 09:30-16:00
    America/New_York on weekdays, no bars on NYSE full holidays and one-off
    closures, sessions end at 13:00 (14:00 before 1993) on early-close days
    (the rules with their years, as lib/cal.c; see nyse_year()).
  * 1d bars are stamped 09:30 ET like Yahoo, 5d bars 09:30 ET of the first
    trading day of each week; 1wk bars at Monday 00:00
    ET, 1mo/3mo at 00:00 ET of the first day of the month/quarter.
  * Bars whose start lies in [period1, period2) and before "now"; "now" is
    BARS_NOW (ISO-8601 UTC or epoch seconds) or the real clock.  When now is
    inside a session, the unaligned live bar is appended at
    timestamp == meta.regularMarketTime == now, as Yahoo does.
  * Prices are a pure function of (symbol, timestamp, interval): the same
    bar has the same values in any window.  Values are float32 widened to
    double like Yahoo's; low <= min(open, close), high >= max(open, close);
    volume is an integer.  adjclose is present for 1d and longer.
  * No bars at all: no "timestamp" key and "quote":[{}] (Yahoo's form).
  * Provider limits (disable with --no-limits): 1m windows longer than 8
    days, 1m older than 30 days, 2m-90m older than 60 days and 60m/1h older
    than 730 days (one day of slack each) answer 422 like Yahoo.
  * Unknown symbols ("NOSUCH", anything starting with "ZZNOT") answer 404
    {"chart":{"result":null,"error":{"code":"Not Found",...}}}.

--fixture SYMBOL=PATH  serve PATH's bytes as-is for SYMBOL; the status is 404
    when the file name starts with ERROR-404, 400 for ERROR-400, else 200.
--fault SYMBOL=KIND[:N]  the first N requests for SYMBOL (default: all) get
    KIND instead of the normal answer (KIND:+N: every request after the first N):
      429      plain text "Edge: Too Many Requests"
      429ra    the same with "Retry-After: 1"
      503      plain text "Service Unavailable"
      reset    the connection is closed (RST) without any response
      drip     headers at once, then the body 1 byte per 0.5 s
      truncate Content-Length larger than the body, then close
      badjson  200 with a body that is not JSON
      err200   200 whose body is a Yahoo error envelope
      404      Yahoo "Not Found" error JSON
      422      Yahoo "Unprocessable Entity" error JSON (range error)
      400      Yahoo "Bad Request" error JSON (data doesn't exist)
    SYMBOL "*" applies to every symbol (counted per symbol).
--latency MS   delay every response by MS milliseconds.
--rate-limit RPS  answer 429 (Edge text) to requests beyond RPS served in
    the last rolling second (server-wide).
--log FILE     append "PATH STATUS" per request (STATUS is "reset" or
    "drip" for those faults) so tests can count requests.
--conn-log FILE  append "HOST:PORT" per accepted connection, so tests can
    see keep-alive and connection reuse.
--split SYMBOL=YYYY-MM-DD:N:M  an N:M split of SYMBOL with that ex-date,
    known from 00:00 New York of that date on (see "splits and dividends").
--dividend SYMBOL=YYYY-MM-DD:AMOUNT  a dividend (per share as traded on the
    ex-date), the same way.  History is served as Yahoo serves it as of the
    request time: OHLC split-adjusted, adjclose split- and
    dividend-adjusted, events in events.dividends / events.splits.
--now-file FILE  the request time ("now") is FILE's content (ISO-8601 UTC
    or epoch seconds) when it exists and is not empty, else BARS_NOW, else
    the clock; a test moves time without restarting the server.
--block-bot-ua answer 429 when User-Agent is missing or starts with "curl/",
    "python" or "libcurl" (Yahoo blocks non-browser clients).
--jitter MS    delay every response by a further random 0..MS milliseconds,
    so responses complete in another order than requested.
--rate-limit-per-addr RPS  answer 429 (Edge text) to requests beyond RPS
    served in the last rolling second from the same source address (Yahoo
    limits per address; clients may bind 127.0.0.2-127.0.0.254 as sources).
--addr-log FILE  append "ADDR STATUS PATH" per response, ADDR the client's
    source address, so tests can see how requests spread over addresses.
"""

import argparse
import datetime as dt
import functools
import gzip
import hashlib
import json
import math
import os
import random
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

NY = ZoneInfo("America/New_York")
DAY = 86400

INTERVALS = {
    "1m": 60, "2m": 120, "5m": 300, "15m": 900, "30m": 1800, "60m": 3600,
    "90m": 5400, "1h": 3600, "1d": DAY, "5d": 5 * DAY, "1wk": 7 * DAY,
    "1mo": 31 * DAY, "3mo": 92 * DAY,
}
# Look-back limits in days (Yahoo); 1m also has an 8-day per-request cap.
HISTORY_DAYS = {"1m": 30, "2m": 60, "5m": 60, "15m": 60, "30m": 60,
                "90m": 60, "60m": 730, "1h": 730}

EDGE_429 = b"Edge: Too Many Requests"
NOT_FOUND = {"chart": {"result": None, "error": {
    "code": "Not Found",
    "description": "No data found, symbol may be delisted"}}}


# ---------------------------------------------------------------- calendar

def nth_weekday(year, month, weekday, n):
    """n-th (1-based) weekday (Mon=0) of a month; n=-1 for the last."""
    if n > 0:
        d = dt.date(year, month, 1)
        d += dt.timedelta((weekday - d.weekday()) % 7)
        return d + dt.timedelta(7 * (n - 1))
    d = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(1)
    return d - dt.timedelta((d.weekday() - weekday) % 7)


def observed(d, saturday_to_friday=True):
    if d.weekday() == 5:
        return d - dt.timedelta(1) if saturday_to_friday else None
    if d.weekday() == 6:
        return d + dt.timedelta(1)
    return d


def easter(y):
    """Gregorian Easter Sunday (anonymous algorithm)."""
    a, b, c = y % 19, y // 100, y % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    day = (h + l_ - 7 * m + 114) % 31 + 1
    return dt.date(y, month, day)


_hol_cache = {}

# One-off days of NYSE since 1971 (exchange_calendars us_holidays.py and
# exchange_calendar_xnys.py): None closed all day, else the close hour.
NYSE_ONE_OFFS = {
    dt.date(1972, 12, 28): None, dt.date(1973, 1, 25): None,
    dt.date(1977, 7, 14): None, dt.date(1985, 9, 27): None,
    dt.date(1994, 4, 27): None, dt.date(1997, 12, 26): 13,
    dt.date(1999, 12, 31): 13, dt.date(2001, 9, 11): None,
    dt.date(2001, 9, 12): None, dt.date(2001, 9, 13): None,
    dt.date(2001, 9, 14): None, dt.date(2003, 12, 26): 13,
    dt.date(2004, 6, 11): None, dt.date(2007, 1, 2): None,
    dt.date(2012, 10, 29): None, dt.date(2012, 10, 30): None,
    dt.date(2018, 12, 5): None, dt.date(2025, 1, 9): None,
}


def nyse_year(y):
    """(full holidays, {early-close day: close hour}) of NYSE for year y,
    the rules with their start and end years (complete from 1971)."""
    full = set()
    # New Year's Day: Sunday -> Monday; on a Saturday not observed.
    ny = observed(dt.date(y, 1, 1), saturday_to_friday=False)
    if ny:
        full.add(ny)
    if y >= 1998:
        full.add(nth_weekday(y, 1, 0, 3))          # MLK Day
    full.add(nth_weekday(y, 2, 0, 3))              # Presidents' Day
    full.add(easter(y) - dt.timedelta(2))          # Good Friday
    full.add(nth_weekday(y, 5, 0, -1))             # Memorial Day
    if y >= 2022:
        full.add(observed(dt.date(y, 6, 19)))      # Juneteenth
    full.add(observed(dt.date(y, 7, 4)))           # Independence Day
    full.add(nth_weekday(y, 9, 0, 1))              # Labor Day
    if 1968 <= y <= 1980 and y % 4 == 0:           # Election Day
        full.add(nth_weekday(y, 11, 1, 1) +
                 dt.timedelta(7 if nth_weekday(y, 11, 1, 1).day == 1 else 0))
    thanks = nth_weekday(y, 11, 3, 4)              # Thanksgiving
    full.add(thanks)
    full.add(observed(dt.date(y, 12, 25)))         # Christmas
    early = {}
    j3, j5 = dt.date(y, 7, 3), dt.date(y, 7, 5)
    if y >= 1995 and (j3.weekday() in (0, 1, 3) or
                      (j3.weekday() == 2 and y >= 2013)):
        early[j3] = 13
    if 1995 <= y <= 2012 and j5.weekday() == 4:
        early[j5] = 13
    if y >= 1992:
        early[thanks + dt.timedelta(1)] = 13 if y >= 1993 else 14
    ce = dt.date(y, 12, 24)
    if ce.weekday() <= 3:
        early[ce] = 13 if y >= 1993 else 14
    for d, hour in NYSE_ONE_OFFS.items():
        if d.year == y and hour is None:
            full.add(d)
        elif d.year == y:
            early[d] = hour
    return full, {d: h for d, h in early.items() if d not in full}


def holidays(y):
    """(full holidays, {early-close day: close hour}) of NYSE for year y."""
    if y not in _hol_cache:
        _hol_cache[y] = nyse_year(y)
    return _hol_cache[y]


@functools.lru_cache(maxsize=65536)
def session(d):
    """(open, close) epoch seconds of the regular session on date d, or None."""
    if d.weekday() >= 5:
        return None
    full, early = holidays(d.year)
    if d in full:
        return None
    o = dt.datetime(d.year, d.month, d.day, 9, 30, tzinfo=NY).timestamp()
    ch = early.get(d, 16)
    c = dt.datetime(d.year, d.month, d.day, ch, 0, tzinfo=NY).timestamp()
    return int(o), int(c)


def ny_date(t):
    return dt.datetime.fromtimestamp(t, NY).date()


def ny_midnight(d):
    return int(dt.datetime(d.year, d.month, d.day, tzinfo=NY).timestamp())


def trading_days(t0, t1):
    """Trading dates whose local date lies within [t0, t1] (inclusive)."""
    d, end = ny_date(t0), ny_date(t1)
    while d <= end:
        if session(d):
            yield d
        d += dt.timedelta(1)


# ------------------------------------------------------------------ prices

def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def h01(*parts):
    """A deterministic number in [0, 1) from the parts."""
    s = "\0".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.sha256(s).digest()[:8], "big") / 2.0 ** 64


WAVES = ((97 * DAY, 0.12), (23 * DAY, 0.05), (5 * DAY, 0.02),
         (DAY / 3, 0.006))


@functools.lru_cache(maxsize=4096)
def sym_params(sym):
    """(base price, wave phases) of a symbol."""
    return (20 + 480 * h01(sym, "base"),
            tuple(2 * math.pi * h01(sym, "phase", k)
                  for k in range(len(WAVES))))


def level(sym, t):
    """Smooth price level: a sum of slow waves; a pure function of t."""
    base, phases = sym_params(sym)
    x = 0.0
    for (period, amp), ph in zip(WAVES, phases):
        x += amp * math.sin(2 * math.pi * t / period + ph)
    return base * math.exp(x)


def bar_values(sym, ivl, t, step):
    """(open, high, low, close, volume) for the bar starting at t."""
    o = level(sym, t) * (1 + 0.002 * (h01(sym, ivl, t, "o") - 0.5))
    c = level(sym, t + step) * (1 + 0.002 * (h01(sym, ivl, t, "c") - 0.5))
    dec = 2 if o >= 1 else 4
    o, c = round(o, dec), round(c, dec)
    hi = round(max(o, c) * (1 + 0.003 * h01(sym, ivl, t, "h")), dec)
    lo = round(min(o, c) * (1 - 0.003 * h01(sym, ivl, t, "l")), dec)
    hi, lo = max(hi, o, c), min(lo, o, c)
    vol = int(1000 + (step / 60) * 5000 * h01(sym, ivl, t, "v"))
    return f32(o), f32(hi), f32(lo), f32(c), vol


# -------------------------------------------------------------------- bars

def bar_starts(ivl, p1, p2):
    """Aligned bar starts in [p1, p2) for interval ivl (unsorted ok)."""
    step = INTERVALS[ivl]
    out = []
    lo, hi = p1 - 100 * DAY, p2 + DAY
    if step < DAY:
        for d in trading_days(max(p1 - DAY, lo), hi):
            o, c = session(d)
            t = o
            while t < c:
                if p1 <= t < p2:
                    out.append(t)
                t += step
        return out
    days = list(trading_days(p1 - 400 * DAY if step > 5 * DAY else lo, hi))
    if ivl == "1d":
        cand = [session(d)[0] for d in days]
    elif ivl == "5d":
        # first trading day of each week, 09:30 ET
        first = {}
        for d in days:
            first.setdefault(d.isocalendar()[:2], d)
        cand = sorted(session(d)[0] for d in first.values())
    elif ivl == "1wk":
        cand = sorted({ny_midnight(d - dt.timedelta(d.weekday()))
                       for d in days})
    else:
        months = 1 if ivl == "1mo" else 3
        cand = sorted({ny_midnight(dt.date(d.year,
                                           (d.month - 1) // months * months + 1,
                                           1)) for d in days})
    return [t for t in cand if p1 <= t < p2]


def now_epoch():
    v = now_from_file() or os.environ.get("BARS_NOW")
    if not v:
        return int(time.time())
    if v.lstrip("-").isdigit():
        return int(v)
    v = v.replace("Z", "+00:00")
    if "T" not in v:
        v += "T00:00:00+00:00"
    return int(dt.datetime.fromisoformat(v).timestamp())


def current_session(now):
    s = session(ny_date(now))
    if s and s[0] <= now < s[1]:
        return s
    return None


def last_close(now):
    d = ny_date(now)
    for _ in range(30):
        s = session(d)
        if s and s[1] <= now:
            return s[1]
        d -= dt.timedelta(1)
    return now


def tz_abbrev(t):
    x = dt.datetime.fromtimestamp(t, NY)
    return x.tzname(), int(x.utcoffset().total_seconds())


def trading_period(s):
    name, off = tz_abbrev(s[0])
    return {"timezone": name, "start": s[0], "end": s[1], "gmtoffset": off}


def chart(sym, ivl, p1, p2, now):
    step = INTERVALS[ivl]
    ts = [t for t in bar_starts(ivl, p1, p2) if t < now]
    ts.sort()
    live = current_session(now)
    if live and p1 <= now and (not ts or ts[-1] < now) and p2 > now - step:
        ts.append(now)
    q = {"open": [], "high": [], "low": [], "close": [], "volume": []}
    for t in ts:
        if t == now and live:
            al = live[0] + (now - live[0]) // step * step if step < DAY \
                else live[0]
            o, h, lo, c, v = bar_values(sym, ivl, al, step)
            c = f32(round(level(sym, now), 2))
            h, lo = max(h, c), min(lo, c)
        else:
            o, h, lo, c, v = bar_values(sym, ivl, t, step)
        q["open"].append(o)
        q["high"].append(h)
        q["low"].append(lo)
        q["close"].append(c)
        q["volume"].append(v)
    rmt = now if live else last_close(now)
    tzname, off = tz_abbrev(now)
    price = f32(round(level(sym, rmt), 2))
    d = ny_date(now)
    cur = None
    for _ in range(10):
        cur = session(d)
        if cur:
            break
        d += dt.timedelta(1)
    pre = (ny_midnight(d) + 4 * 3600, cur[0])
    post = (cur[1], ny_midnight(d) + 20 * 3600)
    meta = {
        "currency": "USD", "symbol": sym, "exchangeName": "NMS",
        "fullExchangeName": "NasdaqGS", "instrumentType": "EQUITY",
        "firstTradeDate": 345479400, "regularMarketTime": rmt,
        "hasPrePostMarketData": True, "gmtoffset": off, "timezone": tzname,
        "exchangeTimezoneName": "America/New_York",
        "regularMarketPrice": price,
        "longName": sym + " Test Corp.", "shortName": sym + " Test",
        "chartPreviousClose": q["close"][0] if q["close"] else price,
        "priceHint": 2,
        "currentTradingPeriod": {
            "pre": trading_period(pre), "regular": trading_period(cur),
            "post": trading_period(post)},
    }
    if step < DAY:
        days = sorted({ny_date(t) for t in ts})
        meta["tradingPeriods"] = [[trading_period(session(x))]
                                  for x in days if session(x)]
    meta["dataGranularity"] = ivl
    meta["range"] = ""
    meta["validRanges"] = ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y",
                           "10y", "ytd", "max"]
    res = {"meta": meta}
    if ts:
        res["timestamp"] = ts
        res["indicators"] = {"quote": [q]}
        if step >= DAY:
            res["indicators"]["adjclose"] = [{"adjclose": list(q["close"])}]
    else:
        res["indicators"] = {"quote": [{}]}
        if step >= DAY:
            res["indicators"]["adjclose"] = [{}]
    return {"chart": {"result": [res], "error": None}}


def error_doc(code, desc):
    return {"chart": {"result": None, "error": {"code": code,
                                                "description": desc}}}


def unknown_symbol(sym):
    return sym == "NOSUCH" or sym.startswith("ZZNOT") or not sym or \
        any(ch not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
            "0123456789.^=_-" for ch in sym)


def generate(sym, q, limits):
    """(status, doc) for a chart request with query dict q."""
    ivl = q.get("interval", "1d")
    if ivl not in INTERVALS:
        return 422, error_doc("Unprocessable Entity",
                              "Invalid input - interval=%s is not supported. "
                              "Valid intervals: [1m, 2m, 5m, 15m, 30m, 60m, "
                              "90m, 1h, 1d, 5d, 1wk, 1mo, 3mo]" % ivl)
    if unknown_symbol(sym):
        return 404, NOT_FOUND
    now = now_epoch()
    try:
        p1 = int(q.get("period1", now - 30 * DAY))
        p2 = int(q.get("period2", now))
    except ValueError:
        return 400, error_doc("Bad Request", "Invalid input - period1/period2")
    if p1 > p2:
        return 400, error_doc("Bad Request",
                              "Invalid input - start date cannot be after "
                              "end date. startDate = %d, endDate = %d"
                              % (p1, p2))
    if limits and ivl in HISTORY_DAYS:
        days = HISTORY_DAYS[ivl]
        if ivl == "1m" and p2 - p1 > 8 * DAY:
            return 422, error_doc("Unprocessable Entity",
                                  "Only 8 days worth of 1m granularity data "
                                  "are allowed to be fetched per request.")
        if p1 < now - (days + 1) * DAY:
            return 422, error_doc("Unprocessable Entity",
                                  "%s data not available for startTime=%d "
                                  "and endTime=%d. The requested range must "
                                  "be within the last %d days."
                                  % (ivl, p1, p2, days))
    return 200, with_events(chart(sym, ivl, p1, p2, now), sym, ivl, p1, p2,
                            now, q.get("events", ""))


# ------------------------------------------------- splits and dividends
#
# --split SYM=YYYY-MM-DD:N:M and --dividend SYM=YYYY-MM-DD:AMOUNT give SYM
# events with that ex-date, known from 00:00 New York of that date on.  The
# generated prices are per share before any split, so the as-traded price
# of a bar is generated / (N/M of every split on or before its date).  A
# response is served as Yahoo serves it as of the request time ("now"):
#   * OHLC split-adjusted for every split known by now, volume multiplied
#     (all intervals): generated / S and volume * S, S the product of the
#     known ratios;
#   * adjclose (1d and longer) also dividend-adjusted: a bar that starts
#     before a known dividend's ex-date is multiplied by 1 - amount /
#     previous session's 1d close, over every such dividend;
#   * events.dividends / events.splits (when asked for with events=div /
#     events=splits) for the events of the window, amounts split-adjusted,
#     keyed by the ex-date's 09:30 stamp (intervals above 1d: by the stamp
#     of the bar holding it, "date" the ex-date, as in VFINX-3mo).

EVENTS = {}       # symbol -> [(ex-date, "split", (N, M)) or (ex-date, "dividend", amount)]
NOW_FILE = None   # --now-file: "now" for each request, so a test can move time


def now_from_file():
    """The content of --now-file (ISO-8601 UTC or epoch), or None."""
    if not NOW_FILE:
        return None
    try:
        with open(NOW_FILE) as f:
            return f.read().strip() or None
    except OSError:
        return None


def add_event(spec, kind):
    """Parse SYM=YYYY-MM-DD:N:M (split) or SYM=YYYY-MM-DD:AMOUNT."""
    sym, _, rest = spec.partition("=")
    parts = rest.split(":")
    try:
        day = dt.date.fromisoformat(parts[0])
        if kind == "split" and len(parts) == 3 and float(parts[1]) > 0 \
                and float(parts[2]) > 0:
            val = (float(parts[1]), float(parts[2]))
        elif kind == "dividend" and len(parts) == 2 and float(parts[1]) > 0:
            val = float(parts[1])
        else:
            raise ValueError
    except ValueError:
        sys.exit("fake_yahoo: bad --%s: %s (want SYM=YYYY-MM-DD:%s)" % (
            kind, spec, "N:M" if kind == "split" else "AMOUNT"))
    EVENTS.setdefault(sym, []).append((day, kind, val))
    EVENTS[sym].sort(key=lambda e: e[0])


def ratio(val):
    return val[0] / val[1]


def splits_between(sym, lo, hi):
    """Product of the split ratios with ex-date in (lo, hi] (dates)."""
    r = 1.0
    for day, kind, val in EVENTS.get(sym, ()):
        if kind == "split" and lo < day <= hi:
            r *= ratio(val)
    return r


def prev_session(day):
    d = day - dt.timedelta(1)
    while not session(d):
        d -= dt.timedelta(1)
    return d


def dividend_factor(sym, day, amount, known, s_now):
    """Yahoo's factor for a dividend with ex-date day: 1 - amount / the
    previous session's 1d close, both as served now (split-adjusted)."""
    close = f32(bar_values(sym, "1d", session(prev_session(day))[0], DAY)[3]
                / s_now)
    return 1 - f32(amount / splits_between(sym, day, known)) / close


def event_docs(sym, ivl, ts, p1, p2, known, wanted):
    """events.dividends / events.splits of the window, as Yahoo shapes them."""
    divs, splits = {}, {}
    for day, kind, val in EVENTS.get(sym, ()):
        stamp = session(day)[0] if session(day) else ny_midnight(day)
        if day > known or not p1 <= stamp < p2:
            continue
        key = stamp
        if INTERVALS[ivl] > DAY:
            key = max([t for t in ts if t <= stamp] or [stamp])
        if kind == "dividend" and "div" in wanted:
            divs[str(key)] = {"amount": f32(val / splits_between(sym, day, known)),
                              "date": stamp}
        elif kind == "split" and "split" in wanted:
            n, m = (int(x) if x == int(x) else x for x in val)
            splits[str(key)] = {"date": stamp, "numerator": n,
                                "denominator": m, "splitRatio": "%s:%s" % (n, m)}
    out = {}
    if divs:
        out["dividends"] = divs
    if splits:
        out["splits"] = splits
    return out


def with_events(doc, sym, ivl, p1, p2, now, wanted):
    """Apply the events of sym known at now to a generated chart document."""
    if sym not in EVENTS:
        return doc
    known = ny_date(now)
    res = doc["chart"]["result"][0]
    ts = res.get("timestamp", [])
    q = res["indicators"]["quote"][0]
    s_now = splits_between(sym, dt.date.min, known)
    for k in ("open", "high", "low", "close"):
        if k in q:
            q[k] = [f32(x / s_now) for x in q[k]]
    if "volume" in q:
        q["volume"] = [int(round(v * s_now)) for v in q["volume"]]
    meta = res["meta"]
    meta["regularMarketPrice"] = f32(meta["regularMarketPrice"] / s_now)
    meta["chartPreviousClose"] = f32(meta["chartPreviousClose"] / s_now)
    if "adjclose" in res["indicators"] and ts:
        divs = [(ny_midnight(day), dividend_factor(sym, day, val, known, s_now))
                for day, kind, val in EVENTS[sym]
                if kind == "dividend" and day <= known and session(day)]
        adj = []
        for t, c in zip(ts, q["close"]):
            f = 1.0
            for exm, fac in divs:
                if t < exm:
                    f *= fac
            adj.append(f32(c * f))
        res["indicators"]["adjclose"] = [{"adjclose": adj}]
    ev = event_docs(sym, ivl, ts, p1, p2, known, wanted)
    if ev:
        res["events"] = ev
    return doc


# ------------------------------------------------------------------ egress

class Egress:
    """Per-source-address limits, response jitter and the address log:
    what fetch-bars --interface is tested against."""

    def __init__(self, args):
        self.jitter = args.jitter / 1000.0
        self.rate = args.rate_limit_per_addr
        self.recent = {}  # source address -> arrival times, last second
        self.log = open(args.addr_log, "a") if args.addr_log else None
        self.lock = threading.Lock()

    def over_rate(self, addr):
        """True when addr has had RPS requests in the last rolling second."""
        if self.rate <= 0:
            return False
        with self.lock:
            t = time.monotonic()
            r = [x for x in self.recent.get(addr, ()) if x > t - 1.0]
            limited = len(r) >= self.rate
            if not limited:
                r.append(t)
            self.recent[addr] = r
            return limited

    def delay(self):
        if self.jitter > 0:
            time.sleep(random.uniform(0, self.jitter))

    def note(self, addr, status, path):
        if self.log:
            with self.lock:
                self.log.write("%s %s %s\n" % (addr, status, path))
                self.log.flush()


# ------------------------------------------------------------------ server

class State:
    def __init__(self, args):
        self.fixtures = {}
        for spec in args.fixture:
            sym, _, path = spec.partition("=")
            name = os.path.basename(path)
            status = 404 if name.startswith("ERROR-404") else \
                400 if name.startswith("ERROR-400") else 200
            with open(path, "rb") as f:
                self.fixtures[sym] = (status, f.read())
        self.faults = {}
        for spec in args.fault:
            sym, _, kind = spec.partition("=")
            kind, _, n = kind.partition(":")
            if kind not in FAULTS:
                sys.exit("fake_yahoo: unknown fault kind: " + kind)
            after = n.startswith("+")
            self.faults[sym] = (kind, int(n.lstrip("+")) if n else -1, after)
        self.counts = {}
        self.latency = args.latency / 1000.0
        self.rate = args.rate_limit
        self.recent = []
        self.limits = not args.no_limits
        self.block_ua = args.block_bot_ua
        self.log = open(args.log, "a") if args.log else None
        self.conn_log = open(args.conn_log, "a") if args.conn_log else None
        self.lock = threading.Lock()

    def fault_for(self, sym):
        """The fault kind for this request of sym, or None; counts requests."""
        with self.lock:
            n = self.counts.get(sym, 0) + 1
            self.counts[sym] = n
            f = self.faults.get(sym) or self.faults.get("*")
        if f and (f[1] < 0 or (n > f[1] if f[2] else n <= f[1])):
            return f[0]
        return None

    def over_rate(self):
        if self.rate <= 0:
            return False
        with self.lock:
            t = time.monotonic()
            self.recent = [x for x in self.recent if x > t - 1.0]
            if len(self.recent) >= self.rate:
                return True
            self.recent.append(t)
            return False

    def note(self, path, status):
        if self.log:
            with self.lock:
                self.log.write("%s %s\n" % (path, status))
                self.log.flush()


FAULTS = ("429", "429ra", "503", "reset", "drip", "truncate", "badjson",
          "err200", "404", "422", "400")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ATS"
    sys_version = ""

    def setup(self):
        super().setup()
        st = self.server.state
        if st.conn_log:
            with st.lock:
                st.conn_log.write("%s:%d\n" % self.client_address)
                st.conn_log.flush()

    def log_message(self, fmt, *args):
        pass

    def send_response(self, code, message=None):
        self.server.egress.note(self.client_address[0], code, self.path)
        super().send_response(code, message)

    def send(self, status, body, ctype="application/json;charset=utf-8",
             extra=None, compress=True):
        if isinstance(body, (dict, list)):
            body = json.dumps(body, separators=(",", ":")).encode()
        enc = None
        if compress and len(body) > 256 and \
                "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body, 5)
            enc = "gzip"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if enc:
            self.send_header("Content-Encoding", enc)
        self.send_header("Cache-Control", "public, max-age=10"
                         if status == 200 else "max-age=0, private")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def do_GET(self):
        st = self.server.state
        u = urllib.parse.urlsplit(self.path)
        prefix = "/v8/finance/chart/"
        # The limit counts arrivals, before the latency, like an edge
        # proxy in front of the origin.
        limited = st.over_rate()
        limited |= self.server.egress.over_rate(self.client_address[0])
        if st.latency:
            time.sleep(st.latency)
        self.server.egress.delay()
        if limited:
            st.note(self.path, 429)
            return self.send(429, EDGE_429, "text/plain;charset=utf-8")
        if not u.path.startswith(prefix):
            st.note(self.path, 404)
            return self.send(404, b"Not Found", "text/plain")
        sym = urllib.parse.unquote(u.path[len(prefix):])
        q = dict(urllib.parse.parse_qsl(u.query))
        ua = self.headers.get("User-Agent", "")
        if st.block_ua and (not ua or ua.lower().startswith(
                ("curl/", "python", "libcurl"))):
            st.note(self.path, 429)
            return self.send(429, EDGE_429, "text/plain;charset=utf-8")
        kind = st.fault_for(sym)
        if kind:
            return self.fault(kind, sym, q)
        if sym in st.fixtures:
            status, body = st.fixtures[sym]
        else:
            status, doc = generate(sym, q, st.limits)
            body = json.dumps(doc, separators=(",", ":")).encode()
        st.note(self.path, status)
        self.send(status, body)

    def fault(self, kind, sym, q):
        st = self.server.state
        p1, p2 = q.get("period1", "0"), q.get("period2", "0")
        if kind in ("429", "429ra"):
            st.note(self.path, 429)
            extra = {"Retry-After": "1"} if kind == "429ra" else None
            return self.send(429, EDGE_429, "text/plain;charset=utf-8", extra)
        if kind == "503":
            st.note(self.path, 503)
            return self.send(503, b"Service Unavailable", "text/plain")
        if kind == "404":
            st.note(self.path, 404)
            return self.send(404, NOT_FOUND)
        if kind == "422":
            st.note(self.path, 422)
            return self.send(422, error_doc(
                "Unprocessable Entity",
                "Invalid input - start date cannot be after end date. "
                "startDate = %s, endDate = %s" % (p1, p2)))
        if kind == "400":
            st.note(self.path, 400)
            return self.send(400, error_doc(
                "Bad Request", "Data doesn't exist for startDate = %s, "
                "endDate = %s" % (p1, p2)))
        if kind == "err200":
            st.note(self.path, 200)
            return self.send(200, error_doc(
                "Internal Server Error", "Temporary failure, try again"))
        if kind == "badjson":
            st.note(self.path, 200)
            return self.send(200, b'{"chart":{"result":[{"meta":{"symbol":'
                             b'<html>oops</html>')
        status, doc = generate(sym, q, st.limits)
        body = json.dumps(doc, separators=(",", ":")).encode()
        if kind == "reset":
            st.note(self.path, "reset")
            self.close_connection = True
            # SO_LINGER 0 makes close() send RST instead of FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            return
        if kind == "truncate":
            st.note(self.path, "truncate")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body) + 1000))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if kind == "drip":
            st.note(self.path, "drip")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.flush()
            try:
                for i in range(len(body)):
                    self.wfile.write(body[i:i + 1])
                    self.wfile.flush()
                    time.sleep(0.5)
            except OSError:
                pass
            self.close_connection = True
            return
        raise AssertionError(kind)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        # Clients hanging up (timeouts, aborted drips) are expected here.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


def add_event_options(ap):
    ap.add_argument("--split", action="append", default=[])
    ap.add_argument("--dividend", action="append", default=[])
    ap.add_argument("--now-file")


def use_event_options(args):
    global NOW_FILE
    for spec in args.split:
        add_event(spec, "split")
    for spec in args.dividend:
        add_event(spec, "dividend")
    NOW_FILE = args.now_file


def main():
    ap = argparse.ArgumentParser(description="fake Yahoo chart server")
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--fixture", action="append", default=[])
    ap.add_argument("--fault", action="append", default=[])
    ap.add_argument("--latency", type=float, default=0)
    ap.add_argument("--rate-limit", type=float, default=0)
    ap.add_argument("--log")
    ap.add_argument("--conn-log")
    ap.add_argument("--no-limits", action="store_true")
    ap.add_argument("--block-bot-ua", action="store_true")
    ap.add_argument("--jitter", type=float, default=0)
    ap.add_argument("--rate-limit-per-addr", type=float, default=0)
    ap.add_argument("--addr-log")
    add_event_options(ap)
    args = ap.parse_args()
    use_event_options(args)
    srv = Server(("127.0.0.1", args.port), Handler)
    srv.state = State(args)
    srv.egress = Egress(args)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, args.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
