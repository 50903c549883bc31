"""What the cycle's pages read: the dashboard's timeline and counts (a fixed number of
queries whatever the size of the cycle), the documents of a stage, who was left out of
the recommendation and why, the rounds with their results, the board of candidates with
their votes and opinions, a target's checklist, the reserve pool's structure, and the
notices up in a school.

Reads only; every write is a service of this package."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any
from urllib.parse import urlencode

from django.db.models import F, IntegerField, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from houbei.accounts.models import Role
from houbei.ballots.models import Status as ElectionStatus
from houbei.ballots.ratings.models import RoundStatus
from houbei.ballots.results import Results, Turnout, percent, results_of, turnout_of
from houbei.core.errors import DomainError
from houbei.eligibility.models import Snapshot
from houbei.eligibility.rules import ELIGIBLE_VERDICTS, Outcome, Strength, Verdict
from houbei.organisation.models import Post, PostCategory, School
from houbei.people.models import Gender, Person, PoliticalStatus, PostHistory

from . import documents
from .decision import latest_decisions
from .inspection import checks_about
from .models import (
    STAGE_ORDER,
    CheckKind,
    Cycle,
    CycleList,
    DecisionMeeting,
    InspectionCheck,
    InspectionTalk,
    InspectionTarget,
    Objection,
    ObjectionOutcome,
    Opinion,
    OpinionSource,
    PoolEntry,
    PublicNotice,
    RecommendationRound,
    RollMember,
    RoundOutcome,
    Stage,
    StageRecord,
    StageReopening,
    TalkRecommendation,
    stage_index,
)
from .models import (
    Outcome as DecisionOutcome,
)
from .opinions import fully_consulted
from .pool_targets import Targets, targets_of
from .recommendation import Standing, standings
from .stages import StageInfo, info

# The page of each stage.
STAGE_URLS: dict[Stage, str] = {
    Stage.PREPARATION: "selection:preparation",
    Stage.RECOMMENDATION: "selection:recommendation",
    Stage.OPINIONS: "selection:opinions",
    Stage.TARGETS: "selection:targets",
    Stage.INSPECTION: "selection:inspection",
    Stage.DECISION: "selection:decision",
    Stage.NOTICE: "selection:notice",
    Stage.DONE: "selection:pool",
}


def stage_url(cycle: Cycle, stage: str) -> str:
    return reverse(STAGE_URLS[Stage(stage)], args=[cycle.pk])


class _Count(Subquery):
    """The number of rows of a correlated queryset, as a column of the outer query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _n)"
    output_field = IntegerField()


def _n(qs: QuerySet[Any]) -> _Count:
    return _Count(qs.order_by().values("pk"))


class _Sum(Subquery):
    """The sum of one column of a correlated queryset, as a column of the outer query."""

    template = "(SELECT COALESCE(SUM(_s.n), 0) FROM (%(subquery)s) _s)"
    output_field = IntegerField()


def _total(qs: QuerySet[Any], column: str) -> _Sum:
    return _Sum(qs.order_by().values(n=F(column)))


def cycle_counts(cycle: Cycle) -> dict[str, int]:
    """Every count the dashboard shows, in one query."""
    here = OuterRef("pk")
    active = {"cycle": here, "withdrawn_at__isnull": True}
    row = (
        Cycle.objects.filter(pk=cycle.pk)
        .annotate(
            n_roll=_n(RollMember.objects.filter(cycle=here, removed_at__isnull=True)),
            n_rounds=_n(RecommendationRound.objects.filter(cycle=here)),
            # 人次: how many times someone was named, not how many people were.
            n_talk_named=_total(TalkRecommendation.objects.filter(cycle=here), "count"),
            n_opinions=_n(Opinion.objects.filter(cycle=here)),
            n_targets=_n(InspectionTarget.objects.filter(**active)),
            n_announced=_n(
                InspectionTarget.objects.filter(**active, notice_published_on__isnull=False)
            ),
            n_talks=_n(
                InspectionTalk.objects.filter(target__cycle=here, target__withdrawn_at__isnull=True)
            ),
            n_appraised=_n(
                InspectionTarget.objects.filter(**active, rating_round__status=RoundStatus.RELEASED)
            ),
            n_signed=_n(
                InspectionTarget.objects.filter(**active, report__signed_version__isnull=False)
            ),
            n_meetings=_n(DecisionMeeting.objects.filter(cycle=here)),
            n_objections=_n(Objection.objects.filter(notice__cycle=here)),
            n_objections_open=_n(
                Objection.objects.filter(notice__cycle=here, closed_at__isnull=True)
            ),
            n_postponed=_n(
                Objection.objects.filter(
                    notice__cycle=here,
                    outcome=ObjectionOutcome.UNVERIFIED,
                    postponement_result="",
                )
            ),
            n_pool=_n(PoolEntry.objects.filter(cycle=here)),
        )
        .values(
            "n_roll",
            "n_rounds",
            "n_talk_named",
            "n_opinions",
            "n_targets",
            "n_announced",
            "n_talks",
            "n_appraised",
            "n_signed",
            "n_meetings",
            "n_objections",
            "n_objections_open",
            "n_postponed",
            "n_pool",
        )
        .get()
    )
    values: dict[str, Any] = dict(row)
    return {key.removeprefix("n_"): int(value or 0) for key, value in values.items()}


@dataclass
class StageRow:
    stage: Stage
    info: StageInfo
    state: str  # done | current | upcoming
    record: StageRecord | None
    attempts: int
    url: str
    facts: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(self.stage.label)

    @property
    def overdue(self) -> bool:
        record = self.record
        return bool(
            record
            and record.deadline
            and record.finished_at is None
            and record.deadline < timezone.localdate()
        )


@dataclass
class Dashboard:
    cycle: Cycle
    rows: list[StageRow]
    counts: dict[str, int]
    lists: list[CycleList]
    reopenings: list[StageReopening]
    notice: PublicNotice | None
    eligible: int | None

    @property
    def current(self) -> StageRow | None:
        """The stage the cycle is in; None once it is complete."""
        return next((r for r in self.rows if r.state == "current"), None)


def _records(cycle: Cycle) -> tuple[dict[str, StageRecord], dict[str, int]]:
    live: dict[str, StageRecord] = {}
    attempts: dict[str, int] = {}
    for record in (
        StageRecord.objects.filter(cycle=cycle)
        .select_related("responsible")
        .order_by("stage", "attempt")
    ):
        live[record.stage] = record
        attempts[record.stage] = record.attempt
    return live, attempts


def eligible_count(cycle: Cycle) -> int | None:
    """How many the cycle's snapshot found eligible (flagged ones included), without
    loading the snapshot's explanations; None before the recommendation began."""
    if cycle.eligibility_snapshot_id is None:
        return None
    counts = (
        Snapshot.objects.filter(pk=cycle.eligibility_snapshot_id)
        .values_list("counts", flat=True)
        .first()
    ) or {}
    return sum(int(counts.get(v, 0)) for v in ELIGIBLE_VERDICTS)


def dashboard(cycle: Cycle) -> Dashboard:
    """The timeline of the eight stages with their dates, responsible people and counts,
    read in a fixed number of queries."""
    counts = cycle_counts(cycle)
    lists = list(CycleList.objects.filter(cycle=cycle).order_by("position", "pk"))
    live, attempts = _records(cycle)
    rounds = list(
        RecommendationRound.objects.filter(cycle=cycle)
        .order_by("-number")
        .values("number", "outcome", "scattered")[:1]
    )
    notice = PublicNotice.objects.filter(cycle=cycle).order_by("-pk").first()
    consulted = len(fully_consulted(cycle)) if counts["opinions"] else 0
    decisions = latest_decisions(cycle) if counts["meetings"] else {}
    outcomes = [d.outcome for d in decisions.values()]
    eligible = eligible_count(cycle)
    reopenings = list(
        StageReopening.objects.filter(cycle=cycle).select_related("by").order_by("-pk")
    )
    current = stage_index(cycle.stage)
    facts: dict[Stage, list[str]] = {
        Stage.PREPARATION: [
            "；".join(_("%(name)s%(q)d名") % {"name": cl.name, "q": cl.quota} for cl in lists)
            or _("尚未设置名单"),
            _("参加民主推荐%(n)d人") % {"n": counts["roll"]},
        ],
        Stage.RECOMMENDATION: [
            *([_("符合条件%(n)d人") % {"n": eligible}] if eligible is not None else []),
            *(
                [
                    _("已进行%(n)d轮，第%(last)d轮%(outcome)s")
                    % {
                        "n": counts["rounds"],
                        "last": rounds[0]["number"],
                        "outcome": RoundOutcome(rounds[0]["outcome"]).label,
                    }
                ]
                if rounds
                else []
            ),
            *(
                [_("谈话调研推荐%(n)d人次记录") % {"n": counts["talk_named"]}]
                if counts["talk_named"]
                else []
            ),
        ],
        Stage.OPINIONS: (
            [
                _("已记录意见%(n)d条，两方面均已征求%(c)d人")
                % {"n": counts["opinions"], "c": consulted}
            ]
            if counts["opinions"]
            else []
        ),
        Stage.TARGETS: (
            [
                _("考察对象%(n)d人") % {"n": counts["targets"]},
                _("考察预告已发布%(a)d/%(n)d") % {"a": counts["announced"], "n": counts["targets"]},
            ]
            if counts["targets"]
            else []
        ),
        Stage.INSPECTION: (
            [
                _("个别谈话%(n)d次") % {"n": counts["talks"]},
                _("民主测评已发布%(a)d/%(n)d") % {"a": counts["appraised"], "n": counts["targets"]},
                _("考察材料已签发%(a)d/%(n)d") % {"a": counts["signed"], "n": counts["targets"]},
            ]
            if counts["targets"] and current >= stage_index(Stage.INSPECTION)
            else []
        ),
        Stage.DECISION: (
            [
                _("会议%(n)d次") % {"n": counts["meetings"]},
                _("通过%(p)d，未通过%(r)d，缓议%(d)d")
                % {
                    "p": outcomes.count(DecisionOutcome.PASSED),
                    "r": outcomes.count(DecisionOutcome.REJECTED),
                    "d": outcomes.count(DecisionOutcome.POSTPONED),
                },
            ]
            if counts["meetings"]
            else []
        ),
        Stage.NOTICE: (
            [
                _("%(start)s至%(end)s（%(n)d个工作日）")
                % {"start": notice.start, "end": notice.end, "n": notice.working_days},
                _("异议%(n)d件，未处理%(open)d件")
                % {"n": counts["objections"], "open": counts["objections_open"]},
                *(
                    [_("暂缓待了结%(n)d件") % {"n": counts["postponed"]}]
                    if counts["postponed"]
                    else []
                ),
            ]
            if notice is not None
            else []
        ),
        Stage.DONE: (
            [_("列入后备干部库%(n)d人次") % {"n": counts["pool"]}] if counts["pool"] else []
        ),
    }
    rows = []
    for i, stage in enumerate(STAGE_ORDER):
        state = "done" if i < current else "current" if i == current else "upcoming"
        if stage == Stage.DONE and cycle.stage == Stage.DONE:
            state = "done"
        rows.append(
            StageRow(
                stage=stage,
                info=info(stage),
                state=state,
                record=live.get(stage),
                attempts=attempts.get(stage, 1),
                url=stage_url(cycle, stage),
                facts=[f for f in facts[stage] if f],
            )
        )
    return Dashboard(
        cycle=cycle,
        rows=rows,
        counts=counts,
        lists=lists,
        reopenings=reopenings,
        notice=notice,
        eligible=eligible,
    )


# --- documents ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentLink:
    label: str
    links: tuple[tuple[str, str], ...]  # (format, url)


def stage_documents(
    cycle: Cycle, stage: str, *, per: str = "", reader: Any = None, **params: Any
) -> list[DocumentLink]:
    """The documents of ``stage`` in the documents registry (``documents.DOCUMENTS``)
    that are of the whole cycle (``per`` "") or of one round or target (``per`` "round",
    "target", with that parameter), each with a link per format; only those ``reader``
    may have (``documents.may_read``: the talks are the decision body's)."""
    out = []
    for doc in documents.DOCUMENTS.values():
        if str(doc.stage) != str(stage):
            continue
        if reader is not None and not documents.may_read(reader, doc):
            continue
        # On a round's or a target's part of a page: the documents of one of them, and
        # the cycle's documents that can be narrowed to it.
        if doc.per != per and not (per and not doc.per and per in doc.params):
            continue
        query = urlencode(
            {
                "key": doc.key,
                **{k: v for k, v in params.items() if k in doc.params and v is not None},
            }
        )
        links = tuple(
            (fmt, f"{reverse('selection:document', args=[cycle.pk, fmt])}?{query}")
            for fmt in doc.formats
        )
        out.append(DocumentLink(doc.label, links))
    return out


# --- 民主推荐 ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LeftOut:
    name: str
    staff_number: str
    verdict: str
    reasons: tuple[str, ...]


def _snapshot(cycle: Cycle) -> Snapshot | None:
    if cycle.eligibility_snapshot_id is None:
        return None
    return Snapshot.objects.filter(pk=cycle.eligibility_snapshot_id).first()


def left_out(cycle: Cycle) -> list[LeftOut]:
    """Who the cycle's snapshot did not find eligible, with the explanation of each
    condition they did not meet (or lacked data for)."""
    snapshot = _snapshot(cycle)
    if snapshot is None:
        return []
    labels = {r["key"]: r.get("label", r["key"]) for r in snapshot.rules}
    # What kept them out: the scope and the hard conditions (not the manual record, the
    # soft band or the priority, which never exclude anyone).
    deciding = {
        r["key"] for r in snapshot.rules if r.get("strength") in (Strength.SCOPE, Strength.HARD)
    }
    out = []
    for row in snapshot.results:
        if row.get("verdict") in ELIGIBLE_VERDICTS:
            continue
        reasons = tuple(
            f"{labels.get(key, key)}：{result.get('text', '')}"
            for key, result in (row.get("results") or {}).items()
            if key in deciding and result.get("outcome") in (Outcome.FAIL, Outcome.UNKNOWN)
        )
        verdict = row.get("verdict", "")
        out.append(
            LeftOut(
                name=row.get("name", ""),
                staff_number=row.get("staff_number", ""),
                verdict=str(Verdict(verdict).label) if verdict in Verdict.values else verdict,
                reasons=reasons,
            )
        )
    return sorted(out, key=lambda r: r.staff_number)


def eligible_people(cycle: Cycle) -> list[Person]:
    snapshot = _snapshot(cycle)
    if snapshot is None:
        return []
    ids = [int(r["person_id"]) for r in snapshot.results if r.get("verdict") in ELIGIBLE_VERDICTS]
    return list(Person.objects.filter(pk__in=ids, school=cycle.school).order_by("staff_number"))


def figures_visible(round_: RecommendationRound, *, can_run: bool) -> bool:
    """Per-candidate figures, as on the ballots pages: the office once counted, everyone
    else once the election's results are published."""
    status = round_.election.status
    if round_.outcome == RoundOutcome.PENDING:
        return False
    return status == ElectionStatus.PUBLISHED or (can_run and status == ElectionStatus.TALLIED)


@dataclass
class RoundView:
    round: RecommendationRound
    visible: bool
    results: Results | None
    lists: list[tuple[str, Any]]  # (cycle list name, ListLines)
    void_reason: str
    turnout: Turnout | None = None  # while voting is open or closed, before the count
    documents: list[DocumentLink] = field(default_factory=list)


def round_views(cycle: Cycle, *, can_run: bool) -> list[RoundView]:
    lists = {cl.pk: cl for cl in CycleList.objects.filter(cycle=cycle)}
    out = []
    for round_ in (
        RecommendationRound.objects.filter(cycle=cycle)
        .select_related("election", "election__school")
        .order_by("number")
    ):
        visible = figures_visible(round_, can_run=can_run)
        results = results_of(round_.election) if visible else None
        named = []
        if results is not None:
            for lines in results.lists:
                cycle_list = lists.get(int(round_.list_map.get(str(lines.result.id), 0) or 0))
                named.append((cycle_list.name if cycle_list else lines.result.name, lines))
        void_reason = ""
        if round_.outcome == RoundOutcome.VOID:
            void_reason = _("参加推荐%(p)d人，未达到应参加人数%(e)d人的%(q)s，本轮推荐无效。") % {
                "p": round_.participants or 0,
                "e": round_.electorate or 0,
                "q": f"{cycle.quorum_numerator}/{cycle.quorum_denominator}",
            }
        turnout = (
            turnout_of(round_.election)
            if round_.election.status in (ElectionStatus.OPEN, ElectionStatus.CLOSED)
            else None
        )
        out.append(RoundView(round_, visible, results, named, void_reason, turnout))
    return out


def latest_visible_standings(
    cycle: Cycle, *, can_run: bool
) -> tuple[dict[tuple[int, int], Standing], RecommendationRound | None, bool]:
    """The figures of the latest valid round, if the user may see them; the round; and
    whether they are hidden (not yet published)."""
    round_ = (
        RecommendationRound.objects.filter(cycle=cycle, outcome=RoundOutcome.VALID)
        .select_related("election", "election__school")
        .order_by("-number")
        .first()
    )
    if round_ is None:
        return {}, None, False
    if not figures_visible(round_, can_run=can_run):
        return {}, round_, True
    return standings(round_), round_, False


# --- the board of candidates (征求意见, 确定考察对象) ----------------------------------------


@dataclass
class CandidateRow:
    person: Person
    standings: dict[int, Standing]  # cycle list id → figures
    talks: dict[int, int]  # cycle list id → 谈话调研推荐人次
    opinions: dict[str, Opinion]  # source → opinion

    @property
    def consulted(self) -> bool:
        return set(self.opinions) >= set(OpinionSource.values)

    def best_rank(self) -> int:
        ranks = [s.line.result.rank for s in self.standings.values()]
        return min(ranks) if ranks else 10**6


def candidate_rows(
    cycle: Cycle, people: Sequence[Person], figures: dict[tuple[int, int], Standing]
) -> list[CandidateRow]:
    talks: dict[int, dict[int, int]] = {}
    for t in TalkRecommendation.objects.filter(cycle=cycle, count__gt=0):
        talks.setdefault(t.person_id, {})[t.cycle_list_id] = t.count
    opinions: dict[int, dict[str, Opinion]] = {}
    for o in Opinion.objects.filter(cycle=cycle).select_related("recorded_by"):
        opinions.setdefault(o.person_id, {})[o.source] = o
    by_person: dict[int, dict[int, Standing]] = {}
    for (list_id, person_id), standing in figures.items():
        by_person.setdefault(person_id, {})[list_id] = standing
    rows = [
        CandidateRow(p, by_person.get(p.pk, {}), talks.get(p.pk, {}), opinions.get(p.pk, {}))
        for p in people
    ]
    return sorted(rows, key=lambda r: (r.best_rank(), r.person.staff_number))


def rank_in(row: CandidateRow, cycle_list: CycleList) -> int:
    standing = row.standings.get(cycle_list.pk)
    return standing.line.result.rank if standing else 10**6


# --- 组织考察 ----------------------------------------------------------------------------


def talks_about(target: InspectionTarget) -> QuerySet[InspectionTalk]:
    """The individual talks about the target's person in its cycle, whichever of their
    targets they were recorded on: someone on both lists is talked about once, and what
    was said is about them on both (as the 考察材料 drafts it, ``drafting``)."""
    return InspectionTalk.objects.filter(
        target__cycle_id=target.cycle_id, target__person_id=target.person_id
    ).order_by("held_on", "pk")


def talk_counts(cycle: Cycle) -> dict[int, int]:
    """The number of talks about each person of the cycle (``talks_about``), by person id,
    in one query."""
    counts: dict[int, int] = {}
    for person_id in InspectionTalk.objects.filter(target__cycle=cycle).values_list(
        "target__person_id", flat=True
    ):
        counts[person_id] = counts.get(person_id, 0) + 1
    return counts


def active_targets(cycle: Cycle) -> QuerySet[InspectionTarget]:
    return (
        InspectionTarget.objects.active()
        .filter(cycle=cycle)
        .select_related("person", "cycle_list", "rating_round")
        .order_by("cycle_list__position", "pk")
    )


@dataclass(frozen=True)
class Check:
    label: str
    done: bool
    detail: str = ""


def checklist(
    target: InspectionTarget,
    *,
    talks: int,
    has_standing: bool | None,
    checks: dict[str, InspectionCheck] | None = None,
    confidential: bool = True,
) -> list[Check]:
    """What the inspection of ``target`` has covered, read from the records: the file,
    the recommendation, the opinions, the 考察预告, the talks, the 民主测评, the checks of
    凡提四必 (``inspection.checks_about``; one not recorded is not done), the report.
    ``confidential`` false (a reader outside the school): a check says it was recorded,
    not what it found."""
    recorded = checks_about(target) if checks is None else checks
    person = target.person
    missing = [
        str(label)
        for value, label in (
            (person.birth_date, _("出生日期")),
            (person.started_work_on, _("参加工作时间")),
            (person.joined_school_on, _("入校时间")),
            (person.education, _("学历")),
            (person.political_status, _("政治面貌")),
        )
        if not value
    ]
    if not PostHistory.objects.filter(person=person).exists():
        missing.append(str(_("任职经历")))
    sources = set(
        Opinion.objects.filter(cycle_id=target.cycle_id, person=person).values_list(
            "source", flat=True
        )
    )
    report = getattr(target, "report", None)
    latest = report.versions.order_by("-number").first() if report is not None else None
    rating = target.rating_round
    lines = [
        Check(
            _("档案审核（三龄两历一身份）"),
            not missing,
            _("缺：%(f)s") % {"f": "、".join(missing)} if missing else _("档案信息完整"),
        ),
    ]
    if has_standing is not None:
        lines.append(Check(_("民主推荐"), has_standing, "" if has_standing else _("未列入候选人")))
    lines += [
        Check(
            _("征求意见（领导班子、党支部）"),
            sources >= set(OpinionSource.values),
            "、".join(str(s.label) for s in OpinionSource if s in sources),
        ),
        Check(
            _("考察预告"),
            target.notice_published_on is not None,
            str(target.notice_published_on or ""),
        ),
        Check(_("个别谈话"), talks > 0, _("%(n)d次") % {"n": talks}),
        Check(
            _("民主测评"),
            rating is not None and rating.status == RoundStatus.RELEASED,
            rating.get_status_display() if rating is not None else _("尚未组织"),
        ),
        *(_check_line(kind, recorded.get(kind), confidential) for kind in CheckKind),
        Check(
            _("考察材料"),
            latest is not None and report is not None and report.signed_version_id == latest.pk,
            (
                _("第%(n)d稿%(s)s")
                % {
                    "n": latest.number,
                    "s": _("已签发")
                    if report and report.signed_version_id == latest.pk
                    else _("待签发"),
                }
                if latest is not None
                else _("尚无")
            ),
        ),
    ]
    return lines


def _check_line(kind: CheckKind, check: InspectionCheck | None, confidential: bool) -> Check:
    if check is None:
        return Check(str(kind.label), False, _("未记录"))
    if not confidential:
        return Check(str(kind.label), True, _("已记录"))
    detail = _("%(result)s（%(day)s，%(source)s）") % {
        "result": check.get_result_display(),
        "day": check.checked_on.isoformat(),
        "source": check.source or "—",
    }
    return Check(str(kind.label), True, detail)


# --- 完成: the reserve pool --------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    label: str
    value: str
    target: str
    ok: bool | None  # None: nothing to compare
    over: bool = False  # not ok because above the target's upper bound (超出, not 未达到)


@dataclass
class Structure:
    people: int
    entries: int
    by_level: list[tuple[str, int]]
    by_readiness: list[tuple[str, int]]
    measures: list[Measure]
    targets: Targets  # the school's own, or the reference numbers (``targets.own``)


def _number(value: Decimal) -> str:
    """1.0 → "1", 1.5 → "1.5"."""
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"


def _share(part: int, whole: int) -> Fraction:
    return Fraction(part, whole) if whole else Fraction(0)


def pool_structure(school: School, day: dt.date) -> Structure:
    """The structure of the school's pool valid on ``day``: entries per level and
    readiness, and, per person, the reserves per leadership post, the shares of women,
    of non-party members and inside the age band, against the school's targets
    (``pool_targets.targets_of``: its own, else the reference numbers)."""
    from .models import Level, Readiness

    entries = list(PoolEntry.objects.for_school(school).valid_on(day).select_related("person"))
    people = {e.person_id: e.person for e in entries}
    n = len(people)
    posts = (
        Post.objects.for_school(school)
        .active()
        .filter(category__in=[PostCategory.OFFICE, PostCategory.UNION, PostCategory.LEADERSHIP])
        .count()
    )
    women = sum(1 for p in people.values() if p.gender == Gender.FEMALE)
    party = {PoliticalStatus.PARTY, PoliticalStatus.PROBATIONARY}
    non_party = sum(1 for p in people.values() if p.political_status not in party)
    ref = targets_of(school)
    ages = [p.age_on(day) for p in people.values()]
    in_band = sum(1 for a in ages if a is not None and ref.age_low <= a <= ref.age_high)
    ratio = _share(n, posts)
    low, high = Fraction(ref.ratio_low), Fraction(ref.ratio_high)
    measures = [
        Measure(
            _("中层及以上岗位与后备干部之比"),
            f"{posts}:{n}" + (f"（1:{float(ratio):.1f}）" if posts else ""),
            _("1:%(a)s至1:%(b)s") % {"a": _number(ref.ratio_low), "b": _number(ref.ratio_high)},
            (low <= ratio <= high) if posts else None,
            over=bool(posts) and ratio > high,
        ),
        Measure(
            _("女性比例"),
            percent(_share(women, n)) if n else "—",
            _("不低于%(p)d%%") % {"p": ref.women_percent},
            _share(women, n) >= Fraction(ref.women_percent, 100) if n else None,
        ),
        Measure(
            _("非中共党员比例"),
            percent(_share(non_party, n)) if n else "—",
            _("不低于%(p)d%%") % {"p": ref.non_party_percent},
            _share(non_party, n) >= Fraction(ref.non_party_percent, 100) if n else None,
        ),
        Measure(
            _("%(a)d至%(b)d岁比例") % {"a": ref.age_low, "b": ref.age_high},
            percent(_share(in_band, n)) if n else "—",
            _("为主体（过半）"),
            _share(in_band, n) > Fraction(1, 2) if n else None,
        ),
    ]
    return Structure(
        people=n,
        entries=len(entries),
        by_level=[
            (str(level.label), sum(1 for e in entries if e.level == level)) for level in Level
        ],
        by_readiness=[
            (str(r.label), sum(1 for e in entries if e.readiness == r)) for r in Readiness
        ],
        measures=measures,
        targets=ref,
    )


# --- who a notice names for people to contact -------------------------------------------

# The stage whose responsible person each notice names (``documents._contact_line``).
CONTACT_STAGES: dict[str, Stage] = {
    "inspection-notice": Stage.INSPECTION,
    "public-notice": Stage.NOTICE,
}
PERSONNEL_OFFICE_POST = "personnel-office"  # 人事室, as ``organisation`` seeds it


@dataclass(frozen=True)
class Contact:
    """Whom a notice names for staff to contact. ``text`` is the document's ``contact``
    when the notice's stage has no responsible person (the personnel office's contact
    then), "" when the document names the responsible person itself or nobody is found;
    ``warning`` says what will be left blank on the notice, "" when nothing is."""

    text: str
    warning: str


def personnel_office_contact(school: School) -> Person | None:
    """Who answers for the personnel office (人事室): a current member of staff with a
    phone and a personnel office account, else one holding the 人事室 post."""
    people = Person.objects.for_school(school).current().exclude(phone="").order_by("staff_number")
    return (
        people.filter(user__role=Role.PERSONNEL).first()
        or people.filter(
            post_history__post__code=PERSONNEL_OFFICE_POST, post_history__end__isnull=True
        ).first()
    )


def notice_contact(cycle: Cycle, key: str) -> Contact:
    """The contact of the notice ``key`` (``CONTACT_STAGES``): the responsible person of
    its stage as the document names them, else the personnel office's; a warning when
    the notice would leave the name or the phone blank."""
    stage = CONTACT_STAGES[key]
    document = documents.DOCUMENTS[key].label
    record = (
        StageRecord.objects.filter(cycle=cycle, stage=stage)
        .select_related("responsible")
        .order_by("-attempt")
        .first()
    )
    person = record.responsible if record is not None else None
    if person is not None:
        if person.phone:
            return Contact("", "")
        return Contact(
            "",
            _("“%(stage)s”阶段的负责人%(name)s在档案中没有联系电话，%(doc)s上的联系电话将留空。")
            % {"stage": stage.label, "name": person.name, "doc": document},
        )
    office = personnel_office_contact(cycle.school)
    if office is not None:
        return Contact(_("%(name)s，%(phone)s") % {"name": office.name, "phone": office.phone}, "")
    return Contact(
        "",
        _(
            "尚未安排“%(stage)s”阶段的负责人，人事室也没有登记联系电话的人员：%(doc)s上的"
            "联系人和联系电话将留空。请在“%(stage)s”阶段页安排负责人。"
        )
        % {"stage": stage.label, "doc": document},
    )


def notice_preview_url(cycle: Cycle, start: dt.date) -> str:
    """The 公示 as it will read if it starts on ``start`` (the print view)."""
    query = urlencode({"key": "public-notice", "start": start.isoformat()})
    return f"{reverse('selection:document', args=[cycle.pk, 'html'])}?{query}"


# --- the notices up in a school -----------------------------------------------------------


@dataclass(frozen=True)
class Announcement:
    cycle: Cycle
    kind: str  # notice | inspection
    html: str  # the document's own text (``documents``), as the school posts it
    ended_on: dt.date | None = None  # a 公示 whose period is over, still open (objections)


def announcements(school: School) -> list[Announcement]:
    """The 公示 running in ``school`` and the 考察预告 of cycles choosing or inspecting
    their targets, in the words of their documents: what every member of staff may read."""
    out = []
    for cycle in Cycle.objects.for_school(school).filter(
        stage__in=[Stage.TARGETS, Stage.INSPECTION, Stage.NOTICE]
    ):
        try:
            with translation.override("zh-hans"):
                if cycle.stage == Stage.NOTICE:
                    running = PublicNotice.objects.filter(
                        cycle=cycle, closed_at__isnull=True
                    ).first()
                    if running is None:
                        continue
                    contact = notice_contact(cycle, "public-notice").text
                    html = documents.public_notice_html(cycle, contact=contact)
                    over = running.end < timezone.localdate()
                    out.append(Announcement(cycle, "notice", html, running.end if over else None))
                elif (
                    InspectionTarget.objects.active()
                    .filter(cycle=cycle, notice_published_on__isnull=False)
                    .exists()
                ):
                    contact = notice_contact(cycle, "inspection-notice").text
                    paper = documents.inspection_notice_paper(cycle, contact=contact)
                    out.append(Announcement(cycle, "inspection", documents.blocks_html(paper)))
        except DomainError:
            # Not far enough for its document (no one passed, no target left): nothing to post.
            continue
    return out


def visible_cycles(schools: Iterable[School] | QuerySet[School]) -> QuerySet[Cycle]:
    return Cycle.objects.filter(school__in=schools).select_related("school")
