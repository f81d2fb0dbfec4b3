"""The officer's own export: warned, 0600, audited, and it imports back into the same records."""

from __future__ import annotations

import csv
import io
import json
import re
import stat
from pathlib import Path

import pytest

from srojournal.demo import DEMO_PASSPHRASE
from srojournal.importing.journal_csv import EXPORT_COLUMNS
from srojournal.vault.store import Vault
from tests.conftest import CLI_KDF_ARGS, assert_no_traceback
from tests.records import (
    FORMULA,
    NO_CONTACT,
    PARTY,
    SUBJECT,
    add_every_kind,
    assert_same_records,
    journal_records,
)

STDIN = DEMO_PASSPHRASE + "\n"


@pytest.fixture
def cli(cheap_cli):
    """The vaults here are made in this process with the cheap KDF: the command line opts in to
    opening them (see ``cheap_cli`` in tests/conftest.py)."""
    return cheap_cli


@pytest.fixture(scope="module")
def demo_vault(tmp_path_factory) -> Path:
    """A demo journal (contacts, follow-ups, cases) plus every other kind of record."""
    from srojournal.demo import populate
    from tests.conftest import CHEAP_KDF

    folder = tmp_path_factory.mktemp("demo") / "v"
    vault, _ = Vault.create(
        folder, DEMO_PASSPHRASE, kdf=CHEAP_KDF, allow_weak_kdf=True, check_strength=False
    )
    with vault:
        populate(vault.journal, contacts=600, students=80, schools=3, years=1.0)
        add_every_kind(vault.journal)
    return folder


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _exports(vault: Vault) -> list[dict]:
    return [
        json.loads(e.detail)
        for e in vault.journal.audit_entries()
        if e.action == "journal_exported"
    ]


def test_export_everything_and_import_it_into_a_new_vault(cli, demo_vault, tmp_path) -> None:
    out = tmp_path / "journal.csv"
    r = cli("export", demo_vault, "--out", out, "--passphrase-stdin", stdin=STDIN)
    assert_no_traceback(r)
    assert r.code == 0, r.err
    assert "NOT encrypted" in r.err and "not checked" in r.err
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    data = out.read_bytes()
    assert data.startswith(("\ufeff" + ",".join(EXPORT_COLUMNS) + "\r\n").encode())
    assert data.count(b"\r\n") >= 600
    cells = [c for rec in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for c in rec]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]  # no formula
    rows = _rows(data)
    [lonely] = [row for row in rows if row["students"] == NO_CONTACT]
    assert (lonely["record"], lonely["archived"]) == ("student", "yes")
    assert lonely["notes"] == "'=SUM(A1:A9) no contact yet"  # a formula neutralised
    assert {row["record"] for row in rows} == {
        "contact_type",
        "student",
        "contact",
        "follow_up",
        "case",
    }

    fresh = tmp_path / "fresh"
    r = cli("init", fresh, "--passphrase-stdin", *CLI_KDF_ARGS, stdin=STDIN)
    assert r.code == 0, r.err
    r = cli("import", fresh, out, "--add-schools", "--passphrase-stdin", stdin=STDIN)
    assert r.code == 0, r.err
    with Vault.open(demo_vault, DEMO_PASSPHRASE) as a, Vault.open(fresh, DEMO_PASSPHRASE) as b:
        before, after = journal_records(a.journal), journal_records(b.journal)
        assert all(before.values()), "the journal must hold every kind of record"
        assert len(before["contacts"]) > 600
        assert_same_records(before, after)
        counts = a.journal.counts()
        [entry] = [e for e in _exports(a) if e["scope"] == "all"]
        assert entry == {
            "scope": "all",
            "contacts": counts.contacts,
            "students": counts.students,
            "follow_ups": counts.follow_ups,
            "cases": len(before["cases"]),
        }
    assert f"{len(before['cases'])} cases" in r.out and "3 contact types" in r.out


def _whole_word(alias: str, text: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(alias) + r"(?!\w)", text, re.IGNORECASE) is not None


def test_one_students_records_name_no_other_student(cli, demo_vault, tmp_path) -> None:
    out = tmp_path / "records.csv"
    r = cli(
        "export", demo_vault, "--out", out, "--student", SUBJECT.upper(), "--passphrase-stdin",
        stdin=STDIN,
    )  # fmt: skip
    assert r.code == 0, r.err
    assert "(3 contacts, 1 students, 3 follow-ups, 1 cases; not encrypted)" in r.out
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfrecord,ref,") and data.endswith(b"\r\n")
    text = data.decode("utf-8-sig")
    rows = _rows(data)
    by_kind: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_kind.setdefault(row["record"], []).append(row)
    [own] = by_kind["student"]
    assert (own["students"], own["grades"], own["archived"]) == (SUBJECT, "8", "no")
    assert own["notes"] == "'=1+1 private: asked for a mentor"
    assert len(by_kind["contact"]) == 3 and len(by_kind["follow_up"]) == 3
    assert {f["follow_up_what"] for f in by_kind["follow_up"]} == {
        "",
        "Check in",
        "Call Other student 1's parent",  # made without a contact; the alias replaced
    }
    [case] = by_kind["case"]
    assert case["students"] == f"{SUBJECT};Other student 1"
    assert case["case_title"] == f"{SUBJECT} and Other student 1"
    assert case["case_terms"] == f"Other student 1 keeps away from {SUBJECT}'s locker"
    assert case["contacts"] == "1;2" and case["case_status"] == "held"
    assert {t["type"] for t in by_kind.get("contact_type", [])} == set()  # none of theirs custom

    with Vault.open(demo_vault, DEMO_PASSPHRASE) as v:
        j = v.journal
        others = [s for s in j.students(include_archived=True) if s.alias != SUBJECT]
        party_school = j.student(next(s.id for s in others if s.alias == PARTY)).school_id
        party_school_name = {s.id: s.name for s in j.schools()}[party_school]
        entry = _exports(v)[-1]
    assert len(others) > 80
    named = [s.alias for s in others if _whole_word(s.alias, text)]
    assert named == []  # no other student's alias, anywhere in the file
    assert PARTY.split()[0] not in text and "Dash" not in text and "Semi" not in text
    assert FORMULA not in text and party_school_name not in text
    assert entry == {
        "scope": "one_student",
        "contacts": 3,
        "students": 1,
        "follow_ups": 3,
        "cases": 1,
    }

    r = cli("export", demo_vault, "--out", out, "--student", "nobody at all", "--passphrase-stdin",
            stdin=STDIN)  # fmt: skip
    assert r.code == 5 and len(r.err.splitlines()) == 1 and "No student" in r.err


def test_an_archived_student_with_no_contact_has_records_too(cli, demo_vault, tmp_path) -> None:
    out = tmp_path / "records.csv"
    r = cli(
        "export", demo_vault, "--out", out, "--student", NO_CONTACT, "--passphrase-stdin",
        stdin=STDIN,
    )  # fmt: skip
    assert r.code == 0, r.err
    [row] = _rows(out.read_bytes())
    assert (row["record"], row["students"], row["archived"]) == ("student", NO_CONTACT, "yes")
    assert row["notes"] == "'=SUM(A1:A9) no contact yet"


def test_a_damaged_export_is_refused_row_by_row_and_nothing_is_written(
    cli, demo_vault, tmp_path
) -> None:
    out = tmp_path / "journal.csv"
    r = cli("export", demo_vault, "--out", out, "--passphrase-stdin", stdin=STDIN)
    assert r.code == 0, r.err
    reader = csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"), newline=""))
    records: list[tuple[int, list[str]]] = []
    end = 0
    for rec in reader:
        records.append((end + 1, rec))  # the line the record starts on
        end = reader.line_num
    header = records[0][1]
    col = {name: header.index(name) for name in ("record", "contacts", "case_status")}
    broken: dict[int, str] = {}
    for line, rec in records[1:]:
        if rec[col["record"]] == "follow_up" and rec[col["contacts"]] and not broken:
            rec[col["contacts"]] = "99999"
            broken[line] = (
                "contacts: no contact row has the reference '99999' (give that "
                "contact row the reference in its ref column, or empty the cell)"
            )
        if rec[col["record"]] == "case" and len(broken) == 1:
            rec[col["case_status"]] = "maybe"
            broken[line] = "case_status: must be open, held, broken, closed"
    assert len(broken) == 2
    damaged = io.StringIO(newline="")
    csv.writer(damaged, lineterminator="\r\n").writerows(rec for _, rec in records)
    out.write_text("\ufeff" + damaged.getvalue(), encoding="utf-8", newline="")

    fresh = tmp_path / "fresh"
    r = cli("init", fresh, "--passphrase-stdin", *CLI_KDF_ARGS, stdin=STDIN)
    assert r.code == 0, r.err
    r = cli("import", fresh, out, "--add-schools", "--passphrase-stdin", stdin=STDIN)
    assert_no_traceback(r)
    assert r.code == 5
    reported = [ln.strip() for ln in r.err.splitlines()[1:]]
    assert reported == [f"line {n}: {why}" for n, why in sorted(broken.items())]
    with Vault.open(fresh, DEMO_PASSPHRASE) as v:
        counts = v.journal.counts()
        assert (counts.contacts, counts.students, counts.follow_ups) == (0, 0, 0)
        assert v.journal.conflict_cases() == [] and v.journal.schools() == []
