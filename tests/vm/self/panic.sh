#!/bin/bash
# Runner self-test: a kernel panic must end the run with a clear message.
echo "crashing the kernel"
sync
echo c >/proc/sysrq-trigger
sleep 60
