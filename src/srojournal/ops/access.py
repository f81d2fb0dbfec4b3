"""Getting into a vault: create, open, unlock (with the day's first backup), recover with the
recovery code, change the passphrase.

The command line and the unlock screen both come through here, so a vault is opened the same way
everywhere: a schema upgrade is always preceded by a verified backup, and recovery is written
once. Issuing a new recovery code on demand (which kills the old one) belongs in this module too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from srojournal.ops.changes import Change, Done
from srojournal.vault import backup
from srojournal.vault.errors import VaultError
from srojournal.vault.keys import KdfParams
from srojournal.vault.store import Vault

log = logging.getLogger("srojournal.ops.access")


def create_vault(
    folder: Path,
    passphrase: str,
    *,
    kdf: KdfParams | None = None,
    allow_weak_kdf: bool = False,
) -> tuple[Vault, str]:
    """A new vault, unlocked, and its recovery code (shown once)."""
    return Vault.create(folder, passphrase, kdf=kdf, allow_weak_kdf=allow_weak_kdf)


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


def recover(folder: Path, code: str, new_passphrase: Callable[[], str]) -> Vault:
    """Unlock with the recovery code and set a new passphrase; returns the open vault.

    ``new_passphrase`` is asked only once the code has opened the vault (the command line
    prompts for it then; the window already has it). Any failure leaves the vault closed.
    """
    vault = Vault.open_with_recovery(folder, code, before_migrate=backup.backup_before_migration)
    try:
        vault.change_passphrase(code, new_passphrase(), with_recovery_code=True)
    except BaseException:
        vault.close()
        raise
    return vault


def change_passphrase(vault: Vault, old: str, new: str) -> Done[None]:
    vault.change_passphrase(old, new)
    return Done(None, Change.SETTINGS)
