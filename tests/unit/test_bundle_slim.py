"""What the frozen bundle leaves out (packaging/slim.py, packaging/icu_data.py, docs/packaging.md).

The build itself is checked by ``make dist``'s smoke test; these tests check the two decisions
it rests on without building: which Qt files stay, and that the smaller ICU data package keeps
exactly the root and English data, byte for byte, and still loads in Qt.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "packaging"))
import icu_data
import slim


def _icu_library() -> Path:
    import PySide6

    found = sorted((Path(PySide6.__file__).parent / "Qt" / "lib").glob("libicudata.so.*"))
    if not sys.platform.startswith("linux") or not found:
        pytest.skip("Qt's ICU data library is bundled on Linux only")
    return found[0]


@pytest.mark.parametrize(
    ("dest", "kept"),
    [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
        ("PySide6/Qt/plugins/platforms/libqwayland.so", True),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
        ("PySide6\\plugins\\platforms\\qwindows.dll", True),
        ("PySide6/Qt/plugins/platforms/libqcocoa.dylib", True),
        ("PySide6/Qt/plugins/platforms/libqeglfs.so", False),
        ("PySide6/Qt/plugins/platforms/libqvnc.so", False),
        ("PySide6/Qt/plugins/platforms/libqlinuxfb.so", False),
        ("PySide6/Qt/plugins/generic/libqevdevmouseplugin.so", False),
        ("PySide6/Qt/plugins/imageformats/libqsvg.so", True),
        ("PySide6/Qt/plugins/imageformats/libqjpeg.so", False),
        ("PySide6/Qt/plugins/iconengines/libqsvgicon.so", True),
        ("PySide6/Qt/plugins/printsupport/libcupsprintersupport.so", True),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
        ("PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so", True),
        ("PySide6/Qt/plugins/platforminputcontexts/libcomposeplatforminputcontextplugin.so", True),
        ("PySide6/Qt/translations/qtbase_de.qm", False),
        ("PySide6\\translations\\qt_fr.qm", False),
        ("PySide6/Qt/lib/libQt6Core.so.6", True),
        ("PySide6/QtWidgets.abi3.so", True),
        ("srojournal/resources/fonts/DejaVuSans.ttf", True),
    ],
)
def test_qt_files_kept_and_left_out(dest: str, kept: bool) -> None:
    assert slim.keep_qt_file(dest) is kept


@pytest.mark.parametrize(
    ("item", "kept"),
    [
        ("root.res", True),
        ("en.res", True),
        ("en_US.res", True),
        ("res_index.res", True),
        ("pool.res", True),
        ("coll/root.res", True),
        ("coll/ucadata.icu", True),
        ("zoneinfo64.res", True),
        ("cnvalias.icu", True),
        ("brkitr/word.brk", True),
        ("de.res", False),
        ("sr_Latn_BA.res", False),
        ("coll/de__PHONEBOOK.res", False),
        ("zone/fr.res", False),
        ("curr/en.res", False),
        ("ibm-1252_P100-2000.cnv", False),
        ("brkitr/cjdict.dict", False),
        ("unames.icu", False),
    ],
)
def test_icu_items_kept_and_left_out(item: str, kept: bool) -> None:
    assert icu_data.keep(item) is kept


def test_icu_package_keeps_its_items_byte_for_byte() -> None:
    lib = _icu_library().read_bytes()
    _symbol, offset, size = icu_data.data_symbol(lib)
    original = lib[offset : offset + size]
    reduced, before, after = icu_data.reduce_package(original)
    old = dict(icu_data.read_package(original))
    new = icu_data.read_package(reduced)
    assert len(new) == after < before
    assert [n for n, _ in new] == sorted(n for n, _ in new)  # ICU finds items by binary search
    for name, data in new:
        assert old[name] == data, name
    names = {n.split(b"/", 1)[1].decode() for n, _ in new}
    assert {"root.res", "en.res", "coll/root.res", "coll/ucadata.icu", "zoneinfo64.res"} <= names
    assert not {n for n in names if n.endswith(".cnv") or n.startswith(("de", "coll/de"))}
    assert len(reduced) < size / 8


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler")
def test_smaller_icu_library_loads_in_qt(tmp_path: Path) -> None:
    built = icu_data.build_library(_icu_library(), tmp_path)
    assert built is not None
    probe = (
        "from PySide6.QtCore import QCollator, QLocale\n"
        "maps = open('/proc/self/maps').read()\n"
        f"assert {str(built)!r} in maps, 'the smaller library was not loaded'\n"
        "c = QCollator(QLocale('de_DE'))\n"
        "key = __import__('functools').cmp_to_key(c.compare)\n"
        "words = sorted(['zebra', 'Äpfel', 'apple'], key=key)\n"
        "assert words == ['Äpfel', 'apple', 'zebra'], words\n"
        "assert QLocale('en_US').toUpper('straße') == 'STRASSE'\n"
        "print('ok')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, "LD_LIBRARY_PATH": str(built.parent), "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0 and out.stdout.strip() == "ok" and not out.stderr, out.stderr
