"""The built-in OpenID provider's RSA signing keys, kept as PEM files in one folder.

`active.pem` signs; `next.pem` is published in the JWKS before it signs anything, so that every
verifier already knows it when `rotate_signing_keys` promotes it; `retired-*.pem` stay published
until tokens they signed have expired. This module is imported by settings: stdlib and
cryptography only.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ACTIVE = "active.pem"
NEXT = "next.pem"
RETIRED_PREFIX = "retired-"


@dataclass(frozen=True)
class KeyRing:
    active: str
    published: tuple[str, ...]  # every PEM in the JWKS other than the active one


def new_private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _write_new(path: Path, pem: str) -> None:
    """Create `path` with mode 0600 unless it exists already (another process won the race)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as handle:
        handle.write(pem)


def load_key_ring(folder: Path) -> KeyRing:
    """Read the keys, creating the active and next keys on first use."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for name in (ACTIVE, NEXT):
        if not (folder / name).exists():
            _write_new(folder / name, new_private_key_pem())
    retired = sorted(folder.glob(f"{RETIRED_PREFIX}*.pem"), reverse=True)
    return KeyRing(
        active=(folder / ACTIVE).read_text(),
        published=tuple(path.read_text() for path in [folder / NEXT, *retired]),
    )


def rotate_key_ring(folder: Path, *, keep_retired_seconds: int) -> list[str]:
    """Promote next to active, retire the active key, make a new next key; prune old retirees.

    Returns what was done, for the operator. Processes pick the change up when restarted; restart
    them one at a time: each still verifies what the others sign.
    """
    load_key_ring(folder)
    now = int(time.time())
    done: list[str] = []
    (folder / ACTIVE).rename(folder / f"{RETIRED_PREFIX}{now}.pem")
    (folder / NEXT).rename(folder / ACTIVE)
    _write_new(folder / NEXT, new_private_key_pem())
    done.append("next key promoted to active; previous active key retired; new next key made")
    for path in folder.glob(f"{RETIRED_PREFIX}*.pem"):
        retired_at = int(path.stem.removeprefix(RETIRED_PREFIX))
        if now - retired_at > keep_retired_seconds:
            path.unlink()
            done.append(f"pruned {path.name}")
    return done
