"""Summaries end to end: a real demo vault, the CLI as a subprocess (see docs/summary-format.md)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import CLI_KDF_ARGS, REPO_ROOT, assert_no_traceback

DEMO = "demo passphrase for testing only\n"
MONTH = "2025-10"
SCHOOL = "Westwood Elementary"


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

    # Late entries for three students: without --revise the release stays as it was; a revision
    # would single them out, so it is refused (exit 5, one line, nothing written).
    def late_entries(name: str, first_day: int, n: int) -> None:
        late = tmp_path / f"{name}.csv"
        rows = "".join(
            f"{MONTH}-{first_day + i % 5},10:00,{SCHOOL},mentoring,{name}{i},9,resolved,"
            f"late entry {i}\n"
            for i in range(n)
        )
        late.write_text("date,time,school,type,students,grades,outcome,notes\n" + rows)
        r = cli("import", demo_vault, late, "--passphrase-stdin", stdin=DEMO)
        assert r.code == 0, r.err

    late_entries("Late", 21, 3)
    frozen = tmp_path / "frozen.json"
    assert _summary(cli, demo_vault, frozen).code == 0
    assert frozen.read_bytes() == first.read_bytes()
    refused = tmp_path / "refused.json"
    r = _summary(cli, demo_vault, refused, "json", "--revise")
    assert r.code == 5
    assert "3 students" in r.err and "2025-Q4" in r.err and "2025-26" in r.err
    assert len(r.err.strip().splitlines()) == 1
    assert not refused.exists()
    assert_no_traceback(r)
    # With late entries for enough students: release 2, audited jointly with release 1.
    late_entries("Later", 22, 12)
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
    assert cli("import", vault, src, "--add-schools", "--passphrase-stdin", stdin=DEMO).code == 0
    out = tmp_path / "s.json"
    r = cli(
        "summary", vault, "--month", "2026-03", "--format", "json", "--out", out,
        "--passphrase-stdin", stdin=DEMO,
    )  # fmt: skip
    assert r.code == 5
    assert "name" in r.err and "Lincoln" not in r.err
    assert not out.exists()
    assert_no_traceback(r)


def test_quarter_and_school_year_releases(cli, demo_vault: Path, tmp_path: Path) -> None:
    """A quarter is computed from the journal, frozen like a month and valid JSON."""
    schema = json.loads((REPO_ROOT / "resources/schema/summary.schema.json").read_text())
    out = tmp_path / "q.json"
    r = cli(
        "summary", demo_vault, "--quarter", "2025-Q3", "--format", "json", "--out", out,
        "--passphrase-stdin", stdin=DEMO,
    )  # fmt: skip
    assert r.code == 0, r.err
    doc = json.loads(out.read_bytes())
    jsonschema.validate(doc, schema)
    assert doc["period"] == "2025-Q3" and doc["release"] == 1
    again = tmp_path / "q2.json"
    r = cli(
        "summary", demo_vault, "--quarter", "2025-Q3", "--format", "json", "--out", again,
        "--passphrase-stdin", stdin=DEMO,
    )  # fmt: skip
    assert r.code == 0 and again.read_bytes() == out.read_bytes()


@pytest.mark.parametrize(
    "args",
    [
        ("--month", "2025-10", "--quarter", "2025-Q4"),
        (),
        ("--quarter", "2025-Q5"),
        ("--school-year", "2025-27"),
    ],
)
def test_period_usage_errors(cli, demo_vault: Path, tmp_path: Path, args) -> None:
    out = tmp_path / "x.json"
    r = cli(
        "summary", demo_vault, *args, "--format", "json", "--out", out,
        "--passphrase-stdin", stdin=DEMO,
    )  # fmt: skip
    assert r.code in (2, 5), r.err
    if not args or ("--quarter" in args and "--month" in args):
        assert r.code == 2
    assert not out.exists()
    assert_no_traceback(r)


def test_the_same_release_whatever_the_hash_seed(tmp_path: Path) -> None:
    """The suppression's integer programs are built in a fixed order: a month and then its
    quarter come out byte for byte the same under two hash seeds (set iteration order)."""
    import os
    import shutil
    import subprocess
    import sys

    base = tmp_path / "base"
    subprocess.run(
        [sys.executable, "-m", "srojournal", "demo", str(base), *CLI_KDF_ARGS],
        check=True,
        capture_output=True,
    )
    outputs: list[list[bytes]] = []
    for seed in ("0", "4242"):
        vault = tmp_path / f"v{seed}"
        shutil.copytree(base, vault)
        env = dict(os.environ, PYTHONHASHSEED=seed, QT_QPA_PLATFORM="offscreen")
        got = []
        for flag, period in (("--month", "2025-11"), ("--quarter", "2025-Q4")):
            out = tmp_path / f"{period}-{seed}.json"
            proc = subprocess.run(
                [sys.executable, "-m", "srojournal", "summary", str(vault), flag, period,
                 "--format", "json", "--out", str(out), "--passphrase-stdin"],
                input=DEMO, capture_output=True, text=True, env=env, check=False, timeout=120,
            )  # fmt: skip
            assert proc.returncode == 0, proc.stderr
            got.append(out.read_bytes())
        outputs.append(got)
    assert outputs[0] == outputs[1]
