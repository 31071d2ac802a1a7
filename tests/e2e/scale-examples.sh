# examples/systemd (stockbars@K-N.service + .timer) and examples/k8s (an
# Indexed-Job CronJob): checked by the engines' own tools where they exist
# (systemd-analyze verify), by their fields (python3-yaml), and run: the
# unit's ExecStart is expanded as systemd would for instances 0-3, 1-3, 2-3,
# and the pod command once per completion index, all concurrently against the
# fake provider and one database.  The shards must load every bar of the
# config exactly once, the same table as one unsharded run.
. "$TOP/tests/lib.sh"

EX=$TOP/examples
SYSPY=/usr/bin/python3   # Debian's python3, the one python3-yaml is for
export BARS_NOW=2026-11-24T21:30:00Z
COLS="symbol, interval, ts, open, high, low, close, adj_close, volume"

# ---- systemd ----------------------------------------------------------------
mkdir -p "$T/units"
cp "$EX/systemd/stockbars@.service" "$EX/systemd/stockbars@.timer" "$T/units/"
printf '[Unit]\nDescription=probe\n[Service]\nType=oneshot\nExecStart=/bin/true\n' >"$T/units/probe.service"
if ! command -v systemd-analyze >/dev/null; then
	skip "systemd: verify units" "systemd-analyze not installed"
elif ! systemd-analyze verify --man=no "$T/units/probe.service" >"$T/probe.out" 2>&1; then
	skip "systemd: verify units" "systemd-analyze verify cannot run here: $(head -c 200 "$T/probe.out" | tr '\n' ' ')"
else
	check "systemd: stockbars@0-4.service and .timer verify cleanly" 0 - /dev/null -- \
		sh -c "systemd-analyze verify --man=no '$T/units/stockbars@0-4.service' '$T/units/stockbars@0-4.timer' 2>&1"
	sed -n 's/^OnCalendar=//p' "$T/units/stockbars@.timer" >"$T/calendars"
	while IFS= read -r spec; do
		check "systemd: timer calendar '$spec' parses" 0 - - -- systemd-analyze calendar "$spec"
	done <"$T/calendars"
fi
expect "systemd: timer has two calendars, enabled by timers.target" \
	"[ \$(grep -c '^OnCalendar=Mon..Fri .* America/New_York\$' '$T/units/stockbars@.timer') -eq 2 ] && grep -qx 'WantedBy=timers.target' '$T/units/stockbars@.timer'"

# unit-exec.py UNIT INSTANCE [VAR=VALUE]...: run the unit's ExecStart as
# systemd would: continuation lines joined, specifiers %i and %% expanded,
# split into words, $$ made $, the Environment= of the unit set (VAR=VALUE
# overrides it, as a drop-in would).  Anything else systemd would expand is
# an error here, so the test notices the unit growing past what it checks.
cat >"$T/unit-exec.py" <<'PY'
import os, re, shlex, sys
unit, inst = sys.argv[1], sys.argv[2]
text = open(unit).read().replace("\\\n", " ")
env, cmd = dict(os.environ), None
def spec(m):
    c = m.group(1)
    if c == "i": return inst
    if c == "%": return "%"
    sys.exit("unit-exec: specifier %%%s not handled" % c)
over = dict(a.split("=", 1) for a in sys.argv[3:])
for line in text.splitlines():
    if line.startswith("Environment="):
        for w in shlex.split(line[len("Environment="):]):
            k, v = w.split("=", 1)
            env[k] = v
    elif line.startswith("ExecStart="):
        cmd = line[len("ExecStart="):]
env.update(over)
words = [w.replace("$$", "\0") for w in shlex.split(re.sub(r"%(.)", spec, cmd))]
if any("$" in w for w in words):
    sys.exit("unit-exec: an environment expansion is not handled: %s" % words)
words = [w.replace("\0", "$") for w in words]
os.execvpe(words[0], words, env)
PY
# A stockbars-cron that shows what it was given.
mkdir -p "$T/stub" "$T/run" "$T/logs"
printf '#!/bin/sh\necho "index=${JOB_COMPLETION_INDEX-} shards=${STOCKBARS_SHARDS-} args=$*"\n' >"$T/stub/stockbars-cron"
chmod +x "$T/stub/stockbars-cron"
unit_run() { # INSTANCE [VAR=VALUE]...: the unit's command with the stub
	inst=$1; shift
	PATH="$T/stub:$PATH" RUNTIME_DIRECTORY="$T/run/$inst" LOGS_DIRECTORY="$T/logs" \
		"$SYSPY" "$T/unit-exec.py" "$T/units/stockbars@.service" "$inst" "$@"
}
printf 'index=2 shards=4 args=--no-guard --lock-dir %s --log-file %s /etc/stockbars/config.json intraday\n' \
	"$T/run/2-4" "$T/logs/shard-2-4.log" >"$T/want-2-4"
check "systemd: instance 2-4 runs shard 2 of 4 of the intraday job" 0 - "$T/want-2-4" -- unit_run 2-4
printf 'index=11 shards=16 args=--no-guard --lock-dir %s --log-file %s /srv/c.json daily\n' \
	"$T/run/11-16" "$T/logs/shard-11-16.log" >"$T/want-11-16"
check "systemd: a drop-in's config and job are used" 0 - "$T/want-11-16" -- \
	unit_run 11-16 STOCKBARS_CONFIG=/srv/c.json STOCKBARS_JOB=daily
printf 'index=0 shards=2 args=--no-guard --lock-dir %s --log-file %s /etc/stockbars/config.json\n' \
	"$T/run/0-2" "$T/logs/shard-0-2.log" >"$T/want-0-2"
check "systemd: an empty STOCKBARS_JOB runs every job" 0 - "$T/want-0-2" -- unit_run 0-2 STOCKBARS_JOB=
check "systemd: an instance that is not K-N is refused" 2 - /dev/null 'stockbars@x: the instance must be K-N' -- unit_run x
check "systemd: an instance K alone is refused" 2 - /dev/null 'the instance must be K-N' -- unit_run 3

# ---- Kubernetes -------------------------------------------------------------
# k8s.py get: print the fields that matter as NAME=VALUE lines.
cat >"$T/k8s.py" <<'PY'
import json, os, subprocess, sys, yaml
ex = sys.argv[2]
cj = yaml.safe_load(open(os.path.join(ex, "cronjob.yaml")))
cm = yaml.safe_load(open(os.path.join(ex, "configmap.yaml")))
job = cj["spec"]["jobTemplate"]["spec"]
pod = job["template"]["spec"]
c = pod["containers"][0]
env = {e["name"]: e for e in c.get("env", [])}
mount = c["volumeMounts"][0]
vol = [v for v in pod["volumes"] if v["name"] == mount["name"]][0]
if sys.argv[1] == "get":
    f = {"apiVersion": cj["apiVersion"], "kind": cj["kind"],
         "completionMode": job.get("completionMode"), "completions": job.get("completions"),
         "parallelism": job.get("parallelism"), "restartPolicy": pod.get("restartPolicy"),
         "concurrencyPolicy": cj["spec"].get("concurrencyPolicy"),
         "timeZone": cj["spec"].get("timeZone"), "schedule": cj["spec"].get("schedule"),
         "shards": env.get("STOCKBARS_SHARDS", {}).get("value"),
         "db": json.dumps(env.get("DATABASE_URL", {}).get("valueFrom"), sort_keys=True),
         "command": " ".join(c["command"] + c.get("args", [])),
         "configmap": "%s/%s" % (cm["kind"], cm["metadata"]["name"]),
         "volume": vol["configMap"]["name"], "mount": mount["mountPath"],
         "config_keys": ",".join(sorted(cm["data"]))}
    for k, v in f.items():
        print("%s=%s" % (k, v))
elif sys.argv[1] == "run":
    # As the Job controller would: completions pods at once, each with its
    # JOB_COMPLETION_INDEX, the ConfigMap's files under DIR in place of the
    # mount path, literal env values set and secrets taken from our env.
    d = sys.argv[3]
    for k, v in cm["data"].items():
        open(os.path.join(d, k), "w").write(v)
    argv = [a.replace(mount["mountPath"], d) for a in c["command"] + c.get("args", [])]
    procs = []
    for i in range(job["completions"]):
        # each pod has a /tmp of its own (stockbars-cron keeps its lock there)
        tmp = os.path.join(d, "tmp-%d" % i)
        os.makedirs(tmp, exist_ok=True)
        e = dict(os.environ, JOB_COMPLETION_INDEX=str(i), TMPDIR=tmp)
        e.update({k: v["value"] for k, v in env.items() if "value" in v})
        procs.append(subprocess.Popen(argv, env=e, stderr=open(os.path.join(d, "pod-%d.log" % i), "w")))
    print(" ".join(str(p.wait()) for p in procs))
PY
if ! "$SYSPY" -c 'import yaml' 2>/dev/null; then
	skip "k8s: parse the CronJob" "python3-yaml not installed (scripts/deps installs it)"
	K8S=""
else
	"$SYSPY" "$T/k8s.py" get "$EX/k8s" >"$T/k8s.fields" 2>"$T/k8s.err"
	K8S=$(cat "$T/k8s.fields")
	field() { sed -n "s/^$1=//p" "$T/k8s.fields"; }
	expect "k8s: the YAML parses" "[ -s '$T/k8s.fields' ] && [ ! -s '$T/k8s.err' ]"
	expect "k8s: a batch/v1 CronJob" "[ '$(field apiVersion) $(field kind)' = 'batch/v1 CronJob' ]"
	expect "k8s: Indexed completion" "[ '$(field completionMode)' = Indexed ]"
	expect "k8s: completions = parallelism = STOCKBARS_SHARDS" \
		"[ -n '$(field shards)' ] && [ '$(field completions)' = '$(field shards)' ] && [ '$(field parallelism)' = '$(field shards)' ]"
	expect "k8s: pods are not restarted in place; runs never overlap" \
		"[ '$(field restartPolicy) $(field concurrencyPolicy)' = 'Never Forbid' ]"
	expect "k8s: schedule in New York time" "[ '$(field timeZone)' = America/New_York ] && [ '$(field schedule)' = '*/5 9-15 * * 1-5' ]"
	expect "k8s: DATABASE_URL comes from a Secret" "echo '$(field db)' | grep -q secretKeyRef"
	expect "k8s: the pod runs stockbars-cron on the mounted config" \
		"[ '$(field command)' = 'stockbars-cron --no-guard --log-file /dev/stderr $(field mount)/config.json intraday' ]"
	expect "k8s: the mounted volume is the ConfigMap with config.json" \
		"[ '$(field configmap)' = 'ConfigMap/$(field volume)' ] && [ '$(field config_keys)' = config.json ]"
fi

# ---- both, for real: shards load the config once ----------------------------
# same_as_one_run NAME: public.bars (loaded by the shards) equals schema
# single (one unsharded run of the same config) row for row, and no bar was
# loaded by two shards.
same_as_one_run() {
	sched-plan --config "$CONF" --job intraday --schema single 2>/dev/null | fetch-bars --rate 0 2>/dev/null |
		normalize-bars | validate-bars 2>/dev/null | load-bars --schema single 2>/dev/null
	sql_is "$1: shards loaded what one run loads" "t" \
		"SELECT (SELECT count(*) FROM public.bars) = (SELECT count(*) FROM single.bars) AND (SELECT count(*) FROM single.bars) > 0"
	sql_is "$1: no row only in the shards' table" 0 \
		"SELECT count(*) FROM (SELECT $COLS FROM public.bars EXCEPT ALL SELECT $COLS FROM single.bars) d"
	sql_is "$1: no row only in the one run's table" 0 \
		"SELECT count(*) FROM (SELECT $COLS FROM single.bars EXCEPT ALL SELECT $COLS FROM public.bars) d"
	sql_is "$1: no bar loaded by two shards" "0" \
		"SELECT coalesce(sum(updated + unchanged), 0) FROM public.load_runs"
}
if ! sched-plan --help 2>&1 | grep -q -- --shard; then
	not_ok "examples: shards run for real" "sched-plan --help lists no --shard"
	exit 0
fi
start_fake
mkdir -p "$T/etc"
CONF="$T/etc/config.json"
# The ConfigMap's config, so both engines run the configuration shipped.
if [ -n "$K8S" ]; then
	export DATABASE_URL=$(new_db k8s)
	pods=$(BARS_BIN_DIR="$BIN" PATH="$TOP/scripts:$PATH" "$SYSPY" "$T/k8s.py" run "$EX/k8s" "$T/etc")
	expect "k8s: every pod succeeds ($pods)" "echo '$pods' | grep -Eqx '0( 0)*'"
	expect "k8s: every pod logged its run" "[ \$(cat '$T'/etc/pod-*.log | grep -c 'event=run_end .*outcome=ok') -eq $(field completions) ]"
	same_as_one_run k8s
else
	sed -n '/config.json: |/,$p' "$EX/k8s/configmap.yaml" | tail -n +2 | sed 's/^    //' >"$CONF"
fi

export DATABASE_URL=$(new_db systemd)
rm -rf "$T/stub"; mkdir -p "$T/stub"
ln -s "$TOP/scripts/stockbars-cron" "$T/stub/stockbars-cron"
for k in 0 1 2; do
	mkdir -p "$T/run/$k-3"
	BARS_BIN_DIR="$BIN" unit_run "$k-3" STOCKBARS_CONFIG="$CONF" >"$T/unit-$k.out" 2>&1 &
	eval "u$k=\$!"
done
rcs=""
for k in 0 1 2; do eval "wait \$u$k"; rcs="$rcs $?"; done
expect "systemd: instances 0-3 1-3 2-3 succeed ($rcs)" "[ '$rcs' = ' 0 0 0' ]"
expect "systemd: each instance logged its run" \
	"for k in 0 1 2; do grep -q 'event=run_end .*outcome=ok' '$T/logs/shard-'\$k-3.log || exit 1; done"
same_as_one_run systemd

# Units under ProtectSystem=strict write only where systemd lets them:
# sched-run's state file (by default beside its config in /etc) and lock
# are placed under the StateDirectory, and optional paths carry "-".
for u in "$TOP"/examples/systemd/*.service; do
	grep -q 'ProtectSystem=strict' "$u" || continue
	grep -q 'sched-run ' "$u" || continue
	n=$(basename "$u")
	if grep -q -- '--once' "$u"; then continue; fi
	expect "systemd: $n keeps sched-run's state file writable" \
		"grep -q -- '--state-file /var/lib/stockbars/' '$u' && grep -q -- '--lock-file /var/lib/stockbars/' '$u'"
done
expect "systemd: optional writable paths are marked optional" \
	"! grep -h '^ReadWritePaths=' '$TOP'/examples/systemd/*.service | grep -v 'ReadWritePaths=-'"
