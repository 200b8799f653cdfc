#!/usr/bin/env bash
# Set up Cairn with its test extras if needed, then run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")"
./setup.sh
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest "$@"
