#!/bin/sh
# Smoke-test a frozen build: create a vault, import a CSV, export a summary and a contribution
# (OpenDP's library) and roll it up; export a PDF of a busy demo month (HiGHS and NumPy in the
# suppression and the audit, the bundled fonts embedded); check that every bundled plug-in and
# library finds the libraries it links to; start the GUI offscreen and, when Xvfb is installed,
# on X11 up to the unlock screen and quit. Any error output fails the test.
set -eu
APP="$1"
DIR=$(dirname "$APP")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export QT_QPA_PLATFORM=offscreen TMPDIR="$work" HOME="$work" XDG_CONFIG_HOME="$work/config"
pass="smoke test passphrase for the frozen build"
run() {  # run the app, fail on a non-zero exit or anything on stderr
  if ! "$@" 2>"$work/err"; then echo "smoke test failed: $*" >&2; cat "$work/err" >&2; exit 1; fi
  if [ -s "$work/err" ] && ! grep -q '^Store the recovery code' "$work/err"; then
    echo "smoke test: unexpected error output from: $*" >&2; cat "$work/err" >&2; exit 1
  fi
}
run "$APP" --self-test >/dev/null
printf '%s\n' "$pass" | run "$APP" init "$work/v" --passphrase-stdin --kdf-memory 64 --kdf-iterations 3 >/dev/null
cat >"$work/in.csv" <<CSV
date,time,school,type,students,grades,outcome,notes
2026-03-02,09:30,Lincoln High,mentoring,JD,10,resolved,Talked about the algebra exam
2026-03-03,10:00,Lincoln High,classroom,,,,Internet safety lesson
CSV
printf '%s\n' "$pass" | run "$APP" import "$work/v" "$work/in.csv" --add-schools --passphrase-stdin >/dev/null
printf '%s\n' "$pass" | run "$APP" summary "$work/v" --month 2026-03 --format json --out "$work/s.json" --passphrase-stdin >/dev/null
printf '%s\n' "$pass" | run "$APP" summary "$work/v" --month 2026-03 --format pdf --out "$work/s.pdf" --passphrase-stdin >/dev/null
printf '%s\n' "$pass" | run "$APP" summary "$work/v" --month 2026-03 --contribution --format json --out "$work/c.json" --passphrase-stdin >/dev/null
run "$APP" aggregate "$work/c.json" --out "$work/r.json" >/dev/null
printf '%s\n' "$pass" | run "$APP" verify "$work/v" --passphrase-stdin >/dev/null

# A busy month: enough students that cells are suppressed and the audit solves its programs.
run "$APP" demo "$work/demo" --kdf-memory 64 --kdf-iterations 3 >/dev/null
echo "demo passphrase for testing only" | run "$APP" summary "$work/demo" --month 2025-10 --format pdf --out "$work/d.pdf" --passphrase-stdin >/dev/null
echo "demo passphrase for testing only" | run "$APP" summary "$work/demo" --month 2025-10 --format json --out "$work/d.json" --passphrase-stdin >/dev/null
grep -q '"status": "S"' "$work/d.json" || { echo "smoke test: nothing suppressed in the demo month" >&2; exit 1; }
for font in DejaVuSans DejaVuSans-Bold; do
  grep -aq "/FontName /[A-Z]*+$font\b" "$work/d.pdf" || { echo "smoke test: the PDF does not embed $font" >&2; exit 1; }
done

# Every bundled plug-in and library finds what it links to, in the bundle or on this machine.
if command -v ldd >/dev/null 2>&1; then
  find "$DIR/_internal" -type f \( -name '*.so' -o -name '*.so.*' \) | while read -r lib; do
    LD_LIBRARY_PATH="$DIR/_internal:$DIR/_internal/PySide6/Qt/lib" ldd "$lib" 2>/dev/null | grep 'not found' | sed "s|^|smoke test: ${lib#"$DIR/"} needs|"
  done >"$work/missing"
  if [ -s "$work/missing" ]; then cat "$work/missing" >&2; exit 1; fi
fi

run "$APP" --vault "$work/v" --quit-when-ready
if command -v xvfb-run >/dev/null 2>&1; then
  QT_QPA_PLATFORM=xcb run xvfb-run -a "$APP" --vault "$work/v" --quit-when-ready
else
  echo "smoke test: the X11 start was not checked (Xvfb is not installed)"
fi
echo "smoke test passed: $("$APP" --version)"
