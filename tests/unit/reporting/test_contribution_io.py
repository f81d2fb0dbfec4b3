"""Contribution files: canonical JSON that validates against its schema, strict reading, CSV."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest

from srojournal.reporting import contribution as c
from srojournal.reporting.contribution_io import (
    parse_contribution_json,
    render_contribution_csv,
    render_contribution_json,
)
from srojournal.reporting.errors import ReportRejected

from .conftest import busy_month

SCHEMA = Path(__file__).parents[3] / "resources" / "schema" / "contribution.schema.json"


def _negative_noise(part: str, scale: float, values: list[int]) -> list[int]:
    del part, scale
    return [v - 3 * (i % 2) for i, v in enumerate(values)]


@pytest.fixture(scope="module")
def contribution() -> c.Contribution:
    return c.make_contribution(busy_month().build(), Decimal("0.5"), noise=_negative_noise)


def test_json_is_canonical_and_reads_back(contribution: c.Contribution) -> None:
    content = render_contribution_json(contribution)
    back = parse_contribution_json(content)
    assert back == contribution
    assert render_contribution_json(back) == content
    doc = json.loads(content)
    assert list(doc) == [
        "format", "version", "period", "mechanism", "epsilon", "delta", "bound", "tables",
    ]  # fmt: skip
    assert (doc["format"], doc["version"], doc["epsilon"], doc["delta"]) == (
        "srojournal-contribution", 1, 0.5, 0,
    )  # fmt: skip
    assert doc["mechanism"]["measurement"] == "opendp.measurements.make_laplace"
    cells = [cell for t in doc["tables"] for cell in t["cells"]]
    assert all("status" not in cell and isinstance(cell["count"], int) for cell in cells)
    assert any(cell["count"] < 0 for cell in cells)


def test_json_validates_against_the_schema(contribution: c.Contribution) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    doc = json.loads(render_contribution_json(contribution))
    validator.validate(doc)
    doc["tables"][1]["cells"][0]["status"] = "ok"
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(doc)


def _rename_school(doc, new: str) -> None:  # type: ignore[no-untyped-def]
    old = doc["tables"][2]["cells"][0]["school"]
    for cell in doc["tables"][2]["cells"]:
        if cell["school"] == old:
            cell["school"] = new


def _mutate(content: bytes, edit) -> bytes:  # type: ignore[no-untyped-def]
    doc = json.loads(content)
    edit(doc)
    return json.dumps(doc).encode()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["tables"][4]["cells"].pop(), "every cell of the catalogue"),
        (lambda d: d["tables"][0]["cells"][0].update(status="ok"), "malformed cell"),
        (lambda d: d["tables"][0]["cells"][0].update(count=1.5), "integer"),
        (lambda d: d.update(epsilon=5), "epsilon out of range"),
        (lambda d: d.update(delta=1e-6), "delta"),
        (lambda d: d.update(period="2026-Q1"), "one month"),
        (lambda d: d["mechanism"]["parts"][0].update(scale=1.0), "too small"),
        (lambda d: d["bound"].update(student_contacts_per_student=9), "do not match"),
        (lambda d: d.update(format="srojournal-summary"), "not an SRO Journal contribution"),
        # A hostile file from elsewhere: a formula or a sentence where a school name goes.
        (lambda d: _rename_school(d, '=HYPERLINK("http://x","y")'), "shape of a school name"),
        (
            lambda d: _rename_school(d, "the student in room 12 told me about the fight at lunch"),
            "shape of a school",
        ),
    ],
)
def test_strict_reader_rejects(contribution: c.Contribution, edit, message: str) -> None:  # type: ignore[no-untyped-def]
    bad = _mutate(render_contribution_json(contribution), edit)
    with pytest.raises(ReportRejected, match=message):
        parse_contribution_json(bad)


def test_reader_rejects_garbage() -> None:
    for content in (b"", b"\xff\xfe", b"[1, 2]", b"{" * 100_000, b"x" * (5 * 1024 * 1024)):
        with pytest.raises(ReportRejected):
            parse_contribution_json(content)


def test_csv_says_what_the_numbers_are_and_cannot_carry_a_formula(
    contribution: c.Contribution,
) -> None:
    out = render_contribution_csv(contribution).decode()
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][0] == "format" and rows[0][-1] == "noisy_count"
    assert {r[0] for r in rows[1:]} == {"srojournal-contribution"}
    assert len(rows) - 1 == sum(len(t.cells) for t in contribution.tables)
    for row in rows:
        for field in row:
            if field[:1] == "-":
                assert field[1:].isdigit(), field  # a negative count, never a formula
            else:
                assert field[:1] not in ("=", "+", "@", "\t", "\r"), field
