# A short libFuzzer run of the CSV reader, the validator and the planning
# rules (make test sets FUZZ_SECONDS=10; make fuzz runs longer and installs
# clang).  Skipped, with the reason, when FUZZ_SECONDS is 0 or clang and
# its libFuzzer runtime are not installed.
. "$TOP/tests/lib.sh"

secs=${FUZZ_SECONDS:-0}
name="fuzz: csvr, validate and plan for ${secs}s each"
if [ "$secs" -le 0 ]; then
	skip "$name" "FUZZ_SECONDS is 0 (make test sets 10)"
elif ! why=$("$TOP/scripts/fuzz" check); then
	skip "$name" "$why"
elif BUILD="$T/build" "$TOP/scripts/fuzz" "$secs" >"$T/fuzz.log" 2>&1; then
	ok "$name"
else
	not_ok "$name" "$(tail -20 "$T/fuzz.log")"
fi
