"""Pages of the roster import (upload → preview → commit → result), the template
download and the list export."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from houbei.accounts.access import AuthedRequest, Cap, requires, school_of
from houbei.core.errors import DomainError
from houbei.core.exports import ExportFile, run_export
from houbei.people.filters import parse_filters

from . import storage, tasks
from .exports import RosterExportRequest
from .forms import ExportForm, UploadForm
from .models import RosterUpload, UploadStatus
from .services import ACTION_LABELS, STAGE_LABELS, RosterUnreadable
from .template import build_template
from .uploads import begin_commit, discard_upload, expire_uploads, load_preview, store_upload

PREVIEW_PAGE_SIZE = 100
# More errors than this are summarised: the file needs fixing at the source anyway.
ERRORS_SHOWN = 500
SHOW_CHOICES = ("changed", "created", "updated", "unchanged", "all")


def _download(file: ExportFile) -> HttpResponse:
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = content_disposition_header(True, file.filename)
    return response


def _uuid_or_none(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None


def _upload_of(request: AuthedRequest, pk: str) -> RosterUpload:
    """The user's own upload in their school; anything else is 404."""
    upload_id = _uuid_or_none(pk)
    if upload_id is None:
        raise Http404
    return get_object_or_404(
        RosterUpload.objects.owned_by(request.user, school_of(request)), pk=upload_id
    )


@requires(Cap.PEOPLE_IMPORT)
def start(request: AuthedRequest) -> HttpResponse:
    """The upload form; a valid file is stored and its dry run started."""
    school = school_of(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            upload = store_upload(
                actor=request.user,
                school=school,
                file=form.cleaned_data["file"],
                upload_id=_uuid_or_none(request.POST.get("upload_id")),
            )
        except RosterUnreadable as error:
            form.add_error("file", str(error.message))
        else:
            tasks.analyse_upload.enqueue(str(upload.pk))
            return redirect("roster:upload", pk=upload.pk)
    else:
        expire_uploads()
    # Chosen now, so the page can poll the upload's progress while the request that
    # sends the file (and, with the immediate task backend, reads it) is still running.
    upload_id = uuid.uuid4()
    recent = RosterUpload.objects.owned_by(request.user, school)[:10]
    return render(
        request,
        "roster/import.html",
        {"form": form, "upload_id": upload_id, "recent": recent},
    )


def _preview_context(request: AuthedRequest, preview: dict[str, Any]) -> dict[str, Any]:
    people = preview.get("people", [])
    show = request.GET.get("show", "changed")
    if show not in SHOW_CHOICES:
        show = "changed"
    if show == "changed":
        people = [p for p in people if p["action"] != "unchanged"]
    elif show != "all":
        people = [p for p in people if p["action"] == show]
    page = Paginator(people, PREVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    for item in page.object_list:
        item["action_label"] = ACTION_LABELS.get(item["action"], item["action"])
    errors = preview.get("errors", [])
    return {
        "preview": preview,
        "counts": preview.get("counts", {}),
        "errors": errors[:ERRORS_SHOWN],
        "errors_hidden": max(0, len(errors) - ERRORS_SHOWN),
        "notes": preview.get("notes", []),
        "page": page,
        "show": show,
        "show_choices": [
            ("changed", _("有变化的")),
            ("created", _("新增")),
            ("updated", _("更新")),
            ("unchanged", _("不变")),
            ("all", _("全部")),
        ],
    }


@requires(Cap.PEOPLE_IMPORT)
def upload(request: AuthedRequest, pk: str) -> HttpResponse:
    """One upload: its progress while it is read or imported, then its preview (with
    the commit button) or the result of the import."""
    item = _upload_of(request, pk)
    context: dict[str, Any] = {"upload": item, "statuses": UploadStatus}
    if item.is_working:
        context["progress"] = _progress_context(item)
    elif item.status in (UploadStatus.READY, UploadStatus.INVALID, UploadStatus.COMMITTED):
        preview = load_preview(item)
        if preview is not None:
            context.update(_preview_context(request, preview))
    return render(request, "roster/upload.html", context)


def _progress_context(item: RosterUpload) -> dict[str, Any]:
    state = storage.read_progress(item.pk) or {}
    stage = state.get("stage", "")
    total = int(state.get("total") or 0)
    done = min(int(state.get("done") or 0), total) if total else 0
    return {
        "stage": STAGE_LABELS.get(stage, _("准备中")),
        "done": done,
        "total": total,
        "percent": round(done * 100 / total) if total else 0,
    }


@requires(Cap.PEOPLE_IMPORT)
def progress(request: AuthedRequest, pk: str) -> HttpResponse:
    """The progress fragment, polled while an upload is read or imported. Once the work
    is done htmx reloads the page (HX-Refresh) to show the preview or the result."""
    item = _upload_of(request, pk)
    response = render(
        request, "roster/upload.html#progress", {"upload": item, **_progress_context(item)}
    )
    if not item.is_working:
        response["HX-Refresh"] = "true"
    return response


@requires(Cap.PEOPLE_IMPORT)
@require_POST
def commit(request: AuthedRequest, pk: str) -> HttpResponse:
    item = _upload_of(request, pk)
    try:
        begin_commit(actor=request.user, upload=item)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("roster:upload", pk=item.pk)
    tasks.commit_upload.enqueue(str(item.pk), request.user.pk)
    item.refresh_from_db()
    if item.status == UploadStatus.COMMITTED:
        messages.success(request, _("名册已导入。"))
    elif item.status in (UploadStatus.INVALID, UploadStatus.READY, UploadStatus.FAILED):
        messages.error(request, item.message or _("未导入任何数据。"))
    return redirect("roster:upload", pk=item.pk)


@requires(Cap.PEOPLE_IMPORT)
@require_POST
def discard(request: AuthedRequest, pk: str) -> HttpResponse:
    item = _upload_of(request, pk)
    try:
        discard_upload(actor=request.user, upload=item)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("roster:upload", pk=item.pk)
    messages.success(request, _("已撤销上传的文件“%(name)s”。") % {"name": item.filename})
    return redirect("roster:import")


@requires(Cap.PEOPLE_IMPORT)
def template(request: AuthedRequest) -> HttpResponse:
    school = school_of(request)
    content = build_template(school)
    return _download(
        ExportFile(
            _("教职工名册导入模板") + ".xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            content,
        )
    )


@requires(Cap.PEOPLE_EXPORT)
def export(request: AuthedRequest) -> HttpResponse:
    """GET with ``format``: the filtered list (same parameters as the registry list),
    national IDs masked. Without: a form; POSTing it may ask for full IDs, with a
    purpose, which the audit entry keeps."""
    school = school_of(request)
    filters = parse_filters(request.GET)
    if request.method == "GET" and "format" in request.GET:
        fmt = request.GET["format"]
        wanted = RosterExportRequest(people=filters)
        try:
            return _download(
                run_export("roster", school, actor=request.user, filters=wanted, fmt=fmt)
            )
        except DomainError as error:
            messages.error(request, str(error.message))
            return redirect("roster:export")
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wanted = RosterExportRequest(
            people=filters,
            full_national_ids=form.cleaned_data["full_national_ids"],
            reason=form.cleaned_data["reason"].strip(),
        )
        try:
            return _download(
                run_export(
                    "roster",
                    school,
                    actor=request.user,
                    filters=wanted,
                    fmt=form.cleaned_data["format"],
                )
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
    return render(
        request,
        "roster/export.html",
        {"form": form, "filters": filters, "query": request.GET.urlencode()},
    )
