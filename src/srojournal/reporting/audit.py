"""The release gate: can a reader narrow down any hidden number of any release?

The gate reads every release back from its own bytes (the new one and every earlier release of
the school year: months, quarters, the year, revisions), joins them with the facts each release
was made from (kept privately in the vault), and builds the reader's system of
:mod:`.reader`. Then, for every target — each hidden non-empty cell, each cell the rules protect
in a month on its own or in a change between releases, each group attribute — it establishes the
reader's exact integer interval, or proves that it is wide enough:

* the truth is one integral point; batches of linear programs push all unproven targets away
  from it at once, each capped at the distance it needs; a fractional vertex is replaced by the
  integer program's answer, so every witness is an integral feasible point and two witnesses
  ``MIN_WIDTH`` apart prove the width exactly;
* every target left is decided by its exact integer minimum and maximum (HiGHS through
  ``highspy``: the LP first, the integer program when the LP optimum is fractional).

The file is written only if every target keeps a spread of at least ``MIN_WIDTH`` (3). A failure
is a bug in the suppression: :class:`AuditFailed`, never a file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .errors import AuditFailed
from .lp import INF
from .model import STATUS_SUPPRESSED, Summary
from .proof import System, Witnesses
from .reader import Interval, Model, ReleaseView, Target
from .relations import Relation, build_relations
from .rules import MIN_WIDTH
from .tables import LogicalKey, logical_key

Publication = dict[LogicalKey, int | None]
"""One release: every logical key with its published count, or None when suppressed."""


@dataclass(frozen=True, slots=True)
class AuditReport:
    targets: tuple[Target, ...]
    intervals: dict[int, Interval]
    failing: tuple[int, ...]
    solves: int

    def narrowest(self) -> float:
        return min((iv.width for iv in self.intervals.values()), default=INF)


def publication_of(summary: Summary) -> Publication:
    """The published value of every logical key; same-key cells must agree."""
    pub: Publication = {}
    for t in summary.tables:
        for c in t.cells:
            key = logical_key(t.id, c.coords)
            value = None if c.status == STATUS_SUPPRESSED else c.count
            if key in pub and pub[key] != value:
                if value is None or pub[key] is None:
                    # shown in one table, hidden in another: a reader knows it exactly
                    raise AuditFailed("a suppressed cell is shown in another table")
                raise AuditFailed("two cells of the same quantity disagree")
            pub[key] = value
    return pub


def layout_of(summary: Summary) -> list[tuple[str, tuple[str, ...]]]:
    return [(t.id, c.coords) for t in summary.tables for c in t.cells]


def audit_views(
    views: Sequence[ReleaseView], k: int, witnesses: Witnesses | None = None
) -> AuditReport:
    """Audit releases that are all published (the new one last). Raises AuditFailed.

    ``witnesses`` are points found elsewhere (the suppression's): each is checked against the
    gate's own system and used only if it is an integral point of it.
    """
    if any(v.published is None for v in views):
        raise ValueError("the gate audits published releases only")
    model = Model(views, k)
    system = System(
        model, [(r, v.published) for r, v in enumerate(views) if v.published is not None]
    )
    if witnesses:
        system.seed(witnesses)
    proof = system.prove(range(len(model.targets)), exact=True)
    report = AuditReport(tuple(model.targets), proof.intervals, tuple(proof.failing), system.solves)
    if proof.failing:
        raise AuditFailed(f"{len(proof.failing)} hidden number(s) can be narrowed down")
    return report


__all__ = [
    "MIN_WIDTH",
    "AuditReport",
    "Publication",
    "Relation",
    "audit_views",
    "build_relations",
    "layout_of",
    "publication_of",
]
