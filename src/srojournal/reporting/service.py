"""The face of the reporting layer that the command line and the GUI call.

* :func:`preview_month` — what an export would publish now, nothing stored.
* :func:`export_month` — freeze (or re-read, or revise) a release and render it.
* :func:`aggregate_files` — roll up released summary files.

Every path ends in the same gate before bytes are returned: the canonical JSON is audited from its
own bytes jointly with every earlier release of the month (:func:`audit.audit_release`), then the
leak check runs on the bytes of the output. Nothing is stored in the vault unless both pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal, Protocol

from srojournal.domain.facts import MonthFacts
from srojournal.domain.settings import REPORT_THRESHOLD

from .aggregate import aggregate_contents
from .audit import audit_release
from .errors import ReportRejected
from .leakcheck import LeakChecker
from .model import Aggregate, Summary
from .render_csv import render_aggregate_csv, render_summary_csv
from .render_json import (
    MAX_BYTES,
    parse_summary_json,
    render_aggregate_json,
    render_summary_json,
)
from .report_text import FIXED_TEXT
from .suppression import suppress
from .tables import PERIOD_RE, build_tables

Format = Literal["json", "csv", "pdf"]
FORMATS: tuple[str, ...] = ("json", "csv", "pdf")
THRESHOLD_SETTING = REPORT_THRESHOLD.key


class StoredReleaseLike(Protocol):
    @property
    def period(self) -> str: ...
    @property
    def number(self) -> int: ...
    @property
    def content(self) -> bytes: ...


class JournalLike(Protocol):
    """The part of the vault's ``Journal`` that reporting uses."""

    def month_facts(self, period: str) -> MonthFacts: ...
    def releases(self, period: str) -> Sequence[StoredReleaseLike]: ...
    def add_release(self, period: str, number: int, content: bytes) -> None: ...
    def student_names(self) -> list[str]: ...
    def notes_contain_phrase(self, words: Sequence[str]) -> bool: ...
    def school_names(self) -> list[str]: ...
    def get_setting(self, key: str, default: str | None = None) -> str | None: ...


def report_threshold(journal: JournalLike) -> int:
    """k from the settings (default 10); a value below 5 is raised to 5."""
    try:
        return REPORT_THRESHOLD.read_strict(journal)
    except ValueError:
        raise ReportRejected("the report threshold setting is not a whole number") from None


def _check_period(period: str) -> None:
    if not PERIOD_RE.match(period):
        raise ReportRejected("invalid month: expected YYYY-MM")


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ReportRejected("unknown format: expected json, csv or pdf")


def _earlier(journal: JournalLike, period: str) -> tuple[list[bytes], list[Summary]]:
    releases = sorted(journal.releases(period), key=lambda r: r.number)
    contents = [r.content for r in releases]
    summaries: list[Summary] = []
    for r in releases:
        try:
            s = parse_summary_json(r.content)
        except ReportRejected:
            raise ReportRejected("a stored release of this month cannot be read back") from None
        if s.period != period or s.release != r.number or render_summary_json(s) != r.content:
            raise ReportRejected("a stored release of this month is not in canonical form")
        summaries.append(s)
    if [s.release for s in summaries] != list(range(1, len(summaries) + 1)):
        raise ReportRejected("the stored releases of this month are not numbered 1, 2, …")
    return contents, summaries


def _checker(journal: JournalLike, schools: Sequence[str]) -> LeakChecker:
    return LeakChecker(
        names=journal.student_names(),
        phrase_in_notes=journal.notes_contain_phrase,
        schools=[*schools, *journal.school_names()],
        extra_vocabulary=FIXED_TEXT,
    )


def _render(summary: Summary, content: bytes, fmt: str, checker: LeakChecker) -> bytes:
    checker.check_text_bytes(content)
    if fmt == "json":
        return content
    if fmt == "csv":
        out = render_summary_csv(summary)
        checker.check_text_bytes(out)
        return out
    from .render_pdf import render_summary_pdf  # Qt is loaded only for PDFs

    pdf = render_summary_pdf(summary, checker.check_text)
    checker.check_pdf_bytes(pdf)
    return pdf


def _build(journal: JournalLike, period: str, earlier: Sequence[Summary]) -> Summary:
    facts = journal.month_facts(period)
    if facts.period != period:
        raise ReportRejected("invalid month data: facts of another month")
    return suppress(build_tables(facts), report_threshold(journal), len(earlier) + 1, earlier)


def preview_month(journal: JournalLike, period: str) -> Summary:
    """What the next export of this month would publish. Stores nothing.

    If the month is already released, this is the latest stored release (``notes`` says so);
    otherwise the release that a first export would freeze.
    """
    _check_period(period)
    _contents, earlier = _earlier(journal, period)
    if earlier:
        latest = earlier[-1]
        return Summary(
            latest.period,
            latest.threshold,
            latest.release,
            latest.tables,
            (
                f"This month was released (release {latest.release}); exporting it again gives "
                "exactly this content. Late entries appear only in a revision.",
            ),
        )
    summary = _build(journal, period, [])
    audit_release(render_summary_json(summary), [])
    return summary


def preview_revision(journal: JournalLike, period: str) -> Summary:
    """What ``export_month(..., revise=True)`` would publish now. Stores nothing."""
    _check_period(period)
    contents, earlier = _earlier(journal, period)
    summary = _build(journal, period, earlier)
    audit_release(render_summary_json(summary), contents)
    return summary


def export_month(journal: JournalLike, period: str, fmt: Format, *, revise: bool = False) -> bytes:
    """Export one month as json, csv or pdf.

    The first export freezes release 1 (stores its canonical JSON). Later exports re-render the
    latest stored release (byte-identical JSON and CSV), even after late entries. ``revise=True``
    creates release n+1 from the current data, audited jointly with every earlier release.
    Raises ReportRejected (invalid month, leak found) or AuditFailed (a bug).
    """
    _check_period(period)
    _check_format(fmt)
    contents, earlier = _earlier(journal, period)
    if earlier and not revise:
        # Frozen: re-render the stored release (audited when it was made; _earlier checked that
        # it reads back and is canonical), never the current data.
        latest = earlier[-1]
        checker = _checker(journal, latest.schools)
        return _render(latest, contents[-1], fmt, checker)
    summary = _build(journal, period, earlier)
    content = render_summary_json(summary)
    audit_release(content, contents)
    published = parse_summary_json(content)
    checker = _checker(journal, published.schools)
    out = _render(published, content, fmt, checker)
    journal.add_release(period, published.release, content)
    return out


def render_aggregate(agg: Aggregate, fmt: Format) -> bytes:
    _check_format(fmt)
    checker = LeakChecker(
        schools=[s for t in agg.tables if t.id == "T2" for c in t.cells for s in c.coords[:1]],
        extra_vocabulary=FIXED_TEXT,
    )
    if fmt == "json":
        out = render_aggregate_json(agg)
    elif fmt == "csv":
        out = render_aggregate_csv(agg)
    else:
        from .render_pdf import render_aggregate_pdf  # Qt is loaded only for PDFs

        out = render_aggregate_pdf(agg, checker.check_text)
        checker.check_pdf_bytes(out)
        return out
    checker.check_text_bytes(out)
    return out


def aggregate_files(paths: Sequence[Path], fmt: Format) -> bytes:
    """Roll up released summary JSON files into one json, csv or pdf. Bad input: ReportRejected."""
    _check_format(fmt)
    contents: list[bytes] = []
    for path in paths:
        try:
            if path.stat().st_size > MAX_BYTES:
                raise ReportRejected(f"{path.name}: file too large for a summary")
            contents.append(path.read_bytes())
        except OSError as exc:
            reason = exc.strerror or "cannot be read"
            raise ReportRejected(f"{path.name}: {reason}") from None
    return render_aggregate(aggregate_contents(contents), fmt)
