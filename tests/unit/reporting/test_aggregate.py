from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pypdf
import pytest

from srojournal.reporting.errors import ReportRejected
from srojournal.reporting.render_json import render_summary_json
from srojournal.reporting.service import aggregate_files
from srojournal.reporting.suppression import suppress_facts
from tests.conftest import REPO_ROOT

from .conftest import busy_month


def _write(tmp_path: Path, name: str, content: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(content)
    return p


@pytest.fixture
def two_months(tmp_path: Path) -> list[Path]:
    a = suppress_facts(busy_month("2026-03").build(), 10)
    b = suppress_facts(busy_month("2026-04").build(), 12)
    return [
        _write(tmp_path, "a.json", render_summary_json(a)),
        _write(tmp_path, "b.json", render_summary_json(b)),
    ]


def test_sums_and_lower_bounds(two_months: list[Path]) -> None:
    out = json.loads(aggregate_files(two_months, "json"))
    schema = json.loads((REPO_ROOT / "resources/schema/aggregate.schema.json").read_text())
    jsonschema.validate(out, schema)
    assert out["format"] == "srojournal-aggregate"
    assert out["periods"] == ["2026-03", "2026-04"]
    assert out["threshold"] == 12 and out["input_thresholds"] == [10, 12]
    inputs = [json.loads(p.read_bytes()) for p in two_months]
    for ti, table in enumerate(out["tables"]):
        for ci, cell in enumerate(table["cells"]):
            parts = [x["tables"][ti]["cells"][ci] for x in inputs]
            known = sum(p["count"] or 0 for p in parts)
            assert cell["count"] == known
            hidden = any(p["status"] == "S" for p in parts)
            assert cell["status"] == ("lower_bound" if hidden else "ok")


def test_csv_and_pdf(two_months: list[Path], qapp) -> None:
    csv = aggregate_files(two_months, "csv").decode()
    assert csv.splitlines()[0].startswith("periods,sources,threshold,table")
    assert "lower_bound" in csv
    pdf = aggregate_files(two_months, "pdf")
    assert pdf.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "a student reached in two months, or by two officers, is counted in each" in " ".join(
        text.split()
    )


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not json",
        b"[" * 100000 + b"]" * 100000,
        b'{"format": "srojournal-summary", "version": 2}',
        b"\xff\xfe",
        b'{"a": 1}',
    ],
)
def test_hostile_input_gives_a_clear_error(tmp_path: Path, content: bytes) -> None:
    p = _write(tmp_path, "bad.json", content)
    with pytest.raises(ReportRejected) as err:
        aggregate_files([p], "json")
    assert "Traceback" not in str(err.value)


def test_negative_or_fractional_counts(two_months: list[Path], tmp_path: Path) -> None:
    data = json.loads(two_months[0].read_bytes())
    for bad in (-1, 1.5, True, "3"):
        data["tables"][0]["cells"][0].update(count=bad, status="ok")
        p = _write(tmp_path, "bad.json", json.dumps(data).encode())
        with pytest.raises(ReportRejected):
            aggregate_files([p], "json")


def test_missing_file_same_file_twice_and_too_large(two_months: list[Path], tmp_path) -> None:
    with pytest.raises(ReportRejected):
        aggregate_files([tmp_path / "missing.json"], "json")
    with pytest.raises(ReportRejected):
        aggregate_files([two_months[0], two_months[0]], "json")
    big = _write(tmp_path, "big.json", b" " * (5 * 1024 * 1024))
    with pytest.raises(ReportRejected):
        aggregate_files([big], "json")
    with pytest.raises(ReportRejected):
        aggregate_files([], "json")


def test_periods_of_different_kinds_are_not_mixed() -> None:
    from dataclasses import replace as _replace

    from srojournal.reporting.aggregate import aggregate_summaries
    from srojournal.reporting.errors import ReportRejected

    month = suppress_facts(busy_month("2026-03").build(), 10)
    quarter = _replace(month, period="2026-Q1")
    with pytest.raises(ReportRejected) as err:
        aggregate_summaries([month, quarter])
    assert "twice" in str(err.value)
    two_quarters = aggregate_summaries([quarter, _replace(month, period="2026-Q2")])
    assert two_quarters.periods == ("2026-Q1", "2026-Q2")


@pytest.mark.parametrize(
    "label", ["=HYPERLINK(1)", "Sam lives with his aunt since the fire last spring"]
)
def test_an_input_with_a_label_that_is_not_a_school_name_is_refused(
    two_months: list[Path], tmp_path: Path, label: str
) -> None:
    """A hostile file must not carry a formula or a sentence into the coordinator's roll-up."""
    text = two_months[0].read_text(encoding="utf-8")
    school = json.loads(text)["tables"][2]["cells"][0]["school"]
    hostile = _write(tmp_path, "hostile.json", text.replace(school, label).encode())
    with pytest.raises(ReportRejected, match="not a school name"):
        aggregate_files([hostile, two_months[1]], "csv")


def test_a_roll_up_adds_the_inputs_own_cells(two_months: list[Path]) -> None:
    """Every roll-up cell is the sum of that cell over the inputs (lower bound when hidden)."""
    ins = [json.loads(p.read_text(encoding="utf-8")) for p in two_months]
    out = json.loads(aggregate_files(two_months, "json"))
    for t_out, *t_ins in zip(out["tables"], *(x["tables"] for x in ins), strict=True):
        for c_out, *c_ins in zip(t_out["cells"], *(t["cells"] for t in t_ins), strict=True):
            assert c_out["count"] == sum(c["count"] or 0 for c in c_ins)
            hidden = any(c["status"] == "S" for c in c_ins)
            assert c_out["status"] == ("lower_bound" if hidden else "ok")
