"""Subprocess probes for the benchmarks that need a fresh process (start-up time, memory).

Usage: ``python benchmarks/probes.py PROBE [VAULT]``. Each probe prints one JSON line on stdout.
Run under ``QT_QPA_PLATFORM=offscreen``; the runner sets it, and points HOME and the XDG folders
at a scratch directory so no real profile is touched.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _report_when_shown() -> None:
    """Once the event loop has run with the window shown: print the wall-clock time and leave.

    ``os._exit`` skips the teardown, for the bare window and the app alike: start-up is timed.
    """
    from PySide6.QtCore import QTimer

    def done() -> None:
        print(json.dumps({"shown_at": time.time()}), flush=True)
        os._exit(0)

    QTimer.singleShot(0, done)


def coldstart_bare() -> None:
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication(sys.argv[:1])
    w = QLabel("Unlock")
    w.resize(900, 600)
    w.show()
    _report_when_shown()
    app.exec()


class _AfterImport:
    """Calls ``patch(module)`` once the module ``name`` has been imported by the program itself,
    so that the probe imports nothing ahead of it (the order of a real start is kept)."""

    def __init__(self, name: str, patch: Callable[[ModuleType], None]) -> None:
        self.name, self.patch = name, patch

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: object = None) -> Any:
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)
        from importlib.machinery import PathFinder

        spec = PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        loader, patch = spec.loader, self.patch
        run = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run(module)
            patch(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def coldstart_app(vault: str) -> None:
    """What the ``srojournal --vault VAULT`` command does until its window is shown.

    The real entry point runs (command-line parsing, application, main window, ``show()``); the
    only addition is the report, queued right after ``show()`` like the bare window's. The
    probe imports nothing of the app's before ``main`` does.
    """

    def patch(module: ModuleType) -> None:
        window = module.MainWindow
        show = window.show

        def show_and_report(self: Any) -> None:
            show(self)
            _report_when_shown()

        window.show = show_and_report

    sys.meta_path.insert(0, _AfterImport("srojournal.ui.main_window", patch))
    from srojournal.cli import main

    main(["--vault", vault])


def memory_bare() -> None:
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication(sys.argv[:1])
    w = QLabel("Unlock")
    w.show()
    app.processEvents()
    print(json.dumps({"rss_mib": _rss_mib(), "mode": "bare"}), flush=True)


def memory_app(vault: str) -> None:
    """The app's process with the vault unlocked and the journal's first page on screen."""
    from PySide6.QtWidgets import QTableView

    from srojournal.app import create_application
    from srojournal.demo import DEMO_PASSPHRASE
    from srojournal.vault.keys import accept_weak_kdf_for_tests
    from srojournal.vault.store import Vault

    accept_weak_kdf_for_tests()  # the cached vault uses cheap KDF settings
    app = create_application()
    from srojournal.ui.journal.model import JournalModel

    v = Vault.open(Path(vault), DEMO_PASSPHRASE)  # the cached vault uses cheap KDF settings
    model = JournalModel(v.journal)
    model.reload()
    view = QTableView()
    view.setModel(model)
    view.resize(1200, 800)
    view.show()
    for _ in range(5):
        app.processEvents()
    print(json.dumps({"rss_mib": _rss_mib(), "rows": model.fetched}), flush=True)
    v.close()


def main() -> None:
    probe = sys.argv[1]
    arg = sys.argv[2] if len(sys.argv) > 2 else ""
    if probe in ("quick-entry", "search-typing"):
        import interactive

        interactive.main(probe, arg, int(sys.argv[3]))
        return
    {
        "coldstart-bare": lambda: coldstart_bare(),
        "coldstart-app": lambda: coldstart_app(arg),
        "memory-bare": lambda: memory_bare(),
        "memory-app": lambda: memory_app(arg),
    }[probe]()


if __name__ == "__main__":
    main()
