#!/bin/bash
# The loop owns its state: no file in src/ but the loop's (monitor.c,
# react.c) and main.c includes monitor.h or react.h, and neither the
# headers nor the source files include one another in a circle (a source
# file counts as its header).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

bad=$(grep -l -e '#include "monitor.h"' -e '#include "react.h"' src/*.c |
	grep -v -e '^src/monitor.c$' -e '^src/react.c$' -e '^src/main.c$' || true)
[ -z "$bad" ] || { echo "these include monitor.h or react.h: $bad"; exit 1; }

# Edges "a b": module a (a header or its source file) includes header b.
edges=$(for f in include/*.h src/*.c; do
	name=$(basename "$f"); name=${name%.*}
	sed -n 's/^#include "\(.*\)\.h"$/\1/p' "$f" | while read -r dep; do
		[ "$dep" = "$name" ] || echo "$name $dep"
	done
done | sort -u)
# tsort reports a loop on stderr and exits non-zero.
if ! out=$(printf '%s\n' "$edges" | tsort 2>&1 >/dev/null); then
	echo "modules include one another in a circle:"
	echo "$out"
	exit 1
fi
echo "only the loop knows struct monitor; no include circle"
