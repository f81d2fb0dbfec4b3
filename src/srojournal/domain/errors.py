"""The root of every error an officer may be shown: a message and the command line's exit code.

Whatever is raised and is *not* a :class:`UserError` is a bug: the command line prints "internal
error" and the window a generic sentence, both without the exception's text (it may hold journal
content). The exit codes are those of docs/cli.md: 2 usage, 3 wrong passphrase or recovery code,
4 not a vault / damaged / in use / storage refused, 5 rejected input.
Messages never contain notes, names, passphrases or keys.
"""

from __future__ import annotations

from typing import Final

EXIT_INTERNAL: Final = 1
EXIT_USAGE: Final = 2
EXIT_WRONG_SECRET: Final = 3
EXIT_VAULT: Final = 4
EXIT_REJECTED: Final = 5


class UserError(Exception):
    """Something the officer can act on: the message is safe to show as it is."""

    exit_code: int = EXIT_REJECTED

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code

    def one_line(self) -> str:
        """The message as the command line prints it after ``srojournal: ``."""
        return self.message


class InvalidInput(UserError):
    """A value the journal does not accept (an unknown code, an empty name, a bad date range).

    Raised by the rules in ``domain/`` and by the vault's checks alike; the message says what is
    wrong without repeating what was typed.
    """

    exit_code = EXIT_REJECTED
