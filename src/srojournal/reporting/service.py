"""The face of the reporting layer that the command line and the GUI call.

* :func:`preview` — what an export would publish now, nothing stored.
* :func:`export_summary` — freeze (or re-read, or revise) a release and render it.
* :func:`aggregate_files` — roll up released summary files.

A period is a month ``YYYY-MM``, a quarter ``YYYY-Qn`` or a school year ``YYYY-YY``. Its tables
are computed from the journal's facts for all its months; the suppression and the gate see every
earlier release of the same school year that shares a month with it (directly or through a
quarter or the year), together with the facts each was made from (its *basis*, kept privately in
the vault beside the release).

Every path ends in the same gate before bytes are returned: the canonical JSON is audited from its
own bytes jointly with those releases (:func:`audit.audit_views`), then the leak check runs on the
bytes of the output. Nothing is stored in the vault unless both pass.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from srojournal.domain.facts import MonthFacts
from srojournal.domain.periods import Period, quarter_of, school_year_of
from srojournal.domain.settings import REPORT_THRESHOLD

from .aggregate import aggregate_contents
from .audit import audit_views, publication_of
from .basis import Interner, decode_basis, encode_basis
from .errors import (
    AuditFailed,
    NoSuppression,
    ReportRejected,
    RevisionRefused,
    ThresholdRaised,
)
from .leakcheck import LeakChecker
from .model import STATUS_SUPPRESSED, Aggregate, Summary
from .reader import ReleaseView
from .render_csv import render_aggregate_csv, render_summary_csv
from .render_json import (
    MAX_BYTES,
    parse_summary_json,
    render_aggregate_json,
    render_summary_json,
)
from .report_text import FIXED_TEXT
from .rules import (
    change_since,
    effective_threshold,
    primary,
)
from .suppression import Reasons, period_tables_facts, suppress_release
from .tables import LogicalKey, combine_months, logical_key, memo, period_of

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
    @property
    def created_at(self) -> str: ...


class JournalLike(Protocol):
    """The part of the vault's ``Journal`` that reporting uses."""

    def month_facts(self, period: str) -> MonthFacts: ...
    def releases(self, period: str) -> Sequence[StoredReleaseLike]: ...
    def released_periods(self) -> Sequence[tuple[str, int]]: ...
    def add_release(
        self, period: str, number: int, content: bytes, basis: bytes | None = None
    ) -> None: ...
    def release_basis(self, period: str, number: int) -> bytes | None: ...
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


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ReportRejected("unknown format: expected json, csv or pdf")


# -- releases and their bases ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Stored:
    view: ReleaseView
    content: bytes
    summary: Summary
    created_at: str
    sequence: int | None

    def order(self) -> tuple[int, str, int, str, int]:
        first = self.view.period.first.isoformat()
        # Releases with a sequence were made after every release without one.
        if self.sequence is None:
            return (0, self.created_at, 0, first, self.view.number)
        return (1, "", self.sequence, first, self.view.number)


def _current_months(
    journal: JournalLike, period: Period, interner: Interner | None = None
) -> dict[str, MonthFacts]:
    out: dict[str, MonthFacts] = {}
    for m in period.months():
        facts = journal.month_facts(m)
        if facts.period != m:
            raise ReportRejected("invalid period data: facts of another month")
        out[m] = interner.add(facts) if interner is not None else facts
    return out


def _stored_releases(
    journal: JournalLike, period: Period, interner: Interner | None = None
) -> list[_Stored]:
    """Every release of the school year of ``period`` that shares a month with it, directly or
    through other releases (a quarter, the year), oldest first, with its basis. Releases of
    periods that share no month with it are not read at all."""
    year = school_year_of(period.first)
    interner = interner or Interner()
    listed: list[Period] = []
    for text, _latest in journal.released_periods():
        try:
            p = period_of(text)
        except ReportRejected:
            continue
        if year.contains(p):
            listed.append(p)
    out: list[_Stored] = []
    for p in _connected_periods(listed, period):
        text = p.text
        releases = sorted(journal.releases(text), key=lambda r: r.number)
        for r in releases:
            try:
                s = parse_summary_json(r.content)
            except ReportRejected:
                raise ReportRejected(f"a stored release of {text} cannot be read back") from None
            if s.period != text or s.release != r.number or render_summary_json(s) != r.content:
                raise ReportRejected(f"a stored release of {text} is not in canonical form")
            stored = journal.release_basis(text, r.number)
            months, sequence = _basis_of(journal, p, s, stored, interner)
            view = ReleaseView(p, r.number, months, publication_of(s))
            out.append(_Stored(view, r.content, s, r.created_at, sequence))
        if [r.number for r in releases] != list(range(1, len(releases) + 1)):
            raise ReportRejected(f"the stored releases of {text} are not numbered 1, 2, …")
    out.sort(key=_Stored.order)
    return out


def _basis_of(
    journal: JournalLike,
    period: Period,
    summary: Summary,
    stored: bytes | None,
    interner: Interner,
) -> tuple[dict[str, MonthFacts], int | None]:
    if stored is not None:
        basis = decode_basis(stored, interner)
        if sorted(basis.months) != sorted(period.months()):
            raise ReportRejected(f"the stored basis of {period.text} does not match its months")
        return basis.months, basis.sequence
    # A release made before bases were kept: its facts are today's facts if every published
    # number still matches them; otherwise nobody can tell what changed since.
    months = _current_months(journal, period, interner)
    from .suppression import period_tables

    tables = period_tables(ReleaseView(period, summary.release, months, None))
    truth = tables.values()
    for key, value in publication_of(summary).items():
        if value is not None and truth.get(key) != value:
            raise ReportRejected(
                f"release {summary.release} of {period.text} was made by an earlier version and "
                "the journal has changed since; a release that overlaps it cannot be checked"
            )
    return months, None


def _connected_periods(periods: Sequence[Period], period: Period) -> list[Period]:
    """The periods that share a month with ``period``, directly or through others."""
    months = set(period.months())
    chosen: list[Period] = []
    rest = list(periods)
    grew = True
    while grew:
        grew = False
        for p in list(rest):
            ms = set(p.months())
            if ms & months:
                months |= ms
                chosen.append(p)
                rest.remove(p)
                grew = True
    return chosen


def _connected(stored: Sequence[_Stored], period: Period) -> list[_Stored]:
    """The releases that share a month with ``period``, directly or through others."""
    keep = set(_connected_periods([s.view.period for s in stored], period))
    return [s for s in stored if s.view.period in keep]


# -- building a release ---------------------------------------------------------------------------


def _counted_in(period: Period) -> tuple[str, ...]:
    """The periods whose releases will count a refused revision's changes."""
    year = school_year_of(period.first)
    if period.kind == "month":
        return (quarter_of(period.first).text, year.text)
    if period.kind == "quarter":
        return (year.text,)
    return ()


def _where_counted(period: Period) -> str:
    year = school_year_of(period.first)
    if period.kind == "month":
        return f"the quarter {quarter_of(period.first).text} and the school year {year.text}"
    if period.kind == "quarter":
        return f"the school year {year.text}"
    return "no release: they stay in the journal"


def _check_revision(previous: _Stored, candidate: ReleaseView, k: int) -> None:
    change = change_since(period_tables_facts(previous.view), period_tables_facts(candidate))
    p = candidate.period.text
    if change.empty:
        raise ReportRejected(
            f"nothing has changed in {p} since release {previous.view.number}: no revision needed"
        )
    n = len(change.students)
    if 0 < n < k:
        where = candidate.period
        raise RevisionRefused(
            p, previous.view.number, n, k, _counted_in(where), _where_counted(where)
        )


@dataclass(frozen=True, slots=True)
class _Built:
    summary: Summary
    content: bytes
    basis: bytes
    reasons: Reasons


def _build(journal: JournalLike, period: Period, *, revise: bool) -> _Built:
    # The same facts' tables are built once for the suppression and the gate.
    with memo(), _few_collections():
        return _build_release(journal, period, revise=revise)


_GC_LOCK = threading.Lock()
_gc_users = 0
_gc_saved: tuple[int, int, int] = (0, 0, 0)
_GC_YOUNGEST = 50_000


@contextlib.contextmanager
def _few_collections() -> Iterator[None]:
    """Fewer cyclic garbage collections while a release is built.

    A release makes hundreds of thousands of small objects (facts, table cells, records,
    points) that hold no reference cycles, and reference counting frees them. Python's cyclic
    collector still scans them every few hundred allocations, and its full collections
    traverse everything alive: about a tenth of the time of a school year's releases. The
    youngest generation's threshold is raised while any release is being built, then
    restored; collections still run, only less often.
    """
    global _gc_users, _gc_saved
    with _GC_LOCK:
        if _gc_users == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(max(_gc_saved[0], _GC_YOUNGEST), *_gc_saved[1:])
        _gc_users += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _gc_users -= 1
            if _gc_users == 0:
                gc.set_threshold(*_gc_saved)


def _build_release(journal: JournalLike, period: Period, *, revise: bool) -> _Built:
    k = effective_threshold(report_threshold(journal))
    interner = Interner()
    months = _current_months(journal, period, interner)
    stored = _stored_releases(journal, period, interner)
    related = _connected(stored, period)
    same = [s for s in related if s.view.period.text == period.text]
    candidate = ReleaseView(period, len(same) + 1, months, None)
    if same:
        if not revise:
            raise AssertionError("a released period is re-rendered, not rebuilt")
        _check_revision(same[-1], candidate, k)
    earlier = [s.view for s in related]
    try:
        summary, reasons = suppress_release(earlier, candidate, k, len(same) + 1)
    except NoSuppression:
        lower = {
            s.view.period.text: s.summary.threshold for s in related if s.summary.threshold < k
        }
        if not lower:
            raise  # one threshold for the year: stickiness rules this out, a bug
        raise ThresholdRaised(period.text, k, lower) from None
    content = render_summary_json(summary)
    # The gate: everything read back from the bytes, audited with every related release.
    published = parse_summary_json(content)
    final = ReleaseView(period, published.release, months, publication_of(published))
    audit_views([*earlier, final], k, reasons.witnesses)
    sequence = 1 + max((s.sequence or 0 for s in stored), default=0)
    sequence = max(sequence, sum(n for _p, n in journal.released_periods()) + 1)
    return _Built(published, content, encode_basis(months, sequence, interner), reasons)


def _checker(journal: JournalLike, schools: Sequence[str]) -> LeakChecker:
    return LeakChecker(
        names=journal.student_names(),
        phrase_in_notes=journal.notes_contain_phrase,
        schools=[*schools, *journal.school_names()],
        extra_vocabulary=FIXED_TEXT,
    )


def _render(summary: Summary, content: bytes, fmt: str, checker: LeakChecker) -> bytes:
    checker.check_schools(summary.schools)
    checker.check_text_bytes(content)
    if fmt == "json":
        return content
    if fmt == "csv":
        out = render_summary_csv(summary)
        checker.check_csv_bytes(out)
        return out
    from .render_pdf import render_summary_pdf  # Qt is loaded only for PDFs

    pdf = render_summary_pdf(summary, checker.check_text)
    checker.check_pdf_bytes(pdf)
    return pdf


def notes_for(summary: Summary, reasons: Reasons) -> tuple[str, ...]:
    """Plain-language lines for the officer's preview: how much is hidden and why."""
    k = summary.threshold
    shown = sum(1 for t in summary.tables for c in t.cells if c.status == "S")
    if shown == 0:
        return ("Nothing is hidden: every cell covers at least the threshold of students.",)
    rules = reasons.primary
    lines = [f"{shown} table cells are shown as S (hidden)."]
    if rules.no_breakdown:
        lines.append(f"Fewer than {k} different students in this period: no breakdown is shown.")
    if rules.small:
        lines.append(f"Some cells count fewer than {k} different students.")
    if rules.few_contacts:
        lines.append(
            "Some enforcement or referral counts rest on one or two contacts, which all their "
            "students share."
        )
    if rules.group:
        lines.append(
            "In some rows every contact with students had an enforcement or referral outcome; "
            "the cells that would say so are hidden."
        )
    if reasons.sticky:
        lines.append("Cells hidden in an earlier release of this period stay hidden.")
    if reasons.changed:
        lines.append(
            "Cells that would show exactly what changed since the last release are hidden."
        )
    if reasons.secondary:
        lines.append(
            f"{reasons.secondary} further numbers are hidden so that hidden ones cannot be worked "
            "out from totals, other tables or other releases."
        )
    return tuple(lines)


def preview(journal: JournalLike, period_text: str, *, revise: bool = False) -> Summary:
    """What the next export of this period would publish. Stores nothing.

    If the period is already released and ``revise`` is False, this is the latest stored release
    (``notes`` says so); otherwise the release that an export would freeze now. ``reasons``
    says why each hidden cell is hidden (for the officer; never exported).
    """
    period = period_of(period_text)
    same = [r for r in journal.releases(period.text)] if _has_releases(journal, period) else []
    if same and not revise:
        stored = max(same, key=lambda r: r.number)
        latest = parse_summary_json(stored.content)
        return Summary(
            latest.period,
            latest.threshold,
            latest.release,
            latest.tables,
            (
                f"{period.text} was released (release {latest.release}); exporting it again gives "
                "exactly this content. Late entries appear only in a revision.",
            ),
            _stored_reasons(journal, period, latest),
        )
    built = _build(journal, period, revise=revise)
    s = built.summary
    return Summary(
        s.period,
        s.threshold,
        s.release,
        s.tables,
        notes_for(s, built.reasons),
        _cell_reasons(s, built.reasons.why),
    )


def _cell_reasons(
    summary: Summary, why: Mapping[LogicalKey, str]
) -> dict[tuple[str, tuple[str, ...]], str]:
    out: dict[tuple[str, tuple[str, ...]], str] = {}
    for t in summary.tables:
        for c in t.cells:
            if c.status == STATUS_SUPPRESSED:
                out[(t.id, c.coords)] = why.get(logical_key(t.id, c.coords), "complement")
    return out


def _stored_reasons(
    journal: JournalLike, period: Period, summary: Summary
) -> dict[tuple[str, tuple[str, ...]], str]:
    """Why the cells of a stored release are hidden: the rules, on the facts it was made from;
    every other hidden cell protects hidden numbers (or was hidden in an earlier release)."""
    try:
        _months, _seq = _basis_of(
            journal, period, summary, journal.release_basis(period.text, summary.release),
            Interner(),
        )  # fmt: skip
    except ReportRejected:
        return _cell_reasons(summary, {})
    from .suppression import period_tables

    tables = period_tables(ReleaseView(period, summary.release, _months, None))
    return _cell_reasons(summary, primary(tables, summary.threshold).why)


def _has_releases(journal: JournalLike, period: Period) -> bool:
    return any(p == period.text for p, _ in journal.released_periods())


def export_summary(
    journal: JournalLike, period_text: str, fmt: Format, *, revise: bool = False
) -> bytes:
    """Export one period as json, csv or pdf.

    The first export freezes release 1 (stores its canonical JSON and its basis). Later exports
    re-render the latest stored release (byte-identical JSON and CSV), even after late entries.
    ``revise=True`` creates release n+1 from the current data, audited jointly with every
    related release; it is refused (ReportRejected) when the changes concern fewer than k
    students. Raises ReportRejected (invalid period, leak found) or AuditFailed (a bug).
    """
    period = period_of(period_text)
    _check_format(fmt)
    stored = sorted(journal.releases(period.text), key=lambda r: r.number)
    if stored and not revise:
        # Frozen: re-render the stored release, never the current data.
        latest = stored[-1]
        summary = parse_summary_json(latest.content)
        if render_summary_json(summary) != latest.content:
            raise ReportRejected("a stored release of this period is not in canonical form")
        checker = _checker(journal, summary.schools)
        return _render(summary, latest.content, fmt, checker)
    if revise and not stored:
        raise ReportRejected(f"{period.text} has no release yet: export it without --revise")
    with _few_collections():
        built = _build(journal, period, revise=revise)
        checker = _checker(journal, built.summary.schools)
        out = _render(built.summary, built.content, fmt, checker)
        journal.add_release(period.text, built.summary.release, built.content, built.basis)
    return out


# Names kept for the callers that speak of months.
def preview_month(journal: JournalLike, period: str) -> Summary:
    return preview(journal, period)


def preview_revision(journal: JournalLike, period: str) -> Summary:
    return preview(journal, period, revise=True)


def export_month(journal: JournalLike, period: str, fmt: Format, *, revise: bool = False) -> bytes:
    return export_summary(journal, period, fmt, revise=revise)


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
        checker.check_csv_bytes(out)
        return out
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


__all__ = [
    "FORMATS",
    "AuditFailed",
    "JournalLike",
    "ReportRejected",
    "aggregate_files",
    "combine_months",
    "export_month",
    "export_summary",
    "preview",
    "preview_month",
    "preview_revision",
]
