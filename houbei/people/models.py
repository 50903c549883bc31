"""The staff registry (SPEC module 1): people, their post history, honours and annual
appraisal grades."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from houbei.organisation.models import Post, School

from . import durations, national_id


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Establishment(models.TextChoices):
    IN = "in", _("在编")
    OUT = "out", _("非在编")


class PostStatus(models.TextChoices):
    ON_DUTY = "on", _("在岗")
    OFF_DUTY = "off", _("离岗")
    TRANSFERRED = "transferred", _("调出")
    RETIRED = "retired", _("退休")


class PoliticalStatus(models.TextChoices):
    PARTY = "party", _("中共党员")
    PROBATIONARY = "probationary", _("中共预备党员")
    LEAGUE = "league", _("共青团员")
    MASSES = "masses", _("群众")
    DEMOCRATIC = "democratic", _("民主党派")


class Education(models.TextChoices):
    DOCTORATE = "doctorate", _("博士研究生")
    MASTER = "master", _("硕士研究生")
    BACHELOR = "bachelor", _("大学本科")
    COLLEGE = "college", _("大学专科")
    OTHER = "other", _("其他")


class HonourLevel(models.IntegerChoices):
    SCHOOL = 1, _("校级")
    DISTRICT = 2, _("区级")
    CITY = 3, _("市级")
    NATIONAL = 4, _("国家级")


# The first year an annual appraisal may be recorded for, as for honours.
EARLIEST_APPRAISAL_YEAR = 1949


class AppraisalGrade(models.TextChoices):
    """年度考核等次 as a school records them for its staff.

    Teachers and the other staff of a public school are 事业单位工作人员, so their annual
    appraisal follows 《事业单位人事管理条例》 (第二十二条: 年度考核的结果可以分为优秀、
    合格、基本合格和不合格等档次) and 《事业单位工作人员考核规定》 (2023), not the civil
    servants' 优秀、称职、基本称职、不称职 of 《公务员考核规定》. That second scale is the one
    the plan's own ratings use (SPEC modules 4 and 7: 民主测评, 半学期考察), which is why
    the two must not be mixed up; neither the plan nor SPEC names a scale for 年度考核,
    and the demo's 考察材料 already writes "年度考核均为合格以上".

    不定等次 is the fifth outcome the regulation provides: someone who took part but was
    not graded — a first job at the unit for less than half the year (试用期 included),
    or sick or personal leave of more than half the year. It is a record, not a grade, so
    it sorts last and counts as neither good nor bad."""

    EXCELLENT = "excellent", _("优秀")
    QUALIFIED = "qualified", _("合格")
    BASICALLY_QUALIFIED = "basic", _("基本合格")
    UNQUALIFIED = "unqualified", _("不合格")
    UNGRADED = "ungraded", _("不定等次")


class PersonQuerySet(models.QuerySet["Person"]):
    def for_school(self, school: School) -> PersonQuerySet:
        return self.filter(school=school)

    def current(self) -> PersonQuerySet:
        """Not archived."""
        return self.filter(archived_at__isnull=True)

    def archived(self) -> PersonQuerySet:
        return self.filter(archived_at__isnull=False)

    def in_establishment_on_duty(self) -> PersonQuerySet:
        return self.filter(establishment=Establishment.IN, post_status=PostStatus.ON_DUTY)

    def search(self, text: str) -> PersonQuerySet:
        """People whose name or staff number contains every word of ``text``.

        A complete, valid national ID number also finds its holder, through the keyed
        digest (the clear number is not stored, so it cannot be searched by part)."""
        words = text.split()
        if not words:
            return self
        number = national_id.normalise(text)
        if national_id.is_valid(number):
            return self.filter(national_id_digest=national_id.digest(number))
        query = models.Q()
        for word in words:
            query &= models.Q(name__icontains=word) | models.Q(staff_number__icontains=word)
        return self.filter(query)

    def age_between(
        self, youngest: int | None, oldest: int | None, *, as_of: dt.date
    ) -> PersonQuerySet:
        """People aged ``youngest``…``oldest`` full years (周岁) on ``as_of``, bounds included.

        Either bound may be None (open). People without a birth date are left out as soon
        as a bound is given. Ages follow ``durations`` (29 February turns a year older on
        28 February), the same rule as ``Person.age_on``."""
        qs = self
        if youngest is not None:
            qs = qs.filter(birth_date__lte=durations.latest_start_for_years(youngest, as_of))
        if oldest is not None:
            qs = qs.filter(birth_date__gt=durations.latest_start_for_years(oldest + 1, as_of))
        return qs

    def holding_post(self, post_id: int, *, as_of: dt.date) -> PersonQuerySet:
        """People who hold the post on ``as_of`` (a history row covering that day)."""
        return self.filter(
            models.Exists(
                PostHistory.objects.filter(person=models.OuterRef("pk"), post_id=post_id).current(
                    as_of
                )
            )
        )

    def with_current_posts(self, as_of: dt.date) -> PersonQuerySet:
        """Prefetch the history rows covering ``as_of`` into ``person.current_posts``
        (with their post), in one query for the whole page."""
        return self.prefetch_related(
            models.Prefetch(
                "post_history",
                queryset=PostHistory.objects.current(as_of)
                .select_related("post")
                .order_by("start", "pk"),
                to_attr="current_posts",
            )
        )


class Person(models.Model):
    """A member of staff. Never deleted: leaving the school archives the record."""

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="people", verbose_name=_("学校")
    )
    staff_number = models.CharField(_("工号"), max_length=30)
    name = models.CharField(_("姓名"), max_length=40)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    joined_school_on = models.DateField(_("入校时间"), null=True, blank=True)
    started_work_on = models.DateField(_("参加工作时间"), null=True, blank=True)
    establishment = models.CharField(
        _("编制"), max_length=5, choices=Establishment.choices, default=Establishment.IN
    )
    post_status = models.CharField(
        _("在岗状态"), max_length=12, choices=PostStatus.choices, default=PostStatus.ON_DUTY
    )
    political_status = models.CharField(
        _("政治面貌"),
        max_length=12,
        choices=PoliticalStatus.choices,
        default=PoliticalStatus.MASSES,
    )
    education = models.CharField(_("学历"), max_length=12, choices=Education.choices, blank=True)
    title = models.CharField(_("职称"), max_length=40, blank=True)
    subject = models.CharField(_("任教学科"), max_length=40, blank=True)
    # 身心健康: a yes/no attestation with its date; no medical detail is kept.
    fit_for_duty = models.BooleanField(_("身心健康"), null=True, blank=True)
    fit_for_duty_on = models.DateField(_("健康确认日期"), null=True, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    # National ID: encrypted at rest, a keyed digest for duplicate checks, and the masked
    # form for display. The clear value is never rendered.
    national_id_encrypted = models.TextField(blank=True, editable=False)
    national_id_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    national_id_masked = models.CharField(_("身份证号"), max_length=24, blank=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("登录账号"),
    )
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    archive_reason = models.CharField(_("归档原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("教职工")
        verbose_name_plural = _("教职工")
        ordering = ["school", "staff_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "staff_number"], name="person_unique_staff_number"
            ),
            # The same national ID on two people of one school is a data-entry error; the
            # service names the other person, this catches a race between two saves.
            models.UniqueConstraint(
                fields=["school", "national_id_digest"],
                condition=~models.Q(national_id_digest=""),
                name="person_unique_national_id",
            ),
        ]
        indexes = [models.Index(fields=["school", "name"])]

    def __str__(self) -> str:
        return self.name

    def age_on(self, day: dt.date) -> int | None:
        """Full years (周岁) on ``day``; None without a birth date or before it."""
        if self.birth_date is None or day < self.birth_date:
            return None
        return durations.full_years_between(self.birth_date, day)

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class PostHistoryQuerySet(models.QuerySet["PostHistory"]):
    def current(self, as_of: dt.date) -> PostHistoryQuerySet:
        """Rows covering ``as_of``: begun on or before it and not ended before it."""
        return self.filter(start__lte=as_of).filter(
            models.Q(end__isnull=True) | models.Q(end__gte=as_of)
        )


class PostHistory(models.Model):
    """任职经历: one post held over an interval; an open end means the post is held now."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="post_history", verbose_name=_("教职工")
    )
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="history", verbose_name=_("岗位")
    )
    start = models.DateField(_("开始"))
    end = models.DateField(_("结束"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = PostHistoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("任职经历")
        verbose_name_plural = _("任职经历")
        ordering = ["person", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="posthistory_order",
            ),
        ]
        indexes = [models.Index(fields=["person", "start"])]

    def __str__(self) -> str:
        return f"{self.person} {self.post} {self.start}–{self.end or '至今'}"

    def is_current(self, as_of: dt.date) -> bool:
        return self.start <= as_of and (self.end is None or self.end >= as_of)

    def years_months(self, as_of: dt.date) -> tuple[int, int]:
        """Time in this post up to ``as_of``, its last day counted."""
        return durations.interval_years_months(self.start, self.end, as_of)


class Honour(models.Model):
    """荣誉: 优秀党员, "勤朴"教师, 优秀班主任 and others, with level and year."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="honours", verbose_name=_("教职工")
    )
    title = models.CharField(_("称号"), max_length=60)
    level = models.PositiveSmallIntegerField(_("级别"), choices=HonourLevel.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("荣誉")
        verbose_name_plural = _("荣誉")
        ordering = ["person", "-year"]

    def __str__(self) -> str:
        return f"{self.year} {self.get_level_display()}{self.title}"


class AnnualAppraisal(models.Model):
    """年度考核: one person's grade for one calendar year (考核年度), as the cadre dossier's
    历年考核 keeps it; the 考察材料 cites the recent ones (SPEC module 4). One row per person
    and year: a second grade for the same year is a correction of the first."""

    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="annual_appraisals",
        verbose_name=_("教职工"),
    )
    year = models.PositiveSmallIntegerField(_("考核年度"))
    grade = models.CharField(_("考核等次"), max_length=12, choices=AppraisalGrade.choices)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("年度考核")
        verbose_name_plural = _("年度考核")
        ordering = ["person", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["person", "year"], name="annualappraisal_one_per_year"),
            # The upper bound is "this year", which a constraint cannot say; the service
            # checks it.
            models.CheckConstraint(
                condition=models.Q(year__gte=EARLIEST_APPRAISAL_YEAR),
                name="annualappraisal_year_from_1949",
            ),
            models.CheckConstraint(
                condition=models.Q(grade__in=AppraisalGrade.values),
                name="annualappraisal_known_grade",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年度 {self.get_grade_display()}"
