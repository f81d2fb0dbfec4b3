"""The rules of a quick entry that need no storage: defaults and the questions asked on save.

A contact typed in the evening starts from sensible defaults (a duration that fits its type, a
party role in a conflict, a follow-up a week out when the outcome says one was scheduled) and is
saved without a question unless something looks forgotten: no notes, or no time spent, where the
type of contact calls for them.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from srojournal.domain.taxonomy import ContactType

# Minutes a contact of each built-in type usually takes; a custom type takes its category's.
TYPE_MINUTES: Final[dict[str, int]] = {
    "relationship": 5,
    "student_consult": 15,
    "parent_contact": 15,
    "staff_consult": 10,
    "mentoring": 30,
    "mentoring_followup": 15,
    "mediation": 30,
    "restorative": 45,
    "deescalation": 15,
    "classroom": 50,
    "small_group": 40,
    "staff_training": 60,
    "community_event": 60,
    "threat_assessment": 60,
    "safety_check": 30,
    "event_duty": 120,
    "welfare_assist": 20,
    "investigation": 60,
}
CATEGORY_MINUTES: Final[dict[str, int]] = {
    "relationship": 10,
    "mentoring": 30,
    "conflict": 30,
    "education": 50,
    "safety": 30,
}
FALLBACK_MINUTES: Final = 15
FOLLOW_UP_DAYS: Final = 7  # a follow-up scheduled "for later" is due a week out
FOLLOW_UP_OUTCOME: Final = "follow_up_scheduled"

NO_NOTES: Final = "This entry has no notes."
NO_MINUTES: Final = "This entry took 0 minutes."


def default_minutes(t: ContactType | None) -> int:
    """The duration a new entry of this type starts with."""
    if t is None:
        return FALLBACK_MINUTES
    return TYPE_MINUTES.get(t.code, CATEGORY_MINUTES.get(t.category, FALLBACK_MINUTES))


def default_role(t: ContactType | None) -> str:
    """Students of a conflict entry are its parties; of any other, participants."""
    return "party" if t is not None and t.category == "conflict" else "participant"


def is_conflict(t: ContactType | None) -> bool:
    return t is not None and t.category == "conflict"


def default_follow_up(outcome: str | None, day: dt.date) -> dt.date | None:
    """A follow-up date implied by the outcome (a week after the contact), or None."""
    return day + dt.timedelta(days=FOLLOW_UP_DAYS) if outcome == FOLLOW_UP_OUTCOME else None


def allows_no_notes(t: ContactType | None) -> bool:
    """A lesson, drill or event is recorded by who attended; every other contact by its notes."""
    return t is not None and t.group_activity


def allows_no_minutes(t: ContactType | None) -> bool:
    """Only a relationship-building moment (a greeting in the hallway) may take no time."""
    return t is not None and t.category == "relationship"


def entry_warnings(t: ContactType | None, notes: str, minutes: int | None) -> tuple[str, ...]:
    """What looks forgotten in an entry about to be saved (asked about once, never refused)."""
    found: list[str] = []
    if not notes.strip() and not allows_no_notes(t):
        found.append(NO_NOTES)
    if not minutes and not allows_no_minutes(t):
        found.append(NO_MINUTES)
    return tuple(found)
