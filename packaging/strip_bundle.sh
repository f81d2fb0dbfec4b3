#!/bin/sh
# Strip debug symbols from the bundle's shared libraries, except the wheels' own vendored
# libraries (numpy.libs and any other *.libs: auditwheel-patched, stripping them breaks their
# loading).
set -eu
command -v strip >/dev/null 2>&1 || { echo "strip not found: bundle left unstripped"; exit 0; }
find "$1" -type f \( -name '*.so' -o -name '*.so.*' \) ! -path '*/*.libs/*' \
  -exec strip --strip-unneeded {} + 2>/dev/null || true
