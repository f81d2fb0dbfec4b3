"""The last line of defence (docs/summary-format.md): scan an output's bytes before writing it.

Four kinds of leak are looked for, and a hit raises :class:`LeakFound` naming the kind only:

Both sides are normalised before they are compared: Unicode NFKC, case folding, and every run
of whitespace or punctuation made one space (:func:`normalize`, built on the one alias
normalisation of :func:`srojournal.domain.text.normalize_alias`), so "Sam  R", "sam-r" and
"Ｓａｍ R" are the same words.

* **name** — every alias or name of every student (archived too), as a whole run of words.
  A one-word alias that every summary contains anyway (a taxonomy code or label such as
  "High", a field name, a word of the report's fixed text, a number, a lone letter such as
  the ``S`` marker) is not searched for: its presence in a report says
  nothing about the student, and searching for it would refuse every export of an officer who
  has a student nicknamed "High". School names do *not* exempt an alias: a student called
  "Lincoln" at "Lincoln High" refuses the export until the alias is made distinct (the school
  name is officer-typed text, the one place where a name could slip into a summary).
* **note** — every run of six consecutive words *of the output* is looked up in the notes through
  a callable (the vault answers from its full-text index, so the notes are never decrypted into
  this process). Words are split like the index does: letters and digits, everything else
  separates.
* **date** — anything finer than a month: ``YYYY-MM-DD``, ``DD/MM/YYYY`` and other numeric
  forms, ``March 3`` / ``3 March``, clock times, ``YYYYMMDD`` and PDF ``D:`` dates with a day.
* **label** — every word of a text output must come from the allow-lists: taxonomy codes and
  labels, ``_all``, the configured school names, the fixed field names, and the fixed text of
  our renderers; numbers are allowed.
* **school** — every school name in the output must have the shape of a name
  (:func:`srojournal.domain.schools.clean_school_name`), and must not hold a student's alias.
* **formula** — no CSV field may start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return (a spreadsheet would run it); the CSV renderer neutralises them, this refuses any left.

PDF files are checked twice: the text the renderer is about to draw, then the final bytes (raw
and with every deflated stream inflated) for names, dates and identifying metadata.
"""

from __future__ import annotations

import csv
import io
import re
import zlib
from collections.abc import Callable, Iterable, Sequence

from srojournal.domain.schools import FORMULA_START, SchoolNameRefused, clean_school_name
from srojournal.domain.taxonomy import (
    BUILTIN_CONTACT_TYPES,
    CATEGORY_LABELS,
    GRADE_BANDS,
    NO_OUTCOME_GROUP,
    OUTCOME_GROUPS,
    OUTCOMES,
    REFERRAL_TARGETS,
)
from srojournal.domain.text import normalize_alias

from .errors import LeakFound, ReportRejected
from .tables import (
    ALL,
    OTHER_TYPE,
    T0_MEASURES,
    T5_STATUSES,
    T6_MEASURES,
    TABLE_DIMENSIONS,
    TABLE_IDS,
    TABLE_TITLES,
    TABLE_UNITS,
)

PhraseLookup = Callable[[Sequence[str]], bool]
"""Whether any note holds these words as a phrase (asked for six-word runs and single words)."""

_WORD = re.compile(r"[^\W_]+")
_LABEL_TOKEN = re.compile(r"[^\W\d_]+")
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE_PATTERNS = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"(?<!\d)\d{4}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}(?!\d)",  # 2026-03-05, 2026/3/5
        r"(?<!\d)\d{1,2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{2,4}(?!\d)",  # 05/03/2026, 3.5.26
        rf"\b{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b",  # March 3, Mar. 3rd
        rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}\b",  # 3 March, 3rd of March
        r"(?<!\d)\d{1,2}:\d{2}(?::\d{2})?(?!\d)",  # 14:05, 9:30:00
        r"(?<!\d)(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?!\d)",  # 20260305
        r"D:\d{8}",  # PDF date with a day
    )
)

# In PDF bytes (content streams are full of numbers) only unambiguous date forms are looked for:
# ISO dates (XMP), PDF ``D:`` dates with a day, and ISO times.
_PDF_DATE_PATTERNS = tuple(
    re.compile(p)
    for p in (
        r"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)",
        r"D:\d{8}",
        r"T\d{2}:\d{2}(?::\d{2})?",
    )
)

FIELD_NAMES = (
    "format",
    "version",
    "period",
    "periods",
    "threshold",
    "input_thresholds",
    "sources",
    "release",
    "tables",
    "table",
    "id",
    "unit",
    "dimensions",
    "cells",
    "count",
    "status",
    "ok",
    "S",
    "lower_bound",
    "null",
    "srojournal-summary",
    "srojournal-aggregate",
    "value",
    "Q",  # the quarter in a period such as 2026-Q1
)


def _codes() -> list[str]:
    words: list[str] = [ALL, OTHER_TYPE, NO_OUTCOME_GROUP, *FIELD_NAMES]
    words += list(TABLE_IDS) + list(TABLE_UNITS.values()) + list(TABLE_TITLES.values())
    for dims in TABLE_DIMENSIONS.values():
        words += list(dims)
    words += list(T0_MEASURES) + list(T5_STATUSES) + list(T6_MEASURES)
    words += list(OUTCOME_GROUPS) + list(GRADE_BANDS)
    words += list(CATEGORY_LABELS) + list(CATEGORY_LABELS.values())
    words += list(REFERRAL_TARGETS) + list(REFERRAL_TARGETS.values())
    for t in BUILTIN_CONTACT_TYPES:
        words += [t.code, t.label, t.category]
    for o in OUTCOMES:
        words += [o.code, o.label]
    return words


_NON_WORD = re.compile(r"[\W_]+")


def normalize(text: str) -> str:
    """NFKC, case folded, whitespace and punctuation runs made one space, trimmed."""
    return _NON_WORD.sub(" ", normalize_alias(text)).strip()


def vocabulary(schools: Iterable[str] = (), extra: Iterable[str] = ()) -> frozenset[str]:
    """Normalised words allowed in an output."""
    vocab: set[str] = set()
    for text in (*_codes(), *schools, *extra):
        vocab.update(_LABEL_TOKEN.findall(normalize_alias(text)))
    return frozenset(vocab)


def words_of(text: str) -> list[str]:
    return _WORD.findall(normalize_alias(text))


class LeakChecker:
    """Checks outputs against the journal's names and notes and the allow-lists."""

    def __init__(
        self,
        *,
        names: Iterable[str] = (),
        phrase_in_notes: PhraseLookup | None = None,
        schools: Iterable[str] = (),
        extra_vocabulary: Iterable[str] = (),
    ) -> None:
        extra = tuple(extra_vocabulary)
        self.vocab = vocabulary(schools, extra)
        fixed = vocabulary((), extra)  # school names do not exempt an alias
        self._names: dict[str, list[tuple[str, ...]]] = {}
        for name in set(names):
            tokens = tuple(words_of(name))
            if not tokens:
                continue
            # A lone letter or number, or a single word that every report holds anyway ("High",
            # "Safety"), says nothing about a student. Several words are searched as a run.
            if len(tokens) == 1 and (len(tokens[0]) == 1 or tokens[0].isdigit()):
                continue
            if all(t in fixed or t.isdigit() for t in tokens):
                continue
            self._names.setdefault(tokens[0], []).append(tokens)
        self._phrase = phrase_in_notes
        self._asked: dict[tuple[str, ...], bool] = {}

    # -- individual checks -------------------------------------------------------------------
    def _has_name(self, words: Sequence[str]) -> bool:
        for i, w in enumerate(words):
            for seq in self._names.get(w, ()):
                if tuple(words[i : i + len(seq)]) == seq:
                    return True
        return False

    def check_names(self, text: str) -> None:
        if self._names and self._has_name(words_of(text)):
            raise LeakFound("name")

    def check_schools(self, schools: Iterable[str]) -> None:
        """Every school name in an output is a name, and holds no student's alias."""
        for school in schools:
            try:
                cleaned = clean_school_name(school)
            except SchoolNameRefused as exc:
                raise ReportRejected(
                    f"export refused: a school name is not a name ({_reason(exc)}); correct it "
                    "in Settings → Schools"
                ) from None
            if cleaned != school:
                raise ReportRejected(
                    "export refused: a school name is not a name (it has extra spaces or "
                    "characters that change under normalisation); correct it in Settings → Schools"
                )
            if self._names and self._has_name(words_of(school)):
                raise LeakFound("name")

    def check_csv_bytes(self, data: bytes) -> None:
        """A CSV output: every text check, and no field a spreadsheet would run as a formula."""
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise LeakFound("label") from None
        for row in csv.reader(io.StringIO(text, newline="")):
            for value in row:
                if value.startswith(FORMULA_START):
                    raise LeakFound("formula")
        self.check_text(text)

    def check_dates(self, text: str) -> None:
        text = normalize_alias(text)
        for pattern in _DATE_PATTERNS:
            if pattern.search(text):
                raise LeakFound("date")

    def check_labels(self, text: str) -> None:
        for token in _LABEL_TOKEN.findall(normalize_alias(text)):
            if token not in self.vocab:
                raise LeakFound("label")

    def check_notes(self, text: str) -> None:
        if self._phrase is None:
            return
        words = words_of(text)
        for i in range(len(words) - 5):
            window = tuple(words[i : i + 6])
            hit = self._asked.get(window)
            if hit is None:
                # A note holds the run only if it holds each of its words: most runs of a
                # summary have a word no note has ("srojournal", a code), which one question
                # per distinct word settles.
                hit = all(self._in_notes(w) for w in window) and bool(self._phrase(window))
                self._asked[window] = hit
            if hit:
                raise LeakFound("note")

    def _in_notes(self, word: str) -> bool:
        hit = self._asked.get((word,))
        if hit is None:
            assert self._phrase is not None
            hit = self._asked[(word,)] = bool(self._phrase((word,)))
        return hit

    # -- whole outputs -----------------------------------------------------------------------
    def check_text(self, text: str) -> None:
        """Every check, for text outputs (JSON, CSV) and for the text a PDF will draw."""
        self.check_names(text)
        self.check_dates(text)
        self.check_labels(text)
        self.check_notes(text)

    def check_text_bytes(self, data: bytes) -> None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise LeakFound("label") from None
        self.check_text(text)

    def check_pdf_bytes(self, data: bytes) -> None:
        """Final PDF bytes: metadata, and names and dates in raw and inflated content."""
        raw = data.decode("latin-1")
        for field in ("Title", "Author", "Creator", "Subject", "Keywords"):
            m = re.search(rf"/{field}\s*\(([^)]*)\)", raw)
            if m and m.group(1).strip():
                raise LeakFound("metadata")
            if re.search(rf"/{field}\s*<[0-9A-Fa-f]+>", raw):
                raise LeakFound("metadata")
        # Outside streams, and inside every stream that inflates to text: compressed binary (font
        # programs) would match short aliases by chance and says nothing anyway.
        outside = re.sub(r"stream\r?\n.*?endstream", " ", raw, flags=re.DOTALL)
        for part in (outside, *self._inflated(data)):
            self.check_names(part)
            for pattern in _PDF_DATE_PATTERNS:
                if pattern.search(part):
                    raise LeakFound("date")

    @staticmethod
    def _inflated(data: bytes) -> list[str]:
        """Every stream that inflates (FlateDecode), as text; others are skipped.

        A stream is inflated from its ``stream`` keyword to the end of its own deflate data,
        not to the next ``endstream``: those bytes can occur inside the data (a writer may store
        a note's words uncompressed), and a stream whose ``endstream`` is missing is read too.
        """
        out: list[str] = []
        view = memoryview(data)
        for m in re.finditer(rb"stream\r?\n", data):
            try:
                inflated = zlib.decompressobj().decompress(view[m.end() :])
            except zlib.error:
                continue
            printable = sum(1 for b in inflated if 32 <= b < 127 or b in (9, 10, 13))
            if inflated and printable >= 0.95 * len(inflated):
                out.append(inflated.decode("latin-1"))
        return out


def check_output(
    data: bytes,
    fmt: str,
    *,
    names: Iterable[str] = (),
    phrase_in_notes: PhraseLookup | None = None,
    schools: Iterable[str] = (),
    extra_vocabulary: Iterable[str] = (),
) -> None:
    """Check the bytes of one output (``json``, ``csv`` or ``pdf``); raise LeakFound on a hit.

    For PDFs this checks the final bytes only; the renderer also checks the text it draws.
    """
    checker = LeakChecker(
        names=names,
        phrase_in_notes=phrase_in_notes,
        schools=schools,
        extra_vocabulary=extra_vocabulary,
    )
    if fmt == "pdf":
        checker.check_pdf_bytes(data)
    elif fmt == "csv":
        checker.check_csv_bytes(data)
    else:
        checker.check_text_bytes(data)


def _reason(exc: SchoolNameRefused) -> str:
    text = str(exc).rstrip(".")
    return text[:1].lower() + text[1:]
