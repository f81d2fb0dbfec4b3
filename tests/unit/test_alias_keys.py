"""One alias normalisation for lookup and insert, and the migration that merges old duplicates."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from srojournal.domain.models import ContactInput, ContactStudent
from srojournal.domain.text import normalize_alias
from srojournal.vault import schema, store
from srojournal.vault.errors import InvalidInput
from srojournal.vault.importer import import_csv
from srojournal.vault.store import Vault
from tests.conftest import PASSPHRASE, REPO_ROOT

V1 = REPO_ROOT / "tests" / "fixtures" / "vault-v1"


def test_alias_variants_are_one_student_on_import(vault: Vault) -> None:
    """'Sam  R' after 'Sam R' used to end in an IntegrityError (exit 1)."""
    j = vault.journal
    school = j.add_school("Lincoln High")
    import_csv(j, "date,type,school,students\n2026-03-02,mentoring,Lincoln High,Sam R\n")
    for variant in ("Sam  R", "sam r", "ＳＡＭ R", " Sam\u00a0R "):
        import_csv(j, f"date,type,school,students\n2026-03-03,mentoring,Lincoln High,{variant}\n")
    [student] = j.students()
    assert student.alias == "Sam R" and student.school_id == school
    assert len(j.timeline(student.id)) == 5


def test_one_row_naming_a_student_twice_in_two_spellings_is_refused(vault: Vault) -> None:
    from srojournal.vault.importer import ImportRejected

    vault.journal.add_school("Lincoln High")
    with pytest.raises(ImportRejected) as info:
        import_csv(vault.journal, "date,type,students\n2026-03-02,mentoring,Sam R;sam  r\n")
    assert "twice" in str(info.value.errors[0])


def test_insert_and_rename_compare_keys_and_refuse_clearly(vault: Vault) -> None:
    j = vault.journal
    school = j.add_school("Lincoln High")
    other = j.add_school("Oak Grove")
    sam = j.add_student("Sam R", school)
    with pytest.raises(InvalidInput, match="already has a student"):
        j.add_student("SAM   r", school)
    j.add_student("Sam R", other)  # another school: another student
    bo = j.add_student("Bo", school)
    with pytest.raises(InvalidInput, match="already has a student"):
        j.update_student(bo, alias="ｓａｍ r")
    j.update_student(sam, alias="Sam  R.")  # its own key may change
    assert j.student(sam).alias == "Sam R."
    with pytest.raises(InvalidInput, match="already has a student"):
        j.update_student(bo, school_id=other, alias="sam r")


def test_lookup_and_type_ahead_use_the_key(vault: Vault) -> None:
    j = vault.journal
    school = j.add_school("Lincoln High")
    elan = j.add_student("élan", school)
    sam = j.add_student("Sam R", school)
    found = j.student_by_alias(school, "ÉLAN")
    assert found is not None and found.id == elan
    assert [s.id for s in j.students("ÉL")] == [elan]
    assert [s.id for s in j.students("sam  r")] == [sam]
    assert [s.id for s in j.students("%")] == []  # LIKE wildcards are literal


def _copy_v1(tmp_path: Path) -> Path:
    dest = tmp_path / "vault-v1"
    shutil.copytree(V1, dest)
    dest.chmod(0o700)
    return dest


def test_v1_fixture_migrates_with_a_key_per_student(tmp_path: Path) -> None:
    folder = _copy_v1(tmp_path)
    with Vault.open(folder, PASSPHRASE) as v:
        rows = v.conn.execute("SELECT alias, alias_key FROM students").fetchall()
        assert len(rows) == 20
        assert all(key == normalize_alias(alias) for alias, key in rows)
        assert "students_merged" not in [e.action for e in v.journal.audit_entries()]
        assert v.journal.verify().students == 20


def _add_v1_duplicates(folder: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Open the v1 vault as v1 and write students that the v1 lookup kept apart."""
    with monkeypatch.context() as m:
        m.setattr(store, "MIGRATIONS", schema.MIGRATIONS[:1])
        m.setattr(store, "CURRENT_VERSION", 1)
        with Vault.open(folder, PASSPHRASE) as v:
            c = v.conn
            assert c.execute("PRAGMA user_version").fetchone()[0] == 1
            school = c.execute("SELECT min(id) FROM schools").fetchone()[0]

            def student(alias: str, grade: str | None, notes: str, archived: int) -> int:
                return int(
                    c.execute(
                        "INSERT INTO students (alias, school_id, grade, notes, archived)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (alias, school, grade, notes, archived),
                    ).lastrowid
                )

            ids = {
                "keep": student("Sam R", None, "likes chess", 1),
                "spaces": student("sam  r", "9", "", 0),
                "width": student("ＳＡＭ R", None, "older brother at Oak", 1),
                "accent_upper": student("ÉLAN", "7", "", 0),
                "accent_lower": student("élan", "8", "", 0),
            }
            j = v.journal
            # A contact that lists two spellings of one student, and one for each spelling.
            both = j.add_contact(
                ContactInput(
                    dt.datetime(2026, 3, 2, 9),
                    school,
                    "mentoring",
                    students=(
                        ContactStudent(ids["keep"], "participant", None),
                        ContactStudent(ids["spaces"], "participant", "9"),
                    ),
                    notes="two spellings",
                )
            )
            only = j.add_contact(
                ContactInput(
                    dt.datetime(2026, 3, 3, 9),
                    school,
                    "mentoring",
                    students=(ContactStudent(ids["width"], "participant", None),),
                )
            )
            j.add_contact(
                ContactInput(
                    dt.datetime(2026, 3, 4, 9),
                    school,
                    "mediation",
                    students=(
                        ContactStudent(ids["accent_upper"], "party", None),
                        ContactStudent(ids["accent_lower"], "party", None),
                    ),
                )
            )
            j.add_follow_up(dt.date(2026, 3, 9), "check in", [ids["spaces"], ids["keep"]])
            j.add_follow_up(dt.date(2026, 3, 10), "call home", [ids["width"]])
            j.add_conflict_case(
                "hallway",
                [ids["accent_upper"], ids["accent_lower"]],
                opened_on=dt.date(2026, 3, 4),
            )
            j.save_draft(
                "entry",
                json.dumps({"students": [[ids["spaces"], "participant"], [ids["keep"], "party"]]}),
            )
            ids["contact_both"], ids["contact_only"] = both, only
    return ids


def test_migration_merges_students_whose_keys_collide(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _copy_v1(tmp_path)
    ids = _add_v1_duplicates(folder, monkeypatch)
    with Vault.open(folder, PASSPHRASE) as v:
        j = v.journal
        assert v.conn.execute("PRAGMA user_version").fetchone()[0] == schema.CURRENT_VERSION
        counts = j.verify()  # foreign keys, the notes index and the audit chain hold
        assert counts.students == 20 + 2
        sam = j.student(ids["keep"])
        assert sam.alias == "Sam R"
        assert sam.grade == "9"  # taken from a merged duplicate: the survivor had none
        assert sam.notes == "likes chess\n\nolder brother at Oak"
        assert not sam.archived  # one of them was active
        for gone in ("spaces", "width", "accent_lower"):
            with pytest.raises(InvalidInput):
                j.student(ids[gone])
        both = j.contact(ids["contact_both"])
        assert [s.student_id for s in both.students] == [ids["keep"]]
        assert both.notes == "two spellings"  # notes are kept
        assert [s.student_id for s in j.contact(ids["contact_only"]).students] == [ids["keep"]]
        assert len(j.timeline(ids["keep"])) == 2
        mine = {
            f.what: f.student_ids for f in j.follow_ups() if f.what in ("check in", "call home")
        }
        assert mine == {"check in": (ids["keep"],), "call home": (ids["keep"],)}
        [case] = [k for k in j.conflict_cases() if k.title == "hallway"]
        assert case.party_ids == (ids["accent_upper"],)
        draft = json.loads(j.load_draft("entry") or "{}")
        assert draft["students"] == [[ids["keep"], "participant"]]
        merged = [e for e in j.audit_entries() if e.action == "students_merged"]
        assert len(merged) == 1
        detail = json.loads(merged[0].detail)
        assert detail == {"reason": "alias_normalization", "groups": 2, "merged": 3}
        # Lookups now find the survivor under every spelling.
        for spelling in ("SAM R", "Ｓam  r", "sam r"):
            found = j.student_by_alias(sam.school_id, spelling)
            assert found is not None and found.id == ids["keep"]


def test_a_failed_merge_leaves_the_v1_vault_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _copy_v1(tmp_path)
    _add_v1_duplicates(folder, monkeypatch)

    def broken(conn: object) -> None:
        raise RuntimeError("simulated crash in the merge")

    with monkeypatch.context() as m:
        m.setattr("srojournal.vault.schema.alias_keys_and_lists.merge_colliding_students", broken)
        with pytest.raises(RuntimeError):
            Vault.open(folder, PASSPHRASE)
    with Vault.open(folder, PASSPHRASE) as v:  # the next open migrates for real
        assert v.journal.counts().students == 22
