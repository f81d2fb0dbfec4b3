"""Opening a SQLCipher connection, and what its failures mean.

Every connection gets the same settings (docs/vault.md): the raw key, handed over from a buffer
that is zeroed at once (``keymaterial.set_key``) and verified at once; temp files in memory;
foreign keys on; ``secure_delete`` on; SQLCipher's log quiet; WAL with full sync (``F_FULLFSYNC``
on macOS) and checkpoints. :func:`classify` is the one place that sorts a SQLite failure, by its
error code (never by its message text), into "the environment's fault" (a message for the
officer) or "other" (the caller says what could not be done).
"""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import Any

import sqlcipher3

from srojournal.vault import keymaterial
from srojournal.vault.errors import StorageError, VaultDamaged, VaultError, VaultInUse

Connection = Any  # sqlcipher3 connections are untyped


def split_sql(script: str) -> list[str]:
    """Split a script into complete statements (triggers keep their inner semicolons)."""
    statements: list[str] = []
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlcipher3.complete_statement(buf):
            if buf.strip():
                statements.append(buf.strip())
            buf = ""
    if buf.strip():
        statements.append(buf.strip())
    return statements


class Failure(enum.Enum):
    """What a SQLite error code says about the cause."""

    FULL = "full"  # the disk (or a size limit) is full
    IO = "io"  # the disk refused a read or a write
    READ_ONLY = "read_only"  # a read-only medium or file
    BUSY = "busy"  # another connection holds the database
    DAMAGED = "damaged"  # not a database (any more), or a corrupt page
    OTHER = "other"  # anything else: the caller's own message


# Primary result codes (the low byte of an extended code), from sqlite3.h.
_SQLITE_PERM = 3
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_READONLY = 8
_SQLITE_IOERR = 10
_SQLITE_CORRUPT = 11
_SQLITE_FULL = 13
_SQLITE_TOOBIG = 18
_SQLITE_NOTADB = 26

_BY_CODE: dict[int, Failure] = {
    _SQLITE_FULL: Failure.FULL,
    _SQLITE_TOOBIG: Failure.FULL,
    _SQLITE_IOERR: Failure.IO,
    _SQLITE_READONLY: Failure.READ_ONLY,
    _SQLITE_PERM: Failure.READ_ONLY,
    _SQLITE_BUSY: Failure.BUSY,
    _SQLITE_LOCKED: Failure.BUSY,
    _SQLITE_CORRUPT: Failure.DAMAGED,
    _SQLITE_NOTADB: Failure.DAMAGED,
}


def classify(exc: BaseException) -> Failure:
    """Sort a storage failure by its SQLite error code (errors without one are ``OTHER``)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if not isinstance(code, int):
        return Failure.OTHER
    return _BY_CODE.get(code & 0xFF, Failure.OTHER)


def open_connection(path: Path, key: bytearray) -> Connection:
    """Open a SQLCipher connection with the key and the connection settings of docs/vault.md.

    Verifies the key at once: a wrong key only fails on the first read.
    ``cipher_memory_security`` stays at its default (off): it mlocks and wipes every allocation
    and made saving seven times slower; SQLCipher still wipes its own key material.
    """
    try:
        conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    except sqlcipher3.Error:
        raise VaultError("Could not open the vault's database file.") from None
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        keymaterial.set_key(conn, key)  # from a buffer, zeroed at once: no hex string
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute("PRAGMA temp_store = MEMORY")
        # 64 MiB of decrypted pages: a 100,000-contact journal's hot indexes stay in memory
        # (the 2 MiB default made a large import twice as slow).
        conn.execute("PRAGMA cache_size = -65536")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA busy_timeout = 5000")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise VaultError("Could not switch the vault to write-ahead logging.")
        conn.execute("PRAGMA synchronous = FULL")
        if sys.platform == "darwin":
            # fsync() on macOS stops at the drive's write cache; F_FULLFSYNC flushes it too.
            conn.execute("PRAGMA fullfsync = ON")
            conn.execute("PRAGMA checkpoint_fullfsync = ON")
        conn.execute("PRAGMA wal_autocheckpoint = 1000")
    except sqlcipher3.DatabaseError as exc:
        conn.close()
        failure = classify(exc)
        if failure is Failure.READ_ONLY:
            raise StorageError(
                "The vault is on a read-only location. Copy it to a writable folder to open it."
            ) from None
        if failure is Failure.FULL:
            raise StorageError(
                "The disk is full. Free some space and open the vault again."
            ) from None
        raise VaultDamaged(
            "The vault's database is damaged or was tampered with (it does not decrypt with its "
            "own key). Restore the latest good backup."
        ) from None
    return conn


def db_error(exc: sqlcipher3.Error, what: str) -> VaultError:
    """The officer's message for a storage failure while trying to ``what``."""
    failure = classify(exc)
    if failure is Failure.FULL:
        return StorageError(
            f"The disk is full: could not {what}. Nothing was lost; free some space."
        )
    if failure is Failure.IO:
        return StorageError(
            f"Could not {what}: the disk refused the write (full, over a size limit, or failing)."
            " Nothing was lost."
        )
    if failure is Failure.READ_ONLY:
        return StorageError(f"Could not {what}: the vault is on a read-only location.")
    if failure is Failure.BUSY:
        return VaultInUse(f"Could not {what}: the vault is busy in another process.")
    if failure is Failure.DAMAGED:
        return VaultDamaged(
            f"Could not {what}: the vault's database is damaged. Restore the latest good backup."
        )
    return StorageError(f"Could not {what}: the storage reported an error.")
