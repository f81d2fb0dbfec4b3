"""Release a summary: the reporting engine freezes, audits and leak-checks it; then the file."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from srojournal.ops.changes import Change, Done
from srojournal.reporting.service import export_summary
from srojournal.vault.fsutil import atomic_write
from srojournal.vault.repo import Journal

Format = Literal["json", "csv", "pdf"]


def release_summary(
    journal: Journal, period: str, fmt: Format, out: Path, *, revise: bool = False
) -> Done[int]:
    """Export ``period`` (a month, quarter or school year) into ``out``; bytes written.

    The file is readable by others: it holds counts only.

    The file is written only after the engine returned checked bytes.
    """
    data = export_summary(journal, period, fmt, revise=revise)
    atomic_write(out, data, mode=0o644)
    return Done(len(data), Change.RELEASES)
