#!/usr/bin/env bash
# Set up Cairn in ./.venv: everything it needs, from the package registry only.
# Safe to run again: it only reinstalls when pyproject.toml changed.
# llama-cpp-python has no wheel for this platform on the registry, so the first run
# builds it from source (about 5 minutes on 2 cores; pip caches the wheel afterwards).
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
EXTRAS=${CAIRN_EXTRAS:-test}
stamp=.venv/.cairn-installed
want="$(sha256sum pyproject.toml | cut -d' ' -f1) $EXTRAS"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python packaging/fetch_chat_model.py  # the default chat model; instant when already in place
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
.venv/bin/python -m pip install --quiet --upgrade pip
echo "Installing Cairn and its dependencies into .venv (the first time builds llama.cpp: ~5 min)..." >&2
.venv/bin/python -m pip install --quiet -e ".[$EXTRAS]"
echo "$want" > "$stamp"
