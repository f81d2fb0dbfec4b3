"""The school list: add, rename, merge, retire; every name checked; import never adds silently."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from srojournal.domain.models import ContactInput, ContactStudent
from srojournal.vault.errors import InvalidInput
from srojournal.vault.importer import ImportRejected, UnknownSchools, import_csv
from srojournal.vault.store import Vault


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ('=HYPERLINK("http://x","y")', "formula"),
        ("@SUM(A1)", "formula"),
        ("He said he sleeps at his aunt's house most nights", "sentence"),
        ("Lincoln\nHigh", "one line"),
    ],
)
def test_names_that_are_not_school_names_are_refused(vault: Vault, name: str, reason: str) -> None:
    j = vault.journal
    with pytest.raises(InvalidInput, match=reason) as info:
        j.add_school(name)
    assert name not in info.value.message  # the reason, never the text
    school = j.add_school("Lincoln High")
    with pytest.raises(InvalidInput, match=reason):
        j.rename_school(school, name)
    assert [s.name for s in j.schools()] == ["Lincoln High"]


def test_names_are_compared_by_key_and_stored_clean(vault: Vault) -> None:
    j = vault.journal
    a = j.add_school("  Lincoln   High ")
    assert j.schools()[0].name == "Lincoln High"
    assert j.add_school("LINCOLN high") == a  # the same school
    assert j.school_id_by_name("ｌincoln  high") == a
    b = j.add_school("Oak Grove")
    with pytest.raises(InvalidInput, match="merge"):
        j.rename_school(b, "lincoln high")
    j.rename_school(a, "Lincoln High School")
    j.rename_school(a, "LINCOLN High School")  # its own name in another case
    assert {s.name for s in j.schools()} == {"LINCOLN High School", "Oak Grove"}


def test_retire_and_bring_back(vault: Vault) -> None:
    j = vault.journal
    a = j.add_school("Lincoln High")
    j.set_school_active(a, False)
    assert j.schools() == [] and [s.name for s in j.schools(include_inactive=True)] == [
        "Lincoln High"
    ]
    assert j.add_school("lincoln high") == a  # adding the name again brings it back
    assert [s.active for s in j.schools()] == [True]


def test_merge_moves_contacts_and_students_and_retires_the_name(vault: Vault) -> None:
    j = vault.journal
    lincoln = j.add_school("Lincoln High School")
    hs = j.add_school("Lincoln HS")
    oak = j.add_school("Oak Grove")
    sam_t = j.add_student("Sam R", lincoln, "10", "at Lincoln")
    sam_s = j.add_student("SAM  R", hs, None, "from the HS sheet")
    bo = j.add_student("Bo", hs, "9")
    c1 = j.add_contact(
        ContactInput(
            dt.datetime(2026, 3, 2, 9),
            hs,
            "mentoring",
            students=(ContactStudent(sam_s, "participant"), ContactStudent(bo, "participant")),
        )
    )
    c2 = j.add_contact(
        ContactInput(
            dt.datetime(2026, 3, 3, 9),
            lincoln,
            "mentoring",
            students=(ContactStudent(sam_t, "participant"),),
        )
    )
    j.add_follow_up(dt.date(2026, 3, 9), "check in", [sam_s])
    result = j.merge_school(hs, lincoln)
    assert (result.contacts, result.students, result.students_merged) == (1, 2, 1)
    assert j.contact(c1).school_id == lincoln
    assert [s.student_id for s in j.contact(c1).students] == [sam_t, bo]
    assert j.student(bo).school_id == lincoln
    sam = j.student(sam_t)
    assert sam.notes == "at Lincoln\n\nfrom the HS sheet"
    assert [r.id for r in j.timeline(sam_t)] == [c2, c1]
    assert [f.student_ids for f in j.follow_ups()] == [(sam_t,)]
    with pytest.raises(InvalidInput):
        j.student(sam_s)
    # The merged name is retired and leads to the school it became.
    assert [s.name for s in j.schools()] == ["Lincoln High School", "Oak Grove"]
    assert j.school_id_by_name("Lincoln HS") == lincoln
    with pytest.raises(InvalidInput):
        j.set_school_active(hs, True)
    with pytest.raises(InvalidInput, match="merged into another"):
        j.merge_school(oak, hs)
    with pytest.raises(InvalidInput, match="two different"):
        j.merge_school(oak, oak)
    [entry] = [e for e in j.audit_entries() if e.action == "school_merged"]
    assert json.loads(entry.detail) == {"contacts": 1, "students": 2, "students_merged": 1}
    assert j.verify().students == 2


def test_import_refuses_unknown_schools_and_lists_each_once(vault: Vault) -> None:
    j = vault.journal
    j.add_school("Lincoln High School")
    text = (
        "date,type,school,students\n"
        "2026-03-02,mentoring,Lincoln HS,JD\n"
        "2026-03-03,mentoring,Oak Grove,Mo\n"
        "2026-03-04,mentoring,lincoln  hs,JD\n"
        "2026-03-05,mentoring,Lincoln High School,Al\n"
    )
    with pytest.raises(UnknownSchools) as info:
        import_csv(j, text)
    assert info.value.unknown == [("Lincoln HS", 2, 2), ("Oak Grove", 1, 3)]
    assert "'Lincoln HS' (2 rows), 'Oak Grove' (1 row)" in info.value.message
    assert "\n" not in info.value.message
    assert j.counts().contacts == 0 and j.counts().students == 0
    assert [s.name for s in j.schools()] == ["Lincoln High School"]
    result = import_csv(j, text, add_schools=True)
    assert result.new_schools == ["Lincoln HS", "Oak Grove"]
    assert j.counts().contacts == 4


def test_import_lands_a_merged_name_on_its_school(vault: Vault) -> None:
    j = vault.journal
    lincoln = j.add_school("Lincoln High School")
    j.merge_school(j.add_school("Lincoln HS"), lincoln)
    import_csv(j, "date,type,school,students\n2026-03-02,mentoring,Lincoln HS,JD\n")
    [row] = j.list_contacts()
    assert j.contact(row.id).school_id == lincoln


@pytest.mark.parametrize(
    "school", ['=HYPERLINK("http://x","y")', "Says he sleeps at his aunt's house most nights now"]
)
def test_import_refuses_a_school_that_is_not_a_name_even_with_add_schools(
    vault: Vault, school: str
) -> None:
    j = vault.journal
    text = f'date,type,school\n2026-03-02,mentoring,"{school.replace(chr(34), 2 * chr(34))}"\n'
    with pytest.raises(ImportRejected) as info:
        import_csv(j, text, add_schools=True)
    [err] = info.value.errors
    assert err.line == 2 and "school" in err.reason and school not in err.reason
    assert j.schools(include_inactive=True) == []
