# shellcheck shell=bash
# Sourced by tests/check: jobs that run side by side, one per core (VM
# cases that need a guest of their own, fuzz targets, the package's guest
# runs, tests/vm/run's self-tests), and the lanes in which most VM cases
# share a guest boot.  Each job's tests are recorded with record (check).
# Its globals (top, vm, work, jobs_max, ...) are tests/check's:
# shellcheck disable=SC2154

# ---- jobs: tests in the guest and fuzzing, one per core -------------------

running=()
pending=()
declare -A job_command job_waits

# start_job NAME FUNCTION [ARGS...]: queues FUNCTION to run in the
# background with its output in a log of its own; jobs start in the order
# queued, as many at a time as there are cores.  A job that runs several
# tests (a lane) writes a line "ok|FAIL MS TEST LOGFILE" for each into the
# file $job_results instead.
start_job() {
	local name=$1
	shift
	job_command[$name]=$(printf '%q ' "$@")
	pending+=("$name")
}

# start_waiting_job NAME FUNCTION [ARGS...]: queues a job that spends its
# time waiting (a guest asleep, say), and so takes no core: it starts as
# soon as every job queued before it has started, whatever else runs.
start_waiting_job() {
	job_waits[$1]=1
	start_job "$@"
}

# busy_jobs: how many running jobs take a core, in $busy.
busy_jobs() {
	local name
	busy=0
	for name in "${running[@]}"; do
		[ -n "${job_waits[$name]:-}" ] || busy=$((busy + 1))
	done
}

# Starts queued jobs in order while a core is free, and the waiting jobs
# that come before the first job that must wait for a core.
pump_jobs() {
	local i name log busy started=()
	busy_jobs
	for i in "${!pending[@]}"; do
		name=${pending[$i]}
		if [ -z "${job_waits[$name]:-}" ]; then
			[ "$busy" -lt "$jobs_max" ] || break
			busy=$((busy + 1))
		fi
		started+=("$i")
		log=$work/job.${name//\//_}
		now_ms
		echo "$now_ms" >"$log.started"
		# Where a job that runs several tests lists them; the subshell
		# keeps the value it had when it started.
		job_results=$log.results
		(
			eval "${job_command[$name]}" >"$log" 2>&1
			echo $? >"$log.status"
			now_ms
			echo "$now_ms" >"$log.ended"
		) &
		running+=("$name")
	done
	for i in "${started[@]}"; do unset "pending[$i]"; done
	pending=("${pending[@]}")
}

# record_job NAME LOG: records what job NAME found: the tests it ran, or
# the job itself as one test.
record_job() {
	local name=$1 log=$2 took status ms test file
	took=$(($(cat "$log.ended") - $(cat "$log.started")))
	if [ -f "$log.results" ]; then
		while read -r status ms test file; do
			record "$status" "$test" "$ms" "$file"
		done <"$log.results"
		# A lane that failed outside its tests says why.
		[ "$(cat "$log.status")" = 0 ] || record FAIL "$name" "$took" "$log"
	elif [ "$(cat "$log.status")" = 0 ]; then
		record ok "$name" "$took"
	else
		record FAIL "$name" "$took" "$log"
	fi
}

# Waits for a running job to end, records it and starts the next.
finish_one() {
	wait -n 2>/dev/null
	local i name log kept=()
	for i in "${!running[@]}"; do
		name=${running[$i]}
		log=$work/job.${name//\//_}
		if [ -f "$log.ended" ]; then
			record_job "$name" "$log"
		else
			kept+=("$name")
		fi
	done
	running=("${kept[@]}")
	pump_jobs
}

finish_all() {
	pump_jobs
	while [ ${#running[@]} -gt 0 ]; do finish_one; done
}

# vm_case FILE [WRAPPER]: runs case FILE in the guest, or runs guest script
# WRAPPER there with FILE beside it.  A case may ask for other guest
# settings on a line "# vm-options: --mem 1024".
vm_case() {
	local file=$1 options status=0
	options=$(sed -n 's/^# vm-options://p' "$file" | head -n 1)
	if [ -n "${2:-}" ]; then
		# shellcheck disable=SC2086
		"${vm_run[@]}" --timeout 300 $options --with "$file" "$2" "${file##*/}" || status=$?
	else
		# shellcheck disable=SC2086
		"${vm_run[@]}" --timeout 300 $options "$file" || status=$?
	fi
	[ "$status" = 0 ] || echo "(tests/vm/run exited $status)"
	return "$status"
}

# A case with the sanitized daemon: tests/vm/san-guest.sh runs it and reads
# the sanitizers' reports.
san_vm_case() {
	[ -x "$san/dmfilemapd" ] || { echo "$san/dmfilemapd is not built: run make san"; return 1; }
	DMFILEMAPD=$san/dmfilemapd vm_case "$1" "$vm/san-guest.sh"
}

# ---- VM cases in lanes ---------------------------------------------------

# Most cases run in lanes: one guest boots once and runs case after case
# (tests/vm/lane-guest.sh, which puts the guest back as it found it between
# them), taking each from one queue that the lanes running side by side
# share, so that no lane idles while another has work queued.  A lane's
# guest has the memory and the scratch disks the cases that ask for them
# ("# vm-options:") want; a case that asks for anything else (another
# libdevmapper, systemd) boots a guest of its own.
lane_timeout=$((300 + 60))
lane_mem=1536
lane_disks=(1G 64M)
queue=$work/queue
lane_withs=()

# case_waits FILE: the case spends most of its time waiting, as it says on
# a line "# check: waits"; it boots a guest of its own that takes no core.
case_waits() {
	grep -q '^# check: waits' "$1"
}

# lane_serves FILE: a lane's guest is one the case's vm-options ask for:
# no more memory than the lane's, its scratch disks the lane's first ones.
lane_serves() {
	local options disks=0
	options=$(sed -n 's/^# vm-options://p' "$1" | head -n 1)
	# shellcheck disable=SC2086
	set -- $options
	while [ $# -gt 0 ]; do
		case $1 in
		--mem) [ "${2:-x}" -le "$lane_mem" ] 2>/dev/null || return 1 ;;
		--disk) [ "${2:-}" = "${lane_disks[disks]:-}" ] || return 1; disks=$((disks + 1)) ;;
		*) return 1 ;;
		esac
		shift 2
	done
}

# lane_fits FILE: the case can run in a lane.
lane_fits() {
	lane_serves "$1" && ! case_waits "$1"
}

# queue_pop: prints the first test of the queue and takes it off; fails
# when the queue is empty.
queue_pop() {
	(
		flock 8
		first=$(head -n 1 "$queue")
		[ -n "$first" ] || exit 1
		sed -i 1d "$queue"
		echo "$first"
	) 8>"$queue.lock"
}

# lane_result ok|FAIL MS TEST LOG: one test's result, for record_job.
lane_result() {
	echo "$1 $2 $3 $4" >>"$job_results"
}

# lane_boot LANE BOOT: boots one guest and serves it tests from the queue
# until the queue is empty, the guest dies or a test outlives
# $lane_timeout.  Output of the guest outside the tests goes to stdout.
lane_boot() {
	local lane=$1 boot=$2 token stream=$work/lane$1.$2.stream input=$work/lane$1.$2.input
	local run_pid line rest status ms current='' current_log='' served=0 handed=0 previous=
	local guest=(--mem "$lane_mem") disk
	token=LANE-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
	mkfifo "$stream"
	for disk in "${lane_disks[@]}"; do guest+=(--disk "$disk"); done
	"${vm_run[@]}" --timeout 100000 "${guest[@]}" --input "$input" "${lane_withs[@]}" \
		"$vm/lane-guest.sh" "$token" >"$stream" 2>&1 &
	run_pid=$!
	exec 5<"$stream"
	while :; do
		status=0
		IFS= read -r -t "$lane_timeout" line <&5 || status=$?
		if [ "$status" -gt 128 ]; then
			echo "lane: no word from the guest for ${lane_timeout}s; stopping it"
			kill "$run_pid" 2>/dev/null
			break
		fi
		if [ "$status" != 0 ]; then
			# The end of the stream: the guest is gone.
			[ -z "$line" ] || printf '%s\n' "$line"
			break
		fi
		case $line in
		*"$token next")
			line=${line%"$token next"}
			[ -z "$line" ] || printf '%s\n' "$line"
			[ "$handed" = 1 ] || exec 6>"$input.in"
			handed=1
			if current=$(queue_pop); then
				current_log=$job_results.$lane.$boot.$served
				: >"$current_log"
				served=$((served + 1))
			else
				current=
			fi
			echo "$current" >&6
			;;
		*"$token done "*)
			[ -z "${line%%"$token done "*}" ] || printf '%s\n' "${line%%"$token done "*}" >>"$current_log"
			rest=${line##*"$token done "}
			status=${rest%% *}
			ms=${rest##* }
			if [ "$status" = 0 ]; then
				lane_result ok "$ms" "$current" "$current_log"
			else
				echo "(exit status $status; lane $lane, boot $boot, after ${previous:-the boot})" >>"$current_log"
				lane_result FAIL "$ms" "$current" "$current_log"
			fi
			previous=$current
			current=
			;;
		*)
			if [ -n "$current" ]; then printf '%s\n' "$line" >>"$current_log"; else printf '%s\n' "$line"; fi
			;;
		esac
	done
	exec 5<&- 6>&-
	wait "$run_pid" 2>/dev/null
	status=$?
	if [ -n "$current" ]; then
		# The guest died in the middle of a test: it fails with what the
		# runner said about the guest.
		echo "lane: the guest ended during this test (tests/vm/run exited $status)" >>"$current_log"
		lane_result FAIL 0 "$current" "$current_log"
	fi
	[ "$handed" = 1 ]
}

# lane LANE: boots guests for the queue until it is empty.  A guest that
# dies takes one test with it; the next boot goes on with the rest.  A
# guest that never asked for a test fails every test still queued.
lane() {
	local boot=0 name
	: >>"$job_results"
	while [ -s "$queue" ]; do
		boot=$((boot + 1))
		lane_boot "$1" "$boot" && continue
		echo "lane $1: the guest did not start its tests"
		while name=$(queue_pop); do
			echo "not run: lane $1's guest did not start (see lane $1's failure)" >"$job_results.$1.left"
			lane_result FAIL 0 "$name" "$job_results.$1.left"
		done
		return 1
	done
}

# queue_case TEST FILE: queues case FILE to run as TEST in a lane.
queue_case() {
	echo "$1" >>"$queue"
	case " ${lane_withs[*]} " in *" $2 "*) ;; *) lane_withs+=(--with "$2") ;; esac
}

# long_first FILE...: the case files, those of $long_vm_cases first.
long_first() {
	local file name long=() rest=()
	for file in "$@"; do
		name=${file##*/}
		if [[ " ${long_vm_cases//$'\n'/ } " == *" ${name%.sh} "* ]]; then
			long+=("$file")
		else
			rest+=("$file")
		fi
	done
	printf '%s\n' "${long[@]}" "${rest[@]}"
}

# The cases that wait, as "TEST FUNCTION FILE" triples for start_job.
waiting_cases=()

run_vm_cases() {
	local file name files
	: >"$queue"
	lane_withs=(--with "$vm/san-guest.sh")
	if [ -x "$san/dmfilemapd" ]; then
		cp "$san/dmfilemapd" "$work/dmfilemapd.san"
		lane_withs+=(--with "$work/dmfilemapd.san")
	fi
	# The sanitized runs first: they are the slowest.
	for name in $san_vm_cases; do
		file=$vm/cases/$name.sh
		selected "san/vm/$name" || continue
		if [ ! -f "$file" ]; then
			echo "no such case: $file" >"$work/san.log"
			record FAIL "san/vm/$name" 0 "$work/san.log"
		elif [ ! -x "$san/dmfilemapd" ]; then
			echo "$san/dmfilemapd is not built: run make san" >"$work/san.log"
			record FAIL "san/vm/$name" 0 "$work/san.log"
		elif lane_fits "$file"; then
			queue_case "san/vm/$name" "$file"
		elif case_waits "$file"; then
			waiting_cases+=("san/vm/$name" san_vm_case "$file")
		else
			start_job "san/vm/$name" san_vm_case "$file"
		fi
	done
	mapfile -t files < <(long_first "$vm"/cases/*.sh)
	for file in "${files[@]}"; do
		[ -e "$file" ] || continue
		name=vm/$(basename "$file" .sh)
		selected "$name" || continue
		if lane_fits "$file"; then
			queue_case "$name" "$file"
		elif case_waits "$file"; then
			waiting_cases+=("$name" vm_case "$file")
		else
			start_job "$name" vm_case "$file"
		fi
	done
}

# Queues the cases that wait, to start just before the lanes: they sleep
# beside the lanes, whose cases wait for the daemon too, rather than take
# the CPU from the jobs queued before them.
queue_waiting_cases() {
	local i
	for ((i = 0; i < ${#waiting_cases[@]}; i += 3)); do
		start_waiting_job "${waiting_cases[@]:i:3}"
	done
}

# Queues a lane a core, but no more than there are cases.
start_lanes() {
	local lanes=0
	while [ "$lanes" -lt "$jobs_max" ] && [ "$lanes" -lt "$(wc -l <"$queue")" ]; do
		lanes=$((lanes + 1))
		start_job "lane/$lanes" lane "$lanes"
	done
}
