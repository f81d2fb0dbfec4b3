"""Contributions fail when they are wrong: tests written against the mutants that survived
`make mutation` (tests/mutation/run.py). Each test states the behaviour it pins down."""

from __future__ import annotations

from decimal import Decimal

import pytest

from srojournal.domain.facts import ContactFact, FollowUpFact, MonthFacts, StudentFact
from srojournal.domain.taxonomy import BUILTIN_CONTACT_TYPES, CATEGORIES
from srojournal.reporting import contribution as c
from srojournal.reporting.tables import ALL, OUTCOME_GROUP_VALUES

SCHOOLS = ("North High", "South Middle")
TYPES = {t.code: t for t in BUILTIN_CONTACT_TYPES}


def _contact(
    cid: int,
    code: str,
    students: tuple[int, ...] = (),
    *,
    minutes: int = 30,
    referrals: tuple[str, ...] = (),
    attendees: int = 0,
    school: str = SCHOOLS[0],
) -> ContactFact:
    t = TYPES[code]
    return ContactFact(
        cid, school, code, t.category, "resolved", minutes,
        tuple(StudentFact(s, "high") for s in students), referrals, attendees, t.group_activity,
    )  # fmt: skip


def _base(facts: MonthFacts, bounds: c.Bounds = c.BOUNDS) -> dict[tuple[str, ...], int]:
    layout = c.base_layout(facts.schools)
    return {key: v for (_p, key), v in zip(layout, c.true_base(facts, bounds), strict=True)}


def _no_noise(part: str, scale: float, values: list[int]) -> list[int]:
    return list(values)


# -- the bound ----------------------------------------------------------------------------------


def test_sensitivity_follows_each_bound() -> None:
    """counts = C·(4 + R) + 1 + F + ⌈C·M/60⌉; attendees = C·A, for any caps."""
    b = c.Bounds(
        student_contacts_per_student=1,
        follow_ups_per_student=5,
        referrals_per_contact=3,
        minutes_per_linked_contact=61,
        attendees_per_linked_contact=7,
    )
    assert c.l1_sensitivity(b) == {"counts": 1 * (4 + 3) + 1 + 5 + 2, "attendees": 7}
    b = c.Bounds(student_contacts_per_student=2, minutes_per_linked_contact=60)
    assert c.l1_sensitivity(b)["counts"] == 2 * (4 + 2) + 1 + 2 + 2


def test_bounds_are_published_by_name() -> None:
    assert c.Bounds(1, 2, 3, 4, 5).as_dict() == {
        "student_contacts_per_student": 1,
        "follow_ups_per_student": 2,
        "referrals_per_contact": 3,
        "minutes_per_linked_contact": 4,
        "attendees_per_linked_contact": 5,
    }


def test_a_student_in_a_contact_with_others_leaves_only_that_contact_over_the_cap() -> None:
    """Student 1 is over the cap in contact 3; student 2 keeps it, so it stays, without 1."""
    contacts = (
        _contact(1, "mentoring", (1,)),
        _contact(2, "mentoring", (1,)),
        _contact(3, "mentoring", (1, 2)),
        _contact(4, "mentoring", (1,)),
        _contact(5, "mentoring", (2,)),
    )
    b = c.Bounds(student_contacts_per_student=2)
    bounded = c.bound_facts(MonthFacts("2026-03", contacts, (), SCHOOLS), b)
    kept = {x.contact_id: [s.student_id for s in x.students] for x in bounded.contacts}
    assert kept == {1: [1], 2: [1], 3: [2], 5: [2]}
    assert bounded.linked == frozenset({1, 2, 3, 5})


def test_contacts_are_kept_in_the_order_they_were_recorded_whatever_the_input_order() -> None:
    contacts = tuple(_contact(i, "mentoring", (3,)) for i in (7, 2, 9, 4, 1, 5))
    bounded = c.bound_facts(MonthFacts("2026-03", contacts, (), SCHOOLS))
    assert [x.contact_id for x in bounded.contacts] == [1, 2, 4, 5]


def test_a_kept_contact_is_capped_in_minutes_attendees_and_referrals() -> None:
    facts = MonthFacts(
        "2026-03",
        (
            _contact(
                1,
                "small_group",
                (1,),
                minutes=500,
                attendees=30,
                referrals=("school_admin", "counselor", "nurse"),
            ),
            _contact(2, "small_group", (), minutes=500, attendees=30),  # no student: no cap
        ),
        (),
        SCHOOLS,
    )
    bounded = c.bound_facts(facts)
    linked, unlinked = bounded.contacts
    assert (linked.duration_min, linked.attendees) == (90, 10)
    assert linked.referrals == tuple(sorted(("school_admin", "counselor", "nurse")))[:2]
    assert (unlinked.duration_min, unlinked.attendees) == (500, 30)
    assert bounded.linked == frozenset({1})
    assert bounded.schools == SCHOOLS


def test_follow_ups_are_capped_per_student_and_cancelled_ones_are_not_counted() -> None:
    follow_ups = (
        FollowUpFact(4, "open", (1, 2)),
        FollowUpFact(1, "done_on_time", (1,)),
        FollowUpFact(2, "cancelled", (1,)),
        FollowUpFact(3, "done_late", (1,)),
        FollowUpFact(5, "open", ()),  # no student: kept as is
        FollowUpFact(6, "done_late", (1,)),  # student 1 is over the cap: dropped
    )
    bounded = c.bound_facts(MonthFacts("2026-03", (), follow_ups, SCHOOLS))
    got = [(f.follow_up_id, f.status, f.student_ids) for f in bounded.follow_ups]
    assert got == [
        (1, "done_on_time", (1,)),
        (3, "done_late", (1,)),
        (4, "open", (2,)),
        (5, "open", ()),
    ]


# -- base cells ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "hours"), [(29, 0), (30, 1), (89, 1), (90, 2), (149, 2), (150, 3)]
)
def test_hours_are_minutes_rounded_half_up(minutes: int, hours: int) -> None:
    facts = MonthFacts("2026-03", (_contact(1, "safety_check", minutes=minutes),), (), SCHOOLS)
    assert _base(facts)[("hours",)] == hours


def test_base_cells_count_each_contact_where_it_belongs() -> None:
    facts = MonthFacts(
        "2026-03",
        (
            _contact(1, "mentoring", (1, 2), referrals=("counselor",)),
            _contact(2, "classroom", attendees=25, school=SCHOOLS[1]),
            _contact(3, "small_group", (2,), attendees=4),
        ),
        (FollowUpFact(1, "done_late", (1,)), FollowUpFact(2, "open", (2,))),
        SCHOOLS,
    )
    base = _base(facts)
    cat = TYPES["mentoring"].category
    assert base[("contacts_by_outcome", cat, "resolved")] == 1
    assert base[("contacts_by_school", SCHOOLS[0], cat)] == 1
    assert base[("student_contacts", "high", cat)] == 2
    assert base[("referrals", "counselor")] == 1
    assert base[("students",)] == 2
    assert base[("follow_ups", "done_late")] == base[("follow_ups", "open")] == 1
    assert base[("activities", "classroom")] == 1
    assert base[("attendees", "classroom")] == 25
    assert base[("activities", "small_group")] == 1
    assert base[("attendees", "small_group")] == 4
    # 3 contacts by outcome and by school, 3 student-contacts, 1 referral, 2 follow-ups,
    # 2 students, 2 hours (90 minutes), 2 activities with 29 attendees: nothing else
    assert sum(base.values()) == 3 + 3 + 3 + 1 + 2 + 2 + 2 + 2 + 29


def test_an_officers_own_group_activity_type_counts_as_other() -> None:
    own = ContactFact(1, SCHOOLS[0], "assembly_talk", "education", "none", 30, (), (), 80, True)
    base = _base(MonthFacts("2026-03", (own,), (), SCHOOLS))
    assert base[("activities", "other")] == 1
    assert base[("attendees", "other")] == 80


# -- the catalogue ------------------------------------------------------------------------------


def test_follow_ups_feed_their_status_the_due_total_and_done_only_when_done() -> None:
    facts = MonthFacts(
        "2026-03",
        (),
        (
            FollowUpFact(1, "done_on_time", ()),
            FollowUpFact(2, "done_late", ()),
            FollowUpFact(3, "done_late", ()),
            FollowUpFact(4, "open", ()),
        ),
        SCHOOLS,
    )
    out = c.make_contribution(facts, Decimal("1"), noise=_no_noise, parts=_parts())
    t5, t0 = out.table("T5"), out.table("T0")
    assert t5.cell("due").count == 4
    assert t0.cell("follow_ups_due").count == 4
    assert t0.cell("follow_ups_done").count == 3


def _parts() -> tuple[c.NoisePart, ...]:
    return (
        c.NoisePart(c.PART_COUNTS, Decimal("0.9"), 33, 1.0),
        c.NoisePart(c.PART_ATTENDEES, Decimal("0.1"), 40, 2.0),
    )


def test_each_part_is_noised_on_its_own_cells_with_its_own_scale() -> None:
    seen: dict[str, tuple[float, int]] = {}

    def noise(part: str, scale: float, values: list[int]) -> list[int]:
        seen[part] = (scale, len(values))
        return [v + (1000 if part == c.PART_ATTENDEES else 0) for v in values]

    facts = MonthFacts("2026-03", (_contact(1, "classroom", attendees=5),), (), SCHOOLS)
    out = c.make_contribution(facts, Decimal("1"), noise=noise, parts=_parts())
    layout = c.base_layout(SCHOOLS)
    n_att = sum(1 for p, _k in layout if p == c.PART_ATTENDEES)
    assert seen == {c.PART_COUNTS: (1.0, len(layout) - n_att), c.PART_ATTENDEES: (2.0, n_att)}
    assert out.table("T6").cell("classroom", "attendees").count == 1005
    assert out.table("T6").cell("classroom", "contacts").count == 1


def test_the_contribution_states_its_privacy_terms() -> None:
    facts = MonthFacts("2026-03", (), (), SCHOOLS)
    parts = _parts()
    out = c.make_contribution(facts, Decimal("0.5"), noise=_no_noise, parts=parts)
    assert out.delta == 0
    assert out.epsilon == Decimal("0.5")
    assert out.parts == parts
    assert out.bounds == c.BOUNDS
    assert out.period == "2026-03"
    assert out.schools == SCHOOLS
    assert out.scale(c.PART_COUNTS) == 1.0
    assert out.scale(c.PART_ATTENDEES) == 2.0
    with pytest.raises(KeyError) as err:
        out.scale("other")
    assert err.value.args == ("other",)  # the error names what was asked for
    with pytest.raises(KeyError) as err:
        out.table("T9")
    assert err.value.args == ("T9",)
    with pytest.raises(KeyError) as err:
        out.table("T1").cell("nope", "nope")
    assert err.value.args == (("nope", "nope"),)


def test_the_caps_given_are_the_caps_applied_and_calibrated_for() -> None:
    """A contribution made with other caps counts and noises with those caps."""
    tight = c.Bounds(student_contacts_per_student=1, minutes_per_linked_contact=45)
    facts = MonthFacts(
        "2026-03",
        tuple(_contact(i, "mentoring", (1,), minutes=60) for i in range(1, 4)),
        (),
        SCHOOLS,
    )
    out = c.make_contribution(facts, Decimal("1"), noise=_no_noise, bounds=tight)
    assert out.bounds == tight
    assert out.table("T0").cell("contacts").count == 1  # one contact kept for the student
    assert out.table("T0").cell("hours").count == 1  # 45 minutes, rounded half up
    assert [p.l1_sensitivity for p in out.parts] == [
        c.l1_sensitivity(tight)[p.part] for p in out.parts
    ]
    assert out.parts == c.noise_parts(Decimal("1"), tight)


def test_a_reconciled_row_rounds_the_same_way_every_time() -> None:
    """The same noisy counts always publish the same numbers (ties go to the first cells)."""
    layout = c.base_layout(("A",))
    cat = CATEGORIES[0]
    first = ("contacts_by_outcome", cat, OUTCOME_GROUP_VALUES[0])
    base = [5 if key == first else 0 for _p, key in layout]
    t1 = {x.id: x for x in c.tables_from_base(("A",), base)}["T1"]
    # 5/9 published as 1; the row 5, 0, ... shifted by -1/2 and rounded in catalogue order
    assert t1.cell(cat, ALL).count == 1
    assert [t1.cell(cat, g).count for g in OUTCOME_GROUP_VALUES] == [5, 0, 0, 0, -1, -1, -1, -1]


def test_without_given_parts_the_noise_is_calibrated_for_epsilon() -> None:
    calls: list[tuple[str, float]] = []

    def noise(part: str, scale: float, values: list[int]) -> list[int]:
        calls.append((part, scale))
        return list(values)

    facts = MonthFacts("2026-03", (), (), SCHOOLS)
    out = c.make_contribution(facts, Decimal("1"), noise=noise)
    assert out.parts == c.noise_parts(Decimal("1"))
    assert calls == [(p.part, p.scale) for p in out.parts]


def test_noise_parts_split_epsilon_nine_to_one() -> None:
    counts, attendees = c.noise_parts(Decimal("2"))
    assert (counts.part, counts.epsilon, counts.l1_sensitivity) == ("counts", Decimal("1.8"), 33)
    assert (attendees.part, attendees.epsilon, attendees.l1_sensitivity) == (
        "attendees",
        Decimal("0.2"),
        40,
    )


def test_the_scale_has_four_significant_digits_and_is_never_rounded_down() -> None:
    assert c.calibrate_scale(33, Decimal("0.7")) == 47.15  # 33 / 0.7 = 47.1428…, rounded up
    assert c.calibrate_scale(40, Decimal("0.07")) == 571.5  # 571.428…
    for eps in (Decimal("0.1"), Decimal("0.7"), Decimal("1"), Decimal("7")):
        scale = c.calibrate_scale(33, eps)
        digits = f"{scale:.6e}".split("e")[0].replace(".", "").rstrip("0")
        assert len(digits) <= 4
        assert scale >= 33 / float(eps)  # the discrete Laplace scale is at least Δ/ε


def test_the_catalogue_lists_every_table_in_order() -> None:
    cells = list(c.catalogue(SCHOOLS))
    assert [t for t, _ in cells] == sorted((t for t, _ in cells), key=c.TABLE_IDS.index)
    assert ("T2", (SCHOOLS[1], "_all")) in cells
    assert ("T0", ("contacts",)) in cells


def test_reconciliation_without_schools_keeps_the_outcome_table() -> None:
    layout = c.base_layout(())
    cat = TYPES["mentoring"].category
    base = [3 if key == ("contacts_by_outcome", cat, "resolved") else 0 for _p, key in layout]
    tables = {t.id: t for t in c.tables_from_base((), base)}
    assert tables["T1"].cell(cat, "resolved").count == 3
    assert tables["T1"].cell(cat, "_all").count == 3
    assert tables["T0"].cell("contacts").count == 3
    # no school: T2 has only its category margins, which are the T1 totals
    t2 = {x.coords: x.count for x in tables["T2"].cells}
    assert all(coords[0] == "_all" for coords in t2)
    assert t2[("_all", cat)] == t2[("_all", "_all")] == 3
    assert sum(t2.values()) == 6
