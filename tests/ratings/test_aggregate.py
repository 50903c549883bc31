"""The threshold and differencing rule of ``aggregate`` (T9): no shown figure has fewer
raters than its threshold, no hidden group can be worked out by subtraction from the
shown figures, nothing is shown before close. Checked against an independent oracle —
linear algebra over the groups — on random rounds, and on the cases a school meets."""

from __future__ import annotations

import itertools
from collections import Counter
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from houbei.ballots.ratings.aggregate import (
    Counts,
    GradeInput,
    GroupInput,
    Reason,
    Report,
    aggregate,
    decide,
)

GRADES = (GradeInput(1, "优秀", Decimal(95)), GradeInput(2, "称职", Decimal(80)),
          GradeInput(3, "基本称职", Decimal(65)), GradeInput(4, "不称职", Decimal(40)))  # fmt: skip


def _rank(rows: list[list[Fraction]]) -> int:
    """Rank of a small matrix by Gaussian elimination over the rationals."""
    matrix = [row[:] for row in rows]
    rank, width = 0, len(matrix[0]) if matrix else 0
    for column in range(width):
        pivot = next((r for r in range(rank, len(matrix)) if matrix[r][column] != 0), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        for r in range(len(matrix)):
            if r != rank and matrix[r][column] != 0:
                factor = matrix[r][column] / matrix[rank][column]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[rank], strict=True)]
        rank += 1
    return rank


def derivable(report: Report, subset: set[int]) -> bool:
    """Whether the sum of the groups at these positions can be computed from what the
    report shows: each shown group, each group known to be empty, and the overall (the
    sum of all groups) — i.e. whether its indicator vector lies in their span."""
    size = len(report.groups)
    known: list[list[Fraction]] = []
    for i, g in enumerate(report.groups):
        if g.decision.shown or g.group.raters == 0:
            known.append([Fraction(int(j == i)) for j in range(size)])
    if report.overall.shown:
        known.append([Fraction(1)] * size)
    target = [Fraction(int(j in subset)) for j in range(size)]
    if not known:
        return False
    return _rank([*known, target]) == _rank(known)


def assert_safe(report: Report) -> None:
    groups = report.groups
    live = [i for i, g in enumerate(groups) if g.group.raters > 0]
    hidden = [i for i in live if not groups[i].decision.shown]
    # No shown figure below its threshold.
    for cell in report.cells:
        for g, fig in zip(groups, cell.groups, strict=True):
            if fig is not None:
                assert g.decision.shown and fig.n == g.group.raters >= g.group.k
        if cell.overall is not None:
            assert cell.overall.n >= max(groups[i].group.k for i in live)
    # No hidden group on its own, and no sum of hidden groups below the strictest of
    # their thresholds, can be worked out from the shown figures.
    for size in range(1, len(hidden) + 1):
        for subset in itertools.combinations(hidden, size):
            if derivable(report, set(subset)):
                assert size > 1, f"hidden group {groups[subset[0]].group.name} derivable"
                assert sum(groups[i].group.raters for i in subset) >= max(
                    groups[i].group.k for i in subset
                )


@st.composite
def rounds(draw: st.DrawFn) -> Counts:
    n_groups = draw(st.integers(1, 6))
    groups = tuple(
        GroupInput(
            id=100 + i,
            name=f"组{i}",
            k=draw(st.sampled_from([1, 2, 3, 3, 5, 5, 5, 8])),
            raters=draw(st.integers(0, 12)),
        )
        for i in range(n_groups)
    )
    width = draw(st.integers(2, 4))
    grades = GRADES[:width]
    subjects = tuple((10 + s, f"对象{s}") for s in range(draw(st.integers(1, 3))))
    dimensions = tuple((20 + d, f"维度{d}") for d in range(draw(st.integers(1, 3))))
    cells: dict[tuple[int, int, int], list[int]] = {}
    for (s, _n), (d, _m), g in itertools.product(subjects, dimensions, groups):
        picks = draw(st.lists(st.integers(0, width - 1), min_size=g.raters, max_size=g.raters))
        tally = Counter(picks)
        cells[(s, d, g.id)] = [tally[i] for i in range(width)]
    return Counts(subjects, dimensions, grades, groups, cells)


@settings(max_examples=400, deadline=None)
@given(rounds(), st.booleans())
def test_no_shown_figure_is_below_k_and_no_hidden_group_is_derivable(
    counts: Counts, keep_overall: bool
) -> None:
    report = aggregate(counts, closed=True, keep_overall=keep_overall)
    assert_safe(report)
    # The shown figures are the counters themselves, and the overall their sum.
    for cell in report.cells:
        for g, fig in zip(counts.groups, cell.groups, strict=True):
            if fig is not None:
                assert list(fig.counts) == list(counts.cells[(cell.subject, cell.dimension, g.id)])
                assert sum(fig.shares) == 1
        if cell.overall is not None:
            column = [counts.cells[(cell.subject, cell.dimension, g.id)] for g in counts.groups]
            assert list(cell.overall.counts) == [sum(c) for c in zip(*column, strict=True)]


@settings(max_examples=300, deadline=None)
@given(rounds(), st.booleans())
def test_nothing_is_shown_before_close(counts: Counts, keep_overall: bool) -> None:
    report = aggregate(counts, closed=False, keep_overall=keep_overall)
    assert report.cells == ()
    assert not report.overall.shown and report.overall.reason is Reason.NOT_CLOSED
    assert all(g.decision.reason is Reason.NOT_CLOSED for g in report.groups)


@settings(max_examples=300, deadline=None)
@given(rounds())
def test_keeping_the_overall_shows_it_whenever_the_whole_round_is_large_enough(
    counts: Counts,
) -> None:
    report = aggregate(counts, closed=True, keep_overall=True)
    live = [g for g in counts.groups if g.raters > 0]
    total = sum(g.raters for g in live)
    assert report.overall.shown == bool(live and total >= max(g.k for g in live))
    # Complementary suppression only ever happens because some group is below its k.
    reasons = {g.decision.reason for g in report.groups}
    if Reason.COMPLEMENTARY in reasons:
        assert Reason.BELOW_K in reasons


@settings(max_examples=300, deadline=None)
@given(rounds())
def test_without_keeping_the_overall_every_group_at_or_above_k_is_shown(counts: Counts) -> None:
    report = aggregate(counts, closed=True, keep_overall=False)
    for g in report.groups:
        assert g.decision.shown == (g.group.raters >= g.group.k and g.group.raters > 0)


def _groups(*sizes: tuple[int, int]) -> list[GroupInput]:
    names = ["校领导", "中层干部", "教师代表", "服务对象", "家长", "学生"]
    return [GroupInput(i, names[i], k, n) for i, (n, k) in enumerate(sizes)]


def test_one_small_group_hides_the_smallest_group_that_is_enough_to_keep_the_overall() -> None:
    groups = _groups((2, 3), (3, 3), (4, 3), (30, 5))
    decisions, overall = decide(groups, closed=True)
    # Residual 2 needs 3: 中层干部 (3) is the smallest group that is enough on its own.
    assert [d.reason for d in decisions] == [Reason.BELOW_K, Reason.COMPLEMENTARY, None, None]
    assert overall.shown and overall.raters == 39
    assert decisions[0].text() == "参加2人，少于3人。"


def test_when_no_single_group_is_enough_the_smallest_ones_go_first() -> None:
    groups = _groups((1, 5), (2, 2), (3, 3), (40, 5))
    decisions, overall = decide(groups, closed=True)
    assert [d.shown for d in decisions] == [False, False, False, True]
    assert overall.shown


def test_without_keeping_the_overall_the_overall_goes() -> None:
    groups = _groups((2, 3), (12, 5), (30, 5))
    decisions, overall = decide(groups, closed=True, keep_overall=False)
    assert [d.shown for d in decisions] == [False, True, True]
    assert not overall.shown and overall.reason is Reason.DIFFERENCING
    assert "推算" in overall.text()


def test_two_hidden_groups_large_enough_together_leave_the_overall_shown() -> None:
    groups = _groups((2, 3), (4, 5), (30, 5))
    decisions, overall = decide(groups, closed=True, keep_overall=False)
    assert [d.reason for d in decisions] == [Reason.BELOW_K, Reason.BELOW_K, None]
    assert overall.shown  # the residual of 6 is at least 5, the stricter threshold


def test_a_round_too_small_for_any_figure_shows_nothing() -> None:
    decisions, overall = decide(_groups((2, 3), (2, 5)), closed=True)
    assert not any(d.shown for d in decisions)
    assert not overall.shown and overall.reason is Reason.BELOW_K
    assert overall.text() == "参加4人，少于5人。"


def test_a_group_nobody_rated_in_is_not_a_suppression() -> None:
    decisions, overall = decide(_groups((0, 5), (7, 5)), closed=True)
    assert decisions[0].reason is Reason.NO_RATERS and decisions[1].shown and overall.shown


def test_shares_and_mean() -> None:
    groups = (GroupInput(1, "教师代表", 5, 5),)
    counts = Counts(((1, "张三"),), ((1, "德"),), GRADES, groups, {(1, 1, 1): [3, 1, 1, 0]})
    cell = aggregate(counts, closed=True).cell(1, 1)
    assert cell.overall is not None and cell.groups[0] == cell.overall
    assert cell.overall.shares == (Fraction(3, 5), Fraction(1, 5), Fraction(1, 5), Fraction(0))
    assert cell.overall.mean == Fraction(95 * 3 + 80 + 65, 5)


def test_counts_that_do_not_match_the_raters_are_refused() -> None:
    groups = (GroupInput(1, "教师代表", 5, 5),)
    counts = Counts(((1, "张三"),), ((1, "德"),), GRADES, groups, {(1, 1, 1): [3, 1, 0, 0]})
    with pytest.raises(ValueError, match="4 ratings, 5 raters"):
        aggregate(counts, closed=True)


def test_the_oracle_sees_a_leak_when_there_is_one() -> None:
    """The oracle catches the mistake the rule prevents: a single hidden group with the
    overall shown."""
    report = aggregate(
        Counts(((1, "张三"),), ((1, "德"),), GRADES[:2], tuple(_groups((2, 3), (10, 5))),
               {(1, 1, 0): [2, 0], (1, 1, 1): [5, 5]}),
        closed=True, keep_overall=False,
    )  # fmt: skip
    assert_safe(report)
    leaky = Report(
        report.closed, report.grades, report.groups,
        type(report.overall)(True, None, 12, 5), report.cells,
    )  # fmt: skip
    with pytest.raises(AssertionError, match="derivable"):
        assert_safe(leaky)
