# Conventions every tool keeps: --help, --version, usage errors, a man page.
. "$TOP/tests/lib.sh"

for tool in sched-plan fetch-bars normalize-bars validate-bars load-bars sched-run; do
	if [ ! -x "$BIN/$tool" ]; then
		not_ok "$tool: built" "$BIN/$tool missing"
		continue
	fi
	check "$tool --help" 0 - - -- sh -c "'$BIN/$tool' --help | grep -q '^usage: $tool'"
	check "$tool -h" 0 - - -- sh -c "'$BIN/$tool' -h | grep -q '^usage: $tool'"
	check "$tool --version" 0 - - -- sh -c "'$BIN/$tool' --version | grep -Eq '^$tool [0-9]+\\.[0-9]+'"
	check "$tool bad option" 2 - - "^$tool: |^usage: $tool" -- "$BIN/$tool" --no-such-option
	expect "$tool man page" "grep -q '$tool' '$TOP/man/$tool.1' && grep -Eq '^\\.S[hH] +\"?EXIT STATUS' '$TOP/man/$tool.1'"
	expect "$tool man SYNOPSIS matches usage" \
		"grep -q 'usage: $tool' '$TOP/tools/$tool.c' && grep -Eiq '^\\.S[hH] +SYNOPSIS' '$TOP/man/$tool.1'"
done
