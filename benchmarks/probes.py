"""Subprocess probes for the benchmarks that need a fresh process (start-up time, memory).

Usage: ``python benchmarks/probes.py PROBE [VAULT]``. Each probe prints one JSON line on stdout.
Run under ``QT_QPA_PLATFORM=offscreen``; the runner sets it, and points HOME and the XDG folders
at a scratch directory so no real profile is touched.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _report_when_shown(app: object, extra: dict[str, object]) -> None:
    """Print the wall-clock time once the event loop has run with the window shown."""
    from PySide6.QtCore import QTimer

    def done() -> None:
        print(json.dumps({"shown_at": time.time(), **extra}), flush=True)
        app.quit()  # type: ignore[attr-defined]

    QTimer.singleShot(0, done)


def coldstart_bare() -> None:
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication(sys.argv[:1])
    w = QLabel("Unlock")
    w.resize(900, 600)
    w.show()
    _report_when_shown(app, {"mode": "bare"})
    app.exec()


def coldstart_app(vault: str) -> None:
    """What ``srojournal --vault VAULT`` does up to the unlock screen being shown."""
    try:
        from srojournal.app import create_application
        from srojournal.ui.main_window import MainWindow
    except ImportError as exc:  # the full entry is not there yet: import + a plain window
        from PySide6.QtWidgets import QApplication, QLabel

        import srojournal.app  # noqa: F401

        app = QApplication(sys.argv[:1])
        w = QLabel("Unlock")
        w.resize(900, 600)
        w.show()
        _report_when_shown(app, {"mode": "fallback", "why": type(exc).__name__})
        app.exec()
        return
    app = create_application()
    window = MainWindow(vault_path=Path(vault), demo=False)
    window.show()
    _report_when_shown(app, {"mode": "app"})
    app.exec()
    window.close()


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

    from srojournal.demo import DEMO_PASSPHRASE
    from srojournal.vault.store import Vault

    try:
        from srojournal.app import create_application

        app = create_application()
        mode = "app"
    except ImportError:
        from PySide6.QtWidgets import QApplication

        app = QApplication(sys.argv[:1])
        mode = "fallback"
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
    print(json.dumps({"rss_mib": _rss_mib(), "rows": model.fetched, "mode": mode}), flush=True)
    v.close()


def main() -> None:
    probe = sys.argv[1]
    arg = sys.argv[2] if len(sys.argv) > 2 else ""
    {
        "coldstart-bare": lambda: coldstart_bare(),
        "coldstart-app": lambda: coldstart_app(arg),
        "memory-bare": lambda: memory_bare(),
        "memory-app": lambda: memory_app(arg),
    }[probe]()


if __name__ == "__main__":
    main()
