"""The journal's records as plain rows, for the officer's own export (``ops/journal_export.py``).

Each kind of record is read in a few queries (not one query per record). Contacts come oldest
first: a re-import then writes them in the same order. ``student_id`` narrows every reader to
one student's records (a records request): the contacts they took part in, the follow-ups that
name them, the cases they are a party to, and their own student record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
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
class ExportRow:
    """One contact."""

    contact_id: int
    occurred_at: dt.datetime
    duration_min: int | None
    school: str
    type_code: str
    students: tuple[ExportStudent, ...]
    initiated_by: str | None
    outcome: str | None
    referrals: tuple[str, ...]
    notes: str
    tags: tuple[str, ...]
    attendees: int | None
    redacted: bool


@dataclass(frozen=True, slots=True)
class ExportPerson:
    """A student named by a follow-up or a case."""

    student_id: int
    alias: str
    school: str


@dataclass(frozen=True, slots=True)
class ExportStudentRecord:
    student_id: int
    alias: str
    school: str
    grade: str | None
    notes: str
    archived: bool


@dataclass(frozen=True, slots=True)
class ExportFollowUp:
    due: str
    what: str
    status: str
    completed_on: str | None
    students: tuple[ExportPerson, ...]
    source_contact_id: int | None
    done_contact_id: int | None


@dataclass(frozen=True, slots=True)
class ExportCase:
    title: str
    terms: str
    opened_on: str
    check_date: str | None
    status: str
    parties: tuple[ExportPerson, ...]
    contact_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ExportType:
    code: str
    label: str
    category: str
    group_activity: bool
    retired: bool


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
    contacts = c.execute(
        "SELECT c.id, c.occurred_at, c.duration_min, s.name, c.type_code, c.initiated_by,"
        " c.outcome, c.notes, c.attendees, c.redacted FROM contacts c"
        " JOIN schools s ON s.id = c.school_id WHERE 1 = 1"
        + scope.replace("contact_id IN", "c.id IN")
        + " ORDER BY c.occurred_at, c.id",
        args,
    )
    for row in contacts:
        cid, at, duration, school, type_code, initiated, outcome, notes, attendees, redacted = row
        yield ExportRow(
            contact_id=int(cid),
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
            notes=str(notes),
            tags=tuple(str(t[0]) for t in tags.get(cid, ())),
            attendees=attendees,
            redacted=bool(redacted),
        )


def export_students(
    journal: Journal, *, student_id: int | None = None
) -> list[ExportStudentRecord]:
    """Every student (archived ones and those with no contact too), or the one."""
    where, args = ("", ()) if student_id is None else (" WHERE st.id = ?", (student_id,))
    rows = journal.conn.execute(
        "SELECT st.id, st.alias, sch.name, st.grade, st.notes, st.archived FROM students st"
        " JOIN schools sch ON sch.id = st.school_id" + where + " ORDER BY sch.name COLLATE NOCASE,"
        " st.alias COLLATE NOCASE, st.id",
        args,
    ).fetchall()
    return [
        ExportStudentRecord(int(r[0]), str(r[1]), str(r[2]), r[3], str(r[4]), bool(r[5]))
        for r in rows
    ]


def _people(journal: Journal, table: str, key: str, where: str, args: tuple[int, ...]) -> Any:
    return _grouped(
        journal.conn.execute(
            f"SELECT x.{key}, st.id, st.alias, sch.name FROM {table} x"
            " JOIN students st ON st.id = x.student_id JOIN schools sch ON sch.id = st.school_id"
            f" WHERE 1 = 1{where} ORDER BY x.{key}, st.id",
            args,
        )
    )


def export_follow_ups(journal: Journal, *, student_id: int | None = None) -> list[ExportFollowUp]:
    """Every follow-up (made from a contact or not, whatever its state), or those naming one
    student; soonest due first."""
    where = ""
    args: tuple[int, ...] = ()
    if student_id is not None:
        where = " AND {0} IN (SELECT follow_up_id FROM follow_up_students WHERE student_id = ?)"
        args = (student_id,)
    people = _people(
        journal, "follow_up_students", "follow_up_id", where.format("x.follow_up_id"), args
    )
    rows = journal.conn.execute(
        "SELECT f.id, f.due_date, f.what, f.status, f.completed_on, f.source_contact_id,"
        " f.done_contact_id FROM follow_ups f WHERE 1 = 1"
        + where.format("f.id")
        + " ORDER BY f.due_date, f.id",
        args,
    ).fetchall()
    return [
        ExportFollowUp(
            due=str(due),
            what=str(what),
            status=str(status),
            completed_on=done,
            students=tuple(ExportPerson(int(s), str(a), str(k)) for s, a, k in people.get(fid, ())),
            source_contact_id=source,
            done_contact_id=done_by,
        )
        for fid, due, what, status, done, source, done_by in rows
    ]


def export_cases(journal: Journal, *, student_id: int | None = None) -> list[ExportCase]:
    """Every conflict case, or those one student is a party to; oldest first."""
    where = ""
    args: tuple[int, ...] = ()
    if student_id is not None:
        where = " AND {0} IN (SELECT case_id FROM conflict_parties WHERE student_id = ?)"
        args = (student_id,)
    parties = _people(journal, "conflict_parties", "case_id", where.format("x.case_id"), args)
    contacts = _grouped(
        journal.conn.execute(
            "SELECT cc.case_id, cc.contact_id FROM conflict_contacts cc"
            " JOIN contacts c ON c.id = cc.contact_id WHERE 1 = 1"
            + where.format("cc.case_id")
            + " ORDER BY cc.case_id, c.occurred_at, c.id",
            args,
        )
    )
    rows = journal.conn.execute(
        "SELECT k.id, k.title, k.terms, k.opened_on, k.check_date, k.status"
        " FROM conflict_cases k WHERE 1 = 1" + where.format("k.id") + " ORDER BY k.opened_on, k.id",
        args,
    ).fetchall()
    return [
        ExportCase(
            title=str(title),
            terms=str(terms),
            opened_on=str(opened),
            check_date=check,
            status=str(status),
            parties=tuple(ExportPerson(int(s), str(a), str(k)) for s, a, k in parties.get(kid, ())),
            contact_ids=tuple(int(c[0]) for c in contacts.get(kid, ())),
        )
        for kid, title, terms, opened, check, status in rows
    ]


def export_types(journal: Journal, *, codes: Collection[str] | None = None) -> list[ExportType]:
    """The officer's own contact types (retired ones too), or those among ``codes``."""
    return [
        ExportType(t.code, t.label, t.category, t.group_activity, t.retired)
        for t in journal.contact_types()
        if not t.builtin and (codes is None or t.code in codes)
    ]
