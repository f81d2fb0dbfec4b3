"""Raw SQL floors shared by the runner and the interactive probes (benchmarks only: raw SQL is
allowed here, and only here)."""

from __future__ import annotations

from typing import Any

# A journal page carries the students' aliases and the tags of each row, like the app's page.
RAW_PAGE = (
    "SELECT c.id, c.occurred_at, s.name, c.type_code, c.outcome, c.notes,"
    " (SELECT group_concat(st.alias, ', ') FROM contact_students cs"
    "   JOIN students st ON st.id = cs.student_id WHERE cs.contact_id = c.id),"
    " (SELECT group_concat(t.name, ', ') FROM contact_tags ct"
    "   JOIN tags t ON t.id = ct.tag_id WHERE ct.contact_id = c.id)"
    " FROM contacts c JOIN schools s ON s.id = c.school_id {where}"
    " ORDER BY c.occurred_at DESC, c.id DESC LIMIT 200"
)

# Above this many hits, walking the date index beats sorting the hits (the app's own switch).
COMMON_HITS = 2000
RARE_IDS = (
    "SELECT c.id FROM notes_fts f JOIN contacts c ON c.id = f.rowid"
    " WHERE notes_fts MATCH ? ORDER BY c.occurred_at DESC, c.id DESC LIMIT 200"
)
COMMON_IDS = (
    "SELECT c.id FROM contacts c INDEXED BY contacts_by_time"
    " WHERE c.id IN (SELECT rowid FROM notes_fts WHERE notes_fts MATCH ?)"
    " ORDER BY c.occurred_at DESC, c.id DESC LIMIT 200"
)


def raw_search_page(conn: Any, query: str) -> int:
    """A notes search's answer with the fastest raw SQL: the match count straight from FTS5;
    the page's ids newest first, from FTS5 then sorted when the word is rare, or from the
    (occurred_at, id) index filtered by MATCH when it is common; then those 200 rows.
    ``query`` is an FTS5 query (``fts_query`` of what was typed); returns the count."""
    hits = int(
        conn.execute("SELECT count(*) FROM notes_fts WHERE notes_fts MATCH ?", (query,)).fetchone()[
            0
        ]
    )
    ids = [r[0] for r in conn.execute(COMMON_IDS if hits > COMMON_HITS else RARE_IDS, (query,))]
    if ids:
        conn.execute(
            RAW_PAGE.format(where=f"WHERE c.id IN ({','.join('?' * len(ids))})"), ids
        ).fetchall()
    return hits
