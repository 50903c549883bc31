"""Every change to a rating round, and handing in a sheet.

Administrative steps (create, add a group, issue codes, set a roll, open, close, review
comments, release) are audited with their actor. Rating is not: it runs without knowing
who rates, writes no audit entry, no log line and nothing to the session, and it is one
transaction —

1. the credential is consumed by a conditional UPDATE (``used = false`` → ``true``), so two
   simultaneous sheets with one code cannot both pass;
2. the group's ``RaterCount`` row is incremented: from here on the group's sheets queue on
   that row, one at a time, so the counter updates below never deadlock;
3. the round is read again: still open? (a sheet that waited behind the close sees it
   closed and is refused);
4. one UPDATE over *every* counter of the group adds 1 to the rated cells and 0 to the
   others, so every counter of the group carries this transaction's id (``xmin``) — the
   last rater's sheet is not the set of rows they touched — and no row is ever inserted;
5. the comments are inserted, and the group's comments touched the same way.

Any failure rolls all of it back: the code stays unused. On SQLite the settings open every
transaction IMMEDIATE, so concurrent sheets queue on the write lock instead of failing.

At close the anonymous tables are rewritten: every row of the round touched once more (one
transaction id for all), then the tables reordered by their random keys — CLUSTER on
PostgreSQL, a copy out and back on SQLite — and, on PostgreSQL, vacuumed after the commit
so the old row versions (each counter's earlier values, each row's earlier transaction id)
are gone too."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.models import Case, Count, F, Q, Value, When
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from houbei.audit.services import record
from houbei.ballots import codes
from houbei.ballots.store import rewrite_in_key_order
from houbei.core.errors import DomainError, ValidationFailed
from houbei.organisation.models import School
from houbei.people.models import Person

from . import aggregate
from .models import (
    MIN_K,
    CommentState,
    GroupMode,
    RaterCount,
    RaterGroup,
    RatingComment,
    RatingCounter,
    RatingCredential,
    RatingDimension,
    RatingGrade,
    RatingRollEntry,
    RatingRound,
    RatingSubject,
    RoundKind,
    RoundStatus,
)

log = logging.getLogger(__name__)

MAX_CODES = 2000  # per request
MAX_K = 100
MAX_COMMENT = 500  # characters per subject
MAX_GROUPS = 12
DEFAULT_DIMENSIONS = ("德", "能", "勤", "绩", "廉")


@dataclass(frozen=True)
class GradeDraft:
    label: str
    value: Decimal | None = None


@dataclass(frozen=True)
class GroupDraft:
    name: str
    k: int = 5
    mode: str = GroupMode.CODES


# 民主测评's four grades; values (for a mean) only where a school sets them.
APPRAISAL_SCALE = (
    GradeDraft("优秀"),
    GradeDraft("称职"),
    GradeDraft("基本称职"),
    GradeDraft("不称职"),
)
FIVE_POINT_SCALE = tuple(GradeDraft(str(v), Decimal(v)) for v in (5, 4, 3, 2, 1))


class RatingRefused(DomainError):
    status_code = 409


def _digest(code: str) -> str:
    # Its own purpose: a digest from the ballots' credentials never matches one here.
    return codes.digest(code, purpose="rating")


# --- the round and its form --------------------------------------------------------------


def _guard(rating_round: RatingRound, status: str) -> None:
    if not rating_round.can_become(status):
        raise ValidationFailed(
            message=_("当前状态为“%(now)s”，不能执行此操作。")
            % {"now": rating_round.get_status_display()}
        )


def _check_group(draft: GroupDraft, where: str) -> list[str]:
    errors = []
    if not draft.name.strip():
        errors.append(str(_("%(where)s：请填写类别名称。") % {"where": where}))
    if not MIN_K <= draft.k <= MAX_K:
        errors.append(
            str(
                _("%(where)s：最少人数应在%(min)d至%(max)d之间（一人无法匿名）。")
                % {"where": where, "min": MIN_K, "max": MAX_K}
            )
        )
    if draft.mode not in GroupMode.values:
        errors.append(str(_("%(where)s：参加方式无效。") % {"where": where}))
    return errors


def create_round(
    *,
    actor: Any,
    school: School,
    title: str,
    subjects: Sequence[Person],
    dimensions: Sequence[str] = DEFAULT_DIMENSIONS,
    grades: Sequence[GradeDraft] = APPRAISAL_SCALE,
    groups: Sequence[GroupDraft] = (),
    kind: str = RoundKind.APPRAISAL,
    keep_overall: bool = True,
) -> RatingRound:
    """A draft round: who is rated, on what dimensions, on what scale, by which groups
    (more groups can be added while it is a draft). Defaults are those of 民主测评:
    德、能、勤、绩、廉 on 优秀/称职/基本称职/不称职.

    Raises ValidationFailed naming the field: no title, no subject, someone of another
    school or twice, no dimension or a repeated one, fewer than two grades or a repeated
    one, a group without a name, a repeated group, or a threshold outside 2…100."""
    title = title.strip()
    names = [d.strip() for d in dimensions]
    labels = [g.label.strip() for g in grades]
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [str(_("请填写名称。"))]
    if not subjects:
        errors["subjects"] = [str(_("至少需要一名测评对象。"))]
    strangers = [p.name for p in subjects if p.school_id != school.pk]
    if strangers:
        errors.setdefault("subjects", []).append(
            str(_("不是本校教职工：%(names)s") % {"names": "、".join(strangers)})
        )
    twice = sorted({p.name for p in subjects if list(subjects).count(p) > 1})
    if twice:
        errors.setdefault("subjects", []).append(
            str(_("重复列入：%(names)s") % {"names": "、".join(twice)})
        )
    if not names or not all(names):
        errors["dimensions"] = [str(_("测评项目不能为空。"))]
    elif len(set(names)) != len(names):
        errors["dimensions"] = [str(_("测评项目有重复。"))]
    if len(labels) < 2 or not all(labels):
        errors["grades"] = [str(_("至少需要两个等级，且等级名称不能为空。"))]
    elif len(set(labels)) != len(labels):
        errors["grades"] = [str(_("等级名称有重复。"))]
    for number, draft in enumerate(groups, start=1):
        for message in _check_group(draft, str(_("第%(n)d个评议人类别") % {"n": number})):
            errors.setdefault("groups", []).append(message)
    group_names = [g.name.strip() for g in groups]
    if len(set(group_names)) != len(group_names):
        errors.setdefault("groups", []).append(str(_("评议人类别有重复。")))
    if len(groups) > MAX_GROUPS:
        errors.setdefault("groups", []).append(
            str(_("评议人类别最多%(max)d个。") % {"max": MAX_GROUPS})
        )
    if kind not in RoundKind.values:
        errors["kind"] = [str(_("类别无效。"))]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        rating_round = RatingRound.objects.create(
            school=school, title=title, kind=kind, keep_overall=keep_overall,
            created_by=actor if getattr(actor, "pk", None) else None,
        )  # fmt: skip
        RatingSubject.objects.bulk_create(
            RatingSubject(round=rating_round, person=p, name=p.name, position=i)
            for i, p in enumerate(subjects)
        )
        RatingDimension.objects.bulk_create(
            RatingDimension(round=rating_round, name=name, position=i)
            for i, name in enumerate(names)
        )
        RatingGrade.objects.bulk_create(
            RatingGrade(round=rating_round, label=label, value=g.value, position=i)
            for i, (label, g) in enumerate(zip(labels, grades, strict=True))
        )
        RaterGroup.objects.bulk_create(
            RaterGroup(round=rating_round, name=g.name.strip(), k=g.k, mode=g.mode, position=i)
            for i, g in enumerate(groups)
        )
        record(
            actor=actor,
            action="ballots.rating.created",
            target=rating_round,
            school=school,
            new={"title": title, "kind": kind, "subjects": [p.name for p in subjects],
                 "dimensions": names, "grades": labels, "keep_overall": keep_overall,
                 "groups": [{"name": g.name, "k": g.k, "mode": g.mode} for g in groups]},
        )  # fmt: skip
    return rating_round


def _locked(rating_round: RatingRound) -> RatingRound:
    """The round's row, locked against the other administrative steps. NO KEY UPDATE, not
    UPDATE: a sheet's foreign-key checks take KEY SHARE on this row when it commits, and
    must not wait for a close that is itself waiting for that sheet's table locks."""
    return RatingRound.objects.select_for_update(no_key=True).get(pk=rating_round.pk)


def add_group(
    *, actor: Any, rating_round: RatingRound, name: str, k: int = 5, mode: str = GroupMode.CODES
) -> RaterGroup:
    """Another rater group of a draft round. Raises ValidationFailed."""
    draft = GroupDraft(name.strip(), k, mode)
    with transaction.atomic():
        rating_round = _locked(rating_round)
        if rating_round.status != RoundStatus.DRAFT:
            raise ValidationFailed(message=_("只有草稿状态的测评可以增加评议人类别。"))
        errors = _check_group(draft, str(_("评议人类别")))
        existing = list(RaterGroup.objects.filter(round=rating_round))
        if any(g.name == draft.name for g in existing):
            errors.append(str(_("评议人类别“%(name)s”已有。") % {"name": draft.name}))
        if len(existing) >= MAX_GROUPS:
            errors.append(str(_("评议人类别最多%(max)d个。") % {"max": MAX_GROUPS}))
        if errors:
            raise ValidationFailed({"group": errors})
        group = RaterGroup.objects.create(
            round=rating_round, name=draft.name, k=k, mode=mode, position=len(existing)
        )
        record(actor=actor, action="ballots.rating.group_added", target=rating_round,
               new={"group": draft.name, "k": k, "mode": mode})  # fmt: skip
    return group


def _group_of(rating_round: RatingRound, group: RaterGroup, mode: str) -> RaterGroup:
    group = RaterGroup.objects.get(pk=group.pk)
    if group.round_id != rating_round.pk:
        raise ValidationFailed(message=_("该评议人类别不属于本次测评。"))
    if group.mode != mode:
        raise ValidationFailed(
            message=_("“%(group)s”的参加方式是“%(mode)s”。")
            % {"group": group.name, "mode": group.get_mode_display()}
        )
    return group


def issue_codes(
    *, actor: Any, rating_round: RatingRound, group: RaterGroup, count: int
) -> list[str]:
    """``count`` new one-time codes of a codes group, for printing: returned once and never
    stored — the database keeps only their digests. Allowed before close. Raises
    ValidationFailed."""
    if not 1 <= count <= MAX_CODES:
        raise ValidationFailed({"count": [str(_("每次可生成1至%(max)d个。") % {"max": MAX_CODES})]})
    with transaction.atomic():
        rating_round = _locked(rating_round)
        if rating_round.status not in (RoundStatus.DRAFT, RoundStatus.OPEN):
            raise ValidationFailed(message=_("测评已结束，不能再发放评议码。"))
        group = _group_of(rating_round, group, GroupMode.CODES)
        made = [codes.new_code() for _i in range(count)]
        RatingCredential.objects.bulk_create(
            RatingCredential(round=rating_round, group=group, code_digest=_digest(code))
            for code in made
        )
        record(actor=actor, action="ballots.rating.codes_issued", target=rating_round,
               new={"group": group.name, "count": count})  # fmt: skip
    return made


def set_roll(
    *, actor: Any, rating_round: RatingRound, group: RaterGroup, people: Sequence[Person]
) -> int:
    """Put ``people`` on the roll of a roll group of a draft round (again: adds the new
    ones). A person rates in one group only. Returns the roll's size. Raises
    ValidationFailed naming the people of another school or already in another group."""
    with transaction.atomic():
        rating_round = _locked(rating_round)
        if rating_round.status != RoundStatus.DRAFT:
            raise ValidationFailed(message=_("只有草稿状态的测评可以设置名单。"))
        group = _group_of(rating_round, group, GroupMode.ROLL)
        errors = []
        strangers = [p.name for p in people if p.school_id != rating_round.school_id]
        if strangers:
            errors.append(str(_("不是本校教职工：%(names)s") % {"names": "、".join(strangers)}))
        elsewhere = (
            RatingRollEntry.objects.filter(round=rating_round, person__in=people)
            .exclude(group=group)
            .select_related("person", "group")
        )
        for entry in elsewhere:
            errors.append(
                str(
                    _("%(name)s已在“%(group)s”的名单上，每人只能在一个类别中评议。")
                    % {"name": entry.person.name, "group": entry.group.name}
                )
            )
        if errors:
            raise ValidationFailed({"people": errors})
        RatingRollEntry.objects.bulk_create(
            [RatingRollEntry(round=rating_round, group=group, person=p) for p in people],
            ignore_conflicts=True,
        )
        size = RatingRollEntry.objects.filter(round=rating_round, group=group).count()
        record(actor=actor, action="ballots.rating.roll_set", target=rating_round,
               new={"group": group.name, "roll": size})  # fmt: skip
    return size


def open_round(*, actor: Any, rating_round: RatingRound) -> RatingRound:
    """Start rating: the counters of every cell (subject × dimension × group × grade) and
    the groups' rater counts are created here, all at zero, so rating never inserts one.
    Needs at least one group, and a roll for every roll group. Raises ValidationFailed."""
    with transaction.atomic():
        rating_round = _locked(rating_round)
        _guard(rating_round, RoundStatus.OPEN)
        groups = list(RaterGroup.objects.filter(round=rating_round))
        if not groups:
            raise ValidationFailed(message=_("请先增加至少一个评议人类别。"))
        rolls = set(
            RatingRollEntry.objects.filter(round=rating_round).values_list("group", flat=True)
        )
        empty = [g.name for g in groups if g.mode == GroupMode.ROLL and g.pk not in rolls]
        if empty:
            raise ValidationFailed(
                message=_("以下名单登录类别还没有名单：%(names)s") % {"names": "、".join(empty)}
            )
        subjects = list(RatingSubject.objects.filter(round=rating_round))
        dimensions = list(RatingDimension.objects.filter(round=rating_round))
        grades = list(RatingGrade.objects.filter(round=rating_round))
        RatingCounter.objects.bulk_create(
            RatingCounter(round=rating_round, subject=s, dimension=d, group=g, grade=r)
            for s in subjects
            for d in dimensions
            for g in groups
            for r in grades
        )
        RaterCount.objects.bulk_create(RaterCount(round=rating_round, group=g) for g in groups)
        rating_round.status = RoundStatus.OPEN
        rating_round.save(update_fields=["status"])
        record(actor=actor, action="ballots.rating.opened", target=rating_round,
               old={"status": RoundStatus.DRAFT}, new={"status": RoundStatus.OPEN})  # fmt: skip
    return rating_round


# --- rating ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Form:
    """The sheet's shape, as the rater page and the checks need it."""

    subjects: tuple[tuple[int, str], ...]
    dimensions: tuple[tuple[int, str], ...]
    grades: tuple[tuple[int, str], ...]


def form_of(rating_round: RatingRound) -> Form:
    return Form(
        subjects=tuple(RatingSubject.objects.filter(round=rating_round).values_list("id", "name")),
        dimensions=tuple(
            RatingDimension.objects.filter(round=rating_round).values_list("id", "name")
        ),
        grades=tuple(RatingGrade.objects.filter(round=rating_round).values_list("id", "label")),
    )


Sheet = Mapping[tuple[int, int], int]  # (subject id, dimension id) → grade id


@sensitive_variables()
def check_sheet(
    form: Form, sheet: Sheet, comments: Mapping[int, str]
) -> tuple[dict[tuple[int, int], int], dict[int, str]]:
    """The sheet and the non-empty comments in stored form, or ValidationFailed naming
    every subject and dimension left without a grade (a sheet rates everyone on
    everything) and every comment that is too long."""
    grade_ids = {g for g, _label in form.grades}
    cells = {(s, d) for s, _n in form.subjects for d, _m in form.dimensions}
    if set(sheet) - cells:
        raise ValidationFailed(message=_("测评表中有不属于本次测评的项目。"))
    if set(sheet.values()) - grade_ids:
        raise ValidationFailed(message=_("测评表中有不属于本次测评的等级。"))
    subject_ids = {s for s, _n in form.subjects}
    if set(comments) - subject_ids:
        raise ValidationFailed(message=_("评语中有不属于本次测评的对象。"))
    errors: dict[str, list[str]] = {}
    for s, subject_name in form.subjects:
        missing = [name for d, name in form.dimensions if (s, d) not in sheet]
        if missing:
            errors[f"subject-{s}"] = [
                str(
                    _("“%(name)s”的“%(items)s”还没有选择等级。")
                    % {"name": subject_name, "items": "、".join(missing)}
                )
            ]
        if len(comments.get(s, "").strip()) > MAX_COMMENT:
            errors.setdefault(f"comment-{s}", []).append(
                str(
                    _("对“%(name)s”的评语最多%(max)d字。")
                    % {"name": subject_name, "max": MAX_COMMENT}
                )
            )
    if errors:
        raise ValidationFailed(errors)
    cleaned = {s: text.strip() for s, text in comments.items() if text.strip()}
    return dict(sheet), cleaned


@sensitive_variables()
def submit_rating(
    *, round_id: int, code: str, sheet: Sheet, comments: Mapping[int, str] | None = None
) -> None:
    """Hand in one full sheet with a one-time code: every subject graded on every
    dimension, and an optional comment per subject.

    Raises RatingRefused for a malformed, unknown or used code or a round not open,
    ValidationFailed for an incomplete or foreign sheet. Consumes nothing unless the whole
    sheet is stored. Not audited, not logged."""
    canonical = codes.canonical(code)
    if canonical is None:
        raise RatingRefused(_("评议码格式不对：应为13位字母和数字。"))
    stored = _digest(canonical)
    with transaction.atomic():
        rating_round = RatingRound.objects.filter(pk=round_id).first()
        if rating_round is None or rating_round.status != RoundStatus.OPEN:
            raise RatingRefused(_("测评尚未开始或已经结束。"))
        cells, remarks = check_sheet(form_of(rating_round), sheet, comments or {})
        credential = (
            RatingCredential.objects.filter(round=rating_round, code_digest=stored)
            .values("id", "group_id")
            .first()
        )
        if credential is None:
            raise RatingRefused(_("评议码无效。"))
        # (1) The condition, not the read above, is what makes a code serve once.
        if not RatingCredential.objects.filter(pk=credential["id"], used=False).update(used=True):
            raise RatingRefused(_("此评议码已经用过。"))
        group_id = credential["group_id"]
        # (2) The group's sheets queue here.
        RaterCount.objects.filter(round=rating_round, group_id=group_id).update(
            count=F("count") + 1
        )
        # (3) Read after the queue: a sheet that waited behind the close must not count.
        if not RatingRound.objects.filter(pk=round_id, status=RoundStatus.OPEN).exists():
            raise RatingRefused(_("测评尚未开始或已经结束。"))
        _count(rating_round, group_id, cells)
        if remarks:
            RatingComment.objects.bulk_create(
                RatingComment(round=rating_round, subject_id=s, group_id=group_id, text=text)
                for s, text in remarks.items()
            )
            RatingComment.objects.filter(round=rating_round, group_id=group_id).update(id=F("id"))


@sensitive_variables()
def _count(rating_round: RatingRound, group_id: int, cells: Mapping[tuple[int, int], int]) -> None:
    """(4) Add the sheet to the group's counters: one UPDATE over all of them."""
    ids = dict(
        ((s, d, g), pk)
        for pk, s, d, g in RatingCounter.objects.filter(
            round=rating_round, group_id=group_id
        ).values_list("id", "subject_id", "dimension_id", "grade_id")
    )
    rated = [ids[(s, d, g)] for (s, d), g in cells.items()]
    touched = RatingCounter.objects.filter(round=rating_round, group_id=group_id).update(
        count=F("count") + Case(When(pk__in=rated, then=Value(1)), default=Value(0))
    )
    if touched != len(ids) or len(rated) != len(set(rated)):
        raise RuntimeError("rating counters do not match the round's form")


@sensitive_variables()
def issue_roll_credential(*, rating_round: RatingRound, person: Person) -> str:
    """The one-time code of a person on a roll, made and returned once; their entry is
    marked in the same transaction. Raises RatingRefused for someone not on the roll or
    who already received theirs. The code is not linked to the entry: rating with it is a
    separate transaction (``submit_rating``), so no transaction pairs the two."""
    with transaction.atomic():
        if not RatingRound.objects.filter(pk=rating_round.pk, status=RoundStatus.OPEN).exists():
            raise RatingRefused(_("测评尚未开始或已经结束。"))
        entry = (
            RatingRollEntry.objects.filter(round=rating_round, person=person)
            .values("id", "group_id")
            .first()
        )
        if entry is None:
            raise RatingRefused(_("您不在本次测评的名单上。"))
        if not RatingRollEntry.objects.filter(pk=entry["id"], issued=False).update(issued=True):
            raise RatingRefused(_("您已经参加过本次测评。"))
        # Read again after the write, which waits behind a close (see submit_rating).
        if not RatingRound.objects.filter(pk=rating_round.pk, status=RoundStatus.OPEN).exists():
            raise RatingRefused(_("测评尚未开始或已经结束。"))
        code = codes.new_code()
        RatingCredential.objects.create(
            round=rating_round, group_id=entry["group_id"], code_digest=_digest(code)
        )
    return code


@sensitive_variables()
def rate_on_roll(
    *,
    rating_round: RatingRound,
    person: Person,
    sheet: Sheet,
    comments: Mapping[int, str] | None = None,
) -> None:
    """A roll rater's sheet: checked first, then the credential is issued (one
    transaction) and the sheet handed in with it (another). Should the second step fail
    after the first — or the round close between the two — the person shows as having
    taken part and an unused credential is left over; the turnout shows it (took part >
    handed in)."""
    rating_round = RatingRound.objects.get(pk=rating_round.pk)
    if rating_round.status != RoundStatus.OPEN:
        raise RatingRefused(_("测评尚未开始或已经结束。"))
    check_sheet(form_of(rating_round), sheet, comments or {})
    code = issue_roll_credential(rating_round=rating_round, person=person)
    submit_rating(round_id=rating_round.pk, code=code, sheet=sheet, comments=comments)


# --- close, review, release --------------------------------------------------------------

# The anonymous tables, and those that say who took part or which code was used — in the
# order rating writes to them (the roll when a credential is issued, then the credential,
# the group's rater count, the counters, the comments).
_SECRET_MODELS = (RatingRollEntry, RatingCredential, RaterCount, RatingCounter, RatingComment)


def close_round(*, actor: Any, rating_round: RatingRound) -> RatingRound:
    """Stop rating and rewrite the anonymous tables so neither their transaction ids nor
    their physical order say anything of the order of rating. Sheets in flight either
    finish before the close or are refused after it."""
    with transaction.atomic():
        rating_round = _locked(rating_round)
        _guard(rating_round, RoundStatus.CLOSED)
        if connection.vendor == "postgresql":
            # Wait for the sheets in flight and hold back the next ones until the close
            # is committed (they then find the round closed). The tables are locked in the
            # order rating touches them, so a waiting sheet never holds what the close
            # still needs; no sheet waits for the round's row, which is locked first.
            tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in _SECRET_MODELS)
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE")
        rating_round.status = RoundStatus.CLOSED
        rating_round.save(update_fields=["status"])
        for model in _SECRET_MODELS:
            model.objects.filter(round=rating_round).update(id=F("id"))
        rewrite_in_key_order(_SECRET_MODELS)
        record(actor=actor, action="ballots.rating.closed", target=rating_round,
               old={"status": RoundStatus.OPEN}, new={"status": RoundStatus.CLOSED})  # fmt: skip
        if connection.vendor == "postgresql":
            transaction.on_commit(_vacuum)
    return rating_round


def _vacuum() -> None:
    """Drop the row versions the close left behind (VACUUM cannot run in a transaction)."""
    q = connection.ops.quote_name
    try:
        with connection.cursor() as cursor:
            for model in _SECRET_MODELS:
                cursor.execute(f"VACUUM {q(model._meta.db_table)}")
    except DatabaseError:
        # Autovacuum removes them later; the round is closed either way.
        log.warning("VACUUM of the rating tables after a close failed; run VACUUM on them")


@dataclass(frozen=True)
class CommentDecision:
    comment_id: str
    state: str  # a CommentState other than pending
    reviewed_text: str = ""


def review_comments(
    *, actor: Any, rating_round: RatingRound, decisions: Sequence[CommentDecision]
) -> dict[str, int]:
    """Approve (as written, or reworded) or reject comments of a closed round — never
    before the close, so no one reads them while rating goes on. Returns how many were
    approved, rejected and reworded. Raises ValidationFailed."""
    with transaction.atomic():
        rating_round = _locked(rating_round)
        if rating_round.status != RoundStatus.CLOSED:
            raise ValidationFailed(message=_("评语在测评结束后、发布前审核。"))
        by_id = {
            str(c.pk): c
            for c in RatingComment.objects.filter(
                round=rating_round, pk__in=[d.comment_id for d in decisions]
            )
        }
        tally = {"approved": 0, "rejected": 0, "reworded": 0}
        for number, decision in enumerate(decisions, start=1):
            comment = by_id.get(decision.comment_id)
            if comment is None:
                raise ValidationFailed(message=_("第%(n)d条评语不属于本次测评。") % {"n": number})
            if decision.state not in (CommentState.APPROVED, CommentState.REJECTED):
                raise ValidationFailed(
                    message=_("第%(n)d条评语：请选择采用或不采用。") % {"n": number}
                )
            reworded = decision.reviewed_text.strip()
            if len(reworded) > MAX_COMMENT:
                raise ValidationFailed(
                    message=_("第%(n)d条评语：修改后的文字最多%(max)d字。")
                    % {"n": number, "max": MAX_COMMENT}
                )
            if reworded == comment.text:
                reworded = ""
            comment.state = decision.state
            comment.reviewed_text = reworded if decision.state == CommentState.APPROVED else ""
            comment.save(update_fields=["state", "reviewed_text"])
            tally[decision.state] += 1
            tally["reworded"] += bool(comment.reviewed_text)
        # No comment text in the trail: a rejected remark must not live on there.
        record(actor=actor, action="ballots.rating.comments_reviewed", target=rating_round,
               new=tally)  # fmt: skip
    return tally


def release_results(*, actor: Any, rating_round: RatingRound) -> RatingRound:
    """Release the results of a closed round, once: the decision body sees the figures
    that ``aggregate`` allows and the approved comments. Refused while comments wait for
    review. Raises ValidationFailed."""
    with transaction.atomic():
        rating_round = _locked(rating_round)
        _guard(rating_round, RoundStatus.RELEASED)
        pending = RatingComment.objects.filter(
            round=rating_round, state=CommentState.PENDING
        ).count()
        if pending:
            raise ValidationFailed(
                message=_("还有%(n)d条评语未审核，审核后才能发布。") % {"n": pending}
            )
        raters = {
            name: n
            for name, n in RaterCount.objects.filter(round=rating_round).values_list(
                "group__name", "count"
            )
        }
        rating_round.status = RoundStatus.RELEASED
        rating_round.save(update_fields=["status"])
        record(actor=actor, action="ballots.rating.released", target=rating_round,
               old={"status": RoundStatus.CLOSED},
               new={"status": RoundStatus.RELEASED, "raters": raters})  # fmt: skip
    return rating_round


# --- reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupTurnout:
    group: RaterGroup
    raters: int  # sheets handed in
    expected: int  # codes issued, or people on the roll
    took_part: int  # roll: people who received their credential; codes: codes used

    @property
    def percent(self) -> str:
        return f"{100 * self.raters / self.expected:.0f}%" if self.expected else "—"


def turnout_of(rating_round: RatingRound) -> list[GroupTurnout]:
    """Per group, how many took part — the only figure shown while rating is open."""
    raters = dict(RaterCount.objects.filter(round=rating_round).values_list("group_id", "count"))
    codes_of: dict[int, tuple[int, int]] = {
        g: (n, used)
        for g, n, used in RatingCredential.objects.filter(round=rating_round)
        .values("group_id")
        .annotate(n=Count("id"), used=Count("id", filter=Q(used=True)))
        .values_list("group_id", "n", "used")
    }
    roll_of: dict[int, tuple[int, int]] = {
        g: (n, issued)
        for g, n, issued in RatingRollEntry.objects.filter(round=rating_round)
        .values("group_id")
        .annotate(n=Count("id"), issued=Count("id", filter=Q(issued=True)))
        .values_list("group_id", "n", "issued")
    }
    result = []
    for group in RaterGroup.objects.filter(round=rating_round):
        source = roll_of if group.mode == GroupMode.ROLL else codes_of
        expected, took_part = source.get(group.pk, (0, 0))
        result.append(GroupTurnout(group, raters.get(group.pk, 0), expected, took_part))
    return result


def counts_of(rating_round: RatingRound) -> aggregate.Counts:
    """The round's counters as the plain data ``aggregate`` takes."""
    grades = tuple(
        aggregate.GradeInput(g.pk, g.label, g.value)
        for g in RatingGrade.objects.filter(round=rating_round)
    )
    raters = dict(RaterCount.objects.filter(round=rating_round).values_list("group_id", "count"))
    groups = tuple(
        aggregate.GroupInput(g.pk, g.name, g.k, raters.get(g.pk, 0))
        for g in RaterGroup.objects.filter(round=rating_round)
    )
    position = {g.id: i for i, g in enumerate(grades)}
    cells: dict[tuple[int, int, int], list[int]] = {}
    for s, d, g, grade, n in RatingCounter.objects.filter(round=rating_round).values_list(
        "subject_id", "dimension_id", "group_id", "grade_id", "count"
    ):
        cells.setdefault((s, d, g), [0] * len(grades))[position[grade]] = n
    form = form_of(rating_round)
    return aggregate.Counts(form.subjects, form.dimensions, grades, groups, cells)


@dataclass(frozen=True)
class Results:
    report: aggregate.Report
    # Per subject id: (group name or "" when groups are not told apart, text), in the
    # order of the text — never in the order written.
    comments: dict[int, list[tuple[str, str]]]


def results_of(rating_round: RatingRound) -> Results:
    """The released results: the figures ``aggregate`` allows and the approved comments.
    A comment names its group only when every group's figures are shown; otherwise all
    comments of the round are listed without a group, so none points at a hidden group.
    Raises ValidationFailed before release."""
    if rating_round.status != RoundStatus.RELEASED:
        raise ValidationFailed(message=_("结果尚未发布。"))
    report = aggregate.aggregate(
        counts_of(rating_round), closed=True, keep_overall=rating_round.keep_overall
    )
    named = report.all_groups_shown
    comments: dict[int, list[tuple[str, str]]] = {}
    for subject, group, text, reworded in RatingComment.objects.filter(
        round=rating_round, state=CommentState.APPROVED
    ).values_list("subject_id", "group__name", "text", "reviewed_text"):
        comments.setdefault(subject, []).append((group if named else "", reworded or text))
    for items in comments.values():
        items.sort(key=lambda item: (item[0], item[1]))
    return Results(report, comments)


__all__ = [
    "APPRAISAL_SCALE", "DEFAULT_DIMENSIONS", "FIVE_POINT_SCALE", "CommentDecision", "Form",
    "GradeDraft", "GroupDraft", "GroupTurnout", "RatingRefused", "Results", "add_group",
    "check_sheet", "close_round", "counts_of", "create_round", "form_of", "issue_codes",
    "issue_roll_credential", "open_round", "rate_on_roll", "release_results", "results_of",
    "review_comments", "set_roll", "submit_rating", "turnout_of",
]  # fmt: skip
