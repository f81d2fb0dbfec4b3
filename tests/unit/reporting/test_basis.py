"""A release's private basis: written once, read back the same whichever way it is read."""

from __future__ import annotations

import json
import zlib
from dataclasses import replace

import pytest

from srojournal.domain.facts import MonthFacts
from srojournal.reporting.basis import Interner, decode_basis, encode_basis
from srojournal.reporting.errors import ReportRejected

from .factories import random_facts


def _months() -> dict[str, MonthFacts]:
    return {m: replace(random_facts(i), period=m) for i, m in enumerate(("2025-10", "2025-11"))}


def test_a_basis_of_known_months_reads_back_as_those_months() -> None:
    months = _months()
    interner = Interner()
    shared = {m: interner.add(f) for m, f in months.items()}
    data = encode_basis(shared, 7, interner)
    basis = decode_basis(data, interner)
    assert basis.sequence == 7
    assert all(basis.months[m] is shared[m] for m in months)  # the same objects, not copies
    fresh = decode_basis(data)  # read through JSON: the same content
    assert fresh.months == basis.months and fresh.sequence == 7


def test_a_month_that_changed_since_is_read_from_the_basis_itself() -> None:
    months = _months()
    data = encode_basis(months)
    interner = Interner()
    changed = replace(months["2025-11"], contacts=months["2025-11"].contacts[1:])
    interner.add(months["2025-10"])
    interner.add(changed)
    basis = decode_basis(data, interner)
    assert basis.sequence is None
    assert basis.months["2025-11"] == months["2025-11"] != changed
    assert basis.months["2025-10"] == months["2025-10"]


def test_a_basis_written_another_way_is_parsed_and_a_damaged_one_refused() -> None:
    months = _months()
    doc = json.loads(zlib.decompress(encode_basis(months, 3)))
    spaced = zlib.compress(json.dumps(doc, indent=1).encode("utf-8"))
    interner = Interner()
    for f in months.values():
        interner.add(f)
    basis = decode_basis(spaced, interner)
    assert basis.months == months and basis.sequence == 3
    cut = zlib.compress(zlib.decompress(encode_basis(months, 3))[:-2])
    with pytest.raises(ReportRejected):
        decode_basis(cut, interner)
