"""Fixtures for the audit tests: a trail of entries, and the means to tamper with it the
way someone at a SQL prompt would (after switching off the append-only triggers)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction

from houbei.audit.models import AuditEntry, AuditHead
from houbei.audit.services import _fields_of, entry_hash, record


@contextlib.contextmanager
def triggers_off() -> Iterator[None]:
    """Switch the append-only triggers off for the rest of the test's transaction.

    The test runs in a transaction that is rolled back at its end, and both databases
    roll back DDL, so the triggers come back by themselves."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE waits for no one but refuses while deferred foreign-key checks
            # of this transaction are pending: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE audit_audithead DISABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            cursor.execute("DROP TRIGGER audit_entry_append_only")
            cursor.execute("DROP TRIGGER audit_head_forward_only")
    yield


@pytest.fixture
def trail(school) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    """Ten entries on top of the ones the school fixture wrote, with varied content."""
    with transaction.atomic():
        for n in range(10):
            record(
                actor=None,
                action="tests.thing.changed",
                school=school,
                target_label=f"对象{n}",
                old={"n": n, "when": "2021-03-30", "tags": ["甲", "乙"]},
                new={"n": n + 1, "score": 87.5, "flag": n % 2 == 0},
                reason=f"第{n}次修改",
            )
    return list(AuditEntry.objects.order_by("seq"))


def forge(**fields: Any) -> AuditEntry:
    """An entry whose hash is correctly computed over its (forged) content."""
    entry = AuditEntry(**fields)
    entry.hash = entry_hash(_fields_of(entry))
    entry.save(force_insert=True)
    return entry


def rehash(seq: int, **changes: Any) -> None:
    """Edit an entry and recompute its own hash, as a careful forger would."""
    entry = AuditEntry.objects.get(seq=seq)
    for name, value in changes.items():
        setattr(entry, name, value)
    AuditEntry.objects.filter(pk=entry.pk).update(hash=entry_hash(_fields_of(entry)), **changes)


def head() -> AuditHead:
    return AuditHead.objects.get(id=1)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    # The users fixture hashes six passwords per test; Argon2 is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
