"""Released summaries: the frozen content of every export, by period and release number."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from srojournal.domain import periods
from srojournal.domain.errors import InvalidInput
from srojournal.vault.repo.audit import AuditLog
from srojournal.vault.repo.core import now_text


@dataclass(frozen=True, slots=True)
class StoredRelease:
    period: str
    number: int
    content: bytes
    sha256: str
    created_at: str


def period_bounds(period: str) -> tuple[str, str]:
    """``YYYY-MM`` → (first day, first day of next month) as ISO dates."""
    if not periods.is_month(period):
        raise InvalidInput(f"A month must look like YYYY-MM (for example 2026-03), not {period!r}.")
    month = periods.parse_period(period)
    return month.first.isoformat(), month.end.isoformat()


def _release_period(period: str) -> None:
    """A release is keyed by a month ``YYYY-MM``, a quarter ``YYYY-Qn`` or a school year."""
    try:
        periods.parse_period(period)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


class Releases(AuditLog):
    def releases(self, period: str) -> list[StoredRelease]:
        _release_period(period)
        return [
            StoredRelease(r[0], r[1], bytes(r[2]), r[3], r[4])
            for r in self.conn.execute(
                "SELECT period, number, content, sha256, created_at FROM releases"
                " WHERE period = ? ORDER BY number",
                (period,),
            )
        ]

    def released_periods(self) -> list[tuple[str, int]]:
        return [
            (str(r[0]), int(r[1]))
            for r in self.conn.execute(
                "SELECT period, max(number) FROM releases GROUP BY period ORDER BY period DESC"
            )
        ]

    def add_release(
        self, period: str, number: int, content: bytes, basis: bytes | None = None
    ) -> None:
        """Store a release; ``basis`` (the coded facts it was made from) stays in the vault."""
        _release_period(period)
        digest = hashlib.sha256(content).hexdigest()
        with self.batch() as c:
            c.execute(
                "INSERT INTO releases (period, number, content, sha256, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (period, number, content, digest, now_text()),
            )
            if basis is not None:
                self._vault.set_meta(
                    f"release_basis.{period}.{number}", base64.b64encode(basis).decode("ascii")
                )
            self.audit("summary_released", {"period": period, "release": number, "sha256": digest})

    def release_basis(self, period: str, number: int) -> bytes | None:
        """The private basis stored with a release, or None for a release made before bases."""
        raw = self._vault.get_meta(f"release_basis.{period}.{number}")
        return None if raw is None else base64.b64decode(raw)
