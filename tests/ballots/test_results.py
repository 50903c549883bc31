"""Results: figures per list and candidate, the official sentence, quorum, and the digest
check — computed from the stored ballots with a fixed number of queries."""

from __future__ import annotations

from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from houbei.ballots.models import Ballot
from houbei.ballots.results import NotCounted, level_of, percent, results_of, turnout_of
from houbei.ballots.services import cast_ballot, close_election, specs_of, tally_election

from .conftest import make_election

pytestmark = pytest.mark.django_db


def _cast(election, code, district=(), school=()):
    d, s = specs_of(election)
    marks = {
        str(d.id): [d.candidates[i][0] for i in district],
        str(s.id): [s.candidates[i][0] for i in school],
    }
    cast_ballot(election_id=election.pk, code=code, marks=marks, channel="paper")


def test_percent_and_level():
    assert percent(Fraction(1, 3)) == "33.3%"
    assert percent(Fraction(2, 3)) == "66.7%"
    assert percent(Fraction(1, 8)) == "12.5%"
    assert percent(Fraction(0)) == "0.0%"
    assert level_of("区级后备干部") == "区级" and level_of("校级后备青年人才") == "校级"


def test_no_results_before_the_tally(school, candidates):
    election, _codes = make_election(school, candidates, slips=3)
    with pytest.raises(NotCounted, match="尚未计票"):
        results_of(election)
    close_election(actor=None, election=election)
    with pytest.raises(NotCounted):
        results_of(election)


def test_figures_and_the_official_sentence(school, candidates):
    election, codes = make_election(school, candidates, slips=9)
    _cast(election, codes[0], (0, 1), (0,))
    _cast(election, codes[1], (0,), (0, 1))
    _cast(election, codes[2], (1,), (2,))
    _cast(election, codes[3], (0, 1, 2), ())  # district list over-marked: void
    _cast(election, codes[4], (), (0,))  # district list blank
    _cast(election, codes[5], (0,), (0, 1, 2, 3))  # school list over-marked
    assert turnout_of(election).participants == 6
    close_election(actor=None, election=election)
    tally_election(actor=None, election=election)
    election.refresh_from_db()
    results_of(election)  # the lists are read once per process
    with CaptureQueriesContext(connection) as queries:
        results = results_of(election)
    fixed = len(queries)
    district, school_list = results.lists
    assert (district.result.valid, district.result.void, district.result.blank) == (5, 1, 1)
    first = district.candidates[0]
    assert (first.result.name, first.result.votes, first.result.rank) == ("候选0", 3, 1)
    assert first.sentence == (
        "共有6人参加推荐，发出推荐票9张，收回6张，其中有效票5张；"
        "推荐其为区级后备干部3票，占有效票60.0%，居第1位"
    )
    # Equal votes share a rank.
    assert [(c.result.votes, c.result.rank) for c in school_list.candidates][:3] == [
        (3, 1),
        (1, 2),
        (1, 2),
    ]
    assert results.turnout.quorum_reached  # 6 of 9 is exactly 2/3
    assert results.digest_matches

    # The query count does not grow with the ballots.
    for _i in range(20):
        Ballot.objects.create(election=election, marks={}, channel="paper")
    with CaptureQueriesContext(connection) as queries:
        tampered = results_of(election)
    assert len(queries) == fixed
    assert not tampered.digest_matches


def test_quorum_missed(school, candidates):
    election, codes = make_election(school, candidates, slips=9)
    for code in codes[:5]:
        _cast(election, code, (0,), ())
    live = turnout_of(election)
    assert (live.participants, live.electorate, live.share) == (5, 9, Fraction(5, 9))
    assert not live.quorum_reached and live.percent == "55.6%"
    close_election(actor=None, election=election)
    tally_election(actor=None, election=election)
    election.refresh_from_db()
    results = results_of(election)
    assert not results.turnout.quorum_reached
    assert (
        results.lists[0]
        .candidates[0]
        .sentence.startswith("共有5人参加推荐，发出推荐票9张，收回5张，其中有效票5张；")
    )


def test_a_stricter_quorum_is_the_election_s_own(school, candidates):
    election, codes = make_election(school, candidates, slips=4)
    election.quorum_numerator, election.quorum_denominator = 4, 5
    election.save()
    for code in codes[:3]:
        _cast(election, code, (0,), ())
    assert not turnout_of(election).quorum_reached  # 3/4 < 4/5
    _cast(election, codes[3], (), ())
    assert turnout_of(election).quorum_reached


def test_turnout_is_one_query_and_shows_no_votes(school, candidates, django_assert_num_queries):
    election, codes = make_election(school, candidates, slips=5)
    for code in codes[:3]:
        _cast(election, code, (0,), (1,))
    with django_assert_num_queries(1):
        turnout = turnout_of(election)
    assert turnout.participants == 3
    assert not hasattr(turnout, "lists") and not hasattr(turnout, "votes")


def test_figures_are_pure_over_plain_data():
    from houbei.ballots.results import Turnout, figures
    from houbei.ballots.tally import ListSpec, count

    spec = ListSpec(1, "校级后备干部", 1, ((7, "甲"), (8, "乙"), (9, "丙")))
    tally = count([spec], [{"1": [7]}, {"1": [8]}, {"1": [9]}, {"1": [7, 8]}])
    results = figures(
        title="t", school="s", turnout=Turnout(4, 6, Fraction(2, 3)), issued=6, returned=4,
        online=4, paper=0, receipts=4, tally=tally, stored_digest="d", recomputed="d",
    )  # fmt: skip
    lines = results.lists[0]
    assert lines.level == "校级"
    assert [(c.result.name, c.result.rank, c.percent) for c in lines.candidates] == [
        ("甲", 1, "33.3%"), ("乙", 1, "33.3%"), ("丙", 1, "33.3%"),
    ]  # fmt: skip
    assert lines.candidates[2].sentence == (
        "共有4人参加推荐，发出推荐票6张，收回4张，其中有效票3张；"
        "推荐其为校级后备干部1票，占有效票33.3%，居第1位"
    )
    assert results.turnout.quorum_reached and results.digest_matches
    assert not figures(
        title="t", school="s", turnout=Turnout(4, 6, Fraction(2, 3)), issued=6, returned=4,
        online=4, paper=0, receipts=4, tally=tally, stored_digest="d", recomputed="d",
        digest_at_tally="other",
    ).digest_matches  # fmt: skip


def test_a_roll_election_counts_those_who_received_their_credential(school, candidates):
    from houbei.ballots.models import Mode
    from houbei.ballots.services import (
        ListDraft,
        create_election,
        open_election,
        set_roll,
        vote_on_roll,
    )

    election = create_election(
        actor=None, school=school, title="名单投票", mode=Mode.ROLL,
        lists=[ListDraft("区级后备干部", 1, candidates[:3])],
    )  # fmt: skip
    set_roll(actor=None, election=election, people=candidates)
    election = open_election(actor=None, election=election)
    (spec,) = specs_of(election)
    for person in candidates[:4]:
        vote_on_roll(election=election, person=person,
                     marks={str(spec.id): [spec.candidates[0][0]]})  # fmt: skip
    turnout = turnout_of(election)
    assert (turnout.participants, turnout.electorate) == (4, 6) and turnout.quorum_reached
    close_election(actor=None, election=election)
    tally_election(actor=None, election=election)
    election.refresh_from_db()
    results = results_of(election)
    assert (results.issued, results.returned, results.online) == (4, 4, 4)
    assert results.lists[0].candidates[0].result.votes == 4 and results.digest_matches
