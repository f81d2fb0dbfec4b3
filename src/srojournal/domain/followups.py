"""When a follow-up is due, and whether it was done on time.

Open follow-ups are shown in four buckets: overdue (due before today), due today, this week (the
next seven days) and later. A follow-up counts as done on time when it was completed on or before
its due date (monthly summaries count on-time and late completions apart).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Final, Protocol, TypeVar

BUCKETS: Final = ("overdue", "today", "week", "later")
WEEK_DAYS: Final = 7


class _Due(Protocol):
    @property
    def due(self) -> dt.date: ...


D = TypeVar("D", bound=_Due)


def bucket_of(due: dt.date, today: dt.date) -> str:
    if due < today:
        return "overdue"
    if due == today:
        return "today"
    if due <= today + dt.timedelta(days=WEEK_DAYS):
        return "week"
    return "later"


def by_bucket(items: Iterable[D], today: dt.date) -> dict[str, list[D]]:
    """Open follow-ups grouped into the four buckets, each in the order given."""
    buckets: dict[str, list[D]] = {b: [] for b in BUCKETS}
    for f in items:
        buckets[bucket_of(f.due, today)].append(f)
    return buckets


def completion_state(status: str, due: dt.date, completed_on: dt.date | None) -> str:
    """``done_on_time`` | ``done_late`` for a done follow-up, else its status."""
    if status == "done":
        return "done_on_time" if completed_on is not None and completed_on <= due else "done_late"
    return status
