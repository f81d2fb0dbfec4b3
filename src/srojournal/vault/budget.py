"""The privacy-budget ledger: frozen contributions and the ε they spent, per school year.

A contribution is stored when it is first exported (content and hash, with an audit entry), and
every later export of that month re-reads it: the same bytes, no new budget. The ledger is the
sum of the stored contributions' ε per school year (1 July – 30 June). The ε per month and the
yearly cap are settings inside the vault; :func:`epsilon_setting` and :func:`cap_setting` read
them within their documented bounds (see docs/contributions.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Final

from srojournal.domain.periods import is_month, parse_period, school_year_of
from srojournal.vault.errors import InvalidInput

if TYPE_CHECKING:
    from srojournal.vault.repo import Journal

EPSILON_SETTING: Final = "contribution_epsilon"
CAP_SETTING: Final = "contribution_yearly_cap"
DEFAULT_EPSILON: Final = Decimal("1.0")
DEFAULT_CAP: Final = Decimal("12")
EPSILON_BOUNDS: Final = (Decimal("0.1"), Decimal("2.0"))
CAP_BOUNDS: Final = (Decimal("1"), Decimal("24"))


@dataclass(frozen=True, slots=True)
class StoredContribution:
    period: str
    school_year: str
    epsilon: Decimal
    content: bytes
    sha256: str
    created_at: str


@dataclass(frozen=True, slots=True)
class LedgerLine:
    school_year: str
    spent: Decimal
    months: tuple[str, ...]


def school_year_text(period: str) -> str:
    """``YYYY-MM`` -> the school year it counts in, ``YYYY-YY``."""
    if not is_month(period):
        raise InvalidInput("A contribution covers one month (YYYY-MM).")
    return school_year_of(parse_period(period).first).text


def _decimal_setting(
    journal: Journal, key: str, default: Decimal, bounds: tuple[Decimal, Decimal], what: str
) -> Decimal:
    raw = journal.get_setting(key, None)
    if raw is None or not raw.strip():
        return default
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise InvalidInput(f"The {what} setting is not a number.") from None
    if not value.is_finite() or not bounds[0] <= value <= bounds[1]:
        raise InvalidInput(f"The {what} setting must be between {bounds[0]} and {bounds[1]}.")
    return value


def parse_epsilon(text: str) -> Decimal:
    """An ε typed by the officer: a number between 0.1 and 2.0 with at most two decimals."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise InvalidInput("ε must be a number such as 1.0.") from None
    lo, hi = EPSILON_BOUNDS
    if not value.is_finite() or not lo <= value <= hi or value != value.quantize(Decimal("0.01")):
        raise InvalidInput(f"ε must be between {lo} and {hi}, with at most two decimals.")
    return value


def parse_cap(text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise InvalidInput("The yearly cap must be a number such as 12.") from None
    lo, hi = CAP_BOUNDS
    if not value.is_finite() or not lo <= value <= hi or value != value.quantize(Decimal("0.1")):
        raise InvalidInput(f"The yearly cap must be between {lo} and {hi}.")
    return value


def epsilon_setting(journal: Journal) -> Decimal:
    return _decimal_setting(
        journal, EPSILON_SETTING, DEFAULT_EPSILON, EPSILON_BOUNDS, "contribution ε"
    )


def cap_setting(journal: Journal) -> Decimal:
    return _decimal_setting(journal, CAP_SETTING, DEFAULT_CAP, CAP_BOUNDS, "yearly budget cap")


class BudgetLedger:
    """Stored contributions and the budget they spent, over one unlocked journal."""

    def __init__(self, journal: Journal) -> None:
        self._journal = journal

    # -- settings ----------------------------------------------------------------------------
    def epsilon(self) -> Decimal:
        return epsilon_setting(self._journal)

    def yearly_cap(self) -> Decimal:
        return cap_setting(self._journal)

    def set_epsilon(self, value: Decimal) -> None:
        """Change ε per month (the caller has had it confirmed); audited."""
        value = parse_epsilon(str(value))
        with self._journal.batch():
            self._journal.set_setting(EPSILON_SETTING, str(value))
            self._journal.audit("contribution_epsilon_changed", {"epsilon": str(value)})

    def set_yearly_cap(self, value: Decimal) -> None:
        value = parse_cap(str(value))
        with self._journal.batch():
            self._journal.set_setting(CAP_SETTING, str(value))
            self._journal.audit("contribution_cap_changed", {"cap": str(value)})

    # -- stored contributions ----------------------------------------------------------------
    def stored(self, period: str) -> StoredContribution | None:
        school_year_text(period)
        row = self._journal.conn.execute(
            "SELECT period, school_year, epsilon, content, sha256, created_at FROM contributions"
            " WHERE period = ?",
            (period,),
        ).fetchone()
        if row is None:
            return None
        return StoredContribution(
            str(row[0]), str(row[1]), Decimal(row[2]), bytes(row[3]), str(row[4]), str(row[5])
        )

    def spent(self, school_year: str) -> Decimal:
        rows = self._journal.conn.execute(
            "SELECT epsilon FROM contributions WHERE school_year = ?", (school_year,)
        ).fetchall()
        return sum((Decimal(r[0]) for r in rows), Decimal(0))

    def ledger(self) -> list[LedgerLine]:
        """Spent ε per school year, newest first, with the months contributed."""
        by_year: dict[str, tuple[Decimal, list[str]]] = {}
        for period, year, eps in self._journal.conn.execute(
            "SELECT period, school_year, epsilon FROM contributions ORDER BY period"
        ):
            spent, months = by_year.get(year, (Decimal(0), []))
            by_year[year] = (spent + Decimal(eps), [*months, str(period)])
        return [
            LedgerLine(year, spent, tuple(months))
            for year, (spent, months) in sorted(by_year.items(), reverse=True)
        ]

    def add(self, period: str, epsilon: Decimal, content: bytes) -> None:
        """Freeze a contribution and spend its ε (one transaction, audited)."""
        year = school_year_text(period)
        digest = hashlib.sha256(content).hexdigest()
        now = dt.datetime.now().replace(microsecond=0).isoformat()
        with self._journal.batch() as c:
            c.execute(
                "INSERT INTO contributions"
                " (period, school_year, epsilon, content, sha256, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (period, year, str(epsilon), content, digest, now),
            )
            self._journal.audit(
                "contribution_released",
                {"period": period, "epsilon": str(epsilon), "sha256": digest},
            )
