"""The face of contributions that the command line and the GUI call.

* :func:`contribution_status` — what exporting a month would do (frozen already? budget?).
* :func:`export_contribution` — freeze (or re-read) a month's contribution and render it.
* :func:`aggregate_contribution_files` — roll up contribution files (never mixed with summaries).

Like summaries, every byte goes through the leak check before it is returned, and nothing is
stored (no budget spent) unless the check passes. A stored contribution is re-rendered from its
stored canonical JSON: exporting again gives the same bytes and spends nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from srojournal.domain.facts import MonthFacts
from srojournal.domain.periods import is_month, parse_period, school_year_of
from srojournal.domain.schools import SchoolNameRefused, clean_school_name

from .contribution import Contribution, Noise, make_contribution, noise_parts, opendp_noise
from .contribution_aggregate import aggregate_contribution_contents
from .contribution_io import (
    FORMAT,
    MAX_BYTES,
    ROLLUP_FORMAT,
    VOCABULARY,
    file_format,
    parse_contribution_json,
    render_contribution_csv,
    render_contribution_json,
    render_rollup_csv,
    render_rollup_json,
)
from .errors import ReportRejected
from .leakcheck import LeakChecker
from .report_text import FIXED_TEXT

FORMATS: tuple[str, ...] = ("json", "csv")
PDF_REFUSED = (
    "a contribution has no PDF form: it is a machine-readable file for the program's roll-up; "
    "export it as json or csv (the PDF report is the suppressed summary's)"
)


class StoredContributionLike(Protocol):
    @property
    def epsilon(self) -> Decimal: ...
    @property
    def content(self) -> bytes: ...


class LedgerLike(Protocol):
    """The part of the vault's budget ledger that contributions use."""

    def epsilon(self) -> Decimal: ...
    def yearly_cap(self) -> Decimal: ...
    def stored(self, period: str) -> StoredContributionLike | None: ...
    def spent(self, school_year: str) -> Decimal: ...
    def add(self, period: str, epsilon: Decimal, content: bytes) -> None: ...


class JournalLike(Protocol):
    def month_facts(self, period: str) -> MonthFacts: ...
    def student_names(self) -> list[str]: ...
    def notes_contain_phrase(self, words: Sequence[str]) -> bool: ...
    def school_names(self) -> list[str]: ...


@dataclass(frozen=True, slots=True)
class ContributionStatus:
    period: str
    school_year: str
    frozen: bool  # already released: exporting again spends nothing
    epsilon: Decimal  # spent by this month's contribution (stored, or what an export would use)
    spent: Decimal  # spent in the school year so far
    cap: Decimal

    @property
    def allowed(self) -> bool:
        return self.frozen or self.spent + self.epsilon <= self.cap


def _check(period: str, fmt: str) -> None:
    if not is_month(period):
        raise ReportRejected("a contribution covers one month: expected YYYY-MM")
    if fmt == "pdf":
        raise ReportRejected(PDF_REFUSED)
    if fmt not in FORMATS:
        raise ReportRejected("unknown format for a contribution: expected json or csv")


def _school_year(period: str) -> str:
    return school_year_of(parse_period(period).first).text


def contribution_status(ledger: LedgerLike, period: str) -> ContributionStatus:
    if not is_month(period):
        raise ReportRejected("a contribution covers one month: expected YYYY-MM")
    year = _school_year(period)
    stored = ledger.stored(period)
    eps = stored.epsilon if stored is not None else ledger.epsilon()
    return ContributionStatus(
        period, year, stored is not None, eps, ledger.spent(year), ledger.yearly_cap()
    )


def _checker(journal: JournalLike, schools: Sequence[str]) -> LeakChecker:
    return LeakChecker(
        names=journal.student_names(),
        phrase_in_notes=journal.notes_contain_phrase,
        schools=[*schools, *journal.school_names()],
        extra_vocabulary=(*FIXED_TEXT, *VOCABULARY),
    )


def _render(c: Contribution, content: bytes, fmt: str, checker: LeakChecker) -> bytes:
    checker.check_text_bytes(content)
    if fmt == "json":
        return content
    out = render_contribution_csv(c)
    checker.check_text_bytes(out)
    return out


def _read_stored(period: str, content: bytes) -> Contribution:
    try:
        c = parse_contribution_json(content)
    except ReportRejected:
        raise ReportRejected("the stored contribution of this month cannot be read back") from None
    if c.period != period or render_contribution_json(c) != content:
        raise ReportRejected("the stored contribution of this month is not in canonical form")
    return c


def export_contribution(
    journal: JournalLike,
    ledger: LedgerLike,
    period: str,
    fmt: str,
    *,
    noise: Noise = opendp_noise,
) -> bytes:
    """Export one month's contribution as json or csv.

    The first export draws the noise (OpenDP), freezes the contribution in the vault and spends
    its ε in the school year's ledger. Later exports re-render the stored contribution and spend
    nothing. An export that would take the school year past its cap is refused.
    Raises ReportRejected (invalid month or format, budget exhausted, leak found).
    """
    _check(period, fmt)
    stored = ledger.stored(period)
    if stored is not None:
        c = _read_stored(period, stored.content)
        return _render(c, stored.content, fmt, _checker(journal, c.schools))
    status = contribution_status(ledger, period)
    if not status.allowed:
        raise ReportRejected(
            f"export refused: the privacy budget of school year {status.school_year} would be "
            f"exceeded (spent {status.spent} of {status.cap}; this month needs {status.epsilon})"
        )
    facts = journal.month_facts(period)
    if facts.period != period:
        raise ReportRejected("invalid month data: facts of another month")
    for school in facts.schools:
        try:
            if clean_school_name(school) != school:
                raise SchoolNameRefused("A school name has extra spaces or unusual characters.")
        except SchoolNameRefused as exc:
            # Roll-ups refuse such a name from any file, so it must not go out in one.
            raise ReportRejected(
                f"a school on your school list cannot go into a contribution: {exc} "
                "Rename it in Settings → Schools."
            ) from None
    c = make_contribution(facts, status.epsilon, noise=noise, parts=noise_parts(status.epsilon))
    content = render_contribution_json(c)
    published = parse_contribution_json(content)
    out = _render(published, content, fmt, _checker(journal, published.schools))
    ledger.add(period, status.epsilon, content)
    return out


def read_inputs(paths: Sequence[Path]) -> list[bytes]:
    contents: list[bytes] = []
    for path in paths:
        try:
            if path.stat().st_size > MAX_BYTES:
                raise ReportRejected(f"{path.name}: file too large")
            contents.append(path.read_bytes())
        except OSError as exc:
            reason = exc.strerror or "cannot be read"
            raise ReportRejected(f"{path.name}: {reason}") from None
    return contents


def aggregate_contribution_files(paths: Sequence[Path], fmt: str) -> bytes | None:
    """Roll up contribution files; None when no input is a contribution (a summary roll-up).

    Contributions and summaries are never mixed: their numbers mean different things (noisy
    unbiased counts against suppressed ones), so one sum of both would mean neither.
    """
    contents = read_inputs(paths)
    formats = [file_format(c) for c in contents]  # each file parsed once to tell its kind
    if ROLLUP_FORMAT in formats:
        raise ReportRejected(
            "a contribution roll-up cannot be rolled up again: give the contribution files"
        )
    kinds = [f == FORMAT for f in formats]
    if not any(kinds):
        return None
    if not all(kinds):
        raise ReportRejected(
            "contribution files and summary files cannot be aggregated together: "
            "roll up each kind separately"
        )
    if fmt not in (*FORMATS, "pdf"):
        raise ReportRejected("unknown format: expected json, csv or pdf")
    rollup = aggregate_contribution_contents(contents)
    schools = [c.coords[0] for c in rollup.table("T2").cells]
    checker = LeakChecker(schools=schools, extra_vocabulary=(*FIXED_TEXT, *VOCABULARY))
    if fmt == "pdf":
        from .contribution_pdf import render_rollup_pdf  # Qt is loaded only for PDFs

        pdf = render_rollup_pdf(rollup, checker.check_text)
        checker.check_pdf_bytes(pdf)
        return pdf
    out = render_rollup_json(rollup) if fmt == "json" else render_rollup_csv(rollup)
    checker.check_text_bytes(out)
    return out
