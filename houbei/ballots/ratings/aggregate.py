"""Which figures of a rating round may be shown, and why the others may not.

Pure: plain data in, a ``Report`` out, no database. The counts are the round's counters:
for every subject × dimension × rater group, how many raters gave each grade; and for
every group, how many raters took part. Every rater fills in the whole sheet, so within a
group every cell has the same number of ratings — the group's rater count — and one
decision per group holds for every cell (``aggregate`` checks this).

The figures are, per cell (subject × dimension): one per rater group, and the overall —
the sum over *all* groups, hidden ones included, because a 民主测评 reports everyone who
took part. A group's rater count (its turnout) is public anyway: it is shown live.

The rule
--------
1. Nothing before close: an open round gives no figure at all (``NOT_CLOSED``).
2. A group nobody rated in has nothing to show (``NO_RATERS``). Its figures are known to
   be empty, so it hides no one and protects no one.
3. A group with fewer raters than its threshold ``k`` is hidden (``BELOW_K``). It is
   omitted — never shown on its own, never merged into another group's figure.
4. Differencing. With the overall and the shown groups on the page, anyone can subtract:
   overall − Σ shown groups = Σ hidden groups, the *residual*. Groups are the only parts of
   the overall, and every cell is its own such sum, so the residual is the only figure
   about hidden groups that the page gives away. It is treated like a group: it may be
   derivable only if it has at least as many raters as the largest ``k`` among the hidden
   groups. A single hidden group never passes (its raters are fewer than its own ``k``), so
   it can never be worked out; two or more pass only when their raters together are as
   many as the strictest of their thresholds.
5. When the residual is too small:
   * ``keep_overall`` (the default; the decision body quotes a 民主测评 by its overall
     figures): more groups are hidden (``COMPLEMENTARY``) so that it is large enough —
     the shown groups with the fewest raters between them that make up the shortfall
     (fewest groups, then the earliest, on a tie; beyond 16 shown groups, the smallest
     ones one by one). A group so hidden has at least its own ``k`` raters, so the
     strictest threshold of the residual stays the same. When even all groups together are
     too few, the overall — then the residual itself — is hidden too (``BELOW_K``).
   * otherwise the overall is hidden (``DIFFERENCING``) and the groups stay as they are.
   With nobody hidden the overall is always shown (it has at least as many raters as any
   shown group). In every case a shown overall has at least the largest ``k`` of all
   groups that have raters.

What thresholds do not do: a shown group whose raters all gave the same grade tells each
of them what they gave. That is inherent in showing any group figure; ``k`` protects the
individual within a crowd, and the crowd is what the school asked to see.

Ties are broken by the order of the groups as given, so the result is deterministic."""

from __future__ import annotations

import enum
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext as _

_EXACT_LIMIT = 16  # shown groups up to which the complementary cover is searched exhaustively


class Reason(enum.StrEnum):
    NOT_CLOSED = "not_closed"
    NO_RATERS = "no_raters"
    BELOW_K = "below_k"
    COMPLEMENTARY = "complementary"
    DIFFERENCING = "differencing"


@dataclass(frozen=True)
class GroupInput:
    id: int
    name: str
    k: int  # the fewest raters whose figures may be shown
    raters: int


@dataclass(frozen=True)
class GradeInput:
    id: int
    label: str
    value: Decimal | None = None  # for a mean; the mean is given only if every grade has one


@dataclass(frozen=True)
class Counts:
    """A round's counters as plain data. ``cells`` maps (subject id, dimension id, group
    id) to the number of raters per grade, in the order of ``grades``; a missing entry is
    all zeros."""

    subjects: tuple[tuple[int, str], ...]
    dimensions: tuple[tuple[int, str], ...]
    grades: tuple[GradeInput, ...]
    groups: tuple[GroupInput, ...]
    cells: Mapping[tuple[int, int, int], Sequence[int]]


@dataclass(frozen=True)
class Decision:
    shown: bool
    reason: Reason | None
    raters: int
    k: int  # the threshold the decision was taken against

    def text(self) -> str:
        """The reason in words, for the page; empty when shown."""
        if self.reason is None:
            return ""
        if self.reason is Reason.NOT_CLOSED:
            return _("测评尚未结束，不显示结果。")
        if self.reason is Reason.NO_RATERS:
            return _("无人参加。")
        if self.reason is Reason.BELOW_K:
            return _("参加%(n)d人，少于%(k)d人。") % {"n": self.raters, "k": self.k}
        if self.reason is Reason.COMPLEMENTARY:
            return _("为防止用总体减去其他组推算出人数不足的组，本组一并不显示。")
        return _("用总体减去已显示的各组即可推算出人数不足的组，故不显示总体。")


@dataclass(frozen=True)
class GroupDecision:
    group: GroupInput
    decision: Decision


@dataclass(frozen=True)
class Figure:
    n: int
    counts: tuple[int, ...]  # per grade, in scale order
    shares: tuple[Fraction, ...]  # count / n
    mean: Fraction | None  # Σ value × count / n, when every grade has a value


@dataclass(frozen=True)
class Cell:
    subject: int
    dimension: int
    overall: Figure | None
    groups: tuple[Figure | None, ...]  # aligned with ``Report.groups``; None when hidden


@dataclass(frozen=True)
class Report:
    closed: bool
    grades: tuple[GradeInput, ...]
    groups: tuple[GroupDecision, ...]
    overall: Decision
    cells: tuple[Cell, ...]  # every subject × dimension in order; empty before close

    @property
    def all_groups_shown(self) -> bool:
        return all(g.decision.shown or g.group.raters == 0 for g in self.groups)

    def cell(self, subject: int, dimension: int) -> Cell:
        for cell in self.cells:
            if (cell.subject, cell.dimension) == (subject, dimension):
                return cell
        raise KeyError((subject, dimension))


def decide(
    groups: Sequence[GroupInput], *, closed: bool, keep_overall: bool = True
) -> tuple[tuple[Decision, ...], Decision]:
    """The decision for each group (in the order given) and for the overall, by the rule
    of the module docstring. Raises ValueError for a threshold below 1 or a negative
    rater count."""
    for group in groups:
        if group.k < 1:
            raise ValueError(f"group {group.id}: k must be at least 1")
        if group.raters < 0:
            raise ValueError(f"group {group.id}: negative rater count")
    total = sum(g.raters for g in groups)
    live = [i for i, g in enumerate(groups) if g.raters > 0]
    strictest = max((groups[i].k for i in live), default=1)
    if not closed:
        hidden = Decision(shown=False, reason=Reason.NOT_CLOSED, raters=0, k=0)
        return tuple(hidden for _g in groups), hidden

    reasons: dict[int, Reason] = {i: Reason.BELOW_K for i in live if groups[i].raters < groups[i].k}
    shown = [i for i in live if i not in reasons]
    # The residual: what subtraction gives, and what it must reach.
    raters = sum(groups[i].raters for i in reasons)
    needed = max((groups[i].k for i in reasons), default=0)

    overall: Decision
    if not live:
        overall = Decision(shown=False, reason=Reason.NO_RATERS, raters=0, k=strictest)
    else:
        overall = Decision(shown=True, reason=None, raters=total, k=strictest)
        if raters < needed:
            cover = _cover(groups, shown, needed - raters) if keep_overall else None
            if cover is None:
                why = Reason.DIFFERENCING if shown and not keep_overall else Reason.BELOW_K
                overall = Decision(shown=False, reason=why, raters=total, k=strictest)
            else:
                for i in cover:
                    reasons[i] = Reason.COMPLEMENTARY

    decisions = []
    for i, group in enumerate(groups):
        if group.raters == 0:
            decisions.append(Decision(False, Reason.NO_RATERS, 0, group.k))
        elif i in reasons:
            decisions.append(Decision(False, reasons[i], group.raters, group.k))
        else:
            decisions.append(Decision(True, None, group.raters, group.k))
    return tuple(decisions), overall


def _cover(
    groups: Sequence[GroupInput], shown: Sequence[int], shortfall: int
) -> tuple[int, ...] | None:
    """The shown groups (positions) with the fewest raters between them that number at
    least ``shortfall``: fewest groups on a tie, then the earliest. None when all of them
    together are too few."""
    if sum(groups[i].raters for i in shown) < shortfall:
        return None
    if len(shown) > _EXACT_LIMIT:
        picked: list[int] = []
        for i in sorted(shown, key=lambda i: (groups[i].raters, i)):
            picked.append(i)
            if sum(groups[j].raters for j in picked) >= shortfall:
                break
        return tuple(sorted(picked))
    best: tuple[int, int, tuple[int, ...]] | None = None
    for size in range(1, len(shown) + 1):
        for subset in itertools.combinations(sorted(shown), size):
            raters = sum(groups[i].raters for i in subset)
            if raters >= shortfall and (best is None or (raters, size, subset) < best):
                best = (raters, size, subset)
    return best[2] if best is not None else None


def figure(counts: Sequence[int], grades: Sequence[GradeInput]) -> Figure:
    n = sum(counts)
    shares = tuple(Fraction(c, n) if n else Fraction(0) for c in counts)
    mean: Fraction | None = None
    values = [g.value for g in grades]
    if n and all(v is not None for v in values):
        mean = (
            sum(
                (Fraction(v) * c for v, c in zip(values, counts, strict=True) if v is not None),
                Fraction(0),
            )
            / n
        )
    return Figure(n=n, counts=tuple(counts), shares=shares, mean=mean)


def aggregate(counts: Counts, *, closed: bool, keep_overall: bool = True) -> Report:
    """The figures that may be shown, with a decision (and its reason) for every group and
    for the overall. Before close: the decisions all say so and there are no cells.

    Raises ValueError when a cell's counts do not have one entry per grade, are negative,
    or do not add up to the group's rater count (every rater rates every cell)."""
    group_decisions, overall = decide(counts.groups, closed=closed, keep_overall=keep_overall)
    report_groups = tuple(
        GroupDecision(g, d) for g, d in zip(counts.groups, group_decisions, strict=True)
    )
    if not closed:
        return Report(False, counts.grades, report_groups, overall, ())
    width = len(counts.grades)
    zeros = (0,) * width
    cells = []
    for subject, _subject_name in counts.subjects:
        for dimension, _dimension_name in counts.dimensions:
            per_group = []
            for group in counts.groups:
                row = tuple(counts.cells.get((subject, dimension, group.id), zeros))
                if len(row) != width or any(c < 0 for c in row):
                    raise ValueError(f"cell {(subject, dimension, group.id)}: bad counts {row}")
                if sum(row) != group.raters:
                    raise ValueError(
                        f"cell {(subject, dimension, group.id)}: {sum(row)} ratings, "
                        f"{group.raters} raters"
                    )
                per_group.append(row)
            total = tuple(sum(column) for column in zip(*per_group, strict=True)) or zeros
            cells.append(
                Cell(
                    subject=subject,
                    dimension=dimension,
                    overall=figure(total, counts.grades) if overall.shown else None,
                    groups=tuple(
                        figure(row, counts.grades) if d.shown else None
                        for row, d in zip(per_group, group_decisions, strict=True)
                    ),
                )
            )
    return Report(True, counts.grades, report_groups, overall, tuple(cells))
