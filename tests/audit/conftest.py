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


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every backed-up row, as Django's python serialization (full precision), by model."""
    from django.core import serializers

    from houbei.audit.backup import backed_up_models

    return {
        model._meta.label_lower: serializers.serialize(
            "python",
            model._base_manager.order_by("pk"),
            use_natural_foreign_keys=True,
        )
        for model in backed_up_models()
    }


@pytest.fixture
def school_data(school, other_school, users):  # type: ignore[no-untyped-def]
    """A little of everything a backup must carry: people with history and honours, a
    national ID, a post's default mentors (many-to-many), a group with permissions, an
    API token (auto_now_add), and audit entries with microseconds and JSON values."""
    import datetime as dt

    from django.contrib.auth.models import Group, Permission

    from houbei.accounts.models import ApiToken, Role
    from houbei.people import national_id

    from ..factories import add_history, add_honour, make_person, post_of

    number = "11010519491231002X"
    chen = make_person(
        school,
        name="陈晔",
        national_id_encrypted=national_id.encrypt(number),
        national_id_digest=national_id.digest(number),
        national_id_masked=national_id.mask(number),
        fit_for_duty=True,
    )
    make_person(
        other_school,
        name="外校人员",
        archived_at=dt.datetime(2025, 7, 1, 8, 0, 0, 123456, tzinfo=dt.UTC),
    )
    add_history(chen, "class-teacher", dt.date(2012, 9, 1), dt.date(2018, 8, 31))
    add_history(chen, "academic-office", dt.date(2018, 9, 1))
    add_honour(chen, "优秀班主任")
    post_of(school, "grade-leader").default_mentors.add(chen)
    group = Group.objects.create(name="审阅组")
    group.permissions.add(Permission.objects.get(codename="view_group"))
    users[Role.PERSONNEL].groups.add(group)
    users[Role.PERSONNEL].user_permissions.add(Permission.objects.get(codename="change_group"))
    ApiToken.issue(user=users[Role.DECISION], name="区系统对接")
    with transaction.atomic():
        record(
            actor=users[Role.PERSONNEL],
            action="people.person.updated",
            target=chen,
            old={"phone": "", "day": dt.date(2021, 3, 30)},
            new={"phone": "13800000000", "score": 87.5, "tags": ["甲", "乙"]},
            reason="核对档案",
        )
    return {"person": chen}
