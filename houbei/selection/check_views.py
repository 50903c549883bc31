"""Pages of the selection cycle for the checks a school records beside the inspection and
the pool: the checks of 凡提四必 on an inspection target's page (个人有关事项报告,
纪检监察部门意见, 信访举报), and the school's own targets for the structure of its
reserve pool.

Access as everywhere in ``views``: ``@requires`` first, the cycle or school among those
the user may read, a form parsed and one service called."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from houbei.accounts.access import (
    AuthedRequest,
    Cap,
    has_cap,
    requires,
    school_of,
    schools_visible_to,
)
from houbei.audit.models import AuditEntry
from houbei.organisation.models import School

from . import forms, inspection, pool_targets
from .models import Cycle, Stage
from .views import _form_messages, _inspection_target, _own_cycle, _saved, _target


@requires(Cap.SELECTION_VIEW)
@require_POST
def check_record(request: AuthedRequest, pk: int, sub: int) -> HttpResponse:
    """Record, or amend with a reason, one check of the target's person: by the personnel
    office or a member of the decision body of the school."""
    if not (
        has_cap(request.user, Cap.SELECTION_RUN) or has_cap(request.user, Cap.SELECTION_DECIDE)
    ):
        raise PermissionDenied
    cycle = _own_cycle(request, pk)
    target = _target(request, cycle, sub)
    form = forms.CheckForm(request.POST)
    if _saved(
        request,
        form,
        lambda data: inspection.record_check(
            actor=request.user,
            target=target,
            kind=data["kind"],
            result=data["result"],
            checked_on=data["checked_on"],
            source=data["source"],
            explanation=data["explanation"],
            note=data["note"],
            reason=data["reason"],
        ),
        lambda check: (
            _("已记录%(kind)s：%(result)s。")
            % {"kind": check.get_kind_display(), "result": check.get_result_display()}
        ),
    ):
        return redirect("selection:inspection_target", pk=cycle.pk, sub=target.pk)
    if cycle.stage != Stage.INSPECTION:
        _form_messages(request, form)
        return redirect("selection:inspection_target", pk=cycle.pk, sub=target.pk)
    return _inspection_target(request, cycle, target, check_form=form)


# --- 完成: the school's targets for its pool ---------------------------------------------


def _visible_school(request: AuthedRequest, school: int) -> School:
    return get_object_or_404(schools_visible_to(request.user), pk=school)


def _changes(entry: dict[str, Any], labels: list[tuple[str, Any]]) -> dict[str, Any]:
    """One audit entry of the targets with the numbers it changed, before and after."""
    old, new = entry["old"] or {}, entry["new"] or {}
    changed = [(label, old.get(name), new.get(name)) for name, label in labels
               if old.get(name) != new.get(name)]  # fmt: skip
    return {**entry, "changes": changed, "first": not old.get("own")}


def _pool_targets_page(
    request: AuthedRequest, school: School, form: forms.PoolTargetsForm | None = None
) -> HttpResponse:
    current = pool_targets.targets_of(school)
    can_set = request.user.school_id == school.pk and has_cap(request.user, Cap.SELECTION_RUN)
    if form is None and can_set:
        form = forms.PoolTargetsForm(initial=current.values())
    history = (
        AuditEntry.objects.filter(action="selection.pool_targets.set", school=school)
        .order_by("-seq")
        .values("at", "actor_name", "old", "new", "reason")
    )
    labels = [(name, pool_targets.label(name)) for name in pool_targets.FIELDS]
    values = current.values()
    return render(
        request,
        "selection/pool_targets.html",
        {
            "school": school,
            "targets": current,
            "rows": [(label, values[name], pool_targets.REFERENCE[name]) for name, label in labels],
            "history": [_changes(dict(entry), labels) for entry in history],
            "reference_source": pool_targets.REFERENCE_SOURCE,
            "form": form if can_set else None,
            # The pool page it was opened from, if one of this school's cycles.
            "back": Cycle.objects.filter(school=school, pk=int(back))
            .values_list("pk", flat=True)
            .first()
            if (back := request.GET.get("cycle") or request.POST.get("cycle", "")).isdigit()
            else None,
        },
    )


@requires(Cap.SELECTION_VIEW)
def pool_targets_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """The school's targets for the structure of its reserve pool: read by every reader
    of the school's pool (the district too), set by its personnel office."""
    return _pool_targets_page(request, _visible_school(request, pk))


@requires(Cap.SELECTION_RUN)
@require_POST
def pool_targets_save(request: AuthedRequest, pk: int) -> HttpResponse:
    """The personnel office sets its own school's targets (``pk``: the school)."""
    own = school_of(request)
    if own.pk != pk:
        raise Http404
    form = forms.PoolTargetsForm(request.POST)
    if _saved(
        request,
        form,
        lambda data: pool_targets.set_targets(actor=request.user, school=own, **data),
        _("已保存本校后备干部队伍结构目标。"),
    ):
        url = reverse("selection:pool_targets", kwargs={"pk": own.pk})
        back = request.POST.get("cycle", "")
        return redirect(f"{url}?cycle={back}" if back.isdigit() else url)
    return _pool_targets_page(request, own, form)
