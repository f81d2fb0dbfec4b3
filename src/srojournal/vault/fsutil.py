"""Durable file operations: atomic replace with fsync of the file and its directory."""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from pathlib import Path

from srojournal.vault.errors import StorageError


def fsync_fd(fd: int) -> None:
    """Flush a file to stable storage. On macOS ``fsync`` stops at the drive's write cache;
    ``F_FULLFSYNC`` asks the drive to flush it too."""
    if sys.platform == "darwin":
        import fcntl

        full = getattr(fcntl, "F_FULLFSYNC", None)
        if full is not None:
            try:
                fcntl.fcntl(fd, full)
                return
            except OSError:  # a file system without it (some network shares): plain fsync
                pass
    os.fsync(fd)


def fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        fsync_fd(fd)
    finally:
        os.close(fd)


def remove_leftover_temps(folder: Path, name: str) -> None:
    """Remove the temp files of ``atomic_write(folder / name)`` left by a killed process.

    Only while holding the vault's lock: then no other process is between its write and its
    rename, and the file that counts is ``name`` itself.
    """
    for leftover in folder.glob(f".{name}.tmp-*"):
        with contextlib.suppress(OSError):
            leftover.unlink()


def storage_error(exc: OSError, what: str) -> StorageError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StorageError(f"The disk is full: could not {what}. Free some space and try again.")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return StorageError(
            f"Could not {what}: the location is read-only or you lack permission to write there."
        )
    return StorageError(f"Could not {what}: {exc.strerror or 'input/output error'}.")


def atomic_write(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` atomically: temp file (mode first), fsync, rename, fsync dir."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        try:
            view = memoryview(data)
            while view:
                n = os.write(fd, view)
                view = view[n:]
            fsync_fd(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise storage_error(exc, f"write {path.name}") from None
