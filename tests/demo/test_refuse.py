"""The demo never mixes into a database that already serves a school."""

from __future__ import annotations

import pytest

from houbei.accounts.models import User
from houbei.audit.models import AuditEntry
from houbei.demo.builder import NotAnEmptyDatabase, build_demo
from houbei.organisation.models import School
from houbei.people.models import Person


def test_demo_refuses_a_database_that_serves_a_real_school(other_school) -> None:
    """Fake people and accounts with a published password must never mix into real data."""
    entries = AuditEntry.objects.count()
    with pytest.raises(NotAnEmptyDatabase) as refused:
        build_demo()
    assert "不是演示数据库" in str(refused.value.message)
    assert not Person.objects.exists() and not User.objects.exists()
    assert School.objects.count() == 1 and AuditEntry.objects.count() == entries


def test_demo_refuses_a_database_with_accounts(db, django_user_model) -> None:
    django_user_model.objects.create_user(
        username="someone", password="x-long-password-1", role="sysadmin"
    )
    with pytest.raises(NotAnEmptyDatabase):
        build_demo()
    assert not School.objects.exists()
