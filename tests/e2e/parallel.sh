# scripts/parallel-pipeline end to end: GNU parallel fans a plan out over ssh
# to three "hosts" (127.0.0.2-4, one private sshd of the test's own, with its
# own host key, config and authorized keys under $T), each running
# fetch-bars | normalize-bars | validate-bars | load-bars into one database:
# the stages of the one pipeline definition (sched-run --print-pipeline
# --chunk), so each chunk also stores its corporate actions (the fake has a
# split and dividends) and leaves its side files, named by chunk number.
# One host is killed in the middle of a chunk: without retries the chunk is
# failed in the joblog and --resume runs exactly that chunk again; with
# retries the chunk moves to another host in the same run.  Either way the
# table (bars and corporate_actions) equals a single-host run of the same
# plan, row for row.  Without
# hosts (sshlogin ':'), the chunks run on this machine, with no sshd needed.
# Takes about 15 s: the fake answers after 500 ms, so the kill lands mid-chunk.
. "$TOP/tests/lib.sh"

SSHD_PID="" RUN_PID=""
trap '[ -n "$RUN_PID" ] && kill $RUN_PID 2>/dev/null; [ -n "$SSHD_PID" ] && kill $SSHD_PID 2>/dev/null; cleanup_t' EXIT
SSHD=/usr/sbin/sshd
PP=$TOP/scripts/parallel-pipeline

# ---- the script alone: usage errors need no host ---------------------------
printf 'symbol,interval,start,end\n' >"$T/empty.csv"
check "usage: no plan" 2 - - 'usage: parallel-pipeline' -- "$PP"
check "usage: unknown option" 2 - - 'unknown option: --bogus' -- "$PP" --bogus "$T/empty.csv"
check "usage: --rows 0" 2 - - '--rows: not a positive integer: 0' -- "$PP" --rows 0 "$T/empty.csv"
check "usage: missing plan file" 2 - - 'nope.csv: not a readable plan file' -- "$PP" "$T/nope.csv"
check "usage: --env takes a variable name" 2 - - '--env: not a variable name: A-B' -- "$PP" --env A-B "$T/empty.csv"
printf 'a,b\n' >"$T/notplan.csv"
check "usage: not a plan CSV" 2 - - 'notplan.csv:1: not a plan CSV' -- "$PP" "$T/notplan.csv"
"$PP" --help >"$T/help" 2>&1
"$PP" 2>"$T/usage"
expect "--help lists every option of the usage line" \
	"for o in \$(grep -o -- '--[a-z-]*' '$T/usage' | sort -u); do grep -q -- \"\$o \" '$T/help' || exit 1; done"

if ! command -v parallel >/dev/null; then
	skip "parallel: the recipe" "GNU parallel not installed (scripts/deps installs it)"
	exit 0
fi

export PARALLEL_HOME="$T/parallel"   # not ~/.parallel
export BARS_NOW=2026-11-24T21:30:00Z
start_fake --latency 500 --log "$T/requests.log" --split AAPL=2026-11-17:4:1 \
	--dividend MSFT=2026-11-12:0.24 --dividend NVDA=2026-11-19:0.01
cat >"$T/c.json" <<'JSON'
{"tickers":["AAPL","MSFT","GOOGL","AMZN","NVDA","META"],"interval":"5m","period":"20d","timezone":"US/Eastern"}
JSON
sched-plan --config "$T/c.json" >"$T/plan.csv" 2>"$T/plan.err"
expect "parallel: plan of 6 windows" "[ \$(wc -l <'$T/plan.csv') -eq 7 ]"

# The single-host reference: the same plan through one pipeline.
fetch-bars --rate 0 -j 6 "$T/plan.csv" 2>/dev/null | normalize-bars --events "$T/ref-ev.csv" |
	validate-bars --events "$T/ref-ev.csv" >"$T/ref.csv" 2>/dev/null
expect "parallel: single-host reference fetched" "[ \$(wc -l <'$T/ref.csv') -eq 6553 ]"
expect "parallel: the reference has the split and both dividends" "[ \$(wc -l <'$T/ref-ev.csv') -eq 4 ]"
COLS="symbol, interval, ts, open, high, low, close, adj_close, volume"
EVCOLS="symbol, ts, kind, value, numerator, denominator"
# same_table NAME: public.bars and public.corporate_actions equal the
# reference (loaded into schema single of the same database) row for row,
# both ways.
same_table() {
	load-bars --schema single --events "$T/ref-ev.csv" "$T/ref.csv" 2>/dev/null
	sql_is "$1: 6552 bars, as one host loads" "6552 6552" \
		"SELECT (SELECT count(*) FROM public.bars) || ' ' || (SELECT count(*) FROM single.bars)"
	sql_is "$1: no row only in the parallel run" 0 \
		"SELECT count(*) FROM (SELECT $COLS FROM public.bars EXCEPT ALL SELECT $COLS FROM single.bars) d"
	sql_is "$1: no row only in the single-host run" 0 \
		"SELECT count(*) FROM (SELECT $COLS FROM single.bars EXCEPT ALL SELECT $COLS FROM public.bars) d"
	sql_is "$1: the chunks stored the split and both dividends" "3 3" \
		"SELECT (SELECT count(*) FROM public.corporate_actions) || ' ' || (SELECT count(*) FROM single.corporate_actions)"
	sql_is "$1: corporate actions as one host stores them" 0 \
		"SELECT count(*) FROM ((SELECT $EVCOLS FROM public.corporate_actions EXCEPT ALL SELECT $EVCOLS FROM single.corporate_actions)
		 UNION ALL (SELECT $EVCOLS FROM single.corporate_actions EXCEPT ALL SELECT $EVCOLS FROM public.corporate_actions)) d"
}
# chunk_files NAME DIR N: each of chunks 1..N left the side files the stage
# table names, and their events files hold the three events between them.
chunk_files() {
	expect "$1: chunks 1-$3 left their files in $(basename "$2")" \
		"for i in \$(seq $3); do for f in failed.csv plan-rejects.csv fetch.json events.csv rejects.csv gaps.csv; do
			[ -f '$2'/plan.chunk-\$i.\$f ] || { echo missing plan.chunk-\$i.\$f; exit 1; }; done; done"
	expect "$1: the chunks' events files hold the three events" \
		"[ \$(cat '$2'/plan.chunk-*.events.csv | grep -vc '^symbol,') -eq 3 ]"
}

# ---- no hosts given: the chunks run here (sshlogin ':') --------------------
export DATABASE_URL=$(new_db local)
check "local: two chunks at a time on this machine" 0 - - 'chunk 2.load-bars: rows_in=3276 inserted=3276' -- \
	"$PP" --rows 3 --jobs 2 --joblog "$T/j0" --state-dir "$T/st0" "$T/plan.csv"
expect "local: the joblog names host ':'" "[ \$(awk -F'\t' 'NR > 1 && \$2 == \":\" && \$7 == 0' '$T/j0' | wc -l) -eq 2 ]"
same_table local
chunk_files local "$T/st0" 2

# ---- what the ssh part needs -----------------------------------------------
why=""
[ -x "$SSHD" ] || why="sshd not installed (openssh-server; scripts/deps installs it)"
command -v ssh >/dev/null && command -v ssh-keygen >/dev/null || why="${why:-ssh or ssh-keygen not installed (openssh-client)}"
[ "$(id -u)" -eq 0 ] || why="${why:-a private sshd that logs in as the test user needs root}"
if [ -n "$why" ]; then
	skip "parallel: fan-out over ssh" "$why"
	exit 0
fi

# ---- a private sshd on 127.0.0.2-4 ----------------------------------------
HOSTS="127.0.0.2 127.0.0.3 127.0.0.4"
ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey" && ssh-keygen -q -t ed25519 -N '' -f "$T/userkey" &&
	cp "$T/userkey.pub" "$T/authorized_keys" || { not_ok "parallel: ssh keys"; exit 0; }
# A port free on all three addresses (sshd has no port 0); checked below by a
# real login to each, and picked again when another process won the race.
free_port() {
	"$PY" -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.2", 0)); p = s.getsockname()[1]
for a in sys.argv[1:]:
    t = socket.socket(); t.bind((a, p)); t.close()
s.close(); print(p)' 127.0.0.3 127.0.0.4
}
sshd_up() {
	port=$(free_port) || return 1
	{
		echo "Port $port"
		for h in $HOSTS; do echo "ListenAddress $h"; done
		echo "HostKey $T/hostkey"
		echo "AuthorizedKeysFile $T/authorized_keys"
		echo "PidFile $T/sshd.pid"
		# $T lies in the world-writable /tmp, which StrictModes refuses.
		echo "StrictModes no"
		echo "PasswordAuthentication no"
		echo "KbdInteractiveAuthentication no"
		echo "PermitRootLogin prohibit-password"
		echo "UsePAM no"
		# Bash reads ~/.bashrc for ssh commands only at SHLVL < 2; version
		# manager hooks there cost half a second per job.
		echo "SetEnv SHLVL=1"
		echo "LogLevel ERROR"
	} >"$T/sshd_config"
	{
		echo "Host *"
		echo "  Port $port"
		echo "  IdentityFile $T/userkey"
		echo "  IdentitiesOnly yes"
		echo "  UserKnownHostsFile $T/known_hosts"
		echo "  StrictHostKeyChecking accept-new"
		echo "  BatchMode yes"
		echo "  ConnectTimeout 5"
		echo "  LogLevel ERROR"
	} >"$T/ssh_config"
	"$SSHD" -D -e -f "$T/sshd_config" 2>>"$T/sshd.log" &
	SSHD_PID=$!
	for h in $HOSTS; do
		i=0
		until ssh -F "$T/ssh_config" "$h" true 2>>"$T/ssh.err"; do
			i=$((i + 1))
			[ $i -lt 30 ] && kill -0 $SSHD_PID 2>/dev/null || { kill $SSHD_PID 2>/dev/null; wait $SSHD_PID 2>/dev/null; SSHD_PID=""; return 1; }
			sleep 0.1
		done
	done
}
# sshd refuses to start without its privilege separation directory.
[ -d /run/sshd ] || mkdir -p /run/sshd 2>/dev/null
n=0
until sshd_up; do
	n=$((n + 1))
	if [ $n -ge 3 ]; then
		skip "parallel: fan-out over ssh" "the test's sshd did not start: $(tail -1 "$T/sshd.log" "$T/ssh.err" 2>/dev/null | tr '\n' ' ' | head -c 200)"
		exit 0
	fi
done
ok "parallel: private sshd answers on $HOSTS"

# procs_of HOST: the sshd connection process of every session to HOST and
# all its descendants (the remote shell, perl, the pipeline), one a line.
procs_of() {
	ps -e -o pid=,ppid= >"$T/ps"
	for conn in $(awk -v p="$SSHD_PID" '$2 == p { print $1 }' "$T/ps"); do
		tree=$(awk -v r="$conn" '{ kid[$2] = kid[$2] " " $1 }
			END { q = r; while (q != "") { split(q, a, " "); q = "";
				for (i in a) { print a[i]; q = q " " kid[a[i]] } } }' "$T/ps")
		for p in $tree; do
			if tr '\0' '\n' 2>/dev/null <"/proc/$p/environ" | grep -q "^SSH_CONNECTION=.* $1 [0-9]*\$"; then
				echo "$tree"
				break
			fi
		done
	done
}
# kill_host_mid_chunk HOST: wait until HOST's pipeline is whole and its
# fetch-bars still fetching (the chunk cannot be committed yet: load-bars has
# not seen the end of its input), then SIGKILL every process of that session
# at once, as a host dying would.  load-bars is the last stage the shell
# forks: once it is there, the snapshot holds every stage, and none is left
# to see its input end and commit an empty run.
kill_host_mid_chunk() {
	i=0
	while [ $i -lt 200 ]; do
		pids=$(procs_of "$1")
		stages=$(for p in $pids; do cat "/proc/$p/comm" 2>/dev/null; done | grep -Ex 'fetch-bars|load-bars' | sort -u | tr '\n' ' ')
		if [ "$stages" = "fetch-bars load-bars " ]; then
			kill -9 $pids 2>/dev/null
			return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}
pp() { "$PP" -S 127.0.0.2 -S 127.0.0.3 -S 127.0.0.4 --ssh "ssh -F $T/ssh_config" --rows 1 --bin "$BIN" --state-dir "$T/st-$DBNAME" "$@"; }
# failed_seqs JOBLOG: the chunk numbers whose last try failed
failed_seqs() { awk -F'\t' 'NR > 1 && $7 != 0 { print $1 }' "$1" | sort -n | tr '\n' ' '; }

# ---- a host dies, no retries: the chunk fails; --resume runs it alone -------
DBNAME=resume
export DATABASE_URL=$(new_db resume)
pp --retries 1 --joblog "$T/j1" "$T/plan.csv" >"$T/run1.out" 2>"$T/run1.err" &
RUN_PID=$!
if kill_host_mid_chunk 127.0.0.3; then ok "resume: killed 127.0.0.3 in the middle of a chunk"; else not_ok "resume: killed 127.0.0.3 in the middle of a chunk"; fi
wait $RUN_PID
rc=$? RUN_PID=""
[ $rc -eq 1 ] && ok "resume: first run exits 1" || not_ok "resume: first run exits 1" "exit $rc: $(tail -3 "$T/run1.err")"
expect "resume: says to run again with --resume" "grep -q 'run again with --resume' '$T/run1.err'"
failed=$(failed_seqs "$T/j1")
expect "resume: exactly one chunk failed, on 127.0.0.3" \
	"[ \$(awk -F'\t' 'NR > 1 && \$7 != 0' '$T/j1' | wc -l) -eq 1 ] && awk -F'\t' 'NR > 1 && \$7 != 0 { print \$2 }' '$T/j1' | grep -qx 127.0.0.3"
expect "resume: the other 5 chunks loaded" "[ \$(awk -F'\t' 'NR > 1 && \$7 == 0' '$T/j1' | wc -l) -eq 5 ]"
sql_is "resume: the killed chunk committed nothing" "5460 0" \
	"SELECT count(*) || ' ' || count(*) FILTER (WHERE r.finished_at IS NULL) FROM bars b JOIN load_runs r ON r.id = b.run_id"
lines=$(wc -l <"$T/j1")
check "resume: --resume completes" 0 - - -- pp --retries 1 --joblog "$T/j1" --resume "$T/plan.csv"
expect "resume: ran only the failed chunk" \
	"[ \"\$(tail -n +$((lines + 1)) '$T/j1' | cut -f1 | tr '\n' ' ')\" = '$failed' ]"
expect "resume: every chunk now succeeded" "[ -z \"\$(awk -F'\t' 'NR > $lines && \$7 != 0' '$T/j1')\" ]"
same_table resume
chunk_files resume "$T/st-resume" 6

# ---- a host dies, with retries: the chunk moves to another host ------------
DBNAME=retry
export DATABASE_URL=$(new_db retry)
pp --retries 3 --joblog "$T/j2" "$T/plan.csv" >"$T/run2.out" 2>"$T/run2.err" &
RUN_PID=$!
if kill_host_mid_chunk 127.0.0.4; then ok "retry: killed 127.0.0.4 in the middle of a chunk"; else not_ok "retry: killed 127.0.0.4 in the middle of a chunk"; fi
wait $RUN_PID
rc=$? RUN_PID=""
[ $rc -eq 0 ] && ok "retry: the run completes by itself" || not_ok "retry: the run completes by itself" "exit $rc: $(tail -3 "$T/run2.err")"
expect "retry: every chunk succeeded in the joblog" \
	"[ \$(awk -F'\t' 'NR > 1 && \$7 == 0' '$T/j2' | wc -l) -eq 6 ]"
sql_is "retry: six finished loads inserted every bar once" "6 6552" \
	"SELECT count(*) || ' ' || sum(inserted) FROM load_runs WHERE finished_at IS NOT NULL"
same_table retry
chunk_files retry "$T/st-retry" 6
