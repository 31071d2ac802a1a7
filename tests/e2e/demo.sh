# make demo, as a user runs it: twice in a row, then again after rm -rf
# var/ (issue 9).  The real scripts/demo runs in a scratch tree that links
# to this one, so its private cluster and var/ never touch the checkout.
. "$TOP/tests/lib.sh"
unset LOG_LEVEL DATABASE_URL
chmod 755 "$T"
top=$T/top
mkdir -p "$top/scripts" "$top/tests"
for f in demo pg run-pipeline; do ln -s "$TOP/scripts/$f" "$top/scripts/$f"; done
ln -s "$TOP/tests/fake_yahoo.py" "$top/tests/fake_yahoo.py"
ln -s "$TOP/examples" "$top/examples"
ln -s "$BIN" "$top/bin"
demo() { "$top/scripts/demo" >"$T/demo.out" 2>&1; }
stop_demo_pg() { "$TOP/scripts/pg" stop "$top/var/demo/pg" >/dev/null 2>&1; }
trap 'stop_demo_pg; cleanup_t' EXIT

for run in first second; do
	if demo && grep -q '^== demo ok' "$T/demo.out"; then
		ok "demo: $run run passes"
	else
		not_ok "demo: $run run passes" "$(tail -5 "$T/demo.out")"
	fi
done
rm -rf "$top/var"
if demo && grep -q '^== demo ok' "$T/demo.out"; then
	ok "demo: passes after rm -rf var/"
else
	not_ok "demo: passes after rm -rf var/" "$(tail -5 "$T/demo.out")"
fi
