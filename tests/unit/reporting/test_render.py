from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import jsonschema
import pypdf
import pytest

from srojournal.reporting.errors import ReportRejected
from srojournal.reporting.leakcheck import LeakChecker
from srojournal.reporting.model import Summary
from srojournal.reporting.render_csv import render_summary_csv
from srojournal.reporting.render_json import parse_summary_json, render_summary_json
from srojournal.reporting.render_pdf import render_summary_pdf
from srojournal.reporting.report_text import FIXED_TEXT
from srojournal.reporting.suppression import suppress_facts

from .conftest import busy_month

SCHEMA = Path(__file__).parents[3] / "resources" / "schema" / "summary.schema.json"


@pytest.fixture(scope="module")
def summary() -> Summary:
    return suppress_facts(busy_month().build(), 10)


def test_json_is_canonical_and_reads_back(summary: Summary) -> None:
    content = render_summary_json(summary)
    assert content.endswith(b"\n") and b"\r" not in content
    back = parse_summary_json(content)
    assert render_summary_json(back) == content
    data = json.loads(content)
    assert list(data) == ["format", "version", "period", "threshold", "release", "tables"]
    assert data["format"] == "srojournal-summary" and data["version"] == 1
    assert [t["id"] for t in data["tables"]] == ["T0", "T1", "T2", "T3", "T4", "T5", "T6"]
    for t in data["tables"]:
        for c in t["cells"]:
            assert (c["status"] == "S") == (c["count"] is None)


def test_json_validates_against_the_schema(summary: Summary) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    data = json.loads(render_summary_json(summary))
    validator.validate(data)
    data["tables"][0]["cells"][0]["count"] = -1
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(data)


def test_no_hidden_value_anywhere(summary: Summary) -> None:
    content = render_summary_json(summary).decode()
    for line in content.splitlines():
        if '"status": "S"' in line:
            assert '"count": null' in line
    assert "<10" not in content and "primary" not in content


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(version=2),
        lambda d: d.update(threshold=True),
        lambda d: d["tables"][1]["cells"][0].update(count=1.5, status="ok"),
        lambda d: d["tables"][1]["cells"][0].update(count=3, status="S"),
        lambda d: d["tables"][1]["cells"].reverse(),
        lambda d: d.update(extra=1),
        lambda d: d["tables"].pop(),
        # Each cell: its keys exactly, its coordinates in catalogue order, its count and status.
        lambda d: d["tables"][1]["cells"][0].update(extra=1),
        lambda d: d["tables"][1]["cells"][0].pop("status"),
        lambda d: d["tables"][1]["cells"].__setitem__(0, [1, 2]),
        lambda d: d["tables"][0]["cells"][0].update(measure="students"),
        lambda d: d["tables"][1]["cells"][0].update(category="elsewhere"),
        lambda d: d["tables"][1]["cells"][0].update(outcome_group=["resolved"]),
        lambda d: d["tables"][1]["cells"][0].update(count=-1, status="ok"),
        lambda d: d["tables"][1]["cells"][0].update(count=True, status="ok"),
        lambda d: d["tables"][1]["cells"][0].update(count=10**13, status="ok"),
        lambda d: d["tables"][1]["cells"][0].update(count=None, status="ok"),
        lambda d: d["tables"][1]["cells"][0].update(status="lower_bound"),
        lambda d: d["tables"][1]["cells"][0].update(status="x"),
    ],
)
def test_reader_is_strict(summary: Summary, mutate) -> None:
    data = json.loads(render_summary_json(summary))
    mutate(data)
    with pytest.raises(ReportRejected):
        parse_summary_json(json.dumps(data).encode())


def test_csv_has_the_same_content(summary: Summary) -> None:
    content = render_summary_csv(summary)
    assert content == render_summary_csv(summary)
    rows = list(csv.DictReader(io.StringIO(content.decode())))
    cells = [(t, c) for t in summary.tables for c in t.cells]
    assert len(rows) == len(cells)
    for row, (t, c) in zip(rows, cells, strict=True):
        assert row["table"] == t.id and row["unit"] == t.unit
        assert [row[d] for d in t.dimensions] == list(c.coords)
        assert row["status"] == c.status
        assert row["count"] == ("" if c.count is None else str(c.count))


def test_pdf_text_metadata_and_determinism(summary: Summary, qapp) -> None:
    checked: list[str] = []
    pdf = render_summary_pdf(summary, checked.append)
    assert pdf == render_summary_pdf(summary)
    assert checked and "S = suppressed" in checked[0]
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert 1 <= len(reader.pages) <= 2
    meta = reader.metadata or {}
    for field in ("/Author", "/Title", "/Creator", "/Subject"):
        assert not meta.get(field)
    assert not re.search(rb"D:\d{8}", pdf)
    text = " ".join(p.extract_text() for p in reader.pages)
    text = re.sub(r"\s+", " ", text)
    contacts = summary.table("T0").cell("contacts")
    students = summary.table("T0").cell("students")
    assert str(contacts.count) in text and str(students.count) in text
    assert "S = suppressed" in text
    assert f"fewer than {summary.threshold} different students" in text
    LeakChecker(extra_vocabulary=FIXED_TEXT).check_pdf_bytes(pdf)


def test_pdf_text_is_drawn_at_its_size_on_the_page(summary: Summary, qapp) -> None:
    """Point sizes are points on the page: readable, and nothing runs off the A4 sheet."""
    reader = pypdf.PdfReader(io.BytesIO(render_summary_pdf(summary)))
    drawn: list[tuple[float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: object, size: float) -> None:
        if text.strip():
            drawn.append((size * abs(tm[3]) * abs(cm[3]), tm[4] * cm[0] + cm[4]))

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
        width = float(page.mediabox.width)
        assert all(0 <= x < width for _, x in drawn)
    sizes = [s for s, _ in drawn]
    assert sizes and min(sizes) >= 4 and max(sizes) <= 20


def test_many_renders_do_not_crash_the_interpreter() -> None:
    """Repeated renders in one process exit cleanly (a Qt binding once leaked None per call)."""
    import subprocess
    import sys

    code = (
        "from tests.unit.reporting.conftest import busy_month\n"
        "from srojournal.reporting.tables import build_tables\n"
        "from srojournal.reporting.suppression import suppress_facts\n"
        "from srojournal.reporting.render_pdf import render_summary_pdf\n"
        "s = suppress_facts(busy_month().build(), 10)\n"
        "for _ in range(12):\n"
        "    render_summary_pdf(s)\n"
    )
    env = {**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).parents[3],
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()[-500:]
