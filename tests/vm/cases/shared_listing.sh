#!/bin/bash
# dmfilemapd(8), TIMING and FILES: one process's use of device-mapper wakes
# every daemon of the device, but the device's regions are listed once for
# all of them; a daemon takes the listing another left only for a check
# that such a use prompted, never for a check of its own (SIGHUP here).
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

DIR=/run/dmfilemapd

# lists_in LOG: how many @stats_list messages the daemon has sent so far.
lists_in() {
	grep -c "message '@stats_list" "$1" || true
}

# quiet PID...: each daemon waits in poll, twice over a pause.
quiet() {
	local pid
	for pid in "$@"; do wait_until 10 waiting_in_poll "$pid"; done
	sleep 0.7
	for pid in "$@"; do wait_until 10 waiting_in_poll "$pid"; done
}

require_daemon
step "ext4 on a dm-linear device; three files, each a group with its daemon (-vvv)"
setup_mapped
pids=()
for f in a b c; do
	fragmented_file "/mnt/$f" 3
	filemap_foreground "/tmp/$f.log" "/mnt/$f" -vvv
	pids+=("$FG_PID")
	if [ "$f" = a ]; then gid_a=$FG_GID; fi
	wait_log "/tmp/$f.log" "^dmfilemapd: plan: keep"
done
# Asking dmsetup for the number is a use of device-mapper too: the checks
# it prompts are over before the rounds count.
devno=$(dmsetup info -c --noheadings -o major,minor lin | tr -d ' ')
assert_match '^[0-9]+:[0-9]+$' "$devno" "the device's number"
quiet "${pids[@]}"

step "one dmsetup run: three checks, one listing"
for round in 1 2 3; do
	before=$(($(lists_in /tmp/a.log) + $(lists_in /tmp/b.log) + $(lists_in /tmp/c.log)))
	dmsetup status lin >/dev/null
	sleep 1
	quiet "${pids[@]}"
	after=$(($(lists_in /tmp/a.log) + $(lists_in /tmp/b.log) + $(lists_in /tmp/c.log)))
	assert_eq 1 $((after - before)) "listings the three daemons made for one dmsetup run (round $round)"
done
for f in a b c; do group_matches "/mnt/$f" "$dev" "$f"; done
[ -f "$DIR/$devno" ] || fail "no listing was left in $DIR/$devno"
assert_eq 700 "$(stat -c %a "$DIR")" "the mode of $DIR"
head -c 20 "$DIR/$devno" | grep -q '^dmfilemapd-listing 2' || fail "$DIR/$devno is not a listing"

step "a listing that says group a is gone: its own check ignores it"
# forge DEVNO: a listing of the device as it is, but without group a's
# leader, stamped as taken later than anything can be.
forge() {
	local boot text index
	boot=$(cat /proc/sys/kernel/random/boot_id)
	text=$(stats_list "$dev" | grep -v "^$gid_a: ")
	# Its index: the first row's id, at offset 0.
	index="${text%%:*} 0"$'\n'
	printf 'dmfilemapd-listing 2 %s 9000000000000000000 %d\n%s%s\n\0' \
		"$boot" "${#index}" "$index" "$text" >"$DIR/.forged"
	mv "$DIR/.forged" "$DIR/$devno"
}
forge
sleep 0.5
quiet "${pids[@]}"
before=$(lists_in /tmp/a.log)
kill -HUP "${pids[0]}"
wait_log /tmp/a.log "SIGHUP: full sync"
quiet "${pids[@]}"
[ "$(lists_in /tmp/a.log)" -gt "$before" ] || fail "daemon a did not list the regions itself for SIGHUP"
is_daemon "${pids[0]}" || fail "daemon a believed the forged listing for its own check"
group_matches /mnt/a "$dev" a

step "the same listing after another process used device-mapper: believed"
forge
sleep 0.5
quiet "${pids[@]}"
dmsetup status lin >/dev/null
wait_until 5 process_gone "${pids[0]}"
wait_log /tmp/a.log "group $gid_a was deleted or ungrouped: exiting"
# Believing it, daemon a touched nothing: its group is still there, whole.
for f in a b c; do group_matches "/mnt/$f" "$dev" "$f"; done
for pid in "${pids[@]:1}"; do is_daemon "$pid" || fail "daemon $pid exited with a's"; done
kill "${pids[1]}" "${pids[2]}"
for pid in "${pids[@]:1}"; do wait_until 10 process_gone "$pid"; done
echo "ok: one listing per dmsetup run for three daemons; a forged one only for prompted checks"
