"""The attack: the reader's proofs, judged against the truth.

`Attack` holds every release a reader has (with the true tables behind each, which stand for
what colleagues know and for judging a proof). `findings()` lists every disclosure:

* ``pinned`` — a hidden non-empty cell whose exact interval is narrower than 3;
* ``group`` — the reader proves that every student-linked contact of a category, school, grade
  band (or of the whole period) had a sensitive outcome or sensitive referral, and it is true;
* ``small`` — a published cell with student-linked records and fewer than k distinct students,
  or a sensitive cell whose students sit in fewer than 3 contacts;
* ``revision`` — the reader pins down how a cell changed between two releases of a period (the
  change is provably not zero and its interval is narrower than 3, as for a hidden cell), and
  the records that changed it concern fewer than k students (or, for a sensitive cell, fewer
  than 3 contacts). Knowing only that a cell grew by "somewhere from 1 to 7" is what the reader
  knows of any hidden non-empty cell, and is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tests.attack.reader import (
    ALL,
    CATEGORIES,
    GROUP_TYPE_CATEGORY,
    SENSITIVE_GROUPS,
    SENSITIVE_REFERRALS,
    CellKey,
    Model,
    Release,
)
from tests.attack.truth import Cell, published_matches

WIDTH = 3  # a hidden cell's interval must be at least this wide


@dataclass(frozen=True)
class Finding:
    kind: str
    release: str
    where: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.release} {self.where}: {self.detail}"


def sensitive(key: CellKey) -> bool:
    table, coords = key
    return (table == "T1" and coords[1] in SENSITIVE_GROUPS) or (
        table == "T4" and coords[0] in SENSITIVE_REFERRALS
    )


class Attack:
    def __init__(self) -> None:
        self.model = Model()
        self.truth: list[Mapping[CellKey, Cell]] = []

    def release(self, data: bytes, truth: Mapping[CellKey, Cell]) -> int:
        """Add a released file; ``truth`` is the journal's true tables when it was released."""
        rel = Release.parse(data)
        wrong = published_matches(rel.cells, truth)
        assert not wrong, f"the truth disagrees with published cells: {wrong[:5]}"
        nonempty = [k for k in rel.hidden() if truth[k].value > 0]
        idx = self.model.add_release(rel, nonempty)
        self.truth.append(truth)
        self._check_truth()
        return idx

    def rollup(self, whole: int, parts: list[int], merged: Mapping[str, str] | None = None) -> None:
        self.model.add_rollup(whole, parts, merged)
        self._check_truth()

    def growth(self, old: int, new: int, merged: Mapping[str, str] | None = None) -> None:
        self.model.add_growth(old, new, merged)
        self._check_truth()

    def _check_truth(self) -> None:
        values = {
            col: self.truth[r][key].value
            for r, cols in enumerate(self.model.var)
            for key, col in cols.items()
        }
        bad = self.model.violated_by(values)
        assert not bad, f"a relation the truth breaks: {bad[:5]}"

    # -- the disclosures -----------------------------------------------------------------------
    def findings(self) -> list[Finding]:
        out: list[Finding] = []
        for r in range(len(self.model.releases)):
            out += self.pinned(r) + self.group(r) + self.small(r)
        out += self.revisions()
        return out

    def pinned(self, r: int) -> list[Finding]:
        rel, truth, out = self.model.releases[r], self.truth[r], []
        for key in rel.hidden():
            col = self.model.var[r][key]
            if truth[key].value > 0 and not self.model.spread_at_least({col: 1}, WIDTH):
                lo, hi = self.model.interval(col)
                if hi - lo < WIDTH:
                    out.append(
                        Finding(
                            "pinned", rel.label(), _where(key),
                            f"true {truth[key].value}, reader's interval [{lo:g}, {hi:g}]",
                        )
                    )  # fmt: skip
        return out

    def small(self, r: int) -> list[Finding]:
        rel, truth, out = self.model.releases[r], self.truth[r], []
        for key, value in rel.cells.items():
            if not value:
                continue
            cell = truth[key]
            students = len(cell.students)
            if 0 < students < rel.threshold:
                out.append(Finding("small", rel.label(), _where(key), f"{students} students < k"))
            if sensitive(key) and 0 < cell.linked_items < 3:
                out.append(
                    Finding(
                        "small", rel.label(), _where(key),
                        f"sensitive, published {value}, its students in "
                        f"{cell.linked_items} contact(s)",
                    )
                )  # fmt: skip
        return out

    def group(self, r: int) -> list[Finding]:
        """Every student-linked contact of a group sensitive, proved from the files."""
        rel, truth, m = self.model.releases[r], self.truth[r], self.model
        col = m.var[r]
        proven: dict[str, bool] = {}
        out: list[Finding] = []
        for cat in (*CATEGORIES, ALL):
            # Student-linked contacts of cat <= T1(cat, _all) - group activities of cat (T6).
            expr: dict[int, int] = {col[("T1", (cat, ALL))]: 1}
            types = [t for t, c in GROUP_TYPE_CATEGORY.items() if cat in (c, ALL)]
            for t in [ALL] if cat == ALL else types:
                expr[col[("T6", (t, "contacts"))]] = expr.get(col[("T6", (t, "contacts"))], 0) - 1
            for g in SENSITIVE_GROUPS:
                expr[col[("T1", (cat, g))]] = -1
            proven[cat] = not m.can_reach(expr, 1)
        for cat, yes in proven.items():
            if yes and _all_sensitive(truth, ("T1", (cat, ALL))):
                out.append(Finding("group", rel.label(), f"category {cat}", "all sensitive"))
        # A school or band whose only possible categories are all proved sensitive.
        for table in ("T2", "T3"):
            rows = {k[1][0] for k in rel.cells if k[0] == table and k[1][0] != ALL}
            for row in sorted(rows):
                possible = [c for c in CATEGORIES if m.can_reach({col[(table, (row, c))]: 1}, 1)]
                if (
                    possible
                    and all(proven[c] for c in possible)
                    and _all_sensitive(truth, (table, (row, ALL)))
                ):
                    out.append(Finding("group", rel.label(), f"{table} {row}", "all sensitive"))
        # A sensitive referral named on every student-linked contact of the period.
        for ref in SENSITIVE_REFERRALS:
            expr = {col[("T1", (ALL, ALL))]: 1, col[("T6", (ALL, "contacts"))]: -1}
            expr[col[("T4", (ref,))]] = -1
            linked = {i for i in truth[("T1", (ALL, ALL))].items if i[-1]}
            named = {("contact", i[1], i[-1]) for i in truth[("T4", (ref,))].items}
            if linked and linked <= named and not m.can_reach(expr, 1):
                out.append(Finding("group", rel.label(), f"referral {ref}", "named on all"))
        return out

    def revisions(self) -> list[Finding]:
        out: list[Finding] = []
        rels = self.model.releases
        for new in range(len(rels)):
            for old in range(new):
                if rels[old].period != rels[new].period or rels[old].number >= rels[new].number:
                    continue
                for key, col_new in self.model.var[new].items():
                    col_old = self.model.var[old].get(key)
                    if col_old is None:
                        continue
                    diff = {col_new: 1, col_old: -1}
                    if self.model.spread_at_least(diff, WIDTH):
                        continue
                    lo, hi = self.model.bounds(diff)
                    if lo <= 0 <= hi or hi - lo >= WIDTH:
                        continue
                    changed = self.truth[old][key].items ^ self.truth[new][key].items
                    students = {s for item in changed for s in item[-1]}  # type: ignore[attr-defined]
                    linked = sum(1 for item in changed if item[-1])
                    label = f"{rels[old].label()}->{rels[new].number}"
                    if 0 < len(students) < rels[new].threshold:
                        out.append(
                            Finding(
                                "revision", label, _where(key),
                                f"change [{lo:g}, {hi:g}] concerns {len(students)} student(s)",
                            )
                        )  # fmt: skip
                    elif sensitive(key) and 0 < linked < 3:
                        out.append(
                            Finding(
                                "revision", label, _where(key),
                                f"sensitive change [{lo:g}, {hi:g}] in {linked} contact(s)",
                            )
                        )  # fmt: skip
        return out


def _all_sensitive(truth: Mapping[CellKey, Cell], row: CellKey) -> bool:
    """True when the row has student-linked contacts and every one is sensitive."""
    table, (name, _all) = row
    linked = {i for i in truth[row].items if i[-1]}
    if not linked:
        return False
    keys = {i[1] for i in linked}  # contact keys (T3 items are per student, same key)
    cats = CATEGORIES if table != "T1" else [name] if name != ALL else list(CATEGORIES)
    flagged: set[object] = set()
    for cat in cats:
        for g in SENSITIVE_GROUPS:
            flagged |= {i[1] for i in truth[("T1", (cat, g))].items}
    return keys <= flagged


def _where(key: CellKey) -> str:
    return f"{key[0]} {'/'.join(key[1])}"
