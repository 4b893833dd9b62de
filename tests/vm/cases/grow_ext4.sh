#!/bin/bash
# tests/vm/scenarios/grow.sh on ext4.
exec bash /test/scenarios/grow.sh ext4
