"""The count, pure: over-marking voids one list of a ballot, blanks are valid, ranks are
shared on equal votes, the digest changes with any ballot or receipt."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from houbei.ballots.tally import ListSpec, count, digest

DISTRICT = ListSpec(1, "区级", 2, ((10, "甲"), (11, "乙"), (12, "丙")))
SCHOOL = ListSpec(2, "校级", 1, ((10, "甲"), (13, "丁")))


def test_over_marking_voids_that_list_only() -> None:
    tally = count([DISTRICT, SCHOOL], [{"1": [10, 11, 12], "2": [13]}])
    district, school = tally.lists
    assert (district.valid, district.void) == (0, 1)
    assert (school.valid, school.void) == (1, 0)
    assert [c.votes for c in school.candidates] == [1, 0]


def test_blank_lists_are_valid_and_give_no_votes() -> None:
    district = count([DISTRICT], [{}, {"1": []}]).lists[0]
    assert (district.valid, district.blank, district.void) == (2, 2, 0)
    assert all(c.votes == 0 and c.share == 0 for c in district.candidates)


def test_marks_for_someone_not_on_the_list_or_twice_void_the_list() -> None:
    district = count([DISTRICT], [{"1": [10, 13]}, {"1": [10, 10]}]).lists[0]
    assert (district.valid, district.void) == (0, 2)


def test_shares_are_of_valid_ballots_and_ranks_are_shared() -> None:
    ballots = [{"1": [10, 11]}, {"1": [10, 11]}, {"1": [12]}, {"1": [10, 11, 12]}]
    district = count([DISTRICT], ballots).lists[0]
    assert [(c.name, c.votes, c.rank) for c in district.candidates] == [
        ("甲", 2, 1), ("乙", 2, 1), ("丙", 1, 3)
    ]  # fmt: skip
    assert district.candidates[0].share == Fraction(2, 3)


marks = st.fixed_dictionaries(
    {}, optional={"1": st.lists(st.sampled_from([10, 11, 12, 13]), max_size=4),
                  "2": st.lists(st.sampled_from([10, 13]), max_size=3)}
)  # fmt: skip


@given(st.lists(marks, max_size=30), st.randoms())
def test_the_count_does_not_depend_on_ballot_order(ballots, rng) -> None:
    shuffled = list(ballots)
    rng.shuffle(shuffled)
    assert count([DISTRICT, SCHOOL], ballots) == count([DISTRICT, SCHOOL], shuffled)
    assert digest(ballots, ["A1", "B2"]) == digest(shuffled, ["B2", "A1"])


@given(st.lists(marks, min_size=1, max_size=30))
def test_valid_votes_never_exceed_quota_times_valid_ballots(ballots) -> None:
    for result in count([DISTRICT, SCHOOL], ballots).lists:
        assert result.valid + result.void == len(ballots)
        assert sum(c.votes for c in result.candidates) <= result.quota * result.valid


def test_digest_changes_when_a_ballot_or_receipt_changes() -> None:
    base = digest([{"1": [10]}, {"2": [13]}], ["R1", "R2"])
    assert digest([{"1": [11]}, {"2": [13]}], ["R1", "R2"]) != base
    assert digest([{"1": [10]}], ["R1", "R2"]) != base
    assert digest([{"1": [10]}, {"2": [13]}], ["R1"]) != base
