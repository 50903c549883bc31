"""Secret ratings (民主测评, later the half-term reviews): rounds, what is rated, who rates,
and the anonymous store of what they said.

What may know whom:

* ``RatingRound``, ``RatingSubject``, ``RatingDimension``, ``RatingGrade`` and
  ``RaterGroup`` are ordinary, audited records: the form and who is rated.
* ``RatingCredential`` is a one-time right to hand in one sheet for one group: the keyed
  digest of a code (``houbei.ballots.codes``), linked to no one. ``RatingRollEntry``
  says that a person of a roll group has taken part — and nothing else: the credential
  they receive is not linked to their entry.
* ``RatingCounter``, ``RaterCount`` and ``RatingComment`` hold what was said: counters
  (how many raters of a group gave a grade to a subject on a dimension), never a row per
  rater — a rater's row across several subjects would be a fingerprint; and comments,
  kept apart and reviewed before anyone reads them. They have no link to a person, a
  credential or each other, no time, random UUIDv4 keys and no default ordering; they
  are not in any admin and no audit entry names them. Counters exist from the opening of
  the round, so handing in a sheet only ever updates rows."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from houbei.organisation.models import School
from houbei.people.models import Person


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("测评中")
    CLOSED = "closed", _("已结束")
    RELEASED = "released", _("已发布")


# Which status may follow which. Released is final: results are released once.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    RoundStatus.DRAFT: (RoundStatus.OPEN,),
    RoundStatus.OPEN: (RoundStatus.CLOSED,),
    RoundStatus.CLOSED: (RoundStatus.RELEASED,),
    RoundStatus.RELEASED: (),
}


class RoundKind(models.TextChoices):
    APPRAISAL = "appraisal", _("民主测评")
    REVIEW = "review", _("半学期考察")


class RatingRound(models.Model):
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="rating_rounds", verbose_name=_("学校")
    )
    title = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(
        _("类别"), max_length=10, choices=RoundKind.choices, default=RoundKind.APPRAISAL
    )
    # The round's name in public links: not guessable, so a code's link says nothing of
    # other rounds.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    keep_overall = models.BooleanField(
        _("人数不足时优先显示总体结果"),
        default=True,
        help_text=_(
            "某组人数不足时，为防止用总体减去其他组推算出该组，要么再隐去一个组而保留总体，"
            "要么不显示总体而保留各组。"
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("测评")
        verbose_name_plural = _("测评")
        ordering = ["school", "-created_at"]

    def __str__(self) -> str:
        return self.title

    def can_become(self, status: str) -> bool:
        return status in TRANSITIONS[self.status]


class RatingSubject(models.Model):
    """A person being rated; the name is kept as it was when the round was made."""

    round = models.ForeignKey(RatingRound, on_delete=models.PROTECT, related_name="subjects")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("姓名"), max_length=50)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("测评对象")
        verbose_name_plural = _("测评对象")
        ordering = ["round", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="ratingsubject_once"),
        ]

    def __str__(self) -> str:
        return self.name


class RatingDimension(models.Model):
    """One line of the sheet, e.g. 德."""

    round = models.ForeignKey(RatingRound, on_delete=models.PROTECT, related_name="dimensions")
    name = models.CharField(_("测评项目"), max_length=40)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("测评项目")
        verbose_name_plural = _("测评项目")
        ordering = ["round", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "name"], name="ratingdimension_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class RatingGrade(models.Model):
    """One step of the scale, best first (优秀 … 不称职, or 5 … 1), with an optional value
    for means."""

    round = models.ForeignKey(RatingRound, on_delete=models.PROTECT, related_name="grades")
    label = models.CharField(_("等级"), max_length=20)
    value = models.DecimalField(_("分值"), max_digits=6, decimal_places=2, null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("等级")
        verbose_name_plural = _("等级")
        ordering = ["round", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "label"], name="ratinggrade_unique_label"),
        ]

    def __str__(self) -> str:
        return self.label


class GroupMode(models.TextChoices):
    CODES = "codes", _("一次性评议码")
    ROLL = "roll", _("名单登录")


MIN_K = 2  # one rater alone is never anonymous


class RaterGroup(models.Model):
    """A kind of rater (校领导, 中层干部, 教师代表, 服务对象 …) whose figures are reported
    together, and only when at least ``k`` of them took part."""

    round = models.ForeignKey(RatingRound, on_delete=models.PROTECT, related_name="groups")
    name = models.CharField(_("评议人类别"), max_length=40)
    k = models.PositiveSmallIntegerField(
        _("最少人数"),
        default=5,
        help_text=_("参加人数少于此数时，本组结果不显示。"),
    )
    mode = models.CharField(
        _("参加方式"), max_length=8, choices=GroupMode.choices, default=GroupMode.CODES
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("评议人类别")
        verbose_name_plural = _("评议人类别")
        ordering = ["round", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "name"], name="ratergroup_unique_name"),
            models.CheckConstraint(condition=models.Q(k__gte=MIN_K), name="ratergroup_k_min"),
        ]

    def __str__(self) -> str:
        return self.name


class RatingCredential(models.Model):
    """A one-time right to hand in one sheet as a member of ``group``. ``used`` flips
    once, by a conditional UPDATE."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(RatingRound, on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(RaterGroup, on_delete=models.PROTECT, related_name="+")
    code_digest = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(default=False)

    def __str__(self) -> str:
        return str(_("评议码"))


class RatingRollEntry(models.Model):
    """A person on the roll of a roll group. ``issued`` flips once, when they receive their
    one-time credential — that is their taking part; the sheet is handed in with it in a
    later, separate transaction. No time is kept. A person rates in one group of a round."""

    round = models.ForeignKey(RatingRound, on_delete=models.PROTECT, related_name="roll")
    group = models.ForeignKey(RaterGroup, on_delete=models.PROTECT, related_name="roll")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    issued = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="ratingrollentry_once"),
        ]

    def __str__(self) -> str:
        return str(self.person)


class RatingCounter(models.Model):
    """How many raters of ``group`` gave ``grade`` to ``subject`` on ``dimension``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(RatingRound, on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(RatingSubject, on_delete=models.PROTECT, related_name="+")
    dimension = models.ForeignKey(RatingDimension, on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(RaterGroup, on_delete=models.PROTECT, related_name="+")
    grade = models.ForeignKey(RatingGrade, on_delete=models.PROTECT, related_name="+")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "subject", "dimension", "group", "grade"],
                name="ratingcounter_once_per_cell",
            ),
        ]

    def __str__(self) -> str:
        return str(_("计数"))


class RaterCount(models.Model):
    """How many sheets a group has handed in. Its row is also the lock that lines up the
    sheets of one group (see ``services.submit_rating``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(RatingRound, on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(RaterGroup, on_delete=models.PROTECT, related_name="+")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "group"], name="ratercount_once_per_group"),
        ]

    def __str__(self) -> str:
        return str(_("参加人数"))


class CommentState(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("采用")
    REJECTED = "rejected", _("不采用")


class RatingComment(models.Model):
    """A rater's remark on a subject. Read by no one before the round is closed; reviewed
    (approved as written, approved as reworded in ``reviewed_text``, or rejected) before
    the results are released, and then only the approved ones are shown."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(RatingRound, on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(RatingSubject, on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(RaterGroup, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    state = models.CharField(
        max_length=10, choices=CommentState.choices, default=CommentState.PENDING
    )
    reviewed_text = models.TextField(blank=True)

    def __str__(self) -> str:
        return str(_("评语"))

    @property
    def shown_text(self) -> str:
        return self.reviewed_text or self.text
