# Conventions every tool keeps: --help, --version, usage errors, a man page;
# and the code's own rules (DEVELOPERS' "How we write C"): short functions,
# one exit-code table, one definition of each piece of domain knowledge.
. "$TOP/tests/lib.sh"

for src in "$TOP"/tools/*.c; do
	tool=$(basename "$src" .c)
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
	expect "$tool uses the one exit-code table" \
		"grep -q '#include \"exitcode.h\"' '$src' && ! grep -Eq 'EXIT?_[A-Z]+ *= *[0-9]' '$src'"
done

# No function in tools/ or lib/ is longer than 80 lines.  A function body
# opens with "{" in column 0 and closes with "}" in column 0.
awk '/^\{/ { start = FNR; name = prev }
     /^\}/ && start { if (FNR - start - 1 > 80) printf "%s:%d: %s (%d lines)\n", FILENAME, start, name, FNR - start - 1; start = 0 }
     /^[a-z].*\(/ { prev = $0 }' "$TOP"/tools/*.c "$TOP"/lib/*.c >"$T/long"
expect "no function longer than 80 lines" "[ ! -s '$T/long' ] || { cat '$T/long'; false; }"

# One definition each (issue 12): where the decision lives, and nowhere else.
one() { # NAME PATTERN FILE: PATTERN matches in FILE only, among lib/ and tools/
	hits=$(grep -lE -- "$2" "$TOP"/lib/*.[ch] "$TOP"/tools/*.c | sed "s|^$TOP/||")
	if [ "$hits" = "$3" ]; then ok "one definition: $1"; else not_ok "one definition: $1" "in: $hits"; fi
}
one "seconds per day" '#define [A-Z_]*DAY ' lib/bt.h
one "FNV prime" '1099511628211' lib/hash.c
one "log level names" '"debug", *"info", *"warn", *"error"' lib/msg.c
one "interval table" '\{ *"15m", ' lib/sym.c
one "allocation failure" 'msg_die\(.*"out of memory"' lib/xalloc.c
expect "no abort() for a recoverable condition" "! grep -n 'abort()' '$TOP'/lib/*.c '$TOP'/tools/*.c"
