"""The repository API on a real vault: contacts, filters, search, follow-ups, facts."""

from __future__ import annotations

import datetime as dt

import pytest

from srojournal.domain.models import (
    ContactFilter,
    ContactInput,
    ContactRow,
    ContactStudent,
    Template,
)
from srojournal.vault.errors import InvalidInput
from srojournal.vault.store import Vault


def _contact(school: int, when: dt.datetime, type_code: str = "mentoring", **kw) -> ContactInput:
    return ContactInput(occurred_at=when, school_id=school, type_code=type_code, **kw)


@pytest.fixture
def filled(vault: Vault):
    j = vault.journal
    a = j.add_school("Lincoln High School")
    b = j.add_school("Oak Grove Elementary")
    s1 = j.add_student("JD", a, "10")
    s2 = j.add_student("Mo", a, "9")
    s3 = j.add_student("Kiki", b, "3")
    ids = {
        "mentor": j.add_contact(
            _contact(
                a,
                dt.datetime(2026, 3, 2, 9, 0),
                students=(ContactStudent(s1),),
                outcome="resolved",
                notes="Discussed algebra homework and the chess club",
                tags=("grades",),
                referrals=("counselor",),
            )
        ),
        "mediation": j.add_contact(
            _contact(
                a,
                dt.datetime(2026, 3, 10, 13, 30),
                "mediation",
                students=(ContactStudent(s1, "party"), ContactStudent(s2, "party")),
                outcome="agreement_reached",
                notes="Hallway argument about a phone",
            )
        ),
        "lesson": j.add_contact(
            _contact(
                b,
                dt.datetime(2026, 4, 1, 10, 0),
                "classroom",
                attendees=24,
                notes="Internet safety lesson for third grade",
            )
        ),
        "welfare": j.add_contact(
            _contact(
                b,
                dt.datetime(2026, 4, 3, 8, 15),
                "welfare_assist",
                students=(ContactStudent(s3),),
                outcome="parent_notified",
            )
        ),
    }
    return vault, ids, (a, b), (s1, s2, s3)


def test_list_filter_and_search(filled) -> None:
    vault, ids, (_a, b), (s1, _s2, _s3) = filled
    j = vault.journal
    rows = j.list_contacts()
    assert [r.id for r in rows] == [ids["welfare"], ids["lesson"], ids["mediation"], ids["mentor"]]
    assert rows[2].students == "JD, Mo"
    mentor = rows[3]  # every field where the list puts it
    assert mentor == ContactRow(
        id=ids["mentor"],
        occurred_at=dt.datetime(2026, 3, 2, 9, 0),
        school="Lincoln High School",
        type_code=mentor.type_code,
        type_label=j._types()[mentor.type_code].label,
        students="JD",
        outcome="resolved",
        first_line="Discussed algebra homework and the chess club",
        tags="grades",
    )
    assert mentor.type_code != mentor.type_label
    assert j.count_contacts(ContactFilter(school_id=b)) == 2
    assert j.count_contacts(ContactFilter(category="conflict")) == 1
    assert j.count_contacts(ContactFilter(student_id=s1)) == 2
    assert j.count_contacts(ContactFilter(outcome="resolved")) == 1
    assert j.count_contacts(ContactFilter(tag="grades")) == 1
    march = ContactFilter(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31))
    assert j.count_contacts(march) == 2
    assert [r.id for r in j.list_contacts(ContactFilter(text="algebra"))] == [ids["mentor"]]
    assert [r.id for r in j.list_contacts(ContactFilter(text="alg"))] == [ids["mentor"]]  # prefix
    # FTS5 syntax typed by an officer is treated as words, never as a query error.
    assert j.count_contacts(ContactFilter(text='phone" OR NEAR(*')) == 0
    assert j.count_contacts(ContactFilter(text='"phone')) == 1
    assert j.count_contacts(ContactFilter(text="saFETY")) == 1
    page = j.list_contacts(limit=2, offset=2)
    assert [r.id for r in page] == [ids["mediation"], ids["mentor"]]
    first = j.list_contacts(limit=2)
    assert j.list_contacts(limit=2, after=first[-1]) == page  # keyset paging
    assert j.list_contacts(ContactFilter(school_id=b), after=rows[0]) == [rows[1]]


def test_search_follows_edits_and_deletes(filled) -> None:
    vault, ids, _, _ = filled
    j = vault.journal
    c = j.contact(ids["mentor"])
    j.update_contact(
        c.id, ContactInput(**{**_as_dict(c.to_input()), "notes": "Spoke about geometry"})
    )
    assert j.count_contacts(ContactFilter(text="algebra")) == 0
    assert j.count_contacts(ContactFilter(text="geometry")) == 1
    removed = j.delete_contact(c.id)
    assert j.count_contacts(ContactFilter(text="geometry")) == 0
    j.restore_contact(removed)  # undo
    assert j.contact(c.id).notes == "Spoke about geometry"
    assert j.count_contacts(ContactFilter(text="geometry")) == 1
    assert vault.journal.verify().contacts == 4


def _as_dict(ci: ContactInput) -> dict:
    return {f: getattr(ci, f) for f in ci.__dataclass_fields__}


def test_contact_round_trip_and_validation(filled) -> None:
    vault, ids, (a, _), (s1, s2, _) = filled
    j = vault.journal
    c = j.contact(ids["mediation"])
    assert c.students == (ContactStudent(s1, "party", "10"), ContactStudent(s2, "party", "9"))
    with pytest.raises(InvalidInput):
        j.add_contact(_contact(a, dt.datetime(2026, 1, 1), "nonsense"))
    with pytest.raises(InvalidInput):
        j.add_contact(_contact(a, dt.datetime(2026, 1, 1), outcome="maybe"))
    with pytest.raises(InvalidInput):
        j.add_contact(_contact(a, dt.datetime(2026, 1, 1), students=(ContactStudent(999),)))
    assert j.counts().contacts == 4


def test_timeline_and_grade_at_time(filled) -> None:
    vault, ids, _, (s1, _, _) = filled
    j = vault.journal
    assert [r.id for r in j.timeline(s1)] == [ids["mediation"], ids["mentor"]]
    j.update_student(s1, grade="11")  # next school year
    facts = j.month_facts("2026-03")
    bands = {s.grade_band for c in facts.contacts for s in c.students}
    assert bands == {"high"}
    assert j.contact(ids["mentor"]).students[0].grade == "10"


def test_follow_ups(filled) -> None:
    vault, _ids, (a, _), (s1, _, _) = filled
    j = vault.journal
    today = dt.date(2026, 3, 15)
    overdue = j.add_follow_up(dt.date(2026, 3, 10), "Check grades", [s1])
    due_today = j.add_follow_up(today, "Call parent", [s1])
    week = j.add_follow_up(dt.date(2026, 3, 20), "Lunch check-in", [s1])
    later = j.add_follow_up(dt.date(2026, 5, 1), "End of term", [s1])
    b = j.follow_ups_buckets(today)
    assert [f.id for f in b["overdue"]] == [overdue]
    assert [f.id for f in b["today"]] == [due_today]
    assert [f.id for f in b["week"]] == [week]
    assert [f.id for f in b["later"]] == [later]
    assert j.overdue_count(today) == 1
    cid = j.complete_follow_up(
        overdue,
        today,
        log_contact=_contact(
            a, dt.datetime(2026, 3, 15, 12), "mentoring_followup", students=(ContactStudent(s1),)
        ),
    )
    assert cid is not None and j.contact(cid).type_code == "mentoring_followup"
    assert j.follow_up(overdue).status == "done" and j.follow_up(overdue).done_contact_id == cid
    j.cancel_follow_up(later)
    facts = j.month_facts("2026-03")
    states = sorted(f.status for f in facts.follow_ups)
    assert states == ["done_late", "open", "open"]


def test_month_facts_carry_no_text(filled) -> None:
    vault, _ids, _, _ = filled
    facts = vault.journal.month_facts("2026-04")
    assert len(facts.contacts) == 2
    lesson = next(c for c in facts.contacts if c.contact_type == "classroom")
    assert lesson.group_activity and lesson.attendees == 24 and lesson.students == ()
    welfare = next(c for c in facts.contacts if c.contact_type == "welfare_assist")
    assert welfare.outcome_group == "notified" and welfare.category == "safety"
    text = repr(facts)
    assert "Internet safety" not in text and "Kiki" not in text
    with pytest.raises(InvalidInput):
        vault.journal.month_facts("2026-13")


def test_custom_types_and_retire(vault: Vault) -> None:
    j = vault.journal
    j.add_contact_type("lunch_bunch", "Lunch bunch", "relationship")
    school = j.add_school("X")
    cid = j.add_contact(_contact(school, dt.datetime(2026, 1, 5, 12), "lunch_bunch"))
    j.set_type_retired("lunch_bunch", True)
    assert "lunch_bunch" not in [t.code for t in j.contact_types(include_retired=False)]
    assert j.contact(cid).type_code == "lunch_bunch"  # history keeps it
    assert j.month_facts("2026-01").contacts[0].category == "relationship"
    with pytest.raises(InvalidInput):
        j.add_contact_type("mentoring", "dup", "mentoring")


def test_settings_drafts_templates_conflicts(vault: Vault) -> None:
    j = vault.journal
    j.set_setting("autolock_minutes", "7")
    j.save_draft("quick_entry", '{"notes": "half typed"}')
    j.add_template(Template(0, "Lunch duty", "relationship", 20, "sro", "resolved", "", ("lunch",)))
    folder = vault.folder
    school = j.add_school("X")
    s1, s2 = j.add_student("A1", school), j.add_student("B2", school)
    case = j.add_conflict_case(
        "Locker dispute",
        [s1, s2],
        terms="Swap lockers",
        opened_on=dt.date(2026, 2, 1),
        check_date=dt.date(2026, 3, 1),
    )
    j.update_conflict_case(case, status="held")
    vault.close()
    from tests.conftest import PASSPHRASE

    with Vault.open(folder, PASSPHRASE) as v:
        assert v.journal.get_setting("autolock_minutes") == "7"
        assert v.journal.load_draft("quick_entry") == '{"notes": "half typed"}'
        assert v.journal.templates()[0].tags == ("lunch",)
        k = v.journal.conflict_case(case)
        assert k.status == "held" and k.party_ids == (s1, s2) and k.terms == "Swap lockers"
        v.journal.set_conflict_parties(case, [s2])
        v.journal.clear_case_check_date(case)
        school2 = v.journal.add_school("Y")
        cid = v.journal.add_contact(_contact(school2, dt.datetime(2026, 2, 2, 9), "mediation"))
        v.journal.link_contact_to_case(case, cid)
        assert v.journal.conflict_case(case).contact_ids == (cid,)
        v.journal.unlink_contact_from_case(case, cid)
        k = v.journal.conflict_case(case)
        assert k.party_ids == (s2,) and k.check_date is None and k.contact_ids == ()


def test_purge_redacts_notes_keeps_facts(filled) -> None:
    vault, ids, _, _ = filled
    j = vault.journal
    n = j.purge_notes_before(dt.date(2026, 4, 1))
    assert n == 2
    assert j.contact(ids["mentor"]).notes == "" and j.contact(ids["mentor"]).redacted
    assert j.count_contacts(ContactFilter(text="algebra")) == 0
    assert len(j.month_facts("2026-03").contacts) == 2
    assert j.contact(ids["lesson"]).notes.startswith("Internet")
    assert any(e.action == "notes_purged" for e in j.audit_entries())
    assert j.verify().contacts == 4


def test_releases_stored_with_audit(vault: Vault) -> None:
    j = vault.journal
    j.add_release("2026-03", 1, b'{"x": 1}\n')
    [r] = j.releases("2026-03")
    assert r.number == 1 and r.content == b'{"x": 1}\n' and len(r.sha256) == 64
    assert j.audit_entries()[-1].action == "summary_released"
    assert j.released_periods() == [("2026-03", 1)]
    assert j.verify_audit_chain()


def test_search_plans_agree(filled, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rare words look up their hits; common words walk the date index: same answers."""
    from srojournal.vault import repo

    vault, *_ = filled
    j = vault.journal
    queries = [
        ContactFilter(text="a"),
        ContactFilter(text="lesson"),
        ContactFilter(text="the", school_id=1),
        ContactFilter(text="hallway phone"),
    ]
    rare = [(j.count_contacts(f), j.list_contacts(f)) for f in queries]
    monkeypatch.setattr(repo, "COMMON_WORD_HITS", 0)
    common = [(j.count_contacts(f), j.list_contacts(f)) for f in queries]
    assert rare == common
    assert [n for n, _ in rare] == [2, 1, 1, 1]


def test_first_line_of_long_and_padded_notes(vault: Vault) -> None:
    j = vault.journal
    school = j.add_school("X")
    for notes in ("\n\n   \t" * 100 + "Real first line\nsecond", "word " * 10_000):
        j.add_contact(_contact(school, dt.datetime(2026, 1, 1, 9), notes=notes))
    rows = j.list_contacts()
    assert {r.first_line for r in rows} == {"Real first line", ("word " * 40)[:159] + "…"}


def test_the_quick_entry_defaults_come_from_the_newest_entry(filled, monkeypatch) -> None:
    """Not from an old contact put back by undo, though it was written last."""
    from srojournal.vault.repo import contacts

    ticks = (dt.datetime(2026, 5, 1, 8, 0) + dt.timedelta(minutes=i) for i in range(100))
    monkeypatch.setattr(contacts, "now_text", lambda: next(ticks).isoformat())
    vault, ids, (a, b), _ = filled
    j = vault.journal
    assert j.last_used() == (b, "welfare_assist")
    newest = j.add_contact(_contact(a, dt.datetime(2026, 4, 5, 9, 0), "mediation"))
    assert j.last_used() == (a, "mediation")
    old = j.delete_contact(ids["lesson"])
    j.restore_contact(old)
    assert j.last_used() == (a, "mediation")
    j.restore_contact(j.delete_contact(newest))  # the newest one deleted and put back
    assert j.last_used() == (a, "mediation")
