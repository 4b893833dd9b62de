#!/bin/bash
# No leak over 1 000 sync passes: after 50 passes and again after 1 000 the
# daemon has the same fds, the same resident memory (within a few pages)
# and the device the same regions.  Each round grows the file by a block
# (a region created), cuts it back (a region deleted) and sends 8 SIGHUPs
# (8 full syncs); a pass is counted by its listing of the group in the
# -vvv log.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

file=/mnt/f
log=/tmp/daemon.log
lists=0          # group listings seen in the log, one per pass
rss_slack_kb=32  # allocator noise; a leak of 40 bytes a pass would exceed it

# await ERE: reads the log up to a line matching ERE, counting the passes.
# Waits without forking (read -t on an idle fifo), so that 1 000 passes
# take seconds; fails after about 10 s without a match.
await() {
	local line spins=0
	while :; do
		if IFS= read -r line <&5; then
			[[ $line == *"message '@stats_list': ok" ]] && lists=$((lists + 1))
			[[ $line =~ $1 ]] && return 0
			continue
		fi
		spins=$((spins + 1))
		[ "$spins" -lt 2000 ] || { tail -n 20 "$log" >&2; fail "no log line matching /$1/"; }
		read -r -t 0.005 -u 6 _ || true
	done
}

# round: one region created, one deleted, 8 full syncs; the file ends as it began.
round() {
	local i
	echo "falloc $size 4k" >&"${xfs_io[1]}"
	await "updated: .* 1 created, 0 deleted\$"
	echo "truncate $size" >&"${xfs_io[1]}"
	await "updated: .* 0 created, 1 deleted\$"
	for ((i = 0; i < 8; i++)); do
		kill -HUP "$pid"
		await "SIGHUP: full sync\$"
	done
}

# usage PID: "fds rss_kb regions" of the daemon and the device.
usage() {
	echo "$(find "/proc/$1/fd" -mindepth 1 -maxdepth 1 | wc -l) $(awk '/^VmRSS:/ { print $2 }' "/proc/$1/status") $(stats_list "$dev" | wc -l)"
}

require_daemon
step "ext4 on a dm-linear device, an 8-extent file, the daemon at -vvv"
setup_mapped --pieces 8 --nomonitor "$file"
size=$(stat -c %s "$file")
: >"$log"
exec 5<"$log"
# shellcheck disable=SC2094 # the daemon only reads the file it follows
dmfilemapd 3 "$gid" "$file" inode 1 3 3<"$file" 2>"$log" &
pid=$!
mkfifo /tmp/tick
exec 6<>/tmp/tick
await "plan: keep"
coproc xfs_io { exec xfs_io "$file" >/dev/null 2>&1; }

step "rounds up to 50 passes"
while [ "$lists" -lt 50 ]; do round; done
read -r fds rss regions < <(usage "$pid")
echo "after $lists passes: $fds fds, VmRSS $rss kB, $regions regions"

step "rounds up to 1 000 passes"
while [ "$lists" -lt 1000 ]; do round; done
read -r fds2 rss2 regions2 < <(usage "$pid")
echo "after $lists passes: $fds2 fds, VmRSS $rss2 kB, $regions2 regions"
assert_eq "$fds" "$fds2" "open fds"
assert_eq "$regions" "$regions2" "regions on $dev"
[ "$rss2" -le $((rss + rss_slack_kb)) ] || fail "VmRSS grew from $rss kB to $rss2 kB"
check_group "$file" "$dev" "$(group_id_by_alias "$dev" f)"
assert_no_strays "$dev"
kill -TERM "$pid"
assert_exit 0 "$pid" 2
echo "ok: no leak over $lists passes"
