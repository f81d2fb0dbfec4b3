"""No reference to the passphrase or to a hex copy of the data key survives an unlock, a failed
unlock or a lock.

The attacker reads the memory of the running app after an idle auto-lock. Python cannot wipe
immutable strings, so the line held here is: no live object refers to one. Each test types a
passphrase made at run time (only a bytearray of it is kept), unlocks through the real unlock
screen, then walks every object the garbage collector knows for a string, bytes or bytearray
holding the passphrase or the key's hex digits.
"""

from __future__ import annotations

import gc
import secrets
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from srojournal.vault.store import Vault

from .conftest import CHEAP_KDF


def _fresh_secret() -> bytearray:
    return bytearray(f"sentinel {secrets.token_hex(12)} passphrase".encode())


def _holders(needles: list[bytes], *, exclude: list[object]) -> list[str]:
    """Type names of the live objects referring to a str/bytes/bytearray holding a needle."""
    texts = [n.decode("ascii") for n in needles]
    skip = {id(x) for x in (*exclude, texts, *texts)}
    found: list[str] = []
    gc.collect()
    for obj in gc.get_objects():
        if id(obj) in skip:
            continue
        for ref in gc.get_referents(obj):
            if id(ref) in skip:
                continue
            kind = type(ref)
            if kind is str:
                if any(t in ref for t in texts):
                    found.append(f"{type(obj).__name__} -> str")
            elif kind is bytes or kind is bytearray:
                low = bytes(ref).lower() if len(ref) < 1_000_000 else b""
                if any(n in low for n in needles):
                    found.append(f"{type(obj).__name__} -> {kind.__name__}")
    return found


def _make_vault(folder: Path, secret: bytearray) -> None:
    vault, _code = Vault.create(
        folder, secret.decode(), kdf=CHEAP_KDF, allow_weak_kdf=True, check_strength=False
    )
    vault.close()


def _type_and_unlock(qtbot, window, secret: bytearray) -> None:
    screen = window.unlock_screen
    screen.passphrase.setFocus()
    QTest.keyClicks(screen.passphrase, secret.decode())
    QTest.keyClick(screen.passphrase, Qt.Key.Key_Return)


def test_unlock_and_lock_keep_no_passphrase_or_hex_key(qtbot, window_factory, tmp_path):
    secret = _fresh_secret()
    folder = tmp_path / "vault"
    _make_vault(folder, secret)
    w = window_factory(vault_path=folder)
    with qtbot.waitSignal(w.unlocked, timeout=10_000):
        _type_and_unlock(qtbot, w, secret)
    assert w.vault is not None
    key_hex = bytearray(bytes(w.vault._key).hex().encode())
    needles = [bytes(secret), bytes(key_hex)]
    exclude = [secret, key_hex, needles, *needles]
    assert _holders(needles[:1], exclude=exclude) == [], "the passphrase outlived the unlock"
    assert _holders(needles[1:], exclude=exclude) == [], "a hex copy of the data key lingers"
    w.lock("idle")
    assert w.is_locked
    assert _holders(needles, exclude=exclude) == [], "secrets outlived the lock"


def test_a_failed_unlock_keeps_no_passphrase(qtbot, window_factory, tmp_path):
    right = _fresh_secret()
    folder = tmp_path / "vault"
    _make_vault(folder, right)
    w = window_factory(vault_path=folder)
    screen = w.unlock_screen
    wrong = _fresh_secret()
    _type_and_unlock(qtbot, w, wrong)
    qtbot.waitUntil(lambda: screen.unlock_error.isVisible(), timeout=10_000)
    screen.passphrase.wipe()
    needles = [bytes(wrong)]
    # The WrongPassphrase exception travelled from the worker thread with its traceback: the
    # frames that derived the key held the typed text.
    assert _holders(needles, exclude=[wrong, right, needles, *needles]) == []
