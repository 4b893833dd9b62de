#!/bin/bash
# One system's libdevmapper and dmstats with the daemon, start to finish:
# its form of the group descriptor kept through growth, a punch at the
# file's start (the leader moves), truncation and a rename by
# dm_stats_set_alias; an alias with a blank where the library takes one;
# a --precise --bounds group whose new members count like the leader;
# then that system's own `dmstats list --group`, `report --group` and
# `delete --groupid` on the groups, and the daemons exit.
#
# The case that sources this sets SYSTEM (debian12, debian13, spawner),
# runs under that libdevmapper (tests/vm/run --libdm) and defines
#   follow_new FILE [DMSTATS_OPTIONS...]: makes FILE's group as a user of
#       that system does and gets a daemon following it; prints the group id.
# It may define system_extras, run after the common steps with dev set.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

: "${SYSTEM:?the case sets SYSTEM}"
case $SYSTEM in
debian12) library=1.02.185 form=bare ;;
debian13 | spawner) library=1.02.205 form=quoted ;;
*) fail "unknown system $SYSTEM" ;;
esac

# as_written ALIAS: ALIAS as this system's libdevmapper writes it.
as_written() {
	if [ "$form" = quoted ]; then printf '"%s"' "$1"; else printf '%s' "$1"; fi
}

# assert_form DEV ALIAS: the group ALIAS's leader carries its descriptor in
# this system's form: DMS_GROUP=<alias as written>:<members>#<user aux>.
assert_form() {
	local gid line want
	gid=$(group_id_by_alias "$1" "$2")
	line=$(region_line "$1" "$gid")
	want="DMS_GROUP=$(as_written "$2"):"
	[[ $line == *" $want"[0-9]* ]] ||
		fail "group '$2' (leader $gid) is not written as $want...: $line"
}

# daemon_of GROUP_ID FILE: the pid of the daemon following the group, by
# its open file: the positional form and --groupid name the group alike.
daemon_of() {
	wait_for_daemon "$1" "$2"
}

require_daemon
step "$SYSTEM: libdevmapper $library"
assert_match "Library version: *$library" "$(dmstats version)" "dmstats version"
assert_eq "$(readlink -f "${LD_LIBRARY_PATH:-/usr/lib/x86_64-linux-gnu}/libdevmapper.so.1.02.1")" \
	"$(readlink -f "$(libdevmapper_of /usr/sbin/dmfilemapd)")" "libdevmapper the daemon loads"

step "ext4 on a dm-linear device"
setup_mapped
spaced="/mnt/With Spaces.img"
fragmented_file "$spaced" 3
fragmented_file /mnt/timed 2

if [ "$form" = quoted ]; then
	step "a file named with a blank, mapped under its own name"
	alias="With Spaces.img"
	gid=$(follow_new "$spaced")
else
	step "a file named with a blank: libdevmapper $library cannot carry it as an alias"
	# It aborts (SIGABRT): the subshell keeps bash from reporting that.
	if (dmstats create --filemap "$spaced" --nomonitor >/tmp/blank.out 2>&1) 2>/dev/null; then
		fail "dmstats $library took an alias with a blank: $(cat /tmp/blank.out)"
	fi
	unwatched dmstats delete --allregions "${dev#/dev/mapper/}" >/dev/null 2>&1 || true
	assert_refused "$dev" 1 "dmfilemapd: FILE '$spaced': its name, the group's alias unless --alias gives one, holds a blank, which this libdevmapper's dmstats cannot read back (a space) or rewrite (a tab)" '' --create "$spaced"
	alias=with_spaces
	gid=$(follow_new "$spaced" --alias "$alias")
fi
pid=$(daemon_of "$gid" "$spaced")
check_group "$spaced" "$dev" "$gid"
assert_form "$dev" "$alias"

step "a --precise --bounds group"
timed_gid=$(follow_new /mnt/timed --precise --bounds 1ms,10ms,100ms)
timed_pid=$(daemon_of "$timed_gid" /mnt/timed)
check_group /mnt/timed "$dev" "$timed_gid"
timed_options=$(region_line "$dev" "$timed_gid" | sed 's/.*#[^ ]*//')
assert_match 'histogram:' "$timed_options" "options of the --bounds group's leader"

step "both daemons are dmfilemapd to ps and pgrep"
assert_eq "$(printf '%s\n' "$pid" "$timed_pid" | sort -n)" "$(pgrep -x dmfilemapd | sort -n)" "pgrep -x dmfilemapd"
assert_eq 2 "$(ps -C dmfilemapd --no-headers | wc -l)" "processes ps -C dmfilemapd lists"

step "growth: the descriptor is rewritten in this system's form"
first=$(group_regions "$dev" "$gid")
fragmented_file "$spaced" 6
wait_group "$spaced" "$dev" "$alias"
assert_kept "$first" "$spaced" "$dev" "$alias"
assert_form "$dev" "$alias"

step "a punch at the file's start: the leader moves"
fallocate -p -o 0 -l 1M "$spaced"
wait_group "$spaced" "$dev" "$alias"
new_gid=$(group_id_by_alias "$dev" "$alias")
[ "$new_gid" != "$gid" ] || fail "the leader did not move (still $gid)"
assert_form "$dev" "$alias"
gid=$new_gid

step "truncation"
truncate -s 3M "$spaced"
wait_group "$spaced" "$dev" "$alias"
wait_no_strays 10 "$dev"
assert_form "$dev" "$alias"

step "renamed through dm_stats_set_alias: followed under the new name"
if [ "$form" = quoted ]; then renamed="renamed image"; else renamed=renamed_image; fi
dm-set-alias "${dev#/dev/mapper/}" "$gid" "$renamed" || fail "dm_stats_set_alias failed"
assert_form "$dev" "$renamed"
fallocate -l 8M "$spaced"
wait_group "$spaced" "$dev" "$renamed"
assert_running "$pid" "the daemon of the renamed group"
alias=$renamed
gid=$(group_id_by_alias "$dev" "$alias")

step "the --precise --bounds group grows: new members count like its leader"
fragmented_file /mnt/timed 5
wait_group /mnt/timed "$dev" timed
timed_gid=$(group_id_by_alias "$dev" timed)
for id in $(group_members "$dev" "$timed_gid"); do
	assert_eq "$timed_options" "$(region_line "$dev" "$id" | sed 's/^[^ ]* [^ ]* [^ ]* [^ ]* [^ ]*//')" \
		"options of region $id of the --bounds group"
done
assert_form "$dev" timed

if declare -F system_extras >/dev/null; then system_extras; fi

step "this system's dmstats lists, reports and deletes the groups"
listed=$(unwatched dmstats list --group --noheadings --separator '|' -o group_id,obj_type,stats_name "${dev#/dev/mapper/}") ||
	fail "dmstats list --group failed"
for want in "$gid|group|$alias" "$timed_gid|group|timed"; do
	printf '%s\n' "$listed" | grep -qxF "$want" || {
		printf '%s\n' "$listed" >&2
		fail "dmstats list --group does not show '$want'"
	}
done
report=$(unwatched dmstats report --group --noheadings --separator '|' -o group_id,stats_name,read_count "${dev#/dev/mapper/}") ||
	fail "dmstats report --group failed"
printf '%s\n' "$report" | grep -q "^$gid|$alias|" || {
	printf '%s\n' "$report" >&2
	fail "dmstats report --group does not report group '$alias'"
}
dmstats delete --groupid "$gid" "${dev#/dev/mapper/}" || fail "dmstats delete --groupid $gid failed"
dmstats delete --groupid "$timed_gid" "${dev#/dev/mapper/}" || fail "dmstats delete --groupid $timed_gid failed"
wait_until 5 process_gone "$pid"
wait_until 5 process_gone "$timed_pid"
assert_eq "" "$(stats_list "$dev")" "regions left after deleting both groups"
echo "ok: $SYSTEM's dmstats and the daemon, $form descriptors throughout"
