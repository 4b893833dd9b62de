#!/bin/bash
# tests/vm/scenarios/shrink.sh on ext4.
exec bash /test/scenarios/shrink.sh ext4
