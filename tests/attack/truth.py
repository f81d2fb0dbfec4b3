"""Ground truth: the journal as the officer meant it, and the true tables of any period.

The attack needs the truth for what a reader's colleagues know (which hidden cells are
non-empty) and to judge a reader's proof (a pinned cell, a group all cited, a revision that
names one student). The tables follow docs/summary-format.md; `published_matches` checks that
our reading of the format agrees with every published number, so a wrong truth cannot pass
silently.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tests.attack.reader import ALL, CATEGORIES, GROUP_TYPE_CATEGORY, OUTCOME_GROUPS, CellKey

TYPE_CATEGORY = {
    "relationship": "relationship", "student_consult": "relationship",
    "parent_contact": "relationship", "staff_consult": "relationship",
    "mentoring": "mentoring", "mentoring_followup": "mentoring",
    "mediation": "conflict", "restorative": "conflict", "deescalation": "conflict",
    "classroom": "education", "small_group": "education", "staff_training": "education",
    "community_event": "education",
    "threat_assessment": "safety", "safety_check": "safety", "event_duty": "safety",
    "welfare_assist": "safety", "investigation": "safety",
}  # fmt: skip
OUTCOME_GROUP = {
    "resolved": "resolved", "no_action": "resolved", "follow_up_scheduled": "follow_up",
    "referred": "referred", "parent_notified": "notified", "admin_notified": "notified",
    "agreement_reached": "agreement", "agreement_partial": "agreement",
    "no_agreement": "no_agreement", "agreement_held": "agreement",
    "agreement_broken": "no_agreement", "warning": "enforcement", "diversion": "enforcement",
    "citation": "enforcement", "arrest": "enforcement",
}  # fmt: skip
REFERRALS = (
    "counselor", "social_worker", "nurse", "administrator", "threat_team", "iep_504",
    "child_protection", "crisis_mental_health", "chemical_health", "community_mentoring",
    "restorative_program", "diversion_program", "juvenile_court", "victim_services",
)  # fmt: skip
BANDS = ("elementary", "middle", "high", "unknown")


def alias_key(alias: str) -> str:
    """How aliases are compared: NFKC, whitespace collapsed, case folded."""
    return " ".join(unicodedata.normalize("NFKC", alias).split()).casefold()


def band(grade: str | None) -> str:
    if grade is None:
        return "unknown"
    if grade == "K":
        return "elementary"
    n = int(grade)
    return "elementary" if n <= 5 else ("middle" if n <= 8 else "high")


@dataclass(frozen=True)
class Visit:
    """One contact. ``students`` are (alias, grade) pairs; the student is (school, alias)."""

    key: int
    day: dt.date
    school: str
    type: str
    students: tuple[tuple[str, str | None], ...] = ()
    outcome: str | None = None
    referrals: tuple[str, ...] = ()
    minutes: int = 15
    attendees: int | None = None
    notes: str = ""
    follow_up: dt.date | None = None
    time: str = "10:00"

    def student_ids(self) -> frozenset[str]:
        return frozenset(student_id(self.school, a) for a, _g in self.students)


def student_id(school: str, alias: str) -> str:
    """A student is an alias within a school; "#n" names a vault's student n directly."""
    return alias if alias.startswith("#") else f"{school}|{alias_key(alias)}"


@dataclass(frozen=True)
class FollowUp:
    key: int
    due: dt.date
    students: frozenset[str]
    status: str = "open"  # open | done | cancelled
    completed_on: dt.date | None = None


Item = tuple[object, ...]  # (kind, key, students): a record as it counts in a cell


@dataclass(frozen=True)
class Cell:
    value: int
    items: frozenset[Item]

    @property
    def students(self) -> frozenset[str]:
        return frozenset(s for item in self.items for s in item[-1])  # type: ignore[attr-defined]

    @property
    def linked_items(self) -> int:
        """Records with at least one student."""
        return sum(1 for item in self.items if item[-1])


def period_range(period: str) -> tuple[dt.date, dt.date]:
    """[start, end) of a month ``YYYY-MM``, quarter ``YYYY-Qn`` or school year ``YYYY-YY``."""
    year = int(period[:4])
    rest = period[5:]
    if rest.startswith("Q"):
        q = int(rest[1])
        start = dt.date(year, 3 * q - 2, 1)
        end = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
    elif int(rest) > 12:  # a school year, 1 July to 30 June: "2025-26"
        start, end = dt.date(year, 7, 1), dt.date(year + 1, 7, 1)
    else:
        m = int(rest)
        start = dt.date(year, m, 1)
        end = dt.date(year + (m == 12), 1 if m == 12 else m + 1, 1)
    return start, end


def months_of(period: str) -> list[str]:
    start, end = period_range(period)
    out, d = [], start
    while d < end:
        out.append(f"{d.year:04d}-{d.month:02d}")
        d = dt.date(d.year + (d.month == 12), 1 if d.month == 12 else d.month + 1, 1)
    return out


def tables(
    visits: Iterable[Visit],
    follow_ups: Iterable[FollowUp],
    period: str,
    schools: Iterable[str],
    *,
    type_category: Mapping[str, str] = TYPE_CATEGORY,
    t6_row: Mapping[str, str] | None = None,
) -> dict[CellKey, Cell]:
    """Every cell of the period's tables, with the records behind it."""
    start, end = period_range(period)
    t6_row = {t: t for t in GROUP_TYPE_CATEGORY} if t6_row is None else t6_row
    items: dict[CellKey, set[Item]] = defaultdict(set)
    sums: dict[CellKey, int] = defaultdict(int)
    minutes = 0

    def put(key: CellKey, item: Item) -> None:
        items[key].add(item)

    for v in visits:
        if not start <= v.day < end:
            continue
        sids = v.student_ids()
        item: Item = ("contact", v.key, sids)
        cat = type_category[v.type]
        group = OUTCOME_GROUP[v.outcome] if v.outcome else "none"
        minutes += v.minutes or 0
        put(("T0", ("contacts",)), item)
        put(("T0", ("hours",)), item)
        for s in sids:
            put(("T0", ("students",)), ("student", s, frozenset({s})))
        for c in (cat, ALL):
            for g in (group, ALL):
                put(("T1", (c, g)), item)
            for s in (v.school, ALL):
                put(("T2", (s, c)), item)
            for alias, grade in v.students:
                sid = student_id(v.school, alias)
                for b in (band(grade), ALL):
                    put(("T3", (b, c)), ("student_contact", v.key, sid, frozenset({sid})))
        for r in v.referrals:
            for rr in (r, ALL):
                put(("T4", (rr,)), ("referral", v.key, r, sids))
        if v.type in t6_row:
            for t in (t6_row[v.type], ALL):
                put(("T6", (t, "contacts")), item)
                put(("T6", (t, "attendees")), item)
                sums[("T6", (t, "attendees"))] += v.attendees or 0
    for f in follow_ups:
        if f.status == "cancelled" or not start <= f.due < end:
            continue
        fitem: Item = ("follow_up", f.key, f.students)
        status = "open"
        if f.status == "done":
            assert f.completed_on is not None
            status = "done_on_time" if f.completed_on <= f.due else "done_late"
        for s in ("due", status):
            put(("T5", (s,)), fitem)
        put(("T0", ("follow_ups_due",)), fitem)
        if f.status == "done":
            put(("T0", ("follow_ups_done",)), fitem)

    out: dict[CellKey, Cell] = {}
    catalogue: list[CellKey] = [
        ("T0", (m,)) for m in ("contacts", "students", "hours", "follow_ups_due", "follow_ups_done")
    ]
    catalogue += [("T1", (c, g)) for c in (*CATEGORIES, ALL) for g in (*OUTCOME_GROUPS, ALL)]
    catalogue += [("T2", (s, c)) for s in (*schools, ALL) for c in (*CATEGORIES, ALL)]
    catalogue += [("T3", (b, c)) for b in (*BANDS, ALL) for c in (*CATEGORIES, ALL)]
    catalogue += [("T4", (r,)) for r in (*REFERRALS, ALL)]
    catalogue += [("T5", (s,)) for s in ("due", "done_on_time", "done_late", "open")]
    t6_types = (*GROUP_TYPE_CATEGORY, "other", ALL)
    catalogue += [("T6", (t, m)) for t in t6_types for m in ("contacts", "attendees")]
    for key in catalogue:
        its = frozenset(items.get(key, ()))
        if key == ("T0", ("hours",)):
            value = (minutes * 2 + 60) // 120  # minutes / 60, rounded half up
        elif key[0] == "T6" and key[1][1] == "attendees":
            value = sums.get(key, 0)
        else:
            value = len(its)
        out[key] = Cell(value, its)
    return out


def published_matches(published: Mapping[CellKey, int | None], truth: Mapping[CellKey, Cell]):
    """Cells whose published number differs from the truth (our reading of the format)."""
    return [
        (key, value, truth[key].value if key in truth else None)
        for key, value in published.items()
        if value is not None and (key not in truth or truth[key].value != value)
    ]


def read_vault(journal) -> tuple[list[Visit], list[FollowUp], list[str]]:  # type: ignore[no-untyped-def]
    """The whole journal of an open vault, as ground truth (used for the demo vault)."""
    schools = [s.name for s in journal.schools(include_inactive=True)]
    school_name = {s.id: s.name for s in journal.schools(include_inactive=True)}
    grades: dict[int, str | None] = {}
    visits = []
    for row in journal.list_contacts(limit=1_000_000):
        c = journal.contact(row.id)
        links = []
        for link in c.students:
            if link.student_id not in grades:
                grades[link.student_id] = journal.student(link.student_id).grade
            grade = link.grade if link.grade is not None else grades[link.student_id]
            links.append((f"#{link.student_id}", grade))
        visits.append(
            Visit(
                key=c.id, day=c.occurred_at.date(), school=school_name[c.school_id],
                type=c.type_code, students=tuple(links), outcome=c.outcome,
                referrals=tuple(c.referrals), minutes=c.duration_min or 0,
                attendees=c.attendees, notes=c.notes,
            )
        )  # fmt: skip
    follow_ups = [
        FollowUp(f.id, f.due, frozenset(f"#{s}" for s in f.student_ids), f.status, f.completed_on)
        for f in journal.follow_ups(status=None)
    ]
    return visits, follow_ups, schools
