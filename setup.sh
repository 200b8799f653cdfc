#!/usr/bin/env bash
# Set up Cairn in ./.venv: everything it needs, from the package registry only.
# Safe to run again: it only reinstalls when pyproject.toml changed.
# llama-cpp-python has no wheel for this platform on the registry, so the first run
# builds it from source (about 5 minutes on 2 cores; pip caches the wheel afterwards).
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
EXTRAS=${CAIRN_EXTRAS:-test}
# llama.cpp is built here rather than by pip's resolver, so that these flags apply (pip's
# wheel cache ignores CMAKE_ARGS): GCC 12's AMX intrinsic declares an 8-byte read of the
# 64-byte tile configuration, its dead-store pass then drops the stores that fill it, and
# llama.cpp's AMX kernels crash. -fno-tree-dse -fno-dse keep them (see engine/runtime/llama_probe.py).
LLAMA=$(grep -o 'llama-cpp-python==[0-9.]*' pyproject.toml)
LLAMA_CMAKE_ARGS='-DCMAKE_CXX_FLAGS=-fno-tree-dse\ -fno-dse'
wheels="${XDG_CACHE_HOME:-$HOME/.cache}/cairn/wheels/$(echo "$LLAMA $LLAMA_CMAKE_ARGS" | sha256sum | cut -c1-16)"
stamp=.venv/.cairn-installed
want="$(sha256sum pyproject.toml | cut -d' ' -f1) $EXTRAS $wheels"
# OCR (engine.extract.ocr): libtesseract comes inside the tesserocr wheel, its trained data from the system:
# English text and the orientation detector. Installed here as root; otherwise named.
OCR_DATA="tesseract-ocr-eng tesseract-ocr-osd"
have_tessdata() {
  for d in "${TESSDATA_PREFIX:-/nonexistent}" /usr/share/tesseract-ocr/*/tessdata /usr/share/tessdata \
           /usr/local/share/tessdata /opt/homebrew/share/tessdata; do
    [ -f "$d/eng.traineddata" ] && [ -f "$d/osd.traineddata" ] && return 0
  done
  return 1
}
if ! have_tessdata; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Tesseract's language data for OCR ($OCR_DATA)..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $OCR_DATA >/dev/null \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
           --no-install-recommends $OCR_DATA >/dev/null; }
  else
    echo "OCR of scans and photos needs Tesseract's data; install it, then run ./setup.sh again:" >&2
    echo "  Debian/Ubuntu: sudo apt-get install $OCR_DATA" >&2
    echo "  Fedora: sudo dnf install tesseract-langpack-eng tesseract-osd   macOS: brew install tesseract" >&2
  fi
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python packaging/fetch_chat_model.py  # the default chat model; instant when already in place
.venv/bin/python packaging/build_multilingual_model.py  # the multilingual embedding model; instant when in place
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
.venv/bin/python -m pip install --quiet --upgrade pip
if ! ls "$wheels"/llama_cpp_python-*.whl >/dev/null 2>&1; then
  echo "Building $LLAMA (the first time only: ~5 min on 2 cores)..." >&2
  CMAKE_ARGS="$LLAMA_CMAKE_ARGS" .venv/bin/python -m pip wheel --quiet --no-deps --no-cache-dir \
    --wheel-dir "$wheels" "$LLAMA"
fi
echo "Installing Cairn and its dependencies into .venv..." >&2
.venv/bin/python -m pip install --quiet --force-reinstall --no-deps "$wheels"/llama_cpp_python-*.whl
.venv/bin/python -m pip install --quiet --find-links "$wheels" -e ".[$EXTRAS]"
.venv/bin/python -m engine.runtime.llama_probe  # lets llama.cpp use AMX where this build proves it safe
echo "$want" > "$stamp"
