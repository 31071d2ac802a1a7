# Shell helpers for table-driven tests; sourced by tests/cli/*.sh and
# tests/e2e/*.sh.  Each check prints "ok - NAME" or "not ok - NAME" plus a
# diff on stderr; tests/run counts them.
set -u
T=$(mktemp -d "${TMPROOT:-/tmp}/t.XXXXXX")
FIXTURES=${FIXTURES:-$TOP/../shared/fixtures}

ok()     { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; shift; [ $# -gt 0 ] && echo "  $*" >&2; return 0; }
# skip NAME REASON: a check that cannot run here; tests/run counts it and
# prints the reasons, so a missing tool or fixture is never a silent pass.
skip()   { echo "skip - $1 # $2"; }

# check NAME WANT_RC STDIN EXPECTED_STDOUT [STDERR_PATTERN] -- CMD...
#   STDIN and EXPECTED_STDOUT are file paths or '-' (empty stdin / ignore
#   stdout).  STDERR_PATTERN is a grep -E pattern stderr must match, or ''.
check() {
	name=$1 want=$2 in=$3 exp=$4; shift 4
	pat=""
	if [ "$1" != "--" ]; then pat=$1; shift; fi
	shift
	[ "$in" = - ] && in=/dev/null
	"$@" <"$in" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		not_ok "$name" "exit $rc, want $want; stderr: $(head -c 600 "$T/err")"
	elif [ "$exp" != - ] && ! diff -u "$exp" "$T/out" >"$T/diff" 2>&1; then
		not_ok "$name" "stdout differs: $(head -c 1500 "$T/diff")"
	elif [ -n "$pat" ] && ! grep -Eq -- "$pat" "$T/err"; then
		not_ok "$name" "stderr lacks /$pat/: $(head -c 600 "$T/err")"
	else
		ok "$name"
	fi
}

# expect NAME COMMAND-STRING: ok when the shell command succeeds.
expect() {
	if sh -c "$2" >"$T/expect.out" 2>&1; then ok "$1"; else not_ok "$1" "$(head -c 800 "$T/expect.out")"; fi
}

# gone PATTERN: no process matches within a second (signals need a moment)
gone() { i=0; while pgrep -f "$1" >/dev/null && [ $i -lt 20 ]; do sleep 0.05; i=$((i + 1)); done; ! pgrep -f "$1" >/dev/null; }
# the real interpreter: version-manager shims cost a second per start
PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || PY=python3

# A fresh database on the suite's cluster; prints its URL.
new_db() {
	db="t_$(basename "$T" | tr -dc 'a-zA-Z0-9' | tr 'A-Z' 'a-z')_$1"
	PGOPTIONS="-c client_min_messages=warning" psql -qX "${TEST_PG_URL}" \
		-c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
	echo "$TEST_PG_URL" | sed "s|postgresql:///postgres|postgresql:///$db|"
}

# Start the fake Yahoo server with extra args; sets FAKE_URL and FAKE_PID.
start_fake() {
	rm -f "$T/fake.port"
	"$PY" "$TOP/tests/fake_yahoo.py" --port-file "$T/fake.port" "$@" 2>"$T/fake.log" &
	FAKE_PID=$!
	i=0
	while [ ! -s "$T/fake.port" ] && [ $i -lt 300 ]; do sleep 0.05; i=$((i + 1)); done
	FAKE_URL="http://127.0.0.1:$(cat "$T/fake.port")"
	export BARS_YAHOO_URL="$FAKE_URL"
}
stop_fake() { kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null; }

cleanup_t() { [ -n "${FAKE_PID:-}" ] && stop_fake; rm -rf "$T"; }
trap cleanup_t EXIT

# sql_is NAME WANT SQL: ok when SQL (run on $DATABASE_URL) prints WANT.
sql_is() {
	got=$(psql -XAt "$DATABASE_URL" -c "$3" 2>&1)
	if [ "$got" = "$2" ]; then ok "$1"; else not_ok "$1" "got '$got', want '$2'"; fi
}
