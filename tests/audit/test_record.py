"""Appending to the trail: inside the change's transaction only, gone when it rolls
back, linked in order, and never forked by concurrent appenders."""

from __future__ import annotations

import datetime as dt
import decimal
import itertools
import threading

import pytest
from django.db import connection, connections, transaction

from houbei.audit.models import GENESIS_HASH, AuditEntry, AuditHead
from houbei.audit.services import check_chain, record, to_json_value, verify_chain


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_raises():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        record(actor=None, action="tests.thing.changed")
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_rolled_back_change_leaves_no_entry(school):
    before = AuditHead.objects.get(id=1)
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        record(actor=None, action="tests.thing.changed", school=school)
        raise ZeroDivisionError  # the change fails after its entry was written
    assert not AuditEntry.objects.filter(action="tests.thing.changed").exists()
    after = AuditHead.objects.get(id=1)
    assert (after.seq, after.hash) == (before.seq, before.hash)
    assert verify_chain() is None


@pytest.mark.django_db
def test_record_links_each_entry_to_the_one_before(school, users):
    with transaction.atomic():
        first = record(actor=users["personnel"], action="tests.a", target=school)
        second = record(actor=None, action="tests.b", school=school, reason="理由")
    assert second.seq == first.seq + 1
    assert second.prev_hash == first.hash
    assert AuditEntry.objects.get(seq=1).prev_hash == GENESIS_HASH
    assert first.school == school  # a school target is its own school
    assert first.actor_name == str(users["personnel"])
    assert second.actor_name == "系统" and second.actor is None


@pytest.mark.django_db
def test_values_are_stored_as_they_read_back(school):
    with transaction.atomic():
        entry = record(
            actor=None,
            action="tests.values",
            school=school,
            old={"day": dt.date(2021, 3, 30), "amount": decimal.Decimal("1.50")},
            new={"huge": 1e16, "nan": float("nan"), "nul": "a\x00b"},
            reason="含\x00空字符",
        )
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.old == {"day": "2021-03-30", "amount": "1.50"}
    assert stored.new == {"huge": 10**16, "nan": "nan", "nul": "ab"}
    assert stored.reason == "含空字符"
    assert verify_chain() is None


def test_to_json_value_keeps_ordinary_floats():
    assert to_json_value({"score": 87.5, "tiny": 1.5e-7, "n": 3}) == {
        "score": 87.5,
        "tiny": 1.5e-7,
        "n": 3,
    }


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_do_not_fork_the_chain():
    """Two threads, each with its own connection, append in many short transactions at
    once; the head lock must serialise them into one unbroken chain."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; row locks need PostgreSQL")
    rounds, threads = 150, 2
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def append(name: str) -> None:
        try:
            barrier.wait()
            for n in range(rounds):
                with transaction.atomic():
                    record(actor=None, action="tests.concurrent", target_label=f"{name}-{n}")
        except BaseException as exc:  # surfaced in the main thread below
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=append, args=(f"t{i}",)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors, errors
    status = check_chain()
    assert status.ok, status.problem
    assert status.entries == rounds * threads
    labels = AuditEntry.objects.values_list("target_label", flat=True)
    assert len(set(labels)) == rounds * threads
    # Both threads really ran interleaved: neither got all its entries in one block.
    order = [
        label.split("-")[0]
        for label in AuditEntry.objects.order_by("seq").values_list("target_label", flat=True)
    ]
    switches = sum(1 for a, b in itertools.pairwise(order) if a != b)
    assert switches > 1
