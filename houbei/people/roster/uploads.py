"""The web flow of an import: upload → preview → commit, around an upload record.

``store_upload`` keeps the file server-side under a random name; ``run_analysis`` (a
task) parses and plans it and stores the preview; ``begin_commit`` and ``run_commit``
(a task) import it with ``services.import_roster``. Both tasks report their progress to
the upload's progress file, which the page polls.

The upload record's status changes are bookkeeping of a working file, not changes to the
school's records, so they are not audited; the import itself is (``services``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houbei.accounts.models import User
from houbei.core.errors import Conflict
from houbei.organisation.models import School

from . import files, storage
from .models import UPLOAD_TTL, RosterUpload, UploadStatus
from .parse import RosterFileError
from .services import (
    ImportResult,
    RosterInvalid,
    RosterUnreadable,
    analyse_roster,
    import_roster,
    preview_data,
)

logger = logging.getLogger(__name__)


def store_upload(
    *, actor: User, school: School, file: UploadedFile, upload_id: uuid.UUID | None = None
) -> RosterUpload:
    """Keep ``file`` for ``actor`` in ``school`` and return its record (status 正在读取).

    ``upload_id`` lets the upload form know the id in advance, so its page can poll the
    progress while the request that uploads the file is still running; an id already in
    use is replaced by a fresh one. Raises ``RosterUnreadable`` for a file that is too
    big, empty or not a readable .xlsx — nothing is kept then."""
    expire_uploads()
    limit = settings.ROSTER_MAX_BYTES
    try:
        files.check_size(file.size or 0, limit)
    except RosterFileError as error:
        raise RosterUnreadable(error.message) from error
    if upload_id is None or RosterUpload.objects.filter(pk=upload_id).exists():
        upload_id = uuid.uuid4()
    path = storage.file_path(upload_id)
    digest = hashlib.sha256()
    size = 0
    # 0600: the file holds personal data, readable by the server's user only.
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as fh:
        for chunk in file.chunks():
            size += len(chunk)
            digest.update(chunk)
            fh.write(chunk)
    try:
        # Checks the size again, as written: the size the client declared is not proof.
        files.check_workbook(path, limit)
    except RosterFileError as error:
        path.unlink(missing_ok=True)
        raise RosterUnreadable(error.message) from error
    return RosterUpload.objects.create(
        id=upload_id,
        school=school,
        user=actor,
        filename=Path(file.name or "roster.xlsx").name[:200],
        size=size,
        sha256=digest.hexdigest(),
        status=UploadStatus.ANALYSING,
    )


def _move(upload_id: Any, status: str, **fields: Any) -> RosterUpload:
    """Move an upload to ``status`` if its transitions allow; ``Conflict`` otherwise."""
    with transaction.atomic():
        upload = RosterUpload.objects.select_for_update().get(pk=upload_id)
        if not upload.can_become(status):
            raise Conflict(
                _("该文件当前状态为“%(status)s”，不能执行此操作。")
                % {"status": upload.get_status_display()}
            )
        upload.status = status
        for name, value in fields.items():
            setattr(upload, name, value)
        upload.save()
    return upload


def run_analysis(upload_id: str) -> None:
    """Parse and plan an upload (the dry run) and store its preview. Writes nothing to
    the school's records. A file that cannot be read ends as 文件无法读取 with the
    reason; one with errors as 有错误 (its file is removed: it cannot be imported)."""
    upload = RosterUpload.objects.select_related("school").get(pk=upload_id)
    if upload.status != UploadStatus.ANALYSING:
        return
    progress = storage.ProgressFile(upload.pk)
    try:
        plan = analyse_roster(
            school=upload.school, path=storage.file_path(upload.pk), on_progress=progress
        )
    except RosterUnreadable as error:
        storage.remove_files(upload.pk)
        _move(upload.pk, UploadStatus.REJECTED, message=str(error.message))
        return
    except Exception:
        logger.exception("roster analysis failed for upload %s", upload.pk)
        storage.remove_files(upload.pk)
        _move(upload.pk, UploadStatus.FAILED, message=_("读取文件时发生内部错误，请稍后重试。"))
        raise
    data = preview_data(plan, filename=upload.filename, sha256=upload.sha256, school=upload.school)
    storage.write_json(storage.preview_path(upload.pk), data)
    if plan.errors:
        storage.file_path(upload.pk).unlink(missing_ok=True)
    _move(
        upload.pk,
        UploadStatus.INVALID if plan.errors else UploadStatus.READY,
        summary=data["counts"],
    )
    progress.clear()


def begin_commit(*, actor: User, upload: RosterUpload) -> RosterUpload:
    """Mark a previewed upload as being imported, once: a second click, or a second tab,
    gets ``Conflict``. Only the uploader may import it."""
    if upload.user_id != actor.pk:
        raise Conflict(_("只有上传该文件的用户可以导入。"))
    return _move(upload.pk, UploadStatus.COMMITTING)


def run_commit(upload_id: str, actor_id: int) -> None:
    """Import an upload all or nothing (``services.import_roster``, which re-validates
    against the records as they are now). The upload is marked 已导入 in the import's
    own transaction; if re-validation finds errors it ends as 有错误 with a new preview;
    if someone changed the same people meanwhile it goes back to 待确认导入."""
    upload = RosterUpload.objects.select_related("school").get(pk=upload_id)
    if upload.status != UploadStatus.COMMITTING:
        return
    actor = User.objects.get(pk=actor_id)
    progress = storage.ProgressFile(upload.pk)

    def mark_committed(result: ImportResult) -> None:
        locked = RosterUpload.objects.select_for_update().get(pk=upload.pk)
        if not locked.can_become(UploadStatus.COMMITTED):
            raise Conflict(_("该文件已被导入或撤销。"))
        locked.status = UploadStatus.COMMITTED
        locked.committed_at = timezone.now()
        locked.summary = {**result.counts, "audit_seq": result.audit_seq}
        locked.save()

    try:
        import_roster(
            actor=actor,
            school=upload.school,
            path=storage.file_path(upload.pk),
            filename=upload.filename,
            on_progress=progress,
            on_commit=mark_committed,
        )
    except RosterInvalid as error:
        data = preview_data(
            error.plan, filename=upload.filename, sha256=upload.sha256, school=upload.school
        )
        storage.write_json(storage.preview_path(upload.pk), data)
        storage.file_path(upload.pk).unlink(missing_ok=True)
        _move(upload.pk, UploadStatus.INVALID, summary=data["counts"], message=str(error.message))
    except RosterUnreadable as error:
        storage.remove_files(upload.pk)
        _move(upload.pk, UploadStatus.REJECTED, message=str(error.message))
    except Conflict as error:
        _move(upload.pk, UploadStatus.READY, message=str(error.message))
    except Exception:
        logger.exception("roster import failed for upload %s", upload.pk)
        _move(upload.pk, UploadStatus.FAILED, message=_("导入时发生内部错误，未导入任何数据。"))
        raise
    else:
        # Imported: the records hold the data now, the file need not be kept.
        storage.file_path(upload.pk).unlink(missing_ok=True)
    finally:
        progress.clear()


def discard_upload(*, actor: User, upload: RosterUpload) -> None:
    """Remove an upload that is not being worked on, with its files."""
    with transaction.atomic():
        locked = RosterUpload.objects.select_for_update().get(pk=upload.pk)
        if locked.is_working:
            raise Conflict(_("文件正在处理中，请稍候。"))
        if locked.user_id != actor.pk:
            raise Conflict(_("只有上传该文件的用户可以撤销。"))
        locked.delete()
    storage.remove_files(upload.pk)


def expire_uploads(*, now: dt.datetime | None = None) -> int:
    """Remove uploads (records and files) older than ``UPLOAD_TTL``, and stray files
    whose record is gone. Returns how many records were removed."""
    cutoff = (now or timezone.now()) - UPLOAD_TTL
    old = list(RosterUpload.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True))
    if old:
        RosterUpload.objects.filter(pk__in=old).delete()
        for pk in old:
            storage.remove_files(pk)
    directory = storage.uploads_dir()
    known = {str(pk) for pk in RosterUpload.objects.values_list("pk", flat=True)}
    for path in directory.iterdir():
        stem = path.name.split(".", 1)[0]
        try:
            modified = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
        except FileNotFoundError:
            continue
        if stem not in known and modified < cutoff:
            path.unlink(missing_ok=True)
    return len(old)


def load_preview(upload: RosterUpload) -> dict[str, Any] | None:
    data = storage.read_json(storage.preview_path(upload.pk))
    return data if isinstance(data, dict) else None
