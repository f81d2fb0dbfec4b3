#!/bin/sh
# Smoke-test a frozen build: create a vault, import a CSV, export a summary and a contribution
# (OpenDP's library) and roll it up, start the GUI offscreen to the unlock screen and quit.
# Any error output fails the test.
set -eu
APP="$1"
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
run "$APP" --vault "$work/v" --quit-when-ready
echo "smoke test passed: $("$APP" --version)"
