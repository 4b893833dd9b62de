#!/bin/bash
# The guest's side of a lane of tests/check: runs VM cases one after
# another in one boot, each as if the guest were new, so that a case costs
# no boot of its own.  The host (tests/check, lane_serve) hands out the
# cases one at a time, so that lanes running side by side share one queue.
#
# Usage (by tests/check):  tests/vm/run --input FIFO --with CASE.sh ... \
#                              tests/vm/lane-guest.sh TOKEN
#
# The dialogue: this script prints "TOKEN next" on its output and reads
# the test's name from the host's line on /dev/ttyS2 (run --input):
# "vm/NAME" runs /test/NAME.sh, "san/vm/NAME" runs it through
# san-guest.sh with the sanitized daemon (/test/dmfilemapd.san); an empty
# line ends the lane.  After each case it prints "TOKEN done STATUS MS"
# on a line of its own, then puts the guest back as it found it: every
# process the case left is killed, its mounts, device-mapper devices and
# loop devices go, files it made in the guest's own directories are
# removed, and the settings cases change are restored.
set -u

token=${1:?usage: lane-guest.sh TOKEN}
ask=/dev/ttyS2
case_timeout=300
# Directories of the guest's own file system whose new entries a case
# leaves are removed; mounted file systems below them are unmounted first.
kept_dirs="/etc /root /run /tmp /mnt /srv /var /opt /usr/local /home"
base=/dev/shm/lane-base
mkdir -p "$base"

# The state each case starts from.
snapshot() {
	local dir
	cut -d' ' -f5 /proc/self/mountinfo >"$base/mounts"
	for dir in $kept_dirs; do
		[ -d "$dir" ] && find "$dir" -xdev
	done | LC_ALL=C sort >"$base/files"
	sysctl -a 2>/dev/null | grep -E '^(fs\.inotify|vm\.dirty|kernel\.hung_task)' >"$base/sysctl"
	cp /usr/sbin/dmfilemapd "$base/dmfilemapd"
}

# Processes of the guest that are not this lane's: PID 1 (init, waiting
# for this script), this shell and its subshells, and kernel threads are
# spared.  Read with the shell's own builtins: a program started for each
# of a hundred processes took two seconds between two cases.
others() {
	local dir pid stat fields
	for dir in /proc/[0-9]*; do
		pid=${dir#/proc/}
		case $pid in 1 | 2 | "$$" | "$BASHPID") continue ;; esac
		{ IFS= read -r stat <"$dir/stat"; } 2>/dev/null || continue
		# After the command's name: state, then the parent's pid.
		read -r -a fields <<<"${stat##*) }"
		case ${fields[1]:-} in '' | 2 | "$BASHPID") continue ;; esac
		echo "$pid"
	done
}

# Half a second at most for the killed to go, looked for every 20 ms.
kill_others() {
	local pids tries
	for ((tries = 0; tries < 25; tries++)); do
		pids=$(others)
		[ -n "$pids" ] || return 0
		# shellcheck disable=SC2086 # one pid a word
		kill -KILL $pids 2>/dev/null
		sleep 0.02
	done
}

# Mounts made since the snapshot, the latest first.
new_mounts() {
	cut -d' ' -f5 /proc/self/mountinfo | grep -vxF -f "$base/mounts" | tac
}

unmount_new() {
	local mnt
	for mnt in $(new_mounts); do
		umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null
	done
}

remove_devices() {
	for _ in 1 2 3; do
		unmount_new
		dmsetup remove_all --force >/dev/null 2>&1
		losetup -D 2>/dev/null
		! dmsetup ls 2>/dev/null | grep -qv '^No devices found' &&
			[ -z "$(losetup -a 2>/dev/null)" ] && return 0
		sleep 0.2
	done
}

remove_new_files() {
	local dir
	for dir in $kept_dirs; do
		[ -d "$dir" ] && find "$dir" -xdev
	done | LC_ALL=C sort | comm -13 "$base/files" - | tac | while IFS= read -r f; do
		rm -rf -- "$f" 2>/dev/null
	done
}

# Written by the shell itself, as /proc/sys/A/B/C for A.B.C: a sysctl(8)
# a setting took a fifth of a second between two cases.
restore_settings() {
	local line key
	while IFS= read -r line; do
		key=${line%% = *}
		echo "${line#* = }" 2>/dev/null >"/proc/sys/${key//.//}"
	done <"$base/sysctl"
	cp "$base/dmfilemapd" /usr/sbin/dmfilemapd
	# A multi-device btrfs the case made stays known to the kernel.
	if command -v btrfs >/dev/null; then btrfs device scan --forget >/dev/null 2>&1; fi
	# The scratch disks start blank again, as in a new run: past the page
	# cache, which the devices made on them did not go through.
	for disk in /dev/vd?; do
		[ -b "$disk" ] && dd if=/dev/zero of="$disk" bs=4M count=1 oflag=direct status=none 2>/dev/null
	done
}

reset_guest() {
	kill_others
	remove_devices
	remove_new_files
	restore_settings
}

# run_case NAME: runs one test as /test/run would run it alone.
run_case() {
	local name=$1 file status=0 started
	case $name in
	vm/*) file=/test/${name#vm/}.sh ;;
	san/vm/*)
		file=/test/${name#san/vm/}.sh
		cp /test/dmfilemapd.san /usr/sbin/dmfilemapd
		;;
	*) echo "lane: no such kind of test: $name"; return 2 ;;
	esac
	[ -f "$file" ] || { echo "lane: no case $file in the guest"; return 2; }
	cd /root || return 2
	# The case gets none of the lane's descriptors: the host's line (3).
	if [ "${name%%/*}" = san ]; then
		timeout -k 5 "$case_timeout" bash /test/san-guest.sh "${file#/test/}" </dev/null 3<&- || status=$?
	else
		timeout -k 5 "$case_timeout" bash "$file" </dev/null 3<&- || status=$?
	fi
	[ "$status" != 124 ] || echo "lane: TIMEOUT: $name did not finish within ${case_timeout}s"
	return "$status"
}

snapshot
exec 3<"$ask"
stty -F "$ask" raw -echo 2>/dev/null
while :; do
	echo "$token next"
	IFS= read -r name <&3 || break
	[ -n "$name" ] || break
	started=${EPOCHREALTIME/./}
	status=0
	run_case "$name" || status=$?
	ended=${EPOCHREALTIME/./}
	printf '\n%s done %s %s\n' "$token" "$status" $(((ended - started) / 1000))
	reset_guest
done
exit 0
