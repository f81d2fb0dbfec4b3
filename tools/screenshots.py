"""Render the main screens of a demo vault to PNG, light and dark (``make screenshots``).

    python tools/screenshots.py DEMO_VAULT OUT_DIR

A developer's tool, not part of the app (it is not shipped): it drives the real main window.

Runs offscreen with the bundled fonts, so the pictures look the same on every machine. The demo
vault holds synthetic data only.
"""

from __future__ import annotations

import itertools
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from srojournal.app import create_application
from srojournal.demo import DEFAULT_TODAY, DEMO_PASSPHRASE
from srojournal.ops.access import unlock
from srojournal.ui import theme
from srojournal.ui.qsettings import AppSettings

PAGES = ("journal", "students", "followups", "conflicts", "reports", "settings", "backups")
# The usual laptop first (file names without a size), then the small one every screen must fit.
SIZES = ((1280, 800), (1366, 768))


def _settle(ms: int = 150) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _wait_idle(window: Any, limit_s: float = 60.0) -> None:
    """Let the page's background work (a summary's preview) finish before the picture."""
    deadline = time.monotonic() + limit_s
    while window.session is not None and window.session.runner.busy:
        if time.monotonic() > deadline:
            break
        _settle(50)
    _settle()


def _save(widget: QWidget, path: Path) -> None:
    _settle()
    widget.grab().save(str(path))
    print(path)


def _neutral_copy(vault_path: Path) -> Path:
    """Work on a copy in a fixed, neutral place: the screens show the vault's path."""
    import shutil

    root = Path(tempfile.gettempdir()) / "srojournal-screenshots"
    shutil.rmtree(root, ignore_errors=True)
    copy = root / "demo-vault"
    shutil.copytree(vault_path, copy, ignore=shutil.ignore_patterns("vault.lock"))
    return copy


def _select_first(page: QWidget) -> None:
    """On list-and-detail screens, open the first record so the detail side is shown too."""
    table = getattr(page, "list", None)
    if table is not None and hasattr(table, "selectRow") and table.model().rowCount() > 0:
        table.selectRow(0)


def _fill_entry(entry: Any) -> None:
    """A mediation being typed: two students (one new, its grade half typed), the agreement."""
    entry.clear_form()  # not what an earlier run left as a draft
    students = entry.journal.students("", limit=2)
    for s in students:
        entry.add_student(s.id)
    entry.add_new_student("Sam R", grade="8", focus=False)
    entry.type_edit.set_value("mediation")
    entry.outcome.set_value("agreement_reached")
    entry.notes.setPlainText("Dispute over a seat at lunch; both told their side and agreed.")
    entry.agreement.setPlainText("Sit at separate tables for two weeks; check in on Friday.")


def render(vault_path: Path, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    vault_path = _neutral_copy(vault_path)
    # Never touch the real profile: QSettings go to a throwaway folder.
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp(prefix="sroj-")
    )
    app = create_application()
    from srojournal.ui.main_window import MainWindow

    written: list[Path] = []
    for (width, height), scheme in itertools.product(SIZES, ("light", "dark")):
        suffix = "" if (width, height) == SIZES[0] else f"-{width}x{height}"
        theme.apply_theme(app, scheme)
        window = MainWindow(AppSettings(), vault_path=vault_path, connect_system_signals=False)
        window.resize(width, height)
        window.show()
        written.append(out / f"unlock-{scheme}{suffix}.png")
        _save(window, written[-1])
        window.on_unlocked(unlock(vault_path, DEMO_PASSPHRASE))
        assert window.session is not None
        window.session.today = lambda: DEFAULT_TODAY  # type: ignore[method-assign]
        for key in PAGES:
            page = window.show_page(key)
            if page is None:
                continue
            _select_first(page)
            _wait_idle(window)
            written.append(out / f"{key}-{scheme}{suffix}.png")
            _save(window, written[-1])
        window.show_page("journal")
        window.open_quick_entry()
        entry = window.entry
        if entry is not None:
            _fill_entry(entry)
            written.append(out / f"quick-entry-{scheme}{suffix}.png")
            _save(entry, written[-1])
            entry.close_keeping_draft()
            window.entry = None
        window.lock("screenshots")
        window.close()
        window.deleteLater()
        _settle(50)
    QApplication.processEvents()
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        sys.stderr.write("usage: python tools/screenshots.py DEMO_VAULT OUT_DIR\n")
        return 2
    render(Path(args[0]), Path(args[1]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
