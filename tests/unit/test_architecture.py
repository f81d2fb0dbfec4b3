"""Architectural promises that the import contracts (``lint-imports``) cannot express."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

from tests.conftest import REPO_ROOT

PACKAGE = REPO_ROOT / "src" / "srojournal"
SQL = re.compile(
    r"\b(SELECT\s.+\sFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM"
    r"|CREATE\s+(TABLE|INDEX|TRIGGER)|DROP\s+TABLE|PRAGMA\s+\w+)\b",
    re.IGNORECASE | re.DOTALL,
)
# The build's self-test probes SQLCipher itself (version, FTS5) before any vault exists.
SQL_ALLOWED_OUTSIDE_VAULT = {PACKAGE / "selftest.py"}


def _strings(path: Path) -> list[str]:
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    return [t.string for t in tokens if t.type == tokenize.STRING]


def test_no_sql_outside_the_vault() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if PACKAGE / "vault" in path.parents or path in SQL_ALLOWED_OUTSIDE_VAULT:
            continue
        if any(SQL.search(s) for s in _strings(path)):
            offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == []


def test_the_sql_pattern_finds_sql() -> None:
    assert SQL.search("'SELECT id FROM contacts'")
    assert SQL.search('"INSERT OR REPLACE INTO meta VALUES (?, ?)"')
    assert not SQL.search("'Select the students of this case'")


def test_the_pdf_renderer_uses_qt_gui_only() -> None:
    """The one Qt import below the window: painting a PDF, never a widget."""
    for path in (PACKAGE / "reporting").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        qt = {
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("PySide6")
        } | {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
            if alias.name.startswith("PySide6")
        }
        if path.name == "render_pdf.py":
            assert qt <= {"PySide6.QtCore", "PySide6.QtGui"}, qt
        else:
            assert qt == set(), path.name
