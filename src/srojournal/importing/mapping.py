"""The officer's choices for one kind of spreadsheet: which column is which field, what its
labels mean, how its dates are written. Saved in the vault (headers and labels can carry names)
and, for the command line, read from a JSON file (``import --mapping FILE.json``):

    {
      "format": "srojournal-import-mapping",
      "version": 1,
      "columns": {"date": "Date", "time": "Time in", "students": "Student(s)", "notes": null},
      "values": {
        "type": {"Mentor mtg": "mentoring"},
        "school": {"Lincoln HS": "Lincoln High School"}
      },
      "date_format": "M/D/YYYY",
      "default_school": "Lincoln High School",
      "sheet": "Contacts",
      "list_separator": ";"
    }

Every key but ``format`` and ``version`` is optional. A field left out of ``columns`` is found by
its header name and synonyms; ``null`` leaves it out of the import. docs/cli.md describes each key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Final

from srojournal.importing.dates import DateOrder, parse_date_order
from srojournal.importing.fields import FIELD_NAMES
from srojournal.importing.values import CODED_FIELDS

FORMAT: Final = "srojournal-import-mapping"
VERSION: Final = 1
MAX_MAPPING_BYTES: Final = 1024 * 1024
_KEYS: Final = frozenset(
    {
        "format",
        "version",
        "columns",
        "values",
        "date_format",
        "default_school",
        "sheet",
        "list_separator",
    }
)
SEPARATORS: Final = (";", ",", "/", "|")


class MappingError(ValueError):
    """The mapping file is not one we can use; the message says which part and why."""


@dataclass(slots=True)
class Mapping:
    columns: dict[str, str | None] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    date_order: DateOrder | None = None
    default_school: str | None = None
    sheet: str | None = None
    list_separator: str = ";"

    def to_json(self) -> str:
        doc: dict[str, Any] = {"format": FORMAT, "version": VERSION}
        if self.columns:
            doc["columns"] = dict(self.columns)
        values = {k: dict(v) for k, v in self.values.items() if v}
        if values:
            doc["values"] = values
        if self.date_order is not None:
            doc["date_format"] = self.date_order.value
        if self.default_school:
            doc["default_school"] = self.default_school
        if self.sheet:
            doc["sheet"] = self.sheet
        if self.list_separator != ";":
            doc["list_separator"] = self.list_separator
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Mapping:
        if len(text) > MAX_MAPPING_BYTES:
            raise MappingError("the mapping file is larger than 1 MB")
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise MappingError(
                f"the mapping file is not valid JSON ({exc.msg}, line {exc.lineno})"
            ) from None
        if not isinstance(doc, dict):
            raise MappingError("the mapping file must hold a JSON object")
        if doc.get("format") != FORMAT:
            raise MappingError(f'the mapping file must say "format": "{FORMAT}"')
        if doc.get("version") != VERSION:
            raise MappingError(f'this version reads "version": {VERSION} mappings')
        unknown = sorted(set(doc) - _KEYS)
        if unknown:
            raise MappingError("unknown key(s) in the mapping: " + ", ".join(unknown[:5]))
        return cls(
            columns=_columns(doc.get("columns", {})),
            values=_values(doc.get("values", {})),
            date_order=_date_order(doc.get("date_format")),
            default_school=_optional_text(doc.get("default_school"), "default_school"),
            sheet=_optional_text(doc.get("sheet"), "sheet"),
            list_separator=_separator(doc.get("list_separator", ";")),
        )


def _columns(raw: object) -> dict[str, str | None]:
    if not isinstance(raw, dict):
        raise MappingError('"columns" must be an object of field: header')
    out: dict[str, str | None] = {}
    for name, header in raw.items():
        if name not in FIELD_NAMES:
            raise MappingError(
                f'"columns" names an unknown field {str(name)[:40]!r}; the fields are '
                + ", ".join(FIELD_NAMES)
            )
        if header is not None and (not isinstance(header, str) or not header.strip()):
            raise MappingError(f'"columns": {name} must be a header name or null')
        out[name] = header
    return out


def _values(raw: object) -> dict[str, dict[str, str]]:
    if not isinstance(raw, dict):
        raise MappingError('"values" must be an object of field: {label: code}')
    out: dict[str, dict[str, str]] = {}
    for name, table in raw.items():
        if name not in CODED_FIELDS:
            raise MappingError(
                f'"values" can map the labels of {", ".join(CODED_FIELDS)}; not of '
                f"{str(name)[:40]!r}"
            )
        if not isinstance(table, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in table.items()
        ):
            raise MappingError(f'"values": {name} must map labels (text) to codes (text)')
        out[name] = dict(table)
    return out


def _date_order(raw: object) -> DateOrder | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise MappingError('"date_format" must be text such as "M/D/YYYY"')
    try:
        return parse_date_order(raw)
    except ValueError as exc:
        raise MappingError(f'"date_format": {exc}') from None


def _optional_text(raw: object, key: str) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str) or not raw.strip():
        raise MappingError(f'"{key}" must be text')
    return raw.strip()


def _separator(raw: object) -> str:
    if raw not in SEPARATORS:
        raise MappingError('"list_separator" must be one of ' + " ".join(SEPARATORS))
    return str(raw)
