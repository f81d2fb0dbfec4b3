"""Getting into a vault: open, unlock (with the day's first backup), recover, change passphrase.

The command line and the unlock screen both come through here, so a vault is opened the same way
everywhere: a schema upgrade is always preceded by a verified backup.
"""

from __future__ import annotations

import logging
from pathlib import Path

from srojournal.vault import backup
from srojournal.vault.errors import VaultError
from srojournal.vault.store import Vault

log = logging.getLogger("srojournal.ops.access")


def open_vault(folder: Path, passphrase: str, *, read_only: bool = False) -> Vault:
    """Unlock with the passphrase; a pending schema upgrade is preceded by a backup."""
    return Vault.open(
        folder, passphrase, read_only=read_only, before_migrate=backup.backup_before_migration
    )


def unlock(folder: Path, passphrase: str) -> Vault:
    """Unlock, then take the day's first backup. A failed backup never blocks the unlock:
    it is logged (without content) and the status bar keeps showing the last good one."""
    vault = open_vault(folder, passphrase)
    try:
        backup.daily_backup_if_due(vault)
    except VaultError as exc:
        log.warning("daily backup failed: %s", type(exc).__name__)
    return vault
