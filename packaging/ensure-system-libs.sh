#!/bin/sh
# Qt loads these shared libraries even on the offscreen platform; a window on an X11 desktop
# (`--gui`, when DISPLAY is set) also needs the xcb cursor and keyboard libraries. A bare
# Debian/Ubuntu machine may lack them: install what is missing (needs root and apt-get),
# otherwise say what is needed.
# `--dist` (make dist): also the X11 and Wayland libraries of Qt's platform plug-ins, so that
# the bundle carries them and the smoke test finds every library a bundled plug-in links to;
# Xvfb, so that the smoke test starts the frozen app on X11; and a C compiler, which builds the
# bundle's smaller ICU data library. Without them the build still succeeds (see
# docs/packaging.md), so --dist only reports what it could not install.
libs="libEGL.so.1:libegl1 libGL.so.1:libgl1 libxkbcommon.so.0:libxkbcommon0 libfontconfig.so.1:libfontconfig1 libdbus-1.so.3:libdbus-1-3 libglib-2.0.so.0:libglib2.0-0"
xcb="libxcb-cursor.so.0:libxcb-cursor0 libxkbcommon-x11.so.0:libxkbcommon-x11-0 libxcb-icccm.so.4:libxcb-icccm4 libxcb-keysyms.so.1:libxcb-keysyms1"
mode="${1:-}"
if [ "$mode" = "--gui" ] && [ -n "${DISPLAY:-}" ]; then
  libs="$libs $xcb"
elif [ "$mode" = "--dist" ]; then
  libs="$libs $xcb libwayland-cursor.so.0:libwayland-cursor0 libwayland-egl.so.1:libwayland-egl1"
fi
missing="" packages=""
for pair in $libs; do
  lib=${pair%%:*} pkg=${pair#*:}
  ldconfig -p 2>/dev/null | grep -q "$lib" || { missing="$missing $lib"; packages="$packages $pkg"; }
done
if [ "$mode" = "--dist" ]; then
  command -v xvfb-run >/dev/null 2>&1 || { missing="$missing xvfb-run"; packages="$packages xvfb xauth"; }
  command -v cc >/dev/null 2>&1 || { missing="$missing cc"; packages="$packages gcc"; }
fi
[ -z "$missing" ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "Installing what Qt and the build need:$missing"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $packages >/dev/null
elif [ "$mode" = "--dist" ]; then
  echo "Not installed (the bundle is built without them):$missing" >&2
  echo "Install them with your package manager (Debian/Ubuntu:$packages)." >&2
else
  echo "Qt needs these shared libraries, which are missing:$missing" >&2
  echo "Install them with your package manager (Debian/Ubuntu:$packages)." >&2
  exit 1
fi
