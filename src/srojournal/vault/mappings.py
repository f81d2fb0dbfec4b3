"""Import mappings the officer saved, kept in the vault (a spreadsheet's headers and labels can
carry names, so they never go to a settings file).

A saved mapping is stored as the JSON of ``importing.mapping.Mapping`` under a name the officer
chose. ``best_for`` finds the saved mapping that fits a file's header, so a monthly spreadsheet
of the same shape is mapped the same way without asking again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from srojournal.importing.fields import normalize_header
from srojournal.importing.mapping import Mapping, MappingError
from srojournal.vault.errors import InvalidInput

if TYPE_CHECKING:
    from srojournal.vault.repo import Journal

MAX_NAME_CHARS: Final = 60


def _name(name: str) -> str:
    n = " ".join(name.split())
    if not n:
        raise InvalidInput("Give the mapping a name.")
    if len(n) > MAX_NAME_CHARS:
        raise InvalidInput(f"A mapping name can have at most {MAX_NAME_CHARS} characters.")
    return n


def save(journal: Journal, name: str, mapping: Mapping) -> str:
    """Store (or replace) a mapping; returns the name as stored."""
    name = _name(name)
    with journal.batch() as c:
        c.execute(
            "INSERT OR REPLACE INTO import_mappings (name, body, updated_at) VALUES (?, ?, ?)",
            (name, mapping.to_json(), dt.datetime.now().replace(microsecond=0).isoformat()),
        )
    return name


def names(journal: Journal) -> list[str]:
    return [
        str(r[0])
        for r in journal.conn.execute(
            "SELECT name FROM import_mappings ORDER BY updated_at DESC, name COLLATE NOCASE"
        )
    ]


def load(journal: Journal, name: str) -> Mapping | None:
    row = journal.conn.execute(
        "SELECT body FROM import_mappings WHERE name = ?", (" ".join(name.split()),)
    ).fetchone()
    if row is None:
        return None
    try:
        return Mapping.from_json(str(row[0]))
    except MappingError:
        return None  # written by a newer version: not ours to read


def delete(journal: Journal, name: str) -> None:
    with journal.batch() as c:
        c.execute("DELETE FROM import_mappings WHERE name = ?", (" ".join(name.split()),))


def best_for(journal: Journal, header: Sequence[str]) -> tuple[str, Mapping] | None:
    """The saved mapping whose chosen columns all exist in ``header`` (the most columns wins;
    the most recently saved breaks a tie), or None."""
    present = {normalize_header(h) for h in header if h}
    best: tuple[int, str, Mapping] | None = None
    for name in names(journal):  # most recent first
        mapping = load(journal, name)
        if mapping is None:
            continue
        wanted = [h for h in mapping.columns.values() if h is not None]
        if not wanted or any(normalize_header(h) not in present for h in wanted):
            continue
        if best is None or len(wanted) > best[0]:
            best = (len(wanted), name, mapping)
    return None if best is None else (best[1], best[2])
