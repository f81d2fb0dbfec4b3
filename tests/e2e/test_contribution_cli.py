"""Program contributions end to end: a real demo vault, the CLI as a subprocess."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest

from srojournal.demo import DEMO_PASSPHRASE
from srojournal.vault.budget import BudgetLedger
from srojournal.vault.store import Vault
from tests.conftest import CLI_KDF_ARGS, REPO_ROOT, assert_no_traceback

DEMO = DEMO_PASSPHRASE + "\n"


@pytest.fixture(scope="module")
def demo_vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import subprocess
    import sys

    folder = tmp_path_factory.mktemp("contribution") / "demo"
    subprocess.run(
        [sys.executable, "-m", "srojournal", "demo", str(folder), *CLI_KDF_ARGS],
        check=True,
        capture_output=True,
    )
    return folder


def _contribution(cli, vault: Path, month: str, out: Path, fmt: str = "json", *extra: str):  # type: ignore[no-untyped-def]
    return cli(
        "summary", vault, "--month", month, "--contribution", "--format", fmt, "--out", out,
        "--passphrase-stdin", *extra, stdin=DEMO,
    )  # fmt: skip


def _schema(name: str) -> dict[str, object]:
    return json.loads((REPO_ROOT / "resources" / "schema" / name).read_text(encoding="utf-8"))


def test_contribution_is_frozen_valid_and_rolls_up(cli, demo_vault: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = tmp_path / "oct.json"
    r = _contribution(cli, demo_vault, "2025-10", first)
    assert r.code == 0, r.err
    doc = json.loads(first.read_bytes())
    jsonschema.validate(doc, _schema("contribution.schema.json"))
    assert (doc["format"], doc["period"], doc["epsilon"], doc["delta"]) == (
        "srojournal-contribution", "2025-10", 1.0, 0,
    )  # fmt: skip
    again = tmp_path / "again.json"
    assert _contribution(cli, demo_vault, "2025-10", again).code == 0
    assert again.read_bytes() == first.read_bytes()
    as_csv = tmp_path / "oct.csv"
    assert _contribution(cli, demo_vault, "2025-10", as_csv, "csv").code == 0
    assert as_csv.read_text().splitlines()[0].endswith(",noisy_count")

    nov = tmp_path / "nov.json"
    assert _contribution(cli, demo_vault, "2025-11", nov).code == 0
    rollup = tmp_path / "rollup.json"
    r = cli("aggregate", first, nov, "--out", rollup)
    assert r.code == 0, r.err
    out = json.loads(rollup.read_bytes())
    jsonschema.validate(out, _schema("contribution-rollup.schema.json"))
    assert out["sources"] == 2 and out["periods"] == ["2025-10", "2025-11"]
    t0 = out["tables"][0]["cells"][0]
    assert (
        t0["estimate"]
        == doc["tables"][0]["cells"][0]["count"]
        + json.loads(nov.read_bytes())["tables"][0]["cells"][0]["count"]
    )
    assert t0["low"] <= max(t0["estimate"], 0) <= t0["high"]
    rollup_csv = tmp_path / "rollup.csv"
    assert cli("aggregate", first, nov, "--out", rollup_csv, "--format", "csv").code == 0
    assert rollup_csv.read_text().splitlines()[0].endswith(",estimate,low,high")
    rollup_pdf = tmp_path / "rollup.pdf"
    r = cli("aggregate", first, nov, "--out", rollup_pdf, "--format", "pdf")
    assert r.code == 0, r.err
    assert rollup_pdf.read_bytes().startswith(b"%PDF")

    again_rolled = cli("aggregate", rollup, "--out", tmp_path / "twice.json")
    assert again_rolled.code == 5 and "cannot be rolled up again" in again_rolled.err

    # Never mixed with suppressed summaries.
    summary = tmp_path / "summary.json"
    r = cli(
        "summary", demo_vault, "--month", "2025-10", "--format", "json", "--out", summary,
        "--passphrase-stdin", stdin=DEMO,
    )  # fmt: skip
    assert r.code == 0, r.err
    mixed = cli("aggregate", first, summary, "--out", tmp_path / "mixed.json")
    assert mixed.code == 5 and "cannot be aggregated together" in mixed.err
    assert not (tmp_path / "mixed.json").exists()
    assert_no_traceback(mixed)


def test_refusals_have_clear_messages(cli, demo_vault: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pdf = _contribution(cli, demo_vault, "2025-12", tmp_path / "c.pdf", "pdf")
    assert pdf.code == 5 and "no PDF form" in pdf.err
    revise = _contribution(cli, demo_vault, "2025-12", tmp_path / "c.json", "json", "--revise")
    assert revise.code == 2 and "never revised" in revise.err
    for r in (pdf, revise):
        assert_no_traceback(r)
        assert r.err.count("\n") == 1


def test_budget_exhausted_exits_5(cli, demo_vault: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with Vault.open(demo_vault, DEMO_PASSPHRASE) as v:
        ledger = BudgetLedger(v.journal)
        ledger.set_epsilon(Decimal("2.0"))
        ledger.set_yearly_cap(ledger.spent("2025-26") + Decimal("1"))
    out = tmp_path / "jan.json"
    r = _contribution(cli, demo_vault, "2026-01", out)
    assert r.code == 5
    assert "privacy budget of school year 2025-26 would be exceeded" in r.err
    assert not out.exists()
    assert_no_traceback(r)
