"""CSV import of contacts (docs/cli.md): all or nothing, every bad row reported with its line.

The whole file is validated and written inside one transaction; any bad row rolls it back, and
``dry_run`` always rolls back. A crash mid-import leaves the vault as it was (SQLite atomicity).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final

from srojournal.domain import taxonomy
from srojournal.domain.models import ContactInput, ContactStudent
from srojournal.vault.errors import InvalidInput, VaultError

if TYPE_CHECKING:
    from srojournal.vault.repo import Journal

COLUMNS: Final = (
    "date", "time", "duration_min", "school", "type", "students", "grades", "initiated_by",
    "outcome", "referrals", "follow_up", "notes", "tags", "attendees",
)  # fmt: skip
REQUIRED: Final = ("date", "type")
MAX_FILE_BYTES: Final = 512 * 1024 * 1024
MAX_FIELD_CHARS: Final = 1024 * 1024
MAX_REPORTED_ERRORS: Final = 200
MAX_COLUMNS: Final = 64
COMPACT_AFTER_ROWS: Final = 1000  # a large import leaves half-empty pages: rewrite the file


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class ImportRejected(InvalidInput):
    def __init__(self, errors: list[RowError], total_bad: int) -> None:
        n = total_bad
        super().__init__(
            f"The file was not imported: {n} bad row{'s' if n != 1 else ''}. Nothing was written."
        )
        self.errors = errors
        self.total_bad = total_bad


@dataclass(slots=True)
class ImportResult:
    rows: int = 0
    contacts: int = 0
    new_students: int = 0
    new_schools: list[str] = field(default_factory=list)
    follow_ups: int = 0
    dry_run: bool = False


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportRejected(
            [RowError(line, "the file is not UTF-8 text (save it as CSV UTF-8)")], 1
        ) from None


def read_csv_file(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InvalidInput("The file is too large to import (512 MB at most).")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"There is no file {path}.") from None
    except IsADirectoryError:
        raise InvalidInput(f"{path} is a folder, not a CSV file.") from None
    except OSError as exc:
        raise VaultError(f"Could not read {path.name}: {exc.strerror}.") from None
    if b"\x00" in data[:65536]:
        raise InvalidInput(f"{path.name} is not a CSV text file.")
    return _decode(data)


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, fields) for each CSV record."""
    # The csv module's own limit (128 KiB) is process-wide; ours is checked per field below.
    if csv.field_size_limit() < MAX_FIELD_CHARS + 1:
        csv.field_size_limit(MAX_FIELD_CHARS + 1)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    try:
        for rec in reader:
            yield start, rec
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ImportRejected([RowError(start, f"malformed CSV ({exc})")], 1) from None


def _parse_date(value: str, what: str) -> dt.date:
    if len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{what} must be a date written YYYY-MM-DD")


class _Lookups:
    def __init__(self, journal: Journal) -> None:
        types = journal.contact_types()
        self.types = {t.code.lower(): t for t in types}
        self.types.update({t.label.lower(): t for t in types})
        self.outcomes = {o.code: o.code for o in taxonomy.OUTCOMES}
        self.outcomes.update({o.label.lower(): o.code for o in taxonomy.OUTCOMES})
        self.schools = {s.name.lower(): s.id for s in journal.schools(include_inactive=True)}
        # (school id, alias lowered) -> (student id, grade), filled as rows are read. Lives only
        # for one import (one transaction), so it never outlives a rollback.
        self.students: dict[tuple[int, str], tuple[int, str | None]] = {}


def import_csv(
    journal: Journal, text: str, *, dry_run: bool = False, default_school: str | None = None
) -> ImportResult:
    """Import contacts from CSV text. Raises ImportRejected listing every bad row."""
    records = _records(text.removeprefix("\ufeff"))
    header_rec = next(records, None)
    if header_rec is None:
        raise ImportRejected([RowError(1, "the file is empty (a header row is expected)")], 1)
    if len(header_rec[1]) > MAX_COLUMNS:
        raise ImportRejected(
            [RowError(1, f"the header has {len(header_rec[1])} columns; at most {MAX_COLUMNS}")], 1
        )
    header = [h.strip().lower() for h in header_rec[1]]
    errors: list[RowError] = []
    unknown = [h for h in header if h not in COLUMNS]
    missing = [r for r in REQUIRED if r not in header]
    dupes = sorted(h for h, n in Counter(header).items() if n > 1)
    if unknown:
        shown = ", ".join(_safe(u) for u in unknown[:10])
        more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
        errors.append(RowError(1, f"unknown column(s): {shown}{more}"))
    if missing:
        errors.append(RowError(1, "missing required column(s): " + ", ".join(missing)))
    if dupes:
        errors.append(RowError(1, "duplicate column(s): " + ", ".join(dupes)))
    if errors:
        raise ImportRejected(errors, len(errors))
    col = {name: i for i, name in enumerate(header)}
    result = ImportResult(dry_run=dry_run)
    total_bad = 0
    look = _Lookups(journal)
    known_schools = journal.schools(include_inactive=True)
    fallback_school = default_school or (known_schools[0].name if len(known_schools) == 1 else None)

    class _Rollback(Exception):
        pass

    try:
        with journal.batch(), journal.deferred_notes_index():
            for line, rec in records:
                if not any(f.strip() for f in rec):
                    continue
                result.rows += 1
                if len(rec) != len(header):
                    total_bad += 1
                    if len(errors) < MAX_REPORTED_ERRORS:
                        errors.append(
                            RowError(line, f"{len(rec)} fields where the header has {len(header)}")
                        )
                    continue
                if any(len(f) > MAX_FIELD_CHARS for f in rec):
                    total_bad += 1
                    if len(errors) < MAX_REPORTED_ERRORS:
                        errors.append(RowError(line, "a field is longer than 1 MB"))
                    continue
                row = {name: rec[i] for name, i in col.items()}
                try:
                    _import_row(journal, row, look, result, fallback_school)
                except (ValueError, InvalidInput) as exc:
                    total_bad += 1
                    if len(errors) < MAX_REPORTED_ERRORS:
                        errors.append(RowError(line, str(exc)))
            if total_bad:
                raise ImportRejected(errors, total_bad)
            if result.rows == 0:
                raise ImportRejected([RowError(2, "the file has a header but no rows")], 1)
            if dry_run:
                raise _Rollback
            journal.audit(
                "import",
                {
                    "rows": result.rows,
                    "new_students": result.new_students,
                    "new_schools": len(result.new_schools),
                },
            )
    except _Rollback:
        pass
    journal.invalidate_caches()
    if not dry_run and result.contacts >= COMPACT_AFTER_ROWS:
        journal.compact()
    return result


def _safe(text: str) -> str:
    """Header names are echoed in messages; keep them short and printable."""
    t = "".join(ch if ch.isprintable() else "?" for ch in text)
    return repr(t[:40])


def _import_row(
    journal: Journal,
    row: dict[str, str],
    look: _Lookups,
    result: ImportResult,
    fallback_school: str | None,
) -> None:
    def get(name: str) -> str:
        return row.get(name, "").strip()

    date = _parse_date(get("date"), "date") if get("date") else None
    if date is None:
        raise ValueError("date is required")
    time_text = get("time")
    if time_text:
        try:
            t = dt.time.fromisoformat(time_text)
            if len(time_text) != 5:
                raise ValueError
        except ValueError:
            raise ValueError("time must be written HH:MM (24-hour)") from None
    else:
        t = dt.time(0, 0)
    type_text = get("type")
    if not type_text:
        raise ValueError("type is required")
    ctype = look.types.get(type_text.lower())
    if ctype is None:
        raise ValueError("type is not a known contact type code or label")
    duration = _int_field(get("duration_min"), "duration_min", 0, 1440)
    attendees = _int_field(get("attendees"), "attendees", 0, 100_000)
    school_name = " ".join(get("school").split()) or fallback_school
    if not school_name:
        raise ValueError("school is required (name the school; the vault has several or none)")
    school_id = look.schools.get(school_name.lower())
    if school_id is None:
        school_id = journal.add_school(school_name)
        look.schools[school_name.lower()] = school_id
        result.new_schools.append(school_name)
    initiated = get("initiated_by").lower() or None
    if initiated is not None and initiated not in taxonomy.INITIATORS:
        raise ValueError("initiated_by must be one of " + ", ".join(taxonomy.INITIATORS))
    outcome_text = get("outcome")
    outcome = None
    if outcome_text:
        outcome = look.outcomes.get(outcome_text.lower()) or look.outcomes.get(outcome_text)
        if outcome is None:
            raise ValueError("outcome is not a known outcome code or label")
    referrals = _split(get("referrals"))
    for r in referrals:
        if r not in taxonomy.REFERRAL_TARGETS:
            raise ValueError("referrals contains an unknown referral target code")
    if len(set(referrals)) != len(referrals):
        raise ValueError("referrals lists a target twice")
    aliases = _split(get("students"))
    grades_raw = _split(get("grades"), keep_empty=True) if get("grades") else []
    if grades_raw and len(grades_raw) != len(aliases):
        raise ValueError("grades must list one grade per student, in the same order")
    grades: list[str | None] = []
    for g in grades_raw:
        try:
            grades.append(taxonomy.normalize_grade(g))
        except ValueError:
            raise ValueError("grades must be K or 1–12") from None
    if len({a.lower() for a in aliases}) != len(aliases):
        raise ValueError("students lists the same student twice")
    follow_text = get("follow_up")
    follow_due = _parse_date(follow_text, "follow_up") if follow_text else None
    role = "party" if ctype.category == "conflict" else "participant"
    links: list[ContactStudent] = []
    for i, alias in enumerate(aliases):
        if len(alias) > 120:
            raise ValueError("a student alias is longer than 120 characters")
        grade = grades[i] if grades else None
        key = (school_id, alias.lower())
        known = look.students.get(key)
        if known is None:
            student = journal.student_by_alias(school_id, alias)
            if student is None:
                known = (journal.add_student(alias, school_id, grade), grade)
                result.new_students += 1
            else:
                known = (student.id, student.grade)
        sid, current_grade = known
        if grade is not None and current_grade != grade:
            journal.update_student(sid, grade=grade)
            known = (sid, grade)
        look.students[key] = known
        links.append(ContactStudent(sid, role, grade))
    tags = tuple(dict.fromkeys(_split(get("tags"))))
    contact_id = journal.add_contact(
        ContactInput(
            occurred_at=dt.datetime.combine(date, t),
            school_id=school_id,
            type_code=ctype.code,
            students=tuple(links),
            duration_min=duration,
            initiated_by=initiated,
            outcome=outcome,
            referrals=tuple(referrals),
            tags=tags,
            notes=row.get("notes", ""),
            attendees=attendees,
        )
    )
    result.contacts += 1
    if follow_due is not None:
        journal.add_follow_up(
            follow_due,
            "Follow-up from import",
            [link.student_id for link in links],
            source_contact_id=contact_id,
        )
        result.follow_ups += 1


def _split(value: str, *, keep_empty: bool = False) -> list[str]:
    parts = [p.strip() for p in value.split(";")]
    return parts if keep_empty else [p for p in parts if p]


def _int_field(value: str, name: str, lo: int, hi: int) -> int | None:
    if not value:
        return None
    try:
        n = int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number") from None
    if not lo <= n <= hi:
        raise ValueError(f"{name} must be between {lo} and {hi}")
    return n
