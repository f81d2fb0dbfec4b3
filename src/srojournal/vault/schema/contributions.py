"""Schema step: frozen program contributions, which are also the privacy-budget ledger.

One row per contributed month (a contribution is never revised: a second one would spend more
budget). ``epsilon`` is the decimal text of the ε it spent; ``school_year`` (``YYYY-YY``, 1 July
to 30 June) is where that ε counts against the yearly cap (see docs/contributions.md).
"""

from __future__ import annotations

from typing import Any

DDL = """
CREATE TABLE contributions (
    period      TEXT PRIMARY KEY,
    school_year TEXT NOT NULL,
    epsilon     TEXT NOT NULL,
    content     BLOB NOT NULL,
    sha256      TEXT NOT NULL,
    created_at  TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX contributions_by_school_year ON contributions (school_year);
"""


def migrate(conn: Any) -> None:
    conn.executescript(DDL)
