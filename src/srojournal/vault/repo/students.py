"""Students: how the officer refers to a student (alias, school, grade, private notes)."""

from __future__ import annotations

from typing import Any

from srojournal.domain.errors import InvalidInput
from srojournal.domain.models import Student
from srojournal.domain.validation import checked_grade, clean_label
from srojournal.vault import alias_keys
from srojournal.vault.repo.core import JournalCore


class Students(JournalCore):
    def add_student(
        self, alias: str, school_id: int, grade: str | None = None, notes: str = ""
    ) -> int:
        alias = clean_label(alias, "Alias")
        grade = checked_grade(grade)
        key = alias_keys.alias_key(alias)
        with self.batch() as c:
            alias_keys.check_free(c, school_id, key)
            cur = c.execute(
                "INSERT INTO students (alias, alias_key, school_id, grade, notes)"
                " VALUES (?, ?, ?, ?, ?)",
                (alias, key, school_id, grade, notes),
            )
            return int(cur.lastrowid)

    def update_student(
        self,
        student_id: int,
        *,
        alias: str | None = None,
        grade: str | None = None,
        notes: str | None = None,
        school_id: int | None = None,
    ) -> None:
        s = self.student(student_id)
        new_alias = clean_label(alias, "Alias") if alias is not None else s.alias
        new_school = school_id if school_id is not None else s.school_id
        key = alias_keys.alias_key(new_alias)
        with self.batch() as c:
            alias_keys.check_free(c, new_school, key, student_id=student_id)
            c.execute(
                "UPDATE students SET alias = ?, alias_key = ?, grade = ?, notes = ?, school_id = ?"
                " WHERE id = ?",
                (
                    new_alias,
                    key,
                    checked_grade(grade) if grade is not None else s.grade,
                    notes if notes is not None else s.notes,
                    new_school,
                    student_id,
                ),
            )

    def set_student_archived(self, student_id: int, archived: bool) -> None:
        with self.batch() as c:
            c.execute("UPDATE students SET archived = ? WHERE id = ?", (int(archived), student_id))

    def student(self, student_id: int) -> Student:
        row = self.conn.execute(
            "SELECT id, alias, school_id, grade, notes, archived FROM students WHERE id = ?",
            (student_id,),
        ).fetchone()
        if row is None:
            raise InvalidInput("That student does not exist.")
        return student_of(row)

    def student_by_alias(self, school_id: int, alias: str) -> Student | None:
        row = self.conn.execute(
            "SELECT id, alias, school_id, grade, notes, archived FROM students"
            " WHERE school_id = ? AND alias_key = ?",
            (school_id, alias_keys.alias_key(alias)),
        ).fetchone()
        return None if row is None else student_of(row)

    def students(
        self,
        search: str = "",
        *,
        school_id: int | None = None,
        include_archived: bool = False,
        limit: int | None = None,
    ) -> list[Student]:
        """Students whose alias contains ``search`` (type-ahead: prefix matches first)."""
        sql = "SELECT id, alias, school_id, grade, notes, archived FROM students WHERE 1=1"
        args: list[Any] = []
        if search.strip():
            sql += " AND alias_key LIKE ? ESCAPE '\\'"
            args.append(alias_keys.like_pattern(search))
        if school_id is not None:
            sql += " AND school_id = ?"
            args.append(school_id)
        if not include_archived:
            sql += " AND archived = 0"
        sql += " ORDER BY (alias_key LIKE ? ESCAPE '\\') DESC, alias COLLATE NOCASE"
        args.append(alias_keys.like_pattern(search)[1:])
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return [student_of(r) for r in self.conn.execute(sql, args).fetchall()]

    def student_names(self) -> list[str]:
        return [str(r[0]) for r in self.conn.execute("SELECT alias FROM students").fetchall()]

    def student_contact_count(self, student_id: int) -> int:
        row = self.conn.execute(
            "SELECT count(*) FROM contact_students WHERE student_id = ?", (student_id,)
        ).fetchone()
        return int(row[0])


def student_of(r: Any) -> Student:
    return Student(r[0], r[1], r[2], r[3], r[4], bool(r[5]))
