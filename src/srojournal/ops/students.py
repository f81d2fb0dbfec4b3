"""Students: add one (the quick-entry dialog adds one inline, see ``entries.resolve_school``)."""

from __future__ import annotations

from dataclasses import dataclass

from srojournal.ops.changes import Change, Done
from srojournal.vault.repo import Journal


@dataclass(frozen=True, slots=True)
class NewStudent:
    alias: str
    school_id: int
    grade: str | None = None
    notes: str = ""


def add_student(journal: Journal, student: NewStudent) -> Done[int]:
    sid = journal.add_student(student.alias, student.school_id, student.grade, student.notes)
    return Done(sid, Change.STUDENTS)
