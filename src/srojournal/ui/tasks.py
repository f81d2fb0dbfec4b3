"""Run slow core calls (Argon2id, opening or creating a vault) off the GUI thread.

A ``Task`` runs one callable in ``QThreadPool`` and reports back on the GUI thread through queued
signals, so the window keeps painting while the key is derived. The callable must not touch
widgets.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger("srojournal.ui.tasks")

_running: set[Task] = set()  # keeps a task (and its signals) alive until it reports


class Task(QObject):
    """``succeeded(result)`` or ``failed(exception)`` is emitted exactly once, then ``done``."""

    succeeded = Signal(object)
    failed = Signal(object)
    done = Signal()

    def __init__(self, fn: Callable[[], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fn = fn
        self.running = False
        # Queued delivery: the worker emits these, the GUI thread handles them.
        self._result.connect(self._on_result)
        self._error.connect(self._on_error)

    _result = Signal(object)
    _error = Signal(object)

    def start(self, pool: QThreadPool | None = None) -> None:
        self.running = True
        _running.add(self)
        runnable = QRunnable.create(self._run)
        (pool or QThreadPool.globalInstance()).start(runnable)

    def _run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:  # delivered to the GUI thread, never swallowed
            self._error.emit(exc)
        else:
            self._result.emit(result)

    def _on_result(self, result: object) -> None:
        self._finish()
        self.succeeded.emit(result)
        self.done.emit()

    def _on_error(self, exc: object) -> None:
        self._finish()
        self.failed.emit(exc)
        self.done.emit()

    def _finish(self) -> None:
        self.running = False
        _running.discard(self)


def run_in_thread(
    fn: Callable[[], Any],
    on_success: Callable[[Any], None],
    on_failure: Callable[[BaseException], None],
    parent: QObject | None = None,
) -> Task:
    task = Task(fn, parent)
    task.succeeded.connect(on_success)
    task.failed.connect(on_failure)
    task.start()
    return task
