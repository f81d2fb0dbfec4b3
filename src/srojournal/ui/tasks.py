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
        self._fn: Callable[[], Any] | None = fn
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
        # The callable often closes over a passphrase: drop it the moment it has run, so
        # nothing (this task is kept by its owner) refers to the typed text afterwards.
        fn, self._fn = self._fn, None
        try:
            result = fn() if fn is not None else None
        except BaseException as exc:  # delivered to the GUI thread, never swallowed
            forget_frames(exc)
            self._error.emit(exc)
        else:
            self._result.emit(result)
        finally:
            del fn

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


def forget_frames(exc: BaseException) -> None:
    """Drop the tracebacks of ``exc`` and of the exceptions chained to it.

    A traceback keeps every frame it passed through alive, with their local variables: the
    frames that derived a key from a passphrase hold the passphrase. The exception itself (its
    type and message) is all the receiver needs.
    """
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        e.__traceback__ = None
        todo += [e.__context__, e.__cause__]


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
