"""What a use case changed, so the window reloads exactly the screens that show it.

Every function in ``ops/`` returns a :class:`Done`: its result and the :class:`Change` flags
of what it wrote. The window hands the flags to ``Session.notify``; each page declares the
flags it shows (``Page.refreshed_by``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


class Change(enum.Flag):
    NONE = 0
    CONTACTS = enum.auto()
    STUDENTS = enum.auto()
    FOLLOW_UPS = enum.auto()
    CASES = enum.auto()
    SETTINGS = enum.auto()
    TEMPLATES = enum.auto()
    SCHOOLS = enum.auto()
    BACKUPS = enum.auto()
    RELEASES = enum.auto()


@dataclass(frozen=True, slots=True)
class Done(Generic[T]):
    """A use case's result and what it changed."""

    value: T
    changes: Change = Change.NONE
