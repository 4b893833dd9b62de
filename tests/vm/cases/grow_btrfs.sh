#!/bin/bash
# tests/vm/scenarios/grow.sh on btrfs (single data, DUP metadata), the
# group made by dmfilemapd --create.
exec bash /test/scenarios/grow.sh btrfs
