from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .factories import FactsBuilder


def busy_month(period: str = "2026-03") -> FactsBuilder:
    """A month with enough students for a real breakdown."""
    b = FactsBuilder(period)
    for s in range(1, 31):
        b.contact("mentoring", [s], outcome_group="resolved", band="high")
        b.contact("relationship", [s], outcome_group="none", band="middle", school=b.schools[s % 2])
    for s in range(1, 13):
        b.contact("mediation", [s, s + 12], outcome_group="agreement", band="middle")
    for s in range(1, 4):
        b.contact("investigation", [40 + s], outcome_group="enforcement", referrals=["counselor"])
    b.contact("classroom", [], outcome_group="none", attendees=25, times=4)
    b.contact("safety_check", [], outcome_group="none", attendees=0, times=3)
    for s in range(1, 15):
        b.follow_up("done_on_time" if s < 9 else "open", [s])
    return b


def one_small_cell_month() -> FactsBuilder:
    """One small cell in T1 (two students, notified after mentoring) among full ones: the
    cheapest protection is a rectangle of four cells."""
    b = FactsBuilder()
    for s in range(1, 41):
        b.contact("mentoring", [s], outcome_group="resolved", times=3)
        b.contact("mentoring", [s], outcome_group="none")
        b.contact("relationship", [s + 100], outcome_group="resolved", times=3)
        b.contact("relationship", [s + 100], outcome_group="none")
    for s in range(141, 161):
        b.contact("relationship", [s], outcome_group="notified")
    b.contact("mentoring", [201, 202], outcome_group="notified", times=2)
    return b


def point_of(part_atoms: Sequence[int], atoms: Sequence[int], *moves: float) -> np.ndarray:
    """A point of a part of the reader's system: each of ``atoms`` moved by its ``moves``
    (deviations from the truth), every other unknown of the part at the truth."""
    col = {a: i for i, a in enumerate(part_atoms)}
    x = np.zeros(len(part_atoms))
    for atom, move in zip(atoms, moves, strict=True):
        x[col[atom]] = move
    return x
