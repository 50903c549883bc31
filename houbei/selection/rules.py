"""The counting rules of a cycle, pure: quorum, scattered votes, 差额, the decision
meeting's quorum and pass rule, and the date arithmetic of the pool and postponements.

They take plain numbers and return results with the reason in words, because they are
what people will dispute; the services store what they return."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from django.utils.translation import gettext as _


def fraction_label(share: Fraction) -> str:
    return f"{share.numerator}/{share.denominator}"


def reaches(part: int, whole: int, share: Fraction) -> bool:
    """``part`` is at least ``share`` of ``whole`` (never with ``whole`` 0)."""
    return whole > 0 and Fraction(part, whole) >= share


def exceeds(part: int, whole: int, share: Fraction) -> bool:
    """``part`` is more than ``share`` of ``whole``."""
    return whole > 0 and Fraction(part, whole) > share


# --- 民主推荐 ---------------------------------------------------------------------------


def round_quorum_problem(participants: int, electorate: int, quorum: Fraction) -> str:
    """Why a recommendation round is void, or "" when it reached its quorum."""
    if reaches(participants, electorate, quorum):
        return ""
    return _("参加推荐%(p)d人，未达到应参加人数%(e)d人的%(q)s，本轮推荐无效。") % {
        "p": participants,
        "e": electorate,
        "q": fraction_label(quorum),
    }


def scattered(top_share: Fraction, trigger: Fraction) -> bool:
    """Votes scatter when even the best-placed person has less than ``trigger`` of the
    valid ballots (e.g. under 30 %): a second round may be held."""
    return top_share < trigger


# --- 确定考察对象 -------------------------------------------------------------------------


def target_warning(list_name: str, targets: int, quota: int, competitive: bool) -> str:
    """The warning the decision body must acknowledge for one list, or "".

    Under 差额 (the default) there should be more targets than places; otherwise at least
    as many as places."""
    if targets < quota:
        return _("%(list)s：考察对象%(n)d人，少于名额%(q)d人。") % {
            "list": list_name, "n": targets, "q": quota,
        }  # fmt: skip
    if competitive and targets == quota:
        return _("%(list)s：考察对象%(n)d人，与名额相等，未实行差额考察。") % {
            "list": list_name, "n": targets,
        }  # fmt: skip
    return ""


# --- 讨论决定 ---------------------------------------------------------------------------


def meeting_quorum_problem(present: int, expected: int, quorum: Fraction) -> str:
    """Why a decision meeting cannot decide, or "" when enough members are present."""
    if reaches(present, expected, quorum):
        return ""
    return _("实到会成员%(p)d人，不足应到会成员%(e)d人的%(q)s，会议不能作出决定。") % {
        "p": present,
        "e": expected,
        "q": fraction_label(quorum),
    }


@dataclass(frozen=True)
class Verdict:
    outcome: str  # models.Outcome value
    reason: str


def decide(*, expected: int, agree: int, disagree: int, defer: int, share: Fraction) -> Verdict:
    """A target's outcome at a meeting with ``expected`` members who should attend.

    Passed with more than ``share`` (half) of ``expected`` agreeing — of the members who
    should attend, not of those present; rejected with more than that disagreeing;
    otherwise the body is divided and the decision is postponed (缓议)."""
    counts = {"a": agree, "d": disagree, "f": defer, "e": expected, "s": fraction_label(share)}
    if exceeds(agree, expected, share):
        return Verdict("passed", _("同意%(a)d票，超过应到会成员%(e)d人的%(s)s，通过。") % counts)
    if exceeds(disagree, expected, share):
        return Verdict(
            "rejected", _("不同意%(d)d票，超过应到会成员%(e)d人的%(s)s，未通过。") % counts
        )
    return Verdict(
        "postponed",
        _(
            "同意%(a)d票、不同意%(d)d票、缓议%(f)d票，均未超过应到会成员%(e)d人的%(s)s，"
            "意见分歧，暂缓决定。"
        )
        % counts,
    )


# --- dates ------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later; the month's last day when it has no such day
    (30 November + 3 months = 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def pool_valid_until(decided_on: dt.date, years: int) -> dt.date:
    """The last day a pool entry decided on ``decided_on`` is valid: ``years`` later,
    the day before the anniversary."""
    return add_months(decided_on, 12 * years) - dt.timedelta(days=1)
