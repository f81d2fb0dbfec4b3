"""Re-encrypting the journal under a new data key: a whole new file, checked, then swapped in.

``prepare`` writes the journal with ``sqlcipher_export`` into ``.journal.db.rekey`` (encrypted
with the new key, 0600), reports progress through SQLite's progress handler, reopens the copy
read-only to check it (``cipher_integrity_check``, ``integrity_check``, row counts equal to the
source) and flushes it to disk. ``swap`` merges the write-ahead log into the old file, closes it
and renames the copy over ``journal.db``: that rename is the moment the journal changes key. A
kill before it leaves the old file (and a stray copy, removed at the next open); after it, the new
one. No page is ever half re-encrypted. (``PRAGMA rekey`` rewrites the file in place in one
transaction, equally safe, but reports no progress.)

What stays behind: the old file's blocks are freed, not overwritten; they are encrypted under the
old data key, which only the old key file opens (as every backup taken before does anyway).
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import sqlcipher3

from srojournal.vault import keymaterial
from srojournal.vault.connection import Failure, classify
from srojournal.vault.copycheck import row_counts, verify_copy
from srojournal.vault.errors import StorageError, VaultDamaged
from srojournal.vault.fsutil import fsync_dir, fsync_fd
from srojournal.vault.layout import DB_NAME

TEMP_NAME: Final = ".journal.db.rekey"
Progress = Callable[[float], None]


def remove_leftover(folder: Path) -> None:
    """A copy left by a re-encryption that was killed before its swap: it never counted."""
    with contextlib.suppress(FileNotFoundError):
        (folder / TEMP_NAME).unlink()


def prepare(conn: Any, folder: Path, new_key: bytearray, progress: Progress | None = None) -> None:
    """Write and check ``.journal.db.rekey``, the journal under ``new_key``. ``conn`` (the open
    vault's connection) stays open and unchanged; on failure the copy is removed."""
    temp = folder / TEMP_NAME
    try:
        expected = row_counts(conn)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_count, page_size = (
            int(conn.execute(f"PRAGMA {p}").fetchone()[0]) for p in ("page_count", "page_size")
        )
        total = max(1, page_count * page_size)
        remove_leftover(folder)
        os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        keymaterial.attach(conn, temp, "rekey", new_key)
        try:
            conn.execute("PRAGMA rekey.journal_mode = DELETE")
            if progress is not None:
                conn.set_progress_handler(_reporter(temp, total, progress), 20_000)
            try:
                conn.execute("SELECT sqlcipher_export('rekey')")
            finally:
                conn.set_progress_handler(None, 0)
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            conn.execute(f"PRAGMA rekey.user_version = {version}")
        finally:
            conn.execute("DETACH DATABASE rekey")
        verify_copy(temp, new_key, expected)
        fd = os.open(temp, os.O_RDONLY)
        try:
            fsync_fd(fd)
        finally:
            os.close(fd)
    except BaseException as exc:
        remove_leftover(folder)
        if isinstance(exc, sqlcipher3.Error | OSError):
            raise _storage_error(exc) from None
        if isinstance(exc, VaultDamaged):
            raise VaultDamaged(
                "The re-encrypted copy of the journal did not verify; the journal was not "
                "changed. Check the disk, then try again."
            ) from None
        raise


def swap(conn: Any, folder: Path) -> None:
    """Close ``conn`` with its log merged into the file, then put the new file in its place."""
    conn.execute("PRAGMA journal_mode = DELETE")  # checkpoints and removes journal.db-wal
    conn.close()
    os.replace(folder / TEMP_NAME, folder / DB_NAME)
    for stale in (DB_NAME + "-shm", DB_NAME + "-wal"):
        with contextlib.suppress(FileNotFoundError):
            (folder / stale).unlink()
    fsync_dir(folder)


def _reporter(temp: Path, total: int, progress: Progress) -> Callable[[], int]:
    def report() -> int:
        with contextlib.suppress(Exception):  # a progress display must never stop the work
            progress(min(1.0, os.stat(temp).st_size / total))
        return 0

    return report


def _storage_error(exc: BaseException) -> StorageError:
    if isinstance(exc, OSError):
        full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
    else:
        full = classify(exc) is Failure.FULL
    if full:
        return StorageError(
            "The disk is full: the journal could not be re-encrypted and was not changed. "
            "Free some space (as much as the vault takes) and try again."
        )
    return StorageError(
        "The journal could not be re-encrypted (the disk refused the copy); it was not changed."
    )
