#!/bin/bash
# No local user can keep a daemon from its group (dmfilemapd(8), ONE DAEMON
# PER GROUP).  Claims used to be abstract unix socket names, which any user
# may bind: uid 1000 holding @dmfilemapd/MAJ:MIN/0 made the daemon that
# dmstats starts refuse its group, and holding the next ids ended a
# running daemon when its group moved onto one.  Here uid 1000 holds those
# names and tries to make files where the claims live; the group is
# followed all the same, through growth and a move of its leader.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

DIR=/run/dmfilemapd
holder=
# stop_holder: the names are let go whatever the test's end.
stop_holder() {
	local status=$?
	[ -z "$holder" ] || kill "$holder" 2>/dev/null || true
	exit "$status"
}
trap stop_holder EXIT

as_user() {
	setpriv --reuid=1000 --regid=1000 --clear-groups "$@"
}

require_daemon
step "ext4 on a dm-linear device, a file in 3 extents"
setup_mapped
fragmented_file /mnt/f 3
devno=$(dmsetup info -c --noheadings -o major,minor lin | tr -d ' ')

step "uid 1000 holds the claim names of ids 0 to 31, as abstract sockets"
names=()
for id in $(seq 0 31); do names+=("dmfilemapd/$devno/$id"); done
as_user hold-names "${names[@]}" >/tmp/held 2>&1 &
holder=$!
wait_until 10 grep -qx held /tmp/held
grep -q "@dmfilemapd/$devno/0\$" /proc/net/unix || fail "uid 1000 does not hold @dmfilemapd/$devno/0"

step "uid 1000 cannot make the directory of the claims"
if as_user mkdir "$DIR" 2>/dev/null; then fail "uid 1000 made $DIR"; fi

step "dmstats create --filemap: the daemon starts and follows the group"
gid=$(filemap_create /mnt/f)
pid=$(wait_for_daemon "$gid" /mnt/f)
check_group /mnt/f "$dev" "$gid"
assert_eq "700 root" "$(stat -c '%a %U' "$DIR/$devno.daemons")" "mode and owner of the claims' directory"
assert_eq "600 root" "$(stat -c '%a %U' "$DIR/$devno.daemons/$gid")" "mode and owner of the claim's socket"
if as_user touch "$DIR/$devno.daemons/x" 2>/dev/null; then fail "uid 1000 made a file among the claims"; fi

step "the file grows, then its first extent goes: the group moves onto a held id"
fallocate -l 8M /mnt/f
wait_group /mnt/f "$dev" f
fallocate -p -o 0 -l 1M /mnt/f
wait_group /mnt/f "$dev" f
new=$(group_id_by_alias "$dev" f)
[ "$new" != "$gid" ] || fail "the group did not move (still $gid)"
assert_running "$pid" "the daemon of the moved group"
[ -S "$DIR/$devno.daemons/$new" ] || fail "no claim on the group's new id $new"
wait_no_strays 10 "$dev"
echo "ok: group $gid, now $new, followed while uid 1000 held ids 0-31"
