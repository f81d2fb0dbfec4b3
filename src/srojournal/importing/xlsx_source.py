"""Excel workbooks (.xlsx) through openpyxl in read-only mode.

- Date and time cells arrive as dates and times (openpyxl reads the cell's number format), not
  as serial numbers.
- A formula cell is imported as the result the spreadsheet program saved with it; we never
  evaluate a formula. A formula without a saved result (a file written by a program that does
  not calculate) is a problem on its line, never an empty cell read silently.
- A password-protected workbook is an encrypted container, not a zip: it is recognised and
  refused with what to do; so is an old binary .xls file.
- The stored sheet dimensions are ignored (some programs write wrong ones), and the unpacked
  size is bounded before anything is parsed (a "zip bomb" is refused, not unpacked).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Any, Final

from srojournal.importing.sources import (
    MAX_ROWS,
    Cancelled,
    Cell,
    Progress,
    ReadCancelled,
    Row,
    SourceError,
    Table,
    column_letter,
    table_from_records,
)

MAX_XLSX_BYTES: Final = 100 * 1024 * 1024
MAX_UNPACKED_BYTES: Final = 1536 * 1024 * 1024
_CFB_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM: Final = "EncryptedPackage".encode("utf-16-le")
_FORMULA_TAG: Final = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


def _damaged(name: str) -> SourceError:
    return SourceError(
        f"{name} is damaged or is not a complete Excel workbook. Open it in your spreadsheet "
        "program, save it again as .xlsx, and import that file."
    )


def _refuse_container(path: Path, name: str) -> None:
    """A compound file: a password-protected workbook or an old .xls; never a .xlsx."""
    data = path.read_bytes()
    if _ENCRYPTED_STREAM in data:
        raise SourceError(
            f"{name} is protected with a password. Open it in your spreadsheet program, remove "
            "the password (File > Info > Protect Workbook, or save a copy without one), and "
            "import that copy."
        )
    raise SourceError(
        f"{name} is an old Excel .xls file. Save it from your spreadsheet program as Excel "
        "(.xlsx) or CSV, then import that file."
    )


def _check_zip(path: Path, name: str) -> list[str]:
    """The worksheet parts of the zip, after checking it is a workbook of sane unpacked size."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _damaged(name) from None
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise SourceError(
            f"{name} is a zip file but not an Excel workbook. Save the sheet as .xlsx or CSV."
        )
    if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
        raise SourceError(
            f"{name} unpacks to more than {MAX_UNPACKED_BYTES // 2**20:,} MB. Split it into "
            "smaller workbooks or save it as CSV."
        )
    return [n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")]


def _has_formulas(path: Path, parts: list[str]) -> bool:
    """Whether any worksheet holds a formula (a cheap scan of the XML, before parsing)."""
    with zipfile.ZipFile(path) as zf:
        for part in parts:
            with zf.open(part) as fh:
                tail = b""
                while chunk := fh.read(1 << 20):
                    if _FORMULA_TAG.search(tail + chunk):
                        return True
                    tail = chunk[-16:]
    return False


def _cell(value: Any) -> Cell:
    if value is None or isinstance(
        value, str | bool | int | float | dt.datetime | dt.date | dt.time | dt.timedelta
    ):
        return value
    return str(value)  # anything exotic is read as its text


def read(
    path: Path,
    *,
    sheet: str | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Table:
    name = path.name
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            magic = fh.read(8)
    except OSError as exc:
        raise SourceError(f"{name} cannot be read: {exc.strerror}.") from None
    if size > MAX_XLSX_BYTES:
        raise SourceError(
            f"{name} is {size / 2**20:,.0f} MB; a workbook can be at most "
            f"{MAX_XLSX_BYTES // 2**20} MB. Split it, or save the sheet as CSV."
        )
    if magic == _CFB_MAGIC:
        _refuse_container(path, name)
    parts = _check_zip(path, name)

    import openpyxl  # only when a workbook is imported: it is not needed to start the app
    from openpyxl.utils.exceptions import InvalidFileException

    def load(data_only: bool) -> Any:
        try:
            return openpyxl.load_workbook(
                path, read_only=True, data_only=data_only, keep_links=False
            )
        except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError):
            raise _damaged(name) from None
        except Exception as exc:  # the XML parser's errors on a damaged part
            if type(exc).__name__ in ("ParseError", "XMLSyntaxError"):
                raise _damaged(name) from None
            raise

    wb = load(True)
    try:
        sheets = tuple(ws.title for ws in wb.worksheets)
        visible = [ws for ws in wb.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
        if not sheets:
            raise SourceError(f"{name} has no worksheets.")
        if sheet is not None:
            matches = [ws for ws in wb.worksheets if ws.title.casefold() == sheet.casefold()]
            if not matches:
                raise SourceError(
                    f"{name} has no sheet called {sheet[:40]!r}; its sheets are "
                    + ", ".join(repr(s) for s in sheets)
                    + "."
                )
            ws = matches[0]
        else:
            ws = (visible or list(wb.worksheets))[0]
        expected = ws.max_row or 0  # the stored dimension, for progress only
        ws.reset_dimensions()  # some programs store wrong ones: read every row there is
        records = _rows(ws, name, expected, progress, cancelled)
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile):
        raise _damaged(name) from None
    except Exception as exc:
        if type(exc).__name__ in ("ParseError", "XMLSyntaxError"):
            raise _damaged(name) from None
        raise
    finally:
        wb.close()
    notes: list[str] = []
    if len(sheets) > 1:
        notes.append(f"The workbook has {len(sheets)} sheets; this is the sheet {ws.title!r}.")
    formulas: list[tuple[int, int]] = []
    if _has_formulas(path, parts):
        formulas, with_value = _formula_cells(load(False), ws.title, records)
        if with_value:
            notes.append(
                f"{with_value:,} cells hold formulas: the results saved in the file are imported "
                "(formulas are not recalculated)."
            )
    table = table_from_records(records, name=name, kind="xlsx", notes=notes, cancelled=cancelled)
    table.sheets = sheets
    table.sheet = ws.title
    table.formulas_without_value = formulas
    return table


def _rows(
    ws: Any,
    name: str,
    expected: int,
    progress: Progress | None,
    cancelled: Cancelled | None,
) -> list[tuple[int, Row]]:
    records: list[tuple[int, Row]] = []
    for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
        if number % 2048 == 0:
            if cancelled is not None and cancelled():
                raise ReadCancelled
            if progress is not None and expected:
                progress(min(1.0, number / expected))
            if number > MAX_ROWS + 1:
                raise SourceError(
                    f"{name} has more than {MAX_ROWS:,} rows. Split it into smaller workbooks."
                )
        if values:
            records.append((number, tuple(_cell(v) for v in values)))
    return records


def _formula_cells(
    wb: Any, title: str, records: list[tuple[int, Row]]
) -> tuple[list[tuple[int, int]], int]:
    """(row, column) of formulas with no saved result, and how many formulas have one."""
    values = dict(records)
    missing: list[tuple[int, int]] = []
    with_value = 0
    try:
        ws = wb[title]
        ws.reset_dimensions()
        for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
            for col, v in enumerate(row):
                is_formula = (isinstance(v, str) and v.startswith("=")) or (
                    v is not None and type(v).__name__ in ("ArrayFormula", "DataTableFormula")
                )
                if not is_formula:
                    continue
                saved = values.get(number, ())
                if col < len(saved) and saved[col] is not None:
                    with_value += 1
                else:
                    missing.append((number, col))
    finally:
        wb.close()
    return missing, with_value


def describe_formula_cell(line: int, col: int) -> str:
    return f"{column_letter(col)}{line}"
