"""Golden files: the demo vault's summary of one month in all three formats.

The PDF is compared as the text pypdf extracts from it. After a deliberate change of the format or
of the demo data, regenerate with ``SROJOURNAL_UPDATE_GOLDEN=1`` and review the diff.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest

from srojournal.demo import populate
from srojournal.reporting.service import export_month
from srojournal.vault.keys import KdfParams
from srojournal.vault.repo import Journal
from srojournal.vault.store import Vault

GOLDEN = Path(__file__).parents[2] / "golden"
PERIOD = "2025-10"
UPDATE = os.environ.get("SROJOURNAL_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def demo_journal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Journal]:
    vault, _ = Vault.create(
        tmp_path_factory.mktemp("golden") / "v",
        "correct horse battery staple 9",
        kdf=KdfParams(8192, 1, 1),
        allow_weak_kdf=True,
    )
    try:
        populate(vault.journal)
        yield vault.journal
    finally:
        vault.close()


def pdf_text(pdf: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    lines = []
    for page in pages:
        for line in page.extract_text().splitlines():
            lines.append(re.sub(r"\s+", " ", line).strip())
    return "\n".join(lines) + "\n"


def _compare(name: str, actual: bytes) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_bytes(actual)
    assert path.exists(), f"missing golden file {name}; regenerate with SROJOURNAL_UPDATE_GOLDEN=1"
    assert actual == path.read_bytes(), f"{name} differs from the golden file"


def test_demo_month_golden_files(demo_journal: Journal, qapp) -> None:
    first = export_month(demo_journal, PERIOD, "json")
    _compare(f"summary-{PERIOD}.json", first)
    _compare(f"summary-{PERIOD}.csv", export_month(demo_journal, PERIOD, "csv"))
    pdf = export_month(demo_journal, PERIOD, "pdf")
    _compare(f"summary-{PERIOD}.pdf.txt", pdf_text(pdf).encode("utf-8"))
    # the release is frozen in the real vault and re-exports are byte-identical
    assert [r.number for r in demo_journal.releases(PERIOD)] == [1]
    assert export_month(demo_journal, PERIOD, "json") == first
    assert export_month(demo_journal, PERIOD, "pdf") == pdf
