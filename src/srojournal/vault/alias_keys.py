"""One key per student alias, used for every lookup and every insert.

A student is known by ``(school, alias key)``, where the key is ``normalize_alias(alias)``: NFKC,
case folding and whitespace collapsing, so "Sam  R", "sam r" and "Ｓａｍ R" are one student. The
key is stored with the student (``students.alias_key``, unique per school) and is the only thing
ever compared; the alias itself is kept as the officer typed it, for display.

``merge_colliding_students`` folds students whose keys collide into one: the migration runs it on
vaults written before the key existed, when "Sam  R" and "Sam R" could be two students.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Final

from srojournal.domain.text import normalize_alias

Connection = Any  # sqlcipher3 connections are untyped

# Tables whose rows point at a student and whose primary key includes the student.
_LINK_TABLES: Final = (
    ("contact_students", "contact_id"),
    ("follow_up_students", "follow_up_id"),
    ("conflict_parties", "case_id"),
)


def alias_key(alias: str) -> str:
    return normalize_alias(alias)


def like_pattern(text: str) -> str:
    """A ``LIKE`` pattern (escape ``\\``) matching alias keys that contain ``text``."""
    key = alias_key(text)
    return "%" + key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@dataclass(frozen=True, slots=True)
class KnownStudent:
    id: int
    grade: str | None


def student_keys(conn: Connection) -> dict[tuple[int, str], KnownStudent]:
    """Every student as ``(school id, alias key) -> (id, grade)``: one read for a whole import."""
    return {
        (int(school_id), str(key)): KnownStudent(int(sid), grade)
        for sid, school_id, key, grade in conn.execute(
            "SELECT id, school_id, alias_key, grade FROM students"
        )
    }


@dataclass(frozen=True, slots=True)
class MergeCounts:
    groups: int  # sets of students that turned out to be one
    merged: int  # students folded into another (and removed)


def merge_colliding_students(conn: Connection) -> MergeCounts:
    """Fold students with the same ``(school, alias key)`` into the oldest one (lowest id).

    See ``fold_students`` for what a fold keeps. Runs inside the caller's transaction.
    """
    groups: dict[tuple[int, str], list[int]] = defaultdict(list)
    for sid, school_id, key in conn.execute(
        "SELECT id, school_id, alias_key FROM students ORDER BY id"
    ):
        groups[(int(school_id), str(key))].append(int(sid))
    n_groups = merged = 0
    for members in groups.values():
        if len(members) > 1:
            fold_students(conn, members[0], members[1:])
            n_groups += 1
            merged += len(members) - 1
    return MergeCounts(n_groups, merged)


def fold_students(conn: Connection, survivor: int, others: list[int]) -> None:
    """Make ``others`` one student with ``survivor``, which keeps its id, alias and school.

    Contacts, follow-ups and case parties of the others are re-pointed to the survivor (a record
    that named both keeps one link); their private notes are appended to the survivor's, the
    survivor takes a grade it lacks, and stays active if any of them was. Draft entries that
    named a folded student name the survivor instead. Runs inside the caller's transaction.
    """
    rows = {
        int(r[0]): (r[1], str(r[2]), int(r[3]))
        for r in conn.execute(
            "SELECT id, grade, notes, archived FROM students WHERE id IN"
            " (SELECT value FROM json_each(?))",
            (json.dumps([survivor, *others]),),
        )
    }
    grade, notes, archived = rows[survivor]
    for sid in others:
        other_grade, other_notes, other_archived = rows[sid]
        grade = grade or other_grade
        if other_notes.strip() and other_notes.strip() not in notes:
            notes = f"{notes.rstrip()}\n\n{other_notes.strip()}" if notes.strip() else other_notes
        archived = min(archived, other_archived)
        for table, owner in _LINK_TABLES:
            # A record that lists both keeps the survivor's link only.
            conn.execute(
                f"DELETE FROM {table} WHERE student_id = ? AND {owner} IN"
                f" (SELECT {owner} FROM {table} WHERE student_id = ?)",
                (sid, survivor),
            )
            conn.execute(f"UPDATE {table} SET student_id = ? WHERE student_id = ?", (survivor, sid))
        conn.execute("DELETE FROM students WHERE id = ?", (sid,))
    conn.execute(
        "UPDATE students SET grade = ?, notes = ?, archived = ? WHERE id = ?",
        (grade, notes, archived, survivor),
    )
    _repoint_drafts(conn, dict.fromkeys(others, survivor))


def _repoint_drafts(conn: Connection, survivor_of: dict[int, int]) -> None:
    """Entry drafts list ``[student id, role]`` pairs; a folded id becomes its survivor's."""
    for name, payload in conn.execute("SELECT name, payload FROM drafts").fetchall():
        try:
            doc = json.loads(payload)
            pairs = doc.get("students") if isinstance(doc, dict) else None
        except ValueError:
            continue
        if not isinstance(pairs, list):
            continue
        seen: set[int] = set()
        out: list[Any] = []
        changed = False
        for pair in pairs:
            if isinstance(pair, list) and pair and isinstance(pair[0], int):
                sid = survivor_of.get(pair[0], pair[0])
                changed |= sid != pair[0]
                if sid in seen:
                    changed = True
                    continue
                seen.add(sid)
                out.append([sid, *pair[1:]])
            else:
                out.append(pair)
        if changed:
            doc["students"] = out
            conn.execute("UPDATE drafts SET payload = ? WHERE name = ?", (json.dumps(doc), name))


def check_free(
    conn: Connection, school_id: int, key: str, *, student_id: int | None = None
) -> None:
    """Raise InvalidInput when another student of the school already has this key."""
    from srojournal.vault.errors import InvalidInput

    row = conn.execute(
        "SELECT id FROM students WHERE school_id = ? AND alias_key = ?", (school_id, key)
    ).fetchone()
    if row is not None and int(row[0]) != student_id:
        raise InvalidInput(
            "That school already has a student with this alias (aliases are compared ignoring "
            "case and extra spaces)."
        )
