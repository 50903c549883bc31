"""Districts, schools, the rotation posts with their ladder, and the school calendar."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class District(models.Model):
    """A district education bureau (区教育局); it may run Houbei for many schools."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    code = models.SlugField(_("代码"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("区")
        verbose_name_plural = _("区")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    """Every record of the programme belongs to exactly one school."""

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="schools", verbose_name=_("所属区")
    )
    name = models.CharField(_("校名"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("学校")
        verbose_name_plural = _("学校")
        ordering = ["district__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="school_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class LadderLevel(models.IntegerChoices):
    """The plan's ladder: 班主任 < 年级组长/教研组长 < 中层处室/工会 < (副)校级.

    The "one year at the level below" rule compares these numbers, so a school that adds a
    post only chooses its level."""

    CLASS = 1, _("班主任层")
    TEAM = 2, _("组长层")
    OFFICE = 3, _("中层")
    SCHOOL = 4, _("校级")


class PostCategory(models.TextChoices):
    CLASS_TEACHER = "class", _("班主任")
    TEAM_HEAD = "team", _("年级组、教研组")
    OFFICE = "office", _("中层处室")
    UNION = "union", _("工会")
    LEADERSHIP = "leadership", _("校级领导")
    OTHER = "other", _("其他")


class RotationLength(models.TextChoices):
    TERM = "term", _("一学期")
    YEAR = "year", _("一学年")


class PostQuerySet(models.QuerySet["Post"]):
    def for_school(self, school: School) -> PostQuerySet:
        return self.filter(school=school)

    def active(self) -> PostQuerySet:
        return self.filter(archived_at__isnull=True)

    def archived(self) -> PostQuerySet:
        return self.filter(archived_at__isnull=False)

    def on_level(self, level: int) -> PostQuerySet:
        return self.filter(ladder_level=level)

    def counting_as_head(self) -> PostQuerySet:
        """Posts that count for "三年以上班主任或科室组长工作经历"."""
        return self.filter(counts_as_head=True)


def level_below(level: int) -> LadderLevel | None:
    """The ladder level one step below ``level`` (None at the bottom): the level of
    "具有在下一级岗位工作一年以上的经历"."""
    lower = int(level) - 1
    return LadderLevel(lower) if lower in LadderLevel.values else None


class Post(models.Model):
    """A post of the school: a rotation post of the plan, or any post a history row names."""

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="posts", verbose_name=_("学校")
    )
    name = models.CharField(_("岗位名称"), max_length=60)
    code = models.SlugField(_("代码"), max_length=40)
    category = models.CharField(
        _("类别"), max_length=20, choices=PostCategory.choices, default=PostCategory.OTHER
    )
    ladder_level = models.PositiveSmallIntegerField(
        _("层级"), choices=LadderLevel.choices, default=LadderLevel.CLASS
    )
    # 班主任 and every team or office head post count for "三年以上班主任或科室组长工作经历".
    counts_as_head = models.BooleanField(_("计入班主任或科室组长经历"), default=True)
    is_rotation_post = models.BooleanField(_("轮岗锻炼岗位"), default=True)
    allowed_lengths = models.JSONField(
        _("允许时长"), default=list, help_text=_("一学期（term）、一学年（year）中的一个或两个。")
    )
    capacity_per_term = models.PositiveSmallIntegerField(_("每学期容量"), default=1)
    default_mentors = models.ManyToManyField(
        "people.Person", blank=True, related_name="mentored_posts", verbose_name=_("默认带教人员")
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    archive_reason = models.CharField(_("归档原因"), max_length=200, blank=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        ordering = ["school", "sort_order", "ladder_level", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "code"], name="post_unique_code"),
            models.UniqueConstraint(fields=["school", "name"], name="post_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_allowed_lengths_display(self) -> str:
        labels = dict(RotationLength.choices)
        return str(_("或")).join(str(labels.get(x, x)) for x in self.allowed_lengths)

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class SchoolYearQuerySet(models.QuerySet["SchoolYear"]):
    def for_school(self, school: School) -> SchoolYearQuerySet:
        return self.filter(school=school)

    def containing(self, day: dt.date) -> SchoolYearQuerySet:
        return self.filter(start__lte=day, end__gte=day)

    def with_terms(self) -> SchoolYearQuerySet:
        """Terms and their review points in two extra queries, whatever the number of years."""
        return self.prefetch_related(
            models.Prefetch("terms", queryset=Term.objects.order_by("number")),
            models.Prefetch("terms__review_points", queryset=ReviewPoint.objects.order_by("date")),
        )


class SchoolYear(models.Model):
    """学年, e.g. 2021学年 = 2021-09-01 … 2022-08-31."""

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="school_years", verbose_name=_("学校")
    )
    start_year = models.PositiveSmallIntegerField(_("起始年份"))
    start = models.DateField(_("开始"))
    end = models.DateField(_("结束"))

    objects = SchoolYearQuerySet.as_manager()

    class Meta:
        verbose_name = _("学年")
        verbose_name_plural = _("学年")
        ordering = ["school", "start"]
        constraints = [
            models.UniqueConstraint(fields=["school", "start_year"], name="schoolyear_unique"),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="schoolyear_order"
            ),
        ]

    def __str__(self) -> str:
        return str(
            _("%(start)d–%(end)d学年") % {"start": self.start_year, "end": self.start_year + 1}
        )

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


class TermNumber(models.IntegerChoices):
    FIRST = 1, _("第一学期")
    SECOND = 2, _("第二学期")


class TermQuerySet(models.QuerySet["Term"]):
    def for_school(self, school: School) -> TermQuerySet:
        return self.filter(school_year__school=school)

    def containing(self, day: dt.date) -> TermQuerySet:
        return self.filter(start__lte=day, end__gte=day)

    def on(self, school: School, day: dt.date) -> Term | None:
        """The school's term that ``day`` falls in, or None (holidays between terms, or
        no school year entered)."""
        return self.for_school(school).containing(day).select_related("school_year").first()

    def current(self, school: School) -> Term | None:
        return self.on(school, timezone.localdate())

    def next_after(self, school: School, day: dt.date) -> Term | None:
        """The first term of the school starting after ``day``."""
        return (
            self.for_school(school)
            .filter(start__gt=day)
            .select_related("school_year")
            .order_by("start")
            .first()
        )


def term_on(school: School, day: dt.date) -> Term | None:
    """The term of ``school`` that contains ``day`` (None between terms)."""
    return Term.objects.on(school, day)


def current_term(school: School) -> Term | None:
    """The term of ``school`` that contains today (Asia/Shanghai by default)."""
    return Term.objects.current(school)


class Term(models.Model):
    """学期: 第一学期 about September–January, 第二学期 about February–June."""

    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.CASCADE, related_name="terms", verbose_name=_("学年")
    )
    number = models.PositiveSmallIntegerField(_("学期"), choices=TermNumber.choices)
    start = models.DateField(_("开学"))
    end = models.DateField(_("结束"))

    objects = TermQuerySet.as_manager()

    class Meta:
        verbose_name = _("学期")
        verbose_name_plural = _("学期")
        ordering = ["school_year__school", "start"]
        constraints = [
            models.UniqueConstraint(fields=["school_year", "number"], name="term_unique"),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="term_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_year} {self.get_number_display()}"

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


class ReviewKind(models.TextChoices):
    MIDTERM = "mid", _("期中")
    FINAL = "final", _("期末")


class ReviewPointQuerySet(models.QuerySet["ReviewPoint"]):
    def for_school(self, school: School) -> ReviewPointQuerySet:
        return self.filter(term__school_year__school=school)

    def upcoming(self, day: dt.date) -> ReviewPointQuerySet:
        return self.filter(date__gte=day).order_by("date")


class ReviewPoint(models.Model):
    """The plan asks for a review of every reserve cadre each half term: two per term."""

    term = models.ForeignKey(
        Term, on_delete=models.CASCADE, related_name="review_points", verbose_name=_("学期")
    )
    kind = models.CharField(_("类型"), max_length=10, choices=ReviewKind.choices)
    date = models.DateField(_("日期"))

    objects = ReviewPointQuerySet.as_manager()

    class Meta:
        verbose_name = _("考察节点")
        verbose_name_plural = _("考察节点")
        ordering = ["term", "date"]
        constraints = [models.UniqueConstraint(fields=["term", "kind"], name="reviewpoint_unique")]

    def __str__(self) -> str:
        return f"{self.term} {self.get_kind_display()}考察"


class DayKind(models.TextChoices):
    WORKDAY = "workday", _("工作日（含调休上班）")
    HOLIDAY = "holiday", _("休息日（含法定节假日）")


class WorkdayOverride(models.Model):
    """A day whose status the holiday data package does not know or gets wrong.

    National, not per school: the State Council's notice applies to every school, so an
    administrator records it once for the deployment."""

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("名称"), max_length=60, blank=True, help_text=_("如：春节、国庆调休"))
    reason = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"

    @property
    def is_workday(self) -> bool:
        return self.kind == DayKind.WORKDAY


class WorkdayYear(models.Model):
    """A year the data package does not cover whose holiday arrangement an administrator
    has entered in full as overrides. Its other days then follow the weekend rule without
    the "尚未录入" warning; until then every calculation touching the year warns."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(
        _("依据"), max_length=200, help_text=_("如：国务院办公厅关于2027年部分节假日安排的通知")
    )
    confirmed_at = models.DateTimeField(_("确认时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("已录入节假日安排的年份")
        verbose_name_plural = _("已录入节假日安排的年份")
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年"
