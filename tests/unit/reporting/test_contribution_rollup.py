"""Roll-ups of contributions: sums, exact 90 % intervals, and the evidence that they add up.

The evidence test simulates a program of 300 officers (synthetic months drawn like the demo
journal, a fixed seed), runs the real mechanism (OpenDP's noise, so the draws differ on every
run) and checks that the 90 % intervals hold the bounded true totals for about 90 % of the cells.
Coverage is judged over three independent releases of the same program, with a tolerance.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from srojournal.demo_facts import program_months
from srojournal.domain.facts import MonthFacts
from srojournal.reporting import contribution as c
from srojournal.reporting.contribution_aggregate import (
    aggregate_contribution_contents,
    aggregate_contributions,
    half_width,
    variance,
)
from srojournal.reporting.contribution_io import (
    render_contribution_json,
    render_rollup_csv,
    render_rollup_json,
)
from srojournal.reporting.errors import ReportRejected
from srojournal.reporting.tables import ALL

from .conftest import busy_month

SCHEMA = Path(__file__).parents[3] / "resources" / "schema" / "contribution-rollup.schema.json"


def _zero_noise(part: str, scale: float, values: list[int]) -> list[int]:
    del part, scale
    return list(values)


def _pmf(scale: float, half: int) -> np.ndarray:
    p = math.exp(-1 / scale)
    k = np.arange(-half, half + 1)
    return (1 - p) / (1 + p) * p ** np.abs(k)


@pytest.mark.parametrize("scale", [0.7, 3.0, 32.23, 400.0])
def test_one_noise_interval_matches_the_closed_form(scale: float) -> None:
    """P(|X| ≤ q) = 1 − 2p^(q+1)/(1+p) for one discrete Laplace variable."""
    p = math.exp(-1 / scale)
    q, method = half_width(((scale, 1),))
    assert method == "exact"
    mass = lambda q: 1 - 2 * p ** (q + 1) / (1 + p)  # noqa: E731
    assert mass(q) >= 0.9 > (mass(q - 1) if q > 0 else 0)


def test_sum_interval_matches_a_direct_convolution() -> None:
    half = 4000
    a, b = _pmf(5.0, half), _pmf(40.0, half)
    dist = np.convolve(np.convolve(np.convolve(a, a), b), b)  # 2 × scale 5, 2 × scale 40
    centre = len(dist) // 2
    central = [dist[centre - q : centre + q + 1].sum() for q in range(400)]
    expected = next(q for q, m in enumerate(central) if m >= 0.9)
    assert half_width(((5.0, 2), (40.0, 2))) == (expected, "exact")


def test_huge_sums_fall_back_to_the_normal_approximation() -> None:
    q, method = half_width(((400.0, 10_000_000),))
    assert method == "normal approximation"
    sd = math.sqrt(10_000_000 * 2 * math.exp(-1 / 400) / (1 - math.exp(-1 / 400)) ** 2)
    assert q == pytest.approx(1.6449 * sd, rel=1e-3)


def test_rollup_sums_cell_by_cell_over_the_union_of_schools() -> None:
    one = c.make_contribution(busy_month().build(), Decimal("1.0"), noise=_zero_noise)
    other_facts = busy_month("2026-04").build()
    other_facts = MonthFacts(
        other_facts.period, other_facts.contacts, other_facts.follow_ups, ("Lincoln High", "Zeta")
    )
    other_facts = MonthFacts(
        other_facts.period,
        tuple(x for x in other_facts.contacts if x.school == "Lincoln High"),
        other_facts.follow_ups,
        other_facts.schools,
    )
    two = c.make_contribution(other_facts, Decimal("0.5"), noise=_zero_noise)
    r = aggregate_contributions([one, two])
    assert r.periods == ("2026-03", "2026-04") and r.sources == 2
    assert r.epsilons == (Decimal("0.5"), Decimal("1"))
    t0 = r.table("T0").cell("contacts")
    assert (
        t0.estimate
        == one.table("T0").cell("contacts").count + two.table("T0").cell("contacts").count
    )
    assert t0.low <= t0.estimate <= t0.high
    schools = [x.coords[0] for x in r.table("T2").cells if x.coords[1] == ALL]
    assert schools == ["Lincoln High", "Washington Middle", "Zeta", ALL]
    # T3 cells are plain sums of one noise per file: an exact interval.
    t3 = r.table("T3").cell("high", "mentoring")
    q, method = half_width(((one.scale("counts"), 1), (two.scale("counts"), 1)))
    assert method == "exact" and (t3.low, t3.high) == (max(0, t3.estimate - q), t3.estimate + q)
    # Only the second officer has Zeta: its reconciled cell carries that file's noise only.
    zeta = r.table("T2").cell("Zeta", "mentoring")
    assert zeta.estimate == 0
    spec = c.cell_noise(two.schools)[("T2", ("Zeta", "mentoring"))]
    sd = math.sqrt(spec.weight * variance(two.scale("counts")) + spec.rounding**2)
    assert zeta.high == math.ceil(1.6448536269514722 * sd)
    assert r.interval == "mixed"


def test_rollup_formats_say_what_the_numbers_are() -> None:
    items = [
        c.make_contribution(busy_month(p).build(), Decimal("1.0")) for p in ("2026-03", "2026-04")
    ]
    r = aggregate_contribution_contents([render_contribution_json(x) for x in items])
    doc = json.loads(render_rollup_json(r))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(doc)
    assert doc["format"] == "srojournal-contribution-rollup"
    assert doc["confidence"] == 0.9 and doc["interval"] == "mixed"
    header = render_rollup_csv(r).decode().splitlines()[0].split(",")
    assert header[-3:] == ["estimate", "low", "high"]


def test_the_same_file_twice_is_refused() -> None:
    content = render_contribution_json(c.make_contribution(busy_month().build(), Decimal("1.0")))
    with pytest.raises(ReportRejected, match="twice"):
        aggregate_contribution_contents([content, content])


# -- the evidence --------------------------------------------------------------------------------

OFFICERS = 300
RUNS = 3


def truth_of(months: list[MonthFacts]) -> dict[tuple[str, tuple[str, ...]], int]:
    out: dict[tuple[str, tuple[str, ...]], int] = {}
    for m in months:
        for t in c.tables_from_base(m.schools, c.true_base(m)):
            for cell in t.cells:
                key = (t.id, cell.coords)
                out[key] = out.get(key, 0) + cell.count
    return out


def test_300_officers_intervals_cover_the_truth_about_90_percent() -> None:
    months = list(program_months(seed=2026, officers=OFFICERS))
    truth = truth_of(months)
    parts = c.noise_parts(Decimal("1.0"))
    covered = cells = 0
    for _run in range(RUNS):
        rollup = aggregate_contributions(
            [c.make_contribution(m, Decimal("1.0"), parts=parts) for m in months]
        )
        assert rollup.sources == OFFICERS and rollup.interval == "mixed"
        for t in rollup.tables:
            for cell in t.cells:
                true = truth.get((t.id, cell.coords), 0)
                cells += 1
                covered += cell.low <= true <= cell.high
    coverage = covered / cells
    assert 0.80 <= coverage <= 0.97, coverage


def test_rollup_pdf_shows_estimates_and_intervals_and_nothing_else(qapp) -> None:  # type: ignore[no-untyped-def]
    import io

    import pypdf

    from srojournal.reporting.contribution_pdf import render_rollup_pdf
    from srojournal.reporting.leakcheck import LeakChecker

    items = [
        c.make_contribution(busy_month(p).build(), Decimal("1.0")) for p in ("2026-03", "2026-04")
    ]
    r = aggregate_contributions(items)
    checked: list[str] = []
    pdf = render_rollup_pdf(r, checked.append)
    assert pdf == render_rollup_pdf(r)  # deterministic
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    text = " ".join(" ".join(p.extract_text() for p in pages).split())
    assert "SRO Journal contribution roll-up" in text and "90 %" in text
    t0 = r.table("T0").cell("students")
    assert str(t0.estimate) in text and f"{t0.low}–{t0.high}" in text
    assert checked and "interval" in checked[0]
    LeakChecker(schools=items[0].schools).check_pdf_bytes(pdf)  # no metadata, no dates


def test_rollup_pdf_goes_through_the_leak_check(tmp_path: Path, qapp) -> None:  # type: ignore[no-untyped-def]
    from srojournal.reporting.contribution_service import aggregate_contribution_files

    path = tmp_path / "c.json"
    path.write_bytes(
        render_contribution_json(c.make_contribution(busy_month().build(), Decimal("1.0")))
    )
    pdf = aggregate_contribution_files([path], "pdf")
    assert pdf is not None and pdf.startswith(b"%PDF")
