"""Tampering with the stored trail is detected, and the verifier names the right entry.

Each test first switches off the append-only triggers, as a database administrator
could, to show that the hash chain catches what the triggers no longer stop. The tests
run on SQLite and on PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from houbei.audit.models import AuditEntry, AuditHead
from houbei.audit.services import check_chain, record, verify_chain

from .conftest import forge, head, rehash, triggers_off

pytestmark = pytest.mark.django_db


def test_untouched_trail_verifies(trail):
    status = check_chain()
    assert status.ok
    assert status.entries == len(trail) == head().seq
    assert status.head_hash == trail[-1].hash == head().hash


def test_edited_entry_is_reported_at_its_seq(trail):
    with triggers_off():
        AuditEntry.objects.filter(seq=5).update(reason="改过的理由")
    problem = verify_chain()
    assert problem is not None and problem.seq == 5
    assert "被修改" in problem.reason


@pytest.mark.parametrize(
    "change",
    [
        {"new": {"n": 999}},
        {"actor_name": "别人"},
        {"at": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)},
        {"target_label": "另一个对象"},
    ],
)
def test_any_edited_field_is_detected(trail, change):
    with triggers_off():
        AuditEntry.objects.filter(seq=7).update(**change)
    problem = verify_chain()
    assert problem is not None and problem.seq == 7


def test_edit_with_recomputed_hash_breaks_the_next_link(trail):
    with triggers_off():
        rehash(4, reason="重写并重算哈希")
    problem = verify_chain()
    assert problem is not None and problem.seq == 5
    assert "链接断开" in problem.reason


def test_edit_of_last_entry_with_recomputed_hash_disagrees_with_head(trail):
    last = trail[-1].seq
    with triggers_off():
        rehash(last, reason="重写最后一条")
    problem = verify_chain()
    assert problem is not None and problem.seq == last
    assert "链头" in problem.reason


def test_deleted_middle_entry_is_reported_missing(trail):
    with triggers_off():
        AuditEntry.objects.filter(seq=6).delete()
    problem = verify_chain()
    assert problem is not None and problem.seq == 6
    assert "缺失" in problem.reason


def test_deleted_first_entry_is_reported_missing(trail):
    with triggers_off():
        AuditEntry.objects.filter(seq=1).delete()
    problem = verify_chain()
    assert problem is not None and problem.seq == 1


def test_deleted_last_entry_is_caught_by_the_head(trail):
    last = trail[-1].seq
    with triggers_off():
        AuditEntry.objects.filter(seq=last).delete()
    problem = verify_chain()
    assert problem is not None and problem.seq == last
    assert "末尾记录被删除" in problem.reason


def test_forged_entry_appended_after_the_head_is_reported(trail):
    last = trail[-1]
    with triggers_off():
        forge(
            seq=last.seq + 1,
            at=last.at + dt.timedelta(seconds=1),
            school=last.school,
            actor_name="系统",
            action="people.person.archived",
            target_label="伪造",
            prev_hash=last.hash,
        )
    problem = verify_chain()
    assert problem is not None and problem.seq == last.seq + 1
    assert "伪造" in problem.reason


def test_forged_entry_squeezed_into_the_middle_is_reported(trail):
    """The forger renumbers the later entries to make room and links the forgery to its
    predecessor; the entry after the forgery no longer links to it."""
    before = AuditEntry.objects.get(seq=4)
    last = trail[-1].seq
    with triggers_off():
        for seq in range(last, 4, -1):  # from the end, so no two rows share a seq
            AuditEntry.objects.filter(seq=seq).update(seq=seq + 1)
        forge(
            seq=5,
            at=before.at + dt.timedelta(microseconds=1),
            school=before.school,
            actor_name="系统",
            action="people.person.archived",
            target_label="伪造",
            prev_hash=before.hash,
        )
    problem = verify_chain()
    assert problem is not None and problem.seq == 6
    assert "第 5 条" in problem.reason


def test_swapped_adjacent_entries_are_reported_at_the_first(trail):
    with triggers_off():
        _swap(5, 6)
    problem = verify_chain()
    assert problem is not None and problem.seq == 5
    assert "链接断开" in problem.reason


def test_swapped_distant_entries_are_reported_at_the_first(trail):
    with triggers_off():
        _swap(3, 9)
    problem = verify_chain()
    assert problem is not None and problem.seq == 3


def _swap(a: int, b: int) -> None:
    parking = 10**9
    AuditEntry.objects.filter(seq=a).update(seq=parking)
    AuditEntry.objects.filter(seq=b).update(seq=a)
    AuditEntry.objects.filter(seq=parking).update(seq=b)


# The triggers themselves.


def test_triggers_are_installed():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'"
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"audit_entry_append_only", "audit_head_forward_only"} <= names


def test_database_refuses_to_update_an_entry(trail):
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry.objects.filter(seq=3).update(reason="改")
    assert verify_chain() is None


def test_database_refuses_to_move_the_head_back(trail):
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditHead.objects.filter(id=1).update(seq=3, hash=trail[2].hash)
    assert verify_chain() is None


def test_database_refuses_to_point_the_head_at_no_entry(trail):
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditHead.objects.filter(id=1).update(seq=head().seq + 1, hash="f" * 64)


@pytest.mark.postgres_only
def test_postgresql_refuses_to_delete_an_entry_or_the_head(trail):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps DELETE open for Django's flush")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry.objects.filter(seq=3).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditHead.objects.all().delete()
    assert verify_chain() is None


def test_appends_still_work_with_the_triggers(trail, school):
    with transaction.atomic():
        entry = record(actor=None, action="tests.thing.added", school=school)
    assert entry.seq == trail[-1].seq + 1
    assert verify_chain() is None
