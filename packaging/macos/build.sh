#!/bin/sh
# macOS: build SRO Journal.app (PyInstaller BUNDLE) and a compressed disk image.
# Run on a Mac with Python 3.11+ (see docs/packaging.md). Signing and notarisation need the
# publisher's Developer ID; pass it as CODESIGN_IDENTITY.
set -eu
cd "$(dirname "$0")/../.."
python3 -m venv .venv-macos
.venv-macos/bin/pip install --quiet -e . 'pyinstaller>=6.10'
# PNG -> icns for the bundle icon
iconset=build/SROJournal.iconset
mkdir -p "$iconset"
for s in 16 32 64 128 256 512; do
  cp "resources/icons/hicolor/${s}x${s}/apps/org.srojournal.SROJournal.png" "$iconset/icon_${s}x${s}.png"
done
iconutil -c icns "$iconset" -o build/SROJournal.icns
SROJOURNAL_MACOS_BUNDLE=1 .venv-macos/bin/pyinstaller --noconfirm --clean --distpath dist packaging/srojournal.spec
if [ -n "${CODESIGN_IDENTITY:-}" ]; then
  codesign --deep --force --options runtime --sign "$CODESIGN_IDENTITY" "dist/SRO Journal.app"
fi
dist/srojournal/srojournal --self-test
hdiutil create -volname "SRO Journal" -srcfolder "dist/SRO Journal.app" -ov -format UDZO dist/SROJournal.dmg
