#!/bin/bash
# Runner self-test: prints a fixed text full of awkward bytes; the host runs
# it too and compares.  Deterministic: no dates, pids or host names.
printf 'plain line\n'
printf '\tleading tab, trailing blanks   \n'
printf '\n\n'
printf 'backslashes \\ \\n %% percent and "quotes" and '\''single'\''\n'
printf 'utf-8: \xc3\xa9t\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x99\x82\n'
printf 'to stderr\n' >&2
# Builtins only: under emulation every fork costs milliseconds.
for ((i = 1; i <= 300; i++)); do
	printf -v pad '%*s' $((i % 70)) ''
	printf 'line %04d %s\n' "$i" "${pad// /x}"
done
printf '%s\n' "$(head -c 5000 /dev/zero | tr '\0' 'y')"
printf 'last line without newline'
