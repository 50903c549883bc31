"""Users, their role and the school (or district) they act in."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houbei.organisation.models import District, School


class Role(models.TextChoices):
    """The roles of SPEC "Who uses it". What each may do is in ``accounts.access``."""

    PERSONNEL = "personnel", _("人事干部")
    DECISION = "decision", _("校务会、支委会成员")
    MENTOR = "mentor", _("带教人员")
    STAFF = "staff", _("教职工")
    DISTRICT = "district", _("区教育局")
    SYSADMIN = "sysadmin", _("系统管理员")


# Roles whose view spans the whole district rather than one school.
DISTRICT_ROLES = frozenset({Role.DISTRICT})


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.STAFF)
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("学校"),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("区"),
    )
    display_name = models.CharField(_("姓名"), max_length=60, blank=True)
    preferred_language = models.CharField(_("界面语言"), max_length=10, blank=True)
    failed_logins = models.PositiveSmallIntegerField(_("连续登录失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]
        constraints = [
            # A school role needs a school; a district role needs a district.
            models.CheckConstraint(
                condition=~models.Q(role__in=["personnel", "decision", "mentor", "staff"])
                | models.Q(school__isnull=False),
                name="user_school_role_has_school",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="district") | models.Q(district__isnull=False),
                name="user_district_role_has_district",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def spans_district(self) -> bool:
        return self.role in DISTRICT_ROLES

    def is_locked(self, now: dt.datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or timezone.now())


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=60)
    prefix = models.CharField(max_length=8, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API令牌")
        verbose_name_plural = _("API令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user: User, name: str) -> tuple[ApiToken, str]:
        """Create a token and return it with its raw value, which is never stored."""
        raw = "hb_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, prefix=raw[3:11], digest=cls.digest_of(raw)
        )
        return token, raw
