"""Typed vault errors. Each carries a message an officer understands and the CLI exit code.

The environment's faults (wrong passphrase, damaged file, disk full, another instance) are
``VaultError``s, under the one root :class:`~srojournal.domain.errors.UserError`, and become
messages; anything else is a bug and becomes a bug report. Rejected values are
``InvalidInput`` (defined with the rules in ``domain/``, re-exported here).
Messages never contain notes, names, passphrases or keys.
"""

from __future__ import annotations

from srojournal.domain.errors import EXIT_USAGE, EXIT_VAULT, EXIT_WRONG_SECRET, UserError
from srojournal.domain.errors import InvalidInput as InvalidInput  # re-exported


class VaultError(UserError):
    exit_code = EXIT_VAULT

    def __init__(self, message: str) -> None:
        super().__init__(message)


class WrongPassphrase(VaultError):
    exit_code = EXIT_WRONG_SECRET


class WrongRecoveryCode(WrongPassphrase):
    pass


class NotAVault(VaultError):
    pass


class VaultDamaged(VaultError):
    pass


class HeaderDamaged(VaultDamaged):
    pass


class VaultInUse(VaultError):
    """Another running instance (another window or process) holds the vault."""


class VaultClosed(VaultError):
    """This app locked the vault: its connection is closed and its key zeroed."""

    def __init__(self, message: str = "The vault is locked.") -> None:
        super().__init__(message)


class StorageError(VaultError):
    """Disk full, read-only medium, permission denied: the environment refused a write."""


class WeakPassphrase(InvalidInput):
    exit_code = EXIT_USAGE

    def __init__(self, message: str, feedback: list[str]) -> None:
        super().__init__(message)
        self.feedback = feedback

    def one_line(self) -> str:
        hint = (" " + " ".join(self.feedback)) if self.feedback else ""
        return f"passphrase refused: {self.message}{hint}"


class ConcurrentWrite(RuntimeError):
    """A write from one thread met a write of another thread in progress on the same vault.

    Never the officer's doing: inside the app every write goes through one writer, so this is a
    bug (a write that bypassed it), reported as such rather than silently joining a transaction
    that the other thread may roll back.
    """
