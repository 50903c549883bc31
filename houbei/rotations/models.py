"""The rotation domain (SPEC module 6; the plan's 五, 六.2, 七 and 附2): rounds of two-way
selection (双向选择), the reserve cadres' intention forms (意向表) and the posts' answers, the
matching's proposal with every person's explanation, and the rotation assignments
(轮岗锻炼) with their mentors (带教领导、师傅), mentor notes and hard tasks (急、难、险、重).

The matching itself is pure (``matching.py``); ``instance.py`` builds its input from these
tables and ``proposal.py`` stores its output. Nothing here is deleted once it matters:
intentions are withdrawn, runs discarded, waivers revoked, mentors removed and assignments
ended early, each with who, when and why."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.translation import gettext_lazy as _

from houbei.organisation.models import Post, RotationLength, School, Term
from houbei.people.models import Person

# --- Rounds -----------------------------------------------------------------------------


class RoundScope(models.TextChoices):
    """A round is held for one term or for a whole school year (starting in its 第一学期)."""

    TERM = "term", _("学期轮次")
    YEAR = "year", _("学年轮次")


class RoundStatus(models.TextChoices):
    OPEN = "open", _("填报意向")
    CLOSED = "closed", _("意向已截止")
    MATCHED = "matched", _("已生成匹配方案")
    ADJUSTED = "adjusted", _("方案已调整")
    CONFIRMED = "confirmed", _("已确认")


# Which status may follow which. CLOSED → OPEN reopens the forms (with a reason); MATCHED
# or ADJUSTED → CLOSED discards the proposal (with a reason) so the posts can re-rank.
ROUND_TRANSITIONS: dict[str, tuple[str, ...]] = {
    RoundStatus.OPEN: (RoundStatus.CLOSED,),
    RoundStatus.CLOSED: (RoundStatus.OPEN, RoundStatus.MATCHED),
    RoundStatus.MATCHED: (RoundStatus.ADJUSTED, RoundStatus.CONFIRMED, RoundStatus.CLOSED),
    RoundStatus.ADJUSTED: (RoundStatus.CONFIRMED, RoundStatus.CLOSED),
    RoundStatus.CONFIRMED: (),
}

# The default of "每位带教人员每学期可带人数" where no round says otherwise.
DEFAULT_MENTOR_CAPACITY = 2
# "具有在下一级岗位工作一年以上的经历": the default of a round's months at the level below.
DEFAULT_MONTHS_BELOW = 12


class RoundQuerySet(models.QuerySet["Round"]):
    def for_school(self, school: School) -> RoundQuerySet:
        return self.filter(school=school)

    def unconfirmed(self) -> RoundQuerySet:
        return self.exclude(status=RoundStatus.CONFIRMED)


class Round(models.Model):
    """One two-way selection: reserve cadres fill the 意向表 while it is open, the posts
    rank them, the matching proposes, the administrator adjusts and confirms."""

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="rotation_rounds", verbose_name=_("学校")
    )
    title = models.CharField(_("名称"), max_length=120)
    scope = models.CharField(
        _("范围"), max_length=8, choices=RoundScope.choices, default=RoundScope.TERM
    )
    start_term = models.ForeignKey(
        Term, on_delete=models.PROTECT, related_name="+", verbose_name=_("开始学期")
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    intentions_due = models.DateField(_("意向填报截止日期"), null=True, blank=True)
    min_months_below = models.PositiveSmallIntegerField(
        _("下一级岗位经历（月）"),
        default=DEFAULT_MONTHS_BELOW,
        help_text=_("轮岗到某一层级的岗位，须在下一层级岗位累计工作满的月数"),
    )
    default_mentor_capacity = models.PositiveSmallIntegerField(
        _("每位带教人员每学期可带人数"), default=DEFAULT_MENTOR_CAPACITY
    )
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(_("截止时间"), null=True, blank=True)
    matched_at = models.DateTimeField(_("匹配时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("双向选择轮次")
        verbose_name_plural = _("双向选择轮次")
        ordering = ["school", "-start_term__start", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["school", "title"], name="rotation_round_unique_title")
        ]

    def __str__(self) -> str:
        return self.title

    def can_become(self, status: str) -> bool:
        return status in ROUND_TRANSITIONS[self.status]

    @property
    def start_date(self) -> dt.date:
        return self.start_term.start


class RoundPost(models.Model):
    """A rotation post offered in a round: its seats this term, its mentors, the level
    rule's exemption (个别岗位酌情处理, with the reason) and the post side's answer mode —
    with ``accept_others`` everyone who listed the post and is neither ranked nor declined
    is acceptable, below the ranked."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="posts", verbose_name=_("轮次")
    )
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="rotation_offers", verbose_name=_("岗位")
    )
    capacity = models.PositiveSmallIntegerField(_("名额"))
    mentors = models.ManyToManyField(
        Person, blank=True, related_name="rotation_post_offers", verbose_name=_("带教人员")
    )
    level_exempt = models.BooleanField(_("免除下一级岗位经历要求"), default=False)
    exempt_reason = models.CharField(_("免除理由"), max_length=300, blank=True)
    accept_others = models.BooleanField(_("接受未排序的填报人"), default=True)
    ranked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ranked_by_person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("排序人"),
    )
    ranked_at = models.DateTimeField(_("排序时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("本轮岗位")
        verbose_name_plural = _("本轮岗位")
        ordering = ["round", "post__sort_order", "post__ladder_level", "post__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "post"], name="rotation_roundpost_unique")
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.post}"


class RoundMentor(models.Model):
    """How many mentees a mentor takes in the round's term (each term of a year round)."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="mentor_limits", verbose_name=_("轮次")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("带教人员")
    )
    capacity = models.PositiveSmallIntegerField(_("每学期可带人数"))

    class Meta:
        verbose_name = _("带教人员名额")
        verbose_name_plural = _("带教人员名额")
        ordering = ["round", "person__staff_number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="rotation_mentorlimit_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person}：{self.capacity}"


class LevelWaiverQuerySet(models.QuerySet["LevelWaiver"]):
    def active(self) -> LevelWaiverQuerySet:
        return self.filter(revoked_at__isnull=True)


class LevelWaiver(models.Model):
    """One person may rotate at one post of the round without the time at the level below
    (the per-person side of 个别岗位酌情处理), with the written reason."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="waivers", verbose_name=_("轮次")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("轮岗人")
    )
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="+", verbose_name=_("岗位")
    )
    reason = models.CharField(_("理由"), max_length=300)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.CharField(_("撤销理由"), max_length=300, blank=True)

    objects = LevelWaiverQuerySet.as_manager()

    class Meta:
        verbose_name = _("逐人免除层级要求")
        verbose_name_plural = _("逐人免除层级要求")
        ordering = ["round", "person", "post"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "person", "post"],
                condition=models.Q(revoked_at__isnull=True),
                name="rotation_waiver_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.post}"


# --- The intention form (附2) and the post side ------------------------------------------


class IntentionQuerySet(models.QuerySet["Intention"]):
    def live(self) -> IntentionQuerySet:
        return self.filter(withdrawn_at__isnull=True)


class Intention(models.Model):
    """A reserve cadre's 双向选择意向表 for one round; its rows are ``IntentionChoice``."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="intentions", verbose_name=_("轮次")
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="rotation_intentions",
        verbose_name=_("轮岗人"),
    )
    remarks = models.TextField(_("备注"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("填报时间"))
    updated_at = models.DateTimeField(auto_now=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdraw_reason = models.CharField(_("撤回理由"), max_length=300, blank=True)

    objects = IntentionQuerySet.as_manager()

    class Meta:
        verbose_name = _("双向选择意向表")
        verbose_name_plural = _("双向选择意向表")
        ordering = ["round", "person__staff_number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="rotation_intention_unique")
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.person}"


class IntentionChoice(models.Model):
    """One row of the 意向表: a post with its rank (1 = first; equal ranks are one group),
    the preferred mentor, the wanted length and the row's remark."""

    intention = models.ForeignKey(
        Intention, on_delete=models.CASCADE, related_name="choices", verbose_name=_("意向表")
    )
    rank = models.PositiveSmallIntegerField(_("志愿顺序"))
    round_post = models.ForeignKey(
        RoundPost, on_delete=models.CASCADE, related_name="choices", verbose_name=_("岗位")
    )
    mentor = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("希望的带教人员"),
    )
    length = models.CharField(_("希望时长"), max_length=8, choices=RotationLength.choices)
    remarks = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("意向")
        verbose_name_plural = _("意向")
        ordering = ["intention", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["intention", "round_post"], name="rotation_choice_once"
            ),
            models.CheckConstraint(condition=models.Q(rank__gte=1), name="rotation_choice_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.intention} · {self.rank} {self.round_post.post}"


class PostPreference(models.Model):
    """The post side's answer about one candidate: a tier (1 = best; equal tiers are ties;
    an "accept" is tier 1) or declined."""

    round_post = models.ForeignKey(
        RoundPost, on_delete=models.CASCADE, related_name="preferences", verbose_name=_("岗位")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("轮岗人")
    )
    tier = models.PositiveSmallIntegerField(_("排序"), null=True, blank=True)
    declined = models.BooleanField(_("不接受"), default=False)

    class Meta:
        verbose_name = _("岗位方意见")
        verbose_name_plural = _("岗位方意见")
        ordering = ["round_post", "declined", "tier", "person__staff_number"]
        constraints = [
            models.UniqueConstraint(fields=["round_post", "person"], name="rotation_pref_once"),
            models.CheckConstraint(
                condition=(models.Q(tier__isnull=False, tier__gte=1, declined=False))
                | models.Q(tier__isnull=True, declined=True),
                name="rotation_pref_tier_or_declined",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round_post} · {self.person}"


# --- The proposal ------------------------------------------------------------------------


class MatchingRun(models.Model):
    """One run of the matching over a closed round: the plain-data instance it was given
    (as JSON, so the proposal can be re-checked exactly as it was computed) and its
    placements. A discarded run is kept with who discarded it and why."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="runs", verbose_name=_("轮次")
    )
    as_of = models.DateField(_("计算基准日"))
    instance = models.JSONField(_("匹配数据"))
    proposals = models.PositiveIntegerField(_("申请次数"), default=0)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    run_at = models.DateTimeField(auto_now_add=True)
    discarded_at = models.DateTimeField(null=True, blank=True)
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    discard_reason = models.TextField(_("作废理由"), blank=True)

    class Meta:
        verbose_name = _("匹配方案")
        verbose_name_plural = _("匹配方案")
        ordering = ["round", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round"],
                condition=models.Q(discarded_at__isnull=True),
                name="rotation_run_one_live",
            )
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.run_at:%Y-%m-%d %H:%M}"


class Placement(models.Model):
    """One person's line of a proposal: the post and mentor (none: unplaced), what the
    matching proposed, its explanation in words, and the administrator's move if any.
    ``excluded`` people were not given to the matching (the explanation says why)."""

    run = models.ForeignKey(
        MatchingRun, on_delete=models.CASCADE, related_name="placements", verbose_name=_("方案")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("轮岗人")
    )
    position = models.PositiveIntegerField(_("顺序"))
    round_post = models.ForeignKey(
        RoundPost,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="placements",
        verbose_name=_("岗位"),
    )
    mentor = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("带教人员"),
    )
    length = models.CharField(_("时长"), max_length=8, choices=RotationLength.choices, blank=True)
    choice = models.PositiveSmallIntegerField(_("第几志愿"), null=True, blank=True)
    proposed_post = models.ForeignKey(
        RoundPost, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_mentor = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    explanation = models.JSONField(_("说明"), default=list)
    excluded = models.BooleanField(_("未参加匹配"), default=False)
    moved_at = models.DateTimeField(_("调整时间"), null=True, blank=True)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    move_reason = models.TextField(_("调整理由"), blank=True)
    move_warnings = models.JSONField(_("调整时的提示"), default=list, blank=True)

    class Meta:
        verbose_name = _("匹配结果")
        verbose_name_plural = _("匹配结果")
        ordering = ["run", "position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "person"], name="rotation_placement_once")
        ]

    def __str__(self) -> str:
        post = self.round_post.post if self.round_post else _("未安排")
        return f"{self.person} → {post}"

    @property
    def moved(self) -> bool:
        return self.moved_at is not None


# --- Assignments -------------------------------------------------------------------------


class AssignmentStatus(models.TextChoices):
    PLANNED = "planned", _("已安排")
    ACTIVE = "active", _("轮岗中")
    COMPLETED = "completed", _("已完成")
    ENDED = "ended", _("提前终止")


ASSIGNMENT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    AssignmentStatus.PLANNED: (AssignmentStatus.ACTIVE, AssignmentStatus.ENDED),
    AssignmentStatus.ACTIVE: (AssignmentStatus.COMPLETED, AssignmentStatus.ENDED),
    AssignmentStatus.COMPLETED: (),
    AssignmentStatus.ENDED: (),
}

LIVE_STATUSES = (AssignmentStatus.PLANNED, AssignmentStatus.ACTIVE)


class MentorRole(models.TextChoices):
    LEADER = "leader", _("带教领导")
    MASTER = "master", _("师傅")


# The day a rotation ends or ended: the actual end once it has one, else the planned end.
_LAST_DAY = Coalesce("ended_on", "end_date")


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    def for_school(self, school: School) -> AssignmentQuerySet:
        return self.filter(school=school)

    def live(self) -> AssignmentQuerySet:
        return self.filter(status__in=LIVE_STATUSES)

    def with_days(self) -> AssignmentQuerySet:
        """Leave out rotations stopped before they began: they had no days."""
        return self.filter(GreaterThanOrEqual(_LAST_DAY, models.F("start_date")))

    def overlapping(self, start: dt.date, end: dt.date) -> AssignmentQuerySet:
        """Rotations with a day in [start, end] (the actual end once there is one, else the
        planned end from the calendar)."""
        return (
            self.with_days()
            .filter(start_date__lte=end)
            .filter(GreaterThanOrEqual(_LAST_DAY, start))
        )

    def mentored_by(self, person: Person) -> AssignmentQuerySet:
        """Rotations the person mentors now (mentors removed from one are not counted)."""
        return self.filter(
            models.Exists(
                AssignmentMentor.objects.active().filter(
                    assignment=models.OuterRef("pk"), person=person
                )
            )
        )


class Assignment(models.Model):
    """A rotation (轮岗锻炼): who, where, with which mentors, from which term for how long
    (the end date from the school calendar), the goals (缺什么补什么) and how it went."""

    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        related_name="rotation_assignments",
        verbose_name=_("学校"),
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="rotation_assignments",
        verbose_name=_("轮岗人"),
    )
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="rotation_assignments", verbose_name=_("岗位")
    )
    round = models.ForeignKey(
        Round,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("轮次"),
    )
    placement = models.OneToOneField(
        Placement, on_delete=models.PROTECT, null=True, blank=True, related_name="assignment"
    )
    start_term = models.ForeignKey(
        Term, on_delete=models.PROTECT, related_name="+", verbose_name=_("开始学期")
    )
    end_term = models.ForeignKey(
        Term, on_delete=models.PROTECT, related_name="+", verbose_name=_("结束学期")
    )
    length = models.CharField(_("时长"), max_length=8, choices=RotationLength.choices)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    goals = models.TextField(_("锻炼目标"), blank=True, help_text=_("缺什么补什么"))
    status = models.CharField(
        _("状态"), max_length=10, choices=AssignmentStatus.choices, default=AssignmentStatus.PLANNED
    )
    started_on = models.DateField(_("实际开始日期"), null=True, blank=True)
    ended_on = models.DateField(_("实际结束日期"), null=True, blank=True)
    end_reason = models.TextField(_("终止理由"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("轮岗安排")
        verbose_name_plural = _("轮岗安排")
        ordering = ["school", "start_date", "person__staff_number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="rotation_assignment_order",
            )
        ]
        indexes = [models.Index(fields=["person", "start_date"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.post}（{self.start_term}起{self.get_length_display()}）"

    def can_become(self, status: str) -> bool:
        return status in ASSIGNMENT_TRANSITIONS[self.status]

    @property
    def last_day(self) -> dt.date:
        return self.ended_on if self.ended_on is not None else self.end_date


class AssignmentMentorQuerySet(models.QuerySet["AssignmentMentor"]):
    def active(self) -> AssignmentMentorQuerySet:
        return self.filter(removed_at__isnull=True)


class AssignmentMentor(models.Model):
    """A mentor of a rotation; a mentor taken off is kept with who, when and why."""

    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.CASCADE,
        related_name="mentor_links",
        verbose_name=_("轮岗安排"),
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="rotation_mentorships",
        verbose_name=_("带教人员"),
    )
    role = models.CharField(_("身份"), max_length=8, choices=MentorRole.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    remove_reason = models.CharField(_("撤换理由"), max_length=300, blank=True)

    objects = AssignmentMentorQuerySet.as_manager()

    class Meta:
        verbose_name = _("带教人员")
        verbose_name_plural = _("带教人员")
        ordering = ["assignment", "added_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "person"],
                condition=models.Q(removed_at__isnull=True),
                name="rotation_mentor_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}：{self.person}"


class MentorNote(models.Model):
    """A dated entry of the mentor's log (带教记录) about the rotation."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="notes", verbose_name=_("轮岗安排")
    )
    author = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("带教人员")
    )
    written_on = models.DateField(_("日期"))
    text = models.TextField(_("内容"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("带教记录")
        verbose_name_plural = _("带教记录")
        ordering = ["assignment", "written_on", "pk"]

    def __str__(self) -> str:
        return f"{self.written_on} {self.author}"


class TaskKind(models.TextChoices):
    """The plan's "急、难、险、重" work: a task may be several at once."""

    URGENT = "urgent", _("急")
    DIFFICULT = "difficult", _("难")
    RISKY = "risky", _("险")
    HEAVY = "heavy", _("重")


class TaskDifficulty(models.IntegerChoices):
    ORDINARY = 1, _("一般")
    HARD = 2, _("较难")
    VERY_HARD = 3, _("很难")


class HardTask(models.Model):
    """A 急、难、险、重 task given during the rotation, its outcome, and the mentor's
    confirmation (after which it is no longer edited)."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="hard_tasks", verbose_name=_("轮岗安排")
    )
    title = models.CharField(_("任务"), max_length=200)
    kinds = models.JSONField(_("类型"), default=list)
    given_on = models.DateField(_("布置日期"))
    difficulty = models.PositiveSmallIntegerField(_("难度"), choices=TaskDifficulty.choices)
    detail = models.TextField(_("任务说明"), blank=True)
    outcome = models.TextField(_("完成情况"), blank=True)
    outcome_on = models.DateField(_("完成日期"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("带教人员确认"),
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("急难险重任务")
        verbose_name_plural = _("急难险重任务")
        ordering = ["assignment", "given_on", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def kinds_display(self) -> str:
        labels = dict(TaskKind.choices)
        return "、".join(str(labels.get(k, k)) for k in self.kinds)

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None
