#!/bin/bash
# tests/vm/scenarios/growth_counts.sh on xfs.
exec bash /test/scenarios/growth_counts.sh xfs
