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
from pathlib import Path


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


def coldstart_app(vault: str) -> None:
    """What the ``srojournal --vault VAULT`` command does until its window is shown.

    The real entry point runs (command-line parsing, application, main window, ``show()``); the
    only addition is the report, queued right after ``show()`` like the bare window's.
    """
    from srojournal.ui.main_window import MainWindow

    show = MainWindow.show

    def show_and_report(self: MainWindow) -> None:
        show(self)
        _report_when_shown()

    MainWindow.show = show_and_report  # type: ignore[method-assign]
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
