"""Every linear relation a reader can derive between the cells of one period's tables."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from srojournal.domain.taxonomy import CATEGORIES

from .tables import (
    ALL,
    GROUP_TYPES,
    TABLE_DIMENSIONS,
    TYPE_CATEGORY,
    LogicalKey,
    dimension_values,
    has_margin,
    logical_key,
)


@dataclass(frozen=True, slots=True)
class Relation:
    """sum(coef * value) == 0 (``eq``) or <= 0 (``le``)."""

    terms: tuple[tuple[LogicalKey, int], ...]
    op: str


def build_relations(layout: Iterable[tuple[str, tuple[str, ...]]]) -> list[Relation]:
    """The relations between the cells of one period's catalogue (see :func:`_derive`).

    They depend only on which cells are present, the same for every month with the same
    school list: remembered for the last few layouts.
    """
    return list(_relations(frozenset(layout)))


@functools.lru_cache(maxsize=32)
def _relations(layout: frozenset[tuple[str, tuple[str, ...]]]) -> tuple[Relation, ...]:
    # Kept apart from the cache so that mutation testing, which leaves decorated functions
    # alone, measures the derivation itself.
    return _derive(layout)


def _derive(layout: frozenset[tuple[str, tuple[str, ...]]]) -> tuple[Relation, ...]:
    """The relations between the cells of one period's catalogue.

    ``layout`` is the (table id, coordinates) of every cell; relations only use cells present.

    * every ``_all`` margin equals the sum of its row or column (cells of the same logical key
      are one number, so T1 and T2 share their category margins and grand total with T0);
    * T5 ``due`` = on time + late + open; T0 ``follow_ups_done`` = on time + late;
    * the group activities of one category (T6) are at most that category's contacts (T1), all
      of T6 at most all contacts; distinct students at most student contacts (T3); each referral
      target at most the contacts (a contact names a target once).
    """
    present: dict[str, set[tuple[str, ...]]] = {}
    for tid, coords in layout:
        present.setdefault(tid, set()).add(coords)
    keys = {logical_key(t, c) for t, cs in present.items() for c in cs}
    schools = sorted({c[0] for c in present.get("T2", set()) if c[0] != ALL})
    seen: set[tuple[frozenset[tuple[LogicalKey, int]], str]] = set()
    out: list[Relation] = []

    def add(terms: dict[LogicalKey, int], op: str = "eq") -> None:
        terms = {k: v for k, v in terms.items() if v != 0}
        if not terms or any(k not in keys for k in terms):
            return
        sig = frozenset(terms.items())
        negated = frozenset((k, -v) for k, v in sig)
        if (sig, op) in seen or (op == "eq" and (negated, op) in seen):
            return
        seen.add((sig, op))
        out.append(Relation(tuple(sorted(terms.items())), op))

    for tid, cells in sorted(present.items()):
        dims = TABLE_DIMENSIONS[tid]
        for di, d in enumerate(dims):
            if not has_margin(tid, d):
                continue
            values = [v for v in dimension_values(tid, d, schools) if v != ALL]
            for coords in sorted(cells):
                if coords[di] != ALL:
                    continue
                terms: dict[LogicalKey, int] = {logical_key(tid, coords): 1}
                for v in values:
                    member = logical_key(tid, (*coords[:di], v, *coords[di + 1 :]))
                    terms[member] = terms.get(member, 0) - 1
                add(terms)
    t5 = {s: logical_key("T5", (s,)) for s in ("due", "done_on_time", "done_late", "open")}
    add({t5["due"]: 1, t5["done_on_time"]: -1, t5["done_late"]: -1, t5["open"]: -1})
    add({logical_key("T0", ("follow_ups_done",)): 1, t5["done_on_time"]: -1, t5["done_late"]: -1})
    contacts = logical_key("T0", ("contacts",))
    for cat in CATEGORIES:
        ineq = {logical_key("T1", (cat, ALL)): -1}
        for t in GROUP_TYPES:
            if TYPE_CATEGORY[t] == cat:
                ineq[logical_key("T6", (t, "contacts"))] = 1
        if len(ineq) > 1:
            add(ineq, "le")
    add({logical_key("T6", (ALL, "contacts")): 1, contacts: -1}, "le")
    add({logical_key("T0", ("students",)): 1, logical_key("T3", (ALL, ALL)): -1}, "le")
    for coords in sorted(present.get("T4", set())):
        if coords[0] != ALL:
            add({logical_key("T4", coords): 1, contacts: -1}, "le")
    return tuple(out)
