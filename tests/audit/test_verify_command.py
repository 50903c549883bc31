"""``houbei verify-audit``: OK with the count and head, or the first broken entry and
exit status 1."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from houbei.audit.models import AuditEntry, AuditHead

from .conftest import triggers_off

pytestmark = pytest.mark.django_db


def test_intact_chain_prints_count_and_head(trail):
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    head = AuditHead.objects.get(id=1)
    assert out.getvalue().strip() == f"OK: {len(trail)} entries, head {head.hash}"


def test_empty_trail_is_intact():
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert out.getvalue().startswith("OK: 0 entries, head 0000")


def test_broken_chain_names_the_entry_and_exits_1(trail):
    with triggers_off():
        AuditEntry.objects.filter(seq=4).delete()
    with pytest.raises(CommandError) as raised:
        call_command("verify_audit")
    assert raised.value.returncode == 1
    assert str(raised.value).startswith("BROKEN at seq 4: 第 4 条记录缺失")
