"""The one lane for a session's background work and its writes.

The vault's connection is shared by the window's thread and one worker thread. The ``Runner``
makes sure that only one of them writes at a time, in the order the officer asked:

* :meth:`Runner.run` starts slow work (Argon2id, a backup, a purge, a summary) on the worker,
  after whatever is running or queued;
* :meth:`Runner.write` runs a quick write (saving an entry, a setting) at once on the window's
  thread when nothing is running, and otherwise queues it behind the slow work, so it never
  becomes part of a background task's transaction (and never vanishes with its rollback).

Results and failures come back on the window's thread. A failure is the exception itself;
:func:`user_message` turns it into what the officer reads (a ``UserError``'s message, or a
neutral sentence for a bug, whose type alone is logged).

A job's function often closes over a passphrase, and a failure's traceback keeps alive the frames
that derived a key from one. So the runner lets go of both as soon as it can: the function once
it has run, the callbacks once they were called, and every traceback before the failure is
delivered (the exception's type and message are all a receiver needs).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from srojournal.domain.errors import UserError

log = logging.getLogger("srojournal.ui.runner")

Callback = Callable[[Any], None]
ErrorCallback = Callable[[BaseException], None]

BUG_MESSAGE = "Something went wrong and the operation did not finish. Nothing was lost."


def user_message(exc: BaseException) -> str:
    """What to show for a failure: the officer's message, or a neutral one for a bug."""
    if isinstance(exc, UserError):
        return exc.message
    log.error("background task failed: %s", type(exc).__name__)
    return BUG_MESSAGE


def forget_frames(exc: BaseException) -> None:
    """Drop the tracebacks of ``exc`` and of the exceptions chained to it.

    A traceback keeps every frame it passed through alive, with their local variables: the
    frames that derived a key from a passphrase hold the passphrase.
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


def _ignore(_: Any) -> None:
    pass


class _Job:
    __slots__ = ("background", "completed", "fn", "generation", "on_done", "on_error")

    def __init__(
        self,
        fn: Callable[[], Any],
        on_done: Callback,
        on_error: ErrorCallback | None,
        background: bool,
        generation: int,
    ) -> None:
        self.fn: Callable[[], Any] | None = fn
        self.on_done: Callback = on_done
        self.on_error = on_error
        self.background = background
        self.generation = generation
        self.completed = False

    def take(self) -> Callable[[], Any]:
        """The function, handed over once: the job keeps no reference to it."""
        fn, self.fn = self.fn, None
        assert fn is not None
        return fn

    def forget(self) -> None:
        """After delivery: nothing the job was given (closures, callbacks) stays reachable."""
        self.fn = None
        self.on_done = _ignore
        self.on_error = None


class _Relay(QObject):
    finished = Signal(int)  # the token of a finished job


class _Work(QRunnable):
    """Runs one job's function on the worker thread.

    Nothing of the job may be released on the worker: the last reference to a widget captured
    by the function (or by an exception's traceback) must go away on the window's thread. So
    the result goes into ``outbox`` and every local reference is dropped *before* the window is
    told; the window's thread holds the job until it has handled it.
    """

    def __init__(
        self, token: int, fn: Callable[[], Any], outbox: dict[int, Any], relay: _Relay
    ) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._token = token
        self._fn: Callable[[], Any] | None = fn
        self._outbox = outbox
        self._relay = relay

    def run(self) -> None:
        fn, self._fn = self._fn, None
        assert fn is not None
        try:
            self._outbox[self._token] = (fn(), None)
        except BaseException as exc:
            forget_frames(exc)
            self._outbox[self._token] = (None, exc)
            del exc
        del fn
        self._relay.finished.emit(self._token)


class Runner(QObject):
    """Slow work on one worker thread and quick writes in between, strictly one at a time."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._queue: deque[_Job] = deque()
        self._current: _Job | None = None
        self._outbox: dict[int, Any] = {}  # token -> (result, error), filled on the worker
        self._next_token = 0
        self._generation = 0
        self._busy_shown = False
        self._tokens: dict[int, _Job] = {}
        self._relay = _Relay(self)
        # Emitted on the worker: Qt delivers it queued, on this object's (the window's) thread.
        self._relay.finished.connect(self._on_finished)

    @property
    def busy(self) -> bool:
        """Background work is running or waiting (a quick write would be queued)."""
        return self._current is not None or bool(self._queue)

    def run(
        self,
        fn: Callable[[], Any],
        on_done: Callback,
        on_error: ErrorCallback | None = None,
    ) -> None:
        """Run ``fn`` on the worker after what is already running or queued."""
        self._enqueue(_Job(fn, on_done, on_error, True, self._generation))

    def write(
        self,
        fn: Callable[[], Any],
        on_done: Callback,
        on_error: ErrorCallback | None = None,
    ) -> bool:
        """Run a quick write on this thread: now when idle (True), else after the slow work."""
        was_idle = not self.busy
        self._enqueue(_Job(fn, on_done, on_error, False, self._generation))
        return was_idle

    def finish(self) -> None:
        """Wait for the running work and run everything queued (before the vault closes)."""
        while self.busy:
            job = self._current
            if job is not None:
                self._pool.waitForDone()
                self._on_finished(self._token_of(job))
            else:
                self._pump()

    def cancel_results(self) -> None:
        """Results of work started before this call are dropped (the screens went away)."""
        self._generation += 1

    # -- the lane -------------------------------------------------------------------------------
    def _enqueue(self, job: _Job) -> None:
        self._queue.append(job)
        self._pump()

    def _update_busy(self) -> None:
        """Tell listeners when busy flips (before results are delivered, so a result's message
        is not overwritten by a listener re-enabling its buttons)."""
        busy = self.busy
        if busy != self._busy_shown:
            self._busy_shown = busy
            self.busy_changed.emit(busy)

    def _pump(self) -> None:
        while self._current is None and self._queue:
            job = self._queue.popleft()
            if job.background:
                self._current = job
                self._next_token += 1
                self._tokens = {self._next_token: job}
                self._update_busy()
                self._pool.start(_Work(self._next_token, job.take(), self._outbox, self._relay))
                return
            self._run_here(job)
        self._update_busy()

    def _run_here(self, job: _Job) -> None:
        fn = job.take()
        try:
            result = fn()
        except Exception as exc:  # delivered, never swallowed
            del fn
            forget_frames(exc)
            self._update_busy()
            self._deliver(job, None, exc)
        else:
            del fn
            self._update_busy()
            self._deliver(job, result, None)

    def _token_of(self, job: _Job) -> int:
        return next(t for t, j in self._tokens.items() if j is job)

    def _on_finished(self, token: int) -> None:
        job = self._tokens.get(token)
        if job is None or job.completed:  # already handled by finish()
            return
        job.completed = True
        if self._current is job:
            self._current = None
        result, error = self._outbox.pop(token, (None, None))
        self._update_busy()
        self._deliver(job, result, error)
        self._pump()

    def _deliver(self, job: _Job, result: Any, error: BaseException | None) -> None:
        on_done, on_error = job.on_done, job.on_error
        job.forget()
        if job.generation != self._generation:
            return
        if error is None:
            on_done(result)
        elif on_error is not None:
            on_error(error)
        else:
            log.error("a task failed with nobody to tell: %s", type(error).__name__)
