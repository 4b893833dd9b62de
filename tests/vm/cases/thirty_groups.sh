#!/bin/bash
# Thirty files on one file system, each mapped by `dmstats create
# --filemap` (so thirty daemons, started by dmstats), churned at once for
# 30 s: appends, holes punched at the head of a file and filled again
# (its leader goes, and the lowest free ids move from group to group),
# holes elsewhere, truncation.  Meanwhile and afterwards `dmstats
# update_filemap` is run on group after group: a daemon started for a
# group already followed exits, so that once each run has settled thirty
# daemons run, never more (one daemon per group at all times).  At the
# end every group matches its file, no region is listed by two groups and
# none is outside every group.
#
# Usage: thirty_groups.sh [SEED]    (the seed is printed; rerun with it)
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

SEED=${1:-3030}
FILES=30
CHURN_S=30
WORKERS=3
SETTLE_S=20    # how long a run of update_filemap may take to settle
PIECE=32768    # the files are made of 4 such pieces, interleaved on the device
# Each file keeps data in its third piece, [KEEP, KEEP + PIECE), at all
# times: a file with no data left ends its group by design, and that is
# tested elsewhere.
KEEP=$((2 * PIECE))
MAX_SIZE=$((1 << 20))

# rand_to VAR LO HI: sets VAR to a random number from LO to HI.
rand_to() {
	local r=$(((RANDOM << 15) | RANDOM))
	printf -v "$1" '%d' $(($2 + r % ($3 - $2 + 1)))
}

# churn_one FILE: one random operation on FILE, in whole 4 KiB blocks.
churn_one() {
	local file=$1 op size off len floor=$(((KEEP + PIECE) / 4096))
	size=$(stat -c %s "$file")
	rand_to op 0 6
	case $op in
	0) # append, written back
		[ "$size" -le $((MAX_SIZE - 65536)) ] || { truncate -s $((KEEP + PIECE)) "$file"; return; }
		rand_to len 1 16
		dd if=/dev/zero of="$file" bs=4K count="$len" oflag=append conv=notrunc,fsync status=none
		;;
	1) # a hole at the head: the group's leader may go
		rand_to len 1 16
		fallocate -p -o 0 -l "$((len * 4096))" "$file"
		;;
	2) # the head filled again, wherever the file system likes
		fallocate -n -o 0 -l "$KEEP" "$file"
		;;
	3) # a hole past the kept piece
		[ "$size" -gt $((KEEP + PIECE)) ] || return 0
		rand_to off "$floor" $(((size - 1) / 4096))
		rand_to len 1 16
		fallocate -p -o "$((off * 4096))" -l "$((len * 4096))" "$file"
		;;
	4) # truncation, never into the kept piece
		rand_to size "$floor" $((MAX_SIZE / 4096))
		truncate -s "$((size * 4096))" "$file"
		;;
	5) # growth by fallocate
		[ "$size" -le $((MAX_SIZE - 65536)) ] || return 0
		rand_to len 1 16
		fallocate -o "$size" -l "$((len * 4096))" "$file"
		;;
	6) # every file's head punched, then filled again, in one go: all
		# the daemons make and drop leaders at once
		heads
		;;
	esac
}

# heads: every file's head punched out, then allocated again, file after
# file, in one process.
heads() {
	local i
	{
		for ((i = 1; i <= FILES; i++)); do
			echo "open /mnt/f$i"
			echo "fpunch 0 $KEEP"
			echo "close"
		done
		for ((i = 1; i <= FILES; i++)); do
			echo "open /mnt/f$i"
			echo "falloc -k 0 $KEEP"
			echo "close"
		done
	} | xfs_io >/dev/null 2>&1
}

# worker SEED DEADLINE_MS: churns random files until the deadline.
worker() {
	local k ops=0
	RANDOM=$1
	while [ "$(now_ms)" -lt "$2" ]; do
		rand_to k 1 "$FILES"
		churn_one "/mnt/f$k"
		ops=$((ops + 1))
	done
	echo "   worker $1: $ops operations"
}

# group_members_by_alias: reads @stats_list lines, prints "alias start len"
# for each member of each group ("alias missing id" for a member that
# does not exist).
group_members_by_alias() {
	awk '
		{ id = $1; sub(/:$/, "", id); split($2, r, "+"); start[id] = r[1]; len[id] = r[2]; aux[id] = $5 }
		END {
			for (g in aux) {
				a = aux[g]
				if (!sub(/^DMS_GROUP=/, "", a)) continue
				sub(/#.*/, "", a)
				alias = a; sub(/:[^:]*$/, "", alias)
				sub(/.*:/, "", a)
				n = split(a, part, ",")
				for (i = 1; i <= n; i++) {
					lo = hi = part[i]
					if (part[i] ~ /-/) { split(part[i], b, "-"); lo = b[1]; hi = b[2] }
					for (j = lo + 0; j <= hi + 0; j++)
						if (j in start) print alias, start[j], len[j]
						else print alias, "missing", j
				}
			}
		}'
}

# all_in_step: every group fK covers /mnt/fK exactly, without overlaps,
# and `dmstats list --group` shows FILES groups: check_group for all the
# groups from one listing.
all_in_step() {
	local members k covered extents groups
	members=$(stats_list "$dev" | group_members_by_alias) || return 1
	! printf '%s\n' "$members" | grep -q " missing " ||
		fail "descriptors name regions that do not exist: $(printf '%s\n' "$members" | grep " missing " | head -n 5 | tr '\n' ' ')"
	for ((k = 1; k <= FILES; k++)); do
		covered=$(printf '%s\n' "$members" | awk -v a="f$k" '$1 == a { print $2, $3 }' | merge_ranges strict) ||
			fail "group f$k has overlapping regions"
		extents=$(file_extents "/mnt/f$k" | merge_ranges)
		[ -n "$extents" ] || fail "/mnt/f$k has no data"
		[ "$covered" = "$extents" ] || {
			printf 'f%s: file %s; group %s\n' "$k" "${extents//$'\n'/, }" "${covered//$'\n'/, }" >&2
			fail "group f$k does not cover /mnt/f$k exactly"
		}
	done
	groups=$(unwatched dmstats list --group --noheadings -o group_id lin | sort -u | wc -l)
	[ "$groups" = "$FILES" ] || fail "dmstats list --group shows $groups groups, not $FILES"
}

# wait_all_in_step TIMEOUT_S: waits until all_in_step holds; shows why not.
wait_all_in_step() {
	if ! poll_until "$1" holds all_in_step; then
		all_in_step
		fail "the groups did not match their files within $1 s"
	fi
}

count_daemons() {
	daemon_pids | wc -l
}

all_running() {
	[ "$(count_daemons)" = "$FILES" ]
}

at_most_files() {
	[ "$(count_daemons)" -le "$FILES" ]
}

# assert_thirty WHAT: exactly FILES daemons run.
assert_thirty() {
	local n
	n=$(count_daemons)
	[ "$n" = "$FILES" ] && return 0
	echo "every daemon's exit in syslog:"
	grep -E 'exiting|let go|another dmfilemapd' "$SYSLOG_FILE" || true
	fail "$n daemons run $1, not $FILES"
}

# update K: `dmstats update_filemap` on the group now called fK; then
# waits until no more than FILES daemons run, and checks that FILES do.
update() {
	local k=$1 gid status=0
	# The id may move between this look and dmstats's: a stale id names
	# another group or none, and either way no second daemon may stay.
	gid=$(group_id_by_alias "$dev" "f$k") || return 0
	dmstats update_filemap "/mnt/f$k" --groupid "$gid" >/tmp/update.out 2>&1 || status=$?
	updates=$((updates + 1))
	if ! poll_until "$SETTLE_S" at_most_files; then
		cat /tmp/update.out >&2
		fail "$(count_daemons) daemons still run ${SETTLE_S}s after update_filemap on f$k (group $gid, status $status)"
	fi
	assert_thirty "after update_filemap on f$k (group $gid, status $status)"
}

require_daemon
start_syslog
show_syslog_on_failure
RANDOM=$SEED
echo "seed: $SEED"
step "ext4 on a dm-linear device, $FILES files of 4 pieces, each mapped with its daemon"
setup_mapped
# The pieces allocated in turn, file after file, in one process, so that
# no two pieces of a file touch.
for ((piece = 0; piece < 4; piece++)); do
	for ((k = 1; k <= FILES; k++)); do
		echo "open -f /mnt/f$k"
		echo "falloc $((piece * PIECE)) $PIECE"
		echo "close"
	done
done | xfs_io >/dev/null 2>&1 || fail "cannot make the files"
assert_eq 4 "$(file_extents /mnt/f1 | wc -l)" "extents of /mnt/f1"
for ((k = 1; k <= FILES; k++)); do filemap_create "/mnt/f$k" >/dev/null; done
wait_until 30 all_running
wait_all_in_step 30

step "$CHURN_S s of churn by $WORKERS workers, update_filemap on random groups meanwhile"
deadline=$(($(now_ms) + CHURN_S * 1000))
pids=()
for ((w = 1; w <= WORKERS; w++)); do
	worker $((SEED + w)) "$deadline" &
	pids+=("$!")
done
updates=0
k=0
while [ "$(now_ms)" -lt "$deadline" ]; do
	update $((k % FILES + 1))
	k=$((k + 1))
done
for pid in "${pids[@]}"; do
	wait "$pid" || fail "a churn worker failed"
done
echo "   $updates runs of update_filemap during the churn"

step "every group in step with its file, none holding another's regions"
wait_all_in_step 60
assert_groups_disjoint "$dev"
wait_no_strays 30 "$dev"
assert_thirty "after the churn"

step "update_filemap on every group"
for ((k = 1; k <= FILES; k++)); do update "$k"; done
wait_all_in_step 30
assert_groups_disjoint "$dev"
wait_no_strays 30 "$dev"
assert_thirty "at the end"
echo "ok: $FILES groups in step, $FILES daemons, after $updates runs of update_filemap (seed $SEED)"
