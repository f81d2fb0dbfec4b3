"""Import contacts: a file read and checked in full (``srojournal.importing``), then its rows
written in one transaction, all or nothing.

Nothing is written while any row has a problem, any label is unknown, any school is not on the
school list (unless the officer adds them) or the date order is undecided: the preview says all
of it first. ``ImportRun`` writes in steps so the window can show progress and offer Cancel; a
cancel (or a crash, or a kill) rolls the whole transaction back. ``dry_run`` always rolls back.
The audit log records the file's name and its row counts, never its contents.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from srojournal.domain.models import ContactInput, ContactStudent
from srojournal.domain.text import normalize_alias
from srojournal.importing import csv_source, journal_csv
from srojournal.importing.dates import DateOrder
from srojournal.importing.fields import FIELD_BY_NAME
from srojournal.importing.mapping import Mapping
from srojournal.importing.plan import (
    JournalSnapshot,
    PlannedStudent,
    Preview,
    SchoolRef,
    TypeRef,
    plan_import,
)
from srojournal.importing.read import read_table
from srojournal.importing.sources import (
    Cancelled,
    Progress,
    SourceError,
    Table,
)
from srojournal.vault import alias_keys
from srojournal.vault import schools as school_list
from srojournal.vault.errors import InvalidInput

if TYPE_CHECKING:
    from srojournal.vault.repo import Journal

COLUMNS: Final = journal_csv.COLUMNS
MAX_REPORTED_ERRORS: Final = 200
COMPACT_AFTER_ROWS: Final = 1000  # a large import leaves half-empty pages: rewrite the file
STEP_ROWS: Final = 256  # rows written between two progress reports


@dataclass(frozen=True, slots=True)
class RowError:
    line: int | None
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}" if self.line is not None else self.reason


class ImportRejected(InvalidInput):
    """Bad rows or unknown labels: every one listed (up to 200), nothing written."""

    def __init__(self, errors: list[RowError], total_bad: int) -> None:
        n = total_bad
        super().__init__(
            f"The file was not imported: {n} problem{'s' if n != 1 else ''}. Nothing was written."
        )
        self.errors = errors
        self.total_bad = total_bad


class UnknownSchools(InvalidInput):
    """School names that are not on the school list: listed once each, with their row count."""

    def __init__(self, unknown: list[tuple[str, int, int]]) -> None:
        listed = ", ".join(f"{name!r} ({n} row{'s' if n != 1 else ''})" for name, n, _ in unknown)
        n = len(unknown)
        super().__init__(
            f"{n} school name{'s are' if n != 1 else ' is'} not on the school list: {listed}. "
            "Nothing was written. Add them with --add-schools (or in Settings), or map them to "
            "schools on the list."
        )
        self.unknown = unknown


class AmbiguousDates(InvalidInput):
    """Every day in the file is 12 or less: month-first and day-first both fit."""

    def __init__(self, example: str) -> None:
        super().__init__(
            "The dates could be month first or day first: every day in the file is 12 or less "
            f"(is {example or '3/4/2026'} in March or in April?). Give --date-format M/D/YYYY or "
            "--date-format D/M/YYYY. Nothing was written."
        )


class ImportCancelled(Exception):
    """The officer cancelled: the transaction was rolled back, nothing was written."""


@dataclass(slots=True)
class ImportResult:
    rows: int = 0
    contacts: int = 0
    new_students: int = 0
    new_schools: list[str] = field(default_factory=list)
    follow_ups: int = 0
    dry_run: bool = False
    # The other rows of a file with a ``record`` column (the officer's export).
    students: int = 0  # student rows (new students or students the vault had)
    cases: int = 0
    contact_types: int = 0  # custom contact types added


# -- reading and checking -------------------------------------------------------------------
def snapshot(journal: Journal) -> JournalSnapshot:
    """What the preview needs from the journal, read once (then the preview needs no vault)."""
    listed = school_list.lookup(journal)
    schools = {key: SchoolRef(s.id, s.name, s.active) for key, s in listed.items()}
    active = [
        SchoolRef(s.id, s.name, True)
        for s in school_list.listed(journal)
        if s.active and s.merged_into is None
    ]
    keys = alias_keys.student_keys(journal.conn)
    return JournalSnapshot(
        types=[TypeRef(t.code, t.label, t.category) for t in journal.contact_types()],
        schools=schools,
        students={k: v.id for k, v in keys.items()},
        active_schools=active,
    )


def read_file(
    path: Path,
    *,
    sheet: str | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Table:
    try:
        return read_table(path, sheet=sheet, progress=progress, cancelled=cancelled)
    except SourceError as exc:
        raise ImportRejected([RowError(exc.line, exc.message)], 1) from None


def read_csv_file(path: Path) -> str:
    """The text of a CSV file (UTF-8, UTF-16 or Windows-1252), for ``import_csv``."""
    path = Path(path)
    try:
        if path.stat().st_size > csv_source.MAX_CSV_BYTES:
            raise InvalidInput("The file is too large to import (256 MB at most).")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"There is no file {path}.") from None
    except IsADirectoryError:
        raise InvalidInput(f"{path} is a folder, not a CSV file.") from None
    except OSError as exc:
        raise InvalidInput(f"Could not read {path.name}: {exc.strerror}.") from None
    try:
        return csv_source.decode(data, path.name)[0]
    except SourceError as exc:
        raise ImportRejected([RowError(exc.line, exc.message)], 1) from None


def preview(
    journal: Journal,
    table: Table,
    mapping: Mapping | None = None,
    *,
    add_schools: bool = False,
    date_order: DateOrder | None = None,
) -> Preview:
    return plan_import(
        table,
        mapping or Mapping(),
        snapshot(journal),
        add_schools=add_schools,
        date_order=date_order,
    )


def rejection(p: Preview) -> InvalidInput:
    """Why a preview cannot be imported, as the command line reports it."""
    if p.date_question is not None:
        return AmbiguousDates(p.date_question.example)
    schools = p.unknown_schools()
    if schools and len(schools) == len(p.unknown) and not p.total_problems:
        return UnknownSchools([(u.value, u.rows, u.first_line) for u in schools])
    errors = [
        RowError(pr.line, pr.message + (f" ({pr.fix})" if pr.fix else "")) for pr in p.problems
    ]
    headers = {c.field: c.header for c in p.columns if c.field}
    for u in p.unknown:
        label = FIELD_BY_NAME[u.field].label.lower()
        column = headers.get(u.field, u.field)
        rows = f"{u.rows} row{'s' if u.rows != 1 else ''}"
        if u.field == "school":
            hint = "not on the school list; add it with --add-schools or map it"
        else:
            hint = f"not a known {label}; map it to a code"
        if u.suggestion:
            hint += f" (perhaps {u.suggestion!r})"
        errors.append(RowError(u.first_line, f"{column}: {u.value!r} is {hint}; {rows}"))
    errors.sort(key=lambda e: e.line or 0)
    total = p.total_problems + len(p.unknown)
    if not errors:
        errors, total = [RowError(None, "the file has no rows to import")], 1
    return ImportRejected(errors[:MAX_REPORTED_ERRORS], max(total, 1))


# -- writing --------------------------------------------------------------------------------
class _Rollback(Exception):
    pass


class ImportRun:
    """Writes a checked preview. Iterate ``steps()`` (fractions done) or call ``run()``.

    Closing the ``steps()`` generator before it ends (Cancel) rolls everything back.
    """

    def __init__(
        self, journal: Journal, p: Preview, *, file_name: str, dry_run: bool = False
    ) -> None:
        self.journal = journal
        self.preview = p
        self.file_name = file_name
        self.dry_run = dry_run
        self.result: ImportResult | None = None

    def run(self) -> ImportResult:
        for _ in self.steps():
            pass
        assert self.result is not None
        return self.result

    def steps(self) -> Iterator[float]:
        p = self.preview
        if not p.ok:
            raise rejection(p)
        j = self.journal
        result = ImportResult(rows=p.rows_read, dry_run=self.dry_run)
        try:
            with j.batch(), j.deferred_notes_index():
                yield from self._write(result)
                detail: dict[str, object] = {
                    "file": self.file_name,
                    "rows": p.rows_read,
                    "contacts": result.contacts,
                    "new_students": result.new_students,
                    "new_schools": len(result.new_schools),
                }
                if p.records:
                    detail.update(
                        students=result.students,
                        follow_ups=result.follow_ups,
                        cases=result.cases,
                        contact_types=result.contact_types,
                    )
                j.audit("import", detail)
                if self.dry_run:
                    raise _Rollback
        except _Rollback:
            pass
        finally:
            j.invalidate_caches()
        self.result = result
        if not self.dry_run and result.contacts >= COMPACT_AFTER_ROWS:
            yield 1.0
            j.compact()

    def _write(self, result: ImportResult) -> Iterator[float]:
        """Contact types, students, contacts, then the follow-ups and cases that point at them
        (the file may hold its rows in any order)."""
        j = self.journal
        p = self.preview
        listed = school_list.lookup(j)
        school_ids: dict[str, int] = {}

        def school_id(name: str) -> int:
            key = normalize_alias(name)
            sid = school_ids.get(key)
            if sid is None:
                ref = listed.get(key)
                if ref is None:
                    sid = j.add_school(name)
                    result.new_schools.append(name)
                else:
                    sid = ref.id
                school_ids[key] = sid
            return sid

        students = alias_keys.student_keys(j.conn)
        declared: set[tuple[int, str]] = set()  # students with a row of their own in the file

        def student_id(alias: str, own: int, grade: str | None, *, set_grade: bool) -> int:
            key = (own, alias_keys.alias_key(alias))
            known = students.get(key)
            if known is None:
                known = alias_keys.KnownStudent(j.add_student(alias, own, grade), grade)
                result.new_students += 1
            elif set_grade and grade is not None and known.grade != grade:
                j.update_student(known.id, grade=grade)
                known = alias_keys.KnownStudent(known.id, grade)
            students[key] = known
            return known.id

        conn = j.conn
        total = max(1, p.records_to_write)
        done = 0
        for t in p.types:
            if t.new:
                j.add_contact_type(t.code, t.label, t.category, group_activity=t.group_activity)
                if t.retired:
                    j.set_type_retired(t.code, True)
                result.contact_types += 1
        for s in p.students:
            own = school_id(s.school)
            key = (own, alias_keys.alias_key(s.alias))
            known = students.get(key)
            if known is None:
                sid = j.add_student(s.alias, own, s.grade, s.notes)
                if s.archived:
                    j.set_student_archived(sid, True)
                students[key] = alias_keys.KnownStudent(sid, s.grade)
                result.new_students += 1
            else:
                # The vault's own record of the student stays: the file adds what it lacks.
                had = j.student(known.id).notes
                notes: str | None = None
                if s.notes.strip() and s.notes.strip() not in had:
                    notes = had.rstrip() + "\n\n" + s.notes if had.strip() else s.notes
                j.update_student(known.id, grade=s.grade, notes=notes)
                students[key] = alias_keys.KnownStudent(known.id, s.grade or known.grade)
            declared.add(key)
            result.students += 1
        refs: dict[str, int] = {}  # a contact row's ref -> the contact written for it
        for row in p.rows:
            if done % STEP_ROWS == 0:
                yield done / total
            done += 1
            sid = school_id(row.school)
            links: list[ContactStudent] = []
            no_grade: list[int] = []
            for ps in row.students:
                own = sid if ps.school == row.school else school_id(ps.school)
                key = (own, alias_keys.alias_key(ps.alias))
                student = student_id(ps.alias, own, ps.grade, set_grade=key not in declared)
                if p.records and ps.grade is None and students[key].grade is not None:
                    no_grade.append(student)  # no grade recorded with this contact
                links.append(ContactStudent(student, ps.role, ps.grade))
            cid = j.add_contact(
                ContactInput(
                    occurred_at=row.occurred_at,
                    school_id=sid,
                    type_code=row.type_code,
                    students=tuple(links),
                    duration_min=row.duration_min,
                    initiated_by=row.initiated_by,
                    outcome=row.outcome,
                    referrals=row.referrals,
                    tags=row.tags,
                    notes=row.notes,
                    attendees=row.attendees,
                )
            )
            if no_grade:
                conn.executemany(
                    "UPDATE contact_students SET grade = NULL"
                    " WHERE contact_id = ? AND student_id = ?",
                    [(cid, s) for s in no_grade],
                )
            if row.redacted:
                conn.execute("UPDATE contacts SET redacted = 1 WHERE id = ?", (cid,))
            if row.ref is not None:
                refs[row.ref] = cid
            result.contacts += 1
            for fu in row.follow_ups:
                fid = j.add_follow_up(
                    fu.due, fu.what, [link.student_id for link in links], source_contact_id=cid
                )
                _set_follow_up_state(conn, fid, fu.status, fu.done_on, None)
                result.follow_ups += 1

        def party(ps: PlannedStudent) -> int:
            return student_id(ps.alias, school_id(ps.school), ps.grade, set_grade=False)

        for f in p.follow_up_records:
            if done % STEP_ROWS == 0:
                yield done / total
            done += 1
            source = refs[f.source_ref] if f.source_ref is not None else None
            fid = j.add_follow_up(
                f.due, f.what, [party(ps) for ps in f.students], source_contact_id=source
            )
            done_by = refs[f.done_ref] if f.done_ref is not None else None
            _set_follow_up_state(conn, fid, f.status, f.done_on, done_by)
            result.follow_ups += 1
        for c in p.cases:
            case_id = j.add_conflict_case(
                c.title,
                [party(ps) for ps in c.parties],
                terms=c.terms,
                opened_on=c.opened_on,
                check_date=c.check_date,
                contact_ids=[refs[r] for r in c.contact_refs],
            )
            if c.status != "open":
                j.update_conflict_case(case_id, status=c.status)
            result.cases += 1


def _set_follow_up_state(
    conn: Any, fid: int, status: str, done_on: dt.date | None, done_contact: int | None
) -> None:
    if status != "open" or done_on is not None or done_contact is not None:
        conn.execute(
            "UPDATE follow_ups SET status = ?, completed_on = ?, done_contact_id = ? WHERE id = ?",
            (status, done_on.isoformat() if done_on else None, done_contact, fid),
        )


def import_preview(
    journal: Journal, p: Preview, *, file_name: str, dry_run: bool = False
) -> ImportResult:
    return ImportRun(journal, p, file_name=file_name, dry_run=dry_run).run()


def import_table(
    journal: Journal,
    table: Table,
    *,
    mapping: Mapping | None = None,
    add_schools: bool = False,
    date_order: DateOrder | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Check the whole table, then import it or raise the reasons it cannot be."""
    p = preview(journal, table, mapping, add_schools=add_schools, date_order=date_order)
    return import_preview(journal, p, file_name=table.name, dry_run=dry_run)


def import_csv(
    journal: Journal,
    text: str,
    *,
    dry_run: bool = False,
    default_school: str | None = None,
    add_schools: bool = False,
    name: str = "import.csv",
) -> ImportResult:
    """Import CSV text (any dialect ``importing.csv_source`` reads). Raises ImportRejected."""
    try:
        table = csv_source.read_text(text, name)
    except SourceError as exc:
        raise ImportRejected([RowError(exc.line, exc.message)], 1) from None
    mapping = Mapping(default_school=default_school)
    return import_table(journal, table, mapping=mapping, add_schools=add_schools, dry_run=dry_run)
