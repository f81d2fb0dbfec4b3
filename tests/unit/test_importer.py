"""CSV import: all or nothing, every bad row reported, every field reads back exactly."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srojournal.domain import taxonomy
from srojournal.domain.models import ContactFilter
from srojournal.vault.importer import ImportRejected, import_csv
from srojournal.vault.store import Vault

HEADER = (
    "date,time,duration_min,school,type,students,grades,initiated_by,outcome,referrals,"
    "follow_up,notes"
)


def test_import_basic_with_bom_labels_and_any_column_order(vault: Vault) -> None:
    text = (
        "\ufeffNotes,TYPE,Date,School,Students,Grades,Outcome,Referrals,follow_up,Time\n"
        '"Talked, with ""quotes""\nand a newline",Mentoring session,2026-03-02,Lincoln High,'
        "JD;Mo,10;K,resolved,counselor;nurse,2026-03-09,09:30\n"
        ",classroom,2026-03-03,Lincoln High,,,,,,\n"
    )
    result = import_csv(vault.journal, text, add_schools=True)
    assert (result.contacts, result.new_students, result.follow_ups) == (2, 2, 1)
    assert result.new_schools == ["Lincoln High"]
    j = vault.journal
    rows = j.list_contacts()
    c = j.contact(rows[1].id)
    assert c.notes == 'Talked, with "quotes"\nand a newline'
    assert c.type_code == "mentoring" and c.outcome == "resolved"
    assert c.referrals == ("counselor", "nurse")
    assert c.occurred_at == dt.datetime(2026, 3, 2, 9, 30)
    assert [s.grade for s in c.students] == ["10", "K"]
    assert j.follow_ups()[0].due == dt.date(2026, 3, 9)


def test_bad_rows_reject_whole_file_with_line_numbers(vault: Vault) -> None:
    text = (
        "date,type,students,notes,outcome\n"
        "2026-03-02,mentoring,JD,fine,resolved\n"  # line 2: good
        '2026-02-30,mentoring,JD,"multi\nline",\n'  # line 3: bad date (record spans 3-4)
        "2026-03-04,flying,JD,x,\n"  # line 5: unknown type
        "2026-03-05,mentoring,JD,x,maybe\n"  # line 6: unknown outcome
        "2026-03-06,mentoring,JD;JD,x,\n"  # line 7: duplicate student
    )
    vault.journal.add_school("Only School")  # one school: rows may leave it out
    with pytest.raises(ImportRejected) as info:
        import_csv(vault.journal, text)
    lines = [e.line for e in info.value.errors]
    assert lines == [3, 5, 6, 7]
    assert "date" in info.value.errors[0].reason
    assert vault.journal.counts().contacts == 0
    assert vault.journal.counts().students == 0
    assert [s.name for s in vault.journal.schools()] == ["Only School"]


def test_dry_run_writes_nothing(vault: Vault) -> None:
    result = import_csv(
        vault.journal, "date,type,school\n2026-03-02,mentoring,X\n", dry_run=True, add_schools=True
    )
    assert result.contacts == 1 and result.dry_run
    assert vault.journal.counts().contacts == 0 and vault.journal.schools() == []


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "empty"),
        ("date,type\n", "no rows"),
        ("date,colour\n2026-01-01,x\n", "missing required"),
        ("type\nmentoring\n", "missing required"),
        ("date,type,date\n2026-01-01,mentoring,2026-01-02\n", "duplicate column"),
        ("date,type\n2026-01-01,mentoring,extra\n", "fields"),
        ('date,type\n"2026-01-01,mentoring\n', "malformed"),
    ],
)
def test_structural_errors(vault: Vault, text: str, needle: str) -> None:
    vault.journal.add_school("Only School")
    with pytest.raises(ImportRejected) as info:
        import_csv(vault.journal, text)
    assert needle in str(info.value.errors[0])


def test_students_matched_by_alias_within_school(vault: Vault) -> None:
    j = vault.journal
    import_csv(
        j,
        "date,type,school,students\n2026-03-02,mentoring,A,JD\n2026-03-03,mentoring,B,JD\n",
        add_schools=True,
    )
    import_csv(j, "date,type,school,students\n2026-03-04,mentoring,a,jd\n")
    assert j.counts().students == 2
    a = j.school_id_by_name("A")
    assert a is not None
    student = j.student_by_alias(a, "JD")
    assert student is not None and len(j.timeline(student.id)) == 2


# -- round trip (property test) -----------------------------------------------------------------
_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=200,
)
_vault_names = itertools.count()
_alias_pool = [f"Ålias {i} ñ" for i in range(6)] + ["JD", "Mo", 'Q"uote', "C,omma"]
_types = [t.code for t in taxonomy.BUILTIN_CONTACT_TYPES]


@st.composite
def _rows(draw: st.DrawFn) -> dict[str, str]:
    day = draw(st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2035, 12, 31)))
    n = draw(st.integers(0, 3))
    aliases = draw(st.lists(st.sampled_from(_alias_pool), min_size=n, max_size=n, unique=True))
    grades = [draw(st.sampled_from(taxonomy.GRADES)) for _ in aliases]
    big = draw(st.booleans())
    notes = draw(_text) + ("x" * 50_000 if big and draw(st.integers(0, 9)) == 0 else "")
    return {
        "date": day.isoformat(),
        "time": f"{draw(st.integers(0, 23)):02d}:{draw(st.integers(0, 59)):02d}",
        "duration_min": str(draw(st.integers(0, 1440))),
        "school": draw(st.sampled_from(["Lincoln High", "Oak, Grove", "St. Mary's K-8", "Écola"])),
        "type": draw(st.sampled_from(_types)),
        "students": ";".join(aliases),
        "grades": ";".join(grades),
        "initiated_by": draw(st.sampled_from(["", *taxonomy.INITIATORS])),
        "outcome": draw(st.sampled_from(["", *(o.code for o in taxonomy.OUTCOMES)])),
        "referrals": ";".join(
            draw(
                st.lists(st.sampled_from(list(taxonomy.REFERRAL_TARGETS)), unique=True, max_size=3)
            )
        ),
        "follow_up": draw(st.sampled_from(["", (day + dt.timedelta(days=7)).isoformat()])),
        "notes": notes,
    }


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.large_base_example,
        HealthCheck.data_too_large,
    ],
)
@given(rows=st.lists(_rows(), min_size=1, max_size=12))
def test_round_trip_every_field(make_vault, rows: list[dict[str, str]]) -> None:
    vault, _ = make_vault(f"rt{next(_vault_names)}")  # one fresh vault per example
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=HEADER.split(","))
    writer.writeheader()
    writer.writerows(rows)
    j = vault.journal
    import_csv(j, buf.getvalue(), add_schools=True)
    contacts = [j.contact(r.id) for r in reversed(j.list_contacts(ContactFilter(), limit=100))]
    contacts.sort(key=lambda c: c.id)
    follow_ups = {f.source_contact_id: f for f in j.follow_ups()}
    assert len(contacts) == len(rows)
    for row, c in zip(rows, contacts, strict=True):
        assert c.occurred_at.strftime("%Y-%m-%d") == row["date"]
        assert c.occurred_at.strftime("%H:%M") == row["time"]
        assert str(c.duration_min) == row["duration_min"]
        school = next(s for s in j.schools() if s.id == c.school_id)
        assert school.name == row["school"]
        assert c.type_code == row["type"]
        aliases = [j.student(s.student_id).alias for s in c.students]
        assert ";".join(aliases) == row["students"]
        assert ";".join(s.grade or "" for s in c.students) == row["grades"]
        assert (c.initiated_by or "") == row["initiated_by"]
        assert (c.outcome or "") == row["outcome"]
        assert sorted(c.referrals) == sorted(filter(None, row["referrals"].split(";")))
        assert c.notes == row["notes"]
        fu = follow_ups.get(c.id)
        assert (fu.due.isoformat() if fu else "") == row["follow_up"]
    vault.close()


def test_import_indexes_notes_and_keeps_the_trigger(vault: Vault) -> None:
    """The bulk import indexes notes at the end; later saves are indexed by the trigger again."""
    j = vault.journal
    import_csv(
        j, "date,type,school,notes\n2026-03-02,mentoring,X,saxophone practice\n", add_schools=True
    )
    assert j.count_contacts(ContactFilter(text="saxophone")) == 1
    with pytest.raises(ImportRejected):
        import_csv(j, "date,type,school,notes\n2026-03-02,mentoring,X,ocarina\nbad,,,\n")
    school = j.school_id_by_name("X")
    assert school is not None
    from srojournal.domain.models import ContactInput

    j.add_contact(ContactInput(dt.datetime(2026, 3, 3, 9), school, "mentoring", notes="ocarina"))
    assert j.count_contacts(ContactFilter(text="ocarina")) == 1
    assert j.verify().contacts == 2
