"""Spreadsheet files as common programs write them, for the import tests.

CSV: the dialects of Excel (US "CSV UTF-8": BOM, CRLF; European "CSV": semicolons, Windows-1252),
LibreOffice (UTF-8, LF), Google Sheets (CRLF, timestamps) and "Unicode text" (UTF-16, tabs).
Excel workbooks: made with openpyxl; ``save_like_excel`` then stores formula results the way a
spreadsheet program does when it saves (openpyxl itself never calculates).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

import openpyxl

Rows = Sequence[Sequence[object]]


def write_csv(
    path: Path,
    rows: Rows,
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
    lineterminator: str = "\r\n",
    quoting: int = csv.QUOTE_MINIMAL,
) -> Path:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=lineterminator, quoting=quoting)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def excel_us_csv(path: Path, rows: Rows) -> Path:
    """Excel, File > Save As > "CSV UTF-8 (Comma delimited)": BOM, CRLF, commas."""
    return write_csv(path, rows, encoding="utf-8-sig")


def excel_european_csv(path: Path, rows: Rows) -> Path:
    """Excel in a locale with a decimal comma, "CSV (Semicolon delimited)": Windows-1252."""
    return write_csv(path, rows, encoding="cp1252", delimiter=";")


def libreoffice_csv(path: Path, rows: Rows) -> Path:
    """LibreOffice Calc, Text CSV with its defaults: UTF-8 without BOM, LF, text quoted."""
    return write_csv(path, rows, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)


def google_sheets_csv(path: Path, rows: Rows) -> Path:
    """Google Sheets, Download > CSV: UTF-8 without BOM, CRLF."""
    return write_csv(path, rows)


def unicode_text(path: Path, rows: Rows) -> Path:
    """Excel, "Unicode Text": UTF-16 with a BOM, tab-separated."""
    return write_csv(path, rows, encoding="utf-16", delimiter="\t")


def workbook(rows: Rows, *, title: str = "Contacts") -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    for row in rows:
        ws.append(list(row))
    return wb


def save_like_excel(wb: openpyxl.Workbook, path: Path, results: dict[str, object] | None = None):
    """Save, then store each formula's result as Excel does (``<v>`` after ``<f>``)."""
    buf = io.BytesIO()
    wb.save(buf)
    if not results:
        path.write_bytes(buf.getvalue())
        return path
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                text = data.decode("utf-8")
                for ref, value in results.items():
                    pattern = re.compile(rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v ?/>')
                    if isinstance(value, str):
                        repl = rf'<c r="{ref}"\1 t="str"><f>\2</f><v>{value}</v>'
                    else:
                        repl = rf'<c r="{ref}"\1><f>\2</f><v>{value}</v>'
                    text, n = pattern.subn(repl, text)
                    assert n == 1, ref
                data = text.encode("utf-8")
            dst.writestr(info, data)
    path.write_bytes(out.getvalue())
    return path
