# A short libFuzzer run of the CSV reader and the validator (make test sets
# FUZZ_SECONDS=10; make fuzz runs longer).  Skipped when FUZZ_SECONDS is 0.
. "$TOP/tests/lib.sh"

secs=${FUZZ_SECONDS:-0}
[ "$secs" -gt 0 ] || exit 0
if BUILD="$T/build" "$TOP/scripts/fuzz" "$secs" >"$T/fuzz.log" 2>&1; then
	ok "fuzz: csvr and validate for ${secs}s each"
else
	not_ok "fuzz: csvr and validate for ${secs}s each" "$(tail -20 "$T/fuzz.log")"
fi
