#!/bin/bash
# Runner self-test: a script that never ends must be stopped by --timeout.
echo "sleeping for ever"
sleep 1000
