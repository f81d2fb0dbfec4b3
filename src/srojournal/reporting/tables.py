"""The fixed table catalogue T0–T6 of one period, computed from coded facts.

A period is a month ``YYYY-MM``, a quarter ``YYYY-Qn`` or a school year ``YYYY-YY``
(:mod:`srojournal.domain.periods`). The tables of a quarter or a school year are computed from
the facts of all its months at once (:func:`combine_months`), never by adding released months:
distinct students are distinct over the whole period, and hours are rounded once.

Every cell keeps, besides its count, the set of distinct student ids behind it (for primary
suppression) and the set of outcome groups of its contacts (for the group-attribute rule). Those
sets never leave the reporting layer: renderers only ever see a :class:`~.model.Summary`.

Layout rules (documented in the summary format description):

* ``_all`` is the margin value of a dimension and always comes last.
* T0 has one dimension ``measure`` (contacts, students, hours, follow_ups_due, follow_ups_done);
  it has no margin. Hours are the period's recorded minutes / 60, rounded half up.
* T5 has one dimension ``status`` (due, done_on_time, done_late, open); ``due`` is its total.
* T6 has two dimensions ``contact_type`` × ``measure``; ``measure`` is ``contacts`` (the table's
  unit) or ``attendees`` (the recorded attendees of those contacts) and has no margin. Custom
  group-activity types are reported as ``other`` so that no officer-made label leaves the laptop.
* Two cells with the same *logical key* (unit, scope and coordinates without ``_all``) are the same
  number wherever they appear, e.g. the category margins of T1 and T2 or T0 ``contacts`` and the
  grand totals of T1 and T2.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from srojournal.domain.facts import MonthFacts
from srojournal.domain.periods import Period, parse_period
from srojournal.domain.taxonomy import (
    BUILTIN_CONTACT_TYPES,
    CATEGORIES,
    GRADE_BANDS,
    NO_OUTCOME_GROUP,
    OUTCOME_GROUPS,
    REFERRAL_TARGETS,
    SENSITIVE_OUTCOME_GROUPS,
)

from .errors import ReportRejected

ALL = "_all"
OTHER_TYPE = "other"
# Referral targets whose count says something sensitive about the students behind it.
SENSITIVE_REFERRALS = frozenset(
    {
        "child_protection",
        "crisis_mental_health",
        "chemical_health",
        "diversion_program",
        "juvenile_court",
    }
)
SENSITIVE_GROUPS = SENSITIVE_OUTCOME_GROUPS

T0_MEASURES = ("contacts", "students", "hours", "follow_ups_due", "follow_ups_done")
T5_STATUSES = ("due", "done_on_time", "done_late", "open")
T6_MEASURES = ("contacts", "attendees")
OUTCOME_GROUP_VALUES = (*OUTCOME_GROUPS, NO_OUTCOME_GROUP)
GROUP_TYPES = tuple(t.code for t in BUILTIN_CONTACT_TYPES if t.group_activity)
TYPE_CATEGORY = {t.code: t.category for t in BUILTIN_CONTACT_TYPES}
FOLLOW_UP_FACT_STATUSES = ("done_on_time", "done_late", "open", "cancelled")

TABLE_IDS = ("T0", "T1", "T2", "T3", "T4", "T5", "T6")
TABLE_UNITS = {
    "T0": "contacts",
    "T1": "contacts",
    "T2": "contacts",
    "T3": "student_contacts",
    "T4": "referrals",
    "T5": "follow_ups",
    "T6": "contacts",
}
TABLE_DIMENSIONS: dict[str, tuple[str, ...]] = {
    "T0": ("measure",),
    "T1": ("category", "outcome_group"),
    "T2": ("school", "category"),
    "T3": ("grade_band", "category"),
    "T4": ("referral",),
    "T5": ("follow_up_status",),
    "T6": ("contact_type", "measure"),
}
TABLE_TITLES = {
    "T0": "Headline figures",
    "T1": "Contacts by category and outcome group",
    "T2": "Contacts by school and category",
    "T3": "Student contacts by grade band and category",
    "T4": "Referrals by target",
    "T5": "Follow-ups due in the period",
    "T6": "Group activities: contacts and attendees by type",
}

LogicalKey = tuple[str, str, tuple[tuple[str, str], ...]]
"""(quantity, scope, coordinates without margins): equal keys are equal numbers."""


def dimension_values(table_id: str, dimension: str, schools: Sequence[str]) -> tuple[str, ...]:
    """The ordered values of one dimension of one table (margin ``_all`` last where it exists)."""
    if table_id == "T0":
        return T0_MEASURES
    if table_id == "T5":
        return T5_STATUSES
    if table_id == "T6" and dimension == "measure":
        return T6_MEASURES
    base: tuple[str, ...] = {
        "category": CATEGORIES,
        "outcome_group": OUTCOME_GROUP_VALUES,
        "school": tuple(schools),
        "grade_band": GRADE_BANDS,
        "referral": tuple(REFERRAL_TARGETS),
        "contact_type": (*GROUP_TYPES, OTHER_TYPE),
    }[dimension]
    return (*base, ALL)


def has_margin(table_id: str, dimension: str) -> bool:
    return table_id not in ("T0", "T5") and not (table_id == "T6" and dimension == "measure")


def logical_key(table_id: str, coords: Sequence[str]) -> LogicalKey:
    """The identity of the number in one cell, shared by cells of the same unit and coordinates."""
    return _logical_key(table_id, tuple(coords))


@functools.lru_cache(maxsize=8192)
def _logical_key(table_id: str, coords: tuple[str, ...]) -> LogicalKey:
    dims = TABLE_DIMENSIONS[table_id]
    if table_id == "T0":
        measure = coords[0]
        quantity = {
            "contacts": "contacts",
            "students": "students",
            "hours": "hours",
            "follow_ups_due": "follow_ups",
            "follow_ups_done": "follow_ups_done",
        }[measure]
        return (quantity, "month", ())
    if table_id == "T5":
        status = coords[0]
        return ("follow_ups", "month", () if status == "due" else (("follow_up_status", status),))
    if table_id == "T6":
        measure = coords[1]
        ctype = coords[0]
        return (measure, "group", () if ctype == ALL else (("contact_type", ctype),))
    pairs = tuple(sorted((d, v) for d, v in zip(dims, coords, strict=True) if v != ALL))
    return (TABLE_UNITS[table_id], "month", pairs)


@dataclass(frozen=True, slots=True)
class CellData:
    """One cell with what suppression needs to know about it (never rendered)."""

    table_id: str
    coords: tuple[str, ...]
    count: int
    students: frozenset[int]
    groups: frozenset[str]
    linked_items: int
    """How many of the cell's items (contacts, referrals, follow-ups) name students."""

    @property
    def student_linked(self) -> bool:
        return self.linked_items > 0

    @property
    def key(self) -> LogicalKey:
        return logical_key(self.table_id, self.coords)


@dataclass(frozen=True, slots=True)
class TableData:
    id: str
    unit: str
    dimensions: tuple[str, ...]
    cells: tuple[CellData, ...]


@dataclass(slots=True)
class LinkedContacts:
    """What the group-attribute rule needs: the student-linked contacts of one group of rows.

    ``groups`` counts those contacts per outcome group, ``referrals`` per referral target.
    Contacts without students (drills, event duty, staff consultations) are not counted.
    """

    total: int = 0
    groups: dict[str, int] = field(default_factory=dict)
    referrals: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MonthTables:
    """The tables of one period (the name is historical: any period shape)."""

    period: str
    schools: tuple[str, ...]
    tables: tuple[TableData, ...]
    all_students: frozenset[int]
    # Student-linked contacts per category, and over the whole period under ``_all``.
    linked: dict[str, LinkedContacts] = field(default_factory=dict, compare=False)
    minutes: int = 0
    """The period's recorded minutes (T0 hours rounds them once, for the whole period)."""

    def cells(self) -> Iterable[CellData]:
        for table in self.tables:
            yield from table.cells

    def values(self) -> dict[LogicalKey, int]:
        out: dict[LogicalKey, int] = {}
        for cell in self.cells():
            out.setdefault(cell.key, cell.count)
        return out


PeriodTables = MonthTables


class _Acc:
    __slots__ = ("count", "groups", "linked", "students")

    def __init__(self) -> None:
        self.count = 0
        self.students: set[int] = set()
        self.groups: set[str] = set()
        self.linked = 0  # items with students

    def add(self, amount: int, group: str | None, ids: tuple[int, ...]) -> None:
        self.count += amount
        if group is not None:
            self.groups.add(group)
        if ids:
            self.linked += 1
            self.students.update(ids)

    def merge(self, other: _Acc) -> None:
        self.count += other.count
        self.students |= other.students
        self.groups |= other.groups
        self.linked += other.linked


def period_of(text: str) -> Period:
    """The period named by ``text``; ReportRejected (exit 5) with the expected shapes otherwise."""
    try:
        return parse_period(text)
    except ValueError as exc:
        raise ReportRejected(f"invalid period: {exc}") from None


def combine_months(period: str, months: Sequence[MonthFacts]) -> MonthFacts:
    """The facts of a quarter or school year: every month's contacts and follow-ups together.

    Student ids are stable across months, so distinct students stay distinct over the period.
    Schools are the union of the months' school lists, in order of first appearance.
    """
    schools: dict[str, None] = {}
    for m in months:
        schools.update(dict.fromkeys(m.schools))
    return MonthFacts(
        period,
        tuple(c for m in months for c in m.contacts),
        tuple(f for m in months for f in m.follow_ups),
        tuple(schools),
    )


def validate_facts(facts: MonthFacts) -> None:
    """Reject facts that would put a label outside the closed code lists into a summary."""
    period_of(facts.period)
    if len(set(facts.schools)) != len(facts.schools) or ALL in facts.schools:
        raise ReportRejected("invalid month data: duplicate or reserved school name")
    schools = set(facts.schools)
    for c in facts.contacts:
        if (
            c.school not in schools
            or c.category not in CATEGORIES
            or c.outcome_group not in OUTCOME_GROUP_VALUES
            or any(r not in REFERRAL_TARGETS for r in c.referrals)
            or any(s.grade_band not in GRADE_BANDS for s in c.students)
            or c.duration_min < 0
            or c.attendees < 0
        ):
            raise ReportRejected("invalid month data: a contact carries an unknown code")
    for f in facts.follow_ups:
        if f.status not in FOLLOW_UP_FACT_STATUSES:
            raise ReportRejected("invalid month data: unknown follow-up status")


def _emit(table_id: str, schools: Sequence[str], accs: dict[tuple[str, ...], _Acc]) -> TableData:
    dims = TABLE_DIMENSIONS[table_id]
    value_lists = [dimension_values(table_id, d, schools) for d in dims]
    empty = frozenset[Any]()
    cells: list[CellData] = []
    for coords in itertools.product(*value_lists):
        acc = accs.get(coords)
        if acc is None:
            cells.append(CellData(table_id, coords, 0, empty, empty, 0))
            continue
        cells.append(
            CellData(
                table_id,
                coords,
                acc.count,
                frozenset(acc.students),
                frozenset(acc.groups),
                acc.linked,
            )
        )
    return TableData(table_id, TABLE_UNITS[table_id], dims, tuple(cells))


def _with_margins(
    accs: dict[tuple[str, ...], _Acc], margins: tuple[bool, ...]
) -> dict[tuple[str, ...], _Acc]:
    """Interior cells plus every margin cell, each margin merged from the cells it covers.

    Counting each contact once into its interior cell and deriving the margins afterwards is
    what keeps a month's tables fast (a margin's distinct students are the union of its cells').
    """
    out: dict[tuple[str, ...], _Acc] = {}
    for coords, acc in accs.items():
        variants: list[tuple[str, ...]] = [()]
        for value, margin in zip(coords, margins, strict=True):
            nxt: list[tuple[str, ...]] = []
            for v in variants:
                nxt.append((*v, value))
                if margin:
                    nxt.append((*v, ALL))
            variants = nxt
        for v in variants:
            out.setdefault(v, _Acc()).merge(acc)
    return out


_T = TypeVar("_T")
_memo: ContextVar[dict[tuple[str, int], tuple[object, Any]] | None] = ContextVar(
    "tables_memo", default=None
)


@contextlib.contextmanager
def memo() -> Iterator[None]:
    """Within this block, tables (and other derived values) of the same facts are built once.

    One export builds the tables of the same facts several times (the suppression, the reader's
    model, the gate); this remembers them for the block only, keyed by the facts object itself
    (kept alive by the memo, so its identity cannot be reused), and forgets them afterwards.
    """
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remembered(kind: str, facts: object, compute: Callable[[], _T]) -> _T:
    """``compute()``, remembered for ``facts`` within a :func:`memo` block."""
    store = _memo.get()
    if store is None:
        return compute()
    key = (kind, id(facts))
    hit = store.get(key)
    if hit is not None and hit[0] is facts:
        return hit[1]  # type: ignore[no-any-return]
    value = compute()
    store[key] = (facts, value)
    return value


def remembered_pair(kind: str, first: object, second: object, compute: Callable[[], _T]) -> _T:
    """``compute()``, remembered for the pair (``first``, ``second``) within a :func:`memo`
    block (both kept alive by the memo, so neither identity can be reused)."""
    store = _memo.get()
    if store is None:
        return compute()
    key = (kind, hash((id(first), id(second))))
    hit = store.get(key)
    if hit is not None:
        pair = hit[0]
        if isinstance(pair, tuple) and pair[0] is first and pair[1] is second:
            return hit[1]  # type: ignore[no-any-return]
    value = compute()
    store[key] = ((first, second), value)
    return value


def period_tables_of(period: str, months: Sequence[MonthFacts]) -> MonthTables:
    """The tables of a period from its months' facts (remembered within a :func:`memo`).

    The same as ``build_tables(combine_months(period, months))``, made from the months' own
    tables (see :func:`_merge_tables`), which the reader's model builds anyway.
    """
    if len(months) == 1 and months[0].period == period:
        return build_tables(months[0])
    store = _memo.get()
    if store is None:
        return _merge_tables(period, [build_tables(m) for m in months])
    key = ("period:" + period, hash(tuple(id(m) for m in months)))
    hit = store.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], months, strict=True)):  # type: ignore[call-overload]
        return hit[1]  # type: ignore[no-any-return]
    tables = _merge_tables(period, [build_tables(m) for m in months])
    store[key] = (tuple(months), tables)
    return tables


def _merge_tables(period: str, parts: Sequence[MonthTables]) -> MonthTables:
    """The tables of the months' facts taken together, from each month's tables.

    Every cell of the whole is its cells in the months merged: counts added, distinct students
    and outcome groups united, student-linked items added (the margins too: a union of unions is
    the union). T0 is the exception: distinct students are counted again from the union, and
    hours are rounded once from the period's minutes, as :func:`_build_tables` does.
    """
    period_of(period)
    schools = tuple(dict.fromkeys(s for t in parts for s in t.schools))
    tables: list[TableData] = []
    for n, table_id in enumerate(TABLE_IDS):
        accs: dict[tuple[str, ...], _Acc] = {}
        for part in parts:
            for c in part.tables[n].cells:
                if not (c.count or c.students or c.groups or c.linked_items):
                    continue
                a = accs.get(c.coords)
                if a is None:
                    a = accs[c.coords] = _Acc()
                a.count += c.count
                a.students.update(c.students)
                a.groups.update(c.groups)
                a.linked += c.linked_items
        if table_id == "T0":
            minutes = sum(t.minutes for t in parts)
            for measure, count in (
                ("students", len(accs[("students",)].students) if ("students",) in accs else 0),
                ("hours", (minutes + 30) // 60),
            ):
                if (measure,) in accs:
                    accs[(measure,)].count = count
        tables.append(_emit(table_id, schools, accs))
    linked: dict[str, LinkedContacts] = {}
    for part in parts:
        for scope, lc in part.linked.items():
            into = linked.setdefault(scope, LinkedContacts())
            into.total += lc.total
            for g, v in lc.groups.items():
                into.groups[g] = into.groups.get(g, 0) + v
            for r, v in lc.referrals.items():
                into.referrals[r] = into.referrals.get(r, 0) + v
    all_students = frozenset().union(*(t.all_students for t in parts))
    minutes = sum(t.minutes for t in parts)
    return MonthTables(period, schools, tuple(tables), all_students, linked, minutes)


def build_tables(facts: MonthFacts) -> MonthTables:
    """Compute T0–T6 (with every margin) for the facts of one period."""
    return remembered("tables", facts, lambda: _build_tables(facts))


def _build_tables(facts: MonthFacts) -> MonthTables:
    validate_facts(facts)
    schools = facts.schools
    acc: dict[str, dict[tuple[str, ...], _Acc]] = {t: defaultdict(_Acc) for t in TABLE_IDS}
    t1, t2, t3, t4, t6 = acc["T1"], acc["T2"], acc["T3"], acc["T4"], acc["T6"]
    every = _Acc()  # all contacts of the month: T0's contacts, hours and students

    def cell(table: str, coords: tuple[str, ...]) -> _Acc:
        return acc[table][coords]

    total_minutes = 0
    linked: dict[str, LinkedContacts] = {cat: LinkedContacts() for cat in (*CATEGORIES, ALL)}
    everywhere = linked[ALL]
    for c in facts.contacts:
        ids = tuple(s.student_id for s in c.students)
        group = c.outcome_group
        category = c.category
        total_minutes += c.duration_min
        if ids:
            for scope in (linked[category], everywhere):
                scope.total += 1
                scope.groups[group] = scope.groups.get(group, 0) + 1
                for r in set(c.referrals):
                    scope.referrals[r] = scope.referrals.get(r, 0) + 1
        every.add(1, group, ids)
        t1[(category, group)].add(1, group, ids)
        t2[(c.school, category)].add(1, group, ids)
        for s in c.students:
            # T3 counts student-contacts: a cell holds only the students of its grade band.
            t3[(s.grade_band, category)].add(1, group, (s.student_id,))
        for r in c.referrals:
            t4[(r,)].add(1, group, ids)
        if c.group_activity:
            ctype = c.contact_type if c.contact_type in GROUP_TYPES else OTHER_TYPE
            t6[(ctype, "contacts")].add(1, group, ids)
            t6[(ctype, "attendees")].add(c.attendees, group, ids)

    m2 = (True, True)
    acc["T1"] = _with_margins(acc["T1"], m2)
    acc["T2"] = _with_margins(acc["T2"], m2)
    acc["T3"] = _with_margins(acc["T3"], m2)
    acc["T4"] = _with_margins(acc["T4"], (True,))
    acc["T6"] = _with_margins(acc["T6"], (True, False))

    t0 = acc["T0"]
    for measure, count in (
        ("contacts", every.count),
        ("hours", (total_minutes + 30) // 60),
        ("students", len(every.students)),
    ):
        a = t0[(measure,)] = _Acc()
        a.merge(every)
        a.count = count
    for f in facts.follow_ups:
        if f.status == "cancelled":
            continue
        ids = tuple(f.student_ids)
        cell("T5", ("due",)).add(1, None, ids)
        cell("T5", (f.status,)).add(1, None, ids)
        cell("T0", ("follow_ups_due",)).add(1, None, ids)
        if f.status in ("done_on_time", "done_late"):
            cell("T0", ("follow_ups_done",)).add(1, None, ids)

    all_students = frozenset(every.students) | {
        i for f in facts.follow_ups if f.status != "cancelled" for i in f.student_ids
    }
    tables = tuple(_emit(t, schools, acc[t]) for t in TABLE_IDS)
    return MonthTables(facts.period, tuple(schools), tables, all_students, linked, total_minutes)
