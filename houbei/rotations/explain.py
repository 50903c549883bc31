"""The matching's reasons (``matching.py``) in words: one Chinese sentence per reason, for the
proposal page, the administrator's warnings and the exported 意向表 results.

Names come from the caller (``people`` for candidates and mentors, ``posts`` for posts), so
this module reads nothing itself; an id without a name shows as "#id"."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _

from houbei.organisation.models import LadderLevel

from .matching import (
    BlockingPair,
    BlockKind,
    MentorMiss,
    MentorReason,
    Miss,
    Outcome,
    Reason,
    Rule,
    Violation,
)


class Names:
    """Who and what the ids are."""

    def __init__(
        self, people: Mapping[int, str] | None = None, posts: Mapping[int, str] | None = None
    ) -> None:
        self.people = people or {}
        self.posts = posts or {}

    def person(self, pk: int | None) -> str:
        return self.people.get(pk, f"#{pk}") if pk is not None else "—"

    def post(self, pk: int | None) -> str:
        return self.posts.get(pk, f"#{pk}") if pk is not None else "—"

    def persons(self, pks: Iterable[int]) -> str:
        return _("、").join(self.person(pk) for pk in pks)


def level_label(level: int | None) -> str:
    if level in LadderLevel.values:
        return str(LadderLevel(level).label)
    return _("第%(level)s级") % {"level": level}


# Reasons that no other placement could change: the post is not one the person may have.
BARRED = frozenset({Reason.NOT_OFFERED, Reason.HELD_NOW, Reason.NOT_ELIGIBLE})


def absent_reason(withdrawn: bool, why: str = "") -> str:
    """Why a reserve cadre of the round is not in its matching: no form submitted, or the
    form withdrawn (with the reason given when withdrawing)."""
    if not withdrawn:
        return _("未提交意向表")
    if why:
        return _("已撤回意向表（%(why)s）") % {"why": why}
    return _("已撤回意向表")


def outcome_summary(outcome: Outcome, names: Names) -> str:
    """One line: what the candidate got."""
    if outcome.post is None:
        misses = outcome.misses
        if not misses:
            return _("未填写志愿，未安排岗位")
        if all(m.reason in BARRED for m in misses):
            return _("意向表所填岗位均不符合轮岗条件，未安排岗位")
        return _("未安排岗位")
    post = names.post(outcome.post)
    if outcome.first_choice:
        text = _("第一志愿：%(post)s") % {"post": post}
    else:
        text = _("第%(choice)s志愿：%(post)s") % {"choice": outcome.choice, "post": post}
    if outcome.mentor is not None:
        text += _("，带教人员：%(mentor)s") % {"mentor": names.person(outcome.mentor)}
    return text


def describe_outcome(outcome: Outcome, names: Names) -> list[str]:
    """The summary, then why not each post listed before it, then the mentor's note."""
    lines = [outcome_summary(outcome, names)]
    lines.extend(describe_miss(miss, names) for miss in outcome.misses)
    if outcome.mentor_miss is not None:
        lines.append(describe_mentor_miss(outcome.mentor_miss, outcome, names))
    return lines


def describe_miss(miss: Miss, names: Names) -> str:
    post = names.post(miss.post)
    reason = miss.reason
    if reason is Reason.NOT_OFFERED:
        text = _("%(post)s：本轮未开放该岗位") % {"post": post}
    elif reason is Reason.HELD_NOW:
        text = _("%(post)s：是本人现任岗位，不安排到现任岗位轮岗") % {"post": post}
    elif reason is Reason.NOT_ELIGIBLE:
        text = _("%(post)s：岗位层级为%(level)s，本人不符合该层级的任职条件") % {
            "post": post,
            "level": level_label(miss.level),
        }
    elif reason is Reason.DECLINED:
        text = _("%(post)s：岗位方（带教人员）未接受本人") % {"post": post}
    elif reason is Reason.NOT_RANKED:
        text = _("%(post)s：岗位方（带教人员）未将本人列入人选") % {"post": post}
    elif reason is Reason.NO_CAPACITY:
        text = _("%(post)s：本轮没有名额") % {"post": post}
    elif reason is Reason.POST_FULL:
        text = _("%(post)s：名额已满，已安排岗位方排序在前的%(ahead)s") % {
            "post": post,
            "ahead": names.persons(miss.ahead),
        }
    else:
        loads = _("；").join(
            _("%(mentor)s（可带%(capacity)s人，已带%(mentees)s）")
            % {
                "mentor": names.person(load.mentor),
                "capacity": load.capacity,
                "mentees": names.persons(load.mentees) or _("无"),
            }
            for load in miss.mentors
        )
        text = _(
            "%(post)s：尚有空位，但可带教的人员名额已满：%(loads)s，所带人员均排在本人之前"
        ) % {
            "post": post,
            "loads": loads,
        }
    notes = []
    if miss.won_as_new:
        notes.append(
            _("其中%(who)s与本人排序相同，按一岗多能优先安排未曾担任该岗位的人员")
            % {"who": names.persons(miss.won_as_new)}
        )
    if miss.won_by_order:
        notes.append(
            _("其中%(who)s与本人排序相同，按名单顺序优先")
            % {"who": names.persons(miss.won_by_order)}
        )
    if miss.tied:
        notes.append(_("本人将该岗位与所得岗位列为同一志愿，先考虑了该岗位"))
    if notes:
        text += _("（%(notes)s）") % {"notes": _("；").join(notes)}
    return text


def describe_mentor_miss(miss: MentorMiss, outcome: Outcome, names: Names) -> str:
    mentor = names.person(miss.mentor)
    if miss.reason is MentorReason.NOT_A_MENTOR:
        return _("希望的带教人员%(mentor)s不带教%(post)s") % {
            "mentor": mentor,
            "post": names.post(outcome.post),
        }
    return _("希望的带教人员%(mentor)s名额已满（可带%(capacity)s人，已带%(mentees)s）") % {
        "mentor": mentor,
        "capacity": miss.capacity,
        "mentees": names.persons(miss.mentees) or _("无"),
    }


def describe_violation(violation: Violation, names: Names) -> str:
    who = names.person(violation.candidate)
    post = names.post(violation.post)
    mentor = names.person(violation.mentor)
    rule = violation.rule
    if rule is Rule.UNKNOWN_CANDIDATE:
        return _("%(who)s不是本轮的轮岗人员") % {"who": who}
    if rule is Rule.UNKNOWN_POST:
        return _("%(who)s：%(post)s不是本轮开放的岗位") % {"who": who, "post": post}
    if rule is Rule.PLACED_TWICE:
        return _("%(who)s被安排了不止一个岗位") % {"who": who}
    if rule is Rule.HELD_NOW:
        return _("%(who)s：%(post)s是其现任岗位") % {"who": who, "post": post}
    if rule is Rule.NOT_ELIGIBLE:
        return _("%(who)s：不符合%(post)s（%(level)s）的任职层级条件") % {
            "who": who,
            "post": post,
            "level": level_label(violation.level),
        }
    if rule is Rule.NOT_CHOSEN:
        return _("%(who)s：意向表中没有填报%(post)s") % {"who": who, "post": post}
    if rule is Rule.DECLINED:
        return _("%(who)s：%(post)s的岗位方未接受其") % {"who": who, "post": post}
    if rule is Rule.NOT_RANKED:
        return _("%(who)s：%(post)s的岗位方未将其列入人选") % {"who": who, "post": post}
    if rule is Rule.POST_OVER_CAPACITY:
        return _("%(post)s安排了%(count)s人，超过名额%(capacity)s人") % {
            "post": post,
            "count": violation.count,
            "capacity": violation.capacity,
        }
    if rule is Rule.MENTOR_MISSING:
        text = _("%(who)s：%(post)s尚未指定带教人员") % {"who": who, "post": post}
        if violation.free_mentors:
            text += _("（尚有名额：%(mentors)s）") % {
                "mentors": names.persons(violation.free_mentors)
            }
        else:
            text += _("（该岗位的带教人员均已满额）")
        return text
    if rule is Rule.NOT_A_MENTOR:
        return _("%(who)s：%(mentor)s不是%(post)s的带教人员") % {
            "who": who,
            "mentor": mentor,
            "post": post,
        }
    return _("%(mentor)s带教%(count)s人，超过其名额%(capacity)s人") % {
        "mentor": mentor,
        "count": violation.count,
        "capacity": violation.capacity,
    }


def describe_blocking(pair: BlockingPair, names: Names) -> str:
    """Why the assignment is not stable at this pair: the warning for "move a person"."""
    who = names.person(pair.candidate)
    post = names.post(pair.post)
    if pair.current is None:
        wants = _("%(who)s未安排岗位，而其填报了%(post)s") % {"who": who, "post": post}
    else:
        wants = _("%(who)s更希望去%(post)s（现安排在%(current)s）") % {
            "who": who,
            "post": post,
            "current": names.post(pair.current),
        }
    if pair.kind is BlockKind.FREE_SEAT:
        why = _("该岗位尚有空位和带教名额")
    elif pair.kind is BlockKind.OUTRANKS:
        why = _("该岗位名额已满，但岗位方将其排在%(displaced)s之前") % {
            "displaced": names.persons(pair.displaced)
        }
    elif pair.displaced:
        why = _("该岗位尚有空位，其带教名额被排序在后的%(displaced)s占用") % {
            "displaced": names.persons(pair.displaced)
        }
    else:
        why = _("该岗位尚有空位，其从现岗位调出后腾出的带教名额即可用于该岗位")
    text = _("%(wants)s，%(why)s") % {"wants": wants, "why": why}
    if pair.by_tie:
        text += _("（仅因排序相同时的先后规则）")
    return text
