"""The audit page: browse and filter the trail, read one entry, verify the chain.

Decision members and personnel administrators see their own school's entries; the system
administrator sees every entry, including those that belong to no school (accounts,
backups), and can filter by school."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from houbei.accounts.access import AuthedRequest, Cap, requires, school_of
from houbei.accounts.models import Role
from houbei.organisation.models import School

from .display import Change, changes, target_type_label
from .forms import AuditFilterForm
from .labels import action_label
from .models import GENESIS_HASH, AuditEntry, AuditEntryQuerySet
from .services import ChainStatus, check_chain, is_sealed


def _sees_all(request: AuthedRequest) -> bool:
    return request.user.role == Role.SYSADMIN


def _visible(request: AuthedRequest) -> AuditEntryQuerySet:
    entries = AuditEntry.objects.all()
    if _sees_all(request):
        return entries
    return entries.for_school(school_of(request))


@dataclass(frozen=True)
class EntryRow:
    entry: AuditEntry
    action_label: str
    target_type_label: str
    changes: list[Change]


def _row(entry: AuditEntry) -> EntryRow:
    return EntryRow(
        entry=entry,
        action_label=action_label(entry.action),
        target_type_label=target_type_label(entry.target_type) if entry.target_type else "",
        changes=changes(entry.old, entry.new, entry.target_type, entry.action),
    )


@requires(Cap.AUDIT_VIEW)
def entry_list(request: AuthedRequest) -> HttpResponse:
    visible = _visible(request)
    # The filter choices list what is present in the visible trail: two index scans,
    # whatever the page size.
    form = AuditFilterForm(
        request.GET or None,
        actions=visible.order_by().values_list("action", flat=True).distinct(),
        target_types=visible.order_by().values_list("target_type", flat=True).distinct(),
        schools=School.objects.order_by("name") if _sees_all(request) else None,
    )
    entries = form.apply(visible).select_related("school").order_by("-seq")
    page = Paginator(entries, form.page_size()).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/list.html",
        {
            "form": form,
            "page": page,
            "rows": [_row(e) for e in page.object_list],
            "sees_all": _sees_all(request),
            "filtered": bool(request.GET.keys() - {"page", "per_page"}),
        },
    )


@requires(Cap.AUDIT_VIEW)
def entry_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    visible = _visible(request)
    entry = visible.select_related("school", "actor").filter(pk=pk).first()
    if entry is None:
        raise Http404
    # The links to neighbours stay inside what the user may see; the hash link is
    # checked against the true predecessor, whoever's it is.
    predecessor_hash = (
        AuditEntry.objects.filter(seq=entry.seq - 1).values_list("hash", flat=True).first()
    )
    linked = entry.prev_hash == (predecessor_hash if entry.seq > 1 else GENESIS_HASH)
    context: dict[str, Any] = {
        "row": _row(entry),
        "entry": entry,
        "content_ok": is_sealed(entry),
        "linked": linked,
        "previous": visible.filter(seq__lt=entry.seq).order_by("-seq").values("pk").first(),
        "next": visible.filter(seq__gt=entry.seq).order_by("seq").values("pk").first(),
        "sees_all": _sees_all(request),
    }
    return render(request, "audit/detail.html", context)


@requires(Cap.AUDIT_VIEW)
@require_POST
def verify(request: AuthedRequest) -> HttpResponse:
    """Walk the whole chain. The result covers every school's entries, because the chain
    is one; a school user learns only the total count and, if broken, where."""
    status = check_chain()
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request,
            "audit/list.html#verify_result",
            {"status": status, "message": verify_message(status)},
        )
    level = messages.SUCCESS if status.ok else messages.ERROR
    messages.add_message(request, level, verify_message(status))
    return redirect("audit:list")


def verify_message(status: ChainStatus) -> str:
    if status.problem is None:
        return _("审计链完整：共 %(count)s 条记录，链头哈希 %(head)s。") % {
            "count": status.entries,
            "head": status.head_hash,
        }
    return _("审计链在第 %(seq)s 条处断开：%(reason)s（此前 %(count)s 条完好）") % {
        "seq": status.problem.seq,
        "reason": status.problem.reason,
        "count": status.entries,
    }
