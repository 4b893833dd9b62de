#!/bin/bash
# Signals that come while the daemon is busy, in the middle of a pass that
# makes a region for each of a thousand and more new extents.  SIGTERM and
# SIGINT end it with status 0 within a bounded time, and whatever it leaves
# is a valid group: a descriptor on its lowest member that names only
# regions that exist and that `dmstats list --group` reads, and no region
# outside every group; a daemon started afterwards brings the group in
# step.  A storm of SIGHUPs in the middle of such a pass does not end the
# daemon, and the group then matches the file.  (signals.sh covers the
# same signals sent to an idle daemon.)
# vm-options: --mem 1024
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

N=800          # stripes of the file: 2N regions to make when they split
EXIT_S=30      # how long the daemon may take to end after the signal
FIRST=100      # regions the pass has made when the signal is sent
file=/mnt/f

# start_daemon LOG: the daemon by hand in the foreground at -vv (each
# region it creates is a line of LOG) on the group now called f; sets pid.
start_daemon() {
	local gid
	gid=$(group_id_by_alias "$dev" f)
	: >"$1"
	# shellcheck disable=SC2094 # the log is not the followed file
	dmfilemapd 3 "$gid" "$file" inode 1 2 3<"$file" 2>"$1" &
	pid=$!
	wait_until 60 grep -q "started: fd 3, group $gid " "$1"
	# The first pass is over once the daemon idles in poll().
	wait_until 60 waiting_in_poll "$pid"
}

# created LOG: the regions the log says the daemon has created.
created() {
	grep -c "created region" "$1" || true
}

# made_since LOG COUNT: the log shows FIRST regions created since it showed COUNT.
made_since() {
	[ "$(($(created "$1") - $2))" -ge "$FIRST" ]
}

# busy_with CHANGE LOG: stops the daemon, makes CHANGE (a function) to the
# file, lets the daemon go on, so that one pass takes the whole change,
# and waits until that pass has made FIRST regions.  Sets before (the
# regions the log showed before) and updates (the passes it had finished).
busy_with() {
	before=$(created "$2")
	updates=$(grep -c "updated:" "$2" || true)
	kill -STOP "$pid"
	"$1" "$file" "$N"
	kill -CONT "$pid"
	wait_until 30 made_since "$2" "$before"
}

# assert_mid_pass LOG: the pass busy_with started has not finished.
assert_mid_pass() {
	assert_eq "$updates" "$(grep -c "updated:" "$1" || true)" \
		"passes finished when the signal was sent (it must come mid-pass)"
}

# ends_valid SIGNAL LOG: sends SIGNAL mid-pass; the daemon exits 0 within
# EXIT_S and leaves a valid group and no stray region.
ends_valid() {
	local sig=$1 log=$2 start took
	assert_mid_pass "$log"
	start=$(now_ms)
	kill -"$sig" "$pid"
	assert_exit 0 "$pid" "$EXIT_S" "exit status after SIG$sig in the middle of a pass"
	took=$(($(now_ms) - start))
	echo "   SIG$sig after $(($(created "$log") - before)) new regions in the log;" \
		"the daemon ended $took ms later"
	group_valid "$dev" "$(group_id_by_alias "$dev" f)"
	assert_no_strays "$dev"
	wait_log "$log" "exiting, group [0-9]+ left as it is\$"
}

require_daemon
step "ext4 on a dm-linear device, a file of $N extents of 3 blocks, its group"
setup_mapped
striped_file "$file" "$N"
filemap_create "$file" --nomonitor >/dev/null
start_daemon /tmp/term.log
check_group "$file" "$dev" "$(group_id_by_alias "$dev" f)"

step "the stripes split in two: SIGTERM in the middle of the pass"
busy_with split_stripes /tmp/term.log
ends_valid TERM /tmp/term.log

step "a new daemon brings the group in step"
start_daemon /tmp/int.log
wait_group "$file" "$dev" f 60
wait_no_strays 30 "$dev"

step "the stripes made anew elsewhere: SIGINT in the middle of the pass"
busy_with restripe /tmp/int.log
ends_valid INT /tmp/int.log

step "a new daemon brings the group in step"
start_daemon /tmp/hup.log
wait_group "$file" "$dev" f 60
wait_no_strays 30 "$dev"

step "the stripes split again: 20 SIGHUPs in the middle of the pass"
busy_with split_stripes /tmp/hup.log
assert_mid_pass /tmp/hup.log
for _ in $(seq 20); do
	kill -HUP "$pid"
	sleep 0.05
done
wait_group "$file" "$dev" f 60
assert_running "$pid" "the daemon after 20 SIGHUPs"
wait_no_strays 30 "$dev"
wait_log /tmp/hup.log "SIGHUP: full sync\$"
kill -TERM "$pid"
assert_exit 0 "$pid" "$EXIT_S" "exit status after SIGTERM"
echo "ok: SIGTERM and SIGINT mid-pass left valid groups; SIGHUPs mid-pass ended nothing"
