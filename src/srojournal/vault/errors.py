"""Typed vault errors. Each carries a message an officer understands and the CLI exit code.

The environment's faults (wrong passphrase, damaged file, disk full, another instance) are
``VaultError``s and become messages; anything else is a bug and becomes a bug report.
Messages never contain notes, names, passphrases or keys.
"""

from __future__ import annotations


class VaultError(Exception):
    exit_code = 4

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class WrongPassphrase(VaultError):
    exit_code = 3


class WrongRecoveryCode(WrongPassphrase):
    pass


class NotAVault(VaultError):
    pass


class VaultDamaged(VaultError):
    pass


class HeaderDamaged(VaultDamaged):
    pass


class VaultLocked(VaultError):
    """Another running instance holds the vault."""


class StorageError(VaultError):
    """Disk full, read-only medium, permission denied: the environment refused a write."""


class InvalidInput(VaultError):
    """Rejected input: bad import rows, invalid field values."""

    exit_code = 5


class WeakPassphrase(InvalidInput):
    exit_code = 2

    def __init__(self, message: str, feedback: list[str]) -> None:
        super().__init__(message)
        self.feedback = feedback
