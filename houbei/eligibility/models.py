"""Rule sets and their rules, post exemptions, per-person rulings, and snapshots.

A rule set is a school's default or belongs to a selection cycle (the cycle points at it).
Rules are data (``rules.REGISTRY`` types with parameters); nothing here is deleted: rules
are disabled, exemptions and rulings revoked, rule sets archived, and the audit trail says
who did what and why."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from houbei.organisation.models import Post, School
from houbei.people.models import Person

from .rules import REGISTRY, Outcome, Strength


class RuleSetQuerySet(models.QuerySet["RuleSet"]):
    def for_school(self, school: School) -> RuleSetQuerySet:
        return self.filter(school=school)

    def active(self) -> RuleSetQuerySet:
        return self.filter(archived_at__isnull=True)


class RuleSet(models.Model):
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="rule_sets", verbose_name=_("学校")
    )
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    reference_date = models.DateField(
        _("基准日"), null=True, blank=True, help_text=_("留空：按当天计算")
    )
    is_default = models.BooleanField(_("学校默认条件"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    archive_reason = models.CharField(_("归档原因"), max_length=200, blank=True)

    objects = RuleSetQuerySet.as_manager()

    class Meta:
        verbose_name = _("选拔条件")
        verbose_name_plural = _("选拔条件")
        ordering = ["school", "-is_default", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="ruleset_unique_name"),
            models.UniqueConstraint(
                fields=["school"],
                condition=models.Q(is_default=True),
                name="ruleset_one_default",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Rule(models.Model):
    rule_set = models.ForeignKey(
        RuleSet, on_delete=models.CASCADE, related_name="rules", verbose_name=_("选拔条件")
    )
    key = models.SlugField(_("代码"), max_length=40)
    type = models.CharField(
        _("类型"), max_length=40, choices=[(code, t.label) for code, t in REGISTRY.items()]
    )
    strength = models.CharField(_("性质"), max_length=10, choices=Strength.choices)
    label = models.CharField(_("条件"), max_length=120)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("条件")
        verbose_name_plural = _("条件")
        ordering = ["rule_set", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "key"], name="rule_unique_key"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def kind(self):  # type: ignore[no-untyped-def]
        return REGISTRY[self.type]


class RevocableQuerySet(models.QuerySet[Any]):
    def active(self) -> RevocableQuerySet:
        return self.filter(revoked_at__isnull=True)


class Revocable(models.Model):
    """Who granted it and when; revoked, not deleted, with who, when and why."""

    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.CharField(_("撤销理由"), max_length=300, blank=True)

    objects = RevocableQuerySet.as_manager()

    class Meta:
        abstract = True


class Exemption(Revocable):
    """A rule waived for one target post ("个别岗位酌情处理"), with the written reason."""

    rule = models.ForeignKey(
        Rule, on_delete=models.CASCADE, related_name="exemptions", verbose_name=_("条件")
    )
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="exemptions", verbose_name=_("目标岗位")
    )
    reason = models.CharField(_("理由"), max_length=300)

    class Meta:
        verbose_name = _("岗位免除")
        verbose_name_plural = _("岗位免除")
        ordering = ["rule", "post"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "post"],
                condition=models.Q(revoked_at__isnull=True),
                name="exemption_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} · {self.post}"


class RulingOutcome(models.TextChoices):
    PASS = Outcome.PASS.value, _("符合")
    FAIL = Outcome.FAIL.value, _("不符合")


class Ruling(Revocable):
    """One person's result on one rule set by a person: the record of a manual rule
    (思想表现 …) or an override of a computed rule, always with a written reason."""

    rule = models.ForeignKey(
        Rule, on_delete=models.CASCADE, related_name="rulings", verbose_name=_("条件")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="eligibility_rulings", verbose_name=_("人员")
    )
    outcome = models.CharField(_("结果"), max_length=10, choices=RulingOutcome.choices)
    reason = models.CharField(_("理由"), max_length=500)

    class Meta:
        verbose_name = _("逐人认定")
        verbose_name_plural = _("逐人认定")
        ordering = ["rule", "person"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "person"],
                condition=models.Q(revoked_at__isnull=True),
                name="ruling_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.rule}: {self.get_outcome_display()}"


class Snapshot(models.Model):
    """A result as a cycle used it: the rules, the date, the target and every person's
    verdict, outcomes and explanations, frozen, so later edits to the registry do not
    rewrite a past list. ``digest`` is the SHA-256 of the canonical content."""

    rule_set = models.ForeignKey(
        RuleSet, on_delete=models.PROTECT, related_name="snapshots", verbose_name=_("选拔条件")
    )
    as_of = models.DateField(_("基准日"))
    target = models.CharField(_("目标"), max_length=40, blank=True)
    purpose = models.CharField(_("用途"), max_length=200)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    taken_at = models.DateTimeField(auto_now_add=True)
    rules = models.JSONField(_("条件"), default=list)
    results = models.JSONField(_("结果"), default=list)
    counts = models.JSONField(_("统计"), default=dict)
    digest = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("结果快照")
        verbose_name_plural = _("结果快照")
        ordering = ["rule_set", "-taken_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.rule_set} {self.as_of} {self.purpose}"
