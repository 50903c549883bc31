from __future__ import annotations

import pytest

from houbei.ballots.models import Election
from houbei.ballots.services import ListDraft, create_election, issue_slips, open_election
from houbei.organisation.models import School

from ..factories import make_person


@pytest.fixture
def candidates(school: School) -> list:
    return [make_person(school, name=f"候选{i}") for i in range(6)]


def make_election(school: School, candidates: list, *, slips: int = 10, open_: bool = True):
    election = create_election(
        actor=None,
        school=school,
        title="区、校后备干部民主推荐",
        electorate=slips,
        lists=[
            ListDraft("区级后备干部", 2, candidates[:4]),
            ListDraft("校级后备干部", 3, candidates),
        ],
    )
    codes = issue_slips(actor=None, election=election, count=slips) if slips else []
    if open_:
        election = open_election(actor=None, election=election)
    return election, codes


@pytest.fixture
def election(school: School, candidates: list) -> tuple[Election, list[str]]:
    return make_election(school, candidates)
