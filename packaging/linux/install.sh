#!/usr/bin/env bash
# Install this unpacked Cairn folder for the current user: a menu entry, icons, and the
# `cairn` and `cairn-desktop` commands in ~/.local/bin. Run it from the unpacked folder;
# move the folder first if you want it elsewhere (the links point into it).
# Uninstall: ./install.sh --uninstall
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
bin=$HOME/.local/bin
id=io.github.cairn_search.Cairn
if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$bin/cairn" "$bin/cairn-desktop" "$data/applications/$id.desktop" "$data/metainfo/$id.metainfo.xml"
  find "$data/icons/hicolor" -name "$id.png" -delete 2>/dev/null || true
  echo "Cairn removed from the menu and ~/.local/bin (your index and settings are kept)."
  exit 0
fi
mkdir -p "$bin" "$data/applications" "$data/metainfo"
ln -sf "$here/cairn" "$bin/cairn"
ln -sf "$here/cairn-desktop" "$bin/cairn-desktop"
sed "s|^Exec=cairn-desktop|Exec=$here/cairn-desktop|" "$here/share/applications/$id.desktop" \
  > "$data/applications/$id.desktop"
cp "$here/share/metainfo/$id.metainfo.xml" "$data/metainfo/"
cp -r "$here/share/icons/hicolor" "$data/icons/" 2>/dev/null || { mkdir -p "$data/icons"; cp -r "$here/share/icons/hicolor" "$data/icons/"; }
command -v update-desktop-database >/dev/null && update-desktop-database -q "$data/applications" || true
echo "Cairn installed: find it in your applications menu, or run cairn-desktop / cairn."
