#!/bin/bash
# Inode mode reads /proc only once the file has lost its last name.  Many
# passes, set off by modify, attrib and close-write events, open nothing
# under /proc.  Unlinking the file while another process holds it makes
# exactly one scan of /proc: the daemon finds the holder and stays.  When
# the holder closes the file the daemon scans again, finds none, and
# exits 0 leaving the group as it is.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

STEPS=50
STEP_BYTES=65536
TRACE=/tmp/trace
LOG=/tmp/daemon.log

# member_count DEV GROUP_ID: how many regions the group has.
member_count() {
	local regions
	regions=$(group_regions "$1" "$2") || return 1
	printf '%s\n' "$regions" | wc -l
}

# has_members DEV GROUP_ID N: the group has at least N regions.
has_members() {
	local n
	n=$(member_count "$1" "$2") || return 1
	[ "$n" -ge "$3" ]
}

# proc_scans: how many times the traced daemon opened /proc itself, the
# start of each scan for other holders of the file.
proc_scans() {
	grep -cE 'open(at)?\(.*"/proc", ' "$TRACE" || true
}

# checked_after_scan: the trace shows a device-mapper ioctl (a group
# check or pass) after the latest scan of /proc: the daemon has gone on
# through its loop since.
checked_after_scan() {
	awk '/open(at)?\(.*"\/proc", / { scanned = 1; checked = 0; next }
		scanned && /ioctl\(.*DM_/ { checked = 1 }
		END { exit !checked }' "$TRACE"
}

require_daemon
hand_started_daemon 1 "$LOG"
step "traced from its first idle moment"
wait_until 15 waiting_in_poll "$daemon"
strace -f -e trace=open,openat,getdents64,ioctl -p "$daemon" -o "$TRACE" \
	2>/tmp/strace.err &
tracer=$!
wait_until 15 grep -q attached /tmp/strace.err

step "$STEPS growth steps, each with modify, attrib and close-write events"
size=$(stat -c %s /mnt/f)
for n in $(seq 1 "$STEPS"); do
	fallocate -o "$size" -l $STEP_BYTES /mnt/f
	size=$((size + STEP_BYTES))
	touch /mnt/f
	: >>/mnt/f
	# Each step's range needs a region of its own: wait for it.
	wait_until 15 holds has_members lin "$gid" $((n + 1))
done
check_group /mnt/f lin "$gid"
passes=$(grep -c FS_IOC_FIEMAP "$TRACE" || true)
echo "$passes FIEMAP calls (passes) traced; group $gid has $(member_count lin "$gid") regions"
[ "$passes" -ge "$STEPS" ] || fail "only $passes passes traced for $STEPS steps"
if grep -E '"/proc' "$TRACE"; then
	fail "the daemon opened files under /proc while its file had a name"
fi
assert_eq 0 "$(grep -c getdents64 "$TRACE" || true)" "directory reads during the passes"

step "unlink the file while another process holds it"
regions=$(group_regions lin "$gid")
sleep 600 4</mnt/f &
holder=$!
wait_until 5 test "$(readlink "/proc/$holder/fd/4")" = /mnt/f
rm /mnt/f
wait_until 15 grep -q "/mnt/f was deleted but is still open elsewhere" "$LOG"
# Let the daemon go round its loop once more before counting: a use of
# device-mapper prompts a group check.
dmsetup status lin >/dev/null
wait_until 15 checked_after_scan
assert_eq 1 "$(proc_scans)" "scans of /proc after the unlink"
process_gone "$daemon" && fail "the daemon exited although the file is still held"

step "the holder closes the file: the daemon exits"
lines=$(wc -l <"$LOG")
kill "$holder"
wait "$holder" 2>/dev/null || true
wait_until 15 process_gone "$daemon"
status=0
wait "$daemon" || status=$?
wait "$tracer" || true
tail -n +"$((lines + 1))" "$LOG"
assert_eq 0 "$status" "the daemon's exit status"
assert_eq "dmfilemapd: /mnt/f was deleted and nothing else holds it: exiting, group $gid left as it is" \
	"$(tail -n 1 "$LOG")" "the daemon's last line"
assert_eq 2 "$(proc_scans)" "scans of /proc in all"
assert_eq "$regions" "$(group_regions lin "$gid")" "the group's regions after the exit"
echo "ok: /proc was read only after the unlink, once per decision"
