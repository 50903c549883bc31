"""``/api/selection``: selection cycles (选拔周期) with their settings, lists and stage
timeline, the stage records, the results of each stage, the reserve pool, and the one
write an integration needs — moving a cycle to its next stage through ``workflow``.

Readers are those of the web UI: the school's personnel office and decision members, and
district viewers for every school of their district (read only). What the pages keep to
the inspection team is not here at all: no talk summary or interviewee, no objection's
reporter, content or investigation, no member's statement at a decision meeting — only
counts; and what the pages keep inside the school (谈话调研推荐, the number of talks, the
objection counts) is null for the district. A round's votes per person are shown once its
election is published, or after the tally to those who run the cycle, as on the
election's page.

The reads are in a fixed number of queries, however many lists, stages, targets or pool
entries there are (``results`` adds a few per counted round for its tally)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from houbei.accounts.access import Cap, has_cap
from houbei.accounts.models import User
from houbei.ballots.models import Candidate
from houbei.ballots.models import Status as ElectionStatus
from houbei.ballots.results import results_of
from houbei.core.errors import ValidationFailed
from houbei.eligibility.models import Snapshot
from houbei.eligibility.rules import ELIGIBLE_VERDICTS
from houbei.selection import workflow
from houbei.selection.models import (
    STAGE_ORDER,
    Cycle,
    CycleList,
    Decision,
    DecisionMeeting,
    InspectionTarget,
    Objection,
    ObjectionOutcome,
    PoolEntry,
    PostponementResult,
    PublicNotice,
    RecommendationRound,
    Stage,
    StageRecord,
    StageReopening,
    TalkRecommendation,
    stage_index,
)
from houbei.selection.services import settings_of
from houbei.selection.stages import info

from .auth import caller
from .schemas import (
    AdvanceIn,
    CycleDetailOut,
    CyclePage,
    CycleQuery,
    ErrorOut,
    PoolPage,
    PoolQuery,
    ResultsOut,
    StagesOut,
)
from .scope import readable_schools, writable_school

router = Router(tags=["选拔周期"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
READERS = "需要“查看选拔周期”权限（人事室、校务会成员；区教育局可查看所辖各校）。"


def _schools(request: HttpRequest, school: int | None = None) -> QuerySet[Any]:
    schools = readable_schools(caller(request), Cap.SELECTION_VIEW)
    if school is not None:
        schools = schools.filter(pk=get_object_or_404(schools, pk=school).pk)
    return schools


def _readable_cycle(request: HttpRequest, cycle_id: int) -> Cycle:
    cycles = (
        Cycle.objects.filter(school__in=_schools(request))
        .select_related("school", "rule_set")
        .prefetch_related(Prefetch("lists", queryset=CycleList.objects.order_by("position", "pk")))
    )
    return get_object_or_404(cycles, pk=cycle_id)


def _state(cycle: Cycle, stage: str) -> str:
    here, now = stage_index(stage), stage_index(cycle.stage)
    if here < now or cycle.stage == Stage.DONE:
        return "done"
    return "current" if here == now else "upcoming"


# --- Cycles -----------------------------------------------------------------------------


@router.get(
    "/selection/cycles",
    response={200: CyclePage, 422: ErrorOut, **ERRORS},
    url_name="selection_cycles",
    operation_id="selection_cycles",
    summary="选拔周期",
    description="可查看学校的选拔周期，按年度（新的在前）、学校排列，含当前阶段和各名单名额。"
    "可按学校、年度、当前阶段筛选；分页用 limit/offset。" + READERS,
)
def cycles_list(request: HttpRequest, query: Query[CycleQuery]) -> dict[str, Any]:
    rows = Cycle.objects.filter(school__in=_schools(request, query.school))
    if query.year is not None:
        rows = rows.filter(year=query.year)
    if query.stage is not None:
        rows = rows.filter(stage=query.stage)
    page = (
        rows.select_related("school")
        .prefetch_related(Prefetch("lists", queryset=CycleList.objects.order_by("position", "pk")))
        .order_by("-year", "school__name", "-pk")
    )
    return {
        "count": rows.count(),
        "limit": query.limit,
        "offset": query.offset,
        "items": list(page[query.offset : query.offset + query.limit]),
    }


def _eligible(cycle: Cycle) -> int | None:
    # The snapshot's counts, not its results: those hold every person's explanations.
    if cycle.eligibility_snapshot_id is None:
        return None
    counts = (
        Snapshot.objects.filter(pk=cycle.eligibility_snapshot_id)
        .values_list("counts", flat=True)
        .first()
    ) or {}
    return sum(int(counts.get(v, 0)) for v in ELIGIBLE_VERDICTS)


def _reopenings(cycle: Cycle) -> list[StageReopening]:
    return list(StageReopening.objects.filter(cycle=cycle).order_by("pk"))


def _detail(cycle: Cycle) -> dict[str, Any]:
    live: dict[str, StageRecord] = {}
    attempts: Counter[str] = Counter()
    for item in (
        StageRecord.objects.filter(cycle=cycle).select_related("responsible").order_by("attempt")
    ):
        live[item.stage] = item
        attempts[item.stage] += 1
    today = timezone.localdate()
    timeline = []
    for stage in STAGE_ORDER:
        latest = live.get(stage)
        timeline.append(
            {
                "stage": stage,
                "label": str(stage.label),
                "state": _state(cycle, stage),
                "attempts": attempts[stage],
                "deadline": latest.deadline if latest else None,
                "overdue": bool(
                    latest
                    and latest.deadline
                    and latest.finished_at is None
                    and latest.deadline < today
                ),
                "responsible": latest.responsible if latest else None,
                "started_at": latest.started_at if latest else None,
                "finished_at": latest.finished_at if latest else None,
            }
        )
    transition = workflow.next_transition(cycle)
    following = None
    if transition is not None:
        problems = [str(p) for p in workflow.problems(cycle, today)]
        following = {
            "to": transition.target,
            "label": str(transition.target.label),
            "verb": str(transition.verb),
            "ready": not problems,
            "problems": problems,
        }
    return {
        "id": cycle.pk,
        "school": cycle.school,
        "year": cycle.year,
        "title": cycle.title,
        "reference_date": cycle.reference_date,
        "stage": cycle.stage,
        "created_at": cycle.created_at,
        "completed_at": cycle.completed_at,
        "lists": list(cycle.lists.all()),
        "rule_set": cycle.rule_set,
        "eligible": _eligible(cycle),
        "settings": settings_of(cycle),
        "timeline": timeline,
        "reopenings": _reopenings(cycle),
        "next": following,
    }


@router.get(
    "/selection/cycles/{int:cycle_id}",
    response={200: CycleDetailOut, **ERRORS},
    url_name="selection_cycle",
    operation_id="selection_cycle",
    summary="一个选拔周期",
    description="设置（参与率、差额、考察预告、公示期、讨论决定到会和通过比例等）、名单及名额、"
    "八个阶段的进程（状态、截止日期、负责人、开始和结束时间）、重新开启记录，"
    "以及下一步和进入下一步前尚待完成的问题。其他学校的选拔周期返回 404。",
)
def cycle_detail(request: HttpRequest, cycle_id: int) -> dict[str, Any]:
    return _detail(_readable_cycle(request, cycle_id))


@router.get(
    "/selection/cycles/{int:cycle_id}/stages",
    response={200: StagesOut, **ERRORS},
    url_name="selection_stages",
    operation_id="selection_stages",
    summary="选拔周期的阶段记录",
    description="每个阶段的说明、工作事项、负责部门、形成的文书，以及每次进行的记录"
    "（截止日期、负责人、开始和结束时间、是否因重新开启而中止）。",
)
def cycle_stages(request: HttpRequest, cycle_id: int) -> dict[str, Any]:
    cycle = _readable_cycle(request, cycle_id)
    records: dict[str, list[StageRecord]] = {}
    for item in (
        StageRecord.objects.filter(cycle=cycle).select_related("responsible").order_by("attempt")
    ):
        records.setdefault(item.stage, []).append(item)
    stages = []
    for stage in STAGE_ORDER:
        about = info(stage)
        stages.append(
            {
                "stage": stage,
                "label": about.label,
                "state": _state(cycle, stage),
                "summary": str(about.summary),
                "due": [str(d) for d in about.due],
                "responsible_role": str(about.responsible),
                "documents": [str(d) for d in about.documents],
                "records": records.get(stage, []),
            }
        )
    return {"cycle": cycle, "stages": stages, "reopenings": _reopenings(cycle)}


# --- Results ----------------------------------------------------------------------------


def _rounds(cycle: Cycle, user: User) -> list[dict[str, Any]]:
    rounds = list(
        RecommendationRound.objects.filter(cycle=cycle)
        .select_related("election__school")
        .order_by("number")
    )
    runs = user.school_id == cycle.school_id and has_cap(user, Cap.SELECTION_RUN)
    shown = {
        r.pk
        for r in rounds
        if r.election.status == ElectionStatus.PUBLISHED
        or (r.election.status == ElectionStatus.TALLIED and runs)
    }
    people = {
        c.pk: c.person
        for c in Candidate.objects.filter(
            ballot_list__election__in=[r.election_id for r in rounds if r.pk in shown]
        ).select_related("person")
    }
    lists = {cl.pk: cl for cl in cycle.lists.all()}
    out = []
    for round_ in rounds:
        row: dict[str, Any] = {
            "number": round_.number,
            "outcome": round_.outcome,
            "election_status": round_.election.status,
            "participants": round_.participants,
            "electorate": round_.electorate,
            "quorum": f"{cycle.quorum_numerator}/{cycle.quorum_denominator}",
            "scattered": round_.scattered,
            "top_shares": round_.top_shares,
            "concluded_at": round_.concluded_at,
            "results_shown": round_.pk in shown,
            "summary": None,
            "lists": [],
        }
        if round_.pk in shown:
            results = results_of(round_.election)
            row["summary"] = results.summary
            for lines in results.lists:
                cycle_list_id = round_.list_map.get(str(lines.result.id))
                row["lists"].append(
                    {
                        "cycle_list_id": cycle_list_id,
                        "level": lists[cycle_list_id].level
                        if cycle_list_id in lists
                        else lines.level,
                        "name": lines.result.name,
                        "quota": lines.result.quota,
                        "valid": lines.result.valid,
                        "void": lines.result.void,
                        "blank": lines.result.blank,
                        "candidates": [
                            {
                                "person": people.get(line.result.id),
                                "name": line.result.name,
                                "votes": line.result.votes,
                                "share": line.percent,
                                "rank": line.result.rank,
                                "sentence": line.sentence,
                            }
                            for line in lines.candidates
                        ],
                    }
                )
        out.append(row)
    return out


def _talks(cycle: Cycle) -> dict[str, Any]:
    by_list: dict[int, list[TalkRecommendation]] = {}
    for row in (
        TalkRecommendation.objects.filter(cycle=cycle)
        .select_related("person")
        .order_by("-count", "person__staff_number")
    ):
        by_list.setdefault(row.cycle_list_id, []).append(row)
    return {
        "interviewees": cycle.talk_interviewees,
        "lists": [
            {
                "cycle_list_id": cl.pk,
                "level": cl.level,
                "name": cl.name,
                "counts": [{"person": t.person, "count": t.count} for t in by_list.get(cl.pk, [])],
            }
            for cl in cycle.lists.all()
        ],
    }


def _targets(cycle: Cycle, inside: bool) -> list[dict[str, Any]]:
    targets = (
        InspectionTarget.objects.active()
        .filter(cycle=cycle)
        .select_related("person", "cycle_list", "rating_round", "report__signed_version")
        # A version saved after the sign-off needs a sign-off of its own.
        .annotate(
            n_talks=Count("talks", distinct=True), last_version=Max("report__versions__number")
        )
        .order_by("cycle_list__position", "pk")
    )
    out = []
    for t in targets:
        report = getattr(t, "report", None)
        signed = report.signed_version if report is not None else None
        out.append(
            {
                "id": t.pk,
                "cycle_list_id": t.cycle_list_id,
                "level": t.cycle_list.level,
                "person": t.person,
                "votes_note": t.votes_note,
                "notice_published_on": t.notice_published_on,
                "readiness": t.readiness,
                "talks": t.n_talks if inside else None,
                "appraisal": t.rating_round.status if t.rating_round else None,
                "report_signed": signed is not None and signed.number == t.last_version,
            }
        )
    return out


def _meetings(cycle: Cycle) -> list[dict[str, Any]]:
    meetings = list(DecisionMeeting.objects.filter(cycle=cycle).order_by("held_on", "pk"))
    decisions: dict[int, list[Decision]] = {}
    for d in (
        Decision.objects.filter(meeting__cycle=cycle)
        .select_related("target__person", "target__cycle_list")
        .order_by("target__cycle_list__position", "target_id")
    ):
        decisions.setdefault(d.meeting_id, []).append(d)
    return [
        {
            "id": m.pk,
            "held_on": m.held_on,
            "expected": m.expected,
            "present": m.present,
            "decisions": [
                {
                    "target_id": d.target_id,
                    "person": d.target.person,
                    "level": d.target.cycle_list.level,
                    "outcome": d.outcome,
                    "agree": d.agree,
                    "disagree": d.disagree,
                    "defer": d.defer,
                }
                for d in decisions.get(m.pk, [])
            ],
        }
        for m in meetings
    ]


def _notices(cycle: Cycle, inside: bool) -> list[dict[str, Any]]:
    notices = list(PublicNotice.objects.filter(cycle=cycle).order_by("pk"))
    if not inside:
        return [_notice(n, n == notices[-1], None) for n in notices]
    counts: dict[int, dict[str, Any]] = {
        n.pk: {
            "total": 0,
            "open": 0,
            "signed": 0,
            "anonymous": 0,
            "outcomes": {},
            "postponed_unresolved": 0,
        }
        for n in notices
    }
    # Counted by the database: the rows themselves (who reported what) never leave it.
    rows = (
        Objection.objects.filter(notice__cycle=cycle)
        .values("notice_id", "signed", "outcome", "postponement_result")
        .annotate(n=Count("pk"), still_open=Count("pk", filter=Q(closed_at__isnull=True)))
        .order_by()
    )
    for row in rows:
        found = counts[row["notice_id"]]
        n = row["n"]
        found["total"] += n
        found["open"] += row["still_open"]
        found["signed" if row["signed"] else "anonymous"] += n
        closed = n - row["still_open"]
        if row["outcome"] and closed:
            found["outcomes"][row["outcome"]] = found["outcomes"].get(row["outcome"], 0) + closed
        if (
            row["outcome"] == ObjectionOutcome.UNVERIFIED
            and row["postponement_result"] not in PostponementResult.values
        ):
            found["postponed_unresolved"] += closed
    return [_notice(n, n == notices[-1], counts[n.pk]) for n in notices]


def _notice(notice: PublicNotice, current: bool, objections: Any) -> dict[str, Any]:
    return {
        "id": notice.pk,
        "current": current,
        "start": notice.start,
        "end": notice.end,
        "working_days": notice.working_days,
        "warnings": [str(w) for w in notice.warnings],
        "published_at": notice.published_at,
        "closed_at": notice.closed_at,
        "objections": objections,
    }


@router.get(
    "/selection/cycles/{int:cycle_id}/results",
    response={200: ResultsOut, **ERRORS},
    url_name="selection_results",
    operation_id="selection_results",
    summary="选拔周期的结果",
    description="各轮民主推荐（参加人数、是否有效、票数是否分散；投票结果公布后各名单每人的得票、"
    "得票率、名次和规范表述）、谈话调研推荐、考察对象（推荐情况、考察预告、成熟程度、"
    "个别谈话次数、民主测评状态、考察材料是否签发）、讨论决定（每次会议到会情况和每人的票数）、"
    "公示（起止日期、工作日数和异议件数）。不提供谈话要点、反映人和成员个人表态；"
    "谈话调研推荐、个别谈话次数和异议件数只对本校用户提供（区教育局用户为 null，与网页相同）。",
)
def cycle_results(request: HttpRequest, cycle_id: int) -> dict[str, Any]:
    cycle = _readable_cycle(request, cycle_id)
    user = caller(request)
    # As on the pages, what is confidential to the school (the talks, the objections)
    # is for the school's own readers; the district reads the rest.
    inside = user.school_id == cycle.school_id
    return {
        "cycle": cycle,
        "rounds": _rounds(cycle, user),
        "talks": _talks(cycle) if inside else None,
        "targets": _targets(cycle, inside),
        "meetings": _meetings(cycle),
        "notices": _notices(cycle, inside),
    }


# --- Moving a cycle on ------------------------------------------------------------------

_MOVES: dict[Stage, Callable[..., Cycle]] = {
    Stage.RECOMMENDATION: workflow.start_recommendation,
    Stage.OPINIONS: workflow.start_opinions,
    Stage.TARGETS: workflow.start_target_selection,
    Stage.INSPECTION: workflow.start_inspection,
    Stage.DECISION: workflow.start_decision,
    Stage.NOTICE: workflow.start_notice,
    Stage.DONE: workflow.complete_cycle,
}


@router.post(
    "/selection/cycles/{int:cycle_id}/advance",
    response={200: CycleDetailOut, 422: ErrorOut, **ERRORS},
    url_name="selection_advance",
    operation_id="selection_advance",
    summary="进入下一阶段",
    description="与页面上的按钮相同：选拔周期进入 to 指定的阶段，须是当前阶段的下一个，"
    "且没有尚待完成的问题（否则 422，并列出问题）；进入公示须填写公示开始日期 start。"
    "需要“推进选拔周期”权限（人事室），只能操作本校的选拔周期；每次推进记入审计记录。",
)
def cycle_advance(request: HttpRequest, cycle_id: int, payload: AdvanceIn) -> dict[str, Any]:
    user = caller(request)
    school = writable_school(user, Cap.SELECTION_RUN)
    cycle = get_object_or_404(Cycle, pk=cycle_id, school=school)
    move = _MOVES.get(payload.to)
    if move is None:
        raise ValidationFailed({"to": [_("选拔周期不能进入“筹备”阶段；需要时请重新开启。")]})
    if payload.to == Stage.NOTICE:
        if payload.start is None:
            raise ValidationFailed({"start": [_("请填写公示开始日期。")]})
        move(actor=user, cycle=cycle, start=payload.start)
    elif payload.start is not None:
        raise ValidationFailed({"start": [_("只有进入公示时才填写公示开始日期。")]})
    else:
        move(actor=user, cycle=cycle)
    return _detail(_readable_cycle(request, cycle_id))


# --- The reserve pool -------------------------------------------------------------------


@router.get(
    "/selection/pool",
    response={200: PoolPage, 422: ErrorOut, **ERRORS},
    url_name="selection_pool",
    operation_id="selection_pool",
    summary="后备干部库",
    description="已完成的选拔周期列入后备干部库的人员：级别（区级、校级）、成熟程度、决定日期和有效期。"
    "一人同时列入两个名单时有两条。可按学校、选拔周期年度、级别、成熟程度和有效日期筛选；"
    "按学校、级别、工号排列。" + READERS,
)
def pool_list(request: HttpRequest, query: Query[PoolQuery]) -> dict[str, Any]:
    rows = PoolEntry.objects.filter(school__in=_schools(request, query.school))
    if query.year is not None:
        rows = rows.filter(cycle__year=query.year)
    if query.level is not None:
        rows = rows.filter(level=query.level)
    if query.readiness is not None:
        rows = rows.filter(readiness=query.readiness)
    if query.valid_on is not None:
        rows = rows.valid_on(query.valid_on)
    page = rows.select_related("school", "cycle", "person").order_by(
        "school__name", "school_id", "level", "person__staff_number", "pk"
    )
    return {
        "count": rows.count(),
        "limit": query.limit,
        "offset": query.offset,
        "items": list(page[query.offset : query.offset + query.limit]),
    }
