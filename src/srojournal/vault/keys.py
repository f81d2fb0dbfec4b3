"""Where a passphrase or a recovery code becomes the vault's data key.

The database is encrypted with a random 256-bit *data key*. The key header (``vault.key``, JSON)
holds a *keyset*: the data key wrapped with AES-256-GCM under a random *master key*, and the master
key wrapped twice, under a key derived with Argon2id from the passphrase (the passphrase slot) and
sealed to the recovery code's public key (the recovery slot, see ``recovery.py``).

Changing the passphrase revokes the old one: a new keyset (new master key, new data key) replaces
the old and the journal is re-encrypted under the new data key, so the old passphrase with any old
copy of the header (every backup holds one) no longer opens the live journal. While the change is
in flight the header holds both keysets (``keys`` and ``pending``): a crash at any moment leaves
a vault that opens with the old or the new passphrase, whichever matches the database. The
recovery slot of the new keyset is sealed to the same public key, so the recovery code survives
without being re-issued.

The GCM associated data binds every slot to the vault id and to its own KDF parameters, and the
data key's wrap binds the recovery slot, so a header edited to weaker parameters, moved to another
vault or given another recovery key does not unwrap. A checksum over the whole header tells
accidental damage apart from a wrong passphrase. Format 1 headers (one keyset, the recovery slot
a plain Argon2id wrap) are read and converted; see docs/vault.md.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import os
import secrets
import time
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from srojournal.vault import recovery
from srojournal.vault.errors import (
    HeaderDamaged,
    NotAVault,
    VaultError,
    WrongPassphrase,
    WrongRecoveryCode,
)
from srojournal.vault.fsutil import atomic_write
from srojournal.vault.layout import HEADER_NAME as HEADER_NAME  # re-exported

HEADER_FORMAT: Final = "srojournal-keyheader"
HEADER_VERSION: Final = 2
MAX_HEADER_BYTES: Final = 64 * 1024
KEY_BYTES: Final = 32

# Product defaults (docs/vault.md). Creation calibrates iterations to about one second.
DEFAULT_MEMORY_KIB: Final = 256 * 1024
MIN_PRODUCT_MEMORY_KIB: Final = 64 * 1024
MIN_PRODUCT_ITERATIONS: Final = 3
TARGET_KDF_SECONDS: Final = 1.0
# The most a header may ask for. Calibration never goes above 256 MiB and 20 iterations; the caps
# leave room for an officer who chooses more memory, and keep a tampered header from making an
# unlock spend minutes and gigabytes (swapping an 8 GB laptop) before it fails.
MAX_MEMORY_KIB: Final = 1024 * 1024
MAX_ITERATIONS: Final = 20
MAX_LANES: Final = 16
# The cheapest parameters a test suite may open (with ``accept_weak_kdf_for_tests``).
_TEST_MIN_MEMORY_KIB: Final = 8 * 1024
_accept_weak_kdf = False

RECOVERY_ALPHABET: Final = "ABCDEFGHJKMNPQRSTVWXYZ0123456789"  # Crockford base32, no I L O U
RECOVERY_GROUPS: Final = 8
RECOVERY_GROUP_LEN: Final = 4  # 32 symbols x 5 bits = 160 bits


@dataclass(frozen=True, slots=True)
class KdfParams:
    memory_kib: int
    iterations: int
    lanes: int

    @staticmethod
    def product_default() -> KdfParams:
        return KdfParams(DEFAULT_MEMORY_KIB, MIN_PRODUCT_ITERATIONS, min(4, os.cpu_count() or 1))

    @property
    def below_product_floor(self) -> bool:
        return self.memory_kib < MIN_PRODUCT_MEMORY_KIB or self.iterations < MIN_PRODUCT_ITERATIONS

    @property
    def above_caps(self) -> bool:
        return (
            self.memory_kib > MAX_MEMORY_KIB
            or self.iterations > MAX_ITERATIONS
            or self.lanes > MAX_LANES
        )

    def check_product_floor(self) -> None:
        """For a new vault: ``ValueError`` below the floor (tests pass ``allow_weak_kdf``)."""
        if self.below_product_floor:
            raise ValueError("KDF parameters below the product floor (64 MiB, 3 iterations)")

    def check_creatable(self) -> None:
        """For a new vault: ``ValueError`` when the header could never be opened again."""
        if self.above_caps or self.lanes < 1 or self.memory_kib < _TEST_MIN_MEMORY_KIB:
            raise ValueError(
                f"KDF parameters outside the allowed range (memory up to {MAX_MEMORY_KIB // 1024}"
                f" MiB, up to {MAX_ITERATIONS} iterations, up to {MAX_LANES} lanes)"
            )

    def check_header_bounds(self) -> None:
        """For a header being read: refuse, before any derivation, what SRO Journal never writes.

        Above the caps is damage or tampering; below the product floor is tampering (a forger
        lowering the cost of guessing), never a wrong passphrase. Only a test suite that opted in
        with ``accept_weak_kdf_for_tests`` opens headers below the floor.
        """
        if self.above_caps or self.lanes < 1 or self.memory_kib < 1 or self.iterations < 1:
            raise HeaderDamaged(
                "The vault's key file asks for key-derivation settings outside the allowed range; "
                "it is damaged or was tampered with. Restore the key file from a backup."
            )
        if self.below_product_floor and not (
            _accept_weak_kdf and self.memory_kib >= _TEST_MIN_MEMORY_KIB
        ):
            raise HeaderDamaged(
                "The vault's key file asks for weaker key derivation than SRO Journal ever writes "
                "(below 64 MiB or 3 iterations): it was tampered with. Restore the key file "
                "(vault.key) from a backup."
            )

    def as_dict(self) -> dict[str, int]:
        return {"memory_kib": self.memory_kib, "iterations": self.iterations, "lanes": self.lanes}


def normalize_secret(secret: str) -> bytes:
    """Passphrases are compared as NFC UTF-8, so the same visible text always works."""
    return unicodedata.normalize("NFC", secret).encode("utf-8")


def derive(secret: bytes, salt: bytes, params: KdfParams) -> bytearray:
    kdf = Argon2id(
        salt=salt,
        length=KEY_BYTES,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    )
    return bytearray(kdf.derive(secret))


def calibrate(
    target_seconds: float = TARGET_KDF_SECONDS,
    clock: Callable[[], float] = time.perf_counter,
) -> KdfParams:
    """Pick Argon2id parameters that take about ``target_seconds`` on this machine.

    Starts at 256 MiB / 3 iterations; adds iterations on a fast machine, and on a slow one lowers
    memory (never below 64 MiB) before going under the target.
    """
    params = KdfParams.product_default()
    salt = secrets.token_bytes(16)
    while True:
        start = clock()
        zero(derive(b"calibration", salt, params))
        elapsed = max(clock() - start, 1e-6)
        if elapsed > target_seconds * 1.5 and params.memory_kib > MIN_PRODUCT_MEMORY_KIB:
            params = KdfParams(params.memory_kib // 2, params.iterations, params.lanes)
            continue
        break
    per_iteration = elapsed / params.iterations
    iterations = max(
        MIN_PRODUCT_ITERATIONS, min(MAX_ITERATIONS, round(target_seconds / per_iteration))
    )
    return KdfParams(params.memory_kib, iterations, params.lanes)


def accept_weak_kdf_for_tests(accept: bool = True) -> None:
    """Let this process open vaults made with cheaper KDF parameters than the product floor.

    For test suites only, which create their vaults with explicitly cheaper parameters
    (``Vault.create(..., allow_weak_kdf=True)``) to stay fast. The app and the command line
    never call this: for them a header below the floor is a tampered header.
    """
    global _accept_weak_kdf
    _accept_weak_kdf = accept


def zero(buf: bytearray) -> None:
    buf[:] = bytes(len(buf))


def new_recovery_code() -> str:
    n = RECOVERY_GROUPS * RECOVERY_GROUP_LEN
    symbols = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(n))
    groups = [symbols[i : i + RECOVERY_GROUP_LEN] for i in range(0, n, RECOVERY_GROUP_LEN)]
    return "-".join(groups)


def normalize_recovery_code(code: str) -> bytes:
    """Accept the code with any spacing, dashes or case; map look-alike letters (Crockford)."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    cleaned = cleaned.translate(str.maketrans("ILOU", "110V"))
    return cleaned.encode("ascii", errors="replace")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object) -> bytes:
    if not isinstance(text, str):
        raise _damaged()
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise _damaged() from None


def _damaged() -> HeaderDamaged:
    """The one message for every defect of the key file: the officer's remedy is the same."""
    return HeaderDamaged(
        "The vault's key file (vault.key) is damaged. Restore it from a backup: every backup "
        "folder holds a copy of it."
    )


def _canonical(doc: object) -> bytes:
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode("utf-8")


# -- slots ---------------------------------------------------------------------------------------


def _passphrase_aad(vault_id: str, p: KdfParams, *, legacy: bool) -> bytes:
    version = 1 if legacy else HEADER_VERSION
    return (
        f"{HEADER_FORMAT}/{version}/{vault_id}/passphrase/argon2id/"
        f"{p.memory_kib}/{p.iterations}/{p.lanes}"
    ).encode()


def _sealed_recovery_aad(vault_id: str, p: KdfParams, public_key: bytes, ephemeral: bytes) -> bytes:
    return (
        f"{HEADER_FORMAT}/{HEADER_VERSION}/{vault_id}/recovery/argon2id+x25519/"
        f"{p.memory_kib}/{p.iterations}/{p.lanes}/{public_key.hex()}/{ephemeral.hex()}"
    ).encode()


def _database_aad(vault_id: str, recovery_slot: RecoverySlot, *, legacy: bool) -> bytes:
    """The data key's wrap binds the recovery slot by its digest (format 2)."""
    if legacy:
        return f"{HEADER_FORMAT}/1/{vault_id}/db".encode()
    return f"{HEADER_FORMAT}/{HEADER_VERSION}/{vault_id}/db/{recovery_slot.binding()}".encode()


@dataclass(frozen=True, slots=True)
class PassphraseSlot:
    """The master key wrapped under Argon2id(passphrase)."""

    params: KdfParams
    salt: bytes
    nonce: bytes
    wrapped: bytes
    legacy: bool = False  # made by format 1: its associated data names version 1

    def aad(self, vault_id: str) -> bytes:
        return _passphrase_aad(vault_id, self.params, legacy=self.legacy)

    def as_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "kdf": "argon2id",
            **self.params.as_dict(),
            "salt": _b64(self.salt),
            "nonce": _b64(self.nonce),
            "wrapped_key": _b64(self.wrapped),
        }
        if self.legacy:
            doc["legacy"] = True
        return doc


@dataclass(frozen=True, slots=True)
class RecoverySlot:
    """The master key sealed to the recovery code's X25519 public key.

    A slot carried over from format 1 (``public_key`` None) wraps the master key under
    Argon2id(code) instead: it opens the same way, but a new master key cannot be sealed to it,
    so the first key change of such a vault issues a new recovery code.
    """

    params: KdfParams
    salt: bytes
    nonce: bytes
    wrapped: bytes
    public_key: bytes | None = None
    ephemeral_key: bytes | None = None

    @property
    def legacy(self) -> bool:
        return self.public_key is None

    def aad(self, vault_id: str) -> bytes:
        p = self.params
        if self.public_key is None:
            return (
                f"{HEADER_FORMAT}/1/{vault_id}/recovery/argon2id/"
                f"{p.memory_kib}/{p.iterations}/{p.lanes}"
            ).encode()
        assert self.ephemeral_key is not None
        return _sealed_recovery_aad(vault_id, p, self.public_key, self.ephemeral_key)

    def as_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "kdf": "argon2id" if self.public_key is None else "argon2id+x25519",
            **self.params.as_dict(),
            "salt": _b64(self.salt),
            "nonce": _b64(self.nonce),
            "wrapped_key": _b64(self.wrapped),
        }
        if self.public_key is None:
            doc["legacy"] = True
        else:
            assert self.ephemeral_key is not None
            doc["public_key"] = _b64(self.public_key)
            doc["ephemeral_key"] = _b64(self.ephemeral_key)
        return doc

    def binding(self) -> str:
        """What the data key's wrap binds this slot by (a digest of the whole slot)."""
        return hashlib.sha256(_canonical(self.as_dict())).hexdigest()


@dataclass(frozen=True, slots=True)
class WrappedKey:
    nonce: bytes
    wrapped: bytes
    legacy: bool = False

    def as_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"nonce": _b64(self.nonce), "wrapped_key": _b64(self.wrapped)}
        if self.legacy:
            doc["legacy"] = True
        return doc


@dataclass(frozen=True, slots=True)
class JournalMark:
    """The journal's generation at the last clean close, authenticated with the data key.

    The database counts its generation up at every open and clean close (``meta.generation``);
    the header records it after the database has it. A database whose generation is below the
    header's was rolled back or replaced by an older copy. The header is written only after the
    database, so a crash between the two leaves it behind the database (never ahead): nothing to
    report, and the next clean close catches up.
    """

    generation: int
    mac: bytes

    @staticmethod
    def _key(data_key: bytes | bytearray, vault_id: str) -> bytes:
        return HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=None,
            info=f"{HEADER_FORMAT}/journal-mark/{vault_id}".encode(),
        ).derive(bytes(data_key))

    @classmethod
    def make(cls, data_key: bytes | bytearray, vault_id: str, generation: int) -> JournalMark:
        h = hmac.HMAC(cls._key(data_key, vault_id), hashes.SHA256())
        h.update(str(generation).encode())
        return cls(generation, h.finalize())

    def verify(self, data_key: bytes | bytearray, vault_id: str) -> bool:
        expected = JournalMark.make(data_key, vault_id, self.generation).mac
        return secrets.compare_digest(expected, self.mac)

    def as_dict(self) -> dict[str, Any]:
        return {"generation": self.generation, "mac": _b64(self.mac)}


@dataclass(frozen=True, slots=True)
class Keyset:
    """One generation of keys: passphrase and recovery slots over one master key, and the data
    key wrapped under it."""

    passphrase: PassphraseSlot
    recovery: RecoverySlot
    database: WrappedKey
    journal: JournalMark | None = None
    change: str | None = None  # in a pending keyset: the audit action of the change in flight

    def database_aad(self, vault_id: str) -> bytes:
        return _database_aad(vault_id, self.recovery, legacy=self.database.legacy)

    def data_key(self, master: bytearray, vault_id: str) -> bytearray:
        try:
            return bytearray(
                AESGCM(master).decrypt(
                    self.database.nonce, self.database.wrapped, self.database_aad(vault_id)
                )
            )
        except InvalidTag:
            # The master key is right (its slot opened), so the wrap or the recovery slot it
            # binds was changed: damage or tampering.
            raise _damaged() from None

    def replace(self, **changes: Any) -> Keyset:
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "passphrase": self.passphrase.as_dict(),
            "recovery": self.recovery.as_dict(),
            "database": self.database.as_dict(),
        }
        if self.journal is not None:
            doc["journal"] = self.journal.as_dict()
        if self.change is not None:
            doc["change"] = self.change
        return doc


@dataclass(slots=True)
class Opened:
    """A keyset the secret opened, with its master and data key. ``zero()`` after use."""

    keyset: Keyset
    pending: bool
    master: bytearray
    data_key: bytearray

    def zero(self) -> None:
        zero(self.master)
        zero(self.data_key)


@dataclass(frozen=True, slots=True)
class KeyHeader:
    vault_id: str
    keys: Keyset
    pending: Keyset | None = None
    version: int = HEADER_VERSION  # as read; written as HEADER_VERSION

    def replace(self, **changes: Any) -> KeyHeader:
        return dataclasses.replace(self, **changes)

    def keysets(self) -> list[tuple[Keyset, bool]]:
        """The current keyset, then the pending one (if a key change is in flight)."""
        out = [(self.keys, False)]
        if self.pending is not None:
            out.append((self.pending, True))
        return out

    def settled(self, *, to_pending: bool) -> KeyHeader:
        """The header after a key change finished (``to_pending``) or was rolled back."""
        keys = self.pending if to_pending and self.pending is not None else self.keys
        return KeyHeader(self.vault_id, keys.replace(change=None), None)

    def open(self, kind: str, secret: bytes) -> list[Opened]:
        """Every keyset ``secret`` opens (current first), with master and data key.

        Raises ``WrongPassphrase``/``WrongRecoveryCode`` when it opens none. Each distinct
        (salt, parameters) pair is derived once: a pending keyset that shares the slot costs
        nothing more.
        """
        derived: dict[tuple[bytes, KdfParams], Any] = {}
        opened: list[Opened] = []
        try:
            for keyset, pending in self.keysets():
                master = _open_slot(keyset, kind, secret, self.vault_id, derived)
                if master is None:
                    continue
                try:
                    data_key = keyset.data_key(master, self.vault_id)
                except BaseException:
                    zero(master)
                    raise
                opened.append(Opened(keyset, pending, master, data_key))
        except BaseException:
            for o in opened:
                o.zero()
            raise
        finally:
            for value in derived.values():
                if isinstance(value, bytearray):
                    zero(value)
        if not opened:
            if kind == "recovery":
                raise WrongRecoveryCode("That recovery code is not right for this vault.")
            raise WrongPassphrase("Wrong passphrase. Check Caps Lock and try again.")
        return opened

    # -- serialisation -------------------------------------------------------------------------
    def _body(self) -> dict[str, Any]:
        return {
            "format": HEADER_FORMAT,
            "version": HEADER_VERSION,
            "vault_id": self.vault_id,
            "keys": self.keys.as_dict(),
            "pending": self.pending.as_dict() if self.pending is not None else None,
        }

    def to_bytes(self) -> bytes:
        body = self._body()
        body["checksum"] = _checksum(body)
        return (json.dumps(body, indent=2, sort_keys=True) + "\n").encode("utf-8")

    @staticmethod
    def from_bytes(data: bytes) -> KeyHeader:
        if len(data) > MAX_HEADER_BYTES:
            raise _damaged()
        try:
            doc = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):  # ValueError: huge integers too
            raise _damaged() from None
        if not isinstance(doc, dict) or doc.get("format") != HEADER_FORMAT:
            raise NotAVault("This folder's vault.key is not an SRO Journal key file.")
        version = doc.get("version")
        if not isinstance(version, int) or isinstance(version, bool):
            raise _damaged()
        if version > HEADER_VERSION:
            raise VaultError(
                "This vault was created by a newer version of SRO Journal. "
                "Update the app to open it."
            )
        if version not in (1, HEADER_VERSION):
            raise _damaged()
        checksum = doc.pop("checksum", None)
        if not isinstance(checksum, str) or checksum != _checksum(doc):
            raise _damaged()
        vault_id = doc.get("vault_id")
        if not isinstance(vault_id, str) or len(vault_id) > 64:
            raise _damaged()
        if version == 1:
            return _from_v1(doc, vault_id)
        keys = _parse_keyset(doc.get("keys"))
        raw_pending = doc.get("pending")
        pending = None if raw_pending is None else _parse_keyset(raw_pending, pending=True)
        return KeyHeader(vault_id, keys, pending, version)


def _open_slot(
    keyset: Keyset,
    kind: str,
    secret: bytes,
    vault_id: str,
    derived: dict[tuple[bytes, KdfParams], Any],
) -> bytearray | None:
    """The master key from ``keyset``'s slot of ``kind``, or None when ``secret`` is not its."""
    slot: PassphraseSlot | RecoverySlot = (
        keyset.passphrase if kind == "passphrase" else (keyset.recovery)
    )
    cache_key = (slot.salt, slot.params)
    if isinstance(slot, RecoverySlot) and not slot.legacy:
        private = derived.get(cache_key)
        if private is None:
            private = derived[cache_key] = recovery.private_key_from_seed(
                derive(secret, slot.salt, slot.params)
            )
        assert slot.public_key is not None and slot.ephemeral_key is not None
        try:
            return recovery.unseal(
                private,
                slot.public_key,
                slot.ephemeral_key,
                slot.nonce,
                slot.wrapped,
                slot.aad(vault_id),
            )
        except recovery.SealError:
            return None
    kek = derived.get(cache_key)
    if kek is None:
        kek = derived[cache_key] = derive(secret, slot.salt, slot.params)
    try:
        return bytearray(AESGCM(kek).decrypt(slot.nonce, slot.wrapped, slot.aad(vault_id)))
    except InvalidTag:
        return None


def _checksum(body: dict[str, Any]) -> str:
    return hashlib.sha256(_canonical(body)).hexdigest()


def _int_field(raw: dict[str, Any], name: str) -> int:
    v = raw.get(name)
    if not isinstance(v, int) or isinstance(v, bool):
        raise _damaged()
    return v


def _params(raw: dict[str, Any]) -> KdfParams:
    params = KdfParams(
        _int_field(raw, "memory_kib"), _int_field(raw, "iterations"), _int_field(raw, "lanes")
    )
    params.check_header_bounds()
    return params


def _legacy_flag(raw: dict[str, Any]) -> bool:
    flag = raw.get("legacy", False)
    if not isinstance(flag, bool):
        raise _damaged()
    return flag


def _parse_passphrase_slot(raw: object, *, legacy: bool | None = None) -> PassphraseSlot:
    if not isinstance(raw, dict) or raw.get("kdf") != "argon2id":
        raise _damaged()
    params = _params(raw)
    salt = _unb64(raw.get("salt"))
    nonce = _unb64(raw.get("nonce"))
    wrapped = _unb64(raw.get("wrapped_key"))
    if len(salt) < 16 or len(nonce) != 12 or len(wrapped) != KEY_BYTES + 16:
        raise _damaged()
    return PassphraseSlot(
        params, salt, nonce, wrapped, _legacy_flag(raw) if legacy is None else legacy
    )


def _parse_recovery_slot(raw: object, *, legacy: bool | None = None) -> RecoverySlot:
    if not isinstance(raw, dict):
        raise _damaged()
    kdf = raw.get("kdf")
    is_legacy = (kdf == "argon2id") if legacy is None else legacy
    if legacy is None and is_legacy != _legacy_flag(raw):
        raise _damaged()
    if kdf != ("argon2id" if is_legacy else "argon2id+x25519"):
        raise _damaged()
    params = _params(raw)
    salt = _unb64(raw.get("salt"))
    nonce = _unb64(raw.get("nonce"))
    wrapped = _unb64(raw.get("wrapped_key"))
    if len(salt) < 16 or len(nonce) != 12 or len(wrapped) != KEY_BYTES + 16:
        raise _damaged()
    if is_legacy:
        return RecoverySlot(params, salt, nonce, wrapped)
    public = _unb64(raw.get("public_key"))
    ephemeral = _unb64(raw.get("ephemeral_key"))
    if len(public) != recovery.PUBLIC_KEY_BYTES or len(ephemeral) != recovery.PUBLIC_KEY_BYTES:
        raise _damaged()
    return RecoverySlot(params, salt, nonce, wrapped, public, ephemeral)


def _parse_wrapped(raw: object, *, legacy: bool | None = None) -> WrappedKey:
    if not isinstance(raw, dict):
        raise _damaged()
    nonce = _unb64(raw.get("nonce"))
    wrapped = _unb64(raw.get("wrapped_key"))
    if len(nonce) != 12 or len(wrapped) != KEY_BYTES + 16:
        raise _damaged()
    return WrappedKey(nonce, wrapped, _legacy_flag(raw) if legacy is None else legacy)


def _parse_journal(raw: object) -> JournalMark | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise _damaged()
    generation = _int_field(raw, "generation")
    mac = _unb64(raw.get("mac"))
    if not 0 <= generation < 2**53 or len(mac) != 32:
        raise _damaged()
    return JournalMark(generation, mac)


def _parse_keyset(raw: object, *, pending: bool = False) -> Keyset:
    if not isinstance(raw, dict):
        raise _damaged()
    change = raw.get("change")
    if change is not None and (not pending or not isinstance(change, str) or len(change) > 64):
        raise _damaged()
    return Keyset(
        _parse_passphrase_slot(raw.get("passphrase")),
        _parse_recovery_slot(raw.get("recovery")),
        _parse_wrapped(raw.get("database")),
        _parse_journal(raw.get("journal")),
        change,
    )


def _from_v1(doc: dict[str, Any], vault_id: str) -> KeyHeader:
    """A format 1 header: slots as a list, ``database`` and ``database_next`` (a data-key
    rotation in flight, same master key). Read into the current model, every wrap legacy."""
    raw_slots = doc.get("slots")
    if not isinstance(raw_slots, list) or len(raw_slots) > 8:
        raise _damaged()
    by_kind: dict[str, dict[str, Any]] = {}
    for raw in raw_slots:
        if not isinstance(raw, dict) or raw.get("type") not in ("passphrase", "recovery"):
            raise _damaged()
        if raw["type"] in by_kind:
            raise _damaged()
        by_kind[raw["type"]] = raw
    if sorted(by_kind) != ["passphrase", "recovery"]:
        raise _damaged()
    passphrase = _parse_passphrase_slot(by_kind["passphrase"], legacy=True)
    recovery_slot = _parse_recovery_slot(by_kind["recovery"], legacy=True)
    keys = Keyset(passphrase, recovery_slot, _parse_wrapped(doc.get("database"), legacy=True))
    nxt = doc.get("database_next")
    pending = None
    if nxt is not None:
        pending = keys.replace(database=_parse_wrapped(nxt, legacy=True), change="data_key_rotated")
    return KeyHeader(vault_id, keys, pending, 1)


# -- building keysets ------------------------------------------------------------------------


def wrap_passphrase_slot(
    secret: bytes, master: bytes | bytearray, params: KdfParams, vault_id: str
) -> PassphraseSlot:
    salt = secrets.token_bytes(16)
    nonce = secrets.token_bytes(12)
    aad = _passphrase_aad(vault_id, params, legacy=False)
    kek = derive(secret, salt, params)
    try:
        wrapped = AESGCM(kek).encrypt(nonce, bytes(master), aad)
    finally:
        zero(kek)
    return PassphraseSlot(params, salt, nonce, wrapped)


def new_recovery_slot(
    code_secret: bytes, master: bytes | bytearray, params: KdfParams, vault_id: str
) -> RecoverySlot:
    """A slot for a new recovery code: Argon2id makes its key pair; the header keeps the public
    key and the master key sealed to it."""
    salt = secrets.token_bytes(16)
    private = recovery.private_key_from_seed(derive(code_secret, salt, params))
    return _sealed_slot(params, salt, recovery.public_bytes(private), master, vault_id)


def reseal_recovery_slot(
    slot: RecoverySlot, master: bytes | bytearray, vault_id: str
) -> RecoverySlot:
    """The same recovery code, sealed over a new master key (no derivation, no code needed)."""
    if slot.public_key is None:
        raise ValueError("a format 1 recovery slot cannot be resealed")
    return _sealed_slot(slot.params, slot.salt, slot.public_key, master, vault_id)


def _sealed_slot(
    params: KdfParams, salt: bytes, public_key: bytes, master: bytes | bytearray, vault_id: str
) -> RecoverySlot:
    eph, nonce, wrapped = recovery.seal(
        master, public_key, lambda e: _sealed_recovery_aad(vault_id, params, public_key, e)
    )
    return RecoverySlot(params, salt, nonce, wrapped, public_key, eph)


def wrap_data_key(
    master: bytes | bytearray,
    data_key: bytes | bytearray,
    recovery_slot: RecoverySlot,
    vault_id: str,
) -> WrappedKey:
    nonce = secrets.token_bytes(12)
    aad = _database_aad(vault_id, recovery_slot, legacy=False)
    wrapped = AESGCM(bytes(master)).encrypt(nonce, bytes(data_key), aad)
    return WrappedKey(nonce, wrapped)


def new_header(passphrase: str, data_key: bytearray, params: KdfParams) -> tuple[KeyHeader, str]:
    """A header for a new vault, and the recovery code to show once."""
    vault_id = uuid.uuid4().hex
    code = new_recovery_code()
    master = bytearray(secrets.token_bytes(KEY_BYTES))
    try:
        pass_slot = wrap_passphrase_slot(normalize_secret(passphrase), master, params, vault_id)
        rec_slot = new_recovery_slot(normalize_recovery_code(code), master, params, vault_id)
        database = wrap_data_key(master, data_key, rec_slot, vault_id)
    finally:
        zero(master)
    return KeyHeader(vault_id, Keyset(pass_slot, rec_slot, database)), code


def read_header(folder: Path) -> KeyHeader:
    path = folder / HEADER_NAME
    try:
        with path.open("rb") as f:
            data = f.read(MAX_HEADER_BYTES + 1)
    except FileNotFoundError:
        raise HeaderDamaged(
            "The vault's key file (vault.key) is missing. Restore it from a backup: every backup "
            "folder holds a copy of it."
        ) from None
    except OSError as exc:
        raise VaultError(f"Could not read the vault's key file: {exc.strerror}.") from None
    return KeyHeader.from_bytes(data)


def write_header(folder: Path, header: KeyHeader) -> None:
    atomic_write(folder / HEADER_NAME, header.to_bytes())
