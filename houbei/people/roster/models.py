"""An uploaded roster between its preview and its import.

The file itself lives in ``DATA_DIR/uploads`` under the upload's random id; this row says
whose it is (user and school), what happened to it, and what the preview found. Uploads
are working material, not records: the audit entry of the import keeps the file name and
SHA-256, and the row and file are removed after ``UPLOAD_TTL``."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from houbei.organisation.models import School

# How long an upload waits for its import before it is removed.
UPLOAD_TTL = dt.timedelta(hours=24)


class UploadStatus(models.TextChoices):
    ANALYSING = "analysing", _("正在读取")
    READY = "ready", _("待确认导入")
    INVALID = "invalid", _("有错误，不能导入")
    REJECTED = "rejected", _("文件无法读取")
    COMMITTING = "committing", _("正在导入")
    COMMITTED = "committed", _("已导入")
    FAILED = "failed", _("处理出错")


# Which status may follow which. A commit that finds new errors on re-validation goes to
# INVALID; one that collides with another user's change goes back to READY (a retry
# re-validates); one that fails for a reason outside the data (a crash) goes to FAILED.
TRANSITIONS: dict[str, frozenset[str]] = {
    UploadStatus.ANALYSING: frozenset(
        {UploadStatus.READY, UploadStatus.INVALID, UploadStatus.REJECTED, UploadStatus.FAILED}
    ),
    UploadStatus.READY: frozenset({UploadStatus.COMMITTING}),
    UploadStatus.COMMITTING: frozenset(
        {
            UploadStatus.COMMITTED,
            UploadStatus.READY,
            UploadStatus.INVALID,
            UploadStatus.REJECTED,
            UploadStatus.FAILED,
        }
    ),
    UploadStatus.INVALID: frozenset(),
    UploadStatus.REJECTED: frozenset(),
    UploadStatus.COMMITTED: frozenset(),
    UploadStatus.FAILED: frozenset(),
}
WORKING = frozenset({UploadStatus.ANALYSING, UploadStatus.COMMITTING})


class RosterUploadQuerySet(models.QuerySet["RosterUpload"]):
    def owned_by(self, user: object, school: School) -> RosterUploadQuerySet:
        return self.filter(user=user, school=school)


class RosterUpload(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", verbose_name=_("学校")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("上传人"),
    )
    filename = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveBigIntegerField(_("大小"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=UploadStatus.choices, default=UploadStatus.ANALYSING
    )
    # Why the file was rejected, or what went wrong; user-safe Chinese.
    message = models.TextField(_("说明"), blank=True)
    # Counts from the preview or the import (created, updated, unchanged, errors …).
    summary = models.JSONField(_("摘要"), default=dict, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True, db_index=True)
    committed_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    objects = RosterUploadQuerySet.as_manager()

    class Meta:
        verbose_name = _("名册上传")
        verbose_name_plural = _("名册上传")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename

    def can_become(self, status: str) -> bool:
        return status in TRANSITIONS[self.status]

    @property
    def can_commit(self) -> bool:
        return self.status == UploadStatus.READY

    @property
    def is_working(self) -> bool:
        return self.status in WORKING
