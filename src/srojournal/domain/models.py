"""The journal's records as plain, immutable values. The vault turns rows into these."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class School:
    id: int
    name: str
    active: bool = True


@dataclass(frozen=True, slots=True)
class Student:
    id: int
    alias: str
    school_id: int
    grade: str | None = None  # "K" or "1".."12"
    notes: str = ""
    archived: bool = False


@dataclass(frozen=True, slots=True)
class ContactStudent:
    student_id: int
    role: str = "participant"  # participant | party
    # The student's grade when the contact happened; None takes the student's current grade.
    grade: str | None = None


@dataclass(frozen=True, slots=True)
class ContactInput:
    """What the officer enters for one contact (new or edited)."""

    occurred_at: datetime
    school_id: int
    type_code: str
    students: tuple[ContactStudent, ...] = ()
    duration_min: int | None = None
    initiated_by: str | None = None
    outcome: str | None = None
    referrals: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    notes: str = ""
    attendees: int | None = None  # for group activities (lessons, drills, events)


@dataclass(frozen=True, slots=True)
class Contact:
    id: int
    occurred_at: datetime
    school_id: int
    type_code: str
    students: tuple[ContactStudent, ...]
    duration_min: int | None
    initiated_by: str | None
    outcome: str | None
    referrals: tuple[str, ...]
    tags: tuple[str, ...]
    notes: str
    attendees: int | None = None
    redacted: bool = False

    def to_input(self) -> ContactInput:
        return ContactInput(
            occurred_at=self.occurred_at,
            school_id=self.school_id,
            type_code=self.type_code,
            students=self.students,
            duration_min=self.duration_min,
            initiated_by=self.initiated_by,
            outcome=self.outcome,
            referrals=self.referrals,
            tags=self.tags,
            notes=self.notes,
            attendees=self.attendees,
        )


class ContactRow(NamedTuple):
    """One line of the journal list: enough to show, nothing more.

    A named tuple, not a dataclass: the list builds 200 of them on every reload, search or
    scroll, and a tuple is built four times faster.
    """

    id: int
    occurred_at: datetime
    school: str
    type_code: str
    type_label: str
    students: str  # aliases joined with ", "
    outcome: str | None
    first_line: str
    tags: str


@dataclass(frozen=True, slots=True)
class ContactFilter:
    date_from: date | None = None
    date_to: date | None = None  # inclusive
    school_id: int | None = None
    type_codes: tuple[str, ...] = ()
    category: str | None = None
    student_id: int | None = None
    outcome: str | None = None
    tag: str | None = None
    text: str | None = None  # full-text query over notes


@dataclass(frozen=True, slots=True)
class FollowUp:
    id: int
    due: date
    what: str
    status: str  # open | done | cancelled
    student_ids: tuple[int, ...]
    completed_on: date | None = None
    source_contact_id: int | None = None
    done_contact_id: int | None = None


@dataclass(frozen=True, slots=True)
class ConflictCase:
    id: int
    title: str
    party_ids: tuple[int, ...]
    terms: str
    opened_on: date
    check_date: date | None
    status: str  # open | held | broken | closed
    contact_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Template:
    id: int
    name: str
    type_code: str
    duration_min: int | None = None
    initiated_by: str | None = None
    outcome: str | None = None
    notes: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: str
    action: str
    detail: str
