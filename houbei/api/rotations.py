"""``/api/rotations``: two-way selection and rotation (双向选择、轮岗锻炼) — the rounds with the
posts they offer (seats, mentors, the level rule's exemptions), the 意向表 of a round, the
matching's proposal with every person's explanation, and the rotation assignments; the
one write an integration needs is moving a round on (close the forms, run the matching,
confirm) through the same services as the pages.

Readers are those of the web UI: ``ROTATION_VIEW`` (the personnel office and the decision
body) reads its own school; the district and system roles hold no rotation capability and
get nothing here — the forms, the proposal and the mentors' notes are the school's own.
Everyone taking part (``ROTATION_TAKE_PART``) reads their own 意向表 of a round and their
own assignments with their own token, scoped to the staff record linked to the account.

Lists are read in a fixed number of queries, however many rounds, posts, mentors, forms
or assignments there are."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from houbei.accounts.access import Cap, has_cap
from houbei.accounts.models import User
from houbei.core.errors import NotAllowed
from houbei.organisation.models import LadderLevel, RotationLength, School, Term
from houbei.people.models import Person
from houbei.rotations import proposal as proposals
from houbei.rotations.documents import current_mentors, term_code, with_mentors
from houbei.rotations.intentions import reserve_cadres
from houbei.rotations.models import (
    ROUND_TRANSITIONS,
    Assignment,
    AssignmentMentor,
    AssignmentStatus,
    HardTask,
    Intention,
    IntentionChoice,
    LevelWaiver,
    MentorNote,
    MentorRole,
    Placement,
    Round,
    RoundMentor,
    RoundPost,
    RoundScope,
    RoundStatus,
    TaskDifficulty,
)
from houbei.rotations.rounds import close_intentions

from .auth import caller
from .schemas import LABELLED, MAX_LIMIT, ErrorOut, PersonRef, SchoolRef, StaffRef, codes
from .scope import readable_schools, writable_school

router = Router(tags=["双向选择与轮岗"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
READERS = (
    "需要“查看双向选择与轮岗”权限（人事室、校务会成员），只能查看本校；区教育局不能通过接口读取。"
)
OWN = "需要“参与双向选择与轮岗”权限（全体教职工账号），只返回与本账号关联的教职工本人的记录。"


# --- Shapes -------------------------------------------------------------------------------


class RotationTermOut(Schema):
    id: int = Field(..., title="编号")
    code: str = Field(
        ..., title="代码", description="起始年份-学期，如“2026-1”（2026学年第一学期）。"
    )
    label: str = Field(..., title="名称", description="如“2026–2027学年 第一学期”。")
    start: dt.date = Field(..., title="开学")
    end: dt.date = Field(..., title="结束")

    @staticmethod
    def resolve_code(obj: Term) -> str:
        return term_code(obj)

    @staticmethod
    def resolve_label(obj: Term) -> str:
        return str(obj)


class RotationPostRef(Schema):
    id: int = Field(..., title="编号")
    name: str = Field(..., title="岗位名称")
    ladder_level: LadderLevel = Field(..., title="层级", description=codes(LadderLevel))


class RotationRoundOfferOut(Schema):
    """A post as the round offers it."""

    post: RotationPostRef = Field(..., title="岗位")
    capacity: int = Field(
        ..., title="名额", description="本轮（每学期）可安排的人数；0为本轮不设。"
    )
    mentors: list[PersonRef] = Field(..., title="带教人员", description="按工号。")
    level_exempt: bool = Field(
        ..., title="免除下一级岗位经历要求", description="个别岗位酌情处理。"
    )
    exempt_reason: str = Field(..., title="免除理由")

    @staticmethod
    def resolve_mentors(obj: RoundPost) -> list[Any]:
        return list(obj.mentors.all())


class RotationRoundOut(Schema):
    id: int = Field(..., title="编号")
    school: SchoolRef = Field(..., title="学校")
    title: str = Field(..., title="名称")
    scope: RoundScope = Field(..., title="范围", description=codes(RoundScope))
    start_term: RotationTermOut = Field(..., title="开始学期")
    status: str = Field(..., title="状态", description=codes(RoundStatus))
    status_label: str = Field(..., title="状态名称")
    intentions_due: dt.date | None = Field(None, title="意向填报截止日期")
    seats: int = Field(..., title="名额合计", description="各岗位名额之和。")
    intentions: int = Field(..., title="已填报意向表", description="未撤回的意向表份数。")
    posts: list[RotationRoundOfferOut] = Field(
        ..., title="本轮岗位", description="按方案的岗位顺序。"
    )

    @staticmethod
    def resolve_status_label(obj: Round) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_seats(obj: Round) -> int:
        return sum(o.capacity for o in obj.posts.all())

    @staticmethod
    def resolve_intentions(obj: Any) -> int:
        return int(obj.live_intentions)

    @staticmethod
    def resolve_posts(obj: Round) -> list[Any]:
        return list(obj.posts.all())


class RotationRoundPage(Schema):
    count: int = Field(..., title="总数", description="符合筛选条件的轮次数（不受分页影响）。")
    limit: int = Field(..., title="每页条数")
    offset: int = Field(..., title="起始位置")
    items: list[RotationRoundOut] = Field(..., title="本页轮次")


class RotationRoundOfferDetailOut(RotationRoundOfferOut):
    accept_others: bool = Field(
        ...,
        title="接受未排序的填报人",
        description="岗位方未排序也未拒绝的填报人是否可以安排（排在已排序的之后）。",
    )
    ranked_at: dt.datetime | None = Field(
        None, title="岗位方排序时间", description="尚未排序时为 null。"
    )
    ranked_by: PersonRef | None = Field(
        None,
        title="排序人",
        description="作出排序的带教人员或现任人员；人事室代为录入且未注明时为 null。",
    )
    candidates: int = Field(..., title="填报人数", description="意向表中填报了本岗位的人数。")

    @staticmethod
    def resolve_ranked_by(obj: RoundPost) -> Any:
        return obj.ranked_by_person

    @staticmethod
    def resolve_candidates(obj: Any) -> int:
        return int(obj.n_candidates)


class RotationMentorLimitOut(Schema):
    person: PersonRef = Field(..., title="带教人员")
    capacity: int = Field(..., title="每学期可带人数")


class RotationWaiverOut(Schema):
    person: StaffRef = Field(..., title="轮岗人")
    post: RotationPostRef = Field(..., title="岗位")
    reason: str = Field(..., title="理由")
    granted_at: dt.datetime = Field(..., title="批准时间")


class RotationRoundDetailOut(RotationRoundOut):
    posts: list[RotationRoundOfferDetailOut] = Field(  # type: ignore[assignment]
        ..., title="本轮岗位", description="按方案的岗位顺序，含岗位方的排序情况。"
    )
    min_months_below: int = Field(
        ...,
        title="下一级岗位经历（月）",
        description="轮岗到某一层级，须在下一层级岗位累计工作满的月数。",
    )
    default_mentor_capacity: int = Field(..., title="每位带教人员每学期可带人数（默认）")
    mentor_limits: list[RotationMentorLimitOut] = Field(..., title="单独设置名额的带教人员")
    waivers: list[RotationWaiverOut] = Field(
        ..., title="逐人免除层级要求", description="仍然有效的，按轮岗人。"
    )
    note: str = Field(..., title="说明")
    created_at: dt.datetime = Field(..., title="创建时间")
    closed_at: dt.datetime | None = Field(None, title="意向截止时间")
    matched_at: dt.datetime | None = Field(None, title="生成匹配方案时间")
    confirmed_at: dt.datetime | None = Field(None, title="确认时间")
    assignments: int = Field(..., title="轮岗安排数", description="确认后由本轮生成的轮岗安排数。")
    next: list[str] = Field(
        ...,
        title="可进入的状态",
        description="按状态流转表，本轮接下来可以进入的状态（重新开放、作废方案须在页面上填写理由）："
        + codes(RoundStatus),
    )

    # The detail's extra rows are read once by ``_round_detail``.
    @staticmethod
    def resolve_mentor_limits(obj: Any) -> list[Any]:
        return list(obj.mentor_limits_list)

    @staticmethod
    def resolve_waivers(obj: Any) -> list[Any]:
        return list(obj.waivers_list)

    @staticmethod
    def resolve_assignments(obj: Any) -> int:
        return int(obj.assignment_count)

    @staticmethod
    def resolve_next(obj: Round) -> list[str]:
        return list(ROUND_TRANSITIONS[obj.status])


class RotationRoundRef(Schema):
    id: int = Field(..., title="编号")
    title: str = Field(..., title="名称")
    status: str = Field(..., title="状态", description=codes(RoundStatus))


class RotationChoiceOut(Schema):
    rank: int = Field(..., title="志愿顺序", description="1为第一志愿；顺序相同表示同等希望。")
    post: RotationPostRef = Field(..., title="岗位")
    mentor: PersonRef | None = Field(None, title="希望的带教人员")
    length: RotationLength = Field(..., title="希望时长", description=codes(RotationLength))
    remarks: str = Field(..., title="备注")

    @staticmethod
    def resolve_post(obj: IntentionChoice) -> Any:
        return obj.round_post.post


class RotationIntentionOut(Schema):
    id: int = Field(..., title="编号")
    person: StaffRef = Field(..., title="轮岗人")
    remarks: str = Field(..., title="备注")
    submitted_at: dt.datetime = Field(..., title="填报时间")
    updated_at: dt.datetime = Field(..., title="最后修改时间")
    withdrawn: bool = Field(..., title="已撤回")
    withdrawn_at: dt.datetime | None = Field(None, title="撤回时间")
    withdraw_reason: str = Field(..., title="撤回理由")
    choices: list[RotationChoiceOut] = Field(..., title="意向", description="按志愿顺序。")

    @staticmethod
    def resolve_withdrawn(obj: Intention) -> bool:
        return obj.withdrawn_at is not None

    @staticmethod
    def resolve_choices(obj: Intention) -> list[Any]:
        return list(obj.choices.all())


class RotationIntentionsOut(Schema):
    round: RotationRoundRef = Field(..., title="轮次")
    count: int = Field(..., title="份数")
    items: list[RotationIntentionOut] = Field(..., title="意向表", description="按工号。")
    not_submitted: list[StaffRef] = Field(
        ...,
        title="尚未提交的后备干部",
        description="可以填报本轮意向表（开始学期时在后备干部库有效期内）、但没有提交或已撤回的人员，按工号。",
    )


class RotationIntentionsQuery(Schema):
    include_withdrawn: bool = Field(False, title="含已撤回的意向表")


class RotationMyIntentionOut(Schema):
    round: RotationRoundRef = Field(..., title="轮次")
    intentions_due: dt.date | None = Field(None, title="意向填报截止日期")
    posts: list[RotationRoundOfferOut] = Field(..., title="本轮岗位")
    person: StaffRef | None = Field(
        None, title="本人", description="账号未关联教职工档案时为 null。"
    )
    may_fill: bool = Field(
        ...,
        title="可以填报",
        description="本轮正在填报意向，且本人在轮岗开始时是有效的后备干部。",
    )
    intention: RotationIntentionOut | None = Field(
        None, title="本人的意向表", description="尚未填报（或已撤回）时为 null。"
    )


class RotationPlacementOut(Schema):
    person: StaffRef = Field(..., title="轮岗人")
    post: RotationPostRef | None = Field(None, title="安排的岗位", description="未安排时为 null。")
    mentor: PersonRef | None = Field(None, title="带教人员")
    length: RotationLength | None = Field(None, title="时长", description=codes(RotationLength))
    choice: int | None = Field(
        None, title="第几志愿", description="所安排岗位在本人意向表中的志愿顺序。"
    )
    proposed_post: RotationPostRef | None = Field(None, title="匹配给出的岗位")
    proposed_mentor: PersonRef | None = Field(None, title="匹配给出的带教人员")
    moved: bool = Field(..., title="已调整", description="人事室在匹配结果上作了调整。")
    moved_at: dt.datetime | None = Field(None, title="调整时间")
    move_reason: str = Field(..., title="调整理由")
    move_warnings: list[str] = Field(
        ..., title="调整时的提示", description="调整带来的问题（超过名额等），调整时已写明理由。"
    )
    explanation: list[str] = Field(
        ...,
        title="说明",
        description="第一句是结果，其后逐条说明为什么没有安排到排在前面的岗位、希望的带教人员为何未安排；"
        "未参加匹配的人员是其原因。",
    )

    @staticmethod
    def resolve_post(obj: Placement) -> Any:
        return obj.round_post.post if obj.round_post else None

    @staticmethod
    def resolve_length(obj: Placement) -> str | None:
        return obj.length or None

    @staticmethod
    def resolve_proposed_post(obj: Placement) -> Any:
        return obj.proposed_post.post if obj.proposed_post else None

    @staticmethod
    def resolve_moved(obj: Placement) -> bool:
        return obj.moved


class RotationRunOut(Schema):
    id: int = Field(..., title="编号")
    as_of: dt.date = Field(..., title="计算基准日", description="开始学期的第一天。")
    run_at: dt.datetime = Field(..., title="生成时间")
    proposals: int = Field(..., title="申请次数", description="延迟接受算法中申请的总次数。")


class RotationReviewOut(Schema):
    ok: bool = Field(..., title="没有问题", description="没有违反规则，也没有不稳定的配对。")
    violations: list[str] = Field(
        ..., title="违反的规则", description="调整后超过名额、未指定带教人员等。"
    )
    blocking: list[str] = Field(
        ..., title="不稳定的配对", description="某人更希望去、岗位方也更愿意接受的岗位。"
    )


class RotationProposalOut(Schema):
    round: RotationRoundRef = Field(..., title="轮次")
    run: RotationRunOut | None = Field(
        None, title="匹配方案", description="尚未生成或已作废时为 null，其余各项为空。"
    )
    placed: list[RotationPlacementOut] = Field(..., title="已安排", description="按匹配顺序。")
    unplaced: list[RotationPlacementOut] = Field(
        ..., title="未安排", description="参加了匹配但没有安排岗位的，附原因。"
    )
    excluded: list[RotationPlacementOut] = Field(
        ..., title="未参加匹配", description="已不是后备干部、不在岗或开始学期已有轮岗的，附原因。"
    )
    review: RotationReviewOut | None = Field(
        None, title="检查", description="按生成方案时的数据检查当前方案。"
    )


class RotationAssignmentMentorOut(Schema):
    person: PersonRef = Field(..., title="带教人员")
    role: MentorRole = Field(..., title="身份", description=codes(MentorRole))


class RotationAssignmentOut(Schema):
    id: int = Field(..., title="编号")
    school: SchoolRef = Field(..., title="学校")
    person: StaffRef = Field(..., title="轮岗人")
    post: RotationPostRef = Field(..., title="岗位")
    round: RotationRoundRef | None = Field(
        None, title="轮次", description="人事室直接安排的为 null。"
    )
    mentors: list[RotationAssignmentMentorOut] = Field(
        ..., title="带教人员", description="现任的（已撤换的见详情）。"
    )
    start_term: RotationTermOut = Field(..., title="开始学期")
    end_term: RotationTermOut = Field(..., title="结束学期")
    length: RotationLength = Field(..., title="时长", description=codes(RotationLength))
    start_date: dt.date = Field(..., title="开始日期")
    end_date: dt.date = Field(..., title="结束日期", description="按校历计算的计划结束日期。")
    status: AssignmentStatus = Field(..., title="状态", description=codes(AssignmentStatus))
    started_on: dt.date | None = Field(None, title="实际开始日期")
    ended_on: dt.date | None = Field(None, title="实际结束日期")

    @staticmethod
    def resolve_mentors(obj: Assignment) -> list[Any]:
        return current_mentors(obj)


class RotationAssignmentPage(Schema):
    count: int = Field(..., title="总数")
    limit: int = Field(..., title="每页条数")
    offset: int = Field(..., title="起始位置")
    items: list[RotationAssignmentOut] = Field(..., title="本页轮岗安排")


class RotationMentorHistoryOut(RotationAssignmentMentorOut):
    added_at: dt.datetime = Field(..., title="加入时间")
    removed_at: dt.datetime | None = Field(None, title="撤换时间")
    remove_reason: str = Field(..., title="撤换理由")


class RotationNoteOut(Schema):
    author: PersonRef = Field(..., title="带教人员")
    written_on: dt.date = Field(..., title="日期")
    text: str = Field(..., title="内容")


class RotationTaskOut(Schema):
    title: str = Field(..., title="任务")
    kinds: list[str] = Field(
        ..., title="类型", description="urgent=急，difficult=难，risky=险，heavy=重"
    )
    kinds_label: str = Field(..., title="类型名称", description="如“急、难”。")
    given_on: dt.date = Field(..., title="布置日期")
    difficulty: TaskDifficulty = Field(..., title="难度", description=codes(TaskDifficulty))
    detail: str = Field(..., title="任务说明")
    outcome: str = Field(..., title="完成情况")
    outcome_on: dt.date | None = Field(None, title="完成日期")
    confirmed_by: PersonRef | None = Field(None, title="确认的带教人员")
    confirmed_at: dt.datetime | None = Field(None, title="确认时间")

    @staticmethod
    def resolve_kinds_label(obj: HardTask) -> str:
        return obj.kinds_display


class RotationAssignmentDetailOut(RotationAssignmentOut):
    goals: str = Field(..., title="锻炼目标", description="缺什么补什么。")
    end_reason: str = Field(..., title="终止理由")
    mentor_history: list[RotationMentorHistoryOut] = Field(
        ..., title="带教人员记录", description="含已撤换的，按加入先后。"
    )
    explanation: list[str] = Field(
        ..., title="匹配说明", description="由双向选择确认而来时，匹配方案对本人的说明；否则为空。"
    )
    notes: list[RotationNoteOut] = Field(..., title="带教记录", description="按日期。")
    tasks: list[RotationTaskOut] = Field(..., title="急难险重任务", description="按布置日期。")

    @staticmethod
    def resolve_mentor_history(obj: Any) -> list[Any]:
        return list(obj.mentor_history_list)

    @staticmethod
    def resolve_explanation(obj: Assignment) -> list[str]:
        return list(obj.placement.explanation) if obj.placement is not None else []

    @staticmethod
    def resolve_notes(obj: Any) -> list[Any]:
        return list(obj.notes.all())

    @staticmethod
    def resolve_tasks(obj: Any) -> list[Any]:
        return list(obj.hard_tasks.all())


class RotationMyAssignmentOut(RotationAssignmentOut):
    goals: str = Field(..., title="锻炼目标", description="缺什么补什么。")


class RotationQuery(Schema):
    school: int | None = Field(
        None, title="学校编号", description="本校用户只能查看本校，可省略；指定其他学校返回 404。"
    )
    limit: int = Field(50, title="每页条数", ge=1, le=MAX_LIMIT)
    offset: int = Field(0, title="起始位置", ge=0)


def _one_of(value: str, allowed: list[str]) -> str:
    # Round statuses are checked here rather than typed as the enum: its name would clash
    # with the rating rounds' status in the OpenAPI description.
    if value not in allowed:
        raise PydanticCustomError("enum", "invalid", {"expected": "、".join(allowed)})
    return value


class RotationRoundQuery(RotationQuery):
    status: str | None = Field(None, title="状态", description=codes(RoundStatus))
    year: int | None = Field(
        None, title="学年", ge=2000, le=2100, description="开始学期所在学年的起始年份，如2026。"
    )

    @field_validator("status")
    @classmethod
    def _known_status(cls, value: str | None) -> str | None:
        return None if value is None else _one_of(value, list(RoundStatus.values))


class RotationAssignmentQuery(RotationQuery):
    round: int | None = Field(None, title="轮次编号")
    status: AssignmentStatus | None = Field(None, title="状态", description=codes(AssignmentStatus))
    person: int | None = Field(None, title="轮岗人编号", description="教职工档案的编号。")
    term: int | None = Field(
        None,
        title="学期编号",
        description="只看在这一学期中有轮岗日子的安排（含跨学期的一学年轮岗）。",
    )


class RotationRoundAdvanceIn(Schema):
    status: str = Field(
        ...,
        title="状态",
        description="要进入的状态，须是当前状态的下一步（防止重复提交使本轮多走一步）："
        "closed=截止意向填报，matched=生成匹配方案，confirmed=确认匹配方案并生成轮岗安排。",
    )

    @field_validator("status")
    @classmethod
    def _known_move(cls, value: str) -> str:
        return _one_of(value, list(ADVANCES))


# Their fields are named by these titles in the API's validation errors.
LABELLED.extend(
    [RotationRoundQuery, RotationAssignmentQuery, RotationIntentionsQuery, RotationRoundAdvanceIn]
)


# --- Reading ------------------------------------------------------------------------------


def _schools(request: HttpRequest, school: int | None = None) -> QuerySet[School]:
    schools = readable_schools(caller(request), Cap.ROTATION_VIEW)
    if school is not None:
        schools = schools.filter(pk=get_object_or_404(schools, pk=school).pk)
    return schools


def _offers() -> Prefetch[Any]:
    return Prefetch(
        "posts",
        queryset=RoundPost.objects.select_related("post", "ranked_by_person")
        .prefetch_related(Prefetch("mentors", queryset=Person.objects.order_by("staff_number")))
        .annotate(
            n_candidates=Count("choices", filter=Q(choices__intention__withdrawn_at__isnull=True))
        ),
    )


def _with_posts(rows: QuerySet[Round]) -> QuerySet[Round]:
    """The rounds with their school, start term, number of live forms and the posts they
    offer with their mentors — three queries however many rounds and posts."""
    return (
        rows.select_related("school", "start_term__school_year")
        .annotate(
            live_intentions=Count("intentions", filter=Q(intentions__withdrawn_at__isnull=True))
        )
        .prefetch_related(_offers())
    )


@router.get(
    "/rotations/rounds",
    response={200: RotationRoundPage, 422: ErrorOut, **ERRORS},
    url_name="rotation_rounds",
    operation_id="rotation_rounds",
    summary="双向选择轮次",
    description="本校的双向选择轮次，按开始学期（新的在前）排列：范围（学期或学年）、状态、"
    "意向填报截止日期、已填报的意向表份数，以及本轮开放的岗位及其名额和带教人员。"
    "可按状态、学年筛选；分页用 limit/offset。" + READERS,
)
def rounds_list(request: HttpRequest, query: Query[RotationRoundQuery]) -> dict[str, Any]:
    rows = Round.objects.filter(school__in=_schools(request, query.school))
    if query.status is not None:
        rows = rows.filter(status=query.status)
    if query.year is not None:
        rows = rows.filter(start_term__school_year__start_year=query.year)
    page = _with_posts(rows).order_by("-start_term__start", "school__name", "-pk")
    return {
        "count": rows.count(),
        "limit": query.limit,
        "offset": query.offset,
        "items": list(page[query.offset : query.offset + query.limit]),
    }


def _readable_round(request: HttpRequest, round_id: int) -> Round:
    rounds = _with_posts(Round.objects.filter(school__in=_schools(request)))
    return get_object_or_404(rounds, pk=round_id)


def _round_detail(round_: Round) -> Round:
    round_.mentor_limits_list = list(  # type: ignore[attr-defined]
        RoundMentor.objects.filter(round=round_)
        .select_related("person")
        .order_by("person__staff_number")
    )
    round_.waivers_list = list(  # type: ignore[attr-defined]
        LevelWaiver.objects.active()
        .filter(round=round_)
        .select_related("person", "post")
        .order_by("person__staff_number", "post__sort_order")
    )
    round_.assignment_count = Assignment.objects.filter(round=round_).count()  # type: ignore[attr-defined]
    return round_


@router.get(
    "/rotations/rounds/{int:round_id}",
    response={200: RotationRoundDetailOut, **ERRORS},
    url_name="rotation_round",
    operation_id="rotation_round",
    summary="一个双向选择轮次",
    description="轮次的设置（下一级岗位经历月数、带教人员每学期可带人数）、开放的岗位"
    "（名额、带教人员、免除层级要求及理由、岗位方排序情况和填报人数）、单独设置名额的带教人员、"
    "逐人免除层级要求、各环节时间、已生成的轮岗安排数和接下来可进入的状态。"
    "其他学校的轮次返回 404。" + READERS,
)
def round_detail(request: HttpRequest, round_id: int) -> Round:
    return _round_detail(_readable_round(request, round_id))


def _with_choices(rows: QuerySet[Intention]) -> QuerySet[Intention]:
    return rows.select_related("person").prefetch_related(
        Prefetch(
            "choices",
            queryset=IntentionChoice.objects.select_related("round_post__post", "mentor").order_by(
                "rank", "round_post__post__sort_order", "pk"
            ),
        )
    )


@router.get(
    "/rotations/rounds/{int:round_id}/intentions",
    response={200: RotationIntentionsOut, 422: ErrorOut, **ERRORS},
    url_name="rotation_intentions",
    operation_id="rotation_intentions",
    summary="本轮的意向表",
    description="本轮全部后备干部的双向选择意向表（方案附2）：每人按志愿顺序的岗位、希望的带教人员、"
    "希望时长（一学期或一学年）和备注，以及填报、修改和撤回的时间。默认不含已撤回的。"
    "not_submitted 列出尚未提交（或已撤回）意向表的后备干部。"
    + READERS
    + "本人的意向表见 /intentions/mine。",
)
def round_intentions(
    request: HttpRequest, round_id: int, query: Query[RotationIntentionsQuery]
) -> dict[str, Any]:
    round_ = get_object_or_404(
        Round.objects.filter(school__in=_schools(request)).select_related("school", "start_term"),
        pk=round_id,
    )
    rows = Intention.objects.filter(round=round_)
    if not query.include_withdrawn:
        rows = rows.live()
    items = list(_with_choices(rows).order_by("person__staff_number", "pk"))
    submitted = Intention.objects.live().filter(round=round_).values("person_id")
    missing = list(reserve_cadres(round_).exclude(pk__in=submitted))
    return {"round": round_, "count": len(items), "items": items, "not_submitted": missing}


def _own_person(user: User) -> Person | None:
    try:
        return user.person  # type: ignore[no-any-return]
    except Person.DoesNotExist:
        return None


def _own_school(user: User) -> School:
    if user.school_id is None or not has_cap(user, Cap.ROTATION_TAKE_PART):
        raise NotAllowed()
    assert user.school is not None
    return user.school


@router.get(
    "/rotations/rounds/{int:round_id}/intentions/mine",
    response={200: RotationMyIntentionOut, **ERRORS},
    url_name="rotation_my_intention",
    operation_id="rotation_my_intention",
    summary="本人的意向表",
    description="本人在本轮的双向选择意向表（未填报时为 null），本轮开放的岗位及带教人员，"
    "以及本人现在能否填报。" + OWN + "其他学校的轮次返回 404。",
)
def my_intention(request: HttpRequest, round_id: int) -> dict[str, Any]:
    user = caller(request)
    school = _own_school(user)
    round_ = get_object_or_404(_with_posts(Round.objects.filter(school=school)), pk=round_id)
    person = _own_person(user)
    intention = None
    may_fill = False
    if person is not None and person.school_id == school.pk:
        intention = _with_choices(
            Intention.objects.live().filter(round=round_, person=person)
        ).first()
        may_fill = (
            round_.status == RoundStatus.OPEN
            and reserve_cadres(round_).filter(pk=person.pk).exists()
        )
    else:
        person = None
    return {
        "round": round_,
        "intentions_due": round_.intentions_due,
        "posts": list(round_.posts.all()),
        "person": person,
        "may_fill": may_fill,
        "intention": intention,
    }


@router.get(
    "/rotations/rounds/{int:round_id}/proposal",
    response={200: RotationProposalOut, **ERRORS},
    url_name="rotation_proposal",
    operation_id="rotation_proposal",
    summary="本轮的匹配方案",
    description="双向选择（延迟接受算法）给出的方案及人事室的调整：每人安排的岗位、带教人员、时长、"
    "第几志愿，匹配原本给出的岗位和带教人员，调整的时间、理由和提示，以及对每人结果的说明"
    "（为什么没有安排到排在前面的岗位）；未安排的人员及原因；未参加匹配的人员及原因；"
    "按生成方案时的数据对当前方案的检查（违反的规则、不稳定的配对）。尚未生成时 run 为 null。"
    + READERS,
)
def round_proposal(request: HttpRequest, round_id: int) -> dict[str, Any]:
    round_ = get_object_or_404(Round.objects.filter(school__in=_schools(request)), pk=round_id)
    run = proposals.live_run(round_)
    empty: dict[str, Any] = {"placed": [], "unplaced": [], "excluded": [], "review": None}
    if run is None:
        return {"round": round_, "run": None, **empty}
    rows = list(
        Placement.objects.filter(run=run)
        .select_related(
            "person", "round_post__post", "mentor", "proposed_post__post", "proposed_mentor"
        )
        .order_by("position")
    )
    found = proposals.review_proposal(round_)
    return {
        "round": round_,
        "run": run,
        "placed": [r for r in rows if r.round_post is not None],
        "unplaced": [r for r in rows if r.round_post is None and not r.excluded],
        "excluded": [r for r in rows if r.excluded],
        "review": {"ok": found.ok, "violations": found.violations, "blocking": found.blocking},
    }


def _assignment_rows(rows: QuerySet[Assignment]) -> QuerySet[Assignment]:
    return with_mentors(rows).order_by("-start_date", "person__staff_number", "pk")


@router.get(
    "/rotations/assignments",
    response={200: RotationAssignmentPage, 422: ErrorOut, **ERRORS},
    url_name="rotation_assignments",
    operation_id="rotation_assignments",
    summary="轮岗安排",
    description="本校的轮岗锻炼安排：轮岗人、岗位及层级、带教人员（带教领导、师傅）、开始学期、"
    "时长（一学期或一学年）、按校历计算的起止日期和状态；按开始日期（新的在前）排列。"
    "可按轮次、状态、轮岗人、学期筛选；分页用 limit/offset。" + READERS,
)
def assignments_list(request: HttpRequest, query: Query[RotationAssignmentQuery]) -> dict[str, Any]:
    schools = _schools(request, query.school)
    rows = Assignment.objects.filter(school__in=schools)
    if query.round is not None:
        rows = rows.filter(round_id=query.round)
    if query.status is not None:
        rows = rows.filter(status=query.status)
    if query.person is not None:
        rows = rows.filter(person_id=query.person)
    if query.term is not None:
        term = get_object_or_404(
            Term.objects.filter(school_year__school__in=schools), pk=query.term
        )
        rows = rows.with_days().filter(start_date__lte=term.end, end_date__gte=term.start)
    page = _assignment_rows(rows)
    return {
        "count": rows.count(),
        "limit": query.limit,
        "offset": query.offset,
        "items": list(page[query.offset : query.offset + query.limit]),
    }


@router.get(
    "/rotations/assignments/mine",
    response={200: list[RotationMyAssignmentOut], **ERRORS},
    url_name="rotation_my_assignments",
    operation_id="rotation_my_assignments",
    summary="本人的轮岗安排",
    description="本人的全部轮岗锻炼安排及锻炼目标，按开始日期（新的在前）；账号未关联教职工档案时为空。"
    + OWN,
)
def my_assignments(request: HttpRequest) -> list[Assignment]:
    user = caller(request)
    school = _own_school(user)
    person = _own_person(user)
    if person is None or person.school_id != school.pk:
        return []
    return list(_assignment_rows(Assignment.objects.filter(school=school, person=person)))


@router.get(
    "/rotations/assignments/{int:assignment_id}",
    response={200: RotationAssignmentDetailOut, **ERRORS},
    url_name="rotation_assignment",
    operation_id="rotation_assignment",
    summary="一项轮岗安排",
    description="轮岗安排的全部内容：锻炼目标（缺什么补什么）、带教人员及其撤换记录、"
    "由双向选择而来时匹配方案对本人的说明、带教记录、急难险重任务及完成情况和确认，"
    "提前终止的理由。其他学校的安排返回 404。" + READERS,
)
def assignment_detail(request: HttpRequest, assignment_id: int) -> Assignment:
    rows = (
        with_mentors(Assignment.objects.filter(school__in=_schools(request)))
        .select_related("placement")
        .prefetch_related(
            Prefetch(
                "notes",
                queryset=MentorNote.objects.select_related("author").order_by("written_on", "pk"),
            ),
            Prefetch(
                "hard_tasks",
                queryset=HardTask.objects.select_related("confirmed_by").order_by("given_on", "pk"),
            ),
        )
    )
    assignment = get_object_or_404(rows, pk=assignment_id)
    assignment.mentor_history_list = list(  # type: ignore[attr-defined]
        AssignmentMentor.objects.filter(assignment=assignment)
        .select_related("person")
        .order_by("added_at", "pk")
    )
    return assignment


# --- Moving a round on --------------------------------------------------------------------


# The moves an integration may make, each one service; reopening the forms and discarding
# a proposal need a written reason and stay on the pages.
ADVANCES: dict[str, Any] = {
    RoundStatus.CLOSED: close_intentions,
    RoundStatus.MATCHED: proposals.run_matching,
    RoundStatus.CONFIRMED: proposals.confirm_round,
}


@router.post(
    "/rotations/rounds/{int:round_id}/advance",
    response={200: RotationRoundDetailOut, 422: ErrorOut, **ERRORS},
    url_name="rotation_advance",
    operation_id="rotation_advance",
    summary="推进双向选择轮次",
    description="与页面上的按钮相同：本轮进入 status 指定的状态——closed 截止意向填报，"
    "matched 生成匹配方案，confirmed 确认匹配方案并生成轮岗安排。须是当前状态的下一步，"
    "否则 422 并说明当前状态（重复提交不会使本轮多走一步）；确认时有轮岗时间重叠、"
    "带教人员超过名额等问题的，422 并逐人列出。需要“组织双向选择与轮岗”权限（人事室），"
    "只能操作本校的轮次；每次推进记入审计记录。",
)
def round_advance(request: HttpRequest, round_id: int, payload: RotationRoundAdvanceIn) -> Round:
    user = caller(request)
    school = writable_school(user, Cap.ROTATION_RUN)
    round_ = get_object_or_404(Round, pk=round_id, school=school)
    ADVANCES[payload.status](actor=user, round_=round_)
    return _round_detail(_readable_round(request, round_id))
