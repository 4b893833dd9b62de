#!/bin/bash
# The benchmark's guest side, run by bench/run through tests/vm/run:
#
#   vm-bench.sh SHA256 SCENARIO...
#
# SHA256 is the checksum of the daemon under test; every scenario starts it
# the way users do (`dmstats create --filemap`, which runs the dmfilemapd
# first on PATH) and fails unless the process runs exactly that binary.
# SCENARIO is one of
#   reaction:FS  poller:FS  fidelity:FS  burst:FS  idle:FS+FS...  pass:FS:N+N...
#   profile:FS:N+N...  groups:FS:G+G...@R  churn:FS:MS+MS...  guest
# with FS xfs or ext4 (on /dev/vda and /dev/vdb; pass uses /dev/vdc).
# Results are lines  BENCH<TAB>scenario<TAB>metric<TAB>value ; a scenario
# that cannot run prints  BENCH<TAB>scenario<TAB>*<TAB>not run: REASON .
# CPU times come from /proc/PID/schedstat (ns on the CPU): utime+stime in
# /proc/PID/stat only counts whole 10 ms ticks, too coarse for an idle daemon.
set -eu
# A helper failing inside $(...) must end the scenario, not go on empty.
shopt -s inherit_errexit
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh
# shellcheck source=bench/vm-bench-lib.sh
. /test/vm-bench-lib.sh

expected_sum=$1
shift
MIB=1048576

# ---- the kernel's trace of a change, as the daemon followed it --------------
TRACING=/sys/kernel/tracing
# DM_TARGET_MSG: _IOWR(DM_IOCTL 0xfd, 14, struct dm_ioctl of 312 bytes).
DM_TARGET_MSG_CMD=0xc138fd0e

# trace_on PID: the kernel records, on the monotonic clock, every
# fallocate's call and return, and PID's ioctls and waits in poll.
trace_on() {
	mountpoint -q "$TRACING" || mount -t tracefs tracefs "$TRACING"
	echo 0 >"$TRACING/tracing_on"
	echo mono >"$TRACING/trace_clock"
	: >"$TRACING/trace"
	local event
	for event in sys_enter_ioctl sys_exit_ioctl sys_enter_poll; do
		echo "common_pid == $1" >"$TRACING/events/syscalls/$event/filter"
		echo 1 >"$TRACING/events/syscalls/$event/enable"
	done
	echo 1 >"$TRACING/events/syscalls/sys_enter_fallocate/enable"
	echo 1 >"$TRACING/events/syscalls/sys_exit_fallocate/enable"
	echo 1 >"$TRACING/tracing_on"
}

# trace_off: for each fallocate traced, the ms from its call and from its
# return to the return of the last device-mapper message of the pass that
# followed it, a line "CALL RETURN" each.  That pass starts with the
# first other ioctl after the return (the file's extents read) and ends
# when the daemon next waits in poll; a check in between, which reads no
# extents, is not it.
trace_off() {
	echo 0 >"$TRACING/tracing_on"
	echo 0 >"$TRACING/events/syscalls/enable"
	awk -v message="$(printf '%x' "$DM_TARGET_MSG_CMD")" '
		function stamp(line) {
			match(line, /[0-9]+\.[0-9]+: sys_/)
			return substr(line, RSTART, RLENGTH - 6) + 0
		}
		function step_done() {
			if (last != "")
				printf "%.1f %.1f\n", (last - called) * 1000, (last - returned) * 1000
			state = ""
		}
		/: sys_fallocate\(/ { step_done(); called = stamp($0); last = "" }
		/: sys_fallocate ->/ { returned = stamp($0); state = "before the pass" }
		/: sys_ioctl\(/ {
			is_message = index($0, "cmd: " message) > 0
			if (state == "before the pass" && !is_message)
				state = "in the pass"
		}
		/: sys_ioctl ->/ && state == "in the pass" && is_message { last = stamp($0) }
		/: sys_poll\(/ && state == "in the pass" { state = "after the pass" }
		END { step_done() }
	' "$TRACING/trace"
}

# ---- reaction: growth steps ------------------------------------------------
# group-wait grows the file by 1 MiB (fallocate), takes the time when the
# call returns and polls the group every ~1 ms until it covers the file.

# summarize SCENARIO [PREFIX]: reads ms values, emits median, p90 (nearest
# rank), max, their metrics' names starting with PREFIX.
summarize() {
	sort -n | awk -v s="$1" -v p="${2:-}" '
		{ v[++n] = $1 }
		END {
			if (n == 0) exit
			med = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
			r = int(0.9 * n); if (r < 0.9 * n) r++
			printf "BENCH\t%s\t%smedian ms\t%.1f\n", s, p, med
			printf "BENCH\t%s\t%sp90 ms\t%.1f\n", s, p, v[r]
			printf "BENCH\t%s\t%smax ms\t%.1f\n", s, p, v[n]
		}'
}

# median: of the numbers read, one per line.
median() {
	sort -n | awk '{ v[++n] = $1 } END { if (n) print n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }'
}

# growth_steps SCENARIO FS FILE: 20 growth steps of FILE, whose group's
# alias is its name, on FS's device; emits how long each took to follow.
growth_steps() {
	local name=$1 fs=$2 file=$3 i out times=/tmp/steps.$2 timeouts=0
	: >"$times"
	for i in $(seq 1 20); do
		if out=$(group-wait -t 10 --grow $MIB "b$fs" "${file##*/}" "$file"); then
			field ms "$out" >>"$times"
		else
			timeouts=$((timeouts + 1))
		fi
		# Each step a fresh event, not part of the last one's burst.
		sleep 0.2
	done
	summarize "$name" <"$times"
	emit "$name" "steps over 10 s" "$timeouts"
}

scenario_reaction() {
	local fs=$1 dir file pid
	dir=$(fs_dir "$fs")
	file=$dir/react
	write_mib "$file" 0
	pid=$(start_daemon "$file" 30)
	growth_steps "reaction/$fs" "$fs" "$file"
	stop_daemon "$pid"
	clean_fs "$fs"
}

# ---- the same under another program's use of device-mapper --------------
# dm-poller opens the control node, asks its version and closes it every
# millisecond, as a monitoring agent polling dm might: every close is a use
# the device's daemons see.  The daemon's CPU while nothing but the poller
# runs, then the reaction to growth steps as above, the poller still
# going.

scenario_poller() {
	local fs=$1 name=poller/$1 dir file pid uses poller cpu0 cpu1 seconds=20
	dir=$(fs_dir "$fs")
	file=$dir/polled
	write_mib "$file" 0
	pid=$(start_daemon "$file" 30)
	dm-poller 1 $((seconds + 30)) >/tmp/poller.uses &
	poller=$!
	sleep 2
	cpu0=$(cpu_ns "$pid")
	sleep "$seconds"
	cpu1=$(cpu_ns "$pid")
	emit "$name" "daemon CPU under the poller, file quiet ms/s" \
		"$(awk -v ns=$((cpu1 - cpu0)) -v s="$seconds" 'BEGIN { printf "%.2f", ns / 1e6 / s }')"
	# The kernel's trace of the same steps: from each fallocate's return,
	# as group-wait times them, to the return of the daemon's last message.
	trace_on "$pid"
	growth_steps "$name" "$fs" "$file"
	trace_off | awk '{ print $2 }' | summarize "$name" "kernel trace: "
	wait "$poller" || fail "dm-poller failed"
	uses=$(cat /tmp/poller.uses)
	emit "$name" "poller's uses of dm per s" "$((uses / (seconds + 30)))"
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

# ---- idle: a minute or more untouched, then a minute under strace --------

# per_min VALUE ELAPSED_MS
per_min() {
	awk -v v="$1" -v t="$2" 'BEGIN { printf "%.1f", v * 60000 / t }'
}

# idle_sample PID: "ms cpu_ns voluntary_switches"
idle_sample() {
	echo "$(now_ms) $(cpu_ns "$1") $(status_field "$1" voluntary_ctxt_switches)"
}

# nap SECONDS: sleeps without starting a process, so that watching an idle
# daemon does not load the one emulated CPU it shares with it: a read from
# a FIFO nobody writes to times out.  scenario_idle makes the FIFO.
NAP_FIFO=/tmp/nap
nap() {
	read -r -t "$1" <>"$NAP_FIFO" || true
}

# after_wakeup PID: returns once the daemon has woken up and done its work
# (it used CPU, then nothing more for 500 ms), or after 120 s without a
# wake-up.  The counter is read in place, as $(...) would fork each time.
after_wakeup() {
	local was now rest deadline=$(($(now_ms) + 120000))
	read -r was rest <"/proc/$1/schedstat" || fail "daemon $1 has gone"
	now=$was
	while [ "$now" = "$was" ] && [ "${EPOCHREALTIME/./}" -lt "${deadline}000" ]; do
		nap 0.25
		read -r now rest <"/proc/$1/schedstat" || fail "daemon $1 has gone"
	done
	while was=$now && nap 0.5 && read -r now rest <"/proc/$1/schedstat" &&
		[ "$now" != "$was" ]; do :; done
}

# idle_window PID MIN_S: prints two idle_samples, taken just after a
# wake-up and just after the first wake-up at least MIN_S s later.  The
# window spans whole periods of the daemon's wake-ups, so a daemon that
# wakes up once a minute is seen once in it, whatever its phase.
idle_window() {
	after_wakeup "$1"
	idle_sample "$1"
	sleep "$2"
	after_wakeup "$1"
	idle_sample "$1"
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
	local fss fs pids=() tracers=() i a b t0 t1 dm waits
	IFS=+ read -ra fss <<<"$1"
	for fs in "${fss[@]}"; do
		dd if=/dev/urandom of="$(fs_dir "$fs")/idle" bs=1M count=8 oflag=direct status=none
		pids+=("$(start_daemon "/mnt/$fs/idle" 30)")
	done
	step "idle: at least a minute untraced, in whole periods of wake-ups"
	rm -f "$NAP_FIFO"
	mkfifo "$NAP_FIFO"
	for i in "${!pids[@]}"; do idle_window "${pids[i]}" 60 >"/tmp/idle.${fss[i]}" & done
	wait
	for i in "${!pids[@]}"; do
		{ read -r -a a && read -r -a b; } <"/tmp/idle.${fss[i]}" ||
			fail "no idle window for ${fss[i]}"
		emit "idle/${fss[i]}" "CPU ms/min" "$(per_min "$(((b[1] - a[1]) / 1000))" $(((b[0] - a[0]) * 1000)))"
		emit "idle/${fss[i]}" "wakeups/min (voluntary switches)" "$(per_min $((b[2] - a[2])) $((b[0] - a[0])))"
		emit "idle/${fss[i]}" "idle window s" $(((b[0] - a[0]) / 1000))
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

# hole_cpu PID GID FILE OFFSET BLOCK: the daemon's CPU (ns) for one block
# of FILE punched at OFFSET by a process that does not use device-mapper,
# read once the daemon has settled and before anything looks at the group.
# xfs_io punches and closes; fallocate(1) would also fsync, and that work
# would share the guest's one CPU with the daemon's pass.
hole_cpu() {
	local pid=$1 gid=$2 file=$3 cpu0
	cpu0=$(cpu_ns "$pid")
	xfs_io -c "fpunch $4 $5" "$file"
	sleep 0.5
	settled_daemon "$gid" "$file" 60 >/dev/null
	echo $(($(cpu_ns "$pid") - cpu0))
}

# hole_at N K BLOCK: the offset of the K-th data block from three quarters
# of a fragmented file of N extents on, clear of the blocks pass-profile
# punches from the middle on (bench/fragment: every other block is data).
hole_at() {
	echo $(((3 * $1 / 4 + $2) * 2 * $3))
}

scenario_pass() {
	local fs=$1 n=$2 name=pass/$1/$2 file=/mnt/p/big out block got t0 t1 gid pid cpu0 cpu1 k floor after
	check_stats_memory "$n"
	make_linear "p$fs" /dev/vdc >/dev/null
	make_fs "$fs" "/dev/mapper/p$fs" /mnt/p >/dev/null
	out=$(fragment "$file" "$n") || fail "fragment $file $n failed"
	block=${out##*block=}
	got=$(file_extents "$file" "/dev/mapper/p$fs" | wc -l)
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
	# One more hole: how soon the group is in step, as a poller sees it.
	# The poller uses device-mapper, which also prompts a group check.
	out=$(group-wait -t 120 --punch "$(hole_at "$n" 0 "$block")":"$block" "p$fs" big "$file") ||
		fail "the group did not follow one punched hole within 120 s: $out"
	emit "$name" "one hole: in step ms" "$(field ms "$out")"
	emit "$name" "one hole: poll interval ms" "$(field interval_ms "$out")"
	settled_daemon "$gid" "$file" 60 >/dev/null
	# What the pass alone costs: a hole punched by a process that does not
	# use device-mapper, the group looked at only after the CPU is read.
	# The check the poller prompted (within CONTROL_GAP_MS) is over first.
	# The kernel's trace times it from the punch to the last message.
	sleep 1
	trace_on "$pid"
	emit "$name" "one hole: daemon CPU ms" \
		"$(ns_to_ms "$(hole_cpu "$pid" "$gid" "$file" "$(hole_at "$n" 1 "$block")" "$block")")"
	trace_off >/tmp/hole-trace
	group-wait -t 60 "p$fs" big "$file" >/dev/null || fail "the group did not follow a second hole"
	settled_daemon "$gid" "$file" 60 >/dev/null
	# The same a second after another process listed the regions, as
	# monitoring does: the check that listing prompted is over, and
	# nobody uses device-mapper from then on.  What the listing proved
	# need not be listed again.  The median of three.
	for k in 2 3 4; do
		dmsetup message "p$fs" 0 @stats_list >/dev/null
		sleep 1
		settled_daemon "$gid" "$file" 60 >/dev/null
		trace_on "$pid"
		ns_to_ms "$(hole_cpu "$pid" "$gid" "$file" "$(hole_at "$n" "$k" "$block")" "$block")"
		echo
		trace_off >>/tmp/hole-trace
	done >/tmp/after-listing
	after=$(median </tmp/after-listing)
	emit "$name" "one hole after another's listing: daemon CPU ms" "$after"
	# Those four holes as the kernel saw them.
	emit "$name" "one hole: punch to last region change ms (kernel trace)" \
		"$(awk '{ print $1 }' /tmp/hole-trace | median)"
	emit "$name" "one hole: punch's return to last region change ms (kernel trace)" \
		"$(awk '{ print $2 }' /tmp/hole-trace | median)"
	group-wait -t 60 "p$fs" big "$file" >/dev/null || fail "the group did not follow the holes after a listing"
	emit "$name" "daemon VmHWM KiB" "$(status_field "$pid" VmHWM)"
	settled_daemon "$gid" "$file" 60 >/dev/null
	# Quiet, the daemon checks its group once a minute, or when another
	# process has used device-mapper, as dmsetup does here.
	cpu0=$(cpu_ns "$pid")
	dmsetup status "p$fs" >/dev/null
	# Pacing: the prompted check comes within a second.
	sleep 1
	settled_daemon "$gid" "$file" 60 >/dev/null
	cpu1=$(cpu_ns "$pid")
	emit "$name" "one group check: daemon CPU ms" "$(ns_to_ms $((cpu1 - cpu0)))"
	# The floor of such a hole in this guest, now: what the kernel alone
	# needs for the map and the same messages (bench/pass-profile, on the
	# group left without its daemon).
	stop_daemon "$pid"
	if [ "$fs" = btrfs ]; then
		emit "$name" "one hole: floor ms" "not run: pass-profile reads FIEMAP, not btrfs's extent items"
		emit "$name" "one hole after another's listing / floor" "not run: no floor on btrfs"
	else
		out=$(pass-profile -n 5 "$file" "$gid") || fail "pass-profile failed: $out"
		floor=$(sed -n 's/^step=floor us=//p' <<<"$out")
		[ -n "$floor" ] || fail "pass-profile printed no floor"
		emit "$name" "one hole: floor ms" "$(ns_to_ms $((floor * 1000)))"
		emit "$name" "one hole after another's listing / floor" \
			"$(awk -v d="$after" -v f="$floor" 'BEGIN { printf "%.2f", d * 1000 / f }')"
	fi
	# The same file's group made again by dmfilemapd --create, on every
	# file system alike, timed to its return: the group made and in step,
	# the daemon started.  Not past 4 000 extents: at 16 000 the kernel
	# alone takes about two minutes to make the regions, one at a time.
	if [ "$n" -gt 4000 ]; then
		emit "$name" "dmfilemapd --create ms" "not run: past 4000 extents (minutes of the kernel's region making)"
		return 0
	fi
	unwatched dmstats delete "p$fs" --groupid "$gid" >/dev/null
	t0=$(now_ms)
	if dmfilemapd --create "$file" >/dev/null 2>&1; then
		emit "$name" "dmfilemapd --create ms" $(($(now_ms) - t0))
	else
		emit "$name" "dmfilemapd --create ms" "not run: dmfilemapd --create failed"
	fi
}

# ---- profile: one pass, step by step ---------------------------------------
# bench/pass-profile runs the daemon's own pass code on a group no daemon
# follows, and the kernel's share of the same work (see pass_profile.c).

scenario_profile() {
	local fs=$1 n=$2 name=profile/$1/$2 file=/mnt/p/big gid out line label daemon='' floor=''
	check_stats_memory "$n"
	make_linear "p$fs" /dev/vdc >/dev/null
	make_fs "$fs" "/dev/mapper/p$fs" /mnt/p >/dev/null
	fragment "$file" "$n" >/dev/null || fail "fragment $file $n failed"
	gid=$(filemap_create "$file" --nomonitor)
	out=$(pass-profile "$file" "$gid") || fail "pass-profile failed: $out"
	while IFS= read -r line; do
		case $line in
		step=*)
			label=${line#step=}
			emit "$name" "${label% us=*} ms" \
				"$(ns_to_ms $((${line##*us=} * 1000)))"
			case $line in
			step=daemon\ *) daemon=${line##*us=} ;;
			step=floor\ *) floor=${line##*us=} ;;
			esac
			;;
		messages=*) emit "$name" "messages: create/delete/set_aux" "${line#messages=}" ;;
		esac
	done <<<"$out"
	[[ -n $daemon && -n $floor ]] || fail "pass-profile printed no daemon or floor figure"
	emit "$name" "daemon / floor" "$(awk -v d="$daemon" -v f="$floor" 'BEGIN { printf "%.2f", d / f }')"
}

# ---- groups: G daemons on one device, one other process's dm use -----------
# R regions in all, split over G files on one device, each followed by its
# own daemon; `dmsetup status` then uses the device.  What all the daemons
# spend on it together, per run.  Each daemon also checks its group once a
# minute unprompted, whatever happens: a SIGHUP to all (a full sync) first
# puts those checks a minute later, after the runs, which then measure
# only what the dmsetup runs cause (a daemon that SIGHUP would end is sent
# none).  The first run after a daemon's own
# pass may wake it once (dmfilemapd(8), TIMING): the median leaves that
# out, the most costly run shows it.

# sum_cpu PID...: the processes' CPU time together, ns.
sum_cpu() {
	local pid total=0
	for pid in "$@"; do total=$((total + $(cpu_ns "$pid"))); done
	echo "$total"
}

# A window holding every daemon's unprompted check (GROUP_CHECK_MS).
IDLE_WINDOW_S=65

scenario_groups() {
	local fs=$1 g=$2 r=$3 name=groups/$1/$2 i file gid pids=() runs=5 cpu0 cpu1 costs=() typical
	check_stats_memory "$r"
	make_linear "p$fs" /dev/vdc >/dev/null
	make_fs "$fs" "/dev/mapper/p$fs" /mnt/p >/dev/null
	for i in $(seq 1 "$g"); do
		file=/mnt/p/g$i
		fragment "$file" $((r / g)) >/dev/null || fail "fragment $file failed"
		gid=$(filemap_create "$file")
		pids+=("$(settled_daemon "$gid" "$file" 60)")
	done
	assert_impl "${pids[0]}"
	emit "$name" "regions in all" "$(dmstats list --allprograms --allregions "p$fs" --noheadings -o region_id 2>/dev/null | wc -l)"
	for i in "${pids[@]}"; do handles_hup "$i" && kill -HUP "$i"; done
	# Until they are all quiet again.
	cpu1=$(sum_cpu "${pids[@]}")
	for _ in $(seq 1 60); do
		sleep 0.5
		cpu0=$cpu1 cpu1=$(sum_cpu "${pids[@]}")
		[ $((cpu1 - cpu0)) -lt 5000000 ] && break
	done
	for _ in $(seq 1 $runs); do
		cpu0=$(sum_cpu "${pids[@]}")
		dmsetup status "p$fs" >/dev/null
		# Every prompted check comes within a second.
		sleep 1.5
		cpu1=$(sum_cpu "${pids[@]}")
		costs+=($((cpu1 - cpu0)))
	done
	typical=$(printf '%s\n' "${costs[@]}" | median)
	emit "$name" "all daemons' CPU per dmsetup run ms" "$(ns_to_ms "$typical")"
	emit "$name" "the most costly run ms" "$(ns_to_ms "$(printf '%s\n' "${costs[@]}" | sort -n | tail -n 1)")"
	# The first count of groups run is the baseline of the others.
	[ -s /tmp/groups.base ] || echo "$typical" >/tmp/groups.base
	emit "$name" "÷ the first count's" "$(awk -v m="$typical" -v b="$(cat /tmp/groups.base)" \
		'BEGIN { printf "%.2f", m / (b > 1000000 ? b : 1000000) }')"
	# Left alone: the SIGHUP put every daemon's unprompted check a minute
	# on, inside this window.
	sleep 2
	for i in "${pids[@]}"; do cpu_ns "$i"; done >/tmp/idle.before
	sleep "$IDLE_WINDOW_S"
	for i in "${pids[@]}"; do cpu_ns "$i"; done >/tmp/idle.after
	# All together, and the costliest one: the device's watcher, whose
	# survey lists the regions for all.
	paste /tmp/idle.before /tmp/idle.after | awk -v s="$IDLE_WINDOW_S" -v name="$name" '
		{ d = $2 - $1; all += d; if (d > most) most = d }
		END {
			printf "BENCH\t%s\tall daemons'"'"' CPU idle ms/s\t%.2f\n", name, all / 1e6 / s
			printf "BENCH\t%s\tthe costliest daemon idle ms/s\t%.2f\n", name, most / 1e6 / s
		}' 
}

# ---- churn: a copy-on-write file overwritten at random ---------------------
# On btrfs every overwrite is placed anew, so each write that reaches the
# device changes the file's layout, and the group follows.  O_DIRECT 4 KiB
# overwrites at random places of a 64 MiB file, one every EVERY ms, 1000 of
# them: the regions the daemon made and deleted, its passes and CPU, the
# regions at the end against the file's ranges, and the group in step.

scenario_churn() {
	local fs=$1 every=$2 name=churn/$1/${2}ms dir file log=/tmp/churn.log pid cpu0 cpu1 writes n
	dir=$(fs_dir "$fs")
	file=$dir/churn
	dd if=/dev/urandom of="$file" bs=1M count=64 oflag=direct status=none
	dmfilemapd --create --foreground --verbose 2 "$file" >/dev/null 2>"$log" &
	pid=$!
	group-wait -t 30 "b$fs" churn "$file" >/dev/null || fail "the group is not in step with the file after --create"
	assert_impl "$pid"
	n=$(grep -c "created region" "$log" || true)
	cpu0=$(cpu_ns "$pid")
	writes=$(overwrite "$file" 1000 "$every" 1) || fail "overwrite failed"
	group-wait -t 30 "b$fs" churn "$file" >/dev/null || fail "the group did not follow the overwrites"
	cpu1=$(cpu_ns "$pid")
	emit "$name" "overwrites" "$writes"
	emit "$name" "regions created" "$(($(grep -c "created region" "$log" || true) - n))"
	emit "$name" "regions deleted" "$(grep -c "deleted region" "$log" || true)"
	emit "$name" "passes that changed the group" "$(grep -c "updated:" "$log" || true)"
	emit "$name" "regions at the end" "$(group_regions "b$fs" "$(group_id_by_alias "b$fs" churn)" | wc -l)"
	emit "$name" "file's device ranges at the end" "$(file_extents "$file" "b$fs" | merge_ranges | wc -l)"
	emit "$name" "daemon CPU ms" "$(ns_to_ms $((cpu1 - cpu0)))"
	emit "$name" "daemon CPU ms per overwrite" "$(awk -v ns=$((cpu1 - cpu0)) -v w="$writes" 'BEGIN { printf "%.2f", ns / w / 1000000 }')"
	stop_daemon "$pid"
	rm -f "$file"
	clean_fs "$fs"
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

main() {
	local spec kind fs sizes n
	echo "guest: $(uname -r), $(($(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo) / 1024)) MiB," \
		"$(dmstats version | sed -n 's/^Library version: *//p' | head -n 1)"
	for spec in "$@"; do
		IFS=: read -r kind fs sizes <<<"$spec"
		case $kind in
		reaction | poller | fidelity | burst) run_scenario "$kind/$fs" "scenario_$kind" "$fs" ;;
		churn)
			for n in ${sizes//+/ }; do run_scenario "churn/$fs/${n}ms" scenario_churn "$fs" "$n"; done
			;;
		guest) run_scenario guest scenario_guest ;;
		idle) run_scenario "idle/${fs//+/,idle/}" scenario_idle "$fs" ;;
		pass)
			for n in ${sizes//+/ }; do run_scenario "pass/$fs/$n" scenario_pass "$fs" "$n"; done
			;;
		profile)
			for n in ${sizes//+/ }; do run_scenario "profile/$fs/$n" scenario_profile "$fs" "$n"; done
			;;
		groups)
			# sizes: G+G...@R
			for n in $(tr + ' ' <<<"${sizes%@*}"); do
				run_scenario "groups/$fs/$n" scenario_groups "$fs" "$n" "${sizes#*@}"
			done
			;;
		*) echo "vm-bench: unknown scenario $spec" >&2 ;;
		esac
	done
}

main "$@"
