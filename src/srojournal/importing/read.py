"""Reading a spreadsheet file of any kind we take: the one entry point that picks the reader.

It sits above the readers (``csv_source``, ``xlsx_source``), which share the ``Table`` shape of
``sources``; keeping the choice here keeps that package free of import cycles.
"""

from __future__ import annotations

from pathlib import Path

from srojournal.importing import csv_source, xlsx_source
from srojournal.importing.sources import Cancelled, Progress, SourceError, Table


def read_table(
    path: Path,
    *,
    sheet: str | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Table:
    """Read a .csv (or .txt/.tsv) or .xlsx file. Raises SourceError with a clear message."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            magic = fh.read(8)
    except FileNotFoundError:
        raise SourceError(f"There is no file {path.name}.") from None
    except IsADirectoryError:
        raise SourceError(f"{path.name} is a folder, not a file.") from None
    except PermissionError:
        raise SourceError(f"{path.name} cannot be read (no permission).") from None
    except OSError as exc:
        raise SourceError(f"{path.name} cannot be read: {exc.strerror}.") from None
    suffix = path.suffix.lower()
    if magic.startswith(b"PK\x03\x04") or suffix in (".xlsx", ".xlsm"):
        return xlsx_source.read(path, sheet=sheet, progress=progress, cancelled=cancelled)
    if magic.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return xlsx_source.read(path, sheet=sheet, progress=progress, cancelled=cancelled)
    if suffix in (".xls", ".ods", ".numbers"):
        raise SourceError(
            f"{path.name} is not a format we read. Save it from your spreadsheet program as "
            "Excel (.xlsx) or CSV, then import that file."
        )
    return csv_source.read(path, progress=progress, cancelled=cancelled)
