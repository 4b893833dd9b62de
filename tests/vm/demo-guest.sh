#!/bin/bash
# The guest half of `make demo` (see tests/vm/demo): Debian's dmstats makes a
# file-map group, starts dmfilemapd, and the group follows the file as it
# grows and gets holes punched in it.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

file=/mnt/demo/data
alias=data   # dmstats names the group after the file
behind=0
# Headings in bold when the host's terminal shows it (tests/vm/demo says so).
if [ "${1:-}" = color ]; then
	say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
else
	say() { printf '\n%s\n' "$*"; }
fi
run() { printf '  $ %s\n' "$*"; "$@"; }
# Wraps the output of a command so that it stands out from the narration.
indent() { sed 's/^/    /'; }

# Direct I/O on the file's first MiB, so that the report shows counters move.
touch_file() {
	dd if=/dev/urandom of="$file" bs=1M count=1 conv=notrunc oflag=direct status=none
	dd if="$file" of=/dev/null bs=64k count=16 iflag=direct status=none
}

# Waits (up to 10 s) for the group to match the file, as the daemon should
# make it, then shows where things stand.
show() {
	local deadline=$(($(now_ms) + 10000))
	until (check_group "$file" "$dev" "$(group_id_of "$dev" "$alias")") 2>/dev/null; do
		if [ "$(now_ms)" -ge "$deadline" ]; then
			echo "  (after 10 s the group still differs from the file:"
			echo "   is dmfilemapd running?)"
			behind=1
			break
		fi
		sleep 0.05
	done
	touch_file
	echo "  The file has $(file_extents "$file" | wc -l) extent(s); the group has" \
		"$(group_regions "$dev" "$(group_id_of "$dev" "$alias")" | wc -l) region(s)."
	echo "  dmstats list --group:"
	dmstats list --group "$dev" | indent
	echo "  dmstats report --group:"
	dmstats report --group "$dev" | indent
}

say "1. A scratch disk becomes a dm-linear device with ext4 on it"
dev=$(make_linear demo)
make_fs ext4 "$dev" /mnt/demo
echo "  $dev is mounted on /mnt/demo"

say "2. A 16 MiB file, and a neighbour right behind it so that growth must go elsewhere"
run fallocate -l 16M "$file"
run fallocate -l 4M /mnt/demo/neighbour

say "3. Debian's dmstats maps the file and starts dmfilemapd"
# Through a file: the daemon inherits dmstats's output.
echo "  \$ dmstats create --filemap $file"
dmstats create --filemap "$file" >/tmp/create.out 2>&1
indent </tmp/create.out
gid=$(sed -n 's/.*as group ID \([0-9][0-9]*\)\.$/\1/p' /tmp/create.out)
if pid=$(wait_for_daemon "$gid" "$file" 2>/dev/null); then
	echo "  dmstats started: $(daemon_cmdline "$pid")   (pid $pid)"
else
	echo "  No dmfilemapd is running: the group will not follow the file."
fi
show

say "4. The file grows by 8 MiB"
run fallocate -o "$(stat -c %s "$file")" -l 8M "$file"
show

say "5. A 2 MiB hole is punched in the middle"
run fallocate --punch-hole -o 4M -l 2M "$file"
show

say "6. The file grows again, by 4 MiB"
run fallocate -o "$(stat -c %s "$file")" -l 4M "$file"
show

say "7. Another hole, near the start"
run fallocate --punch-hole -o 1M -l 1M "$file"
show

if [ "$behind" = 0 ]; then
	say "The group followed the file through every change."
else
	say "The group did not keep up with the file: see the notes above."
	exit 1
fi
