"""The disclosure rules of a summary, decided on the true tables (never rendered).

* **Small cells.** A cell that holds at least one student-linked contact (or follow-up) and fewer
  than k distinct students is hidden (k = 10 by default, never below 5).
* **Few contacts behind a sensitive cell.** A cell that shows a sensitive outcome group
  (``enforcement``, ``referred``: T1) or a sensitive referral target (T4) is hidden when its
  students sit in one or two contacts: the outcome belongs to the contact, so all its students
  share it. Contacts without students count for nothing here, either way: they neither make up
  the three nor make a cell without students sensitive.
* **Group attribute.** When every student-linked contact of a category, or of the whole period,
  had a sensitive outcome (or every one was referred to the same sensitive target), the cells
  that say so are hidden, and a *group target* asks the gate to prove that a reader cannot work
  it out: ``T1 (c, _all) − T6 group activities of c − sensitive cells of c`` must be able to
  reach 3 (at least three student-linked contacts of c that were not sensitive). Contacts
  without students never count towards "all": drills and event duty do not dilute the rule.
  Schools (T2) and grade bands (T3) carry no outcome; a reader could only learn a school's or
  band's outcomes through a category or the whole period, which is what the targets protect.
* **No breakdown.** A period with at least one and fewer than k distinct students publishes no
  breakdown: every cell of T1–T6 is hidden; T0 follows the small-cell rule.
* **Revisions.** The difference between two versions of the same facts is held to the same small
  cell and few-contact rules, on the records that changed (added, deleted, or edited: an edit is
  the old record removed and the new one added).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from srojournal.domain.facts import ContactFact, FollowUpFact, MonthFacts
from srojournal.domain.settings import REPORT_THRESHOLD
from srojournal.domain.taxonomy import CATEGORIES

from .tables import (
    ALL,
    GROUP_TYPES,
    SENSITIVE_GROUPS,
    SENSITIVE_REFERRALS,
    TYPE_CATEGORY,
    LogicalKey,
    MonthTables,
    build_tables,
    logical_key,
)

# k is declared once, with the other settings: its default and its floor come from there.
DEFAULT_THRESHOLD: Final = REPORT_THRESHOLD.default
MIN_THRESHOLD: Final = REPORT_THRESHOLD.low
MIN_WIDTH: Final = 3
"""A hidden non-empty number must keep at least this spread (max − min) for the reader."""
MIN_SENSITIVE_CONTACTS: Final = 3


def effective_threshold(k: int) -> int:
    return max(MIN_THRESHOLD, k)


def is_sensitive_cell(table_id: str, coords: tuple[str, ...]) -> bool:
    if table_id == "T1":
        return coords[1] in SENSITIVE_GROUPS
    return table_id == "T4" and coords[0] in SENSITIVE_REFERRALS


@dataclass(frozen=True, slots=True)
class GroupCase:
    """Every student-linked contact of ``scope`` shares a sensitive outcome or referral."""

    scope: str  # a category, or ALL for the whole period
    what: str  # "outcome" or a referral target
    expression: tuple[tuple[LogicalKey, int], ...]
    """Student-linked contacts of the scope that were not sensitive, as a reader computes them."""
    hidden: tuple[LogicalKey, ...]


def _group_types(scope: str) -> list[str]:
    if scope == ALL:
        return [*GROUP_TYPES, "other"]
    return [t for t in GROUP_TYPES if TYPE_CATEGORY[t] == scope]


def group_cases(tables: MonthTables) -> list[GroupCase]:
    cases: list[GroupCase] = []
    values = tables.values()
    for scope in (*CATEGORIES, ALL):
        linked = tables.linked.get(scope)
        if linked is None or linked.total == 0:
            continue
        t6 = [logical_key("T6", (t, "contacts")) for t in _group_types(scope)]
        sensitive = sum(n for g, n in linked.groups.items() if g in SENSITIVE_GROUPS)
        if sensitive == linked.total:
            expr: dict[LogicalKey, int] = {logical_key("T1", (scope, ALL)): 1}
            for key in t6:
                expr[key] = -1
            hidden = []
            for g in sorted(SENSITIVE_GROUPS):
                key = logical_key("T1", (scope, g))
                expr[key] = -1
                if values.get(key, 0) > 0:
                    hidden.append(key)
            cases.append(GroupCase(scope, "outcome", tuple(sorted(expr.items())), tuple(hidden)))
        if scope != ALL:
            continue
        for target in sorted(SENSITIVE_REFERRALS):
            if linked.referrals.get(target, 0) == linked.total:
                key = logical_key("T4", (target,))
                expr = {logical_key("T1", (ALL, ALL)): 1, key: -1}
                expr[logical_key("T6", (ALL, "contacts"))] = -1
                cases.append(GroupCase(scope, target, tuple(sorted(expr.items())), (key,)))
    return cases


@dataclass(slots=True)
class Primary:
    """The cells hidden by the rules, with how many for each reason (for the officer)."""

    hidden: set[LogicalKey] = field(default_factory=set)
    small: int = 0
    few_contacts: int = 0
    group: int = 0
    no_breakdown: bool = False
    cases: list[GroupCase] = field(default_factory=list)
    why: dict[LogicalKey, str] = field(default_factory=dict)
    """The rule that hides each key: one of ``RULE_REASONS``."""


RULE_REASONS = ("small", "few_contacts", "group", "no_breakdown")


def primary(tables: MonthTables, k: int) -> Primary:
    k = effective_threshold(k)
    out = Primary()

    def hide(key: LogicalKey, why: str) -> None:
        out.hidden.add(key)
        out.why.setdefault(key, why)

    for cell in tables.cells():
        if cell.key in out.hidden:
            continue
        if cell.student_linked and len(cell.students) < k:
            hide(cell.key, "small")
            out.small += 1
        elif (
            is_sensitive_cell(cell.table_id, cell.coords)
            and 0 < cell.linked_items < MIN_SENSITIVE_CONTACTS
        ):
            hide(cell.key, "few_contacts")
            out.few_contacts += 1
    out.cases = group_cases(tables)
    for case in out.cases:
        for key in case.hidden:
            if key not in out.hidden:
                hide(key, "group")
                out.group += 1
    if 0 < len(tables.all_students) < k:
        out.no_breakdown = True
        for table in tables.tables:
            if table.id != "T0":
                for c in table.cells:
                    hide(c.key, "no_breakdown")
    return out


# -- differences between two versions of the same facts ------------------------------------------

ContactRecord = tuple[object, ...]


def _contact_record(c: ContactFact) -> ContactRecord:
    students = c.students
    if len(students) > 1:
        linked = tuple(sorted([(s.student_id, s.grade_band) for s in students]))
    else:
        linked = tuple([(s.student_id, s.grade_band) for s in students])
    referrals = c.referrals
    return (
        "c",
        c.contact_id,
        c.school,
        c.contact_type,
        c.category,
        c.outcome_group,
        c.duration_min,
        linked,
        tuple(sorted(referrals)) if len(referrals) > 1 else tuple(referrals),
        c.attendees,
        c.group_activity,
    )


def _follow_up_record(f: FollowUpFact) -> ContactRecord:
    return ("f", f.follow_up_id, f.status, tuple(sorted(f.student_ids)))


@dataclass(frozen=True, slots=True)
class Change:
    """What changed between two versions of a period's facts."""

    added: MonthFacts
    removed: MonthFacts

    @property
    def empty(self) -> bool:
        return not (
            self.added.contacts
            or self.added.follow_ups
            or self.removed.contacts
            or self.removed.follow_ups
        )

    @property
    def monotone(self) -> bool:
        """Only additions: every number of the newer version is at least the older one's."""
        return not (self.removed.contacts or self.removed.follow_ups)

    @property
    def students(self) -> frozenset[int]:
        """The students whose records changed (the people a revision could single out)."""
        ids: set[int] = set()
        for side in (self.added, self.removed):
            for c in side.contacts:
                ids.update(s.student_id for s in c.students)
            for f in side.follow_ups:
                ids.update(f.student_ids)
        return frozenset(ids)


def change_between(old: MonthFacts, new: MonthFacts) -> Change:
    old_c = {_contact_record(c): c for c in old.contacts}
    new_c = {_contact_record(c): c for c in new.contacts}
    old_f = {_follow_up_record(f): f for f in old.follow_ups}
    new_f = {_follow_up_record(f): f for f in new.follow_ups}
    schools = tuple(dict.fromkeys((*old.schools, *new.schools)))

    def side(
        contacts: Iterable[ContactFact], follow_ups: Iterable[FollowUpFact], period: str
    ) -> MonthFacts:
        return MonthFacts(period, tuple(contacts), tuple(follow_ups), schools)

    return Change(
        side(
            (c for r, c in new_c.items() if r not in old_c),
            (f for r, f in new_f.items() if r not in old_f),
            new.period,
        ),
        side(
            (c for r, c in old_c.items() if r not in new_c),
            (f for r, f in old_f.items() if r not in new_f),
            new.period,
        ),
    )


@dataclass(frozen=True, slots=True)
class Merge:
    """Schools merged between two versions of the same facts, and the older facts relabelled.

    A merged school's contacts became the other school's; the reader sees the name leave the
    tables and can tell where its contacts went. ``relabelled`` is the older facts with those
    contacts under their new school (and, where the merge folded a student into one already at
    that school, that student's new id): what the older facts say once the merge is applied.
    """

    into: dict[str, str]  # merged school -> the school it became
    relabelled: MonthFacts


def _same_but_school(old: ContactFact, new: ContactFact) -> bool:
    return (
        old.contact_type == new.contact_type
        and old.category == new.category
        and old.outcome_group == new.outcome_group
        and old.duration_min == new.duration_min
        and sorted(s.grade_band for s in old.students) == sorted(s.grade_band for s in new.students)
        and sorted(old.referrals) == sorted(new.referrals)
        and old.attendees == new.attendees
        and old.group_activity == new.group_activity
    )


def merge_between(old: MonthFacts, new: MonthFacts) -> Merge | None:
    """The schools of ``old`` that ``new`` no longer lists and whose contacts ``new`` has under
    another school (the school list's merge); None when there are none."""
    gone = [s for s in old.schools if s not in new.schools]
    if not gone:
        return None
    now = {c.contact_id: c for c in new.contacts}
    into: dict[str, str] = {}
    for c in old.contacts:
        n = now.get(c.contact_id)
        moved = c.school in gone and n is not None and n.school in new.schools
        if moved and n is not None and into.setdefault(c.school, n.school) != n.school:
            return None  # one school's contacts went to two places: not a merge
    if not into:
        return None
    contacts = []
    for c in old.contacts:
        target = into.get(c.school)
        if target is None:
            contacts.append(c)
            continue
        n = now.get(c.contact_id)
        students = n.students if n is not None and _same_but_school(c, n) else c.students
        contacts.append(
            ContactFact(
                c.contact_id, target, c.contact_type, c.category, c.outcome_group,
                c.duration_min, students, c.referrals, c.attendees, c.group_activity,
            )
        )  # fmt: skip
    # The schools the contacts went to are listed too: a school renamed since (its new name was
    # not in the older list), or a new school whose new contact got a deleted contact's id.
    schools = tuple(s for s in old.schools if s not in into)
    schools += tuple(dict.fromkeys(t for t in into.values() if t not in schools))
    return Merge(into, MonthFacts(old.period, tuple(contacts), old.follow_ups, schools))


def change_since(old: MonthFacts, new: MonthFacts) -> Change:
    """What changed from ``old`` to ``new`` beyond a merge of schools (which moves contacts
    from one school's row to another's, but changes no record the reader cannot follow)."""
    merge = merge_between(old, new)
    return change_between(merge.relabelled if merge else old, new)


def fingerprint_records(facts: MonthFacts) -> frozenset[ContactRecord]:
    return frozenset(
        [_contact_record(c) for c in facts.contacts]
        + [_follow_up_record(f) for f in facts.follow_ups]
        + [("s", name) for name in facts.schools]
    )


def delta_sensitive(change: Change, k: int) -> set[LogicalKey]:
    """Cells whose net change a reader must not be able to read off two releases.

    A cell counts when its net change is non-zero and it concerns fewer than k distinct students
    whose records changed, or when it is a sensitive cell whose change concerns students in one
    or two contacts.
    """
    k = effective_threshold(k)
    # Both sides list the schools of both versions (change_between): their tables have the same
    # cells, with zeros where nothing changed.
    added = {c.key: c for c in build_tables(change.added).cells()}
    removed = {c.key: c for c in build_tables(change.removed).cells()}
    out: set[LogicalKey] = set()
    for key, a in added.items():
        r = removed[key]
        if a.count == r.count:
            continue
        students = a.students | r.students
        linked = a.linked_items + r.linked_items
        if (students and len(students) < k) or (
            is_sensitive_cell(a.table_id, a.coords) and 0 < linked < MIN_SENSITIVE_CONTACTS
        ):
            out.add(key)
    return out
