"""Errors of the reporting layer. Messages never carry journal content (no names, notes, counts)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from srojournal.domain.errors import EXIT_REJECTED, UserError


class ReportRejected(UserError):
    """The summary cannot be produced: invalid month or input, or a leak was found.

    The command line maps this to exit code 5; the message is safe to show as is.
    """

    exit_code = EXIT_REJECTED


class AuditFailed(ReportRejected):
    """The disclosure audit did not pass: a bug in the suppression code, never the user's."""

    def __init__(self, detail: str = "") -> None:
        msg = (
            "internal error: the disclosure audit of this summary failed, nothing was written; "
            "please report this as a bug"
        )
        if detail:
            msg += f" ({detail})"
        super().__init__(msg)


class NoSuppression(AuditFailed):
    """No pattern of hidden cells protects every number the rules protect: some are already
    public through earlier releases of the school year. With one threshold for the whole year
    stickiness rules this out (a bug); after the threshold was raised it can happen, and the
    export explains it (:class:`ThresholdRaised`)."""

    def __init__(self) -> None:
        super().__init__("the suppression problem has no solution")


class ThresholdRaised(ReportRejected):
    """The report threshold was raised after releases of the same school year were made with a
    lower one, and this release cannot hide what the higher threshold asks for: its numbers are
    sums and differences of numbers those releases published."""

    def __init__(self, period: str, k: int, earlier: Mapping[str, int]) -> None:
        self.period = period
        self.k = k
        self.earlier = dict(earlier)
        lower = sorted(set(earlier.values()))
        was = " or ".join(str(t) for t in lower)
        periods = ", ".join(sorted(earlier))
        super().__init__(
            f"{period} cannot be released with the report threshold at {k}: {periods} of the "
            f"same school year were released with a threshold of {was}, and some numbers that "
            f"{k} would hide are already public through them. Set the report threshold back to "
            f"{lower[0]} to release {period}; the next school year can use {k}"
        )


class RevisionRefused(ReportRejected):
    """A revision whose changes concern fewer than k students: it would single them out.

    The message says how many students and where the changes will be counted instead; the
    fields let a screen say the same in its own words.
    """

    def __init__(
        self,
        period: str,
        previous: int,
        students: int,
        k: int,
        counted_in: tuple[str, ...],
        where: str,
    ) -> None:
        self.period = period
        self.previous = previous
        self.students = students
        self.k = k
        self.counted_in = counted_in
        who = "1 student" if students == 1 else f"{students} students"
        super().__init__(
            f"revision refused: the changes since release {previous} of {period} concern "
            f"{who}, fewer than k = {k}, so a revision would single them out; they will be "
            f"counted in {where}"
        )


class LeakFound(ReportRejected):
    """The output contains something that must never leave the laptop. Says what kind, not what."""

    KINDS: ClassVar[dict[str, str]] = {
        "name": "a student name or alias",
        "note": "a six-word run from a note",
        "date": "a date finer than a month",
        "label": "a label outside the allowed code lists",
        "metadata": "identifying document metadata",
        "formula": "a field that a spreadsheet would run as a formula",
    }

    def __init__(self, kind: str) -> None:
        self.kind = kind
        super().__init__(f"export refused: the output contains {self.KINDS.get(kind, kind)}")
