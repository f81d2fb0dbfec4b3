"""The evening's use cases on a real vault: an entry that creates its students and opens a
case, a check on an agreement, and a delete that undo puts back whole."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from srojournal.domain.errors import InvalidInput
from srojournal.domain.models import ContactInput, ContactStudent
from srojournal.ops import cases, entries, followups
from srojournal.ops.changes import Change
from srojournal.vault.store import Vault

WHEN = dt.datetime(2026, 3, 2, 10, 0)


def _school(vault: Vault) -> tuple[int, int, int]:
    j = vault.journal
    school = j.add_school("Lincoln Middle")
    return school, j.add_student("AB", school, "7"), j.add_student("CD", school, "8")


def test_an_entry_creates_its_new_students_and_opens_a_case_in_one_transaction(
    vault: Vault,
) -> None:
    j = vault.journal
    school, ab, _cd = _school(vault)
    draft = entries.EntryDraft(
        ContactInput(WHEN, school, "mediation", notes="Talked it through"),
        students=(
            entries.EntryStudent(ab, "party"),
            entries.EntryStudent(None, "party", "  Ava   R ", "7"),
            entries.EntryStudent(None, "participant", "Ben", None),
        ),
        agreement="Separate tables",
        new_case=entries.CaseRequest(check_date=dt.date(2026, 3, 9)),
    )
    done = entries.save_entry(j, draft)
    assert done.changes == Change.CONTACTS | Change.STUDENTS | Change.CASES | Change.FOLLOW_UPS
    ava, ben = j.students("Ava R")[0], j.students("Ben")[0]
    assert (ava.grade, ava.school_id, ben.grade) == ("7", school, None)
    contact = j.contact(done.value)
    assert [(s.student_id, s.role) for s in contact.students] == [
        (ab, "party"),
        (ava.id, "party"),
        (ben.id, "participant"),
    ]
    assert contact.notes == "Talked it through"  # the terms went to the case
    [case] = j.conflict_cases()
    assert (case.title, case.party_ids, case.terms) == (
        "AB and Ava R",
        (ab, ava.id),
        "Separate tables",
    )
    assert (case.opened_on, case.check_date, case.contact_ids) == (
        WHEN.date(),
        dt.date(2026, 3, 9),
        (done.value,),
    )
    # A student typed again is the same student, not a second one.
    again = entries.save_entry(
        j,
        entries.EntryDraft(
            ContactInput(WHEN, school, "relationship"),
            students=(entries.EntryStudent(None, "participant", "ava r"),),
        ),
    )
    assert Change.STUDENTS not in again.changes
    assert j.contact(again.value).students[0].student_id == ava.id


def test_a_case_needs_two_parties_and_nothing_is_written_without(vault: Vault) -> None:
    j = vault.journal
    school, ab, _cd = _school(vault)
    draft = entries.EntryDraft(
        ContactInput(WHEN, school, "mediation"),
        students=(entries.EntryStudent(ab, "party"), entries.EntryStudent(None, "party", "New")),
        new_case=entries.CaseRequest(),
    )
    entries.save_entry(j, draft)  # two parties: fine
    lone = dataclasses.replace(draft, students=(entries.EntryStudent(ab, "party"),))
    with pytest.raises(InvalidInput, match="two parties"):
        entries.save_entry(j, lone)
    assert j.count_contacts() == 1
    bad_grade = dataclasses.replace(
        draft, new_case=None, students=(entries.EntryStudent(None, "party", "Zed", "13"),)
    )
    with pytest.raises(InvalidInput):
        entries.save_entry(j, bad_grade)
    assert j.students("Zed") == []


def test_terms_without_a_case_stay_in_the_notes_and_a_case_entry_updates_its_terms(
    vault: Vault,
) -> None:
    j = vault.journal
    school, ab, cd = _school(vault)
    done = entries.save_entry(
        j,
        entries.EntryDraft(
            ContactInput(WHEN, school, "mediation", notes="Calm now"), agreement="Keep apart"
        ),
    )
    assert j.contact(done.value).notes == "Calm now\n\nAgreement: Keep apart"
    case = cases.open_case(j, cases.NewCase("Bus", (ab, cd), WHEN.date(), "old terms")).value
    entries.save_entry(
        j,
        entries.EntryDraft(
            ContactInput(WHEN, school, "mediation", notes="Follow-up session"),
            case_ids=(case,),
            agreement="new terms",
        ),
    )
    assert j.conflict_case(case).terms == "new terms"


def test_record_check_logs_the_contact_and_moves_the_check_date(vault: Vault) -> None:
    j = vault.journal
    _school_id, ab, cd = _school(vault)
    case = cases.open_case(
        j, cases.NewCase("Bus", (ab, cd), WHEN.date(), "Sit apart", WHEN.date())
    ).value
    assert [c.id for c in cases.case_checks(j)] == [case]
    at = dt.datetime(2026, 3, 9, 14, 12, 40)
    done = cases.record_check(j, case, cases.CheckRecord(True, at, next_check=dt.date(2026, 4, 8)))
    assert Change.CONTACTS in done.changes and Change.CASES in done.changes
    c = j.contact(done.value)
    assert (c.occurred_at, c.type_code, c.outcome, c.duration_min) == (
        dt.datetime(2026, 3, 9, 14, 12),
        "mediation",
        "agreement_held",
        30,
    )
    assert c.notes == "Checked on the agreement: it held."
    assert [(s.student_id, s.role) for s in c.students] == [(ab, "party"), (cd, "party")]
    k = j.conflict_case(case)
    assert (k.status, k.check_date, k.contact_ids) == ("held", dt.date(2026, 4, 8), (c.id,))
    cases.record_check(j, case, cases.CheckRecord(False, at, notes="Fight at the bus stop"))
    k = j.conflict_case(case)
    assert (k.status, k.check_date) == ("broken", None)
    assert cases.case_checks(j) == []  # a broken agreement is not checked again


def test_overdue_counts_late_checks_with_follow_ups(vault: Vault) -> None:
    j = vault.journal
    _school_id, ab, cd = _school(vault)
    cases.open_case(j, cases.NewCase("Bus", (ab, cd), WHEN.date(), check_date=WHEN.date()))
    j.add_follow_up(dt.date(2026, 3, 1), "call", [ab])
    assert followups.overdue_count(j, dt.date(2026, 3, 5)) == 2
    assert followups.overdue_count(j, dt.date(2026, 3, 2)) == 1


def test_undo_puts_back_everything_a_delete_removed(vault: Vault) -> None:
    j = vault.journal
    school, ab, cd = _school(vault)
    cid = j.add_contact(
        ContactInput(
            WHEN,
            school,
            "mediation",
            (ContactStudent(ab, "party"), ContactStudent(cd, "party")),
            duration_min=25,
            initiated_by="staff",
            outcome="agreement_reached",
            referrals=("counselor", "administrator"),
            tags=("lunch", "bus"),
            notes="Seat dispute",
        )
    )
    j.update_student(ab, grade="8")  # the contact keeps the grade it had
    case = cases.open_case(j, cases.NewCase("Seat", (ab, cd), WHEN.date())).value
    cases.link_contact(j, case, cid)
    source = j.add_follow_up(dt.date(2026, 3, 9), "check", [ab], source_contact_id=cid)
    done_fu = j.add_follow_up(dt.date(2026, 3, 3), "earlier", [cd])
    j.complete_follow_up(done_fu, dt.date(2026, 3, 2))
    j.relink_follow_up(done_fu, "done", cid)
    before = (j.contact(cid), j.conflict_case(case), j.follow_up(source), j.follow_up(done_fu))

    deleted = entries.delete_entry(j, cid)
    assert deleted.changes == Change.CONTACTS | Change.CASES | Change.FOLLOW_UPS
    assert j.conflict_case(case).contact_ids == ()
    assert j.follow_up(source).source_contact_id is None
    assert j.follow_up(done_fu).done_contact_id is None

    restored = entries.restore_entry(j, deleted.value)
    assert restored.value == cid
    after = (j.contact(cid), j.conflict_case(case), j.follow_up(source), j.follow_up(done_fu))
    assert after == before
    assert j.contact(cid).students[0].grade == "7"
    # Redo, then undo again: the same.
    again = entries.delete_entry(j, cid)
    entries.restore_entry(j, again.value)
    assert (j.contact(cid), j.conflict_case(case), j.follow_up(source)) == before[:3]


def test_undo_keeps_a_purged_entry_purged(vault: Vault) -> None:
    j = vault.journal
    school, _ab, _cd = _school(vault)
    cid = j.add_contact(ContactInput(dt.datetime(2010, 1, 5, 9), school, "relationship", notes="x"))
    j.purge_notes_before(dt.date(2011, 1, 1))
    assert j.contact(cid).redacted
    deleted = entries.delete_entry(j, cid)
    entries.restore_entry(j, deleted.value)
    assert j.contact(cid).redacted


def test_a_held_case_whose_date_is_its_last_check_is_not_due_again(vault: Vault) -> None:
    """Cases recorded as held before there was a next check keep the day of that check as
    their date: they are not listed as due; a later check date, set when recording, is."""
    j = vault.journal
    school, ab, cd = _school(vault)
    day = dt.date(2026, 3, 9)
    check = j.add_contact(
        ContactInput(dt.datetime(2026, 3, 9, 15), school, "restorative", outcome="agreement_held")
    )
    old = j.add_conflict_case("Old", [ab, cd], opened_on=WHEN.date(), check_date=day,
                              contact_ids=[check])  # fmt: skip
    j.update_conflict_case(old, status="held")
    assert cases.case_checks(j) == []
    cases.record_check(j, old, cases.CheckRecord(True, dt.datetime(2026, 3, 20, 9),
                                                 next_check=dt.date(2026, 4, 20)))  # fmt: skip
    assert [(c.id, c.check_date) for c in cases.case_checks(j)] == [(old, dt.date(2026, 4, 20))]
