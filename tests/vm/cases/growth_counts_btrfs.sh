#!/bin/bash
# tests/vm/scenarios/growth_counts.sh on btrfs (single data, DUP metadata), the
# group made by dmfilemapd --create.
exec bash /test/scenarios/growth_counts.sh btrfs
