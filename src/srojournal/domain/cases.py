"""The rules of a conflict case (a mediation or restorative process that spans contacts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
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


# A new case is checked a week after it opens; an agreement that held is checked once more a
# month later; a broken one has no further check (the officer opens a new mediation instead).
CHECK_AFTER_DAYS: Final = 7
RECHECK_AFTER_HELD_DAYS: Final = 30


def title_for(aliases: Sequence[str]) -> str:
    """A neutral title from the parties' aliases: "AB, CD and EF"."""
    names = [a for a in aliases if a]
    if not names:
        return "Conflict case"
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def next_check(held: bool, day: dt.date) -> dt.date | None:
    """When to check again after a check on ``day``: in a month if it held, never if not."""
    return day + dt.timedelta(days=RECHECK_AFTER_HELD_DAYS) if held else None


def check_outcome(held: bool) -> str:
    return "agreement_held" if held else "agreement_broken"
