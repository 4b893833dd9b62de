#!/bin/bash
# tests/vm/scenarios/growth_counts.sh on ext4.
exec bash /test/scenarios/growth_counts.sh ext4
