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
    assert not turnout_of(election).quorum_reached
