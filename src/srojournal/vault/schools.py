"""The school list the officer manages: add, rename, merge, retire.

A school name is the only officer-typed text that appears in a summary, so every name that
enters the vault goes through ``clean_school_name`` (no sentences, no formula characters) and
names are compared by ``normalize_alias`` (NFKC, case, spaces): "Lincoln  high" is "Lincoln High".

Merging moves a school's contacts and students into another school; the merged name stays as a
retired school that points at the one it became (``merged_into``), so an old spreadsheet that
still uses it lands on the right school, and history keeps the name.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any, Protocol

from srojournal.domain.schools import SchoolNameRefused, clean_school_name
from srojournal.domain.text import normalize_alias
from srojournal.vault.alias_keys import fold_students
from srojournal.vault.errors import InvalidInput


class Journal(Protocol):
    """What the school list needs of the journal (``vault.repo.Journal`` has all of it)."""

    @property
    def conn(self) -> Any: ...
    def batch(self) -> contextlib.AbstractContextManager[Any]: ...
    def audit(self, action: str, detail: dict[str, Any]) -> None: ...
    def invalidate_caches(self) -> None: ...


@dataclass(frozen=True, slots=True)
class ListedSchool:
    id: int
    name: str
    active: bool
    merged_into: int | None


@dataclass(frozen=True, slots=True)
class MergeResult:
    contacts: int  # contacts moved
    students: int  # students moved
    students_merged: int  # of those, students folded into one already at the target


def school_key(name: str) -> str:
    return normalize_alias(name)


def checked_name(name: str) -> str:
    """The name as stored, or InvalidInput with the reason (never the text)."""
    try:
        return clean_school_name(name)
    except SchoolNameRefused as exc:
        raise InvalidInput(str(exc)) from None


def listed(journal: Journal) -> list[ListedSchool]:
    return [
        ListedSchool(int(r[0]), str(r[1]), bool(r[2]), None if r[3] is None else int(r[3]))
        for r in journal.conn.execute(
            "SELECT id, name, active, merged_into FROM schools ORDER BY name COLLATE NOCASE, id"
        )
    ]


def lookup(journal: Journal) -> dict[str, ListedSchool]:
    """Every school by the key of its name; a merged name gives the school it became."""
    schools = listed(journal)
    by_id = {s.id: s for s in schools}
    out: dict[str, ListedSchool] = {}
    for s in schools:
        target = s
        for _ in range(len(schools)):  # follow merged_into (never a cycle; bounded anyway)
            if target.merged_into is None or target.merged_into not in by_id:
                break
            target = by_id[target.merged_into]
        out.setdefault(school_key(s.name), target)
    return out


def find(journal: Journal, name: str) -> ListedSchool | None:
    return lookup(journal).get(school_key(name))


def _same_key(journal: Journal, name: str, *, other_than: int | None = None) -> ListedSchool | None:
    key = school_key(name)
    for s in listed(journal):
        if s.id != other_than and school_key(s.name) == key:
            return s
    return None


def add_school(journal: Journal, name: str) -> int:
    """Add a school (or reactivate the retired school of that name); returns its id."""
    name = checked_name(name)
    with journal.batch() as c:
        existing = _same_key(journal, name)
        if existing is not None:
            # A retired or merged name comes back as a school of its own.
            c.execute(
                "UPDATE schools SET active = 1, merged_into = NULL WHERE id = ?", (existing.id,)
            )
            return existing.id
        return int(c.execute("INSERT INTO schools (name) VALUES (?)", (name,)).lastrowid)


def rename_school(journal: Journal, school_id: int, name: str) -> None:
    name = checked_name(name)
    _get(journal, school_id)
    with journal.batch() as c:
        if _same_key(journal, name, other_than=school_id) is not None:
            raise InvalidInput(
                "Another school already has this name. To combine the two, merge one into the "
                "other."
            )
        c.execute("UPDATE schools SET name = ? WHERE id = ?", (name, school_id))


def set_active(journal: Journal, school_id: int, active: bool) -> None:
    """Retire a school (history keeps it; quick entry no longer offers it) or bring it back."""
    school = _get(journal, school_id)
    if active and school.merged_into is not None:
        raise InvalidInput("This school was merged into another; add its name again instead.")
    with journal.batch() as c:
        c.execute("UPDATE schools SET active = ? WHERE id = ?", (int(active), school_id))


def merge_school(journal: Journal, source_id: int, target_id: int) -> MergeResult:
    """Move every contact and student of ``source`` to ``target``; ``source`` is retired.

    A student of ``source`` whose alias the target school already has is the same student: the
    two are folded into one (their records re-pointed, notes kept). One transaction.
    """
    if source_id == target_id:
        raise InvalidInput("Choose two different schools to merge.")
    _get(journal, source_id)
    target = _get(journal, target_id)
    if target.merged_into is not None:
        raise InvalidInput("That school was itself merged into another; merge into that one.")
    with journal.batch() as c:
        contacts = int(
            c.execute(
                "UPDATE contacts SET school_id = ? WHERE school_id = ?", (target_id, source_id)
            ).rowcount
        )
        # A student of the source whose alias the target already has is that same student:
        # folded into the target's before the others move (one alias per school).
        at_target = {
            str(key): int(sid)
            for sid, key in c.execute(
                "SELECT id, alias_key FROM students WHERE school_id = ?", (target_id,)
            )
        }
        moving = c.execute(
            "SELECT id, alias_key FROM students WHERE school_id = ?", (source_id,)
        ).fetchall()
        folded = 0
        for sid, key in moving:
            namesake = at_target.get(str(key))
            if namesake is not None:
                fold_students(c, namesake, [int(sid)])
                folded += 1
        c.execute("UPDATE students SET school_id = ? WHERE school_id = ?", (target_id, source_id))
        c.execute(
            "UPDATE schools SET merged_into = ? WHERE merged_into = ?", (target_id, source_id)
        )
        c.execute(
            "UPDATE schools SET active = 0, merged_into = ? WHERE id = ?", (target_id, source_id)
        )
        result = MergeResult(contacts, len(moving), folded)
        journal.audit(
            "school_merged",
            {
                "contacts": result.contacts,
                "students": result.students,
                "students_merged": result.students_merged,
            },
        )
    journal.invalidate_caches()
    return result


def _get(journal: Journal, school_id: int) -> ListedSchool:
    for s in listed(journal):
        if s.id == school_id:
            return s
    raise InvalidInput("That school does not exist.")
