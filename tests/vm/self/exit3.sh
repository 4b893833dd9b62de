#!/bin/bash
# Runner self-test: the guest script's exit status becomes tests/vm/run's.
echo "about to exit 3"
exit 3
