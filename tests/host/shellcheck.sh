#!/bin/bash
# Every shell script of the tree passes shellcheck at its default severity,
# style included.  Scripts are found by name (*.sh) or by a first line
# running sh, bash or dash, so that a new one is checked without being
# listed.  shellcheck runs from the top of the tree, where the source=
# directives of the guest scripts start (.shellcheckrc).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

command -v shellcheck >/dev/null ||
	{ echo "no shellcheck on this machine: tests/vm/setup installs it"; exit 1; }

# shell_scripts: the tree's shell scripts, one path a line, leaving out
# what builds, runs and the VM cache put in it.
shell_scripts() {
	local file first
	find . \( -path ./.git -o -path ./build -o -path ./bench/results \
		-o -path ./tests/vm/cache -o -path ./tests/vm/build -o -path ./tests/vm/bin \) \
		-prune -o -type f -print | sort | while IFS= read -r file; do
		file=${file#./}
		case $file in
		*.sh) echo "$file" ;;
		*)
			IFS= read -r first <"$file" || continue
			[[ $first =~ ^'#!'[[:space:]]*[^[:space:]]*/([^[:space:]]+[[:space:]]+)?(sh|bash|dash)([[:space:]]|$) ]] &&
				echo "$file"
			;;
		esac
	done
}

mapfile -t scripts < <(shell_scripts)
# A broken search must not pass as a clean tree.
[ ${#scripts[@]} -gt 0 ] || { echo "no shell script found under $top"; exit 1; }
if ! findings=$(shellcheck -f gcc "${scripts[@]}" 2>&1); then
	echo "$findings"
	echo "shellcheck: $(grep -cE '\[SC[0-9]+\]$' <<<"$findings") finding(s) in ${#scripts[@]} scripts"
	exit 1
fi
echo "shellcheck: no finding in ${#scripts[@]} scripts"
