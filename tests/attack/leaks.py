"""Leaks in the bytes of a released file, found the way a reader would find them.

Both sides are normalised (Unicode NFKC, case folded, punctuation and whitespace collapsed), so
"Ｓａｍ  Ｒｉｖｅｒａ" in a file is "sam rivera". Checked: student aliases, any run of six words
from a note, dates finer than a month, labels outside the code lists and the officer's school
list (note text imported as a "school"), and CSV fields a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
import unicodedata
from collections.abc import Iterable

from tests.attack.reader import ALL, CATEGORIES, GROUP_TYPE_CATEGORY, OUTCOME_GROUPS
from tests.attack.truth import BANDS, REFERRALS

CODES = frozenset(
    (*CATEGORIES, *OUTCOME_GROUPS, *BANDS, *REFERRALS, *GROUP_TYPE_CATEGORY, "other", ALL,
     "contacts", "students", "hours", "follow_ups_due", "follow_ups_done", "attendees",
     "due", "done_on_time", "done_late", "open")
)  # fmt: skip
DATES = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b\d{1,2}:\d{2}\b|\b20\d{6}\b"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}\b"
    r"|\b\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)",
    re.IGNORECASE,
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@functools.lru_cache(maxsize=65536)
def normal(text: str) -> str:
    """NFKC, case folded, every run of punctuation and whitespace one space."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def scan(
    data: bytes,
    *,
    aliases: Iterable[str] = (),
    notes: Iterable[str] = (),
    schools: Iterable[str] = (),
) -> list[str]:
    """Every kind of leak in a released JSON or CSV file (each kind once, with what matched)."""
    text = data.decode("utf-8")
    found: list[str] = []
    labels = _labels(text)
    flat = f" {normal(text)} "
    for alias in aliases:
        a = normal(alias)
        if len(a) >= 4 and f" {a} " in flat:
            found.append(f"alias {alias!r}")
    words = flat.split()
    runs = {" ".join(words[i : i + 6]) for i in range(len(words) - 5)}
    for note in notes:
        nw = normal(note).split()
        if any(" ".join(nw[i : i + 6]) in runs for i in range(len(nw) - 5)):
            found.append("a six-word run of a note")
    for label in labels:
        if DATES.search(label):
            found.append(f"a date finer than a month in {label!r}")
    if re.search(r"\b\d{4}-\d{2}-\d{2}\b", text):
        found.append("a date finer than a month")
    allowed = CODES | {normal(s) for s in schools}
    for label in labels:
        if label not in CODES and normal(label) not in allowed:
            found.append(f"label outside the allow-lists: {label!r}")
    if not text.lstrip().startswith("{"):
        for row in csv.reader(io.StringIO(text)):
            for value in row:
                if value.startswith(FORMULA_START):
                    found.append(f"CSV field a spreadsheet runs as a formula: {value!r}")
    return list(dict.fromkeys(found))


def _labels(text: str) -> list[str]:
    """Every text value of the file that is not a number or a fixed field."""
    if text.lstrip().startswith("{"):
        doc = json.loads(text)
        out = []
        for table in doc["tables"]:
            for cell in table["cells"]:
                out += [str(cell[d]) for d in table["dimensions"]]
        return out
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    skip = {"period", "release", "threshold", "table", "unit", "count", "status"}
    return [v for row in rows[1:] for h, v in zip(header, row, strict=False) if h not in skip and v]
