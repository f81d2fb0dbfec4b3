"""The rules of a conflict case (a mediation or restorative process that spans contacts)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from srojournal.domain import taxonomy
from srojournal.domain.errors import InvalidInput

MIN_PARTIES: Final = 2


def checked_title(title: str) -> str:
    """A case needs a title: a short neutral line (whitespace collapsed)."""
    text = " ".join(title.split())
    if not text:
        raise InvalidInput("A case needs a title.")
    return text


def checked_parties(party_ids: Iterable[int]) -> tuple[int, ...]:
    """A conflict has at least two parties (each student once, in the order given)."""
    parties = tuple(dict.fromkeys(party_ids))
    if len(parties) < MIN_PARTIES:
        raise InvalidInput("A conflict case needs at least two parties.")
    return parties


def checked_status(status: str) -> str:
    if status not in taxonomy.CONFLICT_STATUSES:
        raise InvalidInput(f"Unknown case status {status!r}.")
    return status
