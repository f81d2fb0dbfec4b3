"""What the one-folder bundle leaves out of what PyInstaller collects (docs/packaging.md).

PyInstaller's Qt hooks collect every plug-in of every type a Qt module might load, every Qt
translation, and then every shared library those plug-ins link to. The app needs far less:

* **Qt plug-ins**: the platform plug-ins of desktops (X11, Wayland, Windows, macOS) and the
  headless one (the smoke test and the tests run on it); no framebuffer, EGLFS, VNC or Vulkan
  display platforms and no evdev/tslib input plug-ins (those serve kiosk devices without a
  windowing system). Image formats: SVG (the icons), ICO and ICNS (window icons); PNG is built
  into QtGui. No GTK platform theme: the app draws its own Fusion theme, and the GTK plug-in would
  pull in GTK's Pango, Cairo and GDK libraries (file dialogs still go through the desktop portal).
* **Qt translations**: the app is English-only and installs no QTranslator.
* **Shared libraries** (Linux): after the plug-ins above are dropped, a library is kept only when
  something kept links to it (its ELF ``NEEDED`` entries, followed transitively from the Python
  extension modules, the kept plug-ins, OpenDP's library and the Python runtime).
* **ICU data** (Linux): the root and English locales only, see ``packaging/icu_data.py``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

QT_DIR = "PySide6/Qt"
# Platform plug-ins by file stem (libqxcb.so, qwindows.dll, libqcocoa.dylib, …).
PLATFORMS_KEPT = re.compile(r"^(lib)?q(xcb|wayland|windows|cocoa|offscreen)$")
IMAGE_FORMATS_KEPT = re.compile(r"^(lib)?q(svg|ico|icns)$")
PLATFORM_THEMES_DROPPED = re.compile(r"^(lib)?qgtk3$")
PLUGIN_TYPES_DROPPED = frozenset({"generic", "egldeviceintegrations"})

Entry = tuple[str, str, str]  # PyInstaller TOC entry: (destination, source, typecode)


def _stem(name: str) -> str:
    return name.split(".", 1)[0]


def _qt_relative(dest: str) -> tuple[str, ...]:
    """The path inside Qt's folder (PySide6/Qt on Linux and macOS, PySide6 on Windows)."""
    parts = PurePosixPath(dest.replace("\\", "/")).parts
    if parts[:2] == ("PySide6", "Qt"):
        return parts[2:]
    if parts[:1] == ("PySide6",) and len(parts) > 1 and parts[1] in ("plugins", "translations"):
        return parts[1:]
    return ()


def keep_qt_file(dest: str) -> bool:
    """Whether a bundled file (a Qt plug-in or translation, or anything else) stays."""
    rel = _qt_relative(dest)
    if rel[:1] == ("translations",):
        return False
    if len(rel) < 3 or rel[0] != "plugins":
        return True
    kind, stem = rel[1], _stem(rel[-1])
    if kind in PLUGIN_TYPES_DROPPED:
        return False
    if kind == "platforms":
        return bool(PLATFORMS_KEPT.match(stem))
    if kind == "imageformats":
        return bool(IMAGE_FORMATS_KEPT.match(stem))
    if kind == "platformthemes":
        return not PLATFORM_THEMES_DROPPED.match(stem)
    return True


def _is_plain_library(entry: Entry) -> bool:
    """A shared library collected as someone's dependency (not a module, plug-in or runtime)."""
    dest, _src, kind = entry
    path = PurePosixPath(dest.replace("\\", "/"))
    if kind != "BINARY" or path.name.startswith("libpython"):
        return False
    folder = str(path.parent)
    return folder in (".", f"{QT_DIR}/lib") or folder.endswith(".libs")


def linked_closure(binaries: list[Entry]) -> set[str]:
    """File names of the plain libraries that some kept binary links to, transitively."""
    from PyInstaller.depend import bindepend

    plain = {PurePosixPath(d).name: s for d, s, k in binaries if _is_plain_library((d, s, k))}
    todo = [s for d, s, k in binaries if not _is_plain_library((d, s, k))]
    needed: set[str] = set()
    while todo:
        for name, _path in bindepend.get_imports(todo.pop()):
            base = PurePosixPath(name).name
            if base not in needed:
                needed.add(base)
                if base in plain:
                    todo.append(plain[base])
    return needed


def slim(
    binaries: Iterable[Entry], datas: Iterable[Entry], workdir: Path
) -> tuple[list[Entry], list[Entry], list[str]]:
    """The binaries and datas to bundle, and a line per thing left out (for the build log)."""
    binaries = list(binaries)
    datas = list(datas)
    log: list[str] = []
    kept_bins = [e for e in binaries if keep_qt_file(e[0])]
    kept_datas = [e for e in datas if keep_qt_file(e[0])]
    log.append(
        f"Qt plug-ins and translations left out: {len(binaries) - len(kept_bins)} plug-ins, "
        f"{len(datas) - len(kept_datas)} data files"
    )
    if sys.platform.startswith("linux"):
        needed = linked_closure(kept_bins)
        unlinked = [
            e for e in kept_bins if _is_plain_library(e) and PurePosixPath(e[0]).name not in needed
        ]
        if unlinked:
            log.append(
                "libraries nothing kept links to: " + ", ".join(sorted(e[0] for e in unlinked))
            )
        gone = {e[0] for e in unlinked}

        # PyInstaller also places symbolic links to some libraries next to the executable.
        def linked(e: Entry) -> bool:
            return e[0] not in gone and not (e[2] == "SYMLINK" and e[1] in gone)

        kept_bins = [e for e in kept_bins if linked(e)]
        kept_datas = [e for e in kept_datas if linked(e)]
        kept_bins = [_small_icu(e, workdir, log) for e in kept_bins]
    return kept_bins, kept_datas, log


def _small_icu(entry: Entry, workdir: Path, log: list[str]) -> Entry:
    dest, src, kind = entry
    if not re.fullmatch(r"libicudata\.so\.\d+", PurePosixPath(dest).name):
        return entry
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import icu_data

    built = icu_data.build_library(Path(src), workdir / "icu")
    if built is None:
        log.append("no C compiler: the full ICU data library is bundled")
        return entry
    log.append(
        f"ICU data: {Path(src).stat().st_size / 1e6:.1f} MB -> {built.stat().st_size / 1e6:.1f} MB"
    )
    return dest, str(built), kind
