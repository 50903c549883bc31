"""Selection cycles (选拔周期, SPEC module 4) and what each of their eight stages records.

A cycle moves through ``Stage`` one step at a time (``workflow.TRANSITIONS``); every stage
has one ``StageRecord`` per attempt (a reopened stage gets a new attempt, the old one is
kept). The stage data — recommendation rounds, talk recommendations, opinions, targets,
inspection reports, decision meetings, the public notice and its objections — are rows
of their own, written only by the services of this package, never deleted: what is
replaced is withdrawn or superseded, with the audit trail saying who and why.

The numbers of the regulations are settings of the cycle (quorum 2/3, 差额, 考察预告 3
days, 公示 5 working days, decision quorum 2/3, pass with more than half of the members
who should attend, second round when the top share is under 30 %, postponement of at
most 3 months, pool valid for two years), never constants in code."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from houbei.ballots.models import Election
from houbei.ballots.ratings.models import RatingRound
from houbei.eligibility.models import RuleSet, Snapshot
from houbei.organisation.models import School
from houbei.people.models import Person

# One cycle, as a field or a record names it; the plural (the list of cycles) is the
# plain 选拔周期, which English distinguishes.
A_CYCLE = pgettext_lazy("a cycle", "选拔周期")


class Stage(models.TextChoices):
    PREPARATION = "preparation", _("筹备")
    RECOMMENDATION = "recommendation", _("民主推荐")
    OPINIONS = "opinions", _("征求意见")
    TARGETS = "targets", _("确定考察对象")
    INSPECTION = "inspection", _("组织考察")
    DECISION = "decision", _("讨论决定")
    NOTICE = "notice", _("公示")
    DONE = "done", _("完成")


# The stages in their only order: a cycle never skips one.
STAGE_ORDER: tuple[Stage, ...] = tuple(Stage)


def stage_index(stage: str) -> int:
    return STAGE_ORDER.index(Stage(stage))


class Level(models.TextChoices):
    DISTRICT = "district", _("区级")
    SCHOOL = "school", _("校级")


class Readiness(models.TextChoices):
    NEAR = "near", _("近期可提拔")
    LONG = "long", _("中长期培养")


class CycleQuerySet(models.QuerySet["Cycle"]):
    def for_school(self, school: School) -> CycleQuerySet:
        return self.filter(school=school)

    def in_progress(self) -> CycleQuerySet:
        return self.exclude(stage=Stage.DONE)


class Cycle(models.Model):
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="selection_cycles", verbose_name=_("学校")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=120)
    reference_date = models.DateField(_("基准日"), help_text=_("选拔条件按此日计算"))
    rule_set = models.ForeignKey(
        RuleSet, on_delete=models.PROTECT, related_name="cycles", verbose_name=_("选拔条件")
    )
    # Frozen when the recommendation starts: who was eligible, with every explanation.
    eligibility_snapshot = models.ForeignKey(
        Snapshot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("资格审查结果快照"),
    )
    stage = models.CharField(
        _("当前阶段"), max_length=20, choices=Stage.choices, default=Stage.PREPARATION
    )
    # --- settings (defaults of the regulations and of common school practice) ----------
    quorum_numerator = models.PositiveSmallIntegerField(_("推荐参与率（分子）"), default=2)
    quorum_denominator = models.PositiveSmallIntegerField(_("推荐参与率（分母）"), default=3)
    competitive = models.BooleanField(
        _("差额考察"), default=True, help_text=_("考察对象人数多于名额")
    )
    inspection_notice_days = models.PositiveSmallIntegerField(_("考察预告提前天数"), default=3)
    notice_working_days = models.PositiveSmallIntegerField(_("公示期（工作日）"), default=5)
    decision_quorum_numerator = models.PositiveSmallIntegerField(
        _("讨论决定到会比例（分子）"), default=2
    )
    decision_quorum_denominator = models.PositiveSmallIntegerField(
        _("讨论决定到会比例（分母）"), default=3
    )
    pass_numerator = models.PositiveSmallIntegerField(_("通过比例（分子）"), default=1)
    pass_denominator = models.PositiveSmallIntegerField(
        _("通过比例（分母）"), default=2, help_text=_("同意票须超过应到会成员的这一比例")
    )
    second_round_percent = models.PositiveSmallIntegerField(
        _("再次推荐触发（最高得票率，%）"), default=30
    )
    postponement_months = models.PositiveSmallIntegerField(_("暂缓期限（月）"), default=3)
    pool_years = models.PositiveSmallIntegerField(_("后备干部库有效期（年）"), default=2)
    # 谈话调研推荐: how many people were talked to (the counts per person are rows).
    talk_interviewees = models.PositiveIntegerField(_("谈话调研推荐谈话人数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = CycleQuerySet.as_manager()

    class Meta:
        verbose_name = A_CYCLE
        verbose_name_plural = _("选拔周期")
        ordering = ["school", "-year", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["school", "title"], name="cycle_unique_title"),
            models.CheckConstraint(
                condition=models.Q(notice_working_days__gte=5), name="cycle_notice_min_5"
            ),
            models.CheckConstraint(
                condition=models.Q(quorum_denominator__gte=1)
                & models.Q(decision_quorum_denominator__gte=1)
                & models.Q(pass_denominator__gte=1),
                name="cycle_denominators",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def quorum(self) -> Fraction:
        return Fraction(self.quorum_numerator, self.quorum_denominator)

    @property
    def decision_quorum(self) -> Fraction:
        return Fraction(self.decision_quorum_numerator, self.decision_quorum_denominator)

    @property
    def pass_share(self) -> Fraction:
        return Fraction(self.pass_numerator, self.pass_denominator)

    @property
    def second_round_share(self) -> Fraction:
        return Fraction(self.second_round_percent, 100)


class CycleList(models.Model):
    """One list of the cycle with its places, e.g. 区级后备干部, 5 places. One person may
    be on both lists (the plan's 附1)."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="lists", verbose_name=A_CYCLE
    )
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    name = models.CharField(_("名称"), max_length=60)
    quota = models.PositiveSmallIntegerField(_("名额"))
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("后备干部名单")
        verbose_name_plural = _("后备干部名单")
        ordering = ["cycle", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "level"], name="cyclelist_unique_level"),
            models.CheckConstraint(condition=models.Q(quota__gte=1), name="cyclelist_quota"),
        ]

    def __str__(self) -> str:
        return self.name


class RollMemberQuerySet(models.QuerySet["RollMember"]):
    def active(self) -> RollMemberQuerySet:
        return self.filter(removed_at__isnull=True)


class RollMember(models.Model):
    """A person on the cycle's voter roll (参加民主推荐人员). Removed, never deleted."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="roll", verbose_name=A_CYCLE
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("教职工")
    )
    basis = models.CharField(
        _("列入依据"), max_length=200, blank=True, help_text=_("知情度、关联度、代表性")
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removed_reason = models.CharField(_("移出理由"), max_length=300, blank=True)

    objects = RollMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("推荐人")
        verbose_name_plural = _("推荐人名单")
        ordering = ["cycle", "person__staff_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "person"],
                condition=models.Q(removed_at__isnull=True),
                name="rollmember_once",
            ),
        ]

    def __str__(self) -> str:
        return str(self.person)


class StageRecord(models.Model):
    """One attempt at one stage: planned (deadline, responsible person), started, finished.
    The latest attempt of each stage is the live one; a reopening ends the current one
    (``interrupted``) and starts new attempts from the reopened stage on."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="stage_records", verbose_name=A_CYCLE
    )
    stage = models.CharField(_("阶段"), max_length=20, choices=Stage.choices)
    attempt = models.PositiveSmallIntegerField(_("第几次"), default=1)
    deadline = models.DateField(pgettext_lazy("deadline", "截止日期"), null=True, blank=True)
    responsible = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("负责人"),
    )
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    interrupted = models.BooleanField(_("因重新开启而中止"), default=False)

    class Meta:
        verbose_name = _("阶段记录")
        verbose_name_plural = _("阶段记录")
        ordering = ["cycle", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "stage", "attempt"], name="stagerecord_unique_attempt"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} #{self.attempt}"


class StageReopening(models.Model):
    """A finished stage opened again, from which stage, by whom and why."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="reopenings", verbose_name=A_CYCLE
    )
    stage = models.CharField(_("重新开启的阶段"), max_length=20, choices=Stage.choices)
    from_stage = models.CharField(_("开启时所处阶段"), max_length=20, choices=Stage.choices)
    reason = models.TextField(_("理由"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("重新开启记录")
        verbose_name_plural = _("重新开启记录")
        ordering = ["cycle", "pk"]

    def __str__(self) -> str:
        return f"{self.get_from_stage_display()} → {self.get_stage_display()}"


# --- 民主推荐 ---------------------------------------------------------------------------


class RoundOutcome(models.TextChoices):
    PENDING = "pending", _("未计票")
    VALID = "valid", _("有效")
    VOID = "void", _("无效（参与人数不足）")


class RecommendationRound(models.Model):
    """One 会议推荐 by secret ballot: an election of ``houbei.ballots``, and what the cycle
    concluded from its tally (quorum reached or not, votes scattered or not)."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="rounds", verbose_name=A_CYCLE
    )
    number = models.PositiveSmallIntegerField(_("轮次"))
    election = models.OneToOneField(
        Election, on_delete=models.PROTECT, related_name="selection_round", verbose_name=_("投票")
    )
    outcome = models.CharField(
        _("结果"), max_length=10, choices=RoundOutcome.choices, default=RoundOutcome.PENDING
    )
    participants = models.PositiveIntegerField(_("参加人数"), null=True, blank=True)
    electorate = models.PositiveIntegerField(_("应参加人数"), null=True, blank=True)
    scattered = models.BooleanField(_("票数分散"), default=False)
    # Per list name: the top candidate's share of valid ballots, as shown ("28.6%").
    top_shares = models.JSONField(_("最高得票率"), default=dict, blank=True)
    # Which list of the election is which list of the cycle: ballot list id (as text) →
    # cycle list id.
    list_map = models.JSONField(default=dict, blank=True)
    concluded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("推荐轮次")
        verbose_name_plural = _("推荐轮次")
        ordering = ["cycle", "number"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "number"], name="round_unique_number"),
        ]

    def __str__(self) -> str:
        return str(_("第%(n)d轮推荐") % {"n": self.number})


class TalkRecommendation(models.Model):
    """谈话调研推荐: how many of the people talked to named this person for this list."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="talk_counts", verbose_name=A_CYCLE
    )
    cycle_list = models.ForeignKey(
        CycleList, on_delete=models.PROTECT, related_name="talk_counts", verbose_name=_("名单")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("被推荐人")
    )
    count = models.PositiveIntegerField(_("推荐人次"))

    class Meta:
        verbose_name = _("谈话调研推荐")
        verbose_name_plural = _("谈话调研推荐")
        ordering = ["cycle_list", "-count", "person__staff_number"]
        constraints = [
            models.UniqueConstraint(fields=["cycle_list", "person"], name="talkcount_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.count}"


# --- 征求意见 ---------------------------------------------------------------------------


class OpinionSource(models.TextChoices):
    LEADERSHIP = "leadership", _("学校领导班子")
    BRANCH = "branch", _("党支部")


class OpinionStance(models.TextChoices):
    SUPPORT = "support", _("同意")
    RESERVED = "reserved", _("有保留意见")
    OPPOSE = "oppose", _("不同意")


class Opinion(models.Model):
    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="opinions", verbose_name=A_CYCLE
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("人选")
    )
    source = models.CharField(_("征求对象"), max_length=12, choices=OpinionSource.choices)
    stance = models.CharField(_("意见"), max_length=10, choices=OpinionStance.choices)
    text = models.TextField(_("具体意见"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("征求意见")
        verbose_name_plural = _("征求意见")
        ordering = ["cycle", "person__staff_number", "source"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "person", "source"], name="opinion_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_source_display()}: {self.get_stance_display()}"


# --- 确定考察对象 -------------------------------------------------------------------------


class TargetSelection(models.Model):
    """The decision body's choice of inspection targets, with the 差额 warnings it was
    shown and, if there were any, its acknowledgement and reason."""

    cycle = models.ForeignKey(
        Cycle,
        on_delete=models.PROTECT,
        related_name="target_selections",
        verbose_name=A_CYCLE,
    )
    decided_on = models.DateField(_("确定日期"))
    warnings = models.JSONField(pgettext_lazy("warnings", "提示"), default=list, blank=True)
    acknowledgement = models.TextField(_("确认说明"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("确定考察对象")
        verbose_name_plural = _("确定考察对象")
        ordering = ["cycle", "pk"]

    def __str__(self) -> str:
        return f"{self.cycle} {self.decided_on}"


class TargetQuerySet(models.QuerySet["InspectionTarget"]):
    def active(self) -> TargetQuerySet:
        return self.filter(withdrawn_at__isnull=True)


class InspectionTarget(models.Model):
    """A 考察对象 on one list. ``votes_note`` is the recommendation figures the decision
    body had beside the name when it chose (frozen then); ``notice_published_on`` the day
    the 考察预告 went up."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="targets", verbose_name=A_CYCLE
    )
    cycle_list = models.ForeignKey(
        CycleList, on_delete=models.PROTECT, related_name="targets", verbose_name=_("名单")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("考察对象")
    )
    selection = models.ForeignKey(TargetSelection, on_delete=models.PROTECT, related_name="targets")
    votes_note = models.TextField(_("推荐情况"), blank=True)
    notice_published_on = models.DateField(_("考察预告发布日期"), null=True, blank=True)
    readiness = models.CharField(
        _("成熟程度"), max_length=6, choices=Readiness.choices, default=Readiness.LONG
    )
    # 民主测评 of the target; one person on both lists is appraised once, so their two
    # targets share the round.
    rating_round = models.ForeignKey(
        RatingRound,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="selection_targets",
        verbose_name=_("民主测评"),
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.CharField(_("撤销理由"), max_length=300, blank=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("考察对象")
        verbose_name_plural = _("考察对象")
        ordering = ["cycle", "cycle_list__position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle_list", "person"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="target_once_per_list",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}（{self.cycle_list}）"


# --- 组织考察 ---------------------------------------------------------------------------


class InspectionTalk(models.Model):
    """个别谈话: who was talked to about the target, when, by whom, and the summary.
    Confidential: shown to the inspection team and the decision body only."""

    target = models.ForeignKey(
        InspectionTarget, on_delete=models.PROTECT, related_name="talks", verbose_name=_("考察对象")
    )
    interviewee = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    interviewee_name = models.CharField(_("谈话对象"), max_length=50)
    held_on = models.DateField(_("谈话日期"))
    interviewer = models.CharField(_("谈话人"), max_length=100)
    summary = models.TextField(_("谈话要点"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("个别谈话")
        verbose_name_plural = _("个别谈话")
        ordering = ["target", "held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.target} · {self.interviewee_name}"


class InspectionReport(models.Model):
    """The written 考察材料 of one target: its versions, and the one signed off."""

    target = models.OneToOneField(
        InspectionTarget,
        on_delete=models.PROTECT,
        related_name="report",
        verbose_name=_("考察对象"),
    )
    signed_version = models.ForeignKey(
        "ReportVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("考察材料")
        verbose_name_plural = _("考察材料")

    def __str__(self) -> str:
        return str(self.target)


class ReportVersion(models.Model):
    report = models.ForeignKey(InspectionReport, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("版本"))
    text = models.TextField(_("正文"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    written_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("考察材料版本")
        verbose_name_plural = _("考察材料版本")
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="reportversion_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.report} v{self.number}"


class CheckKind(models.TextChoices):
    """The checks of 凡提四必 a school records per inspection target, beside the 档案审核
    the checklist reads from the registry: 个人有关事项报告 (where the person must report),
    the 纪检监察 body's 廉洁意见回复, and 信访举报 (线索具体的必查)."""

    PERSONAL_MATTERS = "personal_matters", _("个人有关事项报告核查")
    DISCIPLINE = "discipline", _("纪检监察部门意见")
    PETITIONS = "petitions", _("信访举报核查")


# The kinds a result of 不适用 is allowed for: only those who must report personal
# matters are checked against their reports; every target gets a 廉洁意见 and a
# 信访举报 check.
CHECKS_NOT_APPLICABLE: frozenset[str] = frozenset({CheckKind.PERSONAL_MATTERS})


class CheckResult(models.TextChoices):
    CLEAR = "clear", _("无问题")
    PROBLEM = "problem", _("有问题")
    NOT_APPLICABLE = "not_applicable", _("不适用")


class InspectionCheck(models.Model):
    """One recorded result of a check (``CheckKind``) about a target's person: what it
    found, on which day, from which document or body. A check is recorded again to
    amend it, with the reason; the earlier rows stay, the latest is the one that counts
    (``inspection.checks_about``). Recorded on one target, it is about the person, so it
    counts for their target on the other list too, as talks do."""

    target = models.ForeignKey(
        InspectionTarget,
        on_delete=models.PROTECT,
        related_name="checks",
        verbose_name=_("考察对象"),
    )
    kind = models.CharField(_("核查事项"), max_length=20, choices=CheckKind.choices)
    result = models.CharField(_("核查结果"), max_length=16, choices=CheckResult.choices)
    explanation = models.TextField(_("问题说明"), blank=True)
    checked_on = models.DateField(_("核查日期"))
    source = models.CharField(_("依据（文件或部门）"), max_length=200)
    note = models.TextField(_("备注"), blank=True)
    reason = models.CharField(_("修改理由"), max_length=1000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("考察核查")
        verbose_name_plural = _("考察核查")
        ordering = ["target", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(result="problem") | ~models.Q(explanation=""),
                name="inspectioncheck_problem_explained",
            ),
            models.CheckConstraint(
                condition=~models.Q(result="not_applicable") | models.Q(kind="personal_matters"),
                name="inspectioncheck_not_applicable_kinds",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target} · {self.get_kind_display()}: {self.get_result_display()}"


# --- 讨论决定 ---------------------------------------------------------------------------


class DecisionMeeting(models.Model):
    """A collective decision meeting (校务会、支委会) that reached its quorum."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="meetings", verbose_name=A_CYCLE
    )
    held_on = models.DateField(_("会议日期"))
    expected = models.PositiveSmallIntegerField(_("应到会成员"))
    present = models.PositiveSmallIntegerField(_("实到会成员"))
    note = models.TextField(_("备注"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("讨论决定会议")
        verbose_name_plural = _("讨论决定会议")
        ordering = ["cycle", "held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.cycle} {self.held_on}"


class MeetingMember(models.Model):
    meeting = models.ForeignKey(DecisionMeeting, on_delete=models.PROTECT, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(_("到会"))
    main_leader = models.BooleanField(_("主要负责人"), default=False)

    class Meta:
        verbose_name = _("会议成员")
        verbose_name_plural = _("会议成员")
        ordering = ["meeting", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="meetingmember_once"),
        ]

    def __str__(self) -> str:
        return str(self.person)


class Choice(models.TextChoices):
    AGREE = "agree", _("同意")
    DISAGREE = "disagree", _("不同意")
    DEFER = "defer", _("缓议")


class DecisionVote(models.Model):
    """One member's statement on one target, in speaking order (the main leader last)."""

    meeting = models.ForeignKey(DecisionMeeting, on_delete=models.PROTECT, related_name="votes")
    target = models.ForeignKey(InspectionTarget, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(MeetingMember, on_delete=models.PROTECT, related_name="votes")
    choice = models.CharField(_("表态"), max_length=10, choices=Choice.choices)
    order = models.PositiveSmallIntegerField(_("发言顺序"))

    class Meta:
        verbose_name = _("表态")
        verbose_name_plural = _("表态")
        ordering = ["meeting", "target", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "target", "member"], name="decisionvote_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_choice_display()}"


class Outcome(models.TextChoices):
    PASSED = "passed", _("通过")
    REJECTED = "rejected", _("未通过")
    POSTPONED = "postponed", _("缓议")


class Decision(models.Model):
    """What a meeting decided on one target, with the counts it was decided by."""

    meeting = models.ForeignKey(DecisionMeeting, on_delete=models.PROTECT, related_name="decisions")
    target = models.ForeignKey(InspectionTarget, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices)
    agree = models.PositiveSmallIntegerField(_("同意"))
    disagree = models.PositiveSmallIntegerField(_("不同意"))
    defer = models.PositiveSmallIntegerField(_("缓议"))

    class Meta:
        verbose_name = _("决定")
        verbose_name_plural = _("决定")
        ordering = ["meeting", "target"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "target"], name="decision_once"),
        ]

    def __str__(self) -> str:
        return f"{self.target}: {self.get_outcome_display()}"


# --- 公示 -------------------------------------------------------------------------------


class PublicNotice(models.Model):
    """The 公示 of the decided names: its first day, its length in working days and the
    last day computed from the working-day calendar (``warnings`` when a year's holidays
    were not entered and the weekend rule stood in)."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="notices", verbose_name=A_CYCLE
    )
    start = models.DateField(_("公示开始"))
    working_days = models.PositiveSmallIntegerField(_("公示期（工作日）"))
    end = models.DateField(_("公示结束"))
    warnings = models.JSONField(pgettext_lazy("warnings", "提示"), default=list, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(_("结束公示时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["cycle", "pk"]

    def __str__(self) -> str:
        return f"{self.start}–{self.end}"


class ObjectionOutcome(models.TextChoices):
    """The four outcomes of 中组发〔2000〕18号."""

    NO_PROBLEM = "none", _("反映问题不存在或不影响使用，继续")
    MINOR = "minor", _("问题轻微，继续并进行提醒谈话")
    SERIOUS = "serious", _("问题严重，不予列入")
    UNVERIFIED = "unverified", _("问题严重但一时难以查实，暂缓")


class PostponementResult(models.TextChoices):
    CLEARED = "cleared", _("查清无问题，列入")
    REMOVED = "removed", _("查实有问题，不予列入")


class Objection(models.Model):
    """An objection (异议) raised during the notice about one of its names."""

    notice = models.ForeignKey(
        PublicNotice, on_delete=models.PROTECT, related_name="objections", verbose_name=_("公示")
    )
    target = models.ForeignKey(
        InspectionTarget,
        on_delete=models.PROTECT,
        related_name="objections",
        verbose_name=_("被反映人"),
    )
    signed = models.BooleanField(_("署名"))
    reporter_name = models.CharField(_("反映人"), max_length=50, blank=True)
    reporter_contact = models.CharField(_("联系方式"), max_length=100, blank=True)
    received_on = models.DateField(_("收到日期"))
    content = models.TextField(_("反映内容"))
    evidence = models.TextField(_("证据材料"), blank=True)
    investigation = models.TextField(_("调查核实情况"), blank=True)
    outcome = models.CharField(
        _("处理结果"), max_length=12, choices=ObjectionOutcome.choices, blank=True
    )
    reminder_talk_on = models.DateField(_("提醒谈话日期"), null=True, blank=True)
    answer = models.TextField(_("向反映人反馈"), blank=True)
    answered_on = models.DateField(_("反馈日期"), null=True, blank=True)
    postponed_until = models.DateField(_("暂缓至"), null=True, blank=True)
    postponement_result = models.CharField(
        _("暂缓结论"), max_length=10, choices=PostponementResult.choices, blank=True
    )
    postponement_resolved_on = models.DateField(_("暂缓了结日期"), null=True, blank=True)
    postponement_reason = models.TextField(_("暂缓结论依据"), blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    registered_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["notice", "received_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(signed=False) | ~models.Q(reporter_name=""),
                name="objection_signed_has_name",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target} {self.received_on}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


# --- 完成: the reserve pool -------------------------------------------------------------


class PoolEntryQuerySet(models.QuerySet["PoolEntry"]):
    def for_school(self, school: School) -> PoolEntryQuerySet:
        return self.filter(school=school)

    def valid_on(self, day: object) -> PoolEntryQuerySet:
        return self.filter(decided_on__lte=day, valid_until__gte=day)


class PoolEntry(models.Model):
    """A reserve cadre (后备干部) of one level from one cycle, valid for two years from
    the decision. One person on both lists has two entries."""

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="pool_entries", verbose_name=_("学校")
    )
    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="pool_entries", verbose_name=A_CYCLE
    )
    target = models.OneToOneField(
        InspectionTarget, on_delete=models.PROTECT, related_name="pool_entry"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="reserve_entries", verbose_name=_("后备干部")
    )
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    readiness = models.CharField(_("成熟程度"), max_length=6, choices=Readiness.choices)
    decided_on = models.DateField(_("决定日期"))
    valid_until = models.DateField(_("有效期至"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PoolEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("后备干部库")
        verbose_name_plural = _("后备干部库")
        ordering = ["school", "level", "person__staff_number"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "person", "level"], name="poolentry_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person}（{self.get_level_display()}）"


class PoolTargets(models.Model):
    """The school's own targets for the structure of its reserve pool (后备干部队伍结构):
    reserves per leadership post (from ``ratio_low`` to ``ratio_high`` per post), the
    lowest shares of women and of non-party members, and the age band most of the pool
    should be in. One row per school, set by the personnel office with a reason (audit
    ``selection.pool_targets.set``, before and after); a school without one is watched
    against the reference numbers (``pool_targets.REFERENCE``)."""

    school = models.OneToOneField(
        School, on_delete=models.PROTECT, related_name="pool_targets", verbose_name=_("学校")
    )
    ratio_low = models.DecimalField(
        _("每个岗位后备干部数（下限）"), max_digits=3, decimal_places=1, default=Decimal(1)
    )
    ratio_high = models.DecimalField(
        _("每个岗位后备干部数（上限）"), max_digits=3, decimal_places=1, default=Decimal(2)
    )
    women_percent = models.PositiveSmallIntegerField(_("女性比例不低于（%）"), default=25)
    non_party_percent = models.PositiveSmallIntegerField(_("非中共党员比例不低于（%）"), default=10)
    age_low = models.PositiveSmallIntegerField(_("年龄段（起，周岁）"), default=28)
    age_high = models.PositiveSmallIntegerField(_("年龄段（止，周岁）"), default=45)
    reason = models.CharField(_("设置理由"), max_length=1000)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("后备干部队伍结构目标")
        verbose_name_plural = _("后备干部队伍结构目标")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ratio_low__gt=0, ratio_low__lte=models.F("ratio_high")),
                name="pooltargets_ratio_band",
            ),
            models.CheckConstraint(
                condition=models.Q(women_percent__lte=100, non_party_percent__lte=100),
                name="pooltargets_percentages",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    age_low__gte=18, age_high__lte=65, age_low__lt=models.F("age_high")
                ),
                name="pooltargets_age_band",
            ),
        ]

    def __str__(self) -> str:
        return str(self.school)
