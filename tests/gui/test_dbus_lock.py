"""Screen lock and sleep reach the app over a real (private) D-Bus and lock it."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator

import pytest
from PySide6.QtDBus import QDBusConnection, QDBusMessage

from .conftest import unlock

pytestmark = pytest.mark.skipif(shutil.which("dbus-daemon") is None, reason="needs dbus-daemon")


@pytest.fixture
def private_bus(tmp_path) -> Iterator[str]:
    """A session-type bus of our own, so the test never touches the machine's buses."""
    proc = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1", "--nopidfile"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    address = proc.stdout.readline().strip()
    try:
        yield address
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


def _emit(address: str, name: str, service: str, path: str, iface: str, signal: str) -> None:
    sender = QDBusConnection.connectToBus(address, name)
    assert sender.isConnected()
    assert sender.registerService(service)
    msg = QDBusMessage.createSignal(path, iface, signal)
    msg.setArguments([True])
    assert sender.send(msg)


@pytest.mark.parametrize(
    ("bus_kind", "service", "path", "iface", "signal", "reason"),
    [
        (
            "session",
            "org.freedesktop.ScreenSaver",
            "/org/freedesktop/ScreenSaver",
            "org.freedesktop.ScreenSaver",
            "ActiveChanged",
            "screensaver",
        ),
        (
            "system",
            "org.freedesktop.login1",
            "/org/freedesktop/login1",
            "org.freedesktop.login1.Manager",
            "PrepareForSleep",
            "sleep",
        ),
    ],
)
def test_system_signal_locks_with_draft(
    qtbot, window_factory, vault_dir, private_bus, bus_kind, service, path, iface, signal, reason
):
    w = window_factory(vault_path=vault_dir)
    listener = QDBusConnection.connectToBus(private_bus, f"listener-{bus_kind}")
    assert listener.isConnected()
    kw = {f"{bus_kind}_bus": listener}
    w.autolock.connect_system_signals(**kw)
    assert signal in w.autolock.dbus_connected
    unlock(qtbot, w)
    w.open_quick_entry()
    qtbot.waitUntil(lambda: w.entry is not None)
    w.entry.notes.setPlainText("half typed when the lid closed")
    with qtbot.waitSignal(w.locked, timeout=10_000):
        _emit(private_bus, f"sender-{bus_kind}", service, path, iface, signal)
    assert w.is_locked
    unlock(qtbot, w)
    qtbot.waitUntil(lambda: w.entry is not None)
    assert w.entry.notes.toPlainText() == "half typed when the lid closed"
    QDBusConnection.disconnectFromBus(f"listener-{bus_kind}")
    QDBusConnection.disconnectFromBus(f"sender-{bus_kind}")
