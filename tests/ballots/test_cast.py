"""Casting: one code, one ballot; refusals consume nothing; nothing links a ballot to
anyone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, models

from houbei.audit.models import AuditEntry
from houbei.ballots import codes
from houbei.ballots.models import Ballot, Channel, Credential, Election, Receipt, Status
from houbei.ballots.services import (
    CastRefused,
    cast_ballot,
    close_election,
    specs_of,
    tally_election,
)
from houbei.core.errors import ValidationFailed

from .conftest import make_election, receipt_insert_fails
from .storm import storm

ROOT = Path(__file__).resolve().parents[2]


def marks_for(election: Election, district: int = 1, school: int = 1) -> dict[str, list[int]]:
    first, second = specs_of(election)
    return {
        str(first.id): [c for c, _n in first.candidates[:district]],
        str(second.id): [c for c, _n in second.candidates[:school]],
    }


@pytest.mark.django_db
def test_a_code_casts_once_and_gives_a_receipt(election) -> None:
    e, slips = election
    receipt = cast_ballot(
        election_id=e.pk, code=codes.display(slips[0]).lower(), marks=marks_for(e)
    )
    assert len(receipt) == 10 and Receipt.objects.filter(code=receipt).exists()
    with pytest.raises(CastRefused, match="已经用过"):
        cast_ballot(election_id=e.pk, code=slips[0], marks=marks_for(e))
    assert Ballot.objects.count() == 1
    assert Credential.objects.filter(used=True, channel=Channel.ONLINE).count() == 1


@pytest.mark.django_db
def test_unknown_and_malformed_codes_are_refused(election) -> None:
    e, _slips = election
    with pytest.raises(CastRefused, match="投票码无效"):
        cast_ballot(election_id=e.pk, code=codes.new_code(), marks={})
    with pytest.raises(CastRefused, match="格式不对"):
        cast_ballot(election_id=e.pk, code="12345", marks={})
    assert not Ballot.objects.exists()


@pytest.mark.django_db
def test_over_marking_online_is_refused_and_consumes_nothing(election) -> None:
    e, slips = election
    with pytest.raises(ValidationFailed, match="最多可选2人"):
        cast_ballot(election_id=e.pk, code=slips[0], marks=marks_for(e, district=3))
    assert not Credential.objects.filter(used=True).exists()
    cast_ballot(election_id=e.pk, code=slips[0], marks=marks_for(e))
    assert Ballot.objects.count() == 1


@pytest.mark.django_db
def test_a_paper_ballot_keeps_an_over_marked_list_as_void(election) -> None:
    e, slips = election
    assert cast_ballot(election_id=e.pk, code=slips[0], marks=marks_for(e, district=3),
                       channel=Channel.PAPER) == ""  # fmt: skip
    close_election(actor=None, election=e)
    district, school = tally_election(actor=None, election=e).lists
    assert (district.void, school.valid) == (1, 1)
    assert not Receipt.objects.exists()


@pytest.mark.django_db
def test_a_code_used_on_paper_cannot_be_used_online_nor_the_reverse(election) -> None:
    e, slips = election
    cast_ballot(election_id=e.pk, code=slips[0], marks={}, channel=Channel.PAPER)
    with pytest.raises(CastRefused):
        cast_ballot(election_id=e.pk, code=slips[0], marks={})
    cast_ballot(election_id=e.pk, code=slips[1], marks={})
    with pytest.raises(CastRefused):
        cast_ballot(election_id=e.pk, code=slips[1], marks={}, channel=Channel.PAPER)
    assert Ballot.objects.count() == 2


@pytest.mark.django_db
def test_no_casting_before_open_or_after_close(school, candidates) -> None:
    e, slips = make_election(school, candidates, open_=False)
    with pytest.raises(CastRefused, match="尚未开始或已经结束"):
        cast_ballot(election_id=e.pk, code=slips[0], marks={})
    e, slips = make_election(school, candidates)
    close_election(actor=None, election=e)
    with pytest.raises(CastRefused, match="尚未开始或已经结束"):
        cast_ballot(election_id=e.pk, code=slips[0], marks={})


@pytest.mark.parametrize(
    "outside",
    [
        pytest.param(False, marks=pytest.mark.django_db, id="in-a-transaction"),
        # As a server runs it: no transaction around the cast (on PostgreSQL one statement).
        pytest.param(True, marks=pytest.mark.django_db(transaction=True), id="autocommit"),
    ],
)
def test_a_failure_after_the_code_is_consumed_rolls_everything_back(election, outside) -> None:
    """T3: an error between consuming the code and storing the ballot leaves the code
    unused; the retry succeeds and there is no orphan ballot."""
    assert connection.in_atomic_block is not outside
    e, slips = election
    with receipt_insert_fails(), pytest.raises(DatabaseError, match="simulated failure"):
        cast_ballot(election_id=e.pk, code=slips[0], marks=marks_for(e))
    assert not Credential.objects.filter(used=True).exists()
    assert not Ballot.objects.exists()
    cast_ballot(election_id=e.pk, code=slips[0], marks=marks_for(e))
    assert Ballot.objects.count() == Receipt.objects.count() == 1


@pytest.mark.django_db
def test_casting_writes_no_audit_entry(election) -> None:
    e, slips = election
    before = AuditEntry.objects.count()
    cast_ballot(election_id=e.pk, code=slips[0], marks=marks_for(e))
    assert AuditEntry.objects.count() == before


@pytest.mark.django_db
def test_tally_counts_the_ballots_and_stores_the_digest(election) -> None:
    e, slips = election
    for code in slips[:4]:
        cast_ballot(election_id=e.pk, code=code, marks=marks_for(e, district=2, school=1))
    cast_ballot(election_id=e.pk, code=slips[4], marks={})
    close_election(actor=None, election=e)
    result = tally_election(actor=None, election=e)
    e.refresh_from_db()
    assert e.status == Status.TALLIED and len(e.digest) == 64
    district = result.lists[0]
    assert result.ballots == 5 and district.valid == 5 and district.blank == 1
    assert [c.votes for c in district.candidates[:2]] == [4, 4]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"ballots.election.created", "ballots.slips.issued", "ballots.election.opened",
            "ballots.election.closed", "ballots.election.tallied"} <= actions  # fmt: skip


def test_anonymous_tables_have_no_link_no_time_and_random_keys() -> None:
    """T5, the schema guard."""
    for model in (Ballot, Receipt, Credential):
        for field in model._meta.get_fields():
            if field.is_relation:
                assert field.related_model is Election, (model, field.name)
            assert not isinstance(
                field, (models.DateField, models.TimeField, models.GenericIPAddressField)
            ), (model, field.name)
        pk = model._meta.pk
        assert isinstance(pk, models.UUIDField) and pk.default.__name__ == "uuid4"
        assert not model._meta.ordering
    assert not apps.is_installed("django.contrib.admin")  # no admin to list them in


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_fifty_voters_twenty_simultaneous_attempts_each_store_fifty_ballots(
    school, candidates
) -> None:
    """T1 on PostgreSQL: every code is tried 20 times at once; exactly one succeeds."""
    if connection.vendor != "postgresql":
        pytest.skip("row-level races need PostgreSQL; the SQLite storm runs on a file below")
    e, slips = make_election(school, candidates, slips=50)
    outcomes = storm(e.pk, slips, marks_for(e))
    assert outcomes == {"ok": 50, "refused": 950}
    assert Ballot.objects.filter(election=e).count() == 50
    assert Credential.objects.filter(election=e, used=True).count() == 50


def test_the_storm_on_a_sqlite_file_stores_fifty_ballots(tmp_path) -> None:
    """T1 on SQLite (IMMEDIATE transactions, a real file, WAL): the same storm."""
    env = {**os.environ, "HOUBEI_DATA_DIR": str(tmp_path), "DATABASE_URL": ""}
    env.pop("DATABASE_URL")
    result = subprocess.run(
        [sys.executable, "-m", "tests.ballots.storm"], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["vendor"] == "sqlite"
    assert report["outcomes"] == {"ok": 50, "refused": 950}
    assert report["ballots"] == report["used"] == 50


@pytest.mark.django_db
def test_remembered_lists_of_another_election_do_not_refuse_a_valid_ballot(
    school, candidates
) -> None:
    """A server outlives its database (re-created, restored): the id it remembers may now
    be another election's. The cast must check the election as it is, not refuse valid
    marks against the lists it remembered, nor store into the wrong election."""
    if connection.vendor != "postgresql":
        pytest.skip("the remembered keys are the PostgreSQL cast's")
    from houbei.ballots import services

    old, _old_slips = make_election(school, candidates[:3])
    new, slips = make_election(school, candidates[3:])
    services._OPEN_KEYS[new.pk] = str(old.key)  # as if `new.pk` had been `old` before
    services._SPECS[(new.pk, str(old.key), Status.OPEN)] = tuple(specs_of(old))
    receipt = cast_ballot(election_id=new.pk, code=slips[0], marks=marks_for(new))
    assert receipt and Ballot.objects.filter(election=new).count() == 1
    assert services._OPEN_KEYS.pop(new.pk) == str(new.key)
