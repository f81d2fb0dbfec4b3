"""The export service on a real vault: releases, revisions, leak refusal, settings."""

from __future__ import annotations

import io
import json

import pypdf
import pytest

from srojournal.reporting.errors import AuditFailed, ReportRejected
from srojournal.reporting.render_json import parse_summary_json
from srojournal.reporting.service import export_month, preview_month, preview_revision
from srojournal.vault.store import Vault

from .conftest import busy_month
from .factories import FactsBuilder
from .vault_facts import FactsWriter


@pytest.fixture
def writer(vault: Vault) -> FactsWriter:
    w = FactsWriter(vault.journal)
    w.write(busy_month().build())
    return w


def _late_entries(writer: FactsWriter) -> None:
    late = FactsBuilder()
    for s in range(300, 315):
        late.contact("mentoring", [s], outcome_group="follow_up")
    writer.write(late.build())


def test_facts_read_back_as_written(writer: FactsWriter) -> None:
    facts = writer.journal.month_facts("2026-03")
    expected = busy_month().build()
    assert len(facts.contacts) == len(expected.contacts)
    assert sorted(f.status for f in facts.follow_ups) == sorted(
        f.status for f in expected.follow_ups
    )


def test_first_export_freezes_release_one(writer: FactsWriter) -> None:
    j = writer.journal
    preview = preview_month(j, "2026-03")
    assert j.releases("2026-03") == []
    out = export_month(j, "2026-03", "json")
    [stored] = j.releases("2026-03")
    assert stored.number == 1 and stored.content == out
    assert parse_summary_json(out) == preview
    assert j.audit_entries()[-1].action == "summary_released"


def test_re_export_after_a_late_entry_without_revise_is_identical(writer: FactsWriter) -> None:
    j = writer.journal
    first_json = export_month(j, "2026-03", "json")
    first_csv = export_month(j, "2026-03", "csv")
    _late_entries(writer)
    assert export_month(j, "2026-03", "json") == first_json
    assert export_month(j, "2026-03", "csv") == first_csv
    assert len(j.releases("2026-03")) == 1
    assert preview_month(j, "2026-03").release == 1


def test_re_export_with_revise_makes_release_two(writer: FactsWriter) -> None:
    j = writer.journal
    first = parse_summary_json(export_month(j, "2026-03", "json"))
    _late_entries(writer)
    assert preview_revision(j, "2026-03").release == 2
    out = export_month(j, "2026-03", "json", revise=True)
    second = parse_summary_json(out)
    assert [r.number for r in j.releases("2026-03")] == [1, 2]
    assert second.release == 2
    assert second.table("T0").cell("contacts").count == 97
    for t1, t2 in zip(first.tables, second.tables, strict=True):
        for c1, c2 in zip(t1.cells, t2.cells, strict=True):
            if c1.status == "S":
                assert c2.status == "S"
    # and exporting again now gives release 2, byte for byte
    assert export_month(j, "2026-03", "json") == out


def test_pdf_export(writer: FactsWriter, qapp) -> None:
    j = writer.journal
    pdf = export_month(j, "2026-03", "pdf")
    assert pdf.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "S = suppressed" in " ".join(text.split())
    assert export_month(j, "2026-03", "pdf") == pdf


def test_leak_refuses_and_stores_nothing(writer: FactsWriter) -> None:
    j = writer.journal
    # a school named like a student: the only way a name could reach a summary
    academy = j.add_school("Jamie Rivera Academy")
    j.add_student("Jamie Rivera", academy, "9")
    with pytest.raises(ReportRejected) as err:
        export_month(j, "2026-03", "json")
    assert "name" in str(err.value) and "Jamie" not in str(err.value)
    assert j.releases("2026-03") == []


def test_note_phrase_leak(writer: FactsWriter) -> None:
    j = writer.journal
    # a note (in another month) that happens to hold six words the export would print
    other = FactsBuilder("2026-01").contact("relationship", [900]).build()
    writer.write(other, notes='"measure": "contacts", "count": 82, "status": "ok"')
    with pytest.raises(ReportRejected) as err:
        export_month(j, "2026-03", "json")
    assert "six-word" in str(err.value)
    assert j.releases("2026-03") == []


@pytest.mark.parametrize("period", ["2026-13", "2026-3", "March", "2026-03-01"])
def test_invalid_month(writer: FactsWriter, period: str) -> None:
    with pytest.raises(ReportRejected):
        export_month(writer.journal, period, "json")


def test_threshold_setting(writer: FactsWriter) -> None:
    j = writer.journal
    j.set_setting("report_threshold", "3")
    assert json.loads(export_month(j, "2026-03", "json"))["threshold"] == 5
    j.set_setting("report_threshold", "ten")
    with pytest.raises(ReportRejected):
        export_month(j, "2026-04", "json")


def test_tampered_stored_release_is_refused(writer: FactsWriter, vault: Vault) -> None:
    j = writer.journal
    out = export_month(j, "2026-03", "json")
    # Someone edits the stored release inside the vault (test-only raw access).
    with vault.transaction() as conn:
        conn.execute("UPDATE releases SET content = ?", (out.replace(b'"S"', b'"ok"', 1),))
    with pytest.raises(ReportRejected):
        export_month(j, "2026-03", "json")


def test_audit_failure_is_reported_as_a_bug() -> None:
    assert issubclass(AuditFailed, ReportRejected)
    assert "bug" in str(AuditFailed())


def test_the_collector_thresholds_are_restored_after_an_export(writer: FactsWriter) -> None:
    """An export collects garbage less often while it runs, and gives the settings back
    afterwards, also when it is refused."""
    import gc

    j = writer.journal
    before = gc.get_threshold()
    seen: list[tuple[int, int, int]] = []
    real = j.month_facts

    def spy(period: str):  # type: ignore[no-untyped-def]
        seen.append(gc.get_threshold())
        return real(period)

    j.month_facts = spy  # type: ignore[method-assign]
    export_month(j, "2026-03", "json")
    assert gc.get_threshold() == before
    assert seen and seen[0][0] > before[0]
    academy = j.add_school("Jamie Rivera Academy")
    j.add_student("Jamie Rivera", academy, "9")
    with pytest.raises(ReportRejected):
        export_month(j, "2026-03", "json", revise=True)
    assert gc.get_threshold() == before
