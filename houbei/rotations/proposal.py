"""The matching run, the administrator's review and moves, and the confirmation.

``run_matching`` builds the instance from the database (``instance.py``), calls the pure
matching, and stores the instance, every person's placement and their explanation in
words; the round's reserve cadres with no form in it are in the stored instance with the
reason (``absent``), so the proposal lists them among the unplaced. The stored instance is what later checks use, so a move is judged against the data
the proposal was computed from, not against what changed since.

A move is judged by the matching's ``check`` before and after it: a rule it breaks or a
blocking pair it creates is a warning, and the move is saved only with a written reason
(``MoveNeedsReason`` carries the warnings; ``preview_move`` shows them first). Putting
someone in the post they hold and overloading a mentor are refused outright — the same
two rules every assignment keeps. ``confirm_round`` turns the placements into planned
assignments under the assignments' rules."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houbei.audit.services import record
from houbei.core.clock import moment, stamp
from houbei.organisation.models import Post, RotationLength
from houbei.people.models import Person

from . import matching
from .assignments import (
    Draft,
    check_drafts,
    create_drafts,
    default_role,
    lock_people,
    rotation_period,
)
from .common import (
    Refused,
    allowed_lengths,
    check_length,
    check_staff,
    clean_text,
    lock_round,
    person_label,
    refuse,
    require_move,
    require_status,
    user_of,
)
from .explain import Names, describe_blocking, describe_outcome, describe_violation
from .instance import RoundInstance, build_instance
from .models import (
    Assignment,
    MatchingRun,
    Placement,
    Round,
    RoundPost,
    RoundScope,
    RoundStatus,
)

# Rules a move may not break even with a reason: every assignment keeps them.
HARD_RULES = frozenset({matching.Rule.HELD_NOW, matching.Rule.MENTOR_OVER_CAPACITY})
REVIEWING = (RoundStatus.MATCHED, RoundStatus.ADJUSTED)


class MoveNeedsReason(Refused):
    """The move breaks a rule or creates a blocking pair: ``warnings`` says which, and the
    move is saved only with a reason."""

    def __init__(self, warnings: list[str]) -> None:
        self.warnings = warnings
        super().__init__(
            {"reason": [_("此项调整会带来以下问题，须填写理由后才能保存："), *warnings]}
        )


def live_run(round_: Round) -> MatchingRun | None:
    """The round's current proposal (None before the matching has run or once discarded)."""
    return (
        MatchingRun.objects.filter(round=round_, discarded_at__isnull=True)
        .select_related("run_by")
        .first()
    )


def instance_of(run: MatchingRun) -> RoundInstance:
    return RoundInstance.from_json(run.instance)


def run_matching(*, actor: Any, round_: Round, at: dt.datetime | None = None) -> MatchingRun:
    """Match the closed round: 意向已截止 → 已生成匹配方案, now or at ``at`` (aware, not
    in the future). Every person who filled the form gets a placement line with the
    matching's explanation; those left out get theirs with the reason. Refused when nobody
    filled the form. Audit: ``rotations.round.matched`` with the counts, at the same time."""
    now = moment(at)
    with transaction.atomic():
        round_ = lock_round(round_)
        require_move(round_, RoundStatus.MATCHED, doing=_("生成匹配方案"))
        inst = build_instance(round_)
        if not inst.candidates and not inst.excluded:
            raise refuse("intentions", _("本轮没有人填报意向表，无法匹配。"))
        try:
            result = inst.match()
        except matching.InstanceError as error:  # the tables' constraints should prevent it
            raise refuse("instance", _("匹配数据有误：%(error)s") % {"error": error}) from None
        run = MatchingRun.objects.create(
            round=round_, as_of=inst.as_of, instance=inst.to_json(), proposals=result.proposals,
            run_by=user_of(actor),
        )  # fmt: skip
        stamp(run, "run_at", at)
        offers = {o.post_id: o for o in RoundPost.objects.filter(round=round_)}
        names = inst.names
        rows = []
        for position, outcome in enumerate(result.outcomes):
            offer = offers[outcome.post] if outcome.post is not None else None
            length = inst.lengths[outcome.candidate][outcome.post] if outcome.post else ""
            row = Placement(
                run=run, person_id=outcome.candidate, position=position, round_post=offer,
                mentor_id=outcome.mentor, proposed_post=offer, proposed_mentor_id=outcome.mentor,
                choice=outcome.choice, length=length, explanation=describe_outcome(outcome, names),
            )  # fmt: skip
            rows.append(row)
        for position, (person_id, reason) in enumerate(inst.excluded, start=len(rows)):
            row = Placement(
                run=run, person_id=person_id, position=position, excluded=True,
                explanation=[reason],
            )  # fmt: skip
            rows.append(row)
        Placement.objects.bulk_create(rows)
        round_.status, round_.matched_at = RoundStatus.MATCHED, now
        round_.save(update_fields=["status", "matched_at"])
        placed = [o for o in result.outcomes if o.placed]
        record(
            actor=actor,
            action="rotations.round.matched",
            target=round_,
            old={"status": RoundStatus.CLOSED},
            new={
                "status": RoundStatus.MATCHED,
                "candidates": len(result.outcomes),
                "placed": len(placed),
                "first_choice": sum(o.first_choice for o in placed),
                "unplaced": [names.person(o.candidate) for o in result.unplaced],
                "excluded": [names.person(p) for p, _r in inst.excluded],
                "absent": [names.person(p) for p, _n, _r in inst.absent or ()],
            },
            at=now,
        )
    return run


def _placements(run: MatchingRun) -> list[Placement]:
    return list(
        run.placements.select_related("person", "round_post__post", "mentor").order_by("position")
    )


def _as_matching(rows: Sequence[Placement]) -> list[matching.Placement]:
    return [
        matching.Placement(row.person_id, row.round_post.post_id, row.mentor_id)
        for row in rows
        if row.round_post is not None and not row.excluded
    ]


@dataclass(frozen=True)
class ProposalReview:
    """What ``check`` finds in the proposal as it stands, in words."""

    violations: list[str]
    blocking: list[str]
    review: matching.Review

    @property
    def ok(self) -> bool:
        return self.review.ok


def review_proposal(
    round_: Round,
    *,
    run: MatchingRun | None = None,
    placements: Sequence[Placement] | None = None,
    instance: RoundInstance | None = None,
) -> ProposalReview:
    """The live proposal's rule violations and blocking pairs (both empty for the
    matching's own result), judged on the data it was computed from. A page that has
    already read the run, its placements (with their posts) or its instance passes them,
    and nothing is read twice."""
    if run is None:
        run = live_run(round_)
        if run is None:
            raise refuse("status", _("本轮还没有匹配方案。"))
    inst = instance_of(run) if instance is None else instance
    rows = _placements(run) if placements is None else placements
    review = inst.check(_as_matching(rows))
    names = inst.names
    return ProposalReview(
        [describe_violation(v, names) for v in review.violations],
        [describe_blocking(b, names) for b in review.blocking],
        review,
    )


def _violation_key(v: matching.Violation) -> tuple[Any, ...]:
    return (v.rule, v.candidate, v.post, v.mentor)


def _blocking_key(b: matching.BlockingPair) -> tuple[Any, ...]:
    return (b.candidate, b.post)


@dataclass
class MoveCheck:
    """What a move would bring: ``refusals`` stop it, ``warnings`` need a reason.
    ``mentor`` and ``length`` are what the move would use when not given."""

    warnings: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    mentor: int | None = None
    length: str = ""


def _pick_mentor(
    inst: RoundInstance, rows: Sequence[Placement], person_id: int, post_id: int
) -> int | None:
    """The person's preferred mentor for the post if they have room, else the first of the
    post's mentors with room, else None."""
    post = next(p for p in inst.posts if p.id == post_id)
    if not post.mentors:
        return None
    capacity = {m.id: m.capacity for m in inst.mentors}
    load = Counter(
        r.mentor_id for r in rows if r.mentor_id is not None and r.person_id != person_id
    )
    wanted = next((c.mentors.get(post_id) for c in inst.candidates if c.id == person_id), None)
    order = ([wanted] if wanted in post.mentors else []) + list(post.mentors)
    for mentor_id in order:
        if load[mentor_id] < capacity.get(mentor_id, 0):
            return mentor_id
    return None


def _default_length(round_: Round, inst: RoundInstance, person_id: int, post: Post) -> str:
    wanted = inst.lengths.get(person_id, {}).get(post.pk)
    if wanted:
        return wanted
    allowed = allowed_lengths(post)
    by_scope = RotationLength.YEAR if round_.scope == RoundScope.YEAR else RotationLength.TERM
    return by_scope if by_scope in allowed else allowed[0]


def _judge(
    round_: Round,
    run: MatchingRun,
    person: Person,
    post: Post | None,
    mentor: Person | None,
    length: str | None,
) -> tuple[MoveCheck, Placement, RoundPost | None]:
    rows = _placements(run)
    row = next((r for r in rows if r.person_id == person.pk), None)
    if row is None:
        raise refuse("person", _("%(who)s不在本轮匹配方案中。") % {"who": person.name})
    if row.excluded:
        raise refuse(
            "person",
            _("%(who)s未参加本轮匹配：%(why)s") % {"who": person.name, "why": row.explanation[0]},
        )
    inst = instance_of(run)
    offer = None
    result = MoveCheck()
    if post is not None:
        offer = RoundPost.objects.filter(round=round_, post=post).select_related("post").first()
        if offer is None:
            raise refuse("post", _("本轮未开放%(post)s。") % {"post": post.name})
        if length is not None:
            check_length(post, length)
        result.length = length or _default_length(round_, inst, person.pk, post)
        result.mentor = (
            mentor.pk if mentor is not None else _pick_mentor(inst, rows, person.pk, post.pk)
        )
    elif mentor is not None:
        raise refuse("mentor", _("未安排岗位时不能指定带教人员。"))
    if mentor is not None:
        check_staff(round_.school, [mentor], field="mentor")
        if mentor.pk == person.pk:
            raise refuse("mentor", _("%(who)s不能做自己的带教人员。") % {"who": person.name})
    same = (
        (row.round_post_id == (offer.pk if offer else None))
        and row.mentor_id == result.mentor
        and (offer is None or row.length == result.length)
    )
    if same:
        raise refuse("post", _("调整前后相同，无需保存。"))
    before = inst.check(_as_matching(rows))
    moved = [r for r in _as_matching(rows) if r.candidate != person.pk]
    if offer is not None:
        moved.append(matching.Placement(person.pk, offer.post_id, result.mentor))
    after = inst.check(moved)
    people = dict(inst.people)
    if mentor is not None:
        people.setdefault(mentor.pk, mentor.name)
    names = Names(people, dict(inst.post_names))
    old_v = {_violation_key(v) for v in before.violations}
    old_b = {_blocking_key(b) for b in before.blocking}
    for violation in after.violations:
        if _violation_key(violation) in old_v:
            continue
        text = describe_violation(violation, names)
        (result.refusals if violation.rule in HARD_RULES else result.warnings).append(text)
    result.warnings.extend(
        describe_blocking(b, names) for b in after.blocking if _blocking_key(b) not in old_b
    )
    return result, row, offer


def preview_move(
    *, round_: Round, person: Person, post: Post | None, mentor: Person | None = None,
    length: str | None = None,
) -> MoveCheck:  # fmt: skip
    """What moving ``person`` to ``post`` (None: no post) with ``mentor`` would bring,
    without saving: the warnings that need a reason, the refusals, and the mentor and
    length the move would take when not given."""
    run = live_run(round_)
    if run is None:
        raise refuse("status", _("本轮还没有匹配方案。"))
    check, _row, _offer = _judge(round_, run, person, post, mentor, length)
    return check


def move_candidate(
    *,
    actor: Any,
    round_: Round,
    person: Person,
    post: Post | None,
    mentor: Person | None = None,
    length: str | None = None,
    reason: str = "",
) -> Placement:
    """Move ``person`` to ``post`` (None: take them off) with ``mentor`` (default: their
    preferred mentor, else one of the post's with room) for ``length`` (default: the one
    they wanted, else the round's). 已生成匹配方案 → 方案已调整.

    Refused (by field): not in the proposal or left out of it (``person``), a post not
    offered or the same placement (``post``), a length the post does not allow
    (``length``), the post they hold or a mentor over their number (``move``).
    ``MoveNeedsReason`` (field ``reason``) lists the rules broken and blocking pairs
    created when no reason is given. Audit: ``rotations.placement.moved`` with the
    warnings and the reason."""
    reason = clean_text(reason, field="reason", label=_("调整理由"), required=False)
    with transaction.atomic():
        round_ = lock_round(round_)
        require_status(round_, *REVIEWING, doing=_("调整匹配方案"))
        run = live_run(round_)
        assert run is not None  # a round in review has a live run
        check, row, offer = _judge(round_, run, person, post, mentor, length)
        if check.refusals:
            raise Refused({"move": check.refusals})
        if check.warnings and not reason:
            raise MoveNeedsReason(check.warnings)
        old = _placement_snapshot(row)
        row.round_post = offer
        row.mentor_id = check.mentor
        row.length = check.length if offer is not None else ""
        row.choice = _choice_of(instance_of(run), person.pk, offer.post_id if offer else None)
        row.moved_at, row.moved_by = timezone.now(), user_of(actor)
        row.move_reason, row.move_warnings = reason, check.warnings
        row.save()
        row.refresh_from_db()
        if round_.status == RoundStatus.MATCHED:
            round_.status = RoundStatus.ADJUSTED
            round_.save(update_fields=["status"])
        record(
            actor=actor,
            action="rotations.placement.moved",
            target=round_,
            old=old,
            new={**_placement_snapshot(row), "warnings": check.warnings},
            reason=reason,
        )
    return row


def _choice_of(inst: RoundInstance, person_id: int, post_id: int | None) -> int | None:
    """Which choice (rank group, 1 = first) the post is in the person's form."""
    if post_id is None:
        return None
    candidate = next(c for c in inst.candidates if c.id == person_id)
    for number, group in enumerate(candidate.choices, start=1):
        if post_id == group or (isinstance(group, tuple) and post_id in group):
            return number
    return None


def _placement_snapshot(row: Placement) -> dict[str, Any]:
    return {
        "person": person_label(row.person),
        "post": row.round_post.post.name if row.round_post else "",
        "mentor": row.mentor.name if row.mentor else "",
        "length": row.length,
    }


def discard_proposal(*, actor: Any, round_: Round, reason: str) -> Round:
    """Set the proposal aside (kept, with the reason) and go back to 意向已截止, so the
    posts can answer again and the matching can run anew.
    Audit: ``rotations.proposal.discarded``."""
    reason = clean_text(reason, field="reason", label=_("作废理由"))
    with transaction.atomic():
        round_ = lock_round(round_)
        require_status(round_, *REVIEWING, doing=_("作废匹配方案"))
        run = live_run(round_)
        assert run is not None
        run.discarded_at, run.discarded_by, run.discard_reason = (
            timezone.now(),
            user_of(actor),
            reason,
        )
        run.save(update_fields=["discarded_at", "discarded_by", "discard_reason"])
        before = round_.status
        round_.status, round_.matched_at = RoundStatus.CLOSED, None
        round_.save(update_fields=["status", "matched_at"])
        record(
            actor=actor,
            action="rotations.proposal.discarded",
            target=round_,
            old={"status": before},
            new={"status": RoundStatus.CLOSED},
            reason=reason,
        )
    return round_


def confirm_round(*, actor: Any, round_: Round, at: dt.datetime | None = None) -> list[Assignment]:
    """Confirm the proposal: every placed person gets a planned assignment (post, mentor
    as 带教领导 or 师傅 by the post's level, start term, length, end date from the calendar).
    → 已确认. Refused, naming each person, when a rotation would overlap another of theirs,
    a post is the one they hold, a mentor would be over their number in a term, or a year's
    next term is not in the calendar. ``at`` is when it was confirmed, now by default
    (aware, not in the future). Audit: ``rotations.round.confirmed`` and one
    ``rotations.assignment.created`` per assignment."""
    now = moment(at)
    with transaction.atomic():
        round_ = lock_round(round_)
        require_move(round_, RoundStatus.CONFIRMED, doing=_("确认匹配方案"))
        run = live_run(round_)
        assert run is not None
        rows = [r for r in _placements(run) if r.round_post is not None and not r.excluded]
        drafts: list[Draft] = []
        errors: dict[str, list[str]] = {}
        for row in rows:
            assert row.round_post is not None  # the unplaced were filtered out above
            post = row.round_post.post
            try:
                period = rotation_period(round_.start_term, row.length)
            except Refused as error:
                errors.setdefault("length", []).extend(
                    f"{row.person.name}：{m}" for m in error.errors["length"]
                )
                continue
            mentors = [(row.mentor, default_role(post))] if row.mentor is not None else []
            drafts.append(Draft(row.person, post, period, row.length, mentors, "", row))
        lock_people([p for d in drafts for p in (d.person, *(m for m, _r in d.mentors))])
        for name, messages in check_drafts(drafts, round_).items():
            errors.setdefault(name, []).extend(messages)
        if errors:
            raise Refused(errors)
        made = create_drafts(drafts, actor=actor, round_=round_, at=at)
        before = round_.status
        round_.status = RoundStatus.CONFIRMED
        round_.confirmed_at, round_.confirmed_by = now, user_of(actor)
        round_.save(update_fields=["status", "confirmed_at", "confirmed_by"])
        record(
            actor=actor,
            action="rotations.round.confirmed",
            target=round_,
            old={"status": before},
            new={
                "status": RoundStatus.CONFIRMED,
                "assignments": [f"{a.person.name}：{a.post.name}" for a in made],
            },
            at=now,
        )
    return made
