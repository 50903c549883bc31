"""Roll mode: a person on the roll votes once; the roll says who took part, nothing
pairs a roll entry with a ballot — not a key, not a transaction id (T7)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from houbei.audit.models import AuditEntry
from houbei.ballots.models import Ballot, Credential, Mode, Receipt, RollEntry
from houbei.ballots.services import (
    CastRefused,
    ListDraft,
    close_election,
    create_election,
    open_election,
    set_roll,
    specs_of,
    vote_on_roll,
)
from houbei.core.errors import ValidationFailed

from ..factories import make_person


def roll_election(school, candidates, voters):
    e = create_election(
        actor=None, school=school, title="民主测评", mode=Mode.ROLL,
        lists=[ListDraft("校级后备干部", 2, candidates)],
    )  # fmt: skip
    assert set_roll(actor=None, election=e, people=voters) == len(voters)
    return open_election(actor=None, election=e)


def one_mark(e, i: int = 0) -> dict[str, list[int]]:
    (spec,) = specs_of(e)
    return {str(spec.id): [spec.candidates[i % len(spec.candidates)][0]]}


@pytest.mark.django_db
def test_a_voter_on_the_roll_votes_once(school, candidates) -> None:
    voters = [make_person(school) for _ in range(3)]
    e = roll_election(school, candidates, voters)
    before = AuditEntry.objects.count()
    receipt = vote_on_roll(election=e, person=voters[0], marks=one_mark(e))
    assert Receipt.objects.filter(code=receipt).exists()
    with pytest.raises(CastRefused, match="已经投过票"):
        vote_on_roll(election=e, person=voters[0], marks=one_mark(e))
    assert Ballot.objects.count() == 1
    assert list(RollEntry.objects.filter(issued=True).values_list("person", flat=True)) == [
        voters[0].pk
    ]
    assert AuditEntry.objects.count() == before  # taking part and casting are not audited


@pytest.mark.django_db
def test_someone_not_on_the_roll_cannot_vote(school, candidates) -> None:
    e = roll_election(school, candidates, [make_person(school)])
    with pytest.raises(CastRefused, match="不在本次投票的名单上"):
        vote_on_roll(election=e, person=make_person(school), marks=one_mark(e))


@pytest.mark.django_db
def test_bad_marks_are_refused_before_the_voter_is_marked(school, candidates) -> None:
    voter = make_person(school)
    e = roll_election(school, candidates, [voter])
    (spec,) = specs_of(e)
    with pytest.raises(ValidationFailed, match="最多可选2人"):
        vote_on_roll(
            election=e, person=voter, marks={str(spec.id): [c for c, _n in spec.candidates[:3]]}
        )
    assert not RollEntry.objects.filter(issued=True).exists()
    assert not Credential.objects.exists()
    vote_on_roll(election=e, person=voter, marks=one_mark(e))


@pytest.mark.django_db
def test_the_roll_only_takes_this_schools_staff_and_only_in_draft(
    school, other_school, candidates
) -> None:
    e = create_election(actor=None, school=school, title="测评", mode=Mode.ROLL,
                        lists=[ListDraft("校级", 1, candidates)])  # fmt: skip
    with pytest.raises(ValidationFailed):
        set_roll(actor=None, election=e, people=[make_person(other_school)])
    open_election(actor=None, election=e)
    with pytest.raises(ValidationFailed, match="草稿"):
        set_roll(actor=None, election=e, people=[make_person(school)])


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_no_transaction_id_pairs_a_roll_entry_with_a_ballot(school, candidates) -> None:
    """T7: after each vote, join the roll and the ballots on xmin: never a match."""
    if connection.vendor != "postgresql":
        pytest.skip("xmin is PostgreSQL's")
    voters = [make_person(school) for _ in range(12)]
    e = roll_election(school, candidates, voters)
    sql = (
        "SELECT count(*) FROM ballots_rollentry r JOIN ballots_ballot b ON r.xmin = b.xmin "
        "WHERE r.election_id = %s AND r.issued"
    )
    credential_sql = (
        "SELECT count(*) FROM ballots_rollentry r JOIN ballots_credential c ON r.xmin = c.xmin "
        "WHERE r.election_id = %s AND r.issued AND c.used"
    )
    for i, voter in enumerate(voters):
        vote_on_roll(election=e, person=voter, marks=one_mark(e, i))
        with connection.cursor() as cursor:
            cursor.execute(sql, [e.pk])
            assert cursor.fetchone()[0] == 0
            cursor.execute(credential_sql, [e.pk])
            assert cursor.fetchone()[0] == 0
    assert Ballot.objects.count() == 12
    # The join does find a pair written by one transaction, as a naive cast would write it.
    late = make_person(school)
    RollEntry.objects.create(election=e, person=late)
    with transaction.atomic():
        RollEntry.objects.filter(election=e, person=late).update(issued=True)
        Ballot.objects.create(election=e, marks={}, channel="online")
    with connection.cursor() as cursor:
        cursor.execute(sql, [e.pk])
        assert cursor.fetchone()[0] == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_after_close_no_transaction_id_is_near_another(school, candidates) -> None:
    """T7 after close: a roll vote is two transactions back to back, so while open the
    ballot's xmin follows the entry's closely (a residual risk, docs/ballots.md). Close
    gives every row of the election one transaction id, the close's own: nothing is left
    to pair by nearness."""
    if connection.vendor != "postgresql":
        pytest.skip("xmin is PostgreSQL's")
    voters = [make_person(school) for _ in range(8)]
    e = roll_election(school, candidates, voters)
    for i, voter in enumerate(voters):
        vote_on_roll(election=e, person=voter, marks=one_mark(e, i))
    near = (
        "SELECT count(*) FROM ballots_rollentry r JOIN ballots_ballot b "
        "ON b.xmin::text::bigint BETWEEN r.xmin::text::bigint + 1 AND r.xmin::text::bigint + 3 "
        "WHERE r.election_id = %s AND r.issued"
    )
    with connection.cursor() as cursor:
        cursor.execute(near, [e.pk])
        assert cursor.fetchone()[0] >= 8  # the open window's leak, which close must remove
    close_election(actor=None, election=e)
    with connection.cursor() as cursor:
        cursor.execute(near, [e.pk])
        assert cursor.fetchone()[0] == 0
        ids = set()
        for table in (
            "ballots_ballot",
            "ballots_receipt",
            "ballots_credential",
            "ballots_rollentry",
        ):
            cursor.execute(
                f"SELECT DISTINCT xmin::text FROM {table} WHERE election_id = %s", [e.pk]
            )
            ids |= {row[0] for row in cursor.fetchall()}
        assert len(ids) == 1
