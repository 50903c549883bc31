"""Access rules of the roster import and export routes (see tests/core/test_routes.py).

Uploads belong to the user who sent them, in their school: the personnel user reaches
their own; an upload of another school is 404 for everyone."""

from __future__ import annotations

from typing import Any

from houbei.accounts.models import Role, User
from houbei.people.roster.models import RosterUpload, UploadStatus

IMPORTERS = {Role.PERSONNEL}
EXPORTERS = {Role.PERSONNEL, Role.DECISION}


def _upload(ctx: Any) -> dict[str, str]:
    upload = RosterUpload.objects.create(
        school=ctx.school,
        user=ctx.users[Role.PERSONNEL],
        filename="名册.xlsx",
        status=UploadStatus.REJECTED,
        message="文件已损坏",
    )
    return {"pk": str(upload.pk)}


def _foreign_upload(ctx: Any) -> dict[str, str]:
    owner, _ = User.objects.get_or_create(
        username="personnel-foreign", defaults={"role": Role.PERSONNEL, "school": ctx.other_school}
    )
    upload = RosterUpload.objects.create(
        school=ctx.other_school, user=owner, filename="外校.xlsx", status=UploadStatus.REJECTED
    )
    return {"pk": str(upload.pk)}


RULES = {
    "roster:import": {"allowed": IMPORTERS},
    "roster:template": {"allowed": IMPORTERS},
    "roster:export": {"allowed": EXPORTERS},
    "roster:upload": {"allowed": IMPORTERS, "kwargs": _upload, "foreign_kwargs": _foreign_upload},
    "roster:progress": {"allowed": IMPORTERS, "kwargs": _upload, "foreign_kwargs": _foreign_upload},
    "roster:commit": {
        "allowed": IMPORTERS,
        "method": "POST",
        "kwargs": _upload,
        "foreign_kwargs": _foreign_upload,
    },
    "roster:discard": {
        "allowed": IMPORTERS,
        "method": "POST",
        "kwargs": _upload,
        "foreign_kwargs": _foreign_upload,
    },
}
