"""Use cases on a real vault: what they write, in one transaction, and what they report."""

from __future__ import annotations

import datetime as dt

import pytest

from srojournal.domain.errors import InvalidInput
from srojournal.domain.models import ContactInput, ContactStudent
from srojournal.ops import cases, entries, followups
from srojournal.ops.changes import Change
from srojournal.vault.store import Vault
from tests.conftest import PASSPHRASE

WHEN = dt.datetime(2026, 3, 2, 10, 0)


def _students(vault: Vault) -> tuple[int, int]:
    j = vault.journal
    school = j.add_school("Lincoln Middle")
    return j.add_student("AB", school, "7"), j.add_student("CD", school, "8")


def test_save_entry_with_new_school_follow_up_and_case(vault: Vault) -> None:
    j = vault.journal
    a, b = _students(vault)
    case = cases.open_case(j, cases.NewCase("Seat dispute", (a, b), opened_on=WHEN.date())).value
    draft = entries.EntryDraft(
        ContactInput(
            WHEN, 0, "mediation", (ContactStudent(a, "party"), ContactStudent(b, "party"))
        ),
        school_name="  roosevelt   high ",
        follow_up=entries.FollowUpRequest(dt.date(2026, 3, 9), "Check the seats"),
        case_ids=(case,),
        draft_name="entry:new",
    )
    j.save_draft("entry:new", "{}")
    done = entries.save_entry(j, draft)
    assert done.changes == Change.CONTACTS | Change.SCHOOLS | Change.FOLLOW_UPS | Change.CASES
    contact = j.contact(done.value)
    assert j.schools(include_inactive=True)[-1].name == "roosevelt high"
    assert contact.school_id == j.school_id_by_name("roosevelt high")
    assert j.conflict_case(case).contact_ids == (done.value,)
    assert [f.source_contact_id for f in j.follow_ups()] == [done.value]
    assert j.load_draft("entry:new") is None
    # The same school, typed otherwise, is not created twice.
    again = entries.save_entry(
        j, entries.EntryDraft(ContactInput(WHEN, 0, "relationship"), school_name="Roosevelt High")
    )
    assert Change.SCHOOLS not in again.changes


def test_a_refused_entry_writes_nothing(vault: Vault) -> None:
    j = vault.journal
    _students(vault)
    bad = entries.EntryDraft(
        ContactInput(WHEN, 0, "relationship", outcome="not_an_outcome"),
        school_name="A New School",
        follow_up=entries.FollowUpRequest(dt.date(2026, 3, 9), "x"),
    )
    with pytest.raises(InvalidInput):
        entries.save_entry(j, bad)
    assert j.school_id_by_name("A New School") is None
    assert j.follow_ups() == []


def test_delete_and_undo_keep_the_case_links(vault: Vault) -> None:
    j = vault.journal
    a, b = _students(vault)
    school = j.school_id_by_name("Lincoln Middle")
    assert school is not None
    cid = j.add_contact(ContactInput(WHEN, school, "mediation", (ContactStudent(a, "party"),)))
    case = cases.open_case(j, cases.NewCase("Bus", (a, b), opened_on=WHEN.date())).value
    cases.link_contact(j, case, cid)
    deleted = entries.delete_entry(j, cid)
    assert deleted.changes == Change.CONTACTS | Change.CASES
    assert j.conflict_case(case).contact_ids == ()
    entries.restore_entry(j, deleted.value)
    assert j.conflict_case(case).contact_ids == (cid,)


def test_case_rules_hold_for_every_caller(vault: Vault) -> None:
    j = vault.journal
    a, b = _students(vault)
    with pytest.raises(InvalidInput, match="title"):
        cases.open_case(j, cases.NewCase("  ", (a, b), opened_on=WHEN.date()))
    with pytest.raises(InvalidInput, match="two parties"):
        cases.open_case(j, cases.NewCase("Bus", (a,), opened_on=WHEN.date()))
    case = cases.open_case(j, cases.NewCase("Bus", (a, b), opened_on=WHEN.date())).value
    cases.record_agreement_check(j, case, "held", next_check=dt.date(2026, 4, 1))
    assert (j.conflict_case(case).status, j.conflict_case(case).check_date) == (
        "held",
        dt.date(2026, 4, 1),
    )
    cases.record_agreement_check(j, case, "closed")
    assert j.conflict_case(case).check_date is None


def test_complete_a_follow_up_and_log_its_contact(vault: Vault) -> None:
    j = vault.journal
    a, _b = _students(vault)
    fid = followups.add_follow_up(j, followups.NewFollowUp(dt.date(2026, 3, 9), "Talk", (a,))).value
    f = j.follow_up(fid)
    contact = followups.follow_up_contact(j, f, dt.date(2026, 3, 9), dt.datetime(2026, 3, 9, 10, 7))
    assert contact is not None and contact.occurred_at == dt.datetime(
        2026, 3, 9, 10, 7
    )  # when it is logged
    done = followups.complete_follow_up(j, fid, dt.date(2026, 3, 9), contact)
    assert done.changes == Change.FOLLOW_UPS | Change.CONTACTS
    assert j.follow_up(fid).done_contact_id == done.value


# -- getting in and changing keys (ops/access.py) ---------------------------------------------
NEW_PASSPHRASE = "violet lantern harbor quietly 42"


def test_key_changes_report_progress_and_the_codes_they_issue(make_vault) -> None:
    from srojournal.ops import access
    from srojournal.vault.errors import WrongRecoveryCode

    vault, code = make_vault()
    seen: list[float] = []
    done = access.change_passphrase(vault, PASSPHRASE, NEW_PASSPHRASE, progress=seen.append)
    assert done.value is None and done.changes == Change.SETTINGS  # the code stays
    assert seen == sorted(seen) and seen[-1] == 1.0
    issued = access.new_recovery_code(vault, NEW_PASSPHRASE)
    assert issued.value != code and vault.recovery_code_unconfirmed
    access.confirm_recovery_code(vault)
    assert not vault.recovery_code_unconfirmed
    folder = vault.folder
    vault.close()
    with pytest.raises(WrongRecoveryCode):
        access.recover(folder, code, lambda: PASSPHRASE)
    reopened, newest = access.recover(folder, issued.value, lambda: PASSPHRASE)
    with reopened:
        assert newest not in (code, issued.value)
        assert reopened.recovery_code_unconfirmed  # until it was shown
    Vault.open(folder, PASSPHRASE).close()


def test_a_write_from_another_thread_cannot_slip_into_a_key_change(vault: Vault) -> None:
    """Between the re-encrypted copy and its swap, a write on the old file would be lost with
    it: the key change holds the vault's writer, so such a write is refused, not lost."""
    import threading

    from srojournal.ops import access
    from srojournal.vault.errors import ConcurrentWrite

    outcome: list[BaseException | int] = []

    def meanwhile() -> None:
        try:
            outcome.append(vault.journal.add_school("Written During The Swap"))
        except BaseException as exc:
            outcome.append(exc)

    def progress(fraction: float) -> None:
        if 0.9 < fraction < 1.0 and not outcome:  # copied and checked, not yet swapped in
            t = threading.Thread(target=meanwhile)
            t.start()
            t.join()

    access.change_passphrase(vault, PASSPHRASE, NEW_PASSPHRASE, progress=progress)
    assert len(outcome) == 1 and isinstance(outcome[0], ConcurrentWrite)


def test_undo_of_a_delete_after_a_new_entry_puts_both_back(vault: Vault) -> None:
    """The newest entry deleted, a new one saved, then the delete undone: nothing is lost."""
    j = vault.journal
    a, _b = _students(vault)
    school = j.school_id_by_name("Lincoln Middle")
    assert school is not None
    j.add_contact(ContactInput(WHEN, school, "mentoring", notes="older"))
    newest = j.add_contact(
        ContactInput(WHEN, school, "mentoring", (ContactStudent(a),), notes="deleted then restored")
    )
    deleted = entries.delete_entry(j, newest).value
    new = entries.save_entry(
        j, entries.EntryDraft(ContactInput(WHEN, school, "relationship", notes="saved after"))
    ).value
    restored = entries.restore_entry(j, deleted).value
    notes = sorted(j.contact(c).notes for c in (new, restored))
    assert notes == ["deleted then restored", "saved after"]
    assert j.count_contacts() == 3
    assert restored != new and [s.student_id for s in j.contact(restored).students] == [a]
    # With its id free, an entry comes back under its own id.
    again = entries.delete_entry(j, restored).value
    assert entries.restore_entry(j, again).value == restored
