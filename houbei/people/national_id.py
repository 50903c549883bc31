"""National ID numbers (居民身份证号码): validated, encrypted at rest, shown masked.

The clear value is only ever decrypted for an authorised export; pages show the masked
form (first 4 and last 4 characters). A keyed digest lets the registry refuse the same
number on two people without storing it in the clear."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet
from django.conf import settings

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def normalise(raw: str) -> str:
    """Strip spaces, turn full-width digits and a lower-case x into their plain forms."""
    table = {ord("０") + i: ord("0") + i for i in range(10)} | {
        ord("ｘ"): ord("X"),
        ord("Ｘ"): ord("X"),
    }
    return "".join(raw.translate(table).split()).upper()


def is_valid(number: str) -> bool:
    """GB 11643-1999: 17 digits and a check character."""
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789X":
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS, strict=True))
    return _CHECK[total % 11] == number[17]


def _fernet() -> Fernet:
    key = hashlib.sha256(("houbei-national-id:" + settings.FIELD_ENCRYPTION_KEY).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(number: str) -> str:
    return _fernet().encrypt(number.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def digest(number: str) -> str:
    return hmac.new(
        settings.FIELD_ENCRYPTION_KEY.encode(), number.encode(), hashlib.sha256
    ).hexdigest()


def mask(number: str) -> str:
    return (
        number[:4] + "*" * (len(number) - 8) + number[-4:] if len(number) > 8 else "*" * len(number)
    )


def protected_fields(number: str) -> dict[str, str]:
    """The three stored columns of a Person for a (normalised, valid) number, or blanks."""
    if not number:
        return {"national_id_encrypted": "", "national_id_digest": "", "national_id_masked": ""}
    return {
        "national_id_encrypted": encrypt(number),
        "national_id_digest": digest(number),
        "national_id_masked": mask(number),
    }
