"""What a clever reader of the released summaries knows, as one system of linear constraints.

The reader of ``docs/summary-format.md`` §5 knows the algorithm, every release of every period of
the school year (months, quarters, the year, revisions), which hidden cells are non-empty, and
which records can have changed between two releases. This module turns that knowledge into
integer unknowns, constraints and *targets* (numbers the reader must not narrow down); the
release gate (:mod:`.audit`) and the secondary suppression (:mod:`.suppression`) both ask it.

Unknowns ("atoms")
    * one per cell of every **month version**: the tables of one month's facts as some release
      used them. A release of a quarter or a school year made when a month's facts were the same
      as at that month's release uses the same atoms, so a quarter cell *is* the sum of its
      months' cells; after late entries or edits the month has a second version with atoms of
      its own, linked to the first as below;
    * for a quarter or school year, distinct students and hours get atoms of their own (they are
      not sums): students are at least each month's and at most their sum (and at most the
      period's student contacts); hours, rounded once per period, are within the rounding slack
      of the months' hours (``|H − Σ h| ≤ ⌊(30n + 29)/60⌋``).

    Every atom is an integer ≥ 1 where its true value is non-empty (≥ 0 where it is empty):
    colleagues know a student was seen.

Constraints
    * every margin, the cross-table identities and the inequalities of one period's tables
      (:func:`.audit.build_relations`: T6 ≤ T1 per category, T5 and T0 follow-ups, distinct
      students ≤ student contacts, a referral target ≤ contacts);
    * consecutive versions of a month: when only records were added, every cell of the newer
      version is at least the older one's; after edits or deletions nothing links them (the
      reader knows which records can have changed, not their codes);
    * every published cell equals its number.

Targets (each must keep a spread of at least ``MIN_WIDTH`` for the reader)
    (a) every hidden non-empty cell of every release;
    (b) every cell that the rules would hide in a month on its own (small cells, few contacts,
        group attribute, no breakdown): a quarter minus its other months must not publish it;
    (c) every cell whose change between two versions of a month, or between two releases of one
        period, concerns fewer than k students (or one or two sensitive contacts);
    (g) group attribute: "student-linked contacts of c that were not sensitive" must be able to
        reach ``MIN_WIDTH`` (one-sided: the reader must not be able to prove "all of them").
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np

from srojournal.domain.facts import MonthFacts
from srojournal.domain.periods import Period

from .errors import AuditFailed
from .lp import INF, FloatArray
from .relations import build_relations
from .rules import (
    MIN_WIDTH,
    Change,
    change_between,
    delta_sensitive,
    fingerprint_records,
    merge_between,
    primary,
)
from .tables import (
    LogicalKey,
    MonthTables,
    build_tables,
    combine_months,
    logical_key,
    period_tables_of,
    remembered,
    remembered_pair,
)

_EPS: Final = 1e-6
STUDENTS_KEY: Final = logical_key("T0", ("students",))
HOURS_KEY: Final = logical_key("T0", ("hours",))
T3_TOTAL: Final = logical_key("T3", ("_all", "_all"))

Terms = tuple[tuple[int, int], ...]
"""A linear expression over atoms: ((atom, coefficient), ...), sorted."""


@dataclass(frozen=True, slots=True)
class ReleaseView:
    """One release as the model sees it: its period, the facts behind it, what it published.

    ``published`` is None for the candidate release, whose hidden cells are being chosen.
    """

    period: Period
    number: int
    months: Mapping[str, MonthFacts]
    published: Mapping[LogicalKey, int | None] | None


@dataclass(frozen=True, slots=True)
class Target:
    terms: Terms
    need: float  # width: max − min >= need; up: max of the expression >= need (absolute)
    kind: str  # "width" | "up"
    true: int  # the expression's true value
    condition: LogicalKey | None  # the candidate's cell this target belongs to (if hidden)
    label: str  # what it protects, for a bug report (codes only)


@dataclass(frozen=True, slots=True)
class Interval:
    low: float
    high: float

    @property
    def width(self) -> float:
        return self.high - self.low


@dataclass(slots=True)
class _Version:
    month: str
    facts: MonthFacts
    tables: MonthTables
    virtual: bool = False
    atoms: dict[LogicalKey, int] = field(default_factory=dict)


def _fingerprint(facts: MonthFacts) -> frozenset[object]:
    return remembered("fingerprint", facts, lambda: fingerprint_records(facts))


def _terms(d: Mapping[int, int]) -> Terms:
    return tuple(sorted((a, c) for a, c in d.items() if c != 0))


class Model:
    """The reader's system over a school year's releases, plus one candidate release."""

    def __init__(self, releases: Sequence[ReleaseView], k: int) -> None:
        self.k = k
        self.true: list[int] = []
        self.rows: list[tuple[Terms, float, float]] = []
        self.targets: list[Target] = []
        self._seen_targets: set[tuple[Terms, str]] = set()
        self.versions: list[_Version] = []
        self._versions_of: dict[str, list[int]] = {}  # every version of a month, virtual too
        self._by_month: dict[str, list[int]] = {}
        self._period_atoms: dict[tuple[LogicalKey, tuple[int, ...]], int] = {}
        self.exprs: list[dict[LogicalKey, Terms]] = []
        self.values: list[dict[LogicalKey, int]] = []
        self.candidate: int | None = None
        for r, rel in enumerate(releases):
            if rel.published is None:
                if self.candidate is not None:
                    raise ValueError("one candidate release at most")
                self.candidate = r
            self._add_release(rel)
        self._link_versions()
        self._release_targets(releases)
        self._version_targets()

    # -- atoms and versions ----------------------------------------------------------------------
    def _atom(self, true: int) -> int:
        self.true.append(true)
        return len(self.true) - 1

    def _version(self, month: str, facts: MonthFacts, *, virtual: bool = False) -> int:
        """The version of a month with these facts (new atoms the first time). A ``virtual``
        version is derived by the reader (facts no release used): no targets of its own."""
        known = self._versions_of.setdefault(month, [])
        for v in known:
            if self.versions[v].facts is facts:
                return v
        if known:
            # Another object for this month: the same version if it holds the same records
            # (their order aside). Most months have one object, and no fingerprint at all.
            records = _fingerprint(facts)
            for v in known:
                if _fingerprint(self.versions[v].facts) == records:
                    return v
        tables = build_tables(facts)
        ver = _Version(month, facts, tables, virtual=virtual)
        for key, value in tables.values().items():
            ver.atoms[key] = self._atom(value)
        self.versions.append(ver)
        v = len(self.versions) - 1
        known.append(v)
        if not virtual:
            self._by_month.setdefault(month, []).append(v)
        layout = [(c.table_id, c.coords) for c in tables.cells()]
        for rel in build_relations(layout):
            terms = _terms({ver.atoms[key]: coef for key, coef in rel.terms})
            self.rows.append((terms, 0.0 if rel.op == "eq" else -INF, 0.0))
        return v

    def _add_release(self, rel: ReleaseView) -> None:
        months = rel.period.months()
        missing = [m for m in months if m not in rel.months]
        if missing:
            raise AuditFailed("a release lacks the facts of one of its months")
        vs = tuple(self._version(m, rel.months[m]) for m in months)
        exprs: dict[LogicalKey, Terms] = {}
        if rel.period.kind == "month":
            ver = self.versions[vs[0]]
            values = ver.tables.values()
            for key, atom in ver.atoms.items():
                exprs[key] = ((atom, 1),)
        else:
            tables = period_tables_of(rel.period.text, [rel.months[m] for m in months])
            values = tables.values()
            for key in values:
                if key in (STUDENTS_KEY, HOURS_KEY):
                    exprs[key] = ((self._period_atom(key, vs, values[key]), 1),)
                    continue
                acc: dict[int, int] = {}
                for v in vs:
                    month_atom = self.versions[v].atoms.get(key)
                    if month_atom is not None:
                        acc[month_atom] = acc.get(month_atom, 0) + 1
                exprs[key] = _terms(acc)
                if sum(self.true[a] * c for a, c in exprs[key]) != values[key]:
                    raise AuditFailed("a period's cell is not the sum of its months")
        self.exprs.append(exprs)
        self.values.append(values)

    def _period_atom(self, key: LogicalKey, vs: tuple[int, ...], true: int) -> int:
        ident = (key, vs)
        atom = self._period_atoms.get(ident)
        if atom is not None:
            return atom
        atom = self._atom(true)
        self._period_atoms[ident] = atom
        month_atoms = [self.versions[v].atoms[key] for v in vs]
        if key == STUDENTS_KEY:
            for m in month_atoms:  # each month's students are among the period's
                self.rows.append((_terms({atom: 1, m: -1}), 0.0, INF))
            total = {atom: 1}
            for m in month_atoms:
                total[m] = total.get(m, 0) - 1
            self.rows.append((_terms(total), -INF, 0.0))  # at most their sum
            contacts: dict[int, int] = {atom: 1}
            for v in vs:
                t3 = self.versions[v].atoms[T3_TOTAL]
                contacts[t3] = contacts.get(t3, 0) - 1
            self.rows.append((_terms(contacts), -INF, 0.0))  # at most the student contacts
        else:
            n = len(month_atoms)
            diff: dict[int, int] = {atom: 1}
            for m in month_atoms:
                diff[m] = diff.get(m, 0) - 1
            # minutes M_i in [60 h_i - 30, 60 h_i + 29]; the period's H rounds their sum.
            self.rows.append(
                (_terms(diff), -float((30 * n + 29) // 60), float((29 * n + 30) // 60))
            )
        return atom

    def _link_versions(self) -> None:
        pairs = [(m, o, n) for m, vs in self._by_month.items() for o, n in itertools.pairwise(vs)]
        for month, older, newer in pairs:
            a, b = self.versions[older], self.versions[newer]
            merge = merge_between(a.facts, b.facts)
            if merge is not None:
                # The older facts with the merge applied: known exactly from the older ones.
                mid = self.versions[self._version(month, merge.relabelled, virtual=True)]
                self._relabel_rows(a, mid, merge.into)
                a = mid
                if a is b:
                    continue
            # The same for the suppression's model and the gate's: worked out once.
            change = remembered_pair(
                "change", a.facts, b.facts, functools.partial(change_between, a.facts, b.facts)
            )
            shared = a.atoms.keys() & b.atoms.keys()
            if change.monotone:
                for key in sorted(shared):
                    self.rows.append((_terms({b.atoms[key]: 1, a.atoms[key]: -1}), 0.0, INF))
            for key in sorted(delta_sensitive(change, self.k) & shared):
                self._target(
                    {b.atoms[key]: 1, a.atoms[key]: -1},
                    "width",
                    None,
                    f"change of {month} in {_key_text(key)}",
                )

    def _relabel_rows(self, old: _Version, mid: _Version, into: Mapping[str, str]) -> None:
        """Every number of ``mid`` (``old`` after a merge of schools) from ``old``'s: a school's
        row is its own plus the rows of the schools merged into it; the rest is unchanged,
        except distinct students (a merge may fold two students into one)."""
        for key, atom in mid.atoms.items():
            if key == STUDENTS_KEY:
                continue
            terms = {atom: 1}
            for source in _merged_keys(key, old.facts.schools, into):
                if source in old.atoms:
                    terms[old.atoms[source]] = terms.get(old.atoms[source], 0) - 1
            self.rows.append((_terms(terms), 0.0, 0.0))

    # -- targets ---------------------------------------------------------------------------------
    def _target(
        self,
        terms: Mapping[int, int],
        kind: str,
        condition: LogicalKey | None,
        label: str,
        need: float = MIN_WIDTH,
    ) -> None:
        t = _terms(terms)
        if not t:
            return
        sig = (t, kind)
        if sig in self._seen_targets and condition is None:
            return
        self._seen_targets.add(sig)
        true = sum(self.true[a] * c for a, c in t)
        self.targets.append(Target(t, float(need), kind, true, condition, label))

    def _expr(self, r: int, terms: Iterable[tuple[LogicalKey, int]]) -> dict[int, int]:
        acc: dict[int, int] = {}
        for key, coef in terms:
            for atom, c in self.exprs[r].get(key, ()):
                acc[atom] = acc.get(atom, 0) + c * coef
        return acc

    def _release_targets(self, releases: Sequence[ReleaseView]) -> None:
        previous: dict[str, int] = {}
        for r, rel in enumerate(releases):
            name = f"{rel.period.text} release {rel.number}"
            values = self.values[r]
            if rel.published is None:
                for key, terms in self.exprs[r].items():
                    if values[key] > 0:
                        self._target(dict(terms), "width", key, f"{name} {_key_text(key)}")
            else:
                for key, value in rel.published.items():
                    if key not in self.exprs[r]:
                        raise AuditFailed("a release holds a cell outside its catalogue")
                    if value is None and values[key] > 0:
                        self._target(dict(self.exprs[r][key]), "width", None, f"{name} hidden")
            if rel.period.kind != "month":
                tables = period_tables_of(
                    rel.period.text, [rel.months[m] for m in rel.period.months()]
                )
                for case in primary(tables, self.k).cases:
                    self._target(self._expr(r, case.expression), "up", None, f"{name} {case.scope}")
                before = previous.get(rel.period.text)
                if before is not None:
                    old = combine_months(
                        rel.period.text, [releases[before].months[m] for m in rel.period.months()]
                    )
                    new = combine_months(
                        rel.period.text, [rel.months[m] for m in rel.period.months()]
                    )
                    merge = merge_between(old, new)
                    into = merge.into if merge else {}
                    change = change_between(merge.relabelled if merge else old, new)
                    for key in sorted(delta_sensitive(change, self.k)):
                        if key not in self.exprs[r]:
                            continue
                        sources = _merged_keys(key, old.schools, into)
                        if not any(k in self.exprs[before] for k in sources):
                            continue
                        diff = self._expr(r, [(key, 1)])
                        for atom, c in self._expr(before, [(k, 1) for k in sources]).items():
                            diff[atom] = diff.get(atom, 0) - c
                        self._target(diff, "width", None, f"{name} change")
            previous[rel.period.text] = r

    def _version_targets(self) -> None:
        for ver in self.versions:
            if ver.virtual:
                continue
            rules = primary(ver.tables, self.k)
            values = ver.tables.values()
            for key in sorted(rules.hidden):
                if values[key] > 0:
                    self._target(
                        {ver.atoms[key]: 1}, "width", None, f"{ver.month} {_key_text(key)}"
                    )
            for case in rules.cases:
                terms: dict[int, int] = {}
                for key, coef in case.expression:
                    terms[ver.atoms[key]] = terms.get(ver.atoms[key], 0) + coef
                self._target(terms, "up", None, f"{ver.month} {case.scope}")

    # -- programs --------------------------------------------------------------------------------
    def lower_deviation(self) -> FloatArray:
        """Atom lower bounds as deviations from the truth: ``min(v, 1) − v``."""
        true = np.asarray(self.true, dtype=np.float64)
        return np.minimum(true, 1.0) - true

    def row_specs(self) -> list[tuple[list[int], list[float], float, float]]:
        out = []
        for terms, lo, hi in self.rows:
            shift = sum(self.true[a] * c for a, c in terms)
            out.append(
                ([a for a, _ in terms], [float(c) for _, c in terms], lo - shift, hi - shift)
            )
        return out

    def published_rows(
        self, r: int, published: Mapping[LogicalKey, int | None]
    ) -> tuple[dict[int, float], list[tuple[list[int], list[float], float, float]]]:
        """Fixed atoms and rows that say "this published cell has this number" (deviations)."""
        fixed: dict[int, float] = {}
        rows = []
        for key, value in published.items():
            if value is None:
                continue
            terms = self.exprs[r][key]
            dev = float(value - self.values[r][key])
            if len(terms) == 1 and terms[0][1] == 1:
                atom = terms[0][0]
                if fixed.get(atom, dev) != dev:
                    raise AuditFailed("the published numbers are inconsistent")
                fixed[atom] = dev
            elif terms:
                rows.append(([a for a, _ in terms], [float(c) for _, c in terms], dev, dev))
            elif value != 0:
                raise AuditFailed("the published numbers are inconsistent")
        return fixed, rows


def _merged_keys(
    key: LogicalKey, schools: Sequence[str], into: Mapping[str, str]
) -> list[LogicalKey]:
    """The keys of the older facts that make up ``key`` after a merge of schools."""
    quantity, scope, pairs = key
    where = dict(pairs).get("school")
    if where is None or not into:
        return [key]
    rest = [(d, v) for d, v in pairs if d != "school"]
    return [
        (quantity, scope, tuple(sorted([*rest, ("school", s)])))
        for s in schools
        if into.get(s, s) == where
    ]


def _key_text(key: LogicalKey) -> str:
    quantity, _scope, coords = key
    return quantity + "".join(f" {d}={v}" for d, v in coords)


__all__ = ["Change", "Interval", "Model", "ReleaseView", "Target", "Terms"]
