"""Both sides of the two-way selection: the reserve cadres' 意向表 (the plan's 附2 — ranked
posts, a preferred mentor per post, the wanted length, remarks), editable while the round
is open, and the post side's answer (its mentors or holders rank the candidates who listed
the post, accept or decline them) until the matching runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from houbei.audit.services import record
from houbei.core.clock import day_of, moment
from houbei.organisation.models import Post
from houbei.people.models import Person, PostHistory
from houbei.selection.models import PoolEntry

from .common import (
    Refused,
    check_length,
    check_staff,
    clean_text,
    lock_round,
    person_label,
    refuse,
    require_status,
    user_of,
)
from .models import (
    Intention,
    IntentionChoice,
    PostPreference,
    Round,
    RoundPost,
    RoundStatus,
)

REMARKS_MAX = 1000
ROW_REMARKS_MAX = 200


def reserve_cadres(round_: Round) -> QuerySet[Person]:
    """Who may fill the round's 意向表: the school's reserve cadres (后备干部库) whose entry
    is valid when the rotation starts, not archived."""
    valid = PoolEntry.objects.for_school(round_.school).valid_on(round_.start_date)
    return (
        Person.objects.for_school(round_.school)
        .current()
        .filter(pk__in=valid.values("person_id"))
        .order_by("staff_number")
    )


@dataclass(frozen=True)
class ChoiceDraft:
    """One row of the form: ``rank`` 1 is the first choice; rows with the same rank are
    wanted equally."""

    post: Post
    rank: int
    length: str
    mentor: Person | None = None
    remarks: str = ""


def _choices_snapshot(intention: Intention) -> list[dict[str, Any]]:
    return [
        {
            "rank": c.rank,
            "post": c.round_post.post.name,
            "length": c.length,
            "mentor": c.mentor.name if c.mentor else "",
            "remarks": c.remarks,
        }
        for c in intention.choices.select_related("round_post__post", "mentor").order_by(
            "rank", "pk"
        )
    ]


def _clean_choices(
    round_: Round, person: Person, drafts: Sequence[ChoiceDraft]
) -> list[tuple[ChoiceDraft, RoundPost, int]]:
    """The rows checked, each with its offer and its dense rank (1, 1, 3 → 1, 1, 2).
    Refused under ``choices`` with the row number and post of every problem."""
    if not drafts:
        raise refuse("choices", _("请至少填写一个岗位。"))
    offers = {o.post_id: o for o in RoundPost.objects.filter(round=round_).select_related("post")}
    held_now = set(
        PostHistory.objects.filter(person=person)
        .current(round_.start_date)
        .values_list("post_id", flat=True)
    )
    errors: list[str] = []
    seen: set[int] = set()
    rows: list[tuple[ChoiceDraft, RoundPost]] = []
    for number, draft in enumerate(drafts, start=1):
        where = _("第%(n)d行（%(post)s）：") % {"n": number, "post": draft.post.name}
        offer = offers.get(draft.post.pk)
        if offer is None:
            errors.append(where + _("本轮未开放该岗位。"))
            continue
        if draft.post.pk in seen:
            errors.append(where + _("岗位重复。"))
            continue
        seen.add(draft.post.pk)
        if draft.post.pk in held_now:
            errors.append(where + _("是本人现任岗位，不能作为轮岗岗位。"))
        if isinstance(draft.rank, bool) or not isinstance(draft.rank, int) or draft.rank < 1:
            errors.append(where + _("志愿顺序应为正整数。"))
        try:
            check_length(draft.post, draft.length)
        except Refused as error:
            errors.extend(where + str(m) for m in error.errors["length"])
        if draft.mentor is not None:
            if draft.mentor.pk == person.pk:
                errors.append(where + _("不能填写本人为带教人员。"))
            elif draft.mentor.school_id != round_.school_id or draft.mentor.archived_at:
                errors.append(
                    where + _("%(name)s不是本校在职教职工。") % {"name": draft.mentor.name}
                )
        if len(draft.remarks.strip()) > ROW_REMARKS_MAX:
            errors.append(where + _("备注不能超过%(n)d个字。") % {"n": ROW_REMARKS_MAX})
        rows.append((draft, offer))
    if errors:
        raise Refused({"choices": errors})
    dense = {rank: i for i, rank in enumerate(sorted({d.rank for d, _o in rows}), start=1)}
    return [(d, o, dense[d.rank]) for d, o in rows]


def submit_intention(
    *,
    actor: Any,
    round_: Round,
    person: Person,
    choices: Sequence[ChoiceDraft],
    remarks: str = "",
    at: dt.datetime | None = None,
) -> Intention:
    """Fill in or replace ``person``'s 意向表 while the round is open (a withdrawn form is
    filled in again). Ranks are kept dense: equal ranks stay equal.

    Refused (by field): the round is not open (``status``); the person is not a reserve
    cadre of the school valid at the start (``person``); no row, a post not offered, twice
    or held now, a rank below 1, a length the post does not allow, a mentor who is the
    person or not of the school (``choices``, with the row). ``at`` is when it was
    submitted, now by default (the pages never give it; a system rebuilding a past round
    does): aware and not in the future. Audit: ``rotations.intention.submitted`` with the
    old and new rows, at the same time."""
    remarks = clean_text(
        remarks, field="remarks", label=_("备注"), limit=REMARKS_MAX, required=False
    )
    now = moment(at)
    with transaction.atomic():
        round_ = lock_round(round_)
        require_status(round_, RoundStatus.OPEN, doing=_("填报或修改意向表"))
        if not reserve_cadres(round_).filter(pk=person.pk).exists():
            raise refuse(
                "person",
                _("%(who)s不在本校后备干部库中（或在轮岗开始时已过有效期），不能填报意向表。")
                % {"who": person.name},
            )
        rows = _clean_choices(round_, person, choices)
        intention = (
            Intention.objects.select_for_update().filter(round=round_, person=person).first()
        )
        old: dict[str, Any] = {}
        if intention is None:
            intention = Intention.objects.create(
                round=round_, person=person, remarks=remarks, submitted_by=user_of(actor),
                submitted_at=now,
            )  # fmt: skip
        else:
            old = {"choices": _choices_snapshot(intention), "remarks": intention.remarks}
            if intention.withdrawn_at is not None:
                old["withdrawn"] = True
            intention.choices.all().delete()
            intention.remarks, intention.submitted_by, intention.submitted_at = (
                remarks,
                user_of(actor),
                now,
            )
            intention.withdrawn_at, intention.withdraw_reason = None, ""
            intention.save()
        IntentionChoice.objects.bulk_create(
            IntentionChoice(
                intention=intention, rank=rank, round_post=offer, mentor=draft.mentor,
                length=draft.length, remarks=draft.remarks.strip(),
            )
            for draft, offer, rank in rows
        )  # fmt: skip
        record(
            actor=actor,
            action="rotations.intention.submitted",
            target=intention,
            school=round_.school,
            old=old or None,
            new={"choices": _choices_snapshot(intention), "remarks": remarks},
            at=now,
        )
    return intention


def withdraw_intention(*, actor: Any, round_: Round, person: Person, reason: str = "") -> Intention:
    """Take the person's 意向表 out of the round while it is open; it is kept as withdrawn
    and may be filled in again. Audit: ``rotations.intention.withdrawn``."""
    reason = clean_text(reason, field="reason", label=_("撤回理由"), limit=300, required=False)
    with transaction.atomic():
        round_ = lock_round(round_)
        require_status(round_, RoundStatus.OPEN, doing=_("撤回意向表"))
        intention = (
            Intention.objects.select_for_update().live().filter(round=round_, person=person).first()
        )
        if intention is None:
            raise refuse("person", _("%(who)s没有填报本轮意向表。") % {"who": person.name})
        intention.withdrawn_at, intention.withdraw_reason = timezone.now(), reason
        intention.save(update_fields=["withdrawn_at", "withdraw_reason", "updated_at"])
        record(
            actor=actor,
            action="rotations.intention.withdrawn",
            target=intention,
            school=round_.school,
            old={"choices": _choices_snapshot(intention)},
            reason=reason,
        )
    return intention


def candidates_for(offer: RoundPost) -> QuerySet[IntentionChoice]:
    """The live 意向表 rows that list the post, for the post side: who, at which rank,
    for how long, with which mentor in mind."""
    return (
        IntentionChoice.objects.filter(round_post=offer, intention__withdrawn_at__isnull=True)
        .select_related("intention__person", "mentor")
        .order_by("rank", "intention__person__staff_number")
    )


def _preferences_snapshot(offer: RoundPost) -> dict[str, Any]:
    tiers: dict[int, list[str]] = {}
    declined: list[str] = []
    for pref in offer.preferences.select_related("person").order_by("tier", "person__staff_number"):
        if pref.declined:
            declined.append(pref.person.name)
        else:
            assert pref.tier is not None
            tiers.setdefault(pref.tier, []).append(pref.person.name)
    return {
        "ranking": [tiers[t] for t in sorted(tiers)],
        "declined": declined,
        "accept_others": offer.accept_others,
    }


# The rounds in which the post side answers (set_post_preferences): open or closed.
ANSWERING = (RoundStatus.OPEN, RoundStatus.CLOSED)


def offers_answered_by(person: Person, school: Any, today: dt.date) -> QuerySet[RoundPost]:
    """Posts offered in the school's open or closed rounds that ``person`` mentors in the
    round or holds today: the post side they may answer for (as ``set_post_preferences``
    allows)."""
    holds = PostHistory.objects.filter(person=person, post=OuterRef("post")).current(today)
    mentors = RoundPost.mentors.through.objects.filter(roundpost=OuterRef("pk"), person=person)
    return RoundPost.objects.filter(round__school=school, round__status__in=ANSWERING).filter(
        Exists(mentors) | Exists(holds)
    )


def set_post_preferences(
    *,
    actor: Any,
    offer: RoundPost,
    ranking: Sequence[Sequence[Person]],
    declined: Sequence[Person] = (),
    accept_others: bool = True,
    by: Person | None = None,
    at: dt.datetime | None = None,
) -> RoundPost:
    """The post side's answer, replacing the last one: ``ranking`` in tiers, best first
    (people in one tier are ranked equal; to accept without ranking, give one tier),
    ``declined`` the people the post does not accept, and whether everyone else who listed
    the post is acceptable below the ranked (``accept_others``). ``by`` is the mentor or
    holder of the post who answered (the actor may be entering it for them).

    Refused (by field): the matching has run (``status``); ``by`` neither mentors nor
    holds the post (``by``); someone ranked twice, both ranked and declined, or without a
    live 意向表 listing the post (``ranking``). ``at`` is when it was answered, now by
    default (aware, not in the future); whether ``by`` holds the post is judged on that
    day. Audit: ``rotations.post_side.ranked``, at the same time."""
    now = moment(at)
    with transaction.atomic():
        round_ = lock_round(offer.round)
        require_status(round_, RoundStatus.OPEN, RoundStatus.CLOSED, doing=_("修改岗位方排序"))
        offer = RoundPost.objects.select_for_update().select_related("post").get(pk=offer.pk)
        if by is not None:
            holds = PostHistory.objects.filter(person=by, post=offer.post).current(day_of(now))
            if not offer.mentors.filter(pk=by.pk).exists() and not holds.exists():
                raise refuse(
                    "by",
                    _("%(who)s既不是%(post)s的带教人员，也不是该岗位的现任人员。")
                    % {"who": by.name, "post": offer.post.name},
                )
        everyone = [p for tier in ranking for p in tier] + list(declined)
        check_staff(round_.school, everyone, field="ranking")
        seen: set[int] = set()
        for person in everyone:
            if person.pk in seen:
                raise refuse(
                    "ranking", _("%(who)s被重复排序或既排序又不接受。") % {"who": person.name}
                )
            seen.add(person.pk)
        listed = set(candidates_for(offer).values_list("intention__person_id", flat=True))
        strangers = [p.name for p in everyone if p.pk not in listed]
        if strangers:
            raise refuse(
                "ranking",
                _("以下人员没有在意向表中填报%(post)s：%(names)s")
                % {"post": offer.post.name, "names": "、".join(strangers)},
            )
        before = _preferences_snapshot(offer)
        offer.preferences.all().delete()
        PostPreference.objects.bulk_create(
            [
                PostPreference(round_post=offer, person=person, tier=tier)
                for tier, group in enumerate((g for g in ranking if g), start=1)
                for person in group
            ]
            + [PostPreference(round_post=offer, person=p, declined=True) for p in declined]
        )
        offer.accept_others = accept_others
        offer.ranked_by, offer.ranked_by_person, offer.ranked_at = (
            user_of(actor),
            by,
            now,
        )
        offer.save(update_fields=["accept_others", "ranked_by", "ranked_by_person", "ranked_at"])
        record(
            actor=actor,
            action="rotations.post_side.ranked",
            target=round_,
            old={"post": offer.post.name, **before},
            new={
                "post": offer.post.name,
                **_preferences_snapshot(offer),
                "by": person_label(by) if by else "",
            },
            at=now,
        )
    return offer
