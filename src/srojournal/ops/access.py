"""Getting into a vault and changing its keys: create, open, unlock (with the day's first
backup), recover with the recovery code, change the passphrase, issue a new recovery code.

The command line and the window both come through here, so a vault is opened the same way
everywhere: a schema upgrade is always preceded by a verified backup, and recovery is written
once. Every key change re-encrypts the journal under new keys (docs/vault.md), so the old
passphrase or code, even with an old copy of the key file, no longer opens it; ``progress`` is
called with the fraction done, from the thread doing the work. A recovery code issued here is
shown once, then marked as stored with :func:`confirm_recovery_code`.
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

Progress = Callable[[float], None]


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


def recover(
    folder: Path,
    code: str,
    new_passphrase: Callable[[], str],
    *,
    progress: Progress | None = None,
) -> tuple[Vault, str]:
    """Unlock with the recovery code and set a new passphrase; returns the open vault and the
    new recovery code (using a code replaces it: the one given here stops working).

    ``new_passphrase`` is asked only once the code has opened the vault (the command line
    prompts for it then; the window already has it). Any failure leaves the vault closed.
    """
    vault = Vault.open_with_recovery(folder, code, before_migrate=backup.backup_before_migration)
    try:
        new_code = vault.change_passphrase(
            code, new_passphrase(), with_recovery_code=True, progress=progress
        )
    except BaseException:
        vault.close()
        raise
    assert new_code is not None  # using the code always replaces it
    return vault, new_code


def change_passphrase(
    vault: Vault, old: str, new: str, *, progress: Progress | None = None
) -> Done[str | None]:
    """Set a new passphrase and re-encrypt the journal; the old passphrase stops opening it
    (backups taken before still open with it). The value is a new recovery code when the
    vault's recovery slot predates re-encryption (a key file of format 1) and could not follow:
    show it, then :func:`confirm_recovery_code`. Otherwise None: the recovery code stays."""
    code = vault.change_passphrase(old, new, progress=progress)
    return Done(code, Change.SETTINGS)


def new_recovery_code(
    vault: Vault, passphrase: str, *, progress: Progress | None = None
) -> Done[str]:
    """Issue a new recovery code (the passphrase proves it is the officer) and re-encrypt the
    journal: the old code, with any copy of the key file, no longer opens it. Show the code,
    then :func:`confirm_recovery_code`."""
    code = vault.replace_recovery_code(passphrase, progress=progress)
    return Done(code, Change.SETTINGS)


def confirm_recovery_code(vault: Vault) -> Done[None]:
    """The new recovery code was shown (and, in the window, confirmed as stored)."""
    vault.confirm_recovery_code()
    return Done(None, Change.SETTINGS)
