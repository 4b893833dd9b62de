#!/bin/bash
# The benchmark's guest side, run by bench/run through tests/vm/run:
#
#   vm-bench.sh SHA256 SCENARIO...
#
# SHA256 is the checksum of the daemon under test; every scenario starts it
# the way users do (`dmstats create --filemap`, which runs the dmfilemapd
# first on PATH) and fails unless the process runs exactly that binary.
# SCENARIO is one of
#   reaction:FS  fidelity:FS  burst:FS  idle:FS+FS...  pass:FS:N+N...  guest
# with FS xfs or ext4 (on /dev/vda and /dev/vdb; pass uses /dev/vdc).
# Results are lines  BENCH<TAB>scenario<TAB>metric<TAB>value ; a scenario
# that cannot run prints  BENCH<TAB>scenario<TAB>*<TAB>not run: REASON .
# CPU times come from /proc/PID/schedstat (ns on the CPU): utime+stime in
# /proc/PID/stat only counts whole 10 ms ticks, too coarse for an idle daemon.
set -eu
# A helper failing inside $(...) must end the scenario, not go on empty.
shopt -s inherit_errexit
. /test/lib.sh

MIB=1048576
expected_sum=$1
shift

emit() {
	printf 'BENCH\t%s\t%s\t%s\n' "$1" "$2" "$3"
}

# ---- the daemon process ----------------------------------------------------

cpu_ns() {
	local ns rest
	read -r ns rest <"/proc/$1/schedstat" || fail "daemon $1 has gone"
	echo "$ns"
}

status_field() {
	awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"
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
	case $1 in xfs) echo /dev/vda ;; ext4) echo /dev/vdb ;; *) fail "unknown fs $1" ;; esac
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

# ---- reaction: growth steps ------------------------------------------------
# group-wait grows the file by 1 MiB (fallocate), takes the time when the
# call returns and polls the group every ~1 ms until it covers the file.

# summarize SCENARIO: reads ms values, emits median, p90 (nearest rank), max.
summarize() {
	sort -n | awk -v s="$1" '
		{ v[++n] = $1 }
		END {
			if (n == 0) exit
			med = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
			r = int(0.9 * n); if (r < 0.9 * n) r++
			printf "BENCH\t%s\tmedian ms\t%.1f\n", s, med
			printf "BENCH\t%s\tp90 ms\t%.1f\n", s, v[r]
			printf "BENCH\t%s\tmax ms\t%.1f\n", s, v[n]
		}'
}

scenario_reaction() {
	local fs=$1 name=reaction/$1 dir file pid i out times=/tmp/reaction.$1 timeouts=0
	dir=$(fs_dir "$fs")
	file=$dir/react
	write_mib "$file" 0
	pid=$(start_daemon "$file" 30)
	: >"$times"
	for i in $(seq 1 20); do
		if out=$(group-wait -t 10 --grow $MIB "b$fs" react "$file"); then
			field ms "$out" >>"$times"
		else
			timeouts=$((timeouts + 1))
		fi
		# Each step a fresh event, not part of the last one's burst.
		sleep 0.2
	done
	summarize "$name" <"$times"
	emit "$name" "steps over 10 s" "$timeouts"
	stop_daemon "$pid"
	clean_fs "$fs"
}

# ---- counting fidelity -----------------------------------------------------
# Each step grows the file by 1 MiB of written data (reads of unwritten
# blocks never reach the device), waits until the group covers it (up to
# 10 s), then reads 100 random blocks with O_DIRECT.  Reads the group lost
# went to regions that were deleted or missing.

scenario_fidelity() {
	local fs=$1 name=fidelity/$1 dir file pid n issued=0 late=0 done_now gid counted
	dir=$(fs_dir "$fs")
	file=$dir/fid
	write_mib "$file" 0
	pid=$(start_daemon "$file" 30)
	for n in $(seq 1 30); do
		fallocate -o $((n * MIB)) -l $MIB "$file"
		write_mib "$file" "$n"
		group-wait -t 10 "b$fs" fid "$file" >/dev/null || late=$((late + 1))
		done_now=$(odirect-read "$file" 100 "$n") || fail "odirect-read failed at step $n"
		issued=$((issued + done_now))
	done
	gid=$(group_id_by_alias "b$fs" fid)
	counted=$(group_reads "b$fs" "$gid")
	emit "$name" "reads counted / issued" "$(awk -v c="$counted" -v i="$issued" 'BEGIN { printf "%.4f", c / i }')"
	emit "$name" "reads issued" "$issued"
	emit "$name" "regions at end" "$(group_members "b$fs" "$gid" | wc -l)"
	emit "$name" "steps not in step after 10 s" "$late"
	stop_daemon "$pid"
	clean_fs "$fs"
}

# ---- burst: 30 s of appends ------------------------------------------------

# field NAME TEXT: the value of NAME=value in TEXT.
field() {
	printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# percent PART WHOLE
percent() {
	awk -v p="$1" -v w="$2" 'BEGIN { printf "%.1f", w ? 100 * p / w : 0 }'
}

# group-wait appends 1 MiB with fsync (so that it is placed) every 100 ms
# and samples the group every 10 ms.
scenario_burst() {
	local fs=$1 name=burst/$1 dir file pid cpu0 cpu1 t0 t1 out catch
	dir=$(fs_dir "$fs")
	file=$dir/burst
	write_mib "$file" 0
	pid=$(start_daemon "$file" 30)
	cpu0=$(cpu_ns "$pid") t0=$(now_ms)
	out=$(group-wait --burst 30 --append $MIB --every 100 "b$fs" burst "$file") ||
		fail "group-wait --burst failed"
	cpu1=$(cpu_ns "$pid") t1=$(now_ms)
	catch=$(group-wait -t 30 "b$fs" burst "$file") || fail "group not in step 30 s after the burst"
	echo "  $out; after the burst: $catch"
	emit "$name" "most appends behind" "$(field max_behind "$out")"
	emit "$name" "longest lag ms" "$(field max_lag_ms "$out")"
	emit "$name" "samples behind %" "$(percent "$(field behind_samples "$out")" "$(field samples "$out")")"
	emit "$name" "samples with covered data lost %" \
		"$(percent "$(field hole_samples "$out")" "$(field samples "$out")")"
	emit "$name" "daemon CPU % of a core" "$(awk -v c=$((cpu1 - cpu0)) -v t=$((t1 - t0)) 'BEGIN { printf "%.2f", c / 1e4 / t }')"
	emit "$name" "in step after the burst ms" "$(field ms "$catch")"
	emit "$name" "appends (1 MiB + fsync)" "$(field appends "$out")"
	emit "$name" "file layout changes" "$(field layouts "$out")"
	stop_daemon "$pid"
	clean_fs "$fs"
}

# ---- idle: a minute untouched, then a minute under strace -----------------

# per_min VALUE ELAPSED_MS
per_min() {
	awk -v v="$1" -v t="$2" 'BEGIN { printf "%.1f", v * 60000 / t }'
}

# idle_sample PID: "cpu_ns voluntary_switches"
idle_sample() {
	echo "$(cpu_ns "$1") $(status_field "$1" voluntary_ctxt_switches)"
}

# count_trace FILE: "dm_ioctls waits" in an strace log.  A wait is a
# return from a call that sleeps until something happens.
count_trace() {
	awk '
		/ioctl\([0-9]+, (DM_|_IOC\([^,]*, 0xfd,)/ && !/unfinished/ { dm++ }
		/(^|[^_a-z0-9])(poll|ppoll|epoll_wait|epoll_pwait|epoll_pwait2|select|pselect6|nanosleep|clock_nanosleep|restart_syscall)\(/ && !/unfinished/ { waits++ }
		/<\.\.\. (poll|ppoll|epoll_wait|epoll_pwait|epoll_pwait2|select|pselect6|nanosleep|clock_nanosleep) resumed>/ { waits++ }
		END { print dm + 0, waits + 0 }' "$1"
}

# restart_syscall: the wait strace found the daemon in when it attached.
WAIT_CALLS=poll,ppoll,epoll_wait,epoll_pwait,select,pselect6,nanosleep,clock_nanosleep,restart_syscall

scenario_idle() {
	local fss=(${1//+/ }) fs pids=() before=() tracers=() i a b t0 t1 dm waits
	for fs in "${fss[@]}"; do
		dd if=/dev/urandom of="$(fs_dir "$fs")/idle" bs=1M count=8 oflag=direct status=none
		pids+=("$(start_daemon "/mnt/$fs/idle" 30)")
	done
	step "idle: one untraced minute"
	for i in "${!pids[@]}"; do before[i]=$(idle_sample "${pids[i]}"); done
	t0=$(now_ms)
	sleep 60
	t1=$(now_ms)
	for i in "${!pids[@]}"; do
		read -r -a a <<<"${before[i]}"
		read -r -a b <<<"$(idle_sample "${pids[i]}")"
		emit "idle/${fss[i]}" "CPU ms/min" "$(per_min "$(((b[0] - a[0]) / 1000))" $(((t1 - t0) * 1000)))"
		emit "idle/${fss[i]}" "wakeups/min (voluntary switches)" "$(per_min $((b[1] - a[1])) $((t1 - t0)))"
	done
	step "idle: one minute under strace"
	for i in "${!pids[@]}"; do
		strace -f -qq -p "${pids[i]}" -e trace=ioctl,$WAIT_CALLS -o "/tmp/strace.${fss[i]}" &
		tracers+=($!)
	done
	t0=$(now_ms)
	sleep 60
	t1=$(now_ms)
	kill -INT "${tracers[@]}"
	wait "${tracers[@]}" || true
	for i in "${!pids[@]}"; do
		read -r dm waits <<<"$(count_trace "/tmp/strace.${fss[i]}")"
		emit "idle/${fss[i]}" "dm ioctls/min (strace)" "$(per_min "$dm" $((t1 - t0)))"
		emit "idle/${fss[i]}" "wait returns/min (strace)" "$(per_min "$waits" $((t1 - t0)))"
	done
	step "idle: the group deleted with dmstats"
	for i in "${!pids[@]}"; do
		emit "idle/${fss[i]}" "group deletion noticed ms" \
			"$(deletion_noticed_ms "b${fss[i]}" idle "${pids[i]}")"
	done
}

# deletion_noticed_ms DEV ALIAS PID: deletes the group with dmstats and
# prints the ms until its idle daemon PID has exited.
deletion_noticed_ms() {
	local gid t0
	gid=$(group_id_by_alias "$1" "$2")
	t0=$(now_ms)
	dmstats delete --groupid "$gid" "$1" >/dev/null || fail "cannot delete group $gid on $1"
	wait_until 30 process_gone "$3"
	echo $(($(now_ms) - t0))
}

# ---- pass cost against the number of extents ------------------------------

# dm-stats takes ~64 KiB of kernel memory a region, within a quarter of RAM.
check_stats_memory() {
	local n=$1 total_kb used cap_mib need_mib
	total_kb=$(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo)
	used=$(cat /sys/module/dm_mod/parameters/stats_current_allocated_bytes)
	cap_mib=$((total_kb / 4 / 1024))
	need_mib=$(((n * 64 + used / 1024) / 1024))
	[ "$need_mib" -lt "$cap_mib" ] ||
		fail "$n regions need ~$need_mib MiB of dm-stats memory; the kernel allows a quarter of RAM, $cap_mib MiB"
}

scenario_pass() {
	local fs=$1 n=$2 name=pass/$1/$2 file=/mnt/p/big out block got t0 t1 gid pid cpu0 cpu1
	check_stats_memory "$n"
	make_linear "p$fs" /dev/vdc >/dev/null
	make_fs "$fs" "/dev/mapper/p$fs" /mnt/p >/dev/null
	out=$(fragment "$file" "$n") || fail "fragment $file $n failed"
	block=${out##*block=}
	got=$(file_extents "$file" | wc -l)
	[ "$got" = "$n" ] || fail "the fragmenter made $got physically separate extents, not $n"
	emit "$name" "extents (filefrag)" "$got"
	t0=$(now_ms)
	gid=$(filemap_create "$file")
	t1=$(now_ms)
	emit "$name" "dmstats create --filemap ms" $((t1 - t0))
	pid=$(settled_daemon "$gid" "$file" 60)
	emit "$name" "create done to daemon idle ms" $(($(now_ms) - t1))
	assert_impl "$pid"
	group-wait -t 60 "p$fs" big "$file" >/dev/null || fail "the group is not in step with the file after create"
	emit "$name" "kernel dm-stats MiB" "$(($(cat /sys/module/dm_mod/parameters/stats_current_allocated_bytes) >> 20))"
	cpu0=$(cpu_ns "$pid")
	# One more hole: the block in the middle of the file goes.
	out=$(group-wait -t 120 --punch $((n / 2 * 2 * block)):"$block" "p$fs" big "$file") ||
		fail "the group did not follow one punched hole within 120 s: $out"
	emit "$name" "one hole: in step ms" "$(field ms "$out")"
	emit "$name" "one hole: poll interval ms" "$(field interval_ms "$out")"
	settled_daemon "$gid" "$file" 60 >/dev/null
	cpu1=$(cpu_ns "$pid")
	emit "$name" "one hole: daemon CPU ms" "$(((cpu1 - cpu0) / 1000000))"
	emit "$name" "daemon VmHWM KiB" "$(status_field "$pid" VmHWM)"
	# Quiet, the daemon checks its group once a minute, or when another
	# process has used device-mapper, as dmsetup does here.
	cpu0=$(cpu_ns "$pid")
	dmsetup status "p$fs" >/dev/null
	# Pacing: the prompted check comes within a second.
	sleep 1
	settled_daemon "$gid" "$file" 60 >/dev/null
	cpu1=$(cpu_ns "$pid")
	emit "$name" "one group check: daemon CPU ms" "$(((cpu1 - cpu0) / 1000000))"
}

# ---- the guest itself -------------------------------------------------------

# Emulation slows the guest's CPU: the planner benchmark, timed here and on
# the host, says by how much, to read CPU figures by.
scenario_guest() {
	local out
	out=$(plan-bench) || fail "plan-bench failed"
	emit guest "plan-bench ms at 100000 extents" \
		"$(printf '%s\n' "$out" | sed -n 's/.* regions=100000 ms=\([0-9.]*\).*/\1/p')"
}

# ---- running the scenarios --------------------------------------------------

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
	for fs in xfs ext4; do clean_fs "$fs"; done
	if mountpoint -q /mnt/p; then umount /mnt/p || true; fi
	for fs in xfs ext4; do
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

main() {
	local spec kind fs sizes n
	echo "guest: $(uname -r), $(($(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo) / 1024)) MiB," \
		"$(dmstats version | sed -n 's/^Library version: *//p' | head -n 1)"
	for spec in "$@"; do
		IFS=: read -r kind fs sizes <<<"$spec"
		case $kind in
		reaction | fidelity | burst) run_scenario "$kind/$fs" "scenario_$kind" "$fs" ;;
		guest) run_scenario guest scenario_guest ;;
		idle) run_scenario "idle/${fs//+/,idle/}" scenario_idle "$fs" ;;
		pass)
			for n in ${sizes//+/ }; do run_scenario "pass/$fs/$n" scenario_pass "$fs" "$n"; done
			;;
		*) echo "vm-bench: unknown scenario $spec" >&2 ;;
		esac
	done
}

main "$@"
