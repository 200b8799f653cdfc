#!/usr/bin/env bash
# Build Cairn's self-contained Linux app: dist/Cairn/ (PyInstaller one-folder) and
# dist/Cairn-<version>-linux-x86_64.tar.gz, with the .desktop file, icons, AppStream
# metainfo and an installer. One command, from anywhere:   packaging/build_bundle.sh
#
# It uses its own venv (build/bundle/venv), never the development one, because the bundle
# needs a portable llama.cpp: pip's normal build targets this machine's CPU exactly
# (AVX-512 here) and would crash with "illegal instruction" on older machines. The bundle's
# llama.cpp targets x86-64-v3 (AVX2, FMA, F16C: Intel since 2013, AMD since 2015).
# First run: ~10 minutes on 2 cores (llama.cpp build); later runs reuse the venv.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
BUILD=build/bundle
VENV=$BUILD/venv
LLAMA_VERSION=0.3.36
PORTABLE="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"

mkdir -p "$BUILD"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
if [ "$(cat "$VENV/.llama-portable" 2>/dev/null)" != "$LLAMA_VERSION $PORTABLE" ]; then
  echo "Building a portable llama.cpp (llama-cpp-python $LLAMA_VERSION)..." >&2
  # --no-cache-dir: pip's wheel cache may hold a build for this machine's CPU only
  CMAKE_ARGS="$PORTABLE" "$VENV/bin/python" -m pip install --quiet --no-cache-dir --force-reinstall \
    --no-deps "llama-cpp-python==$LLAMA_VERSION"
  echo "$LLAMA_VERSION $PORTABLE" > "$VENV/.llama-portable"
fi
"$VENV/bin/python" packaging/fetch_chat_model.py          # the default chat model, into engine/models
"$VENV/bin/python" packaging/build_multilingual_model.py   # the multilingual embedding model, into engine/models
"$VENV/bin/python" -m pip install --quiet . "pyinstaller==6.22.3"
"$VENV/bin/python" packaging/make_icons.py "$BUILD/icons"

"$VENV/bin/python" -m PyInstaller packaging/cairn.spec --noconfirm --log-level WARN \
  --distpath dist --workpath "$BUILD/work"

app=dist/Cairn
mkdir -p "$app/share/applications" "$app/share/metainfo" "$app/share/icons"
cp packaging/linux/io.github.cairn_search.Cairn.desktop "$app/share/applications/"
cp packaging/linux/io.github.cairn_search.Cairn.metainfo.xml "$app/share/metainfo/"
cp -r "$BUILD/icons/hicolor" "$app/share/icons/"
cp packaging/linux/install.sh "$app/install.sh"
version=$("$app/cairn" --version | awk '{print $NF}')
tar -C dist -czf "dist/Cairn-$version-linux-x86_64.tar.gz" Cairn
echo "Built $app ($(du -sh "$app" | cut -f1)) and dist/Cairn-$version-linux-x86_64.tar.gz" \
     "($(du -sh "dist/Cairn-$version-linux-x86_64.tar.gz" | cut -f1))"
