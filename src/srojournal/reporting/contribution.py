"""Program contributions: every cell of a month's tables with differentially private noise.

A contribution is the machine-facing twin of the suppressed summary (see docs/contributions.md).
It is made in three steps, each of which this module owns:

1. **Bounding** (:func:`bound_facts`). Privacy is per student. Two journals are *neighbours* when
   one is the other with one student removed: the student leaves every contact and follow-up, and
   a contact or follow-up left without any student disappears entirely (it would not have
   happened without that student). Contacts logged without students (drills, lessons, staff
   meetings) are untouched by any student. Before any count is made, each student's influence is
   capped by rules fixed in advance (:class:`Bounds`): a student keeps at most 4 student-contacts
   and 2 follow-ups per month (the first ones recorded; the others lose that student), a contact
   counts at most 2 referrals, and a contact with students counts at most 90 minutes and 10
   attendees. A contact with many students needs no cap of its own: removing one of its students
   leaves the contact standing, so it changes only that student's own student-contact count.
2. **Base cells** (:func:`base_counts`). The counts of a small set of *base* cells — contacts by
   category × outcome group and by school × category, student-contacts by grade band ×
   category, referrals by target, follow-ups by status, distinct students, hours, group
   activities by type and their attendees. Removing one student changes the base vector by at
   most :func:`l1_sensitivity` (part ``counts``: 4 × (4 + 2) + 1 + 2 + 6 = 33; part
   ``attendees``: 4 × 10 = 40).
3. **Noise and margins** (:func:`make_contribution`). OpenDP's ``make_laplace`` on a vector of
   integers (the discrete Laplace mechanism of Canonne, Kamath and Steinke 2020, pure ε-DP,
   δ = 0) noises each part with the scale OpenDP calibrates for the part's sensitivity and share
   of ε. Every cell of the fixed catalogue is then derived from the noisy base cells
   (post-processing, free of privacy cost): T3–T6 and the rest of T0 are *sums* of noisy base
   cells; T1 and T2, which share their category totals, are *reconciled* (:func:`_reconcile`,
   least squares, then integer rounding). Margins add up, and the same logical number is equal
   wherever it appears (T0 contacts = the grand totals of T1 and T2).

:func:`cell_noise` tells a roll-up what noise each cell carries, so the noise distribution of any
sum of contributions is known: exactly for the sums, by its exact variance for reconciled cells.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Final

from srojournal.domain.facts import ContactFact, FollowUpFact, MonthFacts
from srojournal.domain.taxonomy import CATEGORIES, GRADE_BANDS, REFERRAL_TARGETS

from .errors import ReportRejected
from .tables import (
    ALL,
    GROUP_TYPES,
    OTHER_TYPE,
    OUTCOME_GROUP_VALUES,
    TABLE_DIMENSIONS,
    TABLE_IDS,
    TABLE_UNITS,
    dimension_values,
    validate_facts,
)

PART_COUNTS: Final = "counts"
PART_ATTENDEES: Final = "attendees"
PARTS: Final = (PART_COUNTS, PART_ATTENDEES)
# Share of the period's ε spent on each part (sequential composition: the shares add up to 1).
# Attendee numbers are large (a drill has hundreds), so a tenth of ε keeps them useful.
PART_SHARES: Final = {PART_COUNTS: Decimal("0.9"), PART_ATTENDEES: Decimal("0.1")}
T5_BASE: Final = ("done_on_time", "done_late", "open")
T6_TYPES: Final = (*GROUP_TYPES, OTHER_TYPE)
MECHANISM_NAME: Final = "discrete_laplace"
MEASUREMENT: Final = "opendp.measurements.make_laplace"


@dataclass(frozen=True, slots=True)
class Bounds:
    """The caps applied before counting; fixed in advance and published in every file."""

    student_contacts_per_student: int = 4
    follow_ups_per_student: int = 2
    referrals_per_contact: int = 2
    minutes_per_linked_contact: int = 90
    attendees_per_linked_contact: int = 10

    def as_dict(self) -> dict[str, int]:
        return {
            "student_contacts_per_student": self.student_contacts_per_student,
            "follow_ups_per_student": self.follow_ups_per_student,
            "referrals_per_contact": self.referrals_per_contact,
            "minutes_per_linked_contact": self.minutes_per_linked_contact,
            "attendees_per_linked_contact": self.attendees_per_linked_contact,
        }


BOUNDS: Final = Bounds()


def l1_sensitivity(bounds: Bounds = BOUNDS) -> dict[str, int]:
    """How much removing one student can change each part of the base vector (L1 norm).

    ``counts``: each of the student's at most C kept student-contacts changes T3 by 1 and, when
    the student was the contact's last student, drops the contact: 2 contact cells (by outcome
    and by school), 1 group activity cell and at most R referral cells. The distinct-students
    cell changes by 1, each of at most F follow-ups moves one status cell, and the dropped
    contacts' minutes (at most C × M) move the rounded hours by at most ⌈C × M / 60⌉.
    ``attendees``: at most C dropped group activities of at most A attendees each.
    """
    c = bounds.student_contacts_per_student
    counts = (
        c * (4 + bounds.referrals_per_contact)
        + 1
        + bounds.follow_ups_per_student
        + math.ceil(c * bounds.minutes_per_linked_contact / 60)
    )
    return {PART_COUNTS: counts, PART_ATTENDEES: c * bounds.attendees_per_linked_contact}


# -- 1. bounding --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BoundedMonth:
    """The month's facts after the caps: what the base cells count."""

    contacts: tuple[ContactFact, ...]
    follow_ups: tuple[FollowUpFact, ...]
    schools: tuple[str, ...]
    linked: frozenset[int]  # ids of kept contacts that had students before bounding


def bound_facts(facts: MonthFacts, bounds: Bounds = BOUNDS) -> BoundedMonth:
    """Apply the caps. Each student's kept contacts depend on that student's own contacts only.

    A student keeps their first ``student_contacts_per_student`` contacts (lowest contact ids,
    i.e. the first recorded) and first ``follow_ups_per_student`` follow-ups; in the others the
    student is left out. A contact or follow-up that had students and keeps none is dropped.
    """
    kept_contacts: dict[int, int] = {}  # student id -> contacts kept so far
    contacts: list[ContactFact] = []
    linked: set[int] = set()
    for c in sorted(facts.contacts, key=lambda c: c.contact_id):
        if not c.students:
            contacts.append(c)
            continue
        students = []
        for s in c.students:
            n = kept_contacts.get(s.student_id, 0)
            if n < bounds.student_contacts_per_student:
                kept_contacts[s.student_id] = n + 1
                students.append(s)
        if not students:
            continue
        linked.add(c.contact_id)
        contacts.append(
            ContactFact(
                c.contact_id,
                c.school,
                c.contact_type,
                c.category,
                c.outcome_group,
                min(c.duration_min, bounds.minutes_per_linked_contact),
                tuple(students),
                tuple(sorted(c.referrals)[: bounds.referrals_per_contact]),
                min(c.attendees, bounds.attendees_per_linked_contact),
                c.group_activity,
            )
        )
    kept_follow_ups: dict[int, int] = {}
    follow_ups: list[FollowUpFact] = []
    for f in sorted(facts.follow_ups, key=lambda f: f.follow_up_id):
        if f.status == "cancelled":
            continue
        if not f.student_ids:
            follow_ups.append(f)
            continue
        ids = []
        for sid in f.student_ids:
            n = kept_follow_ups.get(sid, 0)
            if n < bounds.follow_ups_per_student:
                kept_follow_ups[sid] = n + 1
                ids.append(sid)
        if ids:
            follow_ups.append(FollowUpFact(f.follow_up_id, f.status, tuple(ids)))
    return BoundedMonth(tuple(contacts), tuple(follow_ups), tuple(facts.schools), frozenset(linked))


# -- 2. base cells ------------------------------------------------------------------------------

BaseKey = tuple[str, ...]
"""("contacts_by_outcome", category, outcome group), ("student_contacts", band, category), …"""


def base_layout(schools: Sequence[str]) -> tuple[tuple[str, BaseKey], ...]:
    """Every base cell in a fixed order, as (part, key)."""
    out: list[tuple[str, BaseKey]] = []
    for cat in CATEGORIES:
        for group in OUTCOME_GROUP_VALUES:
            out.append((PART_COUNTS, ("contacts_by_outcome", cat, group)))
    for school in schools:
        for cat in CATEGORIES:
            out.append((PART_COUNTS, ("contacts_by_school", school, cat)))
    for band in GRADE_BANDS:
        for cat in CATEGORIES:
            out.append((PART_COUNTS, ("student_contacts", band, cat)))
    for target in REFERRAL_TARGETS:
        out.append((PART_COUNTS, ("referrals", target)))
    for status in T5_BASE:
        out.append((PART_COUNTS, ("follow_ups", status)))
    out.append((PART_COUNTS, ("students",)))
    out.append((PART_COUNTS, ("hours",)))
    for ctype in T6_TYPES:
        out.append((PART_COUNTS, ("activities", ctype)))
    for ctype in T6_TYPES:
        out.append((PART_ATTENDEES, ("attendees", ctype)))
    return tuple(out)


def base_counts(month: BoundedMonth) -> dict[BaseKey, int]:
    """The true (bounded) count of every base cell, zeros included."""
    counts: dict[BaseKey, int] = {key: 0 for _part, key in base_layout(month.schools)}
    students: set[int] = set()
    minutes = 0
    for c in month.contacts:
        counts[("contacts_by_outcome", c.category, c.outcome_group)] += 1
        counts[("contacts_by_school", c.school, c.category)] += 1
        for s in c.students:
            counts[("student_contacts", s.grade_band, c.category)] += 1
            students.add(s.student_id)
        for r in c.referrals:
            counts[("referrals", r)] += 1
        minutes += c.duration_min
        if c.group_activity:
            ctype = c.contact_type if c.contact_type in GROUP_TYPES else OTHER_TYPE
            counts[("activities", ctype)] += 1
            counts[("attendees", ctype)] += c.attendees
    for f in month.follow_ups:
        counts[("follow_ups", f.status)] += 1
    counts[("students",)] = len(students)
    counts[("hours",)] = (minutes + 30) // 60  # rounded half up, as in the summary
    return counts


# -- catalogue cells as sums of base cells --------------------------------------------------------

CellKey = tuple[str, tuple[str, ...]]
"""(table id, coordinates)."""


def catalogue(schools: Sequence[str]) -> Iterator[CellKey]:
    """Every cell of the fixed catalogue, in catalogue order (margins ``_all`` last)."""
    for tid in TABLE_IDS:
        coords_list: list[tuple[str, ...]] = [()]
        for d in TABLE_DIMENSIONS[tid]:
            coords_list = [(*p, v) for p in coords_list for v in dimension_values(tid, d, schools)]
        for coords in coords_list:
            yield tid, coords


def _feeds(key: BaseKey) -> Iterator[CellKey]:
    """The catalogue cells one base cell is summed into."""
    kind = key[0]
    if kind in ("contacts_by_outcome", "contacts_by_school"):
        return  # reconciled, not summed: see _reconcile
    if kind == "student_contacts":
        _k, band, cat = key
        for b in (band, ALL):
            for c in (cat, ALL):
                yield "T3", (b, c)
    elif kind == "referrals":
        yield "T4", (key[1],)
        yield "T4", (ALL,)
    elif kind == "follow_ups":
        yield "T5", (key[1],)
        yield "T5", ("due",)
        yield "T0", ("follow_ups_due",)
        if key[1] != "open":
            yield "T0", ("follow_ups_done",)
    elif kind in ("students", "hours"):
        yield "T0", (kind,)
    elif kind in ("activities", "attendees"):
        measure = "contacts" if kind == "activities" else "attendees"
        yield "T6", (key[1], measure)
        yield "T6", (ALL, measure)
    else:  # pragma: no cover - base_layout makes only the kinds above
        raise AssertionError(kind)


def is_reconciled(cell: CellKey) -> bool:
    """T1, T2 and T0 contacts come from :func:`_reconcile`; every other cell is a plain sum."""
    return cell[0] in ("T1", "T2") or cell == ("T0", ("contacts",))


def derivation(schools: Sequence[str]) -> dict[CellKey, tuple[int, ...]]:
    """For every plain-sum cell, the indexes (into :func:`base_layout`) of the cells it sums."""
    sums: dict[CellKey, list[int]] = {
        cell: [] for cell in catalogue(schools) if not is_reconciled(cell)
    }
    for i, (_part, key) in enumerate(base_layout(schools)):
        for cell in _feeds(key):
            sums[cell].append(i)
    return {cell: tuple(ix) for cell, ix in sums.items()}


def _largest_remainder(values: Sequence[Fraction], total: int) -> list[int]:
    """Integers within 1 of ``values`` that add up to ``total`` (= their exact sum)."""
    floors = [math.floor(v) for v in values]
    extra = total - sum(floors)
    order = sorted(range(len(values)), key=lambda i: (floors[i] - values[i], i))
    out = list(floors)
    for i in order[:extra]:
        out[i] += 1
    return out


def _reconcile(schools: Sequence[str], y1: Sequence[int], y2: Sequence[int]) -> dict[CellKey, int]:
    """T1, T2 and T0 contacts from the noisy contacts by outcome and by school, made consistent.

    Both noisy tables measure the same category totals. For each category the published total is
    their least-squares combination M = (S·Σy1 + G·Σy2) / (G + S) (G outcome groups, S schools;
    each sum weighted by the inverse of its noise variance), rounded half up; each row of T1 and
    each column of T2 is then shifted evenly to add up to it and rounded by largest remainder.
    All of this is post-processing of the noisy values. Without noise it returns the true counts.
    """
    g, n = len(OUTCOME_GROUP_VALUES), len(schools)
    out: dict[CellKey, int] = {}
    t1_all: dict[str, int] = dict.fromkeys(OUTCOME_GROUP_VALUES, 0)
    t2_all: dict[str, int] = dict.fromkeys(schools, 0)
    grand = 0
    for ci, cat in enumerate(CATEGORIES):
        row = [Fraction(v) for v in y1[ci * g : (ci + 1) * g]]
        col = [Fraction(y2[si * len(CATEGORIES) + ci]) for si in range(n)]
        sum1, sum2 = sum(row, Fraction(0)), sum(col, Fraction(0))
        exact = (n * sum1 + g * sum2) / (g + n) if n else sum1
        total = math.floor(exact + Fraction(1, 2))
        shift1 = (total - sum1) / g
        t1 = _largest_remainder([v + shift1 for v in row], total)
        t2 = _largest_remainder([v + (total - sum2) / n for v in col], total) if n else []
        for group, v in zip(OUTCOME_GROUP_VALUES, t1, strict=True):
            out[("T1", (cat, group))] = v
            t1_all[group] += v
        for school, v in zip(schools, t2, strict=True):
            out[("T2", (school, cat))] = v
            t2_all[school] += v
        out[("T1", (cat, ALL))] = out[("T2", (ALL, cat))] = total
        grand += total
    for group, v in t1_all.items():
        out[("T1", (ALL, group))] = v
    for school, v in t2_all.items():
        out[("T2", (school, ALL))] = v
    out[("T1", (ALL, ALL))] = out[("T2", (ALL, ALL))] = out[("T0", ("contacts",))] = grand
    return out


# How far rounding can move a reconciled interior cell from its least-squares value: less than 1
# for the largest-remainder step, plus at most 1/2 shared out over the row or column when the
# category total is rounded (1/(2·8) on a T1 row, 1/(2·S) on a T2 column).
ROUNDING: Final = 1.5


@dataclass(frozen=True, slots=True)
class CellNoise:
    """What noise one published cell carries, for a roll-up's interval.

    ``terms`` base noises of ``part`` with coefficient 1 when ``exact`` (a plain sum); otherwise
    a linear combination whose coefficients' squares add up to ``weight``, plus a rounding error
    of at most ``rounding``.
    """

    part: str
    exact: bool
    terms: int
    weight: float
    rounding: float


def cell_noise(schools: Sequence[str]) -> Mapping[CellKey, CellNoise]:
    """For every catalogue cell, the noise it carries (see :func:`_reconcile` for T1 and T2).

    With D = G + S: a reconciled interior cell has weight 1 − 1/D, a category total G·S/D, a
    margin over the five categories five times that, and the rounding moves a cell by at most
    :data:`ROUNDING` (a category total by at most 1/2). With no school, T1 is the plain noisy
    table.
    """
    return _cell_noise(tuple(schools))


@functools.lru_cache(maxsize=64)  # a roll-up asks once per file; most share a school list
def _cell_noise(schools: tuple[str, ...]) -> Mapping[CellKey, CellNoise]:
    layout = base_layout(schools)
    out: dict[CellKey, CellNoise] = {}
    for cell, ix in derivation(schools).items():
        parts = {layout[i][0] for i in ix}
        if len(parts) > 1:  # pragma: no cover - guarded by a unit test
            raise AssertionError(f"cell {cell} mixes parts")
        part = parts.pop() if parts else PART_COUNTS
        out[cell] = CellNoise(part, True, len(ix), float(len(ix)), 0.0)
    g, n = len(OUTCOME_GROUP_VALUES), len(schools)
    k = len(CATEGORIES)
    interior = 1 - 1 / (g + n) if n else 1.0
    total = g * n / (g + n) if n else float(g)
    for cell in catalogue(schools):
        if not is_reconciled(cell):
            continue
        tid, coords = cell
        if tid == "T0" or coords == (ALL, ALL):
            weight, rounding = k * total, k / 2
        elif ALL not in coords:
            weight, rounding = interior, ROUNDING
        elif (tid == "T1" and coords[1] == ALL) or (tid == "T2" and coords[0] == ALL):
            weight, rounding = total, 0.5
        else:  # T1 outcome-group margin or T2 school margin: five categories
            weight, rounding = k * interior, k * ROUNDING
        out[cell] = CellNoise(PART_COUNTS, False, 0, weight, rounding)
    return MappingProxyType(out)


# -- 3. noise -----------------------------------------------------------------------------------

Noise = Callable[[str, float, list[int]], list[int]]
"""(part, scale, true counts) -> noisy counts. The product uses :func:`opendp_noise`."""


def _opendp() -> Any:
    """OpenDP, loaded on first use (its library is large; nothing else needs it)."""
    import opendp.prelude as dp

    # make_laplace is in OpenDP's "contrib" set (implemented and proven by the OpenDP team,
    # not yet through their external vetting); we use it for integer vectors only.
    dp.enable_features("contrib")
    return dp


@functools.lru_cache(maxsize=16)
def _measurement(scale: float) -> Any:
    dp = _opendp()
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
    return dp.m.make_laplace(*space, scale=scale)


def calibrate_scale(l1: int, epsilon: Decimal) -> float:
    """The noise scale for this sensitivity and ε, as OpenDP's privacy map certifies it.

    OpenDP's binary search finds the smallest scale whose map gives at most ε; it is rounded up
    to 4 significant digits (a larger scale is only more private) so the file states it exactly,
    and the rounded scale is checked against the map again.
    """
    dp = _opendp()
    eps = float(epsilon)
    found = float(dp.binary_search_param(_measurement, d_in=l1, d_out=eps))
    digits = 3 - math.floor(math.log10(found))
    scale = float(Decimal(repr(found)).quantize(Decimal(1).scaleb(-digits), ROUND_CEILING))
    if _measurement(scale).map(l1) > eps:  # pragma: no cover - rounding up cannot fail this
        raise ReportRejected("internal error: the noise scale could not be certified")
    return scale


def opendp_noise(part: str, scale: float, values: list[int]) -> list[int]:
    """Release ``values`` through OpenDP's discrete Laplace measurement (its secure RNG)."""
    del part
    return [int(v) for v in _measurement(scale)(values)]


# -- the contribution ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContributionCell:
    coords: tuple[str, ...]
    count: int  # noisy; may be negative


@dataclass(frozen=True, slots=True)
class ContributionTable:
    id: str
    unit: str
    dimensions: tuple[str, ...]
    cells: tuple[ContributionCell, ...]

    def cell(self, *coords: str) -> ContributionCell:
        for c in self.cells:
            if c.coords == coords:
                return c
        raise KeyError(coords)


@dataclass(frozen=True, slots=True)
class NoisePart:
    part: str
    epsilon: Decimal
    l1_sensitivity: int
    scale: float


@dataclass(frozen=True, slots=True)
class Contribution:
    period: str
    epsilon: Decimal
    parts: tuple[NoisePart, ...]
    bounds: Bounds
    tables: tuple[ContributionTable, ...]

    @property
    def delta(self) -> int:
        return 0  # pure differential privacy

    def table(self, table_id: str) -> ContributionTable:
        for t in self.tables:
            if t.id == table_id:
                return t
        raise KeyError(table_id)

    @property
    def schools(self) -> tuple[str, ...]:
        return tuple(c.coords[0] for c in self.table("T2").cells if c.coords[1] == ALL)[:-1]

    def scale(self, part: str) -> float:
        for p in self.parts:
            if p.part == part:
                return p.scale
        raise KeyError(part)


def noise_parts(epsilon: Decimal, bounds: Bounds = BOUNDS) -> tuple[NoisePart, ...]:
    sens = l1_sensitivity(bounds)
    out = []
    for part in PARTS:
        eps = epsilon * PART_SHARES[part]
        out.append(NoisePart(part, eps, sens[part], calibrate_scale(sens[part], eps)))
    return tuple(out)


def tables_from_base(schools: Sequence[str], base: Sequence[int]) -> tuple[ContributionTable, ...]:
    """Every catalogue cell from the base cells (noisy or true): reconciled or summed."""
    layout = base_layout(schools)
    y1 = [base[i] for i, (_p, key) in enumerate(layout) if key[0] == "contacts_by_outcome"]
    y2 = [base[i] for i, (_p, key) in enumerate(layout) if key[0] == "contacts_by_school"]
    values = _reconcile(schools, y1, y2)
    for cell, ix in derivation(schools).items():
        values[cell] = sum(base[i] for i in ix)
    cells: dict[str, list[ContributionCell]] = {t: [] for t in TABLE_IDS}
    for tid, coords in catalogue(schools):
        cells[tid].append(ContributionCell(coords, values[(tid, coords)]))
    return tuple(
        ContributionTable(t, TABLE_UNITS[t], TABLE_DIMENSIONS[t], tuple(cells[t]))
        for t in TABLE_IDS
    )


def true_base(facts: MonthFacts, bounds: Bounds = BOUNDS) -> list[int]:
    """The bounded, noise-free base vector in :func:`base_layout` order."""
    validate_facts(facts)
    counts = base_counts(bound_facts(facts, bounds))
    return [counts[key] for _part, key in base_layout(facts.schools)]


def make_contribution(
    facts: MonthFacts,
    epsilon: Decimal,
    *,
    noise: Noise = opendp_noise,
    parts: tuple[NoisePart, ...] | None = None,
    bounds: Bounds = BOUNDS,
) -> Contribution:
    """Bound, count, noise each part with OpenDP, and derive every catalogue cell."""
    layout = base_layout(facts.schools)
    truth = true_base(facts, bounds)
    parts = parts or noise_parts(epsilon, bounds)
    noisy = list(truth)
    for p in parts:
        ix = [i for i, (part, _key) in enumerate(layout) if part == p.part]
        released = noise(p.part, p.scale, [truth[i] for i in ix])
        if len(released) != len(ix):  # pragma: no cover - a measurement keeps the length
            raise ReportRejected("internal error: the noise step changed the number of cells")
        for i, v in zip(ix, released, strict=True):
            noisy[i] = v
    return Contribution(
        facts.period, epsilon, parts, bounds, tables_from_base(facts.schools, noisy)
    )
