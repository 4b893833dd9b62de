#!/bin/bash
# The daemon's event loop, run by hand in the foreground with VERBOSE 3 in
# inode mode, reacts to each kind of change to its file: it logs the
# inotify event and runs a pass (reads the file's extents with FIEMAP):
# modify (the group then gains the new range), attribute change,
# close-after-write and move-self.  Then a hard link: unlinking the name
# the daemon opened is an attrib event, and with a name left the daemon
# goes on.  Unlinking the last name sends attrib and delete-self (the
# kernel sends delete-self when the name that drops the link count to zero
# is not held open; the daemon's fd holds only the other one).  The daemon,
# stopped meanwhile so that it reads both in one batch whatever the timing,
# logs them, says why it ends and exits 0, leaving the group as it is.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

TRACE=/tmp/trace
LOG=/tmp/daemon.log

# trace_end: the number of the trace's next line, to look only at what
# follows an action.
trace_end() {
	echo $(($(wc -l <"$TRACE") + 1))
}

# pass_after EVENT FROM: succeeds when the trace, from line FROM on, shows
# the daemon logging "event: EVENT" and then reading the file's extents.
pass_after() {
	tail -n +"$2" "$TRACE" | awk -v event="event: $1" '
		# One write a line: "dmfilemapd: event: modify\n".
		/write\(2, / && index($0, "\"dmfilemapd: " event "\\n\"") { logged = 1; next }
		logged && /FS_IOC_FIEMAP/ { found = 1; exit }
		END { exit !found }'
}

# expect_reaction EVENT FROM: waits for pass_after, then says so.
expect_reaction() {
	wait_until 15 pass_after "$1" "$2"
	echo "event: $1 logged, then a pass read the file's extents"
}

require_daemon
hand_started_daemon 3 "$LOG"
step "traced"
# At VERBOSE 3 the first pass logs its plan: the daemon is then idle.
wait_until 15 grep -q '^dmfilemapd: plan: ' "$LOG"
strace -f -s 256 -e trace=ioctl,write -p "$daemon" -o "$TRACE" 2>/tmp/strace.err &
tracer=$!
wait_until 15 grep -q attached /tmp/strace.err

step "modify: fallocate 1 MiB more"
from=$(trace_end)
lines=$(wc -l <"$LOG")
fallocate -o 1M -l 1M /mnt/f
expect_reaction modify "$from"
wait_in_step 30 /mnt/f lin "$gid"
tail -n +"$((lines + 1))" "$LOG" | grep -qE "^dmfilemapd: group $gid updated: .* [1-9][0-9]* created" ||
	fail "no pass created a region for the new range"

step "attrib: chmod"
from=$(trace_end)
chmod 600 /mnt/f
expect_reaction attrib "$from"

step "close-write: open for writing and close"
from=$(trace_end)
: >>/mnt/f
expect_reaction close-write "$from"

step "move-self: mv within the file system"
from=$(trace_end)
mv /mnt/f /mnt/g
expect_reaction move-self "$from"
# Inode mode follows the file under its new name.
fallocate -o 2M -l 1M /mnt/g
wait_in_step 30 /mnt/g lin "$gid"
kill -0 "$daemon" 2>/dev/null || fail "the daemon exited after the file was moved"

step "unlink of the daemon's own name while a hard link is left: it goes on"
from=$(trace_end)
ln /mnt/g /mnt/h
expect_reaction attrib "$from"
from=$(trace_end)
rm /mnt/g
expect_reaction attrib "$from"
kill -0 "$daemon" 2>/dev/null || fail "the daemon exited while the file still had a name"

step "delete-self: the last name goes, the daemon exits"
regions=$(group_regions lin "$gid")
lines=$(wc -l <"$LOG")
kill -STOP "$daemon"
rm /mnt/h
kill -CONT "$daemon"
wait_until 15 process_gone "$daemon"
status=0
wait "$daemon" || status=$?
wait "$tracer" || true
after=$(tail -n +"$((lines + 1))" "$LOG")
printf '%s\n' "$after"
assert_eq 0 "$status" "the daemon's exit status"
assert_eq "dmfilemapd: event: attrib" "$(printf '%s\n' "$after" | head -n 1)" \
	"the first line logged after the unlink"
assert_eq "dmfilemapd: /mnt/f was deleted and nothing else holds it: exiting, group $gid left as it is" \
	"$(printf '%s\n' "$after" | tail -n 1)" "the last line logged"
printf '%s\n' "$after" | grep -qx 'dmfilemapd: event: delete-self' ||
	fail "no delete-self logged after the last name went"
assert_eq "$regions" "$(group_regions lin "$gid")" "the group's regions after the exit"
echo "ok: each event was logged and followed by a pass"
