"""The disclosure rules fail when they are wrong: tests written against the mutants of
``reporting/rules.py`` that survived `make mutation` (tests/mutation/run.py). Each rule is
checked at its edges, on hand-made months, by the reason it gives for each hidden cell."""

from __future__ import annotations

import pytest

from srojournal.domain.facts import ContactFact, FollowUpFact, MonthFacts, StudentFact
from srojournal.reporting import rules
from srojournal.reporting.rules import GroupCase, group_cases, primary
from srojournal.reporting.tables import ALL, build_tables, logical_key

from .factories import FactsBuilder

T1 = "T1"


def key(table: str, *coords: str):
    return logical_key(table, coords)


def _background(b: FactsBuilder, first: int = 1000, n: int = 40) -> FactsBuilder:
    """Enough other students, in other cells, that no period-wide rule applies."""
    for s in range(first, first + n):
        b.contact("relationship", [s], outcome_group="resolved")
    return b


def _why(b: FactsBuilder, k: int = 10) -> dict:
    return primary(build_tables(b.build()), k).why


# -- small cells ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("k", "students", "hidden"), [(10, 10, False), (10, 9, True), (12, 11, True)]
)
def test_a_cell_with_fewer_than_k_students_is_small(k: int, students: int, hidden: bool) -> None:
    b = _background(FactsBuilder())
    for s in range(1, students + 1):
        b.contact("mentoring", [s], outcome_group="follow_up", times=2)
    why = _why(b, k)
    assert why.get(key(T1, "mentoring", "follow_up")) == ("small" if hidden else None)


@pytest.mark.parametrize(("k", "students", "hidden"), [(2, 5, False), (2, 4, True), (5, 4, True)])
def test_k_is_never_below_five(k: int, students: int, hidden: bool) -> None:
    b = _background(FactsBuilder())
    for s in range(1, students + 1):
        b.contact("mentoring", [s], outcome_group="follow_up")
    assert (key(T1, "mentoring", "follow_up") in _why(b, k)) is hidden


def test_a_cell_without_students_is_never_small() -> None:
    b = _background(FactsBuilder())
    b.contact("classroom", [], outcome_group="none", attendees=30)
    why = _why(b)
    assert key(T1, "education", "none") not in why
    assert key("T6", "classroom", "contacts") not in why


def test_each_hidden_number_is_counted_once_for_its_reason() -> None:
    """A number shown in two tables (T1's and T2's category margins) is one hidden number."""
    b = _background(FactsBuilder())
    for s in range(1, 4):
        b.contact("mediation", [s], outcome_group="agreement")
    p = primary(build_tables(b.build()), 10)
    reasons = list(p.why.values())
    assert p.hidden == set(p.why)
    assert (p.small, p.few_contacts, p.group) == (
        reasons.count("small"),
        reasons.count("few_contacts"),
        reasons.count("group"),
    )
    assert p.small >= 2 and key(T1, "conflict", ALL) in p.hidden  # the margin, once
    # Cells after a number seen again (T2's margin is T1's) are still checked: T3's too.
    assert p.why[key("T3", "high", "conflict")] == "small"


def test_each_rule_counts_every_cell_it_hides() -> None:
    b = _background(FactsBuilder())
    # Two sensitive referrals behind one contact each (12 students: not small).
    b.contact("mentoring", list(range(1, 13)), referrals=["juvenile_court"])
    b.contact("mentoring", list(range(20, 32)), referrals=["chemical_health"])
    # Safety: every linked contact sensitive, with both outcomes (a group case hiding two).
    for c in range(4):
        b.contact(
            "investigation", list(range(100 + 10 * c, 110 + 10 * c)), outcome_group="enforcement"
        )
        b.contact(
            "investigation", list(range(200 + 10 * c, 210 + 10 * c)), outcome_group="referred"
        )
    p = primary(build_tables(b.build()), 10)
    reasons = list(p.why.values())
    assert p.few_contacts == reasons.count("few_contacts") >= 2
    assert p.group == reasons.count("group") >= 2


# -- few contacts behind a sensitive cell ----------------------------------------------------


@pytest.mark.parametrize(("contacts", "hidden"), [(1, True), (2, True), (3, False)])
def test_a_sensitive_outcome_needs_three_contacts(contacts: int, hidden: bool) -> None:
    b = _background(FactsBuilder())
    for c in range(contacts):
        students = list(range(100 * c + 1, 100 * c + 13))  # 12 students: not small
        b.contact("investigation", students, outcome_group="enforcement")
    b.contact("welfare_assist", list(range(500, 540)), outcome_group="resolved")
    why = _why(b)
    assert why.get(key(T1, "safety", "enforcement")) == ("few_contacts" if hidden else None)


@pytest.mark.parametrize(
    ("target", "hidden"), [("juvenile_court", True), ("child_protection", True), ("nurse", False)]
)
def test_a_sensitive_referral_needs_three_contacts(target: str, hidden: bool) -> None:
    b = _background(FactsBuilder())
    for c in range(2):
        students = list(range(100 * c + 1, 100 * c + 13))
        b.contact("mentoring", students, outcome_group="resolved", referrals=[target])
    why = _why(b)
    assert why.get(key("T4", target)) == ("few_contacts" if hidden else None)


def test_a_sensitive_cell_without_students_is_not_few_contacts() -> None:
    b = _background(FactsBuilder())
    b.contact("investigation", [], outcome_group="enforcement")
    b.contact("investigation", list(range(1, 13)), outcome_group="resolved", times=3)
    assert key(T1, "safety", "enforcement") not in _why(b)


# -- the whole period: no breakdown ------------------------------------------------------------


@pytest.mark.parametrize(
    ("students", "no_breakdown"), [(9, True), (1, True), (10, False), (0, False)]
)
def test_a_period_with_fewer_than_k_students_publishes_no_breakdown(
    students: int, no_breakdown: bool
) -> None:
    b = FactsBuilder()
    for s in range(1, students + 1):
        b.contact("mentoring", [s], outcome_group="resolved", times=3)
    b.contact("classroom", [], outcome_group="none", attendees=25, times=12)
    b.follow_up("done_on_time", []).follow_up("done_late", [])  # follow-ups of no student
    tables = build_tables(b.build())
    p = primary(tables, 10)
    assert p.no_breakdown is no_breakdown
    breakdown = [c.key for t in tables.tables if t.id != "T0" for c in t.cells]
    if no_breakdown:
        assert set(breakdown) <= p.hidden
        # Each cell keeps the first reason that hid it; the others say why they are hidden.
        assert p.why[key("T6", "classroom", "contacts")] == "no_breakdown"
        assert p.why[key(T1, "mentoring", "resolved")] == "small"
        # T0 follows the small-cell rule only: its count of done follow-ups (no student, and
        # in no other table) stays.
        assert key("T0", "follow_ups_done") not in p.hidden
    else:
        assert "no_breakdown" not in p.why.values()


def test_students_of_follow_ups_count_towards_the_period() -> None:
    b = FactsBuilder()
    for s in range(1, 10):
        b.contact("mentoring", [s], outcome_group="resolved")
    b.follow_up("open", [77])
    assert primary(build_tables(b.build()), 10).no_breakdown is False


# -- group attribute ---------------------------------------------------------------------------


def _all_safety_sensitive() -> FactsBuilder:
    b = _background(FactsBuilder())
    for c in range(4):
        b.contact(
            "investigation", list(range(10 * c + 1, 10 * c + 11)), outcome_group="enforcement"
        )
    b.contact("safety_check", [], outcome_group="none", attendees=0, times=5)  # no students
    return b


def test_a_category_whose_every_linked_contact_is_sensitive_is_a_group_case() -> None:
    tables = build_tables(_all_safety_sensitive().build())
    [case] = group_cases(tables)
    expected = {
        key(T1, "safety", ALL): 1,
        key("T6", "safety_check", "contacts"): -1,
        key("T6", "event_duty", "contacts"): -1,
        key(T1, "safety", "enforcement"): -1,
        key(T1, "safety", "referred"): -1,
    }
    assert case == GroupCase(
        "safety",
        "outcome",
        tuple(sorted(expected.items())),
        (key(T1, "safety", "enforcement"),),  # the sensitive cells with a number, only
    )
    p = primary(tables, 10)
    assert p.cases == [case] and p.group == 1
    assert p.why[key(T1, "safety", "enforcement")] == "group"


def test_both_sensitive_outcomes_of_a_category_are_hidden_together() -> None:
    b = _all_safety_sensitive()
    for c in range(3):
        b.contact(
            "investigation", list(range(200 + 10 * c, 210 + 10 * c)), outcome_group="referred"
        )
    [case] = group_cases(build_tables(b.build()))
    assert case.hidden == (key(T1, "safety", "enforcement"), key(T1, "safety", "referred"))


def test_a_sensitive_outcome_of_one_contact_is_hidden_by_the_group_case() -> None:
    b = _background(FactsBuilder())
    b.contact("investigation", list(range(1, 13)), outcome_group="enforcement")
    for c in range(3):
        b.contact("investigation", list(range(20 + 10 * c, 30 + 10 * c)), outcome_group="referred")
    [case] = group_cases(build_tables(b.build()))
    assert case.hidden == (key(T1, "safety", "enforcement"), key(T1, "safety", "referred"))


def test_one_linked_contact_that_was_not_sensitive_ends_the_group_case() -> None:
    b = _all_safety_sensitive()
    b.contact("welfare_assist", [999], outcome_group="resolved")
    assert group_cases(build_tables(b.build())) == []


def test_a_period_whose_every_linked_contact_is_sensitive_is_a_case_for_the_whole_period() -> None:
    b = FactsBuilder()
    for c in range(4):
        b.contact(
            "investigation", list(range(10 * c + 1, 10 * c + 11)), outcome_group="enforcement"
        )
    for c in range(3):
        b.contact("mediation", list(range(100 + 10 * c, 110 + 10 * c)), outcome_group="referred")
    b.contact("classroom", [], outcome_group="none", attendees=20)
    cases = {(c.scope, c.what): c for c in group_cases(build_tables(b.build()))}
    assert set(cases) == {("safety", "outcome"), ("conflict", "outcome"), (ALL, "outcome")}
    whole = cases[(ALL, "outcome")]
    expr = dict(whole.expression)
    assert expr[key(T1, ALL, ALL)] == 1
    assert all(expr[key("T6", t, "contacts")] == -1 for t in (*rules.GROUP_TYPES, "other"))
    assert expr[key(T1, ALL, "enforcement")] == expr[key(T1, ALL, "referred")] == -1
    assert len(expr) == 1 + len(rules.GROUP_TYPES) + 1 + 2


@pytest.mark.parametrize("target", ["juvenile_court", "crisis_mental_health"])
def test_a_period_whose_every_linked_contact_went_to_one_sensitive_target_is_a_case(
    target: str,
) -> None:
    b = FactsBuilder()
    for c in range(5):
        students = list(range(10 * c + 1, 10 * c + 11))
        b.contact("mentoring", students, outcome_group="resolved", referrals=[target, "nurse"])
    b.contact("classroom", [], outcome_group="none", attendees=20, referrals=[])
    cases = group_cases(build_tables(b.build()))
    expected = {key(T1, ALL, ALL): 1, key("T4", target): -1, key("T6", ALL, "contacts"): -1}
    # Only for the whole period (a category's referrals are not in the tables), and only for
    # the sensitive target.
    assert cases == [GroupCase(ALL, target, tuple(sorted(expected.items())), (key("T4", target),))]
    p = primary(build_tables(b.build()), 10)
    assert p.why[key("T4", target)] == "group"


def test_a_period_of_one_linked_contact_without_referrals_is_no_referral_case() -> None:
    b = FactsBuilder()
    b.contact("mentoring", list(range(1, 13)), outcome_group="resolved")
    b.contact("classroom", [], outcome_group="none", attendees=20)
    assert group_cases(build_tables(b.build())) == []


def test_a_sensitive_target_most_but_not_all_contacts_went_to_is_no_case() -> None:
    b = FactsBuilder()
    for c in range(5):
        students = list(range(10 * c + 1, 10 * c + 11))
        b.contact("mentoring", students, outcome_group="resolved", referrals=["juvenile_court"])
    b.contact("mentoring", [900], outcome_group="resolved")
    assert group_cases(build_tables(b.build())) == []


def test_a_category_without_linked_contacts_is_no_case() -> None:
    b = _background(FactsBuilder())
    b.contact("investigation", [], outcome_group="enforcement", times=5)
    assert [c for c in group_cases(build_tables(b.build())) if c.scope == "safety"] == []


# -- helpers for the revision rules ----------------------------------------------------------------


def _facts(*contacts: ContactFact, follow_ups: tuple[FollowUpFact, ...] = ()) -> MonthFacts:
    return MonthFacts("2026-03", contacts, follow_ups, ("Lincoln High", "Washington Middle"))


def _contact(cid: int, ids: list[int], **kw: object) -> ContactFact:
    fields: dict[str, object] = {
        "school": "Lincoln High",
        "contact_type": "mentoring",
        "category": "mentoring",
        "outcome_group": "resolved",
        "duration_min": 30,
        "students": tuple(StudentFact(s, "high") for s in ids),
        "referrals": (),
        "attendees": 0,
        "group_activity": False,
    }
    fields.update(kw)
    return ContactFact(cid, **fields)  # type: ignore[arg-type]


def _fu(fid: int, status: str, students: list[int]) -> FollowUpFact:
    return FollowUpFact(fid, status, tuple(students))


BASE = (_contact(1, [1, 2]), _contact(2, [3], referrals=("nurse", "counselor")))


# -- what changed between two versions ---------------------------------------------------------


def test_the_same_facts_are_no_change() -> None:
    old = _facts(*BASE, follow_ups=(_fu(1, "open", [1, 2]),))
    reordered = _facts(
        _contact(1, [2, 1]),
        _contact(2, [3], referrals=("counselor", "nurse")),
        follow_ups=(_fu(1, "open", [2, 1]),),
    )
    change = rules.change_between(old, reordered)
    assert change.empty and change.monotone and change.students == frozenset()


@pytest.mark.parametrize(
    "edit",
    [
        {"school": "Washington Middle"},
        {"contact_type": "mentoring_followup"},
        {"category": "relationship"},
        {"outcome_group": "follow_up"},
        {"duration_min": 31},
        {"students": (StudentFact(1, "high"), StudentFact(4, "high"))},
        {"students": (StudentFact(1, "middle"), StudentFact(2, "high"))},
        {"referrals": ("nurse",)},
        {"attendees": 3},
        {"group_activity": True},
    ],
)
def test_an_edit_of_any_field_is_the_old_record_removed_and_the_new_one_added(
    edit: dict[str, object],
) -> None:
    old = _facts(*BASE)
    edited = _contact(1, [1, 2], **edit)
    change = rules.change_between(old, _facts(edited, BASE[1]))
    assert change.added.contacts == (edited,)
    assert change.removed.contacts == (BASE[0],)
    assert not change.empty and not change.monotone
    assert change.students == {1, 2} | {s.student_id for s in edited.students}


@pytest.mark.parametrize(
    "students",
    [
        (StudentFact(4, "high"),),  # another student
        (StudentFact(3, "middle"),),  # the same student in another grade band
        (),  # the student taken off the contact
    ],
)
def test_a_contact_of_one_student_edited_in_its_student_is_a_change(
    students: tuple[StudentFact, ...],
) -> None:
    """A contact with one student (or none) is compared by that student too, not only by its
    other fields: a revision that moves one student's contact must be seen as a change."""
    old = _facts(*BASE)
    edited = _contact(2, [], students=students, referrals=("nurse", "counselor"))
    change = rules.change_between(old, _facts(BASE[0], edited))
    assert change.added.contacts == (edited,)
    assert change.removed.contacts == (BASE[1],)
    assert change.students == {3} | {s.student_id for s in students}


def test_additions_alone_are_monotone_and_name_their_students() -> None:
    old = _facts(*BASE, follow_ups=(_fu(1, "open", [1]),))
    new = _facts(*BASE, _contact(3, [7, 8]), follow_ups=(_fu(1, "open", [1]), _fu(2, "open", [9])))
    change = rules.change_between(old, new)
    assert change.added.contacts == (new.contacts[2],)
    assert change.added.follow_ups == (new.follow_ups[1],)
    assert change.removed.contacts == change.removed.follow_ups == ()
    assert not change.empty and change.monotone
    assert change.students == {7, 8, 9}
    assert change.added.period == change.removed.period == "2026-03"


@pytest.mark.parametrize("side", ["contact", "follow-up status", "follow-up deleted"])
def test_a_removal_is_not_monotone(side: str) -> None:
    old = _facts(*BASE, follow_ups=(_fu(1, "open", [5]),))
    if side == "contact":
        new = _facts(BASE[0], follow_ups=old.follow_ups)
    elif side == "follow-up status":
        new = _facts(*BASE, follow_ups=(_fu(1, "done_late", [5]),))
    else:
        new = _facts(*BASE)
    change = rules.change_between(old, new)
    assert not change.empty and not change.monotone
    assert change.students == ({3} if side == "contact" else {5})


def test_each_side_of_a_change_lists_the_schools_of_both_versions() -> None:
    old = MonthFacts("2026-03", BASE, (), ("Lincoln High", "Adams"))
    new = MonthFacts("2026-04", BASE, (), ("Lincoln High", "Washington Middle"))
    change = rules.change_between(old, new)
    schools = ("Lincoln High", "Adams", "Washington Middle")
    assert change.added == MonthFacts("2026-04", (), (), schools)
    assert change.removed == MonthFacts("2026-04", (), (), schools)


def test_the_fingerprint_holds_every_record_and_every_school() -> None:
    a = _facts(*BASE, follow_ups=(_fu(1, "open", [1]),))
    fp = rules.fingerprint_records(a)
    assert len(fp) == 2 + 1 + 2
    assert ("s", "Washington Middle") in fp
    for other in (
        _facts(BASE[0], follow_ups=a.follow_ups),
        _facts(*BASE),
        _facts(*BASE, follow_ups=(_fu(1, "done_late", [1]),)),
        MonthFacts("2026-03", a.contacts, a.follow_ups, ("Lincoln High",)),
    ):
        assert rules.fingerprint_records(other) != fp
    assert rules.fingerprint_records(_facts(*reversed(BASE), follow_ups=a.follow_ups)) == fp


# -- merged schools --------------------------------------------------------------------------------


SCHOOLS3 = ("Lincoln High", "Adams", "Washington Middle")


def _at(school: str, cid: int, ids: list[int], **kw: object) -> ContactFact:
    return _contact(cid, ids, school=school, **kw)


def test_a_school_merged_into_another_relabels_the_older_facts() -> None:
    old = MonthFacts(
        "2026-03",
        (_at("Lincoln High", 3, [3]), _at("Adams", 1, [1]), _at("Adams", 2, [2])),
        (_fu(1, "open", [1]),),
        SCHOOLS3,
    )
    new = MonthFacts(
        "2026-03",
        # The merge folded student 2 into student 22 (already at Lincoln High).
        (_at("Lincoln High", 3, [3]), _at("Lincoln High", 1, [1]), _at("Lincoln High", 2, [22])),
        old.follow_ups,
        ("Lincoln High", "Washington Middle"),
    )
    merge = rules.merge_between(old, new)
    assert merge is not None and merge.into == {"Adams": "Lincoln High"}
    assert merge.relabelled == MonthFacts(
        "2026-03", new.contacts, old.follow_ups, ("Lincoln High", "Washington Middle")
    )
    assert rules.change_since(old, new).empty
    assert not rules.change_between(old, new).empty


def test_a_school_renamed_since_the_release_is_followed_not_a_change() -> None:
    """A school renamed after its month was released: the older facts are relabelled to the new
    name, which their school list then holds (the tables of the relabelled facts can be built),
    and nothing else changed."""
    old = MonthFacts("2026-03", (_at("Lincoln High", 3, [3]), _at("Adams", 1, [1])), (), SCHOOLS3)
    new = MonthFacts(
        "2026-03",
        (_at("Lincoln High", 3, [3]), _at("Adams Middle", 1, [1])),
        (),
        ("Adams Middle", "Lincoln High", "Washington Middle"),
    )
    merge = rules.merge_between(old, new)
    assert merge is not None and merge.into == {"Adams": "Adams Middle"}
    assert set(merge.relabelled.schools) == set(new.schools)
    build_tables(merge.relabelled)  # every contact's school is listed
    assert rules.change_since(old, new).empty


def test_a_new_contact_that_reuses_a_dropped_schools_contact_id_is_a_change() -> None:
    """The vault can give a new contact the id of a deleted one: a school that left the list
    with its only contact deleted, and a new school whose new contact got that id, are seen as
    the change they are (the old record removed, the new one added), never as an error."""
    old = MonthFacts("2026-03", (_at("Lincoln High", 3, [3]), _at("Adams", 1, [1])), (), SCHOOLS3)
    reused = _contact(1, [7], school="Roosevelt", contact_type="classroom", category="education")
    new = MonthFacts(
        "2026-03",
        (_at("Lincoln High", 3, [3]), reused),
        (),
        ("Lincoln High", "Roosevelt", "Washington Middle"),
    )
    merge = rules.merge_between(old, new)
    assert merge is not None
    build_tables(merge.relabelled)  # read as a move to the new school: its name is listed
    change = rules.change_since(old, new)
    assert change.added.contacts == (reused,)
    assert [c.contact_id for c in change.removed.contacts] == [1]
    assert change.students == {1, 7}


def test_a_merged_contact_edited_too_keeps_its_old_students() -> None:
    old = MonthFacts("2026-03", (_at("Adams", 1, [2]), _at("Adams", 2, [5])), (), SCHOOLS3)
    edited = _at("Lincoln High", 1, [22], duration_min=45)
    new = MonthFacts(
        "2026-03", (edited, _at("Lincoln High", 2, [5])), (), ("Lincoln High", "Washington Middle")
    )
    merge = rules.merge_between(old, new)
    assert merge is not None
    assert merge.relabelled.contacts[0] == _at("Lincoln High", 1, [2])  # relabelled, not edited
    change = rules.change_since(old, new)
    assert change.removed.contacts == (_at("Lincoln High", 1, [2]),)
    assert change.added.contacts == (edited,)


@pytest.mark.parametrize(
    "edit",
    [
        {"contact_type": "mentoring_followup"},
        {"category": "relationship"},
        {"outcome_group": "follow_up"},
        {"duration_min": 31},
        {"students": (StudentFact(22, "middle"),)},
        {"referrals": ("nurse",)},
        {"attendees": 3},
        {"group_activity": True},
    ],
)
def test_a_merged_contact_with_any_other_field_changed_is_an_edit(
    edit: dict[str, object],
) -> None:
    old = MonthFacts("2026-03", (_at("Adams", 1, [2]),), (), SCHOOLS3)
    new = MonthFacts("2026-03", (_at("Lincoln High", 1, [22], **edit),), (), ("Lincoln High",))
    merge = rules.merge_between(old, new)
    assert merge is not None
    assert merge.relabelled.contacts[0].students == (StudentFact(2, "high"),)


def test_no_school_gone_or_none_moved_is_no_merge() -> None:
    old = MonthFacts("2026-03", (_at("Adams", 1, [1]), _at("Lincoln High", 2, [2])), (), SCHOOLS3)
    assert rules.merge_between(old, old) is None
    # Adams left the list and its contact was deleted: nothing moved.
    new = MonthFacts("2026-03", (_at("Lincoln High", 2, [2]),), (), ("Lincoln High",))
    assert rules.merge_between(old, new) is None
    # Adams left the list, its contact is still under Adams (not a listed school): not moved.
    stray = MonthFacts("2026-03", (_at("Adams", 1, [1]),), (), ("Lincoln High",))
    assert rules.merge_between(old, stray) is None


def test_a_school_whose_contacts_went_to_two_schools_is_no_merge() -> None:
    old = MonthFacts("2026-03", (_at("Adams", 1, [1]), _at("Adams", 2, [2])), (), SCHOOLS3)
    new = MonthFacts(
        "2026-03",
        (_at("Lincoln High", 1, [1]), _at("Washington Middle", 2, [2])),
        (),
        ("Lincoln High", "Washington Middle"),
    )
    assert rules.merge_between(old, new) is None
    assert not rules.change_since(old, new).empty


# -- which differences a reader must not read off two releases ------------------------------------


def _delta(old: MonthFacts, new: MonthFacts, k: int = 10) -> set:
    return rules.delta_sensitive(rules.change_between(old, new), k)


def test_a_change_of_fewer_than_k_students_is_sensitive_where_a_number_moved() -> None:
    old = _facts(*BASE)
    new = _facts(*BASE, _contact(3, list(range(10, 19)), outcome_group="follow_up"))
    delta = _delta(old, new)
    assert key(T1, "mentoring", "follow_up") in delta
    assert key(T1, ALL, ALL) in delta
    assert key("T5", "due") not in delta  # no follow-up changed
    assert key(T1, "mentoring", "resolved") not in delta
    ten = _facts(*BASE, _contact(3, list(range(10, 20)), outcome_group="follow_up"))
    assert key(T1, "mentoring", "follow_up") not in _delta(old, ten)
    assert key(T1, "mentoring", "follow_up") in _delta(old, ten, k=11)


def test_an_edit_that_moves_no_number_is_not_sensitive() -> None:
    old = _facts(*BASE)
    new = _facts(_contact(1, [1, 4]), BASE[1])  # another student, same cells
    change = rules.change_between(old, new)
    assert not change.empty
    assert key(T1, "mentoring", "resolved") not in rules.delta_sensitive(change, 10)


def test_a_change_of_contacts_without_students_is_not_sensitive() -> None:
    old = _facts(*BASE)
    new = _facts(
        *BASE,
        _contact(
            3,
            [],
            contact_type="classroom",
            category="education",
            outcome_group="none",
            attendees=20,
            group_activity=True,
        ),
    )
    assert _delta(old, new) == set()


def test_a_sensitive_change_of_contacts_without_students_is_not_sensitive() -> None:
    old = _facts(*BASE)
    new = _facts(*BASE, _contact(3, [], outcome_group="enforcement"))
    assert key(T1, "mentoring", "enforcement") not in _delta(old, new)


@pytest.mark.parametrize(("contacts", "sensitive"), [(1, True), (2, True), (3, False)])
def test_a_sensitive_change_needs_three_contacts(contacts: int, sensitive: bool) -> None:
    old = _facts(*BASE)
    added = [
        _contact(10 + c, list(range(100 * c + 1, 100 * c + 13)), outcome_group="enforcement")
        for c in range(contacts)
    ]
    assert (key(T1, "mentoring", "enforcement") in _delta(old, _facts(*BASE, *added))) is sensitive
    # The same for contacts removed.
    assert (key(T1, "mentoring", "enforcement") in _delta(_facts(*BASE, *added), old)) is sensitive


def test_a_sensitive_change_counts_added_and_removed_contacts_together() -> None:
    """Contacts moved out of a sensitive cell and into it all count towards the three."""
    a = _contact(10, list(range(1, 13)), outcome_group="enforcement")
    b = _contact(11, list(range(20, 32)), outcome_group="enforcement", duration_min=45)
    c = _contact(12, list(range(40, 52)), outcome_group="enforcement")
    old = _facts(a, b, c)
    new = _facts(
        a,
        _contact(11, list(range(20, 32)), outcome_group="resolved", duration_min=45),
        c,
        _contact(13, list(range(60, 72)), outcome_group="enforcement"),
        _contact(14, list(range(80, 92)), outcome_group="enforcement"),
    )
    delta = _delta(old, new)
    # Enforcement: one contact removed, two added: the net change is one contact, but three
    # contacts' students are behind it.
    assert key(T1, "mentoring", "enforcement") not in delta
