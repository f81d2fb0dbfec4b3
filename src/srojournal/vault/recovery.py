"""The recovery slot: the master key sealed to a public key whose private key only the code gives.

The recovery code (160 bits, shown once) is stretched with Argon2id into an X25519 private key;
the header keeps only the matching public key. Sealing (an ephemeral X25519 key, the shared
secret through HKDF-SHA256, AES-256-GCM) needs nothing but that public key, so a passphrase change
can seal the new master key for the recovery code without knowing it: the code survives the
change and is never re-issued for it. Opening needs the code: Argon2id, then the private key.

The associated data of the seal binds the vault id, the KDF parameters and both public keys, and
the wrap of the data key binds this slot (see ``keys.Keyset``), so a public key swapped into the
header by someone who wants the next master key sealed to *their* key is refused before anything
is sealed to it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from srojournal.vault.errors import HeaderDamaged

PUBLIC_KEY_BYTES = 32
_INFO = b"srojournal recovery slot v2"


class SealError(Exception):
    """The seal does not open with this private key (a wrong code or a damaged slot)."""


def private_key_from_seed(seed: bytearray) -> X25519PrivateKey:
    """The recovery private key from the 32 bytes Argon2id made of the code (``seed`` is zeroed)."""
    try:
        return X25519PrivateKey.from_private_bytes(bytes(seed))
    finally:
        seed[:] = bytes(len(seed))


def public_bytes(private: X25519PrivateKey) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _kek(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=ephemeral + recipient, info=_INFO
    ).derive(shared)


def _recipient(public_key: bytes) -> X25519PublicKey:
    try:
        return X25519PublicKey.from_public_bytes(public_key)
    except ValueError:
        raise HeaderDamaged(
            "The vault's key file (vault.key) is damaged: its recovery key is not valid. Restore "
            "it from a backup."
        ) from None


def seal(
    master: bytes | bytearray, public_key: bytes, aad_for: Callable[[bytes], bytes]
) -> tuple[bytes, bytes, bytes]:
    """Seal ``master`` to ``public_key``: returns (ephemeral public key, nonce, wrapped key).

    ``aad_for(ephemeral)`` gives the associated data, which names the ephemeral key too.
    """
    recipient = _recipient(public_key)
    ephemeral = X25519PrivateKey.generate()
    eph_pub = public_bytes(ephemeral)
    try:
        shared = ephemeral.exchange(recipient)
    except ValueError:  # a low-order point: not a key anyone could hold the private half of
        raise HeaderDamaged(
            "The vault's key file (vault.key) is damaged: its recovery key is not valid. Restore "
            "it from a backup."
        ) from None
    nonce = secrets.token_bytes(12)
    kek = _kek(shared, eph_pub, public_key)
    wrapped = AESGCM(kek).encrypt(nonce, bytes(master), aad_for(eph_pub))
    return eph_pub, nonce, wrapped


def unseal(
    private: X25519PrivateKey,
    public_key: bytes,
    ephemeral: bytes,
    nonce: bytes,
    wrapped: bytes,
    aad: bytes,
) -> bytearray:
    """The master key sealed to ``private``'s public key (raises ``SealError``)."""
    if public_bytes(private) != public_key:
        raise SealError("not this slot's key")
    try:
        shared = private.exchange(_recipient(ephemeral))
        return bytearray(AESGCM(_kek(shared, ephemeral, public_key)).decrypt(nonce, wrapped, aad))
    except (InvalidTag, ValueError):
        raise SealError("the seal does not open") from None
