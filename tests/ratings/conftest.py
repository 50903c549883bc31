from __future__ import annotations

import pytest

from houbei.ballots.ratings.models import GroupMode, RaterGroup, RatingRound
from houbei.ballots.ratings.services import (
    GroupDraft,
    Sheet,
    create_round,
    form_of,
    issue_codes,
    open_round,
    set_roll,
)
from houbei.organisation.models import School

from ..factories import make_person


def make_round(
    school: School,
    *,
    subjects: int = 3,
    groups: tuple[GroupDraft, ...] = (GroupDraft("服务对象", 5), GroupDraft("校领导", 3)),
    codes: int = 10,
    roll: int = 0,
    open_: bool = True,
    keep_overall: bool = True,
) -> tuple[RatingRound, dict[str, list[str]]]:
    """A 民主测评 round; every codes group gets ``codes`` codes, every roll group a roll of
    ``roll`` new people. Returns the round and the codes per group name."""
    people = [make_person(school, name=f"对象{i}") for i in range(subjects)]
    rating_round = create_round(
        actor=None, school=school, title="后备干部民主测评", subjects=people, groups=groups,
        keep_overall=keep_overall,
    )  # fmt: skip
    made: dict[str, list[str]] = {}
    for group in RaterGroup.objects.filter(round=rating_round):
        if group.mode == GroupMode.CODES and codes:
            made[group.name] = issue_codes(
                actor=None, rating_round=rating_round, group=group, count=codes
            )
        if group.mode == GroupMode.ROLL and roll:
            voters = [make_person(school) for _ in range(roll)]
            set_roll(actor=None, rating_round=rating_round, group=group, people=voters)
    if open_:
        rating_round = open_round(actor=None, rating_round=rating_round)
    return rating_round, made


def full_sheet(rating_round: RatingRound, grade: int = 0, shift: int = 0) -> Sheet:
    """Every subject on every dimension: grade ``grade`` (by position), moved by ``shift``
    per cell so sheets differ."""
    form = form_of(rating_round)
    width = len(form.grades)
    sheet = {}
    for i, ((s, _n), (d, _m)) in enumerate(
        (subject, dimension) for subject in form.subjects for dimension in form.dimensions
    ):
        sheet[(s, d)] = form.grades[(grade + shift * i) % width][0]
    return sheet


@pytest.fixture
def rating(school: School) -> tuple[RatingRound, dict[str, list[str]]]:
    return make_round(school)
