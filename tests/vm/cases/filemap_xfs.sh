#!/bin/bash
# tests/vm/scenarios/filemap.sh on xfs.
exec bash /test/scenarios/filemap.sh xfs
