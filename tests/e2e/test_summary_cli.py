"""Summaries end to end: a real demo vault, the CLI as a subprocess (see docs/summary-format.md)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import CLI_KDF_ARGS, REPO_ROOT, assert_no_traceback

DEMO = "demo passphrase for testing only\n"
MONTH = "2025-10"


@pytest.fixture(scope="module")
def demo_vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import subprocess
    import sys

    folder = tmp_path_factory.mktemp("summary") / "demo"
    subprocess.run(
        [sys.executable, "-m", "srojournal", "demo", str(folder), *CLI_KDF_ARGS],
        check=True,
        capture_output=True,
    )
    return folder


def _summary(cli, vault: Path, out: Path, fmt: str = "json", *extra: str):
    return cli(
        "summary", vault, "--month", MONTH, "--format", fmt, "--out", out,
        "--passphrase-stdin", *extra, stdin=DEMO,
    )  # fmt: skip


def test_export_is_frozen_revised_and_valid(cli, demo_vault: Path, tmp_path: Path) -> None:
    schema = json.loads((REPO_ROOT / "resources/schema/summary.schema.json").read_text())
    first = tmp_path / "first.json"
    r = _summary(cli, demo_vault, first)
    assert r.code == 0, r.err
    doc = json.loads(first.read_bytes())
    jsonschema.validate(doc, schema)
    assert (doc["format"], doc["version"], doc["period"], doc["release"]) == (
        "srojournal-summary", 1, MONTH, 1,
    )  # fmt: skip
    assert {t["id"] for t in doc["tables"]} == {f"T{i}" for i in range(7)}
    for table in doc["tables"]:
        for cell in table["cells"]:
            assert (cell["count"] is None) == (cell["status"] == "S")
    # The same bytes again, in JSON and in CSV.
    again = tmp_path / "again.json"
    assert _summary(cli, demo_vault, again).code == 0
    assert again.read_bytes() == first.read_bytes()
    csv1, csv2 = tmp_path / "a.csv", tmp_path / "b.csv"
    assert _summary(cli, demo_vault, csv1, "csv").code == 0
    assert _summary(cli, demo_vault, csv2, "csv").code == 0
    assert csv1.read_bytes() == csv2.read_bytes()
    pdf = tmp_path / "s.pdf"
    assert _summary(cli, demo_vault, pdf, "pdf").code == 0
    assert pdf.read_bytes().startswith(b"%PDF")

    # A late entry for the released month: without --revise the release stays as it was.
    late = tmp_path / "late.csv"
    rows = "".join(
        f"{MONTH}-2{i},10:00,Late School,mentoring,Late{i},9,resolved,late entry {i}\n"
        for i in range(3)
    )
    late.write_text("date,time,school,type,students,grades,outcome,notes\n" + rows)
    r = cli("import", demo_vault, late, "--passphrase-stdin", stdin=DEMO)
    assert r.code == 0, r.err
    frozen = tmp_path / "frozen.json"
    assert _summary(cli, demo_vault, frozen).code == 0
    assert frozen.read_bytes() == first.read_bytes()
    # With --revise: release 2, audited jointly with release 1; hidden cells stay hidden.
    revised = tmp_path / "revised.json"
    r = _summary(cli, demo_vault, revised, "json", "--revise")
    assert r.code == 0, r.err
    doc2 = json.loads(revised.read_bytes())
    jsonschema.validate(doc2, schema)
    assert doc2["release"] == 2
    hidden1 = {
        (t["id"], json.dumps({k: v for k, v in c.items() if k not in ("count", "status")}))
        for t in doc["tables"]
        for c in t["cells"]
        if c["status"] == "S"
    }
    hidden2 = {
        (t["id"], json.dumps({k: v for k, v in c.items() if k not in ("count", "status")}))
        for t in doc2["tables"]
        for c in t["cells"]
        if c["status"] == "S"
    }
    assert hidden1 <= hidden2
    # A roll-up of a released file: sums of published cells; hidden inputs give lower bounds.
    out = tmp_path / "rollup.json"
    r = cli("aggregate", first, "--out", out)
    assert r.code == 0, r.err
    rolled = json.loads(out.read_bytes())
    statuses = {c["status"] for t in rolled["tables"] for c in t["cells"]}
    assert statuses <= {"ok", "lower_bound"} and "lower_bound" in statuses


def test_leak_refuses_with_the_kind_not_the_value(cli, tmp_path: Path) -> None:
    vault = tmp_path / "v"
    r = cli("init", vault, "--passphrase-stdin", *CLI_KDF_ARGS, stdin=DEMO)
    assert r.code == 0, r.err
    rows = "".join(
        f"2026-03-{10 + i},09:00,Lincoln High,mentoring,{alias},10,resolved,note {i}\n"
        for i, alias in enumerate(["Lincoln"] + [f"S{i:02d}" for i in range(14)])
    )
    src = tmp_path / "in.csv"
    src.write_text("date,time,school,type,students,grades,outcome,notes\n" + rows)
    assert cli("import", vault, src, "--passphrase-stdin", stdin=DEMO).code == 0
    out = tmp_path / "s.json"
    r = cli(
        "summary", vault, "--month", "2026-03", "--format", "json", "--out", out,
        "--passphrase-stdin", stdin=DEMO,
    )  # fmt: skip
    assert r.code == 5
    assert "name" in r.err and "Lincoln" not in r.err
    assert not out.exists()
    assert_no_traceback(r)
