#!/bin/bash
# Thirty seconds of random churn on a watched file: fallocate (growing it or
# filling its holes), punched holes, truncation (shrinking or growing),
# appends and rewrites, with a cap of 4 regions per extent so that merges
# happen.  Every few operations the test pauses: the group must then match
# the file exactly, still parse for `dmstats list --group`, respect the cap,
# and its daemon must still run.  A first phase of single appends makes
# sure that the cap is reached and merges happen.
#
# Usage: churn_soak.sh [SEED]    (the seed is printed; rerun with it)
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

SEED=${1:-4242}
# In a gcov count of the daemon's lines, a minute of churn reached none
# that these thirty seconds do not (1 594 lines at 30 s and at 60 s).
CHURN_MS=30000
# Under the sanitizers (san-guest.sh sets their options) every pass costs
# several times as much: twenty seconds still run every kind of
# operation, after the appends that force merges.
[ -z "${ASAN_OPTIONS:-}" ] || CHURN_MS=20000
CAP=4
BLOCK=4096
# The file keeps data in its first KEEP bytes at all times: a file with no
# data left ends its group by design, and that is tested elsewhere.
KEEP=65536
MAX_SIZE=$((16 << 20))
MAX_CHUNK=$((1 << 20))

# rand_to VAR LO HI: sets VAR to a random number from LO to HI.  Not run in
# $(...): a subshell's $RANDOM would not advance the seeded sequence here.
rand_to() {
	local r=$(((RANDOM << 15) | RANDOM))
	printf -v "$1" '%d' $(($2 + r % ($3 - $2 + 1)))
}

# rand_blocks_to VAR LO HI: as rand_to, rounded down to whole 4 KiB blocks.
rand_blocks_to() {
	rand_to "$1" $(($2 / BLOCK)) $(($3 / BLOCK))
	printf -v "$1" '%d' $((${!1} * BLOCK))
}

file_size() {
	stat -c %s /mnt/f
}

# The operations.  Each prints what it did; data is written with fsync so
# that it is allocated (the daemon never forces writeback).  They run in
# this shell, never in a pipeline: bash reseeds $RANDOM in subshells.

op_fallocate_grow() {
	local size len
	size=$(file_size)
	rand_blocks_to len $BLOCK $MAX_CHUNK
	[ $((size + len)) -le $MAX_SIZE ] || { op_truncate; return; }
	echo "  fallocate -o $size -l $len"
	fallocate -o "$size" -l "$len" /mnt/f
}

op_fallocate_fill() {
	local size off len
	size=$(file_size)
	rand_blocks_to off 0 $((size - 1))
	rand_blocks_to len $BLOCK $MAX_CHUNK
	echo "  fallocate --keep-size -o $off -l $len"
	fallocate --keep-size -o "$off" -l "$len" /mnt/f
}

op_punch() {
	local size off len
	size=$(file_size)
	[ "$size" -gt $KEEP ] || { op_append; return; }
	rand_blocks_to off $KEEP $((size - 1))
	rand_blocks_to len $BLOCK $MAX_CHUNK
	echo "  punch hole -o $off -l $len"
	fallocate --punch-hole -o "$off" -l "$len" /mnt/f
}

op_truncate() {
	local size
	rand_blocks_to size $KEEP $MAX_SIZE
	echo "  truncate -s $size"
	truncate -s "$size" /mnt/f
}

op_append() {
	local count
	[ "$(file_size)" -le $((MAX_SIZE - MAX_CHUNK)) ] || { op_truncate; return; }
	rand_to count 1 16
	echo "  append $count x 64 KiB"
	dd if=/dev/urandom of=/mnt/f bs=64K count="$count" oflag=append \
		conv=notrunc,fsync status=none
}

# Truncation to zero and refilling in one open(O_TRUNC): the file is empty
# for far less than the 200 ms the daemon allows a rewrite.
op_rewrite() {
	local count
	rand_to count 1 64
	echo "  rewrite with $count x 64 KiB"
	dd if=/dev/urandom of=/mnt/f bs=64K count="$count" conv=fsync status=none
}

OPS=(op_fallocate_grow op_fallocate_fill op_punch op_truncate op_append op_rewrite)

# in_step: check_group for the group named f, whatever its id is now: the
# id follows the group's lowest region, which the churn replaces.
in_step() {
	local gid
	gid=$(group_id_by_alias lin f) || return 1
	check_group /mnt/f lin "$gid"
}

# wait_for_step: waits until in_step holds; on timeout shows why not.
wait_for_step() {
	if ! (wait_until 60 holds in_step) 2>/dev/null; then
		in_step
		fail "the group did not match the file within 60 s"
	fi
}

# quiesce N: the checks made after each burst of operations; sets most.
quiesce() {
	local gid regions
	process_gone "$pid" && fail "the daemon (pid $pid) has exited"
	wait_for_step
	gid=$(group_id_by_alias lin f)
	most=$(most_regions_per_extent /mnt/f lin "$gid")
	regions=$(group_regions lin "$gid" | wc -l)
	echo "    after $1 operations: group $gid in step, $regions regions," \
		"at most $most in one extent"
	[ "$most" -le $CAP ] || {
		regions_per_extent /mnt/f lin "$gid" >&2
		fail "$most regions in one extent, above the cap of $CAP"
	}
	[ "$most" -le "$most_seen" ] || most_seen=$most
	process_gone "$pid" && fail "the daemon (pid $pid) has exited"
	return 0
}

require_daemon
# The daemon detaches and logs to syslog: keep its lines for a failure.
start_syslog
show_syslog_on_failure
RANDOM=$SEED
echo "seed: $SEED"
step "ext4 on a dm-linear device, a file of 1 MiB of data mapped with DMFILEMAPD_REGIONS_PER_EXTENT=$CAP"
# dmstats passes its environment on to the daemon it starts.
export DMFILEMAPD_REGIONS_PER_EXTENT=$CAP
setup_mapped --data 1 /mnt/f
unset DMFILEMAPD_REGIONS_PER_EXTENT
assert_match "^DMFILEMAPD_REGIONS_PER_EXTENT=$CAP\$" \
	"$(tr '\0' '\n' <"/proc/$pid/environ")" "the daemon's environment"

# Appends that the daemon sees one at a time add a region each to the same
# extent: past the cap they must be merged, down to half the cap, which
# shows as fewer regions in one extent after an append than before it.
# Random bursts alone may not get there, as the daemon can take a whole
# burst in one pass.
step "$((2 * CAP)) appends, the group followed after each: past the cap"
most_seen=0
most=0
ops=0
merges=0
for _ in $(seq $((2 * CAP))); do
	before=$most
	op_append
	ops=$((ops + 1))
	quiesce "$ops"
	[ "$most" -ge "$before" ] || merges=$((merges + 1))
done
assert_eq $CAP "$most_seen" "the most regions in one extent during the appends"
[ "$merges" -ge 1 ] || fail "no append past the cap merged regions"

step "churn for $((CHURN_MS / 1000)) s, checking after every few operations"
end=$(($(now_ms) + CHURN_MS))
burst=0 pick=0 # set by rand_to
while [ "$(now_ms)" -lt "$end" ]; do
	rand_to burst 1 6
	for _ in $(seq "$burst"); do
		rand_to pick 0 $((${#OPS[@]} - 1))
		"${OPS[$pick]}"
		ops=$((ops + 1))
	done
	quiesce "$ops"
done

step "after the churn"
echo "$ops operations; at most $most_seen regions were seen in one extent"
echo "ok: the group matched the file after every burst (seed $SEED)"
