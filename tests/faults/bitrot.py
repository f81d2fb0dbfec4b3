"""Campaigns 2 and 3: bit rot in copies of ``journal.db`` and ``vault.key``, and hostile key
headers. Every damage is detected (``VaultDamaged``/``HeaderDamaged``, exit 4 with one clear line
from ``srojournal verify``), never a traceback, never wrong data; hostile headers are refused before
any key derivation runs.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import random
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from srojournal.vault import keys
from srojournal.vault.errors import VaultError, WrongPassphrase
from srojournal.vault.store import Vault
from tests.faults.common import (
    CHEAP_KDF,
    PASSPHRASE,
    Tally,
    child_env,
    cli_cmd,
    contact,
    one_clear_line,
    opened,
    run,
)

PAGE = 4096


def make_base(folder: Path) -> str:
    """A closed vault with students, contacts and follow-ups; returns a digest of its content."""
    vault, _code = Vault.create(folder, PASSPHRASE, kdf=CHEAP_KDF, allow_weak_kdf=True)
    j = vault.journal
    with j.batch():
        school = j.add_school("Lincoln Middle")
        ids = [j.add_student(f"Student {i}", school, "8") for i in range(30)]
        for i in range(150):
            cid = j.add_contact(
                contact(f"bitrot note {i} " + "w" * (i * 7), school, ids[i % 30 :][:2])
            )
            if i % 10 == 0:
                j.add_follow_up(
                    dt.date(2026, 4, 1), "check in", [ids[i % 30]], source_contact_id=cid
                )
    vault.close()
    with opened(folder, read_only=True) as v:
        return content_digest(v)


def content_digest(v: Vault) -> str:
    h = hashlib.sha256()
    for table in ("contacts", "students", "follow_ups", "contact_students"):
        for row in v.conn.execute(f"SELECT * FROM {table} ORDER BY 1"):
            h.update(repr(row).encode())
    return h.hexdigest()


def _damage_db(data: bytearray, rng: random.Random) -> tuple[bytearray, str]:
    n = len(data)
    kind = rng.choice(
        ["bit", "bit", "byte", "burst", "zero-page", "swap-pages", "trunc", "trunc-page"]
    )
    if kind == "bit":
        i = rng.randrange(n)
        data[i] ^= 1 << rng.randrange(8)
        return data, f"bit flip at {i}"
    if kind == "byte":
        i = rng.randrange(n)
        data[i] = (data[i] + rng.randint(1, 255)) % 256
        return data, f"byte changed at {i}"
    if kind == "burst":
        i, k = rng.randrange(n), rng.randint(2, 512)
        for j in range(i, min(n, i + k)):
            data[j] = rng.randrange(256)
        return data, f"burst of {k} at {i}"
    pages = n // PAGE
    if kind == "zero-page":
        p = rng.randrange(pages)
        data[p * PAGE : (p + 1) * PAGE] = bytes(PAGE)
        return data, f"page {p} zeroed"
    if kind == "swap-pages" and pages >= 2:
        a, b = rng.sample(range(pages), 2)
        pa, pb = bytes(data[a * PAGE : (a + 1) * PAGE]), bytes(data[b * PAGE : (b + 1) * PAGE])
        data[a * PAGE : (a + 1) * PAGE], data[b * PAGE : (b + 1) * PAGE] = pb, pa
        return data, f"pages {a} and {b} swapped"
    if kind == "trunc-page":
        cut = rng.randrange(pages) * PAGE
        return data[:cut], f"truncated to {cut} (page boundary)"
    cut = rng.randrange(n)
    return data[:cut], f"truncated to {cut}"


def _damage_header(data: bytearray, rng: random.Random) -> tuple[bytearray, str]:
    n = len(data)
    kind = rng.choice(["bit", "byte", "trunc", "burst"])
    if kind == "bit":
        i = rng.randrange(n)
        data[i] ^= 1 << rng.randrange(8)
        return data, f"header bit flip at {i}"
    if kind == "byte":
        i = rng.randrange(n)
        data[i] = rng.randrange(256)
        return data, f"header byte set at {i}"
    if kind == "burst":
        i, k = rng.randrange(n), rng.randint(2, 64)
        for j in range(i, min(n, i + k)):
            data[j] = rng.randrange(256)
        return data, f"header burst of {k} at {i}"
    cut = rng.randrange(n)
    return data[:cut], f"header truncated to {cut}"


def _same_header(a: bytes, b: bytes) -> bool:
    try:
        return bool(json.loads(a) == json.loads(b))
    except ValueError:
        return False


def bit_rot(trials: int, rng: random.Random, work: Path, cli_samples: int = 3) -> Tally:
    tally = Tally("bit rot and truncation")
    base = work / "rot-base"
    digest = make_base(base)
    original = {name: (base / name).read_bytes() for name in ("journal.db", "vault.key")}
    cli_every = max(1, trials // max(1, cli_samples))
    for trial in range(trials):
        target = work / f"rot-{trial}"
        shutil.copytree(base, target)
        name = "vault.key" if rng.random() < 0.2 else "journal.db"
        damage = _damage_header if name == "vault.key" else _damage_db
        data, what = damage(bytearray(original[name]), rng)
        (target / name).write_bytes(bytes(data))
        tally.trials += 1
        harmless = bytes(data) == original[name] or (
            name == "vault.key" and _same_header(bytes(data), original[name])
        )
        if trial % cli_every == 0 and cli_samples:
            r = run(
                cli_cmd("verify", target, "--passphrase-stdin"),
                stdin=PASSPHRASE + "\n",
                env=child_env(),
            )
            problem = one_clear_line(r)
            if harmless and r.code == 0:
                pass
            elif r.code != 4 or problem:
                tally.fail("crash", f"trial {trial} ({name}: {what}): exit {r.code} {problem}")
        else:
            try:
                with opened(target, read_only=True) as v:
                    v.journal.verify()
                    same = content_digest(v) == digest
            except WrongPassphrase as exc:
                tally.fail("crash", f"trial {trial} ({name}: {what}): exit 3: {exc.message}")
            except VaultError:
                pass  # detected: VaultDamaged / HeaderDamaged / NotAVault, exit 4
            except Exception as exc:
                tally.fail("crash", f"trial {trial} ({name}: {what}): {exc!r}")
            else:
                if not same:
                    tally.fail("damaged", f"trial {trial} ({name}: {what}): wrong data returned")
                elif not harmless:
                    tally.fail("damaged", f"trial {trial} ({name}: {what}): damage not detected")
        shutil.rmtree(target)
    return tally


# -- hostile key headers (campaign 3) ----------------------------------------------------------


def _resum(doc: dict[str, Any]) -> dict[str, Any]:
    body = {k: v for k, v in doc.items() if k != "checksum"}
    body["checksum"] = hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    return body


def _slot(doc: dict[str, Any], **changes: Any) -> dict[str, Any]:
    for s in (doc["keys"]["passphrase"], doc["keys"]["recovery"]):
        s.update(changes)
        for k, v in changes.items():
            if v is _DROP:
                del s[k]
    return doc


def _keys(doc: dict[str, Any], **changes: Any) -> dict[str, Any]:
    keys_doc = doc["keys"]
    keys_doc.update(changes)
    for k, v in changes.items():
        if v is _DROP:
            del keys_doc[k]
    return doc


def _recovery(doc: dict[str, Any], **changes: Any) -> dict[str, Any]:
    slot = doc["keys"]["recovery"]
    slot.update(changes)
    for k, v in changes.items():
        if v is _DROP:
            del slot[k]
    return doc


_DROP = object()
Mutation = Callable[[dict[str, Any]], Any]

HOSTILE_HEADERS: dict[str, Mutation] = {
    "memory 64 GiB": lambda d: _slot(d, memory_kib=64 * 1024 * 1024),
    "memory 10^12 KiB": lambda d: _slot(d, memory_kib=10**12),
    "memory negative": lambda d: _slot(d, memory_kib=-1),
    "memory zero": lambda d: _slot(d, memory_kib=0),
    "memory as text": lambda d: _slot(d, memory_kib="262144"),
    "memory as float": lambda d: _slot(d, memory_kib=262144.0),
    "memory as bool": lambda d: _slot(d, memory_kib=True),
    "memory null": lambda d: _slot(d, memory_kib=None),
    "memory missing": lambda d: _slot(d, memory_kib=_DROP),
    "iterations 10^9": lambda d: _slot(d, iterations=10**9),
    "iterations 65": lambda d: _slot(d, iterations=65),
    "iterations zero": lambda d: _slot(d, iterations=0),
    "iterations float": lambda d: _slot(d, iterations=3.5),
    "lanes zero": lambda d: _slot(d, lanes=0),
    "lanes 10^6": lambda d: _slot(d, lanes=10**6),
    "lanes missing": lambda d: _slot(d, lanes=_DROP),
    "kdf scrypt": lambda d: _slot(d, kdf="scrypt"),
    "kdf missing": lambda d: _slot(d, kdf=_DROP),
    "kdf unknown": lambda d: _slot(d, kdf="pbkdf2"),
    "salt not base64": lambda d: _slot(d, salt="***"),
    "salt short": lambda d: _slot(d, salt=base64.b64encode(b"x").decode()),
    "salt number": lambda d: _slot(d, salt=12),
    "nonce wrong size": lambda d: _slot(d, nonce=base64.b64encode(b"n" * 8).decode()),
    "wrapped key wrong size": lambda d: _slot(d, wrapped_key=base64.b64encode(b"k" * 8).decode()),
    "legacy flag as text": lambda d: _slot(d, legacy="yes"),
    "recovery public key short": lambda d: _recovery(d, public_key=base64.b64encode(b"p").decode()),
    "recovery public key zero": lambda d: _recovery(
        d, public_key=base64.b64encode(bytes(32)).decode()
    ),
    "recovery ephemeral key missing": lambda d: _recovery(d, ephemeral_key=_DROP),
    "recovery says legacy but sealed": lambda d: _recovery(d, legacy=True),
    "recovery sealed kdf without keys": lambda d: _recovery(
        d, public_key=_DROP, ephemeral_key=_DROP
    ),
    "version 3": lambda d: d.update(version=3),
    "version 0": lambda d: d.update(version=0),
    "version 1 with a version 2 body": lambda d: d.update(version=1),
    "version text": lambda d: d.update(version="1"),
    "version float": lambda d: d.update(version=1.0),
    "version bool": lambda d: d.update(version=True),
    "version null": lambda d: d.update(version=None),
    "version huge": lambda d: d.update(version=10**30),
    "version missing": lambda d: d.pop("version"),
    "format missing": lambda d: d.pop("format"),
    "format other": lambda d: d.update(format="something-else"),
    "keys missing": lambda d: d.pop("keys"),
    "keys list": lambda d: d.update(keys=[1, 2]),
    "keys empty": lambda d: d.update(keys={}),
    "keys number": lambda d: d.update(keys=7),
    "passphrase slot missing": lambda d: _keys(d, passphrase=_DROP),
    "recovery slot missing": lambda d: _keys(d, recovery=_DROP),
    "recovery slot list": lambda d: _keys(d, recovery=[1]),
    "database missing": lambda d: _keys(d, database=_DROP),
    "database null": lambda d: _keys(d, database=None),
    "database list": lambda d: _keys(d, database=[1]),
    "journal mark junk": lambda d: _keys(d, journal="junk"),
    "journal mark negative": lambda d: _keys(d, journal={"generation": -1, "mac": "AAAA"}),
    "change in the current keys": lambda d: _keys(d, change="passphrase_changed"),
    "pending junk": lambda d: d.update(pending="junk"),
    "pending empty": lambda d: d.update(pending={}),
    "pending 50 levels deep": lambda d: d.update(pending={"keys": {"a": [[[[[[[[[[1]]]]]]]]]]}}),
    "vault id number": lambda d: d.update(vault_id=7),
    "vault id huge": lambda d: d.update(vault_id="f" * 100_000),
}

RAW_HOSTILE_HEADERS: dict[str, bytes] = {
    "empty file": b"",
    "not json": b"hello",
    "not utf-8": b'{"format": "\xff\xfe"}',
    "NUL bytes": b"\x00" * 1000,
    "json list": b"[1, 2, 3]",
    "json string": b'"srojournal-keyheader"',
    "json null": b"null",
    "deep nesting": b"[" * 30_000 + b"]" * 30_000,
    "deep object nesting": b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
    "over 64 KiB": b'{"format": "srojournal-keyheader", "pad": "' + b"x" * 70_000 + b'"}',
    "number 5000 digits": b"1" * 5000,
    # filled in by hostile_headers() from the real header:
    "NaN memory": b"",
    "memory with 5000 digits": b"",
}


def hostile_headers(work: Path, cli_samples: int = 3) -> Tally:
    """Every hostile header is refused with a VaultError (exit 4 via the CLI), in < 1 s."""
    tally = Tally("hostile key headers")
    base = work / "hdr-base"
    vault, _code = Vault.create(base, PASSPHRASE, kdf=CHEAP_KDF, allow_weak_kdf=True)
    vault.close()
    good = json.loads((base / keys.HEADER_NAME).read_bytes())
    cases: list[tuple[str, bytes]] = []
    for name, mutate in HOSTILE_HEADERS.items():
        for resum in (True, False):
            doc = json.loads(json.dumps(good))
            mutate(doc)
            doc = _resum(doc) if resum else doc
            label = name + (" (checksum fixed)" if resum else "")
            cases.append((label, json.dumps(doc).encode()))
    for name, raw in RAW_HOSTILE_HEADERS.items():
        if name == "NaN memory":
            doc = _resum(_slot(json.loads(json.dumps(good)), memory_kib=float("nan")))
            raw = json.dumps(doc).encode()
        elif name == "memory with 5000 digits":
            text = json.dumps(good)
            raw = text.replace('"memory_kib": 8192', '"memory_kib": ' + "9" * 5000).encode()
        cases.append((name, raw))
    target = work / "hdr-target"
    shutil.copytree(base, target)
    cli_every = max(1, len(cases) // max(1, cli_samples))
    for i, (label, raw) in enumerate(cases):
        (target / keys.HEADER_NAME).write_bytes(raw)
        tally.trials += 1
        if cli_samples and i % cli_every == 0:
            r = run(cli_cmd("verify", target, "--passphrase-stdin"), stdin=PASSPHRASE + "\n")
            problem = one_clear_line(r)
            if r.code != 4 or problem:
                tally.fail("crash", f"{label}: exit {r.code} {problem or r.err.strip()[:200]}")
            continue
        start = time.monotonic()
        try:
            with opened(target, read_only=True):
                pass
        except WrongPassphrase as exc:
            tally.fail("crash", f"{label}: reported as a wrong passphrase: {exc.message}")
        except VaultError:
            pass
        except Exception as exc:
            tally.fail("crash", f"{label}: {type(exc).__name__} escaped (CLI exit 1)")
        else:
            tally.fail("damaged", f"{label}: the hostile header was accepted")
        elapsed = time.monotonic() - start
        if elapsed > 1.0:
            tally.fail("crash", f"{label}: took {elapsed:.1f} s before refusing")
    return tally
