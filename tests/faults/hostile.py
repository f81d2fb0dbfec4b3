"""Campaign 6: hostile files. Generated CSVs for ``import`` and summary JSONs for ``aggregate``
get a clear rejection (exit 5 or 2) or a correct result, in bounded time and memory — never a
traceback, never an internal error.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srojournal.reporting.errors import ReportRejected
from srojournal.reporting.service import aggregate_files, export_month
from srojournal.vault.errors import InvalidInput
from srojournal.vault.importer import COLUMNS, import_csv, read_csv_file
from srojournal.vault.store import Vault
from tests.faults.bitrot import make_base
from tests.faults.common import PASSPHRASE, Run, Tally, cli_cmd, opened, run

MEM_CAP = 1536 * 1024 * 1024  # RLIMIT_AS for the command-line children
CLI_TIMEOUT = 30.0
MAX_LINE = 1000  # an error line longer than this is not "one clear line"


def _settings(n: int) -> Callable[[Any], Any]:
    return settings(
        max_examples=n,
        deadline=None,
        database=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
    )


# -- CSV -------------------------------------------------------------------------------------

_field = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["2026-03-09", "mentoring", "Lincoln Middle", "A;B", "K;7", "resolved", "13:99", "-1"]
    ),
    st.text(alphabet='",\n\r\x00;', max_size=12),
    st.integers().map(str),
    st.just("9" * 5000),
)
_header = st.lists(
    st.one_of(st.sampled_from(COLUMNS), st.text(max_size=10)), min_size=0, max_size=16
)


@st.composite
def hostile_csv(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["table", "table", "table", "binary", "encoded"]))
    if kind == "binary":
        return draw(st.binary(max_size=4000))
    header = draw(_header)
    rows = draw(st.lists(st.lists(_field, max_size=18), max_size=12))
    quote = draw(st.booleans())

    def cell(v: str) -> str:
        return '"' + v.replace('"', '""') + '"' if quote else v

    text = "\n".join(",".join(cell(v) for v in r) for r in [header, *rows])
    if kind == "encoded":
        enc = draw(st.sampled_from(["utf-16", "latin-1", "cp1252", "utf-8-sig", "utf-32"]))
        return text.encode(enc, errors="replace")
    return text.encode("utf-8", errors="surrogatepass")


def _check_rejection(exc: InvalidInput) -> str | None:
    lines = [exc.message, *(str(e) for e in getattr(exc, "errors", []))]
    for ln in lines:
        if "\n" in ln or "\r" in ln or len(ln) > MAX_LINE:
            return f"message line of {len(ln)} chars / with a line break: {ln[:120]!r}"
    return None


def csv_library(trials: int, rng: random.Random, work: Path) -> Tally:
    """Hypothesis-generated CSVs through ``read_csv_file`` + ``import_csv(dry_run=True)``."""
    tally = Tally("hostile CSV (library)")
    folder = work / "csv-vault"
    Vault.create(folder, PASSPHRASE, kdf=_cheap(), allow_weak_kdf=True)[0].close()
    src = work / "hostile.csv"
    with opened(folder) as vault:

        def one(data: bytes) -> None:
            src.write_bytes(data)
            tally.trials += 1
            start = time.monotonic()
            try:
                import_csv(vault.journal, read_csv_file(src), dry_run=True)
            except InvalidInput as exc:
                problem = _check_rejection(exc)
                if problem:
                    tally.fail("crash", problem)
            except Exception as exc:
                tally.fail("crash", f"{type(exc).__name__} escaped for {data[:80]!r}")
            if time.monotonic() - start > 10:
                tally.fail("crash", f"took {time.monotonic() - start:.0f} s for {data[:80]!r}")

        _settings(trials)(given(hostile_csv())(one))()
        vault.journal.verify()
    return tally


def _cheap() -> Any:
    from tests.faults.common import CHEAP_KDF

    return CHEAP_KDF


HOSTILE_CSVS: dict[str, Callable[[], bytes]] = {
    "2 MB field": lambda: b"date,type,notes\n2026-03-09,mentoring," + b"x" * 2_000_000 + b"\n",
    "300 KB note": lambda: b"date,type,notes\n2026-03-09,mentoring," + b"n " * 150_000 + b"\n",
    "unterminated quote": lambda: b'date,type,notes\n2026-03-09,mentoring,"never closed\n' * 3,
    "NUL after 64 KiB": lambda: (
        b"date,type,notes\n"
        + b"2026-03-09,mentoring,ok\n" * 4000
        + b"2026-03-09,mentoring,a\x00b\n"
    ),
    "UTF-16": lambda: "date,type,notes\n2026-03-09,mentoring,hi\n".encode("utf-16"),
    "binary junk": lambda: bytes(random.Random(5).randrange(256) for _ in range(50_000)),
    "only a BOM": lambda: b"\xef\xbb\xbf",
    "50 000 bad rows": lambda: b"date,type\n" + b"not-a-date,mentoring\n" * 50_000,
    # Last, so the small campaign in `make test` leaves them to test_regressions.py:
    "10^5 columns": lambda: (",".join(f"c{i}" for i in range(100_000)) + "\n").encode(),
    "10^5 columns, known header": lambda: (
        "date,type," + ",".join("notes" for _ in range(100_000)) + "\n"
    ).encode(),
}


def _cli_problem(r: Run, ok_codes: tuple[int, ...]) -> str | None:
    if r.code not in ok_codes:
        return f"exit {r.code}: {r.err[-300:]!r}"
    if "Traceback" in r.err or "Traceback" in r.out:
        return "traceback: " + r.err[-300:]
    lines = r.err.splitlines()
    if r.code != 0 and (not lines or not lines[0].startswith("srojournal: ")):
        return f"no clear message: {r.err[:200]!r}"
    long = [ln for ln in lines if len(ln) > MAX_LINE]
    if long or len(r.err) > 256 * 1024:
        return f"unbounded error output ({len(r.err)} chars, longest line {max(map(len, lines))})"
    return None


def csv_cli(trials: int, rng: random.Random, work: Path) -> Tally:
    """Fixed nasty CSVs through ``srojournal import`` with a timeout and a memory cap."""
    tally = Tally("hostile CSV (command line)")
    folder = work / "csv-cli-vault"
    Vault.create(folder, PASSPHRASE, kdf=_cheap(), allow_weak_kdf=True)[0].close()
    names = list(HOSTILE_CSVS)
    for i in range(trials):
        name = names[i % len(names)]
        src = work / f"cli-{i}.csv"
        src.write_bytes(HOSTILE_CSVS[name]())
        tally.trials += 1
        r = run(
            cli_cmd("import", folder, src, "--dry-run", "--passphrase-stdin"),
            stdin=PASSPHRASE + "\n",
            timeout=CLI_TIMEOUT,
            mem_bytes=MEM_CAP,
        )
        ok = (0, 2, 5) if name == "300 KB note" else (2, 5)
        problem = _cli_problem(r, ok)
        if problem:
            tally.fail("crash", f"{name}: {problem}")
        src.unlink()
    return tally


# -- summary JSON for aggregate ---------------------------------------------------------------


def base_summary(work: Path) -> bytes:
    folder = work / "summary-vault"
    make_base(folder)
    with opened(folder) as v:
        return export_month(v.journal, "2026-03", "json")


_junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


@st.composite
def hostile_summary(draw: st.DrawFn, base: dict[str, Any]) -> bytes:
    doc = json.loads(json.dumps(base))
    kind = draw(st.sampled_from(["cell", "cell", "top", "drop", "nest", "bytes", "tables"]))
    if kind == "cell":
        t = draw(st.sampled_from(doc["tables"]))
        if t["cells"]:
            c = draw(st.sampled_from(t["cells"]))
            key = draw(st.sampled_from([*c.keys(), "extra"]))
            c[key] = draw(_junk)
    elif kind == "top":
        doc[draw(st.sampled_from(["format", "version", "period", "threshold", "release"]))] = draw(
            _junk
        )
    elif kind == "drop":
        doc.pop(draw(st.sampled_from(sorted(doc))))
    elif kind == "nest":
        depth = draw(st.integers(min_value=1, max_value=200_000))
        return b"[" * depth + b"1" + b"]" * depth
    elif kind == "tables":
        doc["tables"] = draw(
            st.sampled_from([[], doc["tables"] * 2, doc["tables"][::-1], {"T0": 1}, None])
        )
    else:
        return draw(st.binary(max_size=2000))
    return json.dumps(doc).encode()


def summary_library(trials: int, rng: random.Random, work: Path) -> Tally:
    tally = Tally("hostile summary JSON (library)")
    good = base_summary(work)
    base = json.loads(good)
    good_path = work / "good.json"
    good_path.write_bytes(good)
    bad_path = work / "bad.json"

    def one(data: bytes) -> None:
        bad_path.write_bytes(data)
        tally.trials += 1
        start = time.monotonic()
        try:
            aggregate_files([good_path, bad_path], "json")
        except ReportRejected as exc:
            if len(str(exc)) > MAX_LINE or "\n" in str(exc):
                tally.fail("crash", f"unclear message: {str(exc)[:120]!r}")
        except Exception as exc:
            tally.fail("crash", f"{type(exc).__name__} escaped for {data[:80]!r}")
        if time.monotonic() - start > 10:
            tally.fail("crash", f"took {time.monotonic() - start:.0f} s for {data[:80]!r}")

    _settings(trials)(given(hostile_summary(base))(one))()
    return tally


def _summary_cases(good: bytes) -> dict[str, tuple[bytes, tuple[int, ...]]]:
    base = json.loads(good)

    def with_(**kw: Any) -> bytes:
        return json.dumps({**base, **kw}).encode()

    t0 = base["tables"][0]
    many_cells = {**t0, "cells": [t0["cells"][0]] * 1_000_000}
    text = good.decode()
    first_count = text.index('"count": ') + len('"count": ')
    end = text.index(",", first_count)
    return {
        "deep nesting": (b"[" * 200_000 + b"]" * 200_000, (2, 5)),
        "deep object nesting": (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, (2, 5)),
        "10^6 cells": (json.dumps({**base, "tables": [many_cells]}).encode(), (2, 5)),
        "negative count": (text[:first_count] + "-3" + text[end:]).encode()
        and (
            (text[:first_count] + "-3" + text[end:]).encode(),
            (2, 5),
        ),
        "fractional count": ((text[:first_count] + "2.5" + text[end:]).encode(), (2, 5)),
        "5000-digit count": ((text[:first_count] + "7" * 5000 + text[end:]).encode(), (2, 5)),
        "NaN count": ((text[:first_count] + "NaN" + text[end:]).encode(), (2, 5)),
        "version 2": (with_(version=2), (2, 5)),
        "other threshold": (with_(threshold=base["threshold"] + 5), (0, 2, 5)),
        "threshold 1": (with_(threshold=1), (2, 5)),
        "same file twice": (good, (2, 5)),
        "not JSON": (b"\xff\xfe garbage", (2, 5)),
        "empty": (b"", (2, 5)),
    }


def summary_cli(trials: int, rng: random.Random, work: Path) -> Tally:
    tally = Tally("hostile summary JSON (command line)")
    good = base_summary(work)
    good_path = work / "good-cli.json"
    good_path.write_bytes(good)
    cases = _summary_cases(good)
    names = list(cases)
    for i in range(trials):
        name = names[i % len(names)]
        data, ok = cases[name]
        bad = work / f"agg-{i}.json"
        bad.write_bytes(data)
        out = work / f"agg-{i}.out"
        tally.trials += 1
        r = run(
            cli_cmd("aggregate", good_path, bad, "--out", out),
            timeout=CLI_TIMEOUT,
            mem_bytes=MEM_CAP,
        )
        problem = _cli_problem(r, ok)
        if problem:
            tally.fail("crash", f"{name}: {problem}")
        bad.unlink()
    return tally
