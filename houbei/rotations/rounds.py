"""A round of two-way selection: creating it with the posts it offers (seats, mentors,
exemptions), the mentors' numbers, per-person waivers of the level rule, and closing and
reopening the intention forms. The forms and the posts' answers are in ``intentions``;
the matching, the moves and the confirmation in ``proposal``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houbei.audit.services import diff, record
from houbei.core.clock import moment, stamp
from houbei.eligibility.models import Exemption, Rule, RuleSet
from houbei.organisation.models import Post, School, Term, TermNumber
from houbei.people.models import Person

from .common import (
    Refused,
    check_post,
    check_staff,
    clean_text,
    lock_round,
    person_label,
    refuse,
    require_move,
    require_status,
    user_of,
)
from .models import (
    DEFAULT_MENTOR_CAPACITY,
    DEFAULT_MONTHS_BELOW,
    LevelWaiver,
    Round,
    RoundMentor,
    RoundPost,
    RoundScope,
    RoundStatus,
)

MAX_MONTHS_BELOW = 120
MAX_MENTOR_CAPACITY = 20
MAX_POST_CAPACITY = 999
# While the forms are open or just closed, the round's set-up may still change.
SETTING_UP = (RoundStatus.OPEN, RoundStatus.CLOSED)


def _level_rule(school: School) -> Rule | None:
    """The "one year at the level below" rule of the school's default rule set."""
    rule_set = RuleSet.objects.for_school(school).active().filter(is_default=True).first()
    if rule_set is None:
        return None
    return rule_set.rules.filter(type="level_below", enabled=True).first()


def school_months_below(school: School) -> int:
    """The months at the level below that the school's default rules ask for (the plan:
    一年以上), else the default."""
    rule = _level_rule(school)
    if rule is None:
        return DEFAULT_MONTHS_BELOW
    try:
        return int((Decimal(str(rule.params.get("min_years", "1"))) * 12).to_integral_value())
    except ArithmeticError:
        return DEFAULT_MONTHS_BELOW


def school_exemptions(school: School) -> dict[int, str]:
    """Post id → reason for the posts whose level requirement the school's default rules
    waive (个别岗位酌情处理)."""
    rule = _level_rule(school)
    if rule is None:
        return {}
    return dict(Exemption.objects.active().filter(rule=rule).values_list("post_id", "reason"))


def _check_numbers(min_months_below: int, default_mentor_capacity: int) -> None:
    errors: dict[str, list[str]] = {}
    if not 0 <= min_months_below <= MAX_MONTHS_BELOW:
        errors["min_months_below"] = [
            _("下一级岗位经历应在0至%(max)d个月之间。") % {"max": MAX_MONTHS_BELOW}
        ]
    if not 0 <= default_mentor_capacity <= MAX_MENTOR_CAPACITY:
        errors["default_mentor_capacity"] = [
            _("每位带教人员每学期可带人数应在0至%(max)d之间。") % {"max": MAX_MENTOR_CAPACITY}
        ]
    if errors:
        raise Refused(errors)


def _check_term(school: School, scope: str, start_term: Term) -> None:
    if scope not in RoundScope.values:
        raise refuse("scope", _("轮次范围应为学期或学年。"))
    if start_term.school_year.school_id != school.pk:
        raise refuse("start_term", _("学期不属于本校。"))
    if scope == RoundScope.YEAR and start_term.number != TermNumber.FIRST:
        raise refuse("start_term", _("学年轮次应从第一学期开始。"))


def create_round(
    *,
    actor: Any,
    school: School,
    title: str,
    start_term: Term,
    scope: str = RoundScope.TERM,
    intentions_due: dt.date | None = None,
    posts: Sequence[Post] | None = None,
    min_months_below: int | None = None,
    default_mentor_capacity: int = DEFAULT_MENTOR_CAPACITY,
    note: str = "",
    at: dt.datetime | None = None,
) -> Round:
    """A round open for intentions, offering ``posts`` (default: the school's current
    rotation posts), each with its seats per term and its default mentors; the level rule's
    months and the posts' exemptions come from the school's default rules unless given.

    Refused (by field) for no title or one the school has, a term of another school, a
    year round not starting in 第一学期, another unconfirmed round starting in the same
    term, numbers out of bounds, a post not of the school, archived or not a rotation post.
    ``at`` is when it was opened, now by default (the pages never give it; a system
    rebuilding a past round does): aware and not in the future.
    Audit: ``rotations.round.created``, at the same time."""
    moment(at)
    title = clean_text(title, field="title", label=_("名称"), limit=120)
    note = clean_text(note, field="note", label=_("说明"), required=False)
    _check_term(school, scope, start_term)
    months = school_months_below(school) if min_months_below is None else min_months_below
    _check_numbers(months, default_mentor_capacity)
    offered = list(
        Post.objects.for_school(school).active().filter(is_rotation_post=True)
        if posts is None
        else posts
    )
    for post in offered:
        check_post(school, post, field="posts")
    if not offered:
        raise refuse("posts", _("本轮至少要开放一个轮岗岗位。"))
    if len({p.pk for p in offered}) != len(offered):
        raise refuse("posts", _("岗位重复。"))
    exemptions = school_exemptions(school)
    try:
        with transaction.atomic():
            School.objects.select_for_update().get(pk=school.pk)
            if Round.objects.filter(school=school, title=title).exists():
                raise refuse("title", _("本校已有名为“%(title)s”的轮次。") % {"title": title})
            clash = Round.objects.for_school(school).unconfirmed().filter(start_term=start_term)
            if clash.exists():
                raise refuse(
                    "start_term",
                    _("%(term)s已有尚未确认的轮次“%(title)s”。")
                    % {"term": start_term, "title": clash.first()},
                )
            round_ = Round.objects.create(
                school=school, title=title, scope=scope, start_term=start_term,
                intentions_due=intentions_due, min_months_below=months,
                default_mentor_capacity=default_mentor_capacity, note=note,
                created_by=user_of(actor),
            )  # fmt: skip
            stamp(round_, "created_at", at)
            for post in offered:
                offer = RoundPost.objects.create(
                    round=round_, post=post, capacity=post.capacity_per_term,
                    level_exempt=post.pk in exemptions, exempt_reason=exemptions.get(post.pk, ""),
                )  # fmt: skip
                offer.mentors.set(post.default_mentors.filter(archived_at__isnull=True))
            record(
                actor=actor,
                action="rotations.round.created",
                target=round_,
                new={
                    "title": title, "scope": scope, "start_term": str(start_term),
                    "intentions_due": intentions_due, "min_months_below": months,
                    "default_mentor_capacity": default_mentor_capacity,
                    "posts": [p.name for p in offered],
                },
                at=at,
            )  # fmt: skip
    except IntegrityError:  # a simultaneous round with the same title
        raise refuse("title", _("本校已有名为“%(title)s”的轮次。") % {"title": title}) from None
    return round_


def round_settings(round_: Round) -> dict[str, Any]:
    return {
        "title": round_.title,
        "intentions_due": round_.intentions_due,
        "min_months_below": round_.min_months_below,
        "default_mentor_capacity": round_.default_mentor_capacity,
        "note": round_.note,
    }


def update_round(
    *,
    actor: Any,
    round_: Round,
    title: str,
    intentions_due: dt.date | None,
    min_months_below: int,
    default_mentor_capacity: int,
    note: str = "",
) -> Round:
    """Change a round's settings before the matching runs. Same rules as ``create_round``.
    Audit: ``rotations.round.updated`` with the changed settings."""
    title = clean_text(title, field="title", label=_("名称"), limit=120)
    note = clean_text(note, field="note", label=_("说明"), required=False)
    _check_numbers(min_months_below, default_mentor_capacity)
    with transaction.atomic():
        round_ = lock_round(round_)
        require_status(round_, *SETTING_UP, doing=_("修改轮次设置"))
        if Round.objects.filter(school=round_.school, title=title).exclude(pk=round_.pk).exists():
            raise refuse("title", _("本校已有名为“%(title)s”的轮次。") % {"title": title})
        before = round_settings(round_)
        round_.title, round_.intentions_due, round_.note = title, intentions_due, note
        round_.min_months_below = min_months_below
        round_.default_mentor_capacity = default_mentor_capacity
        old, new = diff(before, round_settings(round_))
        if new:
            round_.save(update_fields=list(new))
            record(actor=actor, action="rotations.round.updated", target=round_, old=old, new=new)
    return round_


def offer_snapshot(offer: RoundPost) -> dict[str, Any]:
    return {
        "post": offer.post.name,
        "capacity": offer.capacity,
        "mentors": sorted(person_label(p) for p in offer.mentors.all()),
        "level_exempt": offer.level_exempt,
        "exempt_reason": offer.exempt_reason,
    }


def set_round_post(
    *,
    actor: Any,
    round_: Round,
    post: Post,
    capacity: int,
    mentors: Sequence[Person],
    level_exempt: bool = False,
    exempt_reason: str = "",
) -> RoundPost:
    """Offer ``post`` in the round, or change its offer: seats this term (0: not this
    time), mentors, and the exemption from the level rule, which needs a written reason.
    Allowed until the matching runs. Audit: ``rotations.round_post.set``."""
    exempt_reason = clean_text(
        exempt_reason, field="exempt_reason", label=_("免除理由"), limit=300, required=level_exempt
    )
    if not 0 <= capacity <= MAX_POST_CAPACITY:
        raise refuse("capacity", _("名额应在0至%(max)d之间。") % {"max": MAX_POST_CAPACITY})
    with transaction.atomic():
        round_ = lock_round(round_)
        require_status(round_, *SETTING_UP, doing=_("修改本轮岗位"))
        check_post(round_.school, post)
        check_staff(round_.school, mentors, field="mentors")
        if len({m.pk for m in mentors}) != len(mentors):
            raise refuse("mentors", _("带教人员重复。"))
        offer, created = RoundPost.objects.get_or_create(
            round=round_, post=post, defaults={"capacity": capacity}
        )
        before = {} if created else offer_snapshot(offer)
        offer.capacity = capacity
        offer.level_exempt = level_exempt
        offer.exempt_reason = exempt_reason if level_exempt else ""
        offer.save(update_fields=["capacity", "level_exempt", "exempt_reason"])
        offer.mentors.set(mentors)
        old, new = diff(before, offer_snapshot(offer))
        if new:
            record(
                actor=actor,
                action="rotations.round_post.set",
                target=round_,
                old=old,
                new={"post": post.name, **new},
                reason=exempt_reason if new.get("level_exempt") else "",
            )
    return offer


def set_mentor_capacity(*, actor: Any, round_: Round, mentor: Person, capacity: int) -> RoundMentor:
    """How many mentees ``mentor`` takes per term in this round (the round's default
    otherwise). Allowed until the matching runs. Audit: ``rotations.mentor.capacity_set``."""
    if not 0 <= capacity <= MAX_MENTOR_CAPACITY:
        raise refuse("capacity", _("可带人数应在0至%(max)d之间。") % {"max": MAX_MENTOR_CAPACITY})
    with transaction.atomic():
        round_ = lock_round(round_)
        require_status(round_, *SETTING_UP, doing=_("修改带教人员名额"))
        check_staff(round_.school, [mentor], field="mentor")
        limit = RoundMentor.objects.filter(round=round_, person=mentor).first()
        old = limit.capacity if limit is not None else round_.default_mentor_capacity
        if limit is None:
            limit = RoundMentor.objects.create(round=round_, person=mentor, capacity=capacity)
        else:
            limit.capacity = capacity
            limit.save(update_fields=["capacity"])
        record(
            actor=actor,
            action="rotations.mentor.capacity_set",
            target=round_,
            old={"mentor": person_label(mentor), "capacity": old},
            new={"mentor": person_label(mentor), "capacity": capacity},
        )
    return limit


def grant_level_waiver(
    *, actor: Any, round_: Round, person: Person, post: Post, reason: str
) -> LevelWaiver:
    """Let one person rotate at one post of the round without the time at the level below
    (个别岗位酌情处理), with the written reason. Audit: ``rotations.waiver.granted``."""
    reason = clean_text(reason, field="reason", label=_("理由"), limit=300)
    with transaction.atomic():
        round_ = lock_round(round_)
        require_status(round_, *SETTING_UP, doing=_("免除层级要求"))
        check_staff(round_.school, [person], field="person")
        if not RoundPost.objects.filter(round=round_, post=post).exists():
            raise refuse("post", _("本轮未开放%(post)s。") % {"post": post.name})
        if LevelWaiver.objects.active().filter(round=round_, person=person, post=post).exists():
            raise refuse(
                "post",
                _("%(who)s在%(post)s的层级要求已经免除。")
                % {"who": person.name, "post": post.name},
            )
        waiver = LevelWaiver.objects.create(
            round=round_, person=person, post=post, reason=reason, granted_by=user_of(actor)
        )
        record(
            actor=actor,
            action="rotations.waiver.granted",
            target=round_,
            new={"person": person_label(person), "post": post.name},
            reason=reason,
        )
    return waiver


def revoke_level_waiver(*, actor: Any, waiver: LevelWaiver, reason: str) -> LevelWaiver:
    """Withdraw a waiver, with the reason; it is kept as revoked.
    Audit: ``rotations.waiver.revoked``."""
    reason = clean_text(reason, field="reason", label=_("撤销理由"), limit=300)
    with transaction.atomic():
        round_ = lock_round(waiver.round)
        require_status(round_, *SETTING_UP, doing=_("撤销免除"))
        waiver = (
            LevelWaiver.objects.select_for_update()
            .select_related("person", "post")
            .get(pk=waiver.pk)
        )
        if waiver.revoked_at is not None:
            raise refuse("waiver", _("该免除已经撤销。"))
        waiver.revoked_at, waiver.revoked_by, waiver.revoke_reason = (
            timezone.now(),
            user_of(actor),
            reason,
        )
        waiver.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        record(
            actor=actor,
            action="rotations.waiver.revoked",
            target=round_,
            old={"person": person_label(waiver.person), "post": waiver.post.name},
            reason=reason,
        )
    return waiver


def close_intentions(*, actor: Any, round_: Round, at: dt.datetime | None = None) -> Round:
    """填报意向 → 意向已截止 now, or at ``at`` (aware, not in the future): the forms can
    no longer be changed; the posts may still rank. Audit: ``rotations.round.closed``, at
    the same time."""
    now = moment(at)
    with transaction.atomic():
        round_ = lock_round(round_)
        require_status(round_, RoundStatus.OPEN, doing=_("截止意向填报"))
        round_.status, round_.closed_at = RoundStatus.CLOSED, now
        round_.save(update_fields=["status", "closed_at"])
        record(
            actor=actor,
            action="rotations.round.closed",
            target=round_,
            old={"status": RoundStatus.OPEN},
            new={"status": RoundStatus.CLOSED, "intentions": round_.intentions.live().count()},
            at=now,
        )
    return round_


def reopen_intentions(
    *, actor: Any, round_: Round, reason: str, at: dt.datetime | None = None
) -> Round:
    """意向已截止 → 填报意向 again, with the written reason, now or at ``at`` (aware,
    not in the future). Audit: ``rotations.round.reopened``, at the same time."""
    reason = clean_text(reason, field="reason", label=_("重新开放的理由"))
    now = moment(at)
    with transaction.atomic():
        round_ = lock_round(round_)
        require_move(round_, RoundStatus.OPEN, doing=_("重新开放意向填报"))
        round_.status, round_.closed_at = RoundStatus.OPEN, None
        round_.save(update_fields=["status", "closed_at"])
        record(
            actor=actor,
            action="rotations.round.reopened",
            target=round_,
            old={"status": RoundStatus.CLOSED},
            new={"status": RoundStatus.OPEN},
            reason=reason,
            at=now,
        )
    return round_
