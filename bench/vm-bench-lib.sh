# shellcheck shell=bash
# Sourced by bench/vm-bench.sh in the guest: reporting, the daemon under
# test as a process, the scratch devices, and running one scenario so that
# its failure is reported and cleaned up.  assert_impl compares with
# $expected_sum, which vm-bench.sh sets.

emit() {
	printf 'BENCH\t%s\t%s\t%s\n' "$1" "$2" "$3"
}

# ---- the daemon process ----------------------------------------------------

cpu_ns() {
	local ns rest
	read -r ns rest <"/proc/$1/schedstat" || fail "daemon $1 has gone"
	echo "$ns"
}

# ns_to_ms NS: milliseconds with one decimal.
ns_to_ms() {
	awk -v ns="$1" 'BEGIN { printf "%.1f", ns / 1000000 }'
}

status_field() {
	awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"
}

# handles_hup PID: the process blocks, catches or ignores SIGHUP (the
# lowest bit of those signal masks), so that one does not end it.
handles_hup() {
	local mask
	for mask in SigBlk SigCgt SigIgn; do
		(((0x$(status_field "$1" "$mask") & 1) != 0)) && return 0
	done
	return 1
}

# settled_daemon GID FILE LIMIT_S: waits until one dmfilemapd serves the
# group, the same process twice running, using under 5 % of the CPU (it
# has detached and finished its first pass); prints its pid.  A daemon
# never that quiet is taken as it is after LIMIT_S seconds.
settled_daemon() {
	local deadline pid prev='' cpu prev_cpu=0
	deadline=$(($(now_ms) + $3 * 1000))
	while :; do
		pid=$(daemon_pid_for "$1" "$2" 2>/dev/null | tr '\n' ' ') || pid=
		pid=${pid% }
		# The process before the detach may end at any moment.
		if [ -n "$pid" ] && [ "$pid" = "${pid% *}" ] && cpu=$(cpu_ns "$pid" 2>/dev/null); then
			[ "$pid" = "$prev" ] && [ $((cpu - prev_cpu)) -lt 12500000 ] && break
			prev=$pid prev_cpu=$cpu
		fi
		if [ "$(now_ms)" -ge "$deadline" ]; then
			[ -n "$prev" ] && [ "$pid" = "$prev" ] && break
			fail "no single dmfilemapd for group $1 ($2) within $3 s (found: '${pid}')"
		fi
		sleep 0.25
	done
	echo "$pid"
}

# assert_impl PID: the daemon runs the binary under test, from PATH.
assert_impl() {
	local exe on_path sum
	on_path=$(command -v dmfilemapd) || fail "no dmfilemapd on PATH"
	exe=$(readlink "/proc/$1/exe") || fail "daemon $1 has gone"
	[ "$exe" = "$on_path" ] || fail "daemon $1 runs $exe, not $on_path"
	sum=$(sha256sum <"/proc/$1/exe") || fail "cannot read /proc/$1/exe"
	# shellcheck disable=SC2154 # set by vm-bench.sh, which sources this
	[ "${sum%% *}" = "$expected_sum" ] ||
		fail "daemon $1 runs $exe whose checksum is not the one under test"
}

# start_daemon FILE LIMIT_S: dmstats create --filemap FILE; prints the pid
# of the checked, settled daemon.
start_daemon() {
	local gid pid
	gid=$(filemap_create "$1")
	pid=$(settled_daemon "$gid" "$1" "$2")
	assert_impl "$pid"
	echo "$pid"
}

stop_daemon() {
	kill -TERM "$1" 2>/dev/null || true
	wait_until 10 process_gone "$1"
}

# ---- devices ---------------------------------------------------------------

disk_of() {
	case $1 in xfs) echo /dev/vda ;; ext4) echo /dev/vdb ;; btrfs) echo /dev/vdc ;; *) fail "unknown fs $1" ;; esac
}

# fs_dir FS: mounts FS on its own dm-linear device once; prints the mount point.
fs_dir() {
	if ! mountpoint -q "/mnt/$1"; then
		make_linear "b$1" "$(disk_of "$1")" >/dev/null
		make_fs "$1" "/dev/mapper/b$1" "/mnt/$1" >/dev/null
	fi
	echo "/mnt/$1"
}

# clean_fs FS: deletes every region of the file system's device.
clean_fs() {
	dmstats delete --allregions --allprograms "b$1" >/dev/null 2>&1 || true
}

write_mib() {
	dd if=/dev/urandom of="$1" bs=1M count=1 seek="$2" conv=notrunc \
		oflag=direct status=none || fail "cannot write MiB $2 of $1"
}

# ---- running a scenario ---------------------------------------------------

stop_all_daemons() {
	local pid
	for pid in $(daemon_pids); do kill -TERM "$pid" 2>/dev/null || true; done
	for pid in $(daemon_pids); do wait_until 10 process_gone "$pid"; done
}

# Leaves no daemon and no region behind, whatever a scenario left; what
# cannot be undone makes the next scenario that needs it fail, not all.
clean_up() {
	local fs pid
	if ! (stop_all_daemons); then
		echo "vm-bench: a daemon ignored SIGTERM: killing it" >&2
		for pid in $(daemon_pids); do kill -KILL "$pid" 2>/dev/null || true; done
	fi
	for fs in xfs ext4 btrfs; do
		if [ -e "/dev/mapper/b$fs" ]; then clean_fs "$fs"; fi
	done
	if mountpoint -q /mnt/p; then umount /mnt/p || true; fi
	for fs in xfs ext4 btrfs; do
		if [ -e "/dev/mapper/p$fs" ]; then dmsetup remove "p$fs" || true; fi
	done
}

# run_scenario NAMES FUNCTION ARGS...: runs one scenario in a subshell; if
# it fails, every name in NAMES (comma-separated) gets a "not run" row.
run_scenario() {
	local names=$1 err=/tmp/scenario.err status reason name
	shift
	step "${names//,/ }"
	set +e
	(
		set -e
		"$@"
	) 2>"$err"
	status=$?
	set -e
	cat "$err" >&2
	if [ "$status" != 0 ]; then
		reason=$(sed -n 's/^FAIL: //p' "$err" | head -n 1)
		[ -n "$reason" ] || reason=$(tail -n 1 "$err")
		for name in ${names//,/ }; do
			emit "$name" '*' "not run: ${reason:-exit status $status}"
		done
	fi
	clean_up
}
