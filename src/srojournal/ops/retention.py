"""Retention: purge the notes of old contacts (records-retention schedules)."""

from __future__ import annotations

import datetime as dt

from srojournal.ops.changes import Change, Done
from srojournal.vault.repo import Journal


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def purge_notes(journal: Journal, cutoff: dt.date) -> Done[int]:
    """Erase the narrative text before ``cutoff`` (coded facts stay), then compact the file."""
    return Done(journal.purge_notes_before(cutoff), Change.CONTACTS | Change.FOLLOW_UPS)
