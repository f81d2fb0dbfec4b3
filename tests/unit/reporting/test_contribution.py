"""Contributions: the per-student bound, OpenDP's noise, and margins made of noisy interiors.

The bound is proved the way an attacker would test it: take a journal, remove one student as the
neighbouring relation says (the student leaves every contact and follow-up; one left without any
student disappears), and measure how far the pre-noise vector moved. It must never move further
than the L1 sensitivity the noise is calibrated for — on generated journals and on the worst
cases named in the design (one student in 40 contacts, one contact with 30 students).
"""

from __future__ import annotations

import math
import statistics
from decimal import Decimal

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings

from srojournal.domain.facts import ContactFact, FollowUpFact, MonthFacts, StudentFact
from srojournal.domain.taxonomy import BUILTIN_CONTACT_TYPES, GRADE_BANDS, REFERRAL_TARGETS
from srojournal.reporting import contribution as c
from srojournal.reporting.contribution_aggregate import variance
from srojournal.reporting.tables import ALL, OUTCOME_GROUP_VALUES, build_tables

from .conftest import busy_month

SCHOOLS = ("North High", "South Middle")
SCHOOLS_OF_BUSY_MONTH = busy_month().schools
TYPES = {t.code: t for t in BUILTIN_CONTACT_TYPES}


def remove_student(facts: MonthFacts, sid: int) -> MonthFacts:
    """The neighbouring journal without one student (see docs/contributions.md)."""
    contacts = []
    for x in facts.contacts:
        left = tuple(s for s in x.students if s.student_id != sid)
        if x.students and not left:
            continue  # it would not have happened without that student
        contacts.append(
            ContactFact(
                x.contact_id, x.school, x.contact_type, x.category, x.outcome_group,
                x.duration_min, left, x.referrals, x.attendees, x.group_activity,
            )
        )  # fmt: skip
    follow_ups = []
    for f in facts.follow_ups:
        ids = tuple(i for i in f.student_ids if i != sid)
        if f.student_ids and not ids:
            continue
        follow_ups.append(FollowUpFact(f.follow_up_id, f.status, ids))
    return MonthFacts(facts.period, tuple(contacts), tuple(follow_ups), facts.schools)


def part_distance(a: MonthFacts, b: MonthFacts) -> dict[str, int]:
    layout = c.base_layout(a.schools)
    va, vb = c.true_base(a), c.true_base(b)
    out = dict.fromkeys(c.PARTS, 0)
    for (part, _key), x, y in zip(layout, va, vb, strict=True):
        out[part] += abs(x - y)
    return out


def assert_bounded(facts: MonthFacts) -> dict[str, int]:
    """Remove every student in turn; return the largest move seen per part."""
    bound = c.l1_sensitivity()
    worst = dict.fromkeys(c.PARTS, 0)
    ids = {s.student_id for x in facts.contacts for s in x.students}
    ids |= {i for f in facts.follow_ups for i in f.student_ids}
    for sid in sorted(ids):
        moved = part_distance(facts, remove_student(facts, sid))
        for part in c.PARTS:
            assert moved[part] <= bound[part], (sid, part, moved[part])
            worst[part] = max(worst[part], moved[part])
    return worst


def contact(
    cid: int,
    code: str,
    students: tuple[int, ...],
    *,
    group: str = "resolved",
    school: str = SCHOOLS[0],
    referrals: tuple[str, ...] = (),
    minutes: int = 30,
    attendees: int = 0,
    band: str = "high",
) -> ContactFact:
    t = TYPES[code]
    return ContactFact(
        cid, school, code, t.category, group, minutes,
        tuple(StudentFact(s, band) for s in students), referrals, attendees, t.group_activity,
    )  # fmt: skip


# -- the bound ----------------------------------------------------------------------------------


def test_sensitivity_is_what_the_docs_say() -> None:
    assert c.l1_sensitivity() == {"counts": 33, "attendees": 40}


def test_one_student_in_forty_contacts_moves_the_vector_by_at_most_the_bound() -> None:
    """The student is alone in every contact, each as costly as a contact can be."""
    targets = tuple(REFERRAL_TARGETS)
    contacts = [
        contact(
            i, "small_group", (7,), group="referred", referrals=targets[i % 14 : i % 14 + 3],
            minutes=400, attendees=900,
        )
        for i in range(1, 41)
    ]  # fmt: skip
    follow_ups = [FollowUpFact(i, "done_late", (7,)) for i in range(1, 11)]
    facts = MonthFacts("2026-03", tuple(contacts), tuple(follow_ups), SCHOOLS)
    moved = assert_bounded(facts)
    # The worst case reaches the bound exactly: the sensitivity is not a loose guess.
    assert moved == c.l1_sensitivity()


def test_one_contact_with_thirty_students_moves_the_vector_by_one_student_contact() -> None:
    crowd = tuple(range(100, 130))
    facts = MonthFacts(
        "2026-03",
        (contact(1, "mediation", crowd, group="referred", referrals=("counselor", "nurse")),),
        (FollowUpFact(1, "open", crowd),),
        SCHOOLS,
    )
    moved = assert_bounded(facts)
    # One student-contact (T3) and one distinct student: the contact and its referrals stay.
    assert moved == {"counts": 2, "attendees": 0}


def test_the_last_student_takes_the_contact_with_them() -> None:
    alone = contact(1, "investigation", (5,), group="enforcement")
    facts = MonthFacts("2026-03", (alone,), (), SCHOOLS)
    without = remove_student(facts, 5)
    tables = c.tables_from_base(SCHOOLS, c.true_base(without))
    assert all(cell.count == 0 for t in tables for cell in t.cells)


def test_contacts_without_students_are_not_capped() -> None:
    drills = tuple(
        contact(i, "safety_check", (), group="none", minutes=240, attendees=800)
        for i in range(1, 6)
    )
    facts = MonthFacts("2026-03", drills, (), SCHOOLS)
    base = dict(zip(c.base_layout(SCHOOLS), c.true_base(facts), strict=True))
    assert base[("attendees", ("attendees", "safety_check"))] == 4000
    assert base[("counts", ("hours",))] == 20


def test_a_student_keeps_the_first_four_contacts() -> None:
    contacts = tuple(contact(i, "mentoring", (3,)) for i in range(1, 8))
    bounded = c.bound_facts(MonthFacts("2026-03", contacts, (), SCHOOLS))
    assert [x.contact_id for x in bounded.contacts] == [1, 2, 3, 4]


@st.composite
def journals(draw: st.DrawFn) -> MonthFacts:
    """Small journals over a few students, so that they share contacts and hit the caps."""
    pool = draw(st.integers(min_value=1, max_value=6))
    codes = sorted(TYPES)
    contacts = []
    for i in range(draw(st.integers(min_value=0, max_value=30))):
        code = draw(st.sampled_from(codes))
        students = draw(st.sets(st.integers(min_value=1, max_value=pool), max_size=4))
        contacts.append(
            ContactFact(
                i + 1,
                draw(st.sampled_from(SCHOOLS)),
                code,
                TYPES[code].category,
                draw(st.sampled_from(OUTCOME_GROUP_VALUES)),
                draw(st.integers(min_value=0, max_value=600)),
                tuple(StudentFact(s, draw(st.sampled_from(GRADE_BANDS))) for s in sorted(students)),
                tuple(sorted(draw(st.sets(st.sampled_from(sorted(REFERRAL_TARGETS)), max_size=4)))),
                draw(st.integers(min_value=0, max_value=1000)),
                TYPES[code].group_activity,
            )
        )
    follow_ups = [
        FollowUpFact(
            i + 1,
            draw(st.sampled_from(("done_on_time", "done_late", "open", "cancelled"))),
            tuple(sorted(draw(st.sets(st.integers(min_value=1, max_value=pool), max_size=3)))),
        )
        for i in range(draw(st.integers(min_value=0, max_value=10)))
    ]
    return MonthFacts("2026-03", tuple(contacts), tuple(follow_ups), SCHOOLS)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(journals())
def test_removing_any_student_moves_the_vector_by_at_most_the_bound(facts: MonthFacts) -> None:
    assert_bounded(facts)


# -- the catalogue --------------------------------------------------------------------------------


def _counting_noise(part: str, scale: float, values: list[int]) -> list[int]:
    del part, scale
    return [v + 1 + (i % 3) for i, v in enumerate(values)]  # deterministic, different per cell


def test_every_catalogue_cell_is_present_and_margins_add_up() -> None:
    facts = busy_month().build()
    contrib = c.make_contribution(facts, Decimal("1.0"), noise=_counting_noise)
    summary = build_tables(facts)
    for mine, theirs in zip(contrib.tables, summary.tables, strict=True):
        assert (mine.id, mine.unit, mine.dimensions) == (theirs.id, theirs.unit, theirs.dimensions)
        assert [x.coords for x in mine.cells] == [x.coords for x in theirs.cells]
    t0, t1, t2 = contrib.table("T0"), contrib.table("T1"), contrib.table("T2")
    total = t0.cell("contacts").count
    assert t1.cell(ALL, ALL).count == total == t2.cell(ALL, ALL).count
    for cat in ("relationship", "mentoring", "conflict", "education", "safety"):
        assert t1.cell(cat, ALL).count == t2.cell(ALL, cat).count
        assert t1.cell(cat, ALL).count == sum(
            x.count for x in t1.cells if x.coords[0] == cat and x.coords[1] != ALL
        )
    for school in SCHOOLS_OF_BUSY_MONTH:
        assert t2.cell(school, ALL).count == sum(
            x.count for x in t2.cells if x.coords[0] == school and x.coords[1] != ALL
        )
    for group in OUTCOME_GROUP_VALUES:
        assert t1.cell(ALL, group).count == sum(
            x.count for x in t1.cells if x.coords[1] == group and x.coords[0] != ALL
        )
    t5 = contrib.table("T5")
    assert t5.cell("due").count == t0.cell("follow_ups_due").count
    assert t5.cell("due").count == sum(t5.cell(s).count for s in c.T5_BASE)
    assert t0.cell("follow_ups_done").count == (
        t5.cell("done_on_time").count + t5.cell("done_late").count
    )
    t4 = contrib.table("T4")
    assert t4.cell(ALL).count == sum(x.count for x in t4.cells[:-1])
    t6 = contrib.table("T6")
    for measure in ("contacts", "attendees"):
        assert t6.cell(ALL, measure).count == sum(
            x.count for x in t6.cells if x.coords[1] == measure and x.coords[0] != ALL
        )


def test_without_noise_the_contribution_is_the_bounded_summary() -> None:
    """Under the caps (busy_month is), the noise-free tables equal the summary's true counts."""
    facts = busy_month().build()
    exact = c.tables_from_base(facts.schools, c.true_base(facts))
    for mine, theirs in zip(exact, build_tables(facts).tables, strict=True):
        assert [x.count for x in mine.cells] == [x.count for x in theirs.cells], mine.id


def test_cell_noise_says_what_each_cell_carries() -> None:
    noise = c.cell_noise(SCHOOLS)
    d = len(OUTCOME_GROUP_VALUES) + len(SCHOOLS)
    assert noise[("T3", ("high", "mentoring"))] == c.CellNoise("counts", True, 1, 1.0, 0.0)
    assert noise[("T3", (ALL, ALL))].terms == 20
    assert noise[("T5", ("due",))].terms == 3
    assert noise[("T6", (ALL, "attendees"))] == c.CellNoise("attendees", True, 7, 7.0, 0.0)
    interior = noise[("T1", ("mentoring", "resolved"))]
    assert not interior.exact and interior.weight == pytest.approx(1 - 1 / d)
    assert noise[("T2", (SCHOOLS[0], "mentoring"))].weight == pytest.approx(1 - 1 / d)
    total = len(OUTCOME_GROUP_VALUES) * len(SCHOOLS) / d
    assert noise[("T1", ("mentoring", ALL))].weight == pytest.approx(total)
    assert noise[("T2", (ALL, "mentoring"))].weight == pytest.approx(total)
    assert noise[("T0", ("contacts",))].weight == pytest.approx(5 * total)
    assert set(noise) == set(c.catalogue(SCHOOLS))


def test_reconciled_totals_are_the_least_squares_combination() -> None:
    """Noise only on one T1 cell: the category total moves by S/(G+S) of it, rows absorb it."""
    layout = c.base_layout(SCHOOLS)
    base = [0] * len(layout)
    base[layout.index(("counts", ("contacts_by_outcome", "safety", "enforcement")))] = 55
    tables = {t.id: t for t in c.tables_from_base(SCHOOLS, base)}
    d = len(OUTCOME_GROUP_VALUES) + len(SCHOOLS)
    expected = math.floor(55 * len(SCHOOLS) / d + 0.5)
    assert (
        tables["T1"].cell("safety", ALL).count == expected == tables["T2"].cell(ALL, "safety").count
    )
    assert sum(tables["T2"].cell(s, "safety").count for s in SCHOOLS) == expected
    assert tables["T0"].cell("contacts").count == expected
    assert tables["T1"].cell("mentoring", ALL).count == 0


# -- OpenDP --------------------------------------------------------------------------------------


@pytest.mark.parametrize("eps", [Decimal("0.1"), Decimal("0.9"), Decimal("1.8")])
def test_the_scale_is_what_opendp_certifies(eps: Decimal) -> None:
    scale = c.calibrate_scale(29, eps)
    assert scale * float(eps) >= 29  # never less noise than ε needs
    assert scale <= 29 / float(eps) * 1.001  # and not needlessly more
    assert c._measurement(scale).map(29) <= float(eps)


def test_parts_share_epsilon() -> None:
    parts = c.noise_parts(Decimal("1.0"))
    assert sum(p.epsilon for p in parts) == Decimal("1.0")
    assert [p.part for p in parts] == list(c.PARTS)


def test_opendp_noise_has_the_discrete_laplace_variance() -> None:
    """The interval maths assumes OpenDP draws discrete Laplace noise of the stated scale."""
    scale = 12.5
    draws = c.opendp_noise("counts", scale, [0] * 20_000)
    assert all(isinstance(v, int) for v in draws)
    assert abs(statistics.fmean(draws)) < 0.5
    assert statistics.pvariance(draws) == pytest.approx(variance(scale), rel=0.06)


def test_two_exports_draw_different_noise() -> None:
    facts = busy_month().build()
    a = c.make_contribution(facts, Decimal("1.0"))
    b = c.make_contribution(facts, Decimal("1.0"))
    counts = [[x.count for t in r.tables for x in t.cells] for r in (a, b)]
    assert counts[0] != counts[1]
    assert math.isclose(a.scale("counts"), b.scale("counts"))


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=4), st.data())
def test_reconciled_cells_are_within_the_stated_rounding_of_least_squares(
    n_schools: int, data: st.DataObject
) -> None:
    """The interval maths counts each reconciled cell's rounding as less than 1 (a total ½)."""
    from fractions import Fraction

    schools = tuple(f"School {i}" for i in range(n_schools))
    g, k = len(OUTCOME_GROUP_VALUES), 5
    ints = st.integers(min_value=-300, max_value=300)
    y1 = data.draw(st.lists(ints, min_size=g * k, max_size=g * k))
    y2 = data.draw(st.lists(ints, min_size=k * n_schools, max_size=k * n_schools))
    out = c._reconcile(schools, y1, y2)
    for ci, cat in enumerate(("relationship", "mentoring", "conflict", "education", "safety")):
        row = y1[ci * g : (ci + 1) * g]
        col = [y2[si * k + ci] for si in range(n_schools)]
        d = g + n_schools
        exact = Fraction(n_schools * sum(row) + g * sum(col), d) if n_schools else sum(row)
        total = out[("T1", (cat, ALL))]
        assert abs(total - exact) <= Fraction(1, 2)
        assert out[("T2", (ALL, cat))] == total
        ls1 = [v + Fraction(exact - sum(row), g) for v in row]
        t1 = [out[("T1", (cat, grp))] for grp in OUTCOME_GROUP_VALUES]
        assert sum(t1) == total and all(
            abs(a - b) < 1 + Fraction(1, 2 * g) for a, b in zip(t1, ls1, strict=True)
        )
        if n_schools:
            ls2 = [v + Fraction(exact - sum(col), n_schools) for v in col]
            t2 = [out[("T2", (s, cat))] for s in schools]
            assert sum(t2) == total
            assert all(
                abs(a - b) < 1 + Fraction(1, 2 * n_schools) for a, b in zip(t2, ls2, strict=True)
            )


def test_opendp_loads_only_when_noise_is_drawn() -> None:
    """Its library is large: the app and the Reports screen import contributions without it."""
    import subprocess
    import sys

    code = (
        "import sys, srojournal.reporting.contribution_service, srojournal.vault.budget;"
        "print('opendp' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
