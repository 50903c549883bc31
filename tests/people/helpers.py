"""Helpers for the registry's tests: valid national ID numbers and person values."""

from __future__ import annotations

import datetime as dt
from typing import Any

from houbei.audit.models import AuditEntry

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def national_id_for(birth: dt.date, *, male: bool, serial: int = 12, area: str = "310104") -> str:
    """A checksum-valid 18-digit number whose birth date and sex digit match."""
    sex = 1 if male else 2
    body = f"{area}{birth:%Y%m%d}{serial:02d}{sex}"
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, _WEIGHTS, strict=True)) % 11]
    return body + check


def person_values(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "staff_number": "2010001",
        "name": "陈晔",
        "gender": "F",
        "birth_date": dt.date(1985, 3, 1),
        "started_work_on": dt.date(2007, 8, 1),
        "joined_school_on": dt.date(2010, 9, 1),
        "establishment": "in",
        "post_status": "on",
        "political_status": "party",
        "education": "bachelor",
        "title": "中学一级教师",
        "subject": "语文",
    }
    return values | overrides


def last_entry() -> AuditEntry:
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None
    return entry


def entries_for(person: Any) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(target_type="people.person", target_id=str(person.pk)).order_by(
            "seq"
        )
    )
