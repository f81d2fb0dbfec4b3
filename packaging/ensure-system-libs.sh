#!/bin/sh
# Qt loads these shared libraries even on the offscreen platform. A bare Debian/Ubuntu machine
# may lack them; install them when missing (needs root and apt-get), otherwise say what is needed.
missing=""
for lib in libEGL.so.1 libGL.so.1 libxkbcommon.so.0 libfontconfig.so.1 libdbus-1.so.3 libglib-2.0.so.0; do
  ldconfig -p 2>/dev/null | grep -q "$lib" || missing="$missing $lib"
done
[ -z "$missing" ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "Installing shared libraries Qt needs:$missing"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0 >/dev/null
else
  echo "Qt needs these shared libraries, which are missing:$missing" >&2
  echo "Install them with your package manager (Debian/Ubuntu: libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0)." >&2
  exit 1
fi
