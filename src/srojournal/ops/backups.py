"""Backups: back up now (write, verify, rotate) and restore (verify, copy, check, audit).

The window and the command line both come through here: a backup taken either way is rotated
the same way, and a restore verifies the backup without writing to it before copying it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from srojournal.ops.access import open_vault
from srojournal.ops.changes import Change, Done
from srojournal.vault import backup
from srojournal.vault.backup import BackupInfo
from srojournal.vault.repo import Counts
from srojournal.vault.store import Vault


def back_up_now(
    vault: Vault, dest: Path | None = None, *, today: dt.date | None = None
) -> Done[BackupInfo]:
    """Write and verify a backup into ``dest`` (default: the backup folder), then rotate the
    backups there (7 daily, 4 weekly)."""
    info = backup.create_backup(vault, dest, reason="manual")
    backup.rotate_backups(info.path.parent, today or dt.date.today())
    return Done(info, Change.BACKUPS)


def restore(backup_path: Path, target: Path, passphrase: str) -> Done[Counts]:
    """Restore a backup into a new folder.

    1. the backup is verified read-only with its passphrase (the one valid when it was taken);
    2. it is copied into ``target`` (a new or empty folder);
    3. the copy is opened, checked in full and the restore is written to its audit log.
    """
    backup.verify_backup(backup_path, passphrase)
    backup.restore_backup(backup_path, target)
    with open_vault(target, passphrase) as vault:
        counts = vault.journal.verify()
        vault.journal.audit("restored_from_backup", {"contacts": counts.contacts})
    return Done(counts, Change.NONE)
