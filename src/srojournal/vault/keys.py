"""Where a passphrase or a recovery code becomes the vault's data key.

The database is encrypted with a random 256-bit *data key*. The key header (``vault.key``, JSON)
holds that key wrapped with AES-256-GCM under a random *master key*, and the master key wrapped
under keys derived with Argon2id from (a) the passphrase and (b) the recovery code shown once at
creation. Changing the passphrase re-wraps the master key: instant, no re-encryption. Rotating the
data key (``PRAGMA rekey``) re-wraps only the data key, so the recovery code stays valid; while a
rotation is in flight the header holds both data keys (``database`` and ``database_next``) so a
crash at any moment leaves a vault that opens.

The GCM associated data binds every slot to the vault id and to its own KDF parameters, so a
header edited to weaker parameters or moved to another vault does not unwrap. A checksum over the
whole header tells accidental damage apart from a wrong passphrase.
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
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

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
HEADER_VERSION: Final = 1
MAX_HEADER_BYTES: Final = 64 * 1024
KEY_BYTES: Final = 32

# Product defaults. Creation calibrates iterations to about one second.
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
    for i in range(len(buf)):
        buf[i] = 0


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


def _unb64(text: object, what: str) -> bytes:
    if not isinstance(text, str):
        raise _damaged(f"{what} is not text")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise _damaged(f"{what} is not valid base64") from None


def _damaged(_detail: str) -> HeaderDamaged:
    return HeaderDamaged(
        "The vault's key file (vault.key) is damaged. Restore it from a backup: every backup "
        "folder holds a copy of it."
    )


@dataclass(frozen=True, slots=True)
class Slot:
    kind: str  # "passphrase" | "recovery"
    params: KdfParams
    salt: bytes
    nonce: bytes
    wrapped: bytes

    def aad(self, vault_id: str) -> bytes:
        p = self.params
        return (
            f"{HEADER_FORMAT}/{HEADER_VERSION}/{vault_id}/{self.kind}/argon2id/"
            f"{p.memory_kib}/{p.iterations}/{p.lanes}"
        ).encode()

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.kind,
            "kdf": "argon2id",
            **self.params.as_dict(),
            "salt": _b64(self.salt),
            "nonce": _b64(self.nonce),
            "wrapped_key": _b64(self.wrapped),
        }


def wrap_slot(
    kind: str, secret: bytes, master: bytes | bytearray, params: KdfParams, vault_id: str
) -> Slot:
    salt = secrets.token_bytes(16)
    nonce = secrets.token_bytes(12)
    placeholder = Slot(kind, params, salt, nonce, b"")
    kek = derive(secret, salt, params)
    try:
        wrapped = AESGCM(bytes(kek)).encrypt(nonce, bytes(master), placeholder.aad(vault_id))
    finally:
        zero(kek)
    return Slot(kind, params, salt, nonce, wrapped)


@dataclass(frozen=True, slots=True)
class WrappedKey:
    nonce: bytes
    wrapped: bytes

    def as_dict(self) -> dict[str, str]:
        return {"nonce": _b64(self.nonce), "wrapped_key": _b64(self.wrapped)}


def _db_aad(vault_id: str, which: str) -> bytes:
    return f"{HEADER_FORMAT}/{HEADER_VERSION}/{vault_id}/{which}".encode()


def wrap_data_key(
    master: bytes | bytearray, data_key: bytes | bytearray, vault_id: str
) -> WrappedKey:
    nonce = secrets.token_bytes(12)
    return WrappedKey(
        nonce, AESGCM(bytes(master)).encrypt(nonce, bytes(data_key), _db_aad(vault_id, "db"))
    )


@dataclass(frozen=True, slots=True)
class KeyHeader:
    vault_id: str
    slots: tuple[Slot, ...]
    database: WrappedKey
    database_next: WrappedKey | None = None

    def data_keys(self, master: bytearray) -> list[bytearray]:
        """The data key, then the one of an unfinished rotation (if any)."""
        keys = []
        for wk in (self.database, self.database_next):
            if wk is None:
                continue
            try:
                keys.append(
                    bytearray(
                        AESGCM(bytes(master)).decrypt(
                            wk.nonce, wk.wrapped, _db_aad(self.vault_id, "db")
                        )
                    )
                )
            except InvalidTag:
                raise _damaged("database key") from None
        return keys

    def replace(self, **changes: Any) -> KeyHeader:
        return dataclasses.replace(self, **changes)

    def slot(self, kind: str) -> Slot:
        for s in self.slots:
            if s.kind == kind:
                return s
        raise _damaged(f"no {kind} slot")

    def with_slot(self, new: Slot) -> KeyHeader:
        others = tuple(s for s in self.slots if s.kind != new.kind)
        return self.replace(slots=(*others, new))

    def unwrap(self, kind: str, secret: bytes) -> bytearray:
        """The master key from the passphrase or recovery slot (zero it after use)."""
        slot = self.slot(kind)
        kek = derive(secret, slot.salt, slot.params)
        try:
            return bytearray(
                AESGCM(bytes(kek)).decrypt(slot.nonce, slot.wrapped, slot.aad(self.vault_id))
            )
        except InvalidTag:
            if kind == "recovery":
                raise WrongRecoveryCode("That recovery code is not right for this vault.") from None
            raise WrongPassphrase("Wrong passphrase. Check Caps Lock and try again.") from None
        finally:
            zero(kek)

    # -- serialisation -------------------------------------------------------------------------
    def _body(self) -> dict[str, Any]:
        return {
            "format": HEADER_FORMAT,
            "version": HEADER_VERSION,
            "vault_id": self.vault_id,
            "slots": [s.as_dict() for s in sorted(self.slots, key=lambda s: s.kind)],
            "database": self.database.as_dict(),
            "database_next": self.database_next.as_dict() if self.database_next else None,
        }

    def to_bytes(self) -> bytes:
        body = self._body()
        body["checksum"] = _checksum(body)
        return (json.dumps(body, indent=2, sort_keys=True) + "\n").encode("utf-8")

    @staticmethod
    def from_bytes(data: bytes) -> KeyHeader:
        if len(data) > MAX_HEADER_BYTES:
            raise _damaged("too large")
        try:
            doc = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):  # ValueError: huge integers too
            raise _damaged("not JSON") from None
        if not isinstance(doc, dict) or doc.get("format") != HEADER_FORMAT:
            raise NotAVault("This folder's vault.key is not an SRO Journal key file.")
        version = doc.get("version")
        if not isinstance(version, int) or isinstance(version, bool):
            raise _damaged("version")
        if version > HEADER_VERSION:
            raise VaultError(
                "This vault was created by a newer version of SRO Journal. "
                "Update the app to open it."
            )
        if version != HEADER_VERSION:
            raise _damaged("version")
        checksum = doc.pop("checksum", None)
        if not isinstance(checksum, str) or checksum != _checksum(doc):
            raise _damaged("checksum")
        vault_id = doc.get("vault_id")
        raw_slots = doc.get("slots")
        if not isinstance(vault_id, str) or len(vault_id) > 64 or not isinstance(raw_slots, list):
            raise _damaged("fields")
        if len(raw_slots) > 8:
            raise _damaged("slots")
        slots = tuple(_parse_slot(s) for s in raw_slots)
        kinds = [s.kind for s in slots]
        if sorted(kinds) != ["passphrase", "recovery"]:
            raise _damaged("slot kinds")
        database = _parse_wrapped(doc.get("database"))
        nxt = doc.get("database_next")
        return KeyHeader(vault_id, slots, database, None if nxt is None else _parse_wrapped(nxt))


def _checksum(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(canonical).hexdigest()


def _int_field(raw: dict[str, Any], name: str) -> int:
    v = raw.get(name)
    if not isinstance(v, int) or isinstance(v, bool):
        raise _damaged(name)
    return v


def _parse_slot(raw: object) -> Slot:
    if not isinstance(raw, dict):
        raise _damaged("slot")
    kind = raw.get("type")
    if kind not in ("passphrase", "recovery") or raw.get("kdf") != "argon2id":
        raise _damaged("slot type")
    params = KdfParams(
        _int_field(raw, "memory_kib"), _int_field(raw, "iterations"), _int_field(raw, "lanes")
    )
    params.check_header_bounds()
    salt = _unb64(raw.get("salt"), "salt")
    nonce = _unb64(raw.get("nonce"), "nonce")
    wrapped = _unb64(raw.get("wrapped_key"), "wrapped key")
    if len(salt) < 16 or len(nonce) != 12 or len(wrapped) != KEY_BYTES + 16:
        raise _damaged("slot sizes")
    return Slot(str(kind), params, salt, nonce, wrapped)


def _parse_wrapped(raw: object) -> WrappedKey:
    if not isinstance(raw, dict):
        raise _damaged("database key")
    nonce = _unb64(raw.get("nonce"), "nonce")
    wrapped = _unb64(raw.get("wrapped_key"), "wrapped key")
    if len(nonce) != 12 or len(wrapped) != KEY_BYTES + 16:
        raise _damaged("database key sizes")
    return WrappedKey(nonce, wrapped)


def new_header(passphrase: str, data_key: bytearray, params: KdfParams) -> tuple[KeyHeader, str]:
    """A header for a new vault, and the recovery code to show once."""
    vault_id = uuid.uuid4().hex
    code = new_recovery_code()
    master = bytearray(secrets.token_bytes(KEY_BYTES))
    try:
        slots = (
            wrap_slot("passphrase", normalize_secret(passphrase), master, params, vault_id),
            wrap_slot("recovery", normalize_recovery_code(code), master, params, vault_id),
        )
        database = wrap_data_key(master, data_key, vault_id)
    finally:
        zero(master)
    return KeyHeader(vault_id, slots, database), code


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
