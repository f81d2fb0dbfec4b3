"""The one-folder bundle that ``make dist`` builds, weighed file by file, for ``bundle_size``.

Sizes are the bytes of the regular files (symbolic links count 0, nothing is counted twice),
in MB of 10^6 bytes; ``du -sh`` shows the same folder in MiB (about 5 % less).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path, PurePosixPath

# Parts of the bundle, first match wins: (label, test on the path inside the bundle).
PARTS: tuple[tuple[str, str], ...] = (
    ("OpenDP (its Rust library)", "_internal/opendp"),
    ("ICU (Qt's Unicode library and data)", "_internal/PySide6/Qt/lib/libicu"),
    ("Qt libraries", "_internal/PySide6/Qt/lib"),
    ("Qt plug-ins", "_internal/PySide6/Qt/plugins"),
    ("Qt translations", "_internal/PySide6/Qt/translations"),
    ("PySide6 bindings (+ shiboken6)", "_internal/PySide6"),
    ("PySide6 bindings (+ shiboken6)", "_internal/shiboken6"),
    ("PySide6 bindings (+ shiboken6)", "_internal/libpyside6"),
    ("PySide6 bindings (+ shiboken6)", "_internal/libshiboken6"),
    ("NumPy's OpenBLAS and Fortran runtime", "_internal/numpy.libs"),
    ("NumPy", "_internal/numpy"),
    ("cryptography (its Rust + OpenSSL library)", "_internal/cryptography"),
    ("SQLCipher", "_internal/sqlcipher3"),
    ("HiGHS (highspy)", "_internal/highspy"),
    ("SRO Journal (code in the executable, fonts, icons)", "_internal/srojournal"),
    ("Python runtime and standard library", "_internal/libpython"),
    ("Python runtime and standard library", "_internal/python3"),
    ("Python runtime and standard library", "_internal/base_library.zip"),
    ("Python runtime and standard library", "srojournal"),
)
OTHER_LIBS = "other shared libraries (system libraries Qt, CUPS and Python link to)"


def part_of(rel: str) -> str:
    for label, prefix in PARTS:
        if rel == prefix or rel.startswith(prefix):
            return label
    name = PurePosixPath(rel).name
    if ".so" in name or name.endswith((".dll", ".dylib")):
        return OTHER_LIBS
    return "other files (metadata, data)"


def weigh(folder: Path) -> tuple[int, list[tuple[str, int]], list[tuple[str, int]]]:
    """Total bytes, bytes per part (largest first) and the 15 largest files."""
    parts: Counter[str] = Counter()
    files: list[tuple[str, int]] = []
    for path in folder.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        rel = path.relative_to(folder).as_posix()
        size = path.stat().st_size
        parts[part_of(rel)] += size
        files.append((rel, size))
    files.sort(key=lambda f: -f[1])
    return sum(parts.values()), parts.most_common(), files[:15]


def executable_of(folder: Path) -> Path | None:
    for name in ("srojournal", "srojournal.exe"):
        if (folder / name).is_file():
            return folder / name
    return None
