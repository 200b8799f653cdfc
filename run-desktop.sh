#!/usr/bin/env bash
# Set up Cairn if needed (as run.sh does), then open the desktop app: `./run-desktop.sh [--home DIR]`.
set -euo pipefail
cd "$(dirname "$0")"
./setup.sh
cd - >/dev/null
exec "$(dirname "$0")/.venv/bin/cairn-desktop" "$@"
