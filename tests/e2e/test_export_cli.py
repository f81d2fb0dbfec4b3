"""The officer's own export: warned, 0600, audited, and it imports back into the same records."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path

import pytest

from srojournal.demo import DEMO_PASSPHRASE
from srojournal.domain.models import ContactInput, ContactStudent
from srojournal.vault.store import Vault
from tests.conftest import CLI_KDF_ARGS, assert_no_traceback
from tests.records import journal_records

STDIN = DEMO_PASSPHRASE + "\n"


@pytest.fixture
def cli(cheap_cli):
    """The vaults here are made in this process with the cheap KDF: the command line opts in to
    opening them (see ``cheap_cli`` in tests/conftest.py)."""
    return cheap_cli


@pytest.fixture(scope="module")
def demo_vault(tmp_path_factory) -> Path:
    from srojournal.demo import populate
    from tests.conftest import CHEAP_KDF

    folder = tmp_path_factory.mktemp("demo") / "v"
    vault, _ = Vault.create(
        folder, DEMO_PASSPHRASE, kdf=CHEAP_KDF, allow_weak_kdf=True, check_strength=False
    )
    with vault:
        populate(vault.journal, contacts=600, students=80, schools=3, years=1.0)
        j = vault.journal
        # Text a spreadsheet would run as a formula, lists with separators, odd spacing.
        school = j.schools()[0].id
        odd = j.add_student("=Dash;Semi\\colon", school, "7")
        plain = j.add_student("Quinn", school, None)
        cid = j.add_contact(
            ContactInput(
                dt.datetime(2026, 1, 5, 7, 45),
                school,
                "mediation",
                students=(ContactStudent(odd, "party", "7"), ContactStudent(plain, "participant")),
                notes='=HYPERLINK("x")\r\n- second line\n\'quoted',
                tags=("a;b", "+plus"),
                referrals=("counselor", "juvenile_court"),
            )
        )
        j.add_follow_up(dt.date(2026, 1, 9), "", [odd, plain], source_contact_id=cid)
    return folder


def test_export_everything_and_import_it_into_a_new_vault(cli, demo_vault, tmp_path) -> None:
    out = tmp_path / "journal.csv"
    r = cli("export", demo_vault, "--out", out, "--passphrase-stdin", stdin=STDIN)
    assert_no_traceback(r)
    assert r.code == 0, r.err
    assert "NOT encrypted" in r.err and "not checked" in r.err
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfdate,time,") and b"\r\n" in data
    import csv
    import io

    cells = [c for rec in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for c in rec]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]  # no formula
    fresh = tmp_path / "fresh"
    r = cli("init", fresh, "--passphrase-stdin", *CLI_KDF_ARGS, stdin=STDIN)
    assert r.code == 0, r.err
    r = cli("import", fresh, out, "--add-schools", "--passphrase-stdin", stdin=STDIN)
    assert r.code == 0, r.err
    with Vault.open(demo_vault, DEMO_PASSPHRASE) as a, Vault.open(fresh, DEMO_PASSPHRASE) as b:
        before, after = journal_records(a.journal), journal_records(b.journal)
        assert len(after[0]) == len(before[0]) > 600
        assert after == before
        [entry] = [e for e in a.journal.audit_entries() if e.action == "journal_exported"]
        assert json.loads(entry.detail) == {"scope": "all", "contacts": len(before[0])}


def test_one_students_records_name_no_other_student(cli, demo_vault, tmp_path) -> None:
    out = tmp_path / "records.csv"
    r = cli(
        "export", demo_vault, "--out", out, "--student", "quinn", "--passphrase-stdin", stdin=STDIN
    )
    assert r.code == 0, r.err
    assert "(1 contacts, 1 students, 1 follow-ups; not encrypted)" in r.out
    text = out.read_text(encoding="utf-8-sig")
    assert "Quinn" in text and "Other student 1" in text and "Dash" not in text
    with Vault.open(demo_vault, DEMO_PASSPHRASE) as v:
        scopes = [
            json.loads(e.detail)["scope"]
            for e in v.journal.audit_entries()
            if e.action == "journal_exported"
        ]
        assert "one_student" in scopes
    r = cli("export", demo_vault, "--out", out, "--student", "nobody at all", "--passphrase-stdin",
            stdin=STDIN)  # fmt: skip
    assert r.code == 5 and len(r.err.splitlines()) == 1 and "No student" in r.err
