"""Handing the data key to SQLCipher with as few copies as Python allows.

SQLCipher takes a raw key as the text ``x'<64 hex digits>'``. Built as a Python ``str`` (the usual
``PRAGMA key = "x'…'"`` statement) that text is immutable, cannot be overwritten, and the binding
keeps every statement's text in its statement cache until 128 other statements push it out: the
key then lingers in memory long after the vault is locked.

Here the text is built in a ``bytearray``, handed over through ``set_key``/``reset_key`` or a
bound parameter (``ATTACH … KEY ?``), which read the buffer without making a ``str``, and then
overwritten with zeros. What Python cannot reach: SQLite copies a bound parameter into its own
heap and frees it without wiping (SQLCipher wipes only its own key buffers while
``cipher_memory_security`` is off, see ``connection settings`` in docs/vault.md).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

_HEX: Final = b"0123456789abcdef"


def zero(buf: bytearray) -> None:
    """Overwrite a mutable secret in place."""
    buf[:] = bytes(len(buf))


@contextlib.contextmanager
def raw_key_text(key: bytes | bytearray) -> Iterator[bytearray]:
    """``x'<hex>'`` for SQLCipher's raw-key mode, in a buffer that is zeroed on exit."""
    text = bytearray(3 + 2 * len(key))
    text[0:2] = b"x'"
    for i, byte in enumerate(key):
        text[2 + 2 * i] = _HEX[byte >> 4]
        text[3 + 2 * i] = _HEX[byte & 15]
    text[-1] = 0x27  # '
    try:
        yield text
    finally:
        zero(text)


def set_key(conn: Any, key: bytes | bytearray) -> None:
    """``PRAGMA key`` without a ``str``: the key goes through ``sqlite3_key`` from a buffer."""
    with raw_key_text(key) as text:
        conn.set_key(text)


def rekey(conn: Any, key: bytes | bytearray) -> None:
    """``PRAGMA rekey`` without a ``str`` (``sqlite3_rekey`` from a buffer)."""
    with raw_key_text(key) as text:
        conn.reset_key(text)


def attach(conn: Any, path: Path, schema: str, key: bytes | bytearray) -> None:
    """``ATTACH DATABASE path AS schema`` with the key bound as a parameter, not spliced in."""
    if not schema.isidentifier():
        raise ValueError("schema must be an identifier")
    with raw_key_text(key) as text:
        conn.execute(f"ATTACH DATABASE ? AS {schema} KEY ?", (os.fspath(path), text))


def read_only_uri(path: Path) -> str:
    """A URI that opens ``path`` read-only and writes nothing next to it (no -wal, -shm or
    -journal file, no header change): for backups, which may sit on write-protected media."""
    return Path(path).resolve().as_uri() + "?mode=ro&immutable=1"
