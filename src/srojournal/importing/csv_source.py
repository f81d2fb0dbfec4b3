"""CSV files as spreadsheet programs write them.

Separators: comma, semicolon (spreadsheets in locales with a decimal comma), tab (".txt" or
"Unicode text" exports) or a vertical bar, found from the first records. Encodings: UTF-8 with or
without a BOM, UTF-16 with a BOM, and Windows-1252 when the file is not valid UTF-8 (said so in
the preview, so accented letters can be checked). Line endings: LF, CRLF or CR.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path
from typing import Final

from srojournal.importing.sources import (
    MAX_FIELD_CHARS,
    MAX_ROWS,
    Cancelled,
    Progress,
    ReadCancelled,
    Row,
    SourceError,
    Table,
    table_from_records,
)

MAX_CSV_BYTES: Final = 256 * 1024 * 1024
SEPARATORS: Final = (",", ";", "\t", "|")
_SEPARATOR_NAMES: Final = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}
_SNIFF_CHARS: Final = 256 * 1024
_SNIFF_RECORDS: Final = 50


def decode(data: bytes, name: str) -> tuple[str, str | None]:
    """The text and, when it was not UTF-8, a note saying how it was read."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), None
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise SourceError(
                f"{name} says it is UTF-8 but line {line} is not UTF-8 text. Save it again as "
                "CSV UTF-8.",
                line,
            ) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "The file is UTF-16 text (Unicode text)."
        except UnicodeDecodeError:
            raise SourceError(f"{name} is damaged UTF-16 text.") from None
    if b"\x00" in data[:65536]:
        raise SourceError(
            f"{name} is not a CSV text file. Save the sheet as CSV or Excel (.xlsx) and import "
            "that file."
        )
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise SourceError(
            f"{name} is neither UTF-8 nor Windows-1252 text. Save it as CSV UTF-8 and import it "
            "again."
        ) from None
    return text, (
        "The file is not UTF-8; it was read as Windows-1252 (Western European), as older "
        "spreadsheet programs save CSV. Check that accented letters look right below."
    )


def sniff_separator(text: str) -> str:
    """The separator that splits the first records into the most columns, consistently."""
    sample = text[:_SNIFF_CHARS]
    best, best_score = ",", (0, 0.0)
    for sep in SEPARATORS:
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=sep)
        counts: list[int] = []
        try:
            for rec in reader:
                if any(f.strip() for f in rec):
                    counts.append(len(rec))
                if len(counts) >= _SNIFF_RECORDS:
                    break
        except csv.Error:
            continue
        if not counts or counts[0] < 2:
            continue
        # The sample's last record may be cut short; judge consistency on the others.
        judged = counts[:-1] if len(counts) > 2 else counts
        same = sum(1 for c in judged if c == counts[0]) / len(judged)
        score = (1 if same >= 0.8 else 0, same * counts[0])
        if score > best_score:
            best, best_score = sep, score
    return best


def parse(
    text: str,
    separator: str,
    name: str,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> list[tuple[int, Row]]:
    """(line where the record starts, fields) for every record."""
    if csv.field_size_limit() < MAX_FIELD_CHARS + 1:
        # The csv module's own limit (128 KiB) is process-wide; ours is checked per cell later.
        csv.field_size_limit(MAX_FIELD_CHARS + 1)
    total_lines = max(1, text.count("\n"))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    records: list[tuple[int, Row]] = []
    start = 1
    try:
        for rec in reader:
            records.append((start, tuple(rec)))
            start = reader.line_num + 1
            if len(records) % 4096 == 0:
                if cancelled is not None and cancelled():
                    raise ReadCancelled
                if progress is not None:
                    progress(min(1.0, start / total_lines))
                if len(records) > MAX_ROWS + 1:
                    raise SourceError(
                        f"{name} has more than {MAX_ROWS:,} rows. Split it into smaller files."
                    )
    except csv.Error as exc:
        raise SourceError(
            f"line {start}: malformed CSV ({exc}). A quote that is opened and never closed is "
            "the usual cause.",
            start,
        ) from None
    return records


def read(
    path: Path, *, progress: Progress | None = None, cancelled: Cancelled | None = None
) -> Table:
    name = path.name
    try:
        size = path.stat().st_size
        if size > MAX_CSV_BYTES:
            raise SourceError(
                f"{name} is {size / 2**20:,.0f} MB; a CSV file can be at most "
                f"{MAX_CSV_BYTES // 2**20} MB. Split it into smaller files."
            )
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{name} cannot be read: {exc.strerror}.") from None
    return read_bytes(data, name, progress=progress, cancelled=cancelled)


def read_bytes(
    data: bytes,
    name: str,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Table:
    text, note = decode(data, name)
    return read_text(text, name, encoding_note=note, progress=progress, cancelled=cancelled)


def read_text(
    text: str,
    name: str,
    *,
    encoding_note: str | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Table:
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise SourceError(f"{name} is empty (a header row is expected).", 1)
    separator = sniff_separator(text)
    records = parse(text, separator, name, progress=progress, cancelled=cancelled)
    notes = [encoding_note] if encoding_note else []
    if separator != ",":
        notes.append(f"Columns are separated by {_SEPARATOR_NAMES[separator]}.")
    return table_from_records(records, name=name, kind="csv", notes=notes, cancelled=cancelled)
