#!/bin/bash
# dmfilemapd(8), TIMING and FILES: one daemon of a device watches the
# device-mapper control node for all.  Another process's use of it wakes
# that daemon alone; the watcher prompts only the daemons whose groups
# changed, and they notice a deletion or repair a member as before.  When
# the watcher is killed, another daemon of the device takes its part.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

# lists_in LOG: how many @stats_list messages the daemon has sent so far.
lists_in() {
	grep -c "message '@stats_list" "$1" || true
}

# wakes PID: how often the process has given up the CPU to wait.
wakes() {
	awk '/^voluntary_ctxt_switches:/ { print $2 }' "/proc/$1/status"
}

# quiet PID...: each daemon waits in poll, twice over a pause.
quiet() {
	local pid
	for pid in "$@"; do wait_until 10 waiting_in_poll "$pid"; done
	sleep 0.7
	for pid in "$@"; do wait_until 10 waiting_in_poll "$pid"; done
}

NOTICE_MS=500   # dmfilemapd(8), TIMING: the promise
MARGIN_MS=250   # the exit, and this script polling with forks on an emulated CPU

# noticed PID LOG GID START_MS: the daemon exits within the promise of the
# deletion that ended at START_MS, saying why.
noticed() {
	local took
	wait_until 5 process_gone "$1"
	took=$(($(now_ms) - $4))
	[ "$took" -le $((NOTICE_MS + MARGIN_MS)) ] || fail "group $3's deletion was noticed after $took ms"
	wait_log "$2" "group $3 was deleted or ungrouped: exiting"
}

# delete_group GID: deletes the group as an administrator would; prints
# when the command ended (ms).
delete_group() {
	dmstats delete --groupid "$1" lin >/dev/null
	now_ms
}

DIR=/run/dmfilemapd

require_daemon
step "ext4 on a dm-linear device; four files, each a group with its daemon (-vvv)"
setup_mapped
declare -A pid gid before lists
for f in a b c d; do
	fragmented_file "/mnt/$f" 3
	filemap_foreground "/tmp/$f.log" "/mnt/$f" -vvv
	pid[$f]=$FG_PID gid[$f]=$FG_GID
	wait_log "/tmp/$f.log" "^dmfilemapd: plan: keep"
done
quiet "${pid[@]}"
devno=$(dmsetup info -c --noheadings -o major,minor lin | tr -d ' ')
[ -f "$DIR/$devno.daemons/watcher" ] || fail "no lock file $DIR/$devno.daemons/watcher"

step "dmsetup runs wake the first daemon alone"
# The others watch the control node for one close only: the first run ends that.
dmsetup status lin >/dev/null
quiet "${pid[@]}"
for f in b c d; do before[$f]=$(wakes "${pid[$f]}"); done
closes=$(grep -c "control node was closed" /tmp/a.log)
for _ in 1 2 3; do
	dmsetup status lin >/dev/null
	sleep 0.4
done
quiet "${pid[@]}"
assert_eq $((closes + 3)) "$(grep -c "control node was closed" /tmp/a.log)" \
	"closes of the control node the watcher saw"
for f in b c d; do
	assert_eq "${before[$f]}" "$(wakes "${pid[$f]}")" "wakes of daemon $f over three dmsetup runs"
done
for f in a b c d; do group_matches "/mnt/$f" "$dev" "$f"; done

step "a process using device-mapper every millisecond: a wake per listing, not per use"
# The checks the last step's dmstats runs prompted are over first.
quiet "${pid[@]}"
closes=$(grep -c "control node was closed" /tmp/a.log)
listed=$(lists_in /tmp/a.log)
for f in b c d; do before[$f]=$(wakes "${pid[$f]}"); done
start=$(now_ms)
dm-poller 1 2 >/tmp/poller.uses
took=$(($(now_ms) - start))
quiet "${pid[@]}"
uses=$(cat /tmp/poller.uses)
closes=$(($(grep -c "control node was closed" /tmp/a.log) - closes))
listed=$(($(lists_in /tmp/a.log) - listed))
echo "$uses uses in $took ms: the watcher saw $closes closes and listed $listed times"
[ "$uses" -ge 200 ] || fail "the poller used device-mapper only $uses times"
# A check at most every CONTROL_GAP_MS (250), each taking the watch again.
if [ "$listed" -lt 1 ] || [ "$listed" -gt $((took / 250 + 2)) ]; then
	fail "the watcher listed $listed times for $uses uses in $took ms"
fi
[ "$closes" -le $((listed + 1)) ] || fail "the watcher woke for $closes closes but listed $listed times"
for f in b c d; do
	[ $(($(wakes "${pid[$f]}") - before[$f])) -le 2 ] ||
		fail "daemon $f woke $(($(wakes "${pid[$f]}") - before[$f])) times for the poller"
done
for f in a b c d; do group_matches "/mnt/$f" "$dev" "$f"; done

step "a group deleted: the watcher prompts its daemon alone, which exits"
for f in c d; do lists[$f]=$(lists_in "/tmp/$f.log"); done
start=$(delete_group "${gid[b]}")
noticed "${pid[b]}" /tmp/b.log "${gid[b]}" "$start"
wait_log /tmp/a.log "group ${gid[b]} changed: prompting its daemon"
quiet "${pid[a]}" "${pid[c]}" "${pid[d]}"
for f in c d; do
	assert_eq "${lists[$f]}" "$(lists_in "/tmp/$f.log")" "listings daemon $f made for another's deletion"
done

step "a member of d's group deleted by someone else: d re-creates it"
member=$(group_members "$dev" "${gid[d]}" | tail -n 1)
[ "$member" != "${gid[d]}" ] || fail "group d has a single region"
dmsetup message lin 0 "@stats_delete $member"
wait_log /tmp/a.log "group ${gid[d]} changed: prompting its daemon"
wait_group /mnt/d "$dev" d
assert_running "${pid[d]}" "daemon d"

step "the watcher killed: another daemon takes its part"
kill -KILL "${pid[a]}"
wait "${pid[a]}" 2>/dev/null || true
poll_until 5 grep -q "watching the device-mapper control node for the daemons of" /tmp/c.log /tmp/d.log ||
	fail "neither daemon c nor d took the watcher's part"
if grep -q "for the daemons of" /tmp/c.log; then watcher=c other=d; else watcher=d other=c; fi
assert_eq 0 "$(grep -c "for the daemons of" "/tmp/$other.log")" "daemons that took the part besides $watcher"
# What the killed watcher saw is lost: the new one prompts every daemon once.
wait_log "/tmp/$other.log" "event: the device's watcher saw group [0-9]+ change"
quiet "${pid[c]}" "${pid[d]}"

step "a group deleted after that, while dmsetup runs ten times a second"
# A member made anew may have taken a lower id and lead the group.
for f in c d; do gid[$f]=$(group_id_by_alias "$dev" "$f"); done
(while :; do dmsetup status lin >/dev/null; sleep 0.1; done) &
poller=$!
sleep 1
start=$(delete_group "${gid[$other]}")
noticed "${pid[$other]}" "/tmp/$other.log" "${gid[$other]}" "$start"
wait_log "/tmp/$watcher.log" "group ${gid[$other]} changed: prompting its daemon"
kill "$poller"
wait "$poller" 2>/dev/null || true
start=$(delete_group "${gid[$watcher]}")
noticed "${pid[$watcher]}" "/tmp/$watcher.log" "${gid[$watcher]}" "$start"
# a was killed: its group is left as it was.
group_matches /mnt/a "$dev" a
dmstats delete --groupid "$(group_id_by_alias "$dev" a)" lin >/dev/null

step "$DIR cannot be used: each daemon watches the control node itself"
chmod 0755 "$DIR"
for f in c d; do
	filemap_foreground "/tmp/$f.2.log" "/mnt/$f" -vvv
	pid[$f]=$FG_PID gid[$f]=$FG_GID
	wait_log "/tmp/$f.2.log" "^dmfilemapd: plan: keep"
done
quiet "${pid[c]}" "${pid[d]}"
for f in c d; do before[$f]=$(wakes "${pid[$f]}"); done
dmsetup status lin >/dev/null
quiet "${pid[c]}" "${pid[d]}"
for f in c d; do
	[ "$(wakes "${pid[$f]}")" -gt "${before[$f]}" ] || fail "daemon $f did not wake for a dmsetup run"
done
start=$(delete_group "${gid[d]}")
noticed "${pid[d]}" /tmp/d.2.log "${gid[d]}" "$start"
group_matches /mnt/c "$dev" c
kill -TERM "${pid[c]}"
wait "${pid[c]}" || fail "daemon c did not exit with status 0 after SIGTERM"
echo "ok: one daemon watches the device for four; the others wake only when prompted"
