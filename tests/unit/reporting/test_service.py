from __future__ import annotations

import io
import json

import pypdf
import pytest

from srojournal.reporting.errors import AuditFailed, ReportRejected
from srojournal.reporting.render_json import parse_summary_json
from srojournal.reporting.service import export_month, preview_month, preview_revision

from .conftest import FakeJournal, busy_month


def _late_entries(journal: FakeJournal) -> None:
    b = busy_month()
    for s in range(300, 315):
        b.contact("mentoring", [s], outcome_group="follow_up")
    journal.with_facts(b.build())


def test_first_export_freezes_release_one(journal: FakeJournal) -> None:
    journal.with_facts(busy_month().build())
    preview = preview_month(journal, "2026-03")
    assert journal.stored == []
    out = export_month(journal, "2026-03", "json")
    assert [r.number for r in journal.stored] == [1]
    assert journal.stored[0].content == out
    assert parse_summary_json(out) == preview


def test_re_export_after_a_late_entry_without_revise_is_identical(journal: FakeJournal) -> None:
    journal.with_facts(busy_month().build())
    first_json = export_month(journal, "2026-03", "json")
    first_csv = export_month(journal, "2026-03", "csv")
    _late_entries(journal)
    assert export_month(journal, "2026-03", "json") == first_json
    assert export_month(journal, "2026-03", "csv") == first_csv
    assert len(journal.stored) == 1
    assert preview_month(journal, "2026-03").release == 1


def test_re_export_with_revise_makes_release_two(journal: FakeJournal) -> None:
    journal.with_facts(busy_month().build())
    first = parse_summary_json(export_month(journal, "2026-03", "json"))
    _late_entries(journal)
    assert preview_revision(journal, "2026-03").release == 2
    out = export_month(journal, "2026-03", "json", revise=True)
    second = parse_summary_json(out)
    assert [r.number for r in journal.stored] == [1, 2]
    assert second.release == 2
    assert second.table("T0").cell("contacts").count == 97
    for t1, t2 in zip(first.tables, second.tables, strict=True):
        for c1, c2 in zip(t1.cells, t2.cells, strict=True):
            if c1.status == "S":
                assert c2.status == "S"
    # and exporting again now gives release 2, byte for byte
    assert export_month(journal, "2026-03", "json") == out


def test_pdf_export(journal: FakeJournal, qapp) -> None:
    journal.with_facts(busy_month().build())
    pdf = export_month(journal, "2026-03", "pdf")
    assert pdf.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "S = suppressed" in " ".join(text.split())
    assert export_month(journal, "2026-03", "pdf") == pdf


def test_leak_refuses_and_stores_nothing(journal: FakeJournal) -> None:
    # a school named like a student: the only way a name could reach a summary
    journal.schools = ("Lincoln High", "Washington Middle", "Jamie Rivera Academy")
    journal.with_facts(busy_month().build())
    with pytest.raises(ReportRejected) as err:
        export_month(journal, "2026-03", "json")
    assert "name" in str(err.value) and "Jamie" not in str(err.value)
    assert journal.stored == []


def test_note_phrase_leak(journal: FakeJournal) -> None:
    journal.notes.append('"measure": "contacts", "count": 82, "status": "ok"')
    journal.with_facts(busy_month().build())
    with pytest.raises(ReportRejected) as err:
        export_month(journal, "2026-03", "json")
    assert "six-word" in str(err.value)
    assert journal.stored == []


@pytest.mark.parametrize("period", ["2026-13", "2026-3", "March", "2026-03-01"])
def test_invalid_month(journal: FakeJournal, period: str) -> None:
    with pytest.raises(ReportRejected):
        export_month(journal, period, "json")


def test_threshold_setting(journal: FakeJournal) -> None:
    journal.with_facts(busy_month().build())
    journal.settings["report_threshold"] = "3"
    assert json.loads(export_month(journal, "2026-03", "json"))["threshold"] == 5
    journal.settings["report_threshold"] = "ten"
    with pytest.raises(ReportRejected):
        export_month(journal, "2026-04", "json")


def test_tampered_stored_release_is_refused(journal: FakeJournal) -> None:
    journal.with_facts(busy_month().build())
    export_month(journal, "2026-03", "json")
    r = journal.stored[0]
    journal.stored[0] = type(r)(
        r.period, r.number, r.content.replace(b'"S"', b'"ok"', 1), r.sha256, r.created_at
    )
    with pytest.raises(ReportRejected):
        export_month(journal, "2026-03", "json")


def test_audit_failure_is_reported_as_a_bug() -> None:
    assert issubclass(AuditFailed, ReportRejected)
    assert "bug" in str(AuditFailed())
