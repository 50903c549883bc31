"""One-time voting codes: made at random, shown once, stored only as a keyed digest.

A code is 13 characters of Crockford's base32 — 65 random bits — printed in groups as
``XXXX-XXXX-XXXXX``. People type it with or without the dashes, in either case, and with
the letters Crockford's alphabet leaves out read as the digits they look like (O → 0,
I and L → 1). The database keeps ``digest(code)``, an HMAC under a key from the settings
(never from the database), so a copy of the database alone cannot test codes."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
LENGTH = 13  # 13 × 5 = 65 bits
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    """A fresh code in canonical form (upper case, no dashes)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def display(code: str) -> str:
    """The printed form, in groups of 4, 4 and 5."""
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def canonical(typed: str) -> str | None:
    """The code as typed, in canonical form; None when it cannot be a code."""
    text = "".join(ch for ch in typed.upper() if ch not in " -\t\u3000").translate(_READ_AS)
    if len(text) != LENGTH or any(ch not in ALPHABET for ch in text):
        return None
    return text


def canonical_receipt(typed: str) -> str:
    """A receipt code as typed (any case, with or without the dash), in stored form."""
    return "".join(ch for ch in typed.upper() if ch.isalnum()).translate(_READ_AS)


def display_receipt(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def _key() -> bytes:
    configured: str = settings.HOUBEI_BALLOT_KEY
    material = configured or f"houbei-ballot-codes:{settings.SECRET_KEY}"
    return hashlib.sha256(material.encode()).digest()


def digest(code: str, *, purpose: str = "credential") -> str:
    """The stored form of a canonical code: HMAC-SHA-256, hex."""
    return hmac.new(_key(), f"{purpose}:{code}".encode(), hashlib.sha256).hexdigest()
