#!/usr/bin/env bash
# Set up Cairn if needed, then run it: `./run.sh add ~/Documents`, `./run.sh index`,
# `./run.sh search "what I remember"`. With no arguments it shows the status.
set -euo pipefail
cd "$(dirname "$0")"
./setup.sh
if [ $# -eq 0 ]; then set -- status; fi
cd - >/dev/null
exec "$(dirname "$0")/.venv/bin/cairn" "$@"
