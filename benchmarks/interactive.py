"""What an officer waits for in the unlocked app, driven with real key events (run by probes.py).

Both probes start the real application (``create_application``), show the real main window on
the vault, type the passphrase and Enter, wait for the journal's first page and for the work the
app does in the first seconds after unlock (the spell check's word list), then measure:

``quick_entry``: Ctrl+N, sent as a key event to the main window, until the quick-entry window
has been painted with the keyboard focus in its first field (the students). The window is closed
with Esc between runs (the app then stores or drops its draft, outside the timed region). Its
floor, interleaved in the same process: a bare ``QMainWindow`` whose Ctrl+N action shows a bare
``QDialog`` with as many line edits as the quick entry has fields, focus in the first, timed the
same way.

``search_typing``: words typed one key event at a time into the journal's search box; each
keystroke timed from the key event until the journal table has been repainted after its model
was reset with the new search. The page waits ``SEARCH_DEBOUNCE_MS`` after a keystroke before
it searches (typing fast searches once); the probe sets that wait to 0, so each keystroke is
timed as if it were the last one: its own handling, the search (count + first page), the model
reset and the repaint, without the pause. Its floor: the same prefix answered by raw SQL on the
same connection (``floors.raw_search_page``), run right after each keystroke. A first pass over
the words is not kept, so that app and floor both find the index pages in SQLite's cache.

Paint is awaited, not assumed: an event filter sees the window's (or the table viewport's) paint
event, and the clock stops when the event loop iteration that delivered it returns.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QFormLayout,
    QLineEdit,
    QMainWindow,
    QWidget,
)

WORDS = ("class", "parent", "hallway", "tutoring", "ukulele", "schedule")
SETTLE_S = 0.25  # the page's pause before it searches


def _process_until(app: QApplication, done: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.perf_counter() + timeout
    while not done():
        if time.perf_counter() > deadline:
            raise TimeoutError("the app did not get there in time")
        app.processEvents()


def _settle(app: QApplication, seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.005)


class PaintWatch(QObject):
    """Set ``painted`` when the watched widget gets a paint event after ``arm()``."""

    def __init__(self) -> None:
        super().__init__()
        self.armed = False
        self.painted = False

    def arm(self) -> None:
        self.armed, self.painted = True, False

    def eventFilter(self, _obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if self.armed and event.type() == QEvent.Type.Paint:
            self.painted = True
        return False


def unlocked_window(vault: str) -> tuple[QApplication, Any]:
    """The app's main window on ``vault``, unlocked with typed keys, journal page on screen."""
    from srojournal.vault.keys import accept_weak_kdf_for_tests

    accept_weak_kdf_for_tests()  # the benchmark vault uses cheap KDF settings
    from srojournal.app import create_application
    from srojournal.demo import DEMO_PASSPHRASE
    from srojournal.ui.main_window import MainWindow
    from srojournal.ui.qsettings import AppSettings

    app = create_application()
    window = MainWindow(
        AppSettings(), vault_path=Path(vault), allow_weak_kdf=True, connect_system_signals=False
    )
    window.show()
    QTest.qWaitForWindowExposed(window)
    screen = window.unlock_screen
    QTest.keyClicks(screen.passphrase, DEMO_PASSPHRASE)
    QTest.keyClick(screen.passphrase, Qt.Key.Key_Return)
    _process_until(app, lambda: not window.is_locked, 120)
    page = window.page("journal")
    _process_until(app, lambda: page is not None and page.model.fetched > 0)
    # The spell check's word list loads on a thread a second after unlock: let it finish, so
    # that it does not share the interpreter with what is timed.
    from srojournal.ui.common.spelling import DICTIONARY

    _settle(app, 1.5)
    _process_until(app, lambda: DICTIONARY.ready, 60)
    _settle(app, 0.5)
    window.session.runner.finish()
    _settle(app, 0.2)
    return app, window


def _activate(app: QApplication, w: QWidget) -> None:
    w.activateWindow()
    w.raise_()
    _process_until(app, lambda: QApplication.activeWindow() is w, 10)


class FloorWindow(QMainWindow):
    """A bare main window whose Ctrl+N shows a bare dialog with ``fields`` line edits."""

    def __init__(self, fields: int) -> None:
        super().__init__()
        self.fields = fields
        self.dialog: QDialog | None = None
        self.setCentralWidget(QWidget())
        self.resize(1200, 780)
        act = self.addAction("New")
        act.setShortcuts(["Ctrl+N"])
        act.triggered.connect(self.open_dialog)
        self.action = act

    def open_dialog(self) -> None:
        d = QDialog(self)
        d.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        form = QFormLayout(d)
        edits = [QLineEdit() for _ in range(self.fields)]
        for i, e in enumerate(edits):
            form.addRow(f"Field {i + 1}", e)
        d.first = edits[0]  # type: ignore[attr-defined]
        d.resize(780, 660)
        self.dialog = d
        d.show()
        d.raise_()
        d.activateWindow()
        edits[0].setFocus()


def _time_open(
    app: QApplication, window: QWidget, dialog_of: Callable[[], QDialog | None], first_of: Any
) -> float:
    """Ctrl+N on ``window`` until the new dialog is painted with focus in its first field."""
    watch = PaintWatch()
    watch.arm()
    started = time.perf_counter()
    QTest.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = dialog_of()
    if dialog is None:
        raise RuntimeError("Ctrl+N opened no window")
    dialog.installEventFilter(watch)
    first = first_of(dialog)
    _process_until(app, lambda: watch.painted and QApplication.focusWidget() is first)
    took = time.perf_counter() - started
    dialog.removeEventFilter(watch)
    return took


def _close(app: QApplication, dialog: QDialog) -> None:
    QTest.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_Escape)
    _process_until(app, lambda: not dialog.isVisible())
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def quick_entry(vault: str, n: int) -> dict[str, Any]:
    app, window = unlocked_window(vault)
    entry_of: Callable[[], QDialog | None] = lambda: window.entry  # noqa: E731
    first_open = _time_open(app, window, entry_of, lambda d: d.student_search)
    dialog = window.entry
    fields = [w for w in dialog.tab_order() if not isinstance(w, QAbstractButton)]
    _close(app, dialog)
    window.session.runner.finish()
    floor_window = FloorWindow(len(fields))
    floor_window.show()
    QTest.qWaitForWindowExposed(floor_window)
    app_times: list[float] = []
    floor_times: list[float] = []
    for _ in range(n):
        _activate(app, window)
        app_times.append(_time_open(app, window, entry_of, lambda d: d.student_search))
        dialog = window.entry
        _close(app, dialog)
        window.session.runner.finish()
        _settle(app, 0.02)
        # The app's Ctrl+N is application-wide: off while the floor's own Ctrl+N is pressed.
        window.act_new.setEnabled(False)
        _activate(app, floor_window)
        floor_times.append(
            _time_open(app, floor_window, lambda: floor_window.dialog, lambda d: d.first)
        )
        _close(app, floor_window.dialog)
        floor_window.dialog = None
        window.act_new.setEnabled(True)
        _settle(app, 0.02)
    return {
        "app_ms": [round(t * 1000, 3) for t in app_times],
        "floor_ms": [round(t * 1000, 3) for t in floor_times],
        "first_open_ms": round(first_open * 1000, 3),
        "fields": len(fields),
    }


def search_typing(vault: str, repeats: int) -> dict[str, Any]:
    from floors import raw_search_page

    from srojournal.domain.matching import while_typing
    from srojournal.vault.repo import fts_query

    app, window = unlocked_window(vault)
    page = window.show_page("journal")
    journal = window.session.journal
    conn = window.session.vault.conn
    page._search_timer.setInterval(0)  # each keystroke timed as if it were the last one
    _activate(app, window)
    QTest.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    _process_until(app, lambda: QApplication.focusWidget() is page.search)
    table = PaintWatch()  # the table's viewport, after the model was reset
    page.table.viewport().installEventFilter(table)
    page.model.modelReset.connect(table.arm)
    box = PaintWatch()  # the search box (a keystroke that does not search only echoes)
    page.search.installEventFilter(box)

    def type_key(key: Any, searches: bool, modifier: Any = Qt.KeyboardModifier.NoModifier) -> float:
        table.armed = table.painted = False
        box.arm()
        started = time.perf_counter()
        QTest.keyClick(page.search, key, modifier)
        if searches:
            _process_until(app, lambda: table.painted)
        else:
            _process_until(app, lambda: box.painted and not page._search_timer.isActive())
        return time.perf_counter() - started

    def floor_of(text: str) -> tuple[float, int]:
        query = fts_query(text)
        started = time.perf_counter()
        hits = raw_search_page(conn, query)
        return time.perf_counter() - started, hits

    def clear_box() -> None:
        QTest.keyClick(page.search, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        type_key(Qt.Key.Key_Backspace, searches=True)
        _settle(app, 0.02)

    samples: list[dict[str, Any]] = []
    echoes: list[float] = []
    entered: list[dict[str, Any]] = []
    # A first pass is not kept: it brings the words' index pages into SQLite's page cache, where
    # the app's query would otherwise read them first and the floor, right after it, find them.
    for done in range(-1, repeats):
        if done == 0:
            samples.clear()
            echoes.clear()
            entered.clear()
        for word in WORDS:
            # Counts are cached until the next write: a word typed again starts cold, as a
            # new word would.
            journal.invalidate_caches()
            searched = ""
            for i, ch in enumerate(word):
                prefix = word[: i + 1]
                searches = while_typing(prefix) != searched
                # Each key starts from an idle window, as the page's pause before searching
                # ensures (the search box's clear button fades in over its first 160 ms).
                _settle(app, SETTLE_S)
                took = type_key(ch, searches)
                if not searches:
                    echoes.append(took * 1000)
                    continue
                searched = while_typing(prefix)
                floor, hits = floor_of(searched)
                if page.model.total != hits:
                    raise RuntimeError(f"'{prefix}': the page shows {page.model.total}, not {hits}")
                samples.append(
                    {"prefix": prefix, "ms": took * 1000, "floor_ms": floor * 1000, "hits": hits}
                )
            clear_box()
            # The first letter alone, with Enter: what the officer waits for when asking for it.
            journal.invalidate_caches()
            type_key(word[0], searches=False)
            took = type_key(Qt.Key.Key_Return, searches=True)
            floor, hits = floor_of(word[0])
            entered.append({"prefix": word[0], "ms": took * 1000, "floor_ms": floor * 1000})
            clear_box()
    return {"samples": samples, "echo_ms": echoes, "entered": entered}


def main(probe: str, vault: str, n: int) -> None:
    result = quick_entry(vault, n) if probe == "quick-entry" else search_typing(vault, n)
    result["median_ms"] = statistics.median(
        [s["ms"] for s in result["samples"]] if "samples" in result else result["app_ms"]
    )
    print(json.dumps(result), flush=True)
