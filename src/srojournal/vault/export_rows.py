"""The journal's contacts as rows of the import format, for the officer's own export.

Everything a contact holds is read in a few queries (not one query per contact), oldest first:
a re-import then sets each student's grade in the order the contacts happened.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from srojournal.vault.repo import Journal


@dataclass(frozen=True, slots=True)
class ExportStudent:
    student_id: int
    alias: str
    grade: str | None
    role: str
    school: str


@dataclass(frozen=True, slots=True)
class ExportFollowUp:
    due: str
    what: str
    status: str
    completed_on: str | None


@dataclass(frozen=True, slots=True)
class ExportRow:
    occurred_at: dt.datetime
    duration_min: int | None
    school: str
    type_code: str
    students: tuple[ExportStudent, ...]
    initiated_by: str | None
    outcome: str | None
    referrals: tuple[str, ...]
    follow_ups: tuple[ExportFollowUp, ...]
    notes: str
    tags: tuple[str, ...]
    attendees: int | None


def _grouped(rows: Any) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = {}
    for r in rows:
        out.setdefault(int(r[0]), []).append(r[1:])
    return out


def export_rows(journal: Journal, *, student_id: int | None = None) -> Iterator[ExportRow]:
    """Every contact (or every contact of one student), oldest first."""
    c = journal.conn
    args: tuple[int, ...] = ()
    if student_id is None:
        scope = ""
    else:
        scope = " AND contact_id IN (SELECT contact_id FROM contact_students WHERE student_id = ?)"
        args = (student_id,)
    students = _grouped(
        c.execute(
            "SELECT cs.contact_id, st.id, st.alias, cs.grade, cs.role, sch.name"
            " FROM contact_students cs JOIN students st ON st.id = cs.student_id"
            " JOIN schools sch ON sch.id = st.school_id WHERE 1 = 1"
            + scope.replace("contact_id IN", "cs.contact_id IN")
            + " ORDER BY cs.contact_id, cs.position",
            args,
        )
    )
    referrals = _grouped(
        c.execute(
            "SELECT contact_id, target FROM contact_referrals WHERE 1 = 1"
            + scope
            + " ORDER BY contact_id, target",
            args,
        )
    )
    tags = _grouped(
        c.execute(
            "SELECT ct.contact_id, t.name FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id"
            " WHERE 1 = 1"
            + scope.replace("contact_id IN", "ct.contact_id IN")
            + " ORDER BY ct.contact_id, t.name COLLATE NOCASE",
            args,
        )
    )
    follow_ups = _grouped(
        c.execute(
            "SELECT source_contact_id, due_date, what, status, completed_on FROM follow_ups"
            " WHERE source_contact_id IS NOT NULL"
            + scope.replace("contact_id IN", "source_contact_id IN")
            + " ORDER BY source_contact_id, id",
            args,
        )
    )
    contacts = c.execute(
        "SELECT c.id, c.occurred_at, c.duration_min, s.name, c.type_code, c.initiated_by,"
        " c.outcome, c.notes, c.attendees FROM contacts c JOIN schools s ON s.id = c.school_id"
        " WHERE 1 = 1"
        + scope.replace("contact_id IN", "c.id IN")
        + " ORDER BY c.occurred_at, c.id",
        args,
    )
    for cid, at, duration, school, type_code, initiated, outcome, notes, attendees in contacts:
        yield ExportRow(
            occurred_at=dt.datetime.fromisoformat(at),
            duration_min=duration,
            school=str(school),
            type_code=str(type_code),
            students=tuple(
                ExportStudent(int(sid), str(alias), grade, str(role), str(sch))
                for sid, alias, grade, role, sch in students.get(cid, ())
            ),
            initiated_by=initiated,
            outcome=outcome,
            referrals=tuple(str(r[0]) for r in referrals.get(cid, ())),
            follow_ups=tuple(
                ExportFollowUp(str(due), str(what), str(status), done)
                for due, what, status, done in follow_ups.get(cid, ())
            ),
            notes=str(notes),
            tags=tuple(str(t[0]) for t in tags.get(cid, ())),
            attendees=attendees,
        )
