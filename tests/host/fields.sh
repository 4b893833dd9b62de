#!/bin/bash
# Each module writes only its own structs.  A field of a struct defined in
# include/X.h is assigned (=, +=, ...), stepped (++, --) or handed out
# writable (&s->f, or an array field, where a pointer that is not to const
# is wanted) only in src/X.c; another file reads it, or calls X's
# functions.  Field names repeat from struct to struct, so clang-14's
# syntax tree of each file says which struct a field written belongs to.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

command -v clang-14 >/dev/null ||
	{ echo "clang-14 is needed (tests/vm/setup installs it)"; exit 1; }

# Source files that share another's structs, "FILE MODULE": apply.c
# changes the group that group.h's struct keeps, plan_window.c fills in
# plan.h's plans, and monitor.c starts and runs the loop whose state
# react.h's struct monitor holds.
parts="apply group
plan_window plan
monitor react"

# The genuine exceptions, "STRUCT FILE" (FILE * for any), and why:
# - range, region: plain values (a device range; a region's id, range and
#   counts) that whoever computes one fills in, as ints are.
# - options: the command line's settings, which cli_parse fills in and the
#   start-up completes (the file opened, moved above stdio, the group
#   created or found).
# - stats_device: the handle of one device's dm-stats, which its back end
#   fills in (devmapper.c, or the unit tests' model of the kernel).
# - fault: the one line a refusal carries up, which only fault.c's
#   functions fill in; the function that gives up prints it, and a string
#   handed to printf looks in the tree like a buffer handed out to write.
allowed="range *
region *
options *
fault *
stats_device devmapper"

# "STRUCT MODULE" for every struct the headers define.
owners=$(for h in include/*.h; do
	sed -n "s/^struct \([a-z_0-9]*\) {.*/\1 $(basename "$h" .h)/p" "$h"
done)

# Reads clang's dump of one file; prints "LINE STRUCT.FIELD OWNER" for
# every field it writes of a struct that another module owns.
writes=$(cat <<'EOF'
BEGIN {
	n = split(owners, o, "\n")
	for (i = 1; i <= n; i++) { split(o[i], p, " "); owner[p[1]] = p[2] }
	n = split(allowed, o, "\n")
	for (i = 1; i <= n; i++) { split(o[i], p, " "); ok[p[1] " " p[2]] = 1 }
}
{
	# Depth in the tree: two characters of "| " or "`-" a level.
	match($0, /^[|` -]*/)
	d = RLENGTH / 2
	node = substr($0, RLENGTH + 1)
	nw = split(node, word, " ")
	kind[d] = word[1]; text[d] = node
	at[d] = ++children[d - 1]; children[d] = 0
	# Lines are printed only when they change, "col:" meaning the same.
	line = node ~ /^[A-Za-z]+ 0x[0-9a-f]+ <col:/ ? last : 0
	rest = node
	while (match(rest, /(line|\.[ch]):[0-9]+/)) {
		last = substr(rest, RSTART, RLENGTH)
		sub(/.*:/, "", last)
		if (!line) line = last
		rest = substr(rest, RSTART + RLENGTH)
	}
	if (kind[d] == "RecordDecl") {
		record[d] = ""
		if (match(node, / struct [a-z_0-9]+ definition/))
			record[d] = substr(node, RSTART + 8, RLENGTH - 19)
	}
	if (kind[d] == "FieldDecl" && kind[d - 1] == "RecordDecl")
		struct_of[word[2]] = record[d - 1]
	# Whether this node is written, from what its parent does with it.
	pk = kind[d - 1]; pt = text[d - 1]
	w[d] = 0
	if (pk == "BinaryOperator" && pt ~ /'='$/ && at[d] == 1 ||
	    pk == "CompoundAssignOperator" && at[d] == 1 ||
	    pk == "UnaryOperator" && pt ~ /'(\+\+|--)'/)
		w[d] = 1
	else if (pk == "ParenExpr" || pk == "ArraySubscriptExpr" && at[d] == 1 ||
	    pk == "MemberExpr" && pt ~ / lvalue \.[a-z_0-9]+ 0x/)
		w[d] = w[d - 1]
	else if (pk == "UnaryOperator" && pt ~ /prefix '&'/ ||
	    pk == "ImplicitCastExpr" && pt ~ /<ArrayToPointerDecay>/)
		# A pointer to const, as through a const struct's pointer.
		if (pt ~ /'const [^']*\*'/)
			w[d] = 0
		else if (kind[d - 2] == "ArraySubscriptExpr")
			w[d] = w[d - 2]
		else
			w[d] = !(kind[d - 2] == "ImplicitCastExpr" &&
			    text[d - 2] ~ /'const [^']*\*' <(NoOp|BitCast)>/)
	if (kind[d] != "MemberExpr" || !w[d])
		next
	s = struct_of[word[nw]]
	f = word[nw - 1]
	sub(/^(->|\.)/, "", f)
	if (s in owner && owner[s] != module && !ok[s " *"] && !ok[s " " file])
		print line, s "." f, owner[s]
}
EOF
)

# The Makefile's preprocessor flags, which a dump needs and no more.
# shellcheck disable=SC2207
flags=(-Iinclude -D_GNU_SOURCE -DDMFILEMAPD_VERSION='""'
	$(pkg-config --cflags devmapper 2>/dev/null || true))
bad=0
for f in src/*.c; do
	file=$(basename "$f" .c)
	module=$(printf '%s\n' "$parts" | awk -v f="$file" '$1 == f { print $2 }')
	dump=$(clang-14 -fsyntax-only -fno-color-diagnostics -Xclang -ast-dump \
		"${flags[@]}" "$f") || { echo "clang-14 cannot read $f"; exit 1; }
	found=$(awk -v owners="$owners" -v allowed="$allowed" \
		-v module="${module:-$file}" -v file="$file" "$writes" <<<"$dump")
	[ -z "$found" ] && continue
	bad=1
	while read -r line field owner; do
		echo "$f:$line: writes $field, which src/$owner.c owns"
	done <<<"$found"
done
[ "$bad" = 0 ] || exit 1
echo "every module writes only its own structs' fields"
