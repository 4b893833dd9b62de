#!/bin/bash
# Blanks in names.  A file whose name has a blank and a tab is followed
# (Debian's dmstats 1.02.185 aborts on such an alias, so it gets --alias
# plain).  An alias with a blank, a tab and a backslash, and user aux_data
# with a blank, written correctly escaped, survive unchanged when the
# daemon rewrites the descriptor.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

# id_list: the ids read, one a line, in libdevmapper's member list form,
# e.g. 0-2,5.
id_list() {
	sort -n | awk '
		NR == 1 { first = last = $1; next }
		$1 == last + 1 { last = $1; next }
		{ out = out sep (first == last ? first : first "-" last); sep = ","; first = last = $1 }
		END { print out sep (first == last ? first : first "-" last) }'
}

# regions_on FILE DEV: "id start len" of DEV's regions that lie on FILE's data.
regions_on() {
	local extents id start len
	extents=$(file_extents "$1" | merge_ranges)
	stats_list "$2" | awk '{ sub(/:$/, "", $1); split($2, r, "+"); print $1, r[1], r[2] }' |
		while read -r id start len; do
			if lies_within "$start" "$len" "$extents"; then echo "$id $start $len"; fi
		done
}

# blank_group_current FILE DEV: the regions on FILE's data cover it exactly,
# without overlap, and the lowest of them carries the descriptor with the
# blank alias and user aux_data, listing exactly them.
blank_group_current() {
	local regions ids lowest want
	regions=$(regions_on "$1" "$2")
	[ "$(printf '%s\n' "$regions" | awk '{ print $2, $3 }' | merge_ranges strict 2>/dev/null)" = \
		"$(file_extents "$1" | merge_ranges)" ] || return 1
	ids=$(printf '%s\n' "$regions" | awk '{ print $1 }')
	lowest=$(printf '%s\n' "$ids" | sort -n | head -n 1)
	want="DMS_GROUP=my file"$'\t'"x\\y:$(id_list <<<"$ids")#two words"
	[ "$(stats_list "$2" | grep "^$lowest: " | cut -d ' ' -f 5-)" = "$want" ]
}

require_daemon
step "ext4 on a dm-linear device"
setup_mapped

step "a file named with a blank and a tab, mapped with --alias plain"
named=$'/mnt/my file\twith tab'
fallocate -l 2M "$named"
gid=$(filemap_create "$named" --alias plain)
pid=$(wait_for_daemon "$gid" "$named")
check_group "$named" "$dev" "$gid"
fallocate -l 7M "$named"
wait_group "$named" "$dev" plain
assert_running "$pid"

step "an alias with a blank, a tab and a backslash, set by hand on the leader"
fragmented_file /mnt/b 2
gid=$(filemap_create /mnt/b --nomonitor)
members=$(group_members "$dev" "$gid")
members=$(id_list <<<"$members")
# The kernel takes a backslash as escaping the next character.
dmsetup message "$dev" 0 "@stats_set_aux $gid DMS_GROUP=my\\ file\\"$'\t'"x\\\\y:$members#two\\ words"
leader=$(stats_list "$dev" | grep "^$gid: ")
assert_eq "DMS_GROUP=my file"$'\t'"x\\y:$members#two words" "$(printf '%s\n' "$leader" | cut -d ' ' -f 5-)" \
	"the leader's aux_data as the kernel keeps it"

step "the daemon rewrites the descriptor after growth"
# shellcheck disable=SC2094 # the daemon only reads the file it follows
dmfilemapd 3 "$gid" /mnt/b inode 1 1 3</mnt/b 2>/tmp/b.log &
bpid=$!
wait_log /tmp/b.log "started: .* /mnt/b\$"
fragmented_file /mnt/b 4
wait_log /tmp/b.log "^dmfilemapd: group [0-9]+ updated: "
if ! poll_until 10 blank_group_current /mnt/b "$dev"; then
	stats_list "$dev" >&2
	fail "no group with the blank alias covers /mnt/b"
fi
assert_running "$bpid"
echo "ok: blanks in the file name, the alias and the user aux_data all kept"
