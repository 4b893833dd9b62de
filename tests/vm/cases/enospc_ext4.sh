#!/bin/bash
# tests/vm/scenarios/enospc.sh on ext4.
exec bash /test/scenarios/enospc.sh ext4
