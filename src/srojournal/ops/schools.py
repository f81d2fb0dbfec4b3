"""The school list the officer manages: add, rename, retire, merge (docs/summary-format.md says
why a school name is held to the shape of a name: it is the one typed label in a summary)."""

from __future__ import annotations

from srojournal.ops.changes import Change, Done
from srojournal.vault.repo import Journal
from srojournal.vault.schools import ListedSchool, MergeResult, listed


def add_school(journal: Journal, name: str) -> Done[int]:
    return Done(journal.add_school(name), Change.SCHOOLS)


def rename_school(journal: Journal, school_id: int, name: str) -> Done[None]:
    journal.rename_school(school_id, name)
    return Done(None, Change.SCHOOLS | Change.CONTACTS | Change.STUDENTS)


def set_school_active(journal: Journal, school_id: int, active: bool) -> Done[None]:
    """Retire a school (its history stays; quick entry no longer offers it) or bring it back."""
    journal.set_school_active(school_id, active)
    return Done(None, Change.SCHOOLS)


def merge_schools(journal: Journal, source_id: int, target_id: int) -> Done[MergeResult]:
    """Every contact and student of ``source`` moves to ``target``; ``source`` stays as a
    retired name that points there. One transaction; audited with counts only."""
    return Done(
        journal.merge_school(source_id, target_id),
        Change.SCHOOLS | Change.CONTACTS | Change.STUDENTS | Change.FOLLOW_UPS | Change.CASES,
    )


def school_list(journal: Journal) -> list[ListedSchool]:
    """Every school, retired and merged ones too (for the Schools tab)."""
    return listed(journal)
