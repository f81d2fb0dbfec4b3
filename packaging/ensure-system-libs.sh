#!/bin/sh
# Qt loads these shared libraries even on the offscreen platform; a window on an X11 desktop
# (`--gui`, when DISPLAY is set) also needs the xcb cursor and keyboard libraries. A bare
# Debian/Ubuntu machine may lack them: install what is missing (needs root and apt-get),
# otherwise say what is needed.
libs="libEGL.so.1:libegl1 libGL.so.1:libgl1 libxkbcommon.so.0:libxkbcommon0 libfontconfig.so.1:libfontconfig1 libdbus-1.so.3:libdbus-1-3 libglib-2.0.so.0:libglib2.0-0"
if [ "${1:-}" = "--gui" ] && [ -n "${DISPLAY:-}" ]; then
  libs="$libs libxcb-cursor.so.0:libxcb-cursor0 libxkbcommon-x11.so.0:libxkbcommon-x11-0 libxcb-icccm.so.4:libxcb-icccm4 libxcb-keysyms.so.1:libxcb-keysyms1"
fi
missing="" packages=""
for pair in $libs; do
  lib=${pair%%:*} pkg=${pair#*:}
  ldconfig -p 2>/dev/null | grep -q "$lib" || { missing="$missing $lib"; packages="$packages $pkg"; }
done
[ -z "$missing" ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "Installing shared libraries Qt needs:$missing"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $packages >/dev/null
else
  echo "Qt needs these shared libraries, which are missing:$missing" >&2
  echo "Install them with your package manager (Debian/Ubuntu:$packages)." >&2
  exit 1
fi
