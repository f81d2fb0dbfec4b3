"""The preview of an import: the whole file checked against the journal before anything is written.

``plan_import`` turns a ``Table`` and the officer's ``Mapping`` into a ``Preview``: every row as
it would be saved, every problem with its line (and a fix where one is obvious), each unknown
label once with its row count, and the counts (contacts, new students, new schools). It reads
the journal only through a ``JournalSnapshot`` taken beforehand, so it can run off the GUI
thread; the vault writes the preview's rows (``vault/importer.py``), all or nothing.

Messages name lines, columns and reasons. They never quote a cell, except a short label in the
list of unknown values (the officer has to see "Mentor mtg" to map it), and never a student.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

from srojournal.domain.errors import InvalidInput
from srojournal.domain.schools import SchoolNameRefused, clean_school_name
from srojournal.domain.taxonomy import CATEGORIES, CONFLICT_STATUSES, FOLLOW_UP_STATUSES
from srojournal.domain.text import normalize_alias
from srojournal.domain.validation import checked_type_code, clean_label
from srojournal.importing import dates, values
from srojournal.importing.fields import (
    FIELD_BY_NAME,
    RECORD,
    RECORD_ONLY,
    REQUIRED,
    guess_columns,
    normalize_header,
)
from srojournal.importing.journal_csv import RECORD_KINDS, split_list, unprotect
from srojournal.importing.mapping import Mapping
from srojournal.importing.sources import (
    MAX_FIELD_CHARS,
    Cancelled,
    Cell,
    Progress,
    ReadCancelled,
    Table,
    column_letter,
    is_blank,
)

MAX_REPORTED_PROBLEMS: Final = 200
MAX_ALIAS_CHARS: Final = 120
PREVIEW_ROWS: Final = 50
DEFAULT_FOLLOW_UP_WHAT: Final = "Follow-up from import"
_DATE_FIELDS: Final = ("date", "follow_up", "follow_up_done", "check_date")
_KIND_BY_LABEL: Final = {values.normalize_label(k): k for k in RECORD_KINDS}


# -- what the plan needs from the journal --------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SchoolRef:
    id: int
    name: str
    active: bool


@dataclass(frozen=True, slots=True)
class TypeRef:
    code: str
    label: str
    category: str


@dataclass(slots=True)
class JournalSnapshot:
    types: list[TypeRef]
    schools: dict[str, SchoolRef]  # by normalize_alias(name); a merged name gives its target
    students: dict[tuple[int, str], int]  # (school id, alias key) -> student id
    active_schools: list[SchoolRef] = field(default_factory=list)


# -- what the plan says -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Problem:
    line: int | None  # None: the whole file
    message: str
    fix: str | None = None

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return where + self.message + (f" ({self.fix})" if self.fix else "")


@dataclass(slots=True)
class UnknownValue:
    field: str
    value: str  # as written; only labels that pass ``values.shows_as_label``
    rows: int
    first_line: int
    suggestion: str | None  # a code (or school name) the officer may accept


@dataclass(frozen=True, slots=True)
class ColumnUse:
    index: int
    header: str
    field: str | None
    samples: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PlannedStudent:
    alias: str
    school: str  # the student's school (usually the contact's)
    grade: str | None
    role: str
    new: bool


@dataclass(frozen=True, slots=True)
class PlannedFollowUp:
    due: dt.date
    what: str
    status: str
    done_on: dt.date | None


@dataclass(frozen=True, slots=True)
class PlannedRow:
    line: int
    occurred_at: dt.datetime
    school: str
    type_code: str
    students: tuple[PlannedStudent, ...]
    duration_min: int | None
    initiated_by: str | None
    outcome: str | None
    referrals: tuple[str, ...]
    tags: tuple[str, ...]
    notes: str
    attendees: int | None
    follow_ups: tuple[PlannedFollowUp, ...]
    ref: str | None = None  # what follow-up and case rows call it (files with ``record``)
    redacted: bool = False  # its notes were purged under the retention schedule


# -- the other rows of a file with a ``record`` column (the officer's export) ------------------
@dataclass(frozen=True, slots=True)
class PlannedType:
    line: int
    code: str
    label: str
    category: str
    group_activity: bool
    retired: bool
    new: bool  # False: the vault has it already (in the same category) and keeps its own


@dataclass(frozen=True, slots=True)
class PlannedStudentRecord:
    line: int
    alias: str
    school: str
    grade: str | None
    notes: str  # the student's private notes
    archived: bool
    new: bool


@dataclass(frozen=True, slots=True)
class PlannedFollowUpRecord:
    line: int
    due: dt.date
    what: str
    status: str
    done_on: dt.date | None
    students: tuple[PlannedStudent, ...]
    source_ref: str | None  # the contact row it was made from
    done_ref: str | None  # the contact row logged when it was done


@dataclass(frozen=True, slots=True)
class PlannedCase:
    line: int
    title: str
    terms: str
    opened_on: dt.date
    check_date: dt.date | None
    status: str
    parties: tuple[PlannedStudent, ...]
    contact_refs: tuple[str, ...]


@dataclass(slots=True)
class Preview:
    file_name: str
    kind: str
    columns: list[ColumnUse]
    rows: list[PlannedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    total_problems: int = 0
    unknown: list[UnknownValue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    new_schools: list[str] = field(default_factory=list)
    new_students: int = 0
    follow_ups: int = 0
    date_question: dates.OrderEvidence | None = None
    date_order: dates.DateOrder | None = None
    rows_read: int = 0
    sheets: tuple[str, ...] = ()
    sheet: str | None = None
    # A file with a ``record`` column: its other rows, and contact rows written exactly as they
    # say (a student's grade comes from the student's own row, an empty grade stays empty).
    records: bool = False
    types: list[PlannedType] = field(default_factory=list)
    students: list[PlannedStudentRecord] = field(default_factory=list)
    follow_up_records: list[PlannedFollowUpRecord] = field(default_factory=list)
    cases: list[PlannedCase] = field(default_factory=list)

    @property
    def contacts(self) -> int:
        return len(self.rows)

    @property
    def ok(self) -> bool:
        """Nothing stands in the way: the rows can be written as shown."""
        return (
            not self.total_problems
            and not self.unknown
            and self.date_question is None
            and self.records_to_write > 0
        )

    @property
    def records_to_write(self) -> int:
        return (
            len(self.rows)
            + len(self.types)
            + len(self.students)
            + len(self.follow_up_records)
            + len(self.cases)
        )

    def unknown_schools(self) -> list[UnknownValue]:
        return [u for u in self.unknown if u.field == "school"]


class _Problems:
    def __init__(self) -> None:
        self.shown: list[Problem] = []
        self.total = 0

    def add(self, line: int | None, message: str, fix: str | None = None) -> None:
        self.total += 1
        if len(self.shown) < MAX_REPORTED_PROBLEMS:
            self.shown.append(Problem(line, message, fix))


class _Unknown:
    def __init__(self) -> None:
        self.by_key: dict[tuple[str, str], UnknownValue] = {}
        self.long_text: dict[str, list[int]] = {}  # field -> lines whose cell is not a label

    def add(self, field_name: str, text: str, line: int, suggestion: str | None) -> None:
        if not values.shows_as_label(text):
            self.long_text.setdefault(field_name, []).append(line)
            return
        key = (field_name, values.normalize_label(text) or text.strip())
        seen = self.by_key.get(key)
        if seen is None:
            self.by_key[key] = UnknownValue(field_name, text.strip(), 1, line, suggestion)
        else:
            seen.rows += 1


class _RowError(ValueError):
    pass


class _Skipped(Exception):
    """The row's trouble is reported in a list of its own (unknown labels, refused schools)."""


# -- columns --------------------------------------------------------------------------------------
def resolve_columns(
    table: Table, mapping: Mapping, problems: _Problems | None = None
) -> dict[str, int]:
    """Our field -> column index: the mapping's choices first, then header names and synonyms."""
    problems = problems or _Problems()
    by_header: dict[str, list[int]] = {}
    for i, h in enumerate(table.header):
        if h:
            by_header.setdefault(normalize_header(h), []).append(i)
    chosen: dict[str, int] = {}
    for name, header in mapping.columns.items():
        if header is None:
            continue
        found = by_header.get(normalize_header(header), [])
        if not found:
            problems.add(
                None,
                f"the mapping reads {FIELD_BY_NAME[name].label.lower()} from a column "
                f"{_quote(header)}, but the file has no such column",
                "choose the column again",
            )
            continue
        chosen[name] = found[0]
    taken = set(chosen.values())
    for name, index in guess_columns(table.header).items():
        if name in mapping.columns or name in chosen or index in taken:
            continue
        chosen[name] = index
        taken.add(index)
    if (
        RECORD in chosen
        and mapping.columns.get(RECORD) is None
        and not _holds_kinds(table.column_values(chosen[RECORD]))
    ):
        del chosen[RECORD]  # a "Record" column of the spreadsheet's own (e.g. record numbers)
    if RECORD not in chosen:
        for name in RECORD_ONLY & chosen.keys():
            del chosen[name]
    for name, index in chosen.items():
        same = by_header.get(normalize_header(table.header[index]), [])
        if len(same) > 1:
            letters = " and ".join(column_letter(i) for i in same)
            problems.add(
                table.header_line,
                f"duplicate column: columns {letters} are both called "
                f"{_quote(table.header[index])} ({FIELD_BY_NAME[name].label.lower()})",
                "rename one of them in the file, or choose the column in the import",
            )
    return chosen


def _holds_kinds(cells: Iterable[Cell]) -> bool:
    """Whether a column headed "record" is ours: it names at least one kind of record."""
    return any(
        isinstance(c, str) and values.normalize_label(unprotect(c)) in _KIND_BY_LABEL for c in cells
    )


def column_uses(table: Table, chosen: dict[str, int]) -> list[ColumnUse]:
    field_of = {i: name for name, i in chosen.items()}
    uses: list[ColumnUse] = []
    for i, h in enumerate(table.header):
        samples: list[str] = []
        for _, cells in table.rows[:200]:
            if i < len(cells) and not is_blank(cells[i]):
                samples.append(_shorten(_text(cells[i])))
                if len(samples) == 3:
                    break
        uses.append(ColumnUse(i, h, field_of.get(i), tuple(samples)))
    return uses


# -- the plan ------------------------------------------------------------------------------------
def plan_import(
    table: Table,
    mapping: Mapping,
    snapshot: JournalSnapshot,
    *,
    add_schools: bool = False,
    approved_schools: Iterable[str] = (),
    date_order: dates.DateOrder | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Preview:
    """``add_schools`` adds every school name not on the list; ``approved_schools`` only those
    (the names the officer confirmed one by one in the import window)."""
    problems = _Problems()
    chosen = resolve_columns(table, mapping, problems)
    preview = Preview(
        file_name=table.name,
        kind=table.kind,
        columns=column_uses(table, chosen),
        notes=list(table.notes),
        rows_read=len(table.rows),
        sheets=table.sheets,
        sheet=table.sheet,
    )
    for i in table.unnamed_columns_with_data:
        preview.notes.append(
            f"Column {column_letter(i)} has values but no header: it is not imported. If its "
            "header cell is merged with the one beside it, unmerge them and name each column."
        )
    ignored = [h for i, h in enumerate(table.header) if h and i not in chosen.values()]
    if ignored:
        preview.notes.append(
            "Not imported (no field chosen): " + ", ".join(_quote(h) for h in ignored[:12])
        )
    # A file of records checks its required fields row by row (a student row has no date).
    missing = [name for name in REQUIRED if name not in chosen and RECORD not in chosen]
    for name in missing:
        problems.add(
            table.header_line,
            f"missing required column: no column is read as {FIELD_BY_NAME[name].label.lower()}",
            "choose which column holds it",
        )
    if not table.rows:
        problems.add(None, "the file has a header but no rows")
    if problems.total:
        return _finish(preview, problems, _Unknown())

    order = date_order or mapping.date_order
    evidence = dates.date_order_evidence(
        v for name in _DATE_FIELDS if name in chosen for v in table.column_values(chosen[name])
    )
    if order is None:
        if evidence.ambiguous:
            preview.date_question = evidence
            problems.add(
                None,
                "the dates could be month first or day first: every day in the file is 12 or "
                f"less (is {evidence.example or '3/4/2026'} in March or in April?)",
                "choose the date format: M/D/YYYY (US) or D/M/YYYY",
            )
            # Go on reading month first, only to find the file's other questions and problems
            # now (no value contradicts either order); nothing is written until it is answered.
            order = dates.DateOrder.MDY
        else:
            order = evidence.order
            preview.date_order = order
    else:
        preview.date_order = order
    if "time" in chosen:
        early = dates.looks_like_12_hour_without_suffix(table.column_values(chosen["time"]))
        if early:
            preview.notes.append(
                f"Times such as {early} have no AM/PM: they are read as 24-hour times "
                f"({early} in the night). Add AM/PM in the file if they are afternoon times."
            )
    planner = _Planner(table, mapping, snapshot, chosen, add_schools, order, problems)
    planner.approved = {normalize_alias(n) for n in approved_schools}
    if planner.records:
        planner.learn_types()
    total = len(table.rows)
    for n, (line, cells) in enumerate(table.rows):
        if n % 2048 == 0:
            if cancelled is not None and cancelled():
                raise ReadCancelled
            if progress is not None:
                progress(n / total)
        planner.row(line, cells)
    for line, col in table.formulas_without_value:
        problems.add(
            line,
            f"cell {column_letter(col)}{line} is a formula without a saved result",
            "open the file in your spreadsheet program and save it, so the result is stored",
        )
    for reason, lines in planner.refused_schools.items():
        if len(lines) == 1:
            problems.add(lines[0], reason)
        else:
            shown = ", ".join(str(n) for n in lines[:5]) + (" …" if len(lines) > 5 else "")
            problems.add(lines[0], f"{reason} ({len(lines)} rows: lines {shown})")
    planner.check_refs()
    preview.rows = planner.planned
    preview.new_schools = list(planner.new_schools.values())
    preview.new_students = len(planner.new_student_keys)
    preview.follow_ups = planner.follow_ups + len(planner.follow_up_records)
    preview.records = planner.records
    preview.types = planner.types
    preview.students = planner.student_records
    preview.follow_up_records = planner.follow_up_records
    preview.cases = planner.cases
    return _finish(preview, problems, planner.unknown)


def _finish(preview: Preview, problems: _Problems, unknown: _Unknown) -> Preview:
    for field_name, lines in unknown.long_text.items():
        label = FIELD_BY_NAME[field_name].label.lower()
        shown = ", ".join(str(n) for n in lines[:5]) + (" …" if len(lines) > 5 else "")
        problems.add(
            lines[0],
            f"{len(lines)} row(s) hold long text where {label} is expected (lines {shown})",
            "is the right column chosen for it?",
        )
    preview.problems = problems.shown
    preview.total_problems = problems.total
    preview.unknown = sorted(unknown.by_key.values(), key=lambda u: (u.field, u.first_line))
    if preview.date_question is not None:
        preview.rows = []  # read month first only provisionally: not rows to show or save
    elif not preview.ok:
        preview.rows = preview.rows[:PREVIEW_ROWS]
    return preview


class _Planner:
    def __init__(
        self,
        table: Table,
        mapping: Mapping,
        snapshot: JournalSnapshot,
        chosen: dict[str, int],
        add_schools: bool,
        order: dates.DateOrder | None,
        problems: _Problems,
    ) -> None:
        self.table = table
        self.mapping = mapping
        self.snapshot = snapshot
        self.col = chosen
        self.add_schools = add_schools
        self.approved: set[str] = set()
        self.order = order
        self.problems = problems
        self.unknown = _Unknown()
        self.sep = mapping.list_separator
        self.width = len(table.header)
        self.planned: list[PlannedRow] = []
        self.new_schools: dict[str, str] = {}  # key -> name, in order of first use
        self.new_student_keys: set[tuple[str, str]] = set()
        self.follow_ups = 0
        self.vocab = {
            "type": values.type_vocabulary((t.code, t.label) for t in snapshot.types),
            "outcome": values.outcome_vocabulary(),
            "initiated_by": values.initiator_vocabulary(),
            "referrals": values.referral_vocabulary(),
            "roles": values.role_vocabulary(),
        }
        self.category = {t.code: t.category for t in snapshot.types}
        # The officer's value mapping, by normalised label.
        self.value_map = {
            name: {values.normalize_label(k): v for k, v in table_.items()}
            for name, table_ in mapping.values.items()
        }
        self.school_cache: dict[str, str | None] = {}
        self.resolved: dict[tuple[str, str], str | None] = {}
        self.keys: dict[str, str] = {}  # alias or school name -> normalize_alias of it
        self.grades: dict[str, str | None] = {}
        # Refused school names, by reason -> lines: one problem per reason, not one per row.
        self.refused_schools: dict[str, list[int]] = {}
        self.row_skipped = False
        self.default_school = self._default_school()
        # A file with a ``record`` column (docs/cli.md, "Export"): its other kinds of rows.
        self.records = RECORD in chosen
        self.types: list[PlannedType] = []
        self.student_records: list[PlannedStudentRecord] = []
        self.follow_up_records: list[PlannedFollowUpRecord] = []
        self.cases: list[PlannedCase] = []
        self.refs: dict[str, int] = {}  # a contact row's ref -> its line
        self.declared: dict[tuple[str, str], int] = {}  # a student row's key -> its line
        self.type_lines: dict[str, int] = {}  # a contact-type row's code -> its line
        self.known_types = {t.code: t for t in snapshot.types}

    def _default_school(self) -> str | None:
        if self.mapping.default_school:
            ref = self.snapshot.schools.get(normalize_alias(self.mapping.default_school))
            if ref is not None:
                return ref.name
            self.problems.add(
                None,
                f"the default school {_quote(self.mapping.default_school)} is not on the "
                "school list",
                "add it in Settings > Schools or choose another",
            )
            return None
        if "school" in self.col:
            return None
        if len(self.snapshot.active_schools) == 1:
            return self.snapshot.active_schools[0].name
        return None

    def cell(self, cells: Sequence[Cell], name: str) -> Cell:
        i = self.col.get(name)
        if i is None or i >= len(cells):
            return None
        return cells[i]

    def text(self, cells: Sequence[Cell], name: str) -> str:
        return _text(self.cell(cells, name))

    def row(self, line: int, cells: Sequence[Cell]) -> None:
        if self.table.kind == "csv" and len(cells) != self.width:
            extra = cells[self.width :]
            if len(cells) < self.width or any(not is_blank(c) for c in extra):
                self.problems.add(
                    line,
                    f"{len(cells)} fields where the header has {self.width}",
                    "a comma or line break inside a cell that is not in quotes?",
                )
                return
        if (
            max(map(len, cells), default=0) > MAX_FIELD_CHARS  # type: ignore[arg-type]
            if self.table.kind == "csv"
            else any(isinstance(c, str) and len(c) > MAX_FIELD_CHARS for c in cells)
        ):
            self.problems.add(line, "a cell is longer than 1 MB")
            return
        self.row_skipped = False
        try:
            kind = self.kind(cells)
            if kind != "contact":
                self._record(kind, line, cells)
                return
            # Taken first, so that rows pointing at a contact row with a problem of its own
            # are not reported too.
            ref = self._ref(line, cells) if self.records else None
            planned = self._plan(line, cells, ref)
        except _RowError as exc:
            self.problems.add(line, str(exc))
            return
        except _Skipped:
            return
        self.planned.append(planned)
        self.follow_ups += len(planned.follow_ups)
        for s in planned.students:
            if s.new:
                self.new_student_keys.add((self.key(s.school), self.key(s.alias)))

    def key(self, text: str) -> str:
        k = self.keys.get(text)
        if k is None:
            k = self.keys[text] = normalize_alias(text)
        return k

    def grade(self, text: str) -> str | None:
        if text in self.grades:
            return self.grades[text]
        g = self.grades[text] = values.parse_grade(text)
        return g

    def _field_error(self, name: str, reason: str) -> _RowError:
        header = self.table.header[self.col[name]] if name in self.col else name
        return _RowError(f"{header}: {reason}")

    def _date(self, value: Cell, name: str) -> dates.ParsedDate:
        try:
            return dates.parse_date(value, self.order)
        except dates.DateError as exc:
            raise self._field_error(
                name, f"{exc} (write it like 2026-11-03 or 11/3/2026)"
            ) from None

    def _plan(self, line: int, cells: Sequence[Cell], ref: str | None = None) -> PlannedRow:
        date_cell = self.cell(cells, "date")
        if is_blank(date_cell):
            raise self._field_error("date", "date is required")
        parsed = self._date(date_cell, "date")
        time_cell = self.cell(cells, "time")
        when_time = parsed.time or dt.time(0, 0)
        if not is_blank(time_cell):
            try:
                when_time = dates.parse_time(time_cell)
            except dates.DateError as exc:
                raise self._field_error("time", str(exc)) from None
        type_code = self._coded(cells, "type", line)
        if type_code is None and not self.row_skipped:
            raise self._field_error("type", "type is required")
        duration = self._number(cells, "duration_min", values.parse_minutes, 0, 1440)
        attendees = self._number(cells, "attendees", values.parse_count, 0, 100_000)
        school = self._school(self.text(cells, "school"), line, "school")
        if school is None and not self.row_skipped:
            raise self._field_error(
                "school", "school is required (name the school; the vault has several or none)"
            )
        initiated = self._coded(cells, "initiated_by", line)
        outcome = self._coded(cells, "outcome", line)
        referrals = self._referrals(cells, line)
        students = self._students(cells, line, school, type_code)
        follow_ups = self._follow_ups(cells)
        if self.row_skipped:
            raise _Skipped
        assert type_code is not None and school is not None
        notes = self.text(cells, "notes") if "notes" in self.col else ""
        tags = tuple(dict.fromkeys(split_list(self.text(cells, "tags"), self.sep)))
        redacted = self._flag(cells, "notes_purged")
        return PlannedRow(
            line=line,
            occurred_at=dt.datetime.combine(parsed.date, when_time),
            school=school,
            type_code=type_code,
            students=students,
            duration_min=duration,
            initiated_by=initiated,
            outcome=outcome,
            referrals=referrals,
            tags=tags,
            notes=notes,
            attendees=attendees,
            follow_ups=follow_ups,
            ref=ref,
            redacted=redacted,
        )

    def _unknown(self, name: str, text: str, line: int, suggestion: str | None) -> None:
        self.row_skipped = True
        self.unknown.add(name, text, line, suggestion)

    def _number(
        self,
        cells: Sequence[Cell],
        name: str,
        parse: Callable[[Cell], int | None],
        lo: int,
        hi: int,
    ) -> int | None:
        try:
            n = parse(self.cell(cells, name))
        except ValueError as exc:
            raise self._field_error(name, str(exc)) from None
        if n is not None and not lo <= n <= hi:
            raise self._field_error(name, f"must be between {lo} and {hi:,}")
        return n

    def _resolve(self, name: str, text: str, line: int) -> str | None:
        """A label as a code; an unknown label is recorded and None returned."""
        # A file repeats a handful of labels over thousands of rows: resolve each once.
        if (name, text) in self.resolved:
            cached = self.resolved[(name, text)]
            if cached is None:
                self._unknown(name, text, line, None)
            return cached
        code = self._resolve_new(name, text, line)
        self.resolved[(name, text)] = code
        return code

    def _resolve_new(self, name: str, text: str, line: int) -> str | None:
        key = values.normalize_label(text)
        mapped = self.value_map.get(name, {}).get(key)
        vocab = self.vocab[name]
        if mapped is not None:
            code = vocab.resolve(mapped)
            if code is None:
                raise self._field_error(
                    name, f"the mapping maps a label to {_quote(mapped)}, which is not a code"
                )
            return code
        code = vocab.resolve(text)
        if code is None:
            self._unknown(name, text, line, vocab.suggest(text))
        return code

    def _coded(self, cells: Sequence[Cell], name: str, line: int) -> str | None:
        if name not in self.col:
            return None
        text = self.text(cells, name).strip()
        if not text or (len(text) <= 4 and values.normalize_label(text) in values.BLANK_WORDS):
            return None
        return self._resolve(name, text, line)

    def _referrals(self, cells: Sequence[Cell], line: int) -> tuple[str, ...]:
        text = self.text(cells, "referrals")
        if not text.strip():
            return ()
        # Referral labels hold no commas: a comma-separated list is read as one too.
        items = split_list(text, self.sep)
        if len(items) == 1 and "," in items[0]:
            items = split_list(items[0], ",")
        codes: list[str] = []
        for item in items:
            if values.normalize_label(item) in values.BLANK_WORDS:
                continue
            code = self._resolve("referrals", item, line)
            if code is not None:
                codes.append(code)
        if len(set(codes)) != len(codes):
            raise self._field_error("referrals", "lists a referral target twice")
        return tuple(codes)

    def _school(self, text: str, line: int, name: str) -> str | None:
        """The school's name on the list (or as it will be added), or None when unknown."""
        text = text.strip()
        if not text:
            return self.default_school if name == "school" else None
        if text in self.school_cache:
            cached = self.school_cache[text]
            if cached is None:
                self._unknown("school", text, line, None)
            return cached
        mapped = self.value_map.get("school", {}).get(values.normalize_label(text))
        target = mapped if mapped is not None else text
        try:
            cleaned = clean_school_name(target)
        except SchoolNameRefused as exc:
            header = self.table.header[self.col[name]] if name in self.col else name
            self.refused_schools.setdefault(f"{header}: {exc}", []).append(line)
            self.row_skipped = True
            return None
        key = normalize_alias(cleaned)
        ref = self.snapshot.schools.get(key)
        result: str | None
        if ref is not None:
            result = ref.name
        elif key in self.new_schools:
            result = self.new_schools[key]
        elif self.add_schools or key in self.approved:
            self.new_schools[key] = cleaned
            result = cleaned
        else:
            if mapped is not None:
                raise self._field_error(
                    name, f"the mapping names the school {_quote(mapped)}, which is not on the list"
                )
            result = None
        self.school_cache[text] = result
        if result is None:
            self._unknown("school", text, line, _suggest_school(cleaned, self.snapshot))
        return result

    def _students(
        self, cells: Sequence[Cell], line: int, school: str | None, type_code: str | None
    ) -> tuple[PlannedStudent, ...]:
        aliases = split_list(self.text(cells, "students"), self.sep)
        if not aliases:
            return ()
        n = len(aliases)

        def aligned(name: str, what: str) -> list[str]:
            text = self.text(cells, name)
            if not text.strip():
                return []
            items = split_list(text, self.sep, keep_empty=True)
            if len(items) != n:
                raise self._field_error(name, f"must list one {what} per student, in order")
            return items

        grades_raw = aligned("grades", "grade")
        if not grades_raw and "grades" in self.col:
            single = self.cell(cells, "grades")
            if isinstance(single, int | float) and n == 1:  # an Excel number cell
                grades_raw = [_text(single)]
        roles_raw = aligned("roles", "role")
        schools_raw = aligned("student_schools", "school")
        keys = [self.key(a) for a in aliases]
        if len(set(keys)) != n:
            raise self._field_error("students", "lists the same student twice")
        default_role = (
            "party" if type_code is not None and self.category.get(type_code) == "conflict" else
            "participant"
        )  # fmt: skip
        out: list[PlannedStudent] = []
        for i, alias in enumerate(aliases):
            if len(alias) > MAX_ALIAS_CHARS:
                raise self._field_error(
                    "students", f"a student alias is longer than {MAX_ALIAS_CHARS} characters"
                )
            try:
                grade = self.grade(grades_raw[i]) if grades_raw else None
            except ValueError as exc:
                raise self._field_error("grades", str(exc)) from None
            role = default_role
            if roles_raw and roles_raw[i].strip():
                role = self._resolve("roles", roles_raw[i], line) or default_role
            own_school = school
            if schools_raw and schools_raw[i].strip():
                own_school = self._school(schools_raw[i], line, "student_schools")
            if own_school is None:
                continue  # an unknown school: reported once in the unknown list
            ref = self.snapshot.schools.get(self.key(own_school))
            new = ref is None or (ref.id, keys[i]) not in self.snapshot.students
            out.append(PlannedStudent(alias, own_school, grade, role, new))
        return tuple(out)

    def _follow_ups(self, cells: Sequence[Cell]) -> tuple[PlannedFollowUp, ...]:
        if "follow_up" not in self.col:
            return ()
        raw = self.cell(cells, "follow_up")
        if is_blank(raw):
            return ()
        dues: list[Cell] = [raw] if isinstance(raw, dt.date) else []
        if not dues:
            dues.extend(split_list(_text(raw), self.sep))
        n = len(dues)

        def aligned(name: str) -> list[Cell]:
            value = self.cell(cells, name)
            if is_blank(value):
                return []
            if not isinstance(value, str):
                return [value] if n == 1 else []
            items = split_list(_text(value), self.sep, keep_empty=True)
            if len(items) != n:
                raise self._field_error(name, "must list one entry per follow-up, in order")
            return list(items)

        whats = aligned("follow_up_what")
        statuses = aligned("follow_up_status")
        dones = aligned("follow_up_done")
        out: list[PlannedFollowUp] = []
        for i, due_raw in enumerate(dues):
            due = self._date(due_raw, "follow_up").date
            # A follow-up column of our own format may hold an empty "what" (a purged one).
            what = _text(whats[i]) if whats else ""
            if not whats and "follow_up_what" not in self.col:
                what = DEFAULT_FOLLOW_UP_WHAT
            status = (_text(statuses[i]).strip().casefold() if statuses else "") or "open"
            if status not in FOLLOW_UP_STATUSES:
                raise self._field_error(
                    "follow_up_status", "must be " + ", ".join(FOLLOW_UP_STATUSES)
                )
            done_on = None
            if dones and not is_blank(dones[i]):
                done_on = self._date(dones[i], "follow_up_done").date
            out.append(PlannedFollowUp(due, what, status, done_on))
        return tuple(out)

    # -- the other rows of a file with a ``record`` column (docs/cli.md, "Export") -------------
    def kind(self, cells: Sequence[Cell]) -> str:
        """What a row holds: a contact unless the ``record`` column says otherwise."""
        if not self.records:
            return "contact"
        text = self.text(cells, RECORD).strip()
        if not text:
            return "contact"
        kind = _KIND_BY_LABEL.get(values.normalize_label(text))
        if kind is None:
            what = f"{_quote(text)} is" if values.shows_as_label(text) else "this is"
            raise self._field_error(
                RECORD, f"{what} not a kind of record (" + ", ".join(RECORD_KINDS) + ")"
            )
        return kind

    def _header(self, name: str) -> str:
        return self.table.header[self.col[name]] if name in self.col else name

    def _flag(self, cells: Sequence[Cell], name: str) -> bool:
        if name not in self.col:
            return False
        try:
            return values.parse_flag(self.text(cells, name))
        except ValueError as exc:
            raise self._field_error(name, str(exc)) from None

    def _optional_date(self, cells: Sequence[Cell], name: str) -> dt.date | None:
        value = self.cell(cells, name)
        return None if is_blank(value) else self._date(value, name).date

    def _ref(self, line: int, cells: Sequence[Cell]) -> str | None:
        ref = self.text(cells, "ref").strip()
        if not ref:
            return None
        first = self.refs.setdefault(ref, line)
        if first != line:
            raise self._field_error(
                "ref", f"line {first} has the same reference; each contact row needs its own"
            )
        return ref

    def _record(self, kind: str, line: int, cells: Sequence[Cell]) -> None:
        if kind == "contact_type":
            self.types.append(self._plan_type(line, cells))
            return
        if kind == "student":
            self.student_records.append(self._plan_student(line, cells))
            return
        if kind == "follow_up":
            follow_up = self._plan_follow_up_record(line, cells)
            self.follow_up_records.append(follow_up)
            students = follow_up.students
        else:
            case = self._plan_case(line, cells)
            self.cases.append(case)
            students = case.parties
        for s in students:
            if s.new:
                self.new_student_keys.add((self.key(s.school), self.key(s.alias)))

    def learn_types(self) -> None:
        """The contact types the file defines, so that its contact rows (anywhere in the file)
        can use them. A type row with a problem is reported when it is planned in turn."""
        learned = dict(self.known_types)
        for _line, cells in self.table.rows:
            try:
                if self.kind(cells) != "contact_type":
                    continue
                code = checked_type_code(self.text(cells, "type"))
                label = clean_label(self.text(cells, "type_label"), "Type label")
            except (_RowError, InvalidInput):
                continue
            category = _category(self.text(cells, "type_category"))
            if code not in learned and category in CATEGORIES:
                learned[code] = TypeRef(code, label, category)
        if len(learned) > len(self.known_types):
            self.vocab["type"] = values.type_vocabulary((t.code, t.label) for t in learned.values())
            self.category = {t.code: t.category for t in learned.values()}

    def _plan_type(self, line: int, cells: Sequence[Cell]) -> PlannedType:
        try:
            code = checked_type_code(self.text(cells, "type"))
        except InvalidInput as exc:
            raise self._field_error("type", exc.message) from None
        try:
            label = clean_label(self.text(cells, "type_label"), "Type label")
        except InvalidInput as exc:
            raise self._field_error("type_label", exc.message) from None
        category = _category(self.text(cells, "type_category"))
        if category not in CATEGORIES:
            raise self._field_error("type_category", "must be one of " + ", ".join(CATEGORIES))
        first = self.type_lines.setdefault(code, line)
        if first != line:
            raise self._field_error("type", f"line {first} defines the same contact type")
        known = self.known_types.get(code)
        if known is not None and known.category != category:
            raise self._field_error(
                "type",
                f"this vault has the contact type {code!r} in the category {known.category}, "
                f"not {category}",
            )
        return PlannedType(
            line,
            code,
            label,
            category,
            self._flag(cells, "group_activity"),
            self._flag(cells, "retired"),
            new=known is None,
        )

    def _plan_student(self, line: int, cells: Sequence[Cell]) -> PlannedStudentRecord:
        aliases = split_list(self.text(cells, "students"), self.sep)
        if len(aliases) != 1:
            raise self._field_error("students", "a student row names one student")
        alias = aliases[0]
        if len(alias) > MAX_ALIAS_CHARS:
            raise self._field_error(
                "students", f"a student alias is longer than {MAX_ALIAS_CHARS} characters"
            )
        school = self._school(self.text(cells, "school"), line, "school")
        if school is None and not self.row_skipped:
            raise self._field_error("school", "school is required (the student's school)")
        try:
            grade = self.grade(self.text(cells, "grades"))
        except ValueError as exc:
            raise self._field_error("grades", str(exc)) from None
        archived = self._flag(cells, "archived")
        if self.row_skipped:
            raise _Skipped
        assert school is not None
        key = (self.key(school), self.key(alias))
        first = self.declared.setdefault(key, line)
        if first != line:
            raise self._field_error("students", f"line {first} is a row for the same student")
        ref = self.snapshot.schools.get(key[0])
        new = ref is None or (ref.id, key[1]) not in self.snapshot.students
        if new:
            self.new_student_keys.add(key)
        notes = self.text(cells, "notes") if "notes" in self.col else ""
        return PlannedStudentRecord(line, alias, school, grade, notes, archived, new)

    def _record_students(self, cells: Sequence[Cell], line: int) -> tuple[PlannedStudent, ...]:
        """The students of a follow-up or the parties of a case, at the row's school unless
        ``student_schools`` says otherwise."""
        if not split_list(self.text(cells, "students"), self.sep):
            return ()
        school = self._school(self.text(cells, "school"), line, "school")
        if school is None and not self.row_skipped:
            raise self._field_error("school", "school is required (the students' school)")
        return self._students(cells, line, school, None)

    def _plan_follow_up_record(self, line: int, cells: Sequence[Cell]) -> PlannedFollowUpRecord:
        due = self._optional_date(cells, "follow_up")
        if due is None:
            raise self._field_error("follow_up", "the due date is required")
        status = self.text(cells, "follow_up_status").strip().casefold() or "open"
        if status not in FOLLOW_UP_STATUSES:
            raise self._field_error("follow_up_status", "must be " + ", ".join(FOLLOW_UP_STATUSES))
        done_on = self._optional_date(cells, "follow_up_done")
        students = self._record_students(cells, line)
        sources = split_list(self.text(cells, "contacts"), self.sep)
        if len(sources) > 1:
            raise self._field_error("contacts", "a follow-up comes from one contact at most")
        done_ref = self.text(cells, "done_contact").strip() or None
        if self.row_skipped:
            raise _Skipped
        return PlannedFollowUpRecord(
            line,
            due,
            self.text(cells, "follow_up_what"),
            status,
            done_on,
            students,
            sources[0] if sources else None,
            done_ref,
        )

    def _plan_case(self, line: int, cells: Sequence[Cell]) -> PlannedCase:
        opened = self._optional_date(cells, "date")
        if opened is None:
            raise self._field_error("date", "the day the case was opened is required")
        status = self.text(cells, "case_status").strip().casefold() or "open"
        if status not in CONFLICT_STATUSES:
            raise self._field_error("case_status", "must be " + ", ".join(CONFLICT_STATUSES))
        check_date = self._optional_date(cells, "check_date")
        parties = self._record_students(cells, line)
        refs = tuple(dict.fromkeys(split_list(self.text(cells, "contacts"), self.sep)))
        if self.row_skipped:
            raise _Skipped
        return PlannedCase(
            line,
            self.text(cells, "case_title"),
            self.text(cells, "case_terms"),
            opened,
            check_date,
            status,
            parties,
            refs,
        )

    def check_refs(self) -> None:
        """Every contact a follow-up or case row points at is a contact row of the file."""

        def check(line: int, ref: str | None, name: str) -> None:
            if ref is not None and ref not in self.refs:
                self.problems.add(
                    line,
                    f"{self._header(name)}: no contact row has the reference {_quote(ref)}",
                    "give that contact row the reference in its ref column, or empty the cell",
                )

        for f in self.follow_up_records:
            check(f.line, f.source_ref, "contacts")
            check(f.line, f.done_ref, "done_contact")
        for c in self.cases:
            for ref in c.contact_refs:
                check(c.line, ref, "contacts")


def _category(text: str) -> str:
    return values.normalize_label(text).replace(" ", "_")


def _suggest_school(name: str, snapshot: JournalSnapshot) -> str | None:
    """A school on the list whose name starts like this one ("Lincoln HS" -> "Lincoln High")."""
    words = normalize_alias(name).split()
    if not words:
        return None
    hits = [
        s.name for s in snapshot.active_schools if normalize_alias(s.name).split()[:1] == words[:1]
    ]
    return hits[0] if len(hits) == 1 else None


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, str):
        return unprotect(cell)
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        return cell.strftime("%Y-%m-%d %H:%M") if cell.time() else cell.date().isoformat()
    if isinstance(cell, dt.date | dt.time):
        return cell.isoformat()
    return str(cell)


def _quote(text: str) -> str:
    return repr(_shorten(text))


def _shorten(text: str, limit: int = 40) -> str:
    t = " ".join(text.split())
    return t if len(t) <= limit else t[: limit - 1] + "…"
