#!/usr/bin/python3
"""Open a bars-report status page in headless Chromium and check it.

usage: bars-report-browser.py PAGE.html SCREENSHOT.png SERIES MISSING_FROM MISSING_TO HOLIDAY

Prints one "ok - ..." or "not ok - ..." line per check (the TAP-like lines
tests/run counts) and exits 0 when every check passed, 1 when one failed,
and 77 before any check when the browser cannot be started (the caller
skips).  Chromium is kept off the network: no first-run, sync, component
updates or background requests, a fresh profile, and the page itself
forbids every external load with its Content-Security-Policy.
"""
import os
import shutil
import sys
import tempfile

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
except ImportError as e:  # python3-selenium missing
    print("selenium unavailable: %s" % e, file=sys.stderr)
    sys.exit(77)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

failed = False


def report(ok, name, why=""):
    global failed
    if ok:
        print("ok - browser: %s" % name)
    else:
        failed = True
        print("not ok - browser: %s" % name)
        if why:
            print("  %s" % why, file=sys.stderr)


def start(profile):
    o = webdriver.ChromeOptions()
    o.binary_location = CHROMIUM
    for a in ("--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update",
              "--disable-sync", "--disable-default-apps", "--disable-extensions",
              "--disable-dev-shm-usage", "--window-size=1280,1000",
              "--user-data-dir=" + profile):
        o.add_argument(a)
    if os.geteuid() == 0:
        o.add_argument("--no-sandbox")
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=DRIVER), options=o)


def fill(d, css):
    return d.execute_script(
        "var e = document.querySelector(arguments[0]);"
        "return e ? getComputedStyle(e).fill : null;", css)


def visible(d, css):
    """The element's box is not empty and its centre shows the element."""
    return d.execute_script(
        "var e = document.querySelector(arguments[0]); if (!e) return 'absent';"
        "e.scrollIntoView({block: 'center'});"
        "var r = e.getBoundingClientRect();"
        "if (r.width <= 0 || r.height <= 0) return 'empty box';"
        "var t = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);"
        "return t === e ? 'ok' : 'covered by ' + (t ? t.outerHTML.slice(0, 80) : 'nothing');",
        css)


def checks(d, page, shot, series, mfrom, mto, holiday):
    d.get("file://" + os.path.abspath(page))
    report(d.execute_script("return document.readyState") == "complete", "page loaded")
    report(d.title == "stockbars status", "title", "title is %r" % d.title)
    n = d.execute_script("return document.querySelectorAll('svg rect').length")
    report(n > 0, "heatmap drawn", "%s rects" % n)
    miss = ('rect[data-state="missing"][data-series="%s"][data-from="%s"][data-to="%s"]'
            % (series, mfrom, mto))
    hol = 'rect[data-state="holiday"][data-day="%s"]' % holiday
    stored = 'rect[data-state="stored"]'
    v = visible(d, miss)
    report(v == "ok", "missing week %s..%s of %s is visible" % (mfrom, mto, series), v)
    v = visible(d, hol)
    report(v == "ok", "holiday %s is visible" % holiday, v)
    fm, fh, fs = fill(d, miss), fill(d, hol), fill(d, stored)
    report(fm and fh and fs and len({fm, fh, fs}) == 3,
           "missing, holiday and stored have three different colours",
           "missing %s, holiday %s, stored %s" % (fm, fh, fs))
    d.execute_script("window.scrollTo(0, 0)")
    d.save_screenshot(shot)
    report(os.path.getsize(shot) > 1000, "screenshot kept: %s" % shot)
    logs = d.get_log("browser")
    errors = [l["message"] for l in logs if l.get("level") in ("SEVERE", "ERROR")]
    report(not errors, "no console error", "; ".join(errors)[:600])


def main():
    if len(sys.argv) != 7:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        sys.exit(2)
    page, shot = sys.argv[1], sys.argv[2]
    profile = tempfile.mkdtemp(prefix="chromium-profile.")
    try:
        try:
            d = start(profile)
        except Exception as e:  # no usable browser here: the caller skips
            print("chromium did not start: %s" % str(e).splitlines()[0], file=sys.stderr)
            sys.exit(77)
        try:
            checks(d, page, shot, *sys.argv[3:])
        finally:
            d.quit()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
