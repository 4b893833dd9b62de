#!/bin/bash
# tests/vm/scenarios/grow.sh on xfs.
exec bash /test/scenarios/grow.sh xfs
