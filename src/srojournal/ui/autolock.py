"""Auto-lock: after the idle time, on demand, and when the system sleeps or the screen locks.

``AutoLock`` watches user input and emits ``lock_requested(reason)`` when the configured idle
time passes without any. Input reaches the application through its windows: the window system
delivers every key, mouse, wheel, touch and tablet event to one of our top-level windows first,
so an event filter sits on each window that takes the focus (and on the focused widget, which
receives input-method text directly). An event filter on the whole QApplication would see every
internal event too (paint, layout, polish: thousands to open one dialog), and a Python filter
costs a call per event: about a third of the time Ctrl+N took to show the quick entry.

The main window does the locking (draft, clear pages, close the vault). On Linux it also listens
on D-Bus to ``org.freedesktop.login1.Manager.PrepareForSleep`` (system bus) and
``org.freedesktop.ScreenSaver.ActiveChanged`` (session bus); without a bus this is silently
absent.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import SLOT, QEvent, QObject, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from srojournal.domain.settings import AUTOLOCK_MINUTES

log = logging.getLogger("srojournal.ui.autolock")

_ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TabletPress,
        QEvent.Type.InputMethod,
    }
)


class AutoLock(QObject):
    lock_requested = Signal(str)  # "idle" | "sleep" | "screensaver"

    def __init__(self, parent: QObject | None = None, *, idle_seconds: float | None = None):
        super().__init__(parent)
        self._override_ms = None if idle_seconds is None else max(1, int(idle_seconds * 1000))
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(lambda: self._fire("idle"))
        self._timer.setInterval(self._override_ms or AUTOLOCK_MINUTES.default * 60_000)
        self.active = False
        self._installed = False
        self.dbus_connected: list[str] = []

    # -- configuration -------------------------------------------------------------------------
    @property
    def interval_ms(self) -> int:
        return self._timer.interval()

    def set_minutes(self, minutes: int) -> None:
        """Apply the vault's setting (ignored when a test gave seconds)."""
        if self._override_ms is None:
            self._timer.setInterval(AUTOLOCK_MINUTES.clamp(minutes) * 60_000)
        if self.active:
            self._timer.start()

    # -- life cycle ----------------------------------------------------------------------------
    def start(self) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication) and not self._installed:
            for window in QGuiApplication.topLevelWindows():
                self._watch(window)
            app.focusWindowChanged.connect(self._watch)
            app.focusChanged.connect(self._on_focus_changed)
            self._watch(app.focusWidget())
            self._installed = True
        self.active = True
        self._timer.start()

    def _watch(self, obj: QObject | None) -> None:
        """Filter the events of a window (or the focused widget), once."""
        if obj is not None and not obj.property("_autolock"):
            obj.setProperty("_autolock", True)
            obj.installEventFilter(self)

    def _unwatch(self, obj: QObject | None) -> None:
        if obj is not None and obj.property("_autolock"):
            obj.setProperty("_autolock", None)
            obj.removeEventFilter(self)

    def _on_focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        # Only the focused widget: its own events (paint and all) then go through the filter.
        self._unwatch(old)
        self._watch(new)

    def stop(self) -> None:
        self.active = False
        self._timer.stop()

    def shutdown(self) -> None:
        self.stop()
        app = QApplication.instance()
        if isinstance(app, QApplication) and self._installed:
            app.focusWindowChanged.disconnect(self._watch)
            app.focusChanged.disconnect(self._on_focus_changed)
            for window in QGuiApplication.topLevelWindows():
                self._unwatch(window)
            self._unwatch(app.focusWidget())
            self._installed = False

    def poke(self) -> None:
        """Count as user activity."""
        if self.active:
            self._timer.start()

    def remaining_ms(self) -> int:
        return self._timer.remainingTime() if self.active else -1

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if self.active and event.type() in _ACTIVITY:
            self._timer.start()
        return False

    def _fire(self, reason: str) -> None:
        if self.active:
            log.info("auto-lock: %s", reason)
            self.stop()
            self.lock_requested.emit(reason)

    # -- system signals ------------------------------------------------------------------------
    @Slot(bool)
    def on_prepare_for_sleep(self, going_to_sleep: bool) -> None:
        if going_to_sleep:
            self._fire("sleep")

    @Slot(bool)
    def on_screensaver_active(self, active: bool) -> None:
        if active:
            self._fire("screensaver")

    def connect_system_signals(self, system_bus: Any = None, session_bus: Any = None) -> None:
        """Listen for sleep and screen lock on D-Bus where there is one; otherwise do nothing.

        The buses default to the machine's; tests pass connections to a private bus.
        """
        try:
            from PySide6.QtDBus import QDBusConnection
        except ImportError:  # a Qt build without D-Bus (Windows, macOS)
            return
        subscriptions = (
            (
                system_bus if system_bus is not None else QDBusConnection.systemBus(),
                "org.freedesktop.login1",
                "/org/freedesktop/login1",
                "org.freedesktop.login1.Manager",
                "PrepareForSleep",
                "on_prepare_for_sleep(bool)",
            ),
            (
                session_bus if session_bus is not None else QDBusConnection.sessionBus(),
                "org.freedesktop.ScreenSaver",
                "/org/freedesktop/ScreenSaver",
                "org.freedesktop.ScreenSaver",
                "ActiveChanged",
                "on_screensaver_active(bool)",
            ),
        )
        for bus, service, path, iface, name, slot in subscriptions:
            if not bus.isConnected():
                continue
            try:
                # The stubs say bytes; at run time only the str from SLOT() is accepted.
                ok = bus.connect(service, path, iface, name, self, SLOT(slot))  # type: ignore[call-overload]
            except (TypeError, ValueError, RuntimeError):  # never let the bus stop the app
                ok = False
            if ok:
                self.dbus_connected.append(name)
            else:
                log.debug("could not subscribe to %s", name)
