"""Encrypted backups: ``sqlcipher_export`` into a new file plus a copy of the key header.

A backup counts only after it was reopened and checked (``cipher_integrity_check``,
``integrity_check``, row counts equal to the source). Backups are folders named
``srojournal-backup-YYYYMMDD-HHMMSS`` holding ``journal.db``, ``vault.key`` and ``manifest.json``
(row counts and the time; nothing sensitive). Rotation keeps 7 daily and 4 weekly backups.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import logging
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Final

import sqlcipher3

from srojournal.domain.settings import BACKUP_DIR, LAST_DAILY_BACKUP
from srojournal.vault import keymaterial, keys
from srojournal.vault.backup_files import MANIFEST as MANIFEST  # re-exported
from srojournal.vault.backup_files import PREFIX as PREFIX  # re-exported
from srojournal.vault.backup_files import BackupInfo as BackupInfo  # re-exported
from srojournal.vault.backup_files import default_backup_dir as default_backup_dir  # re-exported
from srojournal.vault.backup_files import list_backups as list_backups  # re-exported
from srojournal.vault.connection import Failure, classify
from srojournal.vault.copycheck import row_counts, verify_copy
from srojournal.vault.errors import NotAVault, StorageError, VaultDamaged, VaultError
from srojournal.vault.fsutil import atomic_write, fsync_dir, storage_error
from srojournal.vault.layout import DB_NAME

if TYPE_CHECKING:
    from srojournal.vault.store import Vault

log = logging.getLogger("srojournal.vault.backup")

KEEP_DAILY: Final = 7
KEEP_WEEKLY: Final = 4


def backup_dir(vault: Vault) -> Path:
    configured = BACKUP_DIR.read(vault.journal)
    return configured if configured is not None else default_backup_dir(vault.folder)


def create_backup(
    vault: Vault, dest_dir: Path | None = None, *, reason: str = "manual"
) -> BackupInfo:
    """Write a verified encrypted backup of ``vault`` into ``dest_dir``; return what was written."""
    dest_dir = Path(dest_dir) if dest_dir is not None else backup_dir(vault)
    now = dt.datetime.now().replace(microsecond=0)
    name = PREFIX + now.strftime("%Y%m%d-%H%M%S")
    target = dest_dir / name
    n = 1
    while target.exists():
        n += 1
        target = dest_dir / f"{name}-{n}"
    tmp = dest_dir / f".{target.name}.partial"
    old_umask = os.umask(0o077)
    try:
        dest_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(mode=0o700)
    except OSError as exc:
        raise storage_error(exc, "create the backup folder") from None
    finally:
        os.umask(old_umask)
    key = vault.export_key_copy()
    try:
        conn = vault.conn
        source_counts = row_counts(conn)
        try:
            # The file exists, private, before SQLite opens it (a process-wide umask would race
            # with other threads); SQLite gives its journal the same mode.
            os.close(os.open(tmp / DB_NAME, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            keymaterial.attach(conn, tmp / DB_NAME, "backup", key)
            try:
                conn.execute("PRAGMA backup.journal_mode = DELETE")  # one self-contained file
                conn.execute("SELECT sqlcipher_export('backup')")
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                conn.execute(f"PRAGMA backup.user_version = {int(version)}")
            finally:
                conn.execute("DETACH DATABASE backup")
        except (sqlcipher3.Error, OSError) as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            full = (
                getattr(exc, "errno", None) in (errno.ENOSPC, errno.EDQUOT)
                if isinstance(exc, OSError)
                else classify(exc) is Failure.FULL
            )
            if full:
                raise StorageError("The disk is full: the backup was not written.") from None
            raise StorageError("The backup could not be written.") from None
        header_bytes = (vault.folder / keys.HEADER_NAME).read_bytes()
        atomic_write(tmp / keys.HEADER_NAME, header_bytes)
        verify_copy(tmp / DB_NAME, key, source_counts)
        manifest = {
            "format": "srojournal-backup",
            "version": 1,
            "created_at": now.isoformat(),
            "reason": reason,
            "counts": source_counts,
        }
        atomic_write(tmp / MANIFEST, (json.dumps(manifest, indent=2) + "\n").encode())
        with _fsynced(tmp / DB_NAME):
            pass
        try:
            tmp.rename(target)
            fsync_dir(dest_dir)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise storage_error(exc, "finish the backup") from None
    finally:
        keys.zero(key)
    vault.journal.audit("backup_created", {"reason": reason, "contacts": source_counts["contacts"]})
    return BackupInfo(target, now, source_counts["contacts"], source_counts["students"], reason)


@contextlib.contextmanager
def _fsynced(path: Path):  # type: ignore[no-untyped-def]
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        yield
    finally:
        os.close(fd)


def rotate_backups(dest_dir: Path, today: dt.date | None = None) -> list[Path]:
    """Keep every backup of today (a second "Back up now" never takes the morning's away), and
    the newest backup of each of the last 7 days and of each of the last 4 weeks."""
    today = today or dt.date.today()
    backups = list_backups(dest_dir)
    keep: set[Path] = {b.path for b in backups if b.created_at.date() >= today}
    days: dict[dt.date, BackupInfo] = {}
    weeks: dict[tuple[int, int], BackupInfo] = {}
    for b in backups:  # newest first: the first seen per bucket is the newest
        d = b.created_at.date()
        days.setdefault(d, b)
        weeks.setdefault(d.isocalendar()[:2], b)
    for d in sorted(days, reverse=True)[:KEEP_DAILY]:
        keep.add(days[d].path)
    for w in sorted(weeks, reverse=True)[:KEEP_WEEKLY]:
        keep.add(weeks[w].path)
    removed = []
    for b in backups:
        if b.path not in keep and b.reason != "migration":
            shutil.rmtree(b.path, ignore_errors=True)
            removed.append(b.path)
    return removed


def daily_backup_if_due(vault: Vault) -> BackupInfo | None:
    """The first unlock of each day takes a backup (then rotates)."""
    today = dt.date.today()
    if LAST_DAILY_BACKUP.read(vault.journal) == today:
        return None
    info = create_backup(vault, reason="daily")
    LAST_DAILY_BACKUP.write(vault.journal, today)
    rotate_backups(info.path.parent)
    return info


def backup_before_migration(vault: Vault) -> BackupInfo:
    return create_backup(vault, reason="migration")


def restore_backup(backup: Path, target: Path) -> None:
    """Copy a backup into a new vault folder after checking that it is sound.

    The backup is verified with the key from its own header copy, so restoring needs the
    passphrase that was valid when it was taken — asked for when the restored vault is opened.
    Here we check structure: both files present, header parses; the database check runs at open.
    """
    backup, target = Path(backup), Path(target)
    if not (backup / DB_NAME).is_file() or not (backup / keys.HEADER_NAME).is_file():
        raise NotAVault(
            f"{backup} is not an SRO Journal backup (journal.db and vault.key expected)."
        )
    keys.read_header(backup)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise VaultError(f"{target} already exists and is not empty; restore into a new folder.")
    old_umask = os.umask(0o077)
    tmp = target.with_name(f".{target.name}.restoring")
    try:
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(parents=True, mode=0o700)
        for name in (DB_NAME, keys.HEADER_NAME):
            data = (backup / name).read_bytes()
            atomic_write(tmp / name, data)
        if target.exists():
            target.rmdir()
        tmp.rename(target)
        fsync_dir(target.parent)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise storage_error(exc, "restore the backup") from None
    finally:
        os.umask(old_umask)


def verify_backup(backup: Path, passphrase: str) -> dict[str, int]:
    """Open a backup read-only with the passphrase it was taken under; check it fully, return
    its row counts. Writes nothing to the backup."""
    backup = Path(backup)
    header = keys.read_header(backup)
    opened = header.open("passphrase", keys.normalize_secret(passphrase))
    try:
        last: VaultError | None = None
        for o in opened:
            try:
                return verify_copy(backup / DB_NAME, o.data_key, None)
            except VaultDamaged as exc:
                last = exc
        assert last is not None
        raise last
    finally:
        for o in opened:
            o.zero()
