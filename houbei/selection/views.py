"""Pages of the selection cycle (选拔周期): the list and archive, a new cycle, the cycle's
dashboard, one page per stage with its actions, the advance and reopen moves, the
documents, the reserve pool, and the notices every member of staff may read.

Who may do what (``accounts.access``): the personnel office runs a cycle
(``SELECTION_RUN``), the decision body chooses the targets, holds the talks, signs the
reports off and records its decisions (``SELECTION_DECIDE``), both and the district read
(``SELECTION_VIEW``); the district reads its schools' cycles but nothing confidential
(opinions, talks, objections, who was left out and why). Each view checks access with
``@requires``, finds the cycle among the schools the user may read (another school's is
404), parses with a form, calls one service and renders or redirects with a message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
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
from houbei.accounts.models import Role
from houbei.ballots.ratings import services as ratings
from houbei.core.errors import DomainError, NotAllowed
from houbei.people.models import Person

from . import (
    decision,
    documents,
    drafting,
    forms,
    inspection,
    notice,
    opinions,
    pages,
    recommendation,
    services,
    targets,
    workflow,
)
from .models import (
    STAGE_ORDER,
    CheckKind,
    Cycle,
    CycleList,
    DecisionMeeting,
    InspectionReport,
    InspectionTarget,
    Objection,
    ObjectionOutcome,
    OpinionSource,
    PoolEntry,
    RecommendationRound,
    RollMember,
    Stage,
    TalkRecommendation,
    stage_index,
)
from .stages import info

# --- finding the cycle, and who is looking ---------------------------------------------


def _cycle(request: AuthedRequest, pk: int) -> Cycle:
    """A cycle of a school the user may read; 404 otherwise."""
    return get_object_or_404(
        Cycle.objects.select_related("school", "rule_set"),
        pk=pk,
        school__in=schools_visible_to(request.user),
    )


def _own_cycle(request: AuthedRequest, pk: int) -> Cycle:
    """A cycle of the user's own school, for the views that write."""
    return get_object_or_404(
        Cycle.objects.select_related("school", "rule_set"), pk=pk, school=school_of(request)
    )


def _inside(request: AuthedRequest, cycle: Cycle) -> bool:
    """The user belongs to the cycle's school (personnel office, decision body): they may
    read what is confidential to the school."""
    return request.user.school_id == cycle.school_id


def _require_inside(request: AuthedRequest, cycle: Cycle) -> None:
    if not _inside(request, cycle):
        raise PermissionDenied


def _flags(request: AuthedRequest, cycle: Cycle) -> dict[str, Any]:
    inside = _inside(request, cycle)
    user = request.user
    return {
        "inside": inside,
        "can_run": inside and has_cap(user, Cap.SELECTION_RUN),
        "can_decide": inside and has_cap(user, Cap.SELECTION_DECIDE),
        "can_see_eligibility": inside and has_cap(user, Cap.ELIGIBILITY_VIEW),
        "can_audit": inside and has_cap(user, Cap.AUDIT_VIEW),
    }


def _fail(request: AuthedRequest, error: DomainError) -> None:
    for message in error.messages():
        messages.error(request, message)


@dataclass(frozen=True)
class Saved[T]:
    """What ``_saved`` did: true when the service went through, with what it returned
    (``value``, for the page to redirect to); false when the form or the service
    refused."""

    ok: bool
    value: T | None = None

    def __bool__(self) -> bool:
        return self.ok


def _saved[T](
    request: AuthedRequest,
    form: Any,
    save: Callable[[dict[str, Any]], T],
    done: str | Callable[[T], str],
) -> Saved[T]:
    """Validate ``form`` and hand its cleaned data to ``save`` (a service call): true,
    with ``done`` shown (a message, or one made from what the service returned), when it
    went through; false with the errors on the form, each at its field, when the form or
    the service refused."""
    if not form.is_valid():
        return Saved(False)
    try:
        value = save(form.cleaned_data)
    except DomainError as error:
        forms.show_errors(form, error)
        return Saved(False)
    messages.success(request, done if isinstance(done, str) else done(value))
    return Saved(True, value)


def _form_messages(request: AuthedRequest, form: Any) -> None:
    """A form's errors as messages, for a page that can no longer show the form (the
    cycle has left the stage): each names its field."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else str(error))


def _to_stage(cycle: Cycle, stage: str) -> HttpResponse:
    return redirect(pages.stage_url(cycle, stage))


# The service of each move forward, by the stage it leaves.
ADVANCE: dict[Stage, Callable[..., Cycle]] = {
    Stage.PREPARATION: workflow.start_recommendation,
    Stage.RECOMMENDATION: workflow.start_opinions,
    Stage.OPINIONS: workflow.start_target_selection,
    Stage.TARGETS: workflow.start_inspection,
    Stage.INSPECTION: workflow.start_decision,
    Stage.DECISION: workflow.start_notice,
    Stage.NOTICE: workflow.complete_cycle,
}


def _finished_stages(cycle: Cycle) -> list[Stage]:
    """The stages a cycle not yet complete may go back to."""
    if cycle.stage == Stage.DONE:
        return []
    return list(STAGE_ORDER[: stage_index(cycle.stage)])


def _moves(request: AuthedRequest, cycle: Cycle) -> dict[str, Any]:
    """What comes next: the next move, what stands in its way, and the forms to advance
    and to reopen."""
    transition = workflow.next_transition(cycle)
    problems = workflow.problems(cycle) if transition is not None else []
    finished = _finished_stages(cycle)
    start = timezone.localdate()
    deciding = cycle.stage == Stage.DECISION
    return {
        "transition": transition,
        "problems": problems,
        "advance_form": forms.AdvanceForm(initial={"stage": cycle.stage, "start": start}),
        "needs_start": deciding,
        "start_value": start.isoformat(),
        "notice_preview": _notice_preview(cycle, start) if deciding else "",
        "preview_url": pages.notice_preview_url(cycle, start) if deciding else "",
        # Before the 公示 is published: what it would leave blank for staff to contact.
        "contact_warning": pages.notice_contact(cycle, "public-notice").warning if deciding else "",
        "reopen_form": forms.ReopenForm(stages=finished) if finished else None,
    }


def _stage_context(
    request: AuthedRequest, cycle: Cycle, stage: Stage, *, per: str = "", **params: Any
) -> dict[str, Any]:
    """What every stage page shows: what is due, who is responsible, the deadline, the
    documents, whether it is the current stage, and the moves."""
    record = services.live_record(cycle, stage)
    current = stage_index(cycle.stage)
    here = stage_index(stage)
    state = (
        "done"
        if here < current or cycle.stage == Stage.DONE
        else ("current" if here == current else "upcoming")
    )
    flags = _flags(request, cycle)
    context = {
        "cycle": cycle,
        "stage": stage,
        "stage_info": info(stage),
        "record": record,
        "overdue": bool(
            record.deadline
            and record.finished_at is None
            and record.deadline < timezone.localdate()
        ),
        "state": state,
        "stage_links": [(s, pages.stage_url(cycle, s)) for s in STAGE_ORDER],
        "cycle_index": current,
        "documents": pages.stage_documents(cycle, stage, per=per, reader=request.user, **params)
        if flags["inside"]
        else [],
        "plan_form": (
            forms.PlanForm(
                school=cycle.school,
                initial={
                    "stage": stage,
                    "deadline": record.deadline,
                    "responsible": record.responsible_id or "",
                },
            )
            if flags["can_run"] and record.finished_at is None
            else None
        ),
        **flags,
    }
    if state == "current" and cycle.stage != Stage.DONE:
        context.update(_moves(request, cycle))
    elif state == "done" and flags["can_run"] and cycle.stage != Stage.DONE:
        context["reopen_form"] = forms.ReopenForm(
            stages=_finished_stages(cycle), initial={"stage": stage}
        )
    return context


# --- the list, the archive, a new cycle -----------------------------------------------------


@requires(Cap.SELECTION_VIEW)
def cycle_list(request: AuthedRequest) -> HttpResponse:
    cycles = list(
        pages.visible_cycles(schools_visible_to(request.user)).order_by(
            "school__name", "-year", "-created_at"
        )
    )
    return render(
        request,
        "selection/list.html",
        {
            "current": [c for c in cycles if c.stage != Stage.DONE],
            "archive": [c for c in cycles if c.stage == Stage.DONE],
            "many_schools": len({c.school_id for c in cycles}) > 1
            or request.user.school_id is None,
            "stage_count": len(STAGE_ORDER),
        },
    )


@requires(Cap.SELECTION_RUN)
def cycle_create(request: AuthedRequest) -> HttpResponse:
    school = school_of(request)
    form = forms.CycleForm(request.POST or None, school=school)
    if request.method == "POST":
        saved = _saved(
            request,
            form,
            lambda data: services.create_cycle(
                actor=request.user,
                school=school,
                title=data["title"],
                year=data["year"],
                reference_date=data["reference_date"],
                rule_set=data["rule_set"],
                lists=[services.ListDraft(level, quota) for level, quota in form.list_drafts()],
                roll=form.roll,
                settings=forms.setting_values(form),
            ),
            lambda cycle: _("已新建选拔周期“%(t)s”。") % {"t": cycle.title},
        )
        if saved.value is not None:
            return redirect("selection:detail", pk=saved.value.pk)
    return render(
        request,
        "selection/create.html",
        {"form": form, "settings": [form[name] for name in services.SETTINGS]},
    )


# --- the dashboard ---------------------------------------------------------------------


@requires(Cap.SELECTION_VIEW)
def cycle_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The cycle's timeline: the eight stages with their dates and counts, and what comes
    next. A fixed number of queries, whatever the size of the cycle."""
    cycle = _cycle(request, pk)
    board = pages.dashboard(cycle)
    context = {
        "cycle": cycle,
        "board": board,
        "current_row": board.current,
        **_flags(request, cycle),
    }
    if cycle.stage != Stage.DONE:
        context.update(_moves(request, cycle))
    return render(request, "selection/detail.html", context)


@requires(Cap.SELECTION_RUN)
@require_POST
def advance(request: AuthedRequest, pk: int) -> HttpResponse:
    """The next move of the cycle, through its service; the guards' messages if it may
    not go yet."""
    cycle = _own_cycle(request, pk)
    form = forms.AdvanceForm(request.POST)
    if not form.is_valid() or form.cleaned_data["stage"] != cycle.stage:
        messages.error(
            request,
            _("页面已过期：选拔周期现处于“%(s)s”阶段，请核对后再操作。")
            % {"s": cycle.get_stage_display()},
        )
        return _to_stage(cycle, cycle.stage)
    stage = Stage(cycle.stage)
    service = ADVANCE.get(stage)
    if service is None:
        messages.error(request, _("选拔周期已完成。"))
        return _to_stage(cycle, cycle.stage)
    try:
        if stage == Stage.DECISION:
            start = form.cleaned_data.get("start")
            if start is None:
                messages.error(request, _("公示开始日期：请填写。"))
                return _to_stage(cycle, cycle.stage)
            cycle = service(actor=request.user, cycle=cycle, start=start)
        else:
            cycle = service(actor=request.user, cycle=cycle)
    except DomainError as error:
        # The move's own sentence: "还不能开始征求意见：…" names the move and every reason.
        messages.error(request, str(error.message))
        return _to_stage(cycle, stage)
    messages.success(request, _("已进入“%(s)s”阶段。") % {"s": cycle.get_stage_display()})
    return _to_stage(cycle, cycle.stage)


@requires(Cap.SELECTION_RUN)
@require_POST
def reopen(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = _own_cycle(request, pk)
    form = forms.ReopenForm(request.POST, stages=_finished_stages(cycle))
    if not form.is_valid():
        _form_messages(request, form)
        return redirect("selection:detail", pk=cycle.pk)
    try:
        cycle = workflow.reopen_stage(
            actor=request.user,
            cycle=cycle,
            stage=form.cleaned_data["stage"],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as error:
        _fail(request, error)
        return redirect("selection:detail", pk=cycle.pk)
    messages.success(request, _("已重新开启“%(s)s”阶段。") % {"s": cycle.get_stage_display()})
    return _to_stage(cycle, cycle.stage)


@requires(Cap.SELECTION_RUN)
@require_POST
def plan(request: AuthedRequest, pk: int) -> HttpResponse:
    """A stage's deadline and responsible person."""
    cycle = _own_cycle(request, pk)
    form = forms.PlanForm(request.POST, school=cycle.school)
    if not form.is_valid():
        messages.error(request, _("截止日期或负责人无效。"))
        return redirect("selection:detail", pk=cycle.pk)
    stage = form.cleaned_data["stage"]
    try:
        services.plan_stage(
            actor=request.user,
            cycle=cycle,
            stage=stage,
            deadline=form.cleaned_data["deadline"],
            responsible=form.person(),
        )
    except DomainError as error:
        _fail(request, error)
    else:
        messages.success(request, _("已保存“%(s)s”阶段的安排。") % {"s": Stage(stage).label})
    return _to_stage(cycle, stage)


@requires(Cap.SELECTION_VIEW)
def document(request: AuthedRequest, pk: int, fmt: str) -> HttpResponse:
    """One document of the cycle from the documents registry, its export audited
    (``documents.export_document``). The school's own: the district has none here."""
    cycle = _cycle(request, pk)
    _require_inside(request, cycle)
    entry = documents.DOCUMENTS.get(request.GET.get("key", ""))
    if entry is None or fmt not in entry.formats:
        messages.error(request, _("没有这份文书，或不提供该格式。"))
        return redirect("selection:detail", pk=cycle.pk)
    params: dict[str, Any] = {
        name: request.GET[name] for name in entry.params if request.GET.get(name, "").strip()
    }
    if "start" in params:
        form = forms.AdvanceForm({"stage": cycle.stage, "start": params["start"]})
        if not form.is_valid() or form.cleaned_data["start"] is None:
            messages.error(request, _("公示开始日期：请填写有效日期。"))
            return redirect("selection:detail", pk=cycle.pk)
        params["start"] = form.cleaned_data["start"]
    if "contact" in entry.params and "contact" not in params:
        # Without a responsible person for its stage the notice names the personnel office.
        contact = pages.notice_contact(cycle, entry.key).text
        if contact:
            params["contact"] = contact
    try:
        file = documents.export_document(
            actor=request.user, key=entry.key, fmt=fmt, cycle=cycle, **params
        )
    except NotAllowed as error:
        raise PermissionDenied from error
    except DomainError as error:
        _fail(request, error)
        return _to_stage(cycle, entry.stage)
    response = HttpResponse(file.content, content_type=file.content_type)
    disposition = "inline" if fmt in ("html", "pdf") else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(file.filename)}"
    return response


def _int(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


# --- 筹备 ------------------------------------------------------------------------------


def _preparation(request: AuthedRequest, cycle: Cycle, **bound: Any) -> HttpResponse:
    flags = _flags(request, cycle)
    editable = flags["can_run"] and cycle.stage == Stage.PREPARATION
    roll = list(
        RollMember.objects.filter(cycle=cycle)
        .select_related("person", "added_by", "removed_by")
        .order_by("removed_at", "person__staff_number")
    )
    context = _stage_context(request, cycle, Stage.PREPARATION)
    context.update(
        {
            "lists": CycleList.objects.filter(cycle=cycle).order_by("position", "pk"),
            "settings": [
                (spec.label, getattr(cycle, name)) for name, spec in services.SETTINGS.items()
            ],
            "roll": [m for m in roll if m.removed_at is None],
            "removed": [m for m in roll if m.removed_at is not None],
            "editable": editable,
        }
    )
    if editable:
        context.update(
            {
                "setup_form": bound.get("setup_form")
                or forms.SetupForm(cycle=cycle, values=services.settings_of(cycle)),
                "list_form": bound.get("list_form") or forms.ListForm(),
                "roll_add_form": bound.get("roll_add_form")
                or forms.RollAddForm(school=cycle.school),
                "roll_remove_form": bound.get("roll_remove_form")
                or forms.RollRemoveForm(school=cycle.school),
            }
        )
        context["setting_fields"] = [context["setup_form"][n] for n in services.SETTINGS]
    return render(request, "selection/preparation.html", context)


@requires(Cap.SELECTION_VIEW)
def preparation(request: AuthedRequest, pk: int) -> HttpResponse:
    return _preparation(request, _cycle(request, pk))


@requires(Cap.SELECTION_RUN)
@require_POST
def setup(request: AuthedRequest, pk: int) -> HttpResponse:
    """The reference date, the rule set and the settings, changed together or not at all."""
    cycle = _own_cycle(request, pk)
    form = forms.SetupForm(request.POST, cycle=cycle, values=services.settings_of(cycle))

    def save(data: dict[str, Any]) -> None:
        with transaction.atomic():
            services.update_cycle(
                actor=request.user,
                cycle=cycle,
                reference_date=data["reference_date"],
                rule_set=data["rule_set"],
            )
            services.update_settings(
                actor=request.user, cycle=cycle, changes=forms.setting_values(form)
            )

    if _saved(request, form, save, _("已保存筹备事项。")):
        return redirect("selection:preparation", pk=cycle.pk)
    if cycle.stage != Stage.PREPARATION:
        _form_messages(request, form)
        return redirect("selection:preparation", pk=cycle.pk)
    return _preparation(request, cycle, setup_form=form)


@requires(Cap.SELECTION_RUN)
@require_POST
def set_list(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = _own_cycle(request, pk)
    form = forms.ListForm(request.POST)
    if _saved(
        request,
        form,
        lambda data: services.set_list(
            actor=request.user,
            cycle=cycle,
            level=data["level"],
            quota=data["quota"],
            name=data["name"],
        ),
        lambda item: _("%(n)s：名额%(q)d名。") % {"n": item.name, "q": item.quota},
    ):
        return redirect("selection:preparation", pk=cycle.pk)
    if cycle.stage != Stage.PREPARATION:
        _form_messages(request, form)
        return redirect("selection:preparation", pk=cycle.pk)
    return _preparation(request, cycle, list_form=form)


@requires(Cap.SELECTION_RUN)
@require_POST
def roll_add(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = _own_cycle(request, pk)
    form = forms.RollAddForm(request.POST, school=cycle.school)
    if _saved(
        request,
        form,
        lambda data: services.add_to_roll(
            actor=request.user, cycle=cycle, people=form.chosen, basis=data["basis"]
        ),
        lambda added: _("已加入%(n)d人（已在名单上的不重复加入）。") % {"n": added},
    ):
        return redirect("selection:preparation", pk=cycle.pk)
    if cycle.stage != Stage.PREPARATION:
        _form_messages(request, form)
        return redirect("selection:preparation", pk=cycle.pk)
    return _preparation(request, cycle, roll_add_form=form)


@requires(Cap.SELECTION_RUN)
@require_POST
def roll_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    """Take people off the roll, all or none, each with the reason."""
    cycle = _own_cycle(request, pk)
    form = forms.RollRemoveForm(request.POST, school=cycle.school)

    def save(data: dict[str, Any]) -> int:
        with transaction.atomic():
            for person in form.chosen:
                services.remove_from_roll(
                    actor=request.user, cycle=cycle, person=person, reason=data["reason"]
                )
        return len(form.chosen)

    if _saved(request, form, save, lambda n: _("已移出%(n)d人。") % {"n": n}):
        return redirect("selection:preparation", pk=cycle.pk)
    if cycle.stage != Stage.PREPARATION:
        _form_messages(request, form)
        return redirect("selection:preparation", pk=cycle.pk)
    return _preparation(request, cycle, roll_remove_form=form)


# --- 民主推荐 ----------------------------------------------------------------------------


@requires(Cap.SELECTION_VIEW)
def recommendation_page(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    context = _stage_context(request, cycle, Stage.RECOMMENDATION)
    rounds = pages.round_views(cycle, can_run=context["can_run"])
    if context["inside"]:
        for rv in rounds:
            if rv.round.outcome != "pending":
                rv.documents = pages.stage_documents(
                    cycle, Stage.RECOMMENDATION, per="round", round=rv.round.number
                )
    last = rounds[-1].round if rounds else None
    may_add = cycle.stage == Stage.RECOMMENDATION and (
        last is None or last.outcome == "void" or (last.outcome == "valid" and last.scattered)
    )
    context.update(
        {
            "rounds": rounds,
            "eligible": pages.eligible_people(cycle) if context["inside"] else [],
            "eligible_count": pages.eligible_count(cycle),
            "left_out": pages.left_out(cycle) if context["can_see_eligibility"] else [],
            "round_form": forms.RoundForm() if context["can_run"] and may_add else None,
            "second_round": last is not None,
            "talk_rows": (
                TalkRecommendation.objects.filter(cycle=cycle, count__gt=0)
                .select_related("person", "cycle_list")
                .order_by("cycle_list__position", "-count", "person__staff_number")
                if context["inside"]
                else []
            ),
        }
    )
    return render(request, "selection/recommendation.html", context)


@requires(Cap.SELECTION_RUN)
@require_POST
def round_create(request: AuthedRequest, pk: int) -> HttpResponse:
    """A new round of 会议推荐, its candidates the eligible (or, in a later round, the
    previous round's): an election of the ballots pages."""
    cycle = _own_cycle(request, pk)
    form = forms.RoundForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("投票方式：请选择。"))
        return redirect("selection:recommendation", pk=cycle.pk)
    try:
        round_ = recommendation.create_round(
            actor=request.user, cycle=cycle, mode=form.cleaned_data["mode"]
        )
    except DomainError as error:
        _fail(request, error)
    else:
        messages.success(
            request,
            _("已新建第%(n)d轮推荐（投票草稿）。请到投票页生成选票或名单后开始投票。")
            % {"n": round_.number},
        )
    return redirect("selection:recommendation", pk=cycle.pk)


def _round_step(
    service: Callable[..., RecommendationRound], done: str
) -> Callable[..., HttpResponse]:
    @requires(Cap.SELECTION_RUN)
    @require_POST
    def view(request: AuthedRequest, pk: int, sub: int) -> HttpResponse:
        cycle = _own_cycle(request, pk)
        round_ = get_object_or_404(RecommendationRound, pk=sub, cycle=cycle)
        try:
            round_ = service(actor=request.user, round_=round_)
        except DomainError as error:
            _fail(request, error)
        else:
            messages.success(request, done % {"n": round_.number})
        return redirect("selection:recommendation", pk=cycle.pk)

    view.__name__ = service.__name__
    return view


round_open = _round_step(recommendation.open_round, _("第%(n)d轮推荐已开始投票。"))
round_close = _round_step(recommendation.close_round, _("第%(n)d轮推荐已结束投票。"))
round_tally = _round_step(recommendation.tally_round, _("第%(n)d轮推荐已计票。"))


@requires(Cap.SELECTION_RUN)
def talk_counts(request: AuthedRequest, pk: int) -> HttpResponse:
    """谈话调研推荐: how many were talked to, and per list how many named each candidate."""
    cycle = _own_cycle(request, pk)
    lists = list(CycleList.objects.filter(cycle=cycle).order_by("position", "pk"))
    people = pages.eligible_people(cycle)
    counts = {
        (t.cycle_list_id, t.person_id): t.count
        for t in TalkRecommendation.objects.filter(cycle=cycle)
    }
    form = forms.TalkCountsForm(
        request.POST or None,
        lists=lists,
        people=people,
        counts=counts,
        initial={"interviewees": cycle.talk_interviewees or None},
    )
    if request.method == "POST" and _saved(
        request,
        form,
        lambda data: recommendation.record_talk_recommendations(
            actor=request.user,
            cycle=cycle,
            interviewees=data["interviewees"],
            counts=[recommendation.TalkCount(cl, p, n) for cl, p, n in form.counts()],
        ),
        _("已保存谈话调研推荐情况。"),
    ):
        return redirect("selection:recommendation", pk=cycle.pk)
    return render(
        request,
        "selection/talk_counts.html",
        {
            "cycle": cycle,
            "form": form,
            "lists": lists,
            "editable": cycle.stage == Stage.RECOMMENDATION,
        },
    )


# --- 征求意见 ----------------------------------------------------------------------------


def _board(
    request: AuthedRequest, cycle: Cycle, can_run: bool
) -> tuple[list[pages.CandidateRow], Any, bool]:
    figures, round_, hidden = pages.latest_visible_standings(cycle, can_run=can_run)
    rows = pages.candidate_rows(cycle, pages.eligible_people(cycle), figures)
    return rows, round_, hidden


def _opinions(request: AuthedRequest, cycle: Cycle, form: Any = None) -> HttpResponse:
    context = _stage_context(request, cycle, Stage.OPINIONS)
    rows: list[pages.CandidateRow] = []
    round_, hidden = None, False
    if context["inside"]:
        rows, round_, hidden = _board(request, cycle, context["can_run"])
    editable = context["can_run"] and cycle.stage == Stage.OPINIONS
    if editable and form is None:
        initial = {"person": request.GET.get("person", "")}
        form = forms.OpinionForm(people=[r.person for r in rows], initial=initial)
    context.update(
        {
            "rows": rows,
            "lists": list(CycleList.objects.filter(cycle=cycle).order_by("position", "pk")),
            "round": round_,
            "figures_hidden": hidden,
            "form": form if editable else None,
            "consulted": sum(1 for r in rows if r.consulted),
            "sources": list(OpinionSource),
        }
    )
    return render(request, "selection/opinions.html", context)


@requires(Cap.SELECTION_VIEW)
def opinions_page(request: AuthedRequest, pk: int) -> HttpResponse:
    return _opinions(request, _cycle(request, pk))


@requires(Cap.SELECTION_RUN)
@require_POST
def opinion_record(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = _own_cycle(request, pk)
    form = forms.OpinionForm(request.POST, people=pages.eligible_people(cycle))
    if _saved(
        request,
        form,
        lambda data: opinions.record_opinion(
            actor=request.user,
            cycle=cycle,
            person=form.by_pk[data["person"]],
            source=data["source"],
            stance=data["stance"],
            text=data["text"],
        ),
        lambda opinion: _("已记录对%(n)s的意见。") % {"n": opinion.person.name},
    ):
        return redirect("selection:opinions", pk=cycle.pk)
    if cycle.stage != Stage.OPINIONS:
        _form_messages(request, form)
        return redirect("selection:opinions", pk=cycle.pk)
    return _opinions(request, cycle, form)


# --- 确定考察对象 --------------------------------------------------------------------------


def _targets(
    request: AuthedRequest, cycle: Cycle, form: Any = None, warnings: Any = ()
) -> HttpResponse:
    context = _stage_context(request, cycle, Stage.TARGETS)
    lists = list(CycleList.objects.filter(cycle=cycle).order_by("position", "pk"))
    chosen = list(pages.active_targets(cycle))
    rows: list[pages.CandidateRow] = []
    round_, hidden = None, False
    if context["inside"]:
        rows, round_, hidden = _board(request, cycle, context["can_run"])
    choosing = context["can_decide"] and cycle.stage == Stage.TARGETS
    if choosing and form is None:
        consulted = [r for r in rows if r.consulted]
        form = forms.TargetsForm(
            lists=lists,
            candidates={cl.pk: [r.person for r in _ranked(consulted, cl)] for cl in lists},
            chosen={
                cl.pk: {t.person_id for t in chosen if t.cycle_list_id == cl.pk} for cl in lists
            },
        )
    per_list = []
    for cl in lists:
        ranked = _ranked(rows, cl)
        field = form[f"list_{cl.pk}"] if form is not None else None
        per_list.append(
            {
                "list": cl,
                "rows": ranked,
                "field": field,
                "targets": [t for t in chosen if t.cycle_list_id == cl.pk],
            }
        )
    selection = cycle.target_selections.order_by("-pk").first()
    context.update(
        {
            "per_list": per_list,
            "form": form if choosing else None,
            "warnings": list(warnings),
            "round": round_,
            "figures_hidden": hidden,
            # The office sees a counted round's figures; the decision body only once published.
            "results_unpublished": (
                context["can_run"]
                and not chosen
                and (valid := recommendation.latest_valid_round(cycle)) is not None
                and valid.election.status == "tallied"
            ),
            "targets": chosen,
            "selection": selection,
            "notice_form": (
                forms.InspectionNoticeForm()
                if context["can_run"] and cycle.stage == Stage.TARGETS and chosen
                else None
            ),
            # Every target announced: the form corrects the day entered, with the reason.
            "notice_correcting": bool(chosen)
            and all(t.notice_published_on is not None for t in chosen),
            "readiness_form": context["can_decide"]
            and cycle.stage in (Stage.TARGETS, Stage.INSPECTION, Stage.DECISION, Stage.NOTICE),
            "readiness_choices": forms.ReadinessForm.base_fields["readiness"].choices,  # type: ignore[attr-defined]
            "inspection_from": _inspection_from(cycle, chosen),
            "contact_warning": pages.notice_contact(cycle, "inspection-notice").warning
            if context["can_run"] and cycle.stage == Stage.TARGETS and chosen
            else "",
            "sources": list(OpinionSource),
        }
    )
    return render(request, "selection/targets.html", context)


def _ranked(rows: list[pages.CandidateRow], cycle_list: CycleList) -> list[pages.CandidateRow]:
    return sorted(rows, key=lambda r: (pages.rank_in(r, cycle_list), r.person.staff_number))


def _inspection_from(cycle: Cycle, chosen: list[InspectionTarget]) -> dt.date | None:
    dates = [t.notice_published_on for t in chosen if t.notice_published_on]
    return max(dates) + dt.timedelta(days=cycle.inspection_notice_days) if dates else None


@requires(Cap.SELECTION_VIEW)
def targets_page(request: AuthedRequest, pk: int) -> HttpResponse:
    return _targets(request, _cycle(request, pk))


@requires(Cap.SELECTION_DECIDE)
@require_POST
def targets_choose(request: AuthedRequest, pk: int) -> HttpResponse:
    """The decision body's choice, with the votes beside the names; a choice that is not
    差额 comes back with the warning and needs the reason to go through."""
    cycle = _own_cycle(request, pk)
    lists = list(CycleList.objects.filter(cycle=cycle).order_by("position", "pk"))
    rows, _round, _hidden = _board(request, cycle, False)
    consulted = [r for r in rows if r.consulted]
    form = forms.TargetsForm(
        request.POST,
        lists=lists,
        candidates={cl.pk: [r.person for r in _ranked(consulted, cl)] for cl in lists},
        chosen={},
    )
    warnings: list[str] = []
    if form.is_valid():
        try:
            selection = targets.choose_targets(
                actor=request.user,
                cycle=cycle,
                decided_on=form.cleaned_data["decided_on"],
                targets=form.targets(),
                acknowledgement=form.cleaned_data["acknowledgement"],
            )
        except targets.AcknowledgementNeeded as error:
            warnings = [str(w) for w in error.errors.get("targets", [])]
            form.add_error("acknowledgement", str(error.message))
        except DomainError as error:
            forms.show_errors(form, error)
        else:
            n = selection.targets.count()
            messages.success(request, _("已确定考察对象%(n)d人次。") % {"n": n})
            return redirect("selection:targets", pk=cycle.pk)
    if cycle.stage != Stage.TARGETS:
        _form_messages(request, form)
        return redirect("selection:targets", pk=cycle.pk)
    return _targets(request, cycle, form, warnings)


@requires(Cap.SELECTION_RUN)
@require_POST
def targets_notice(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = _own_cycle(request, pk)
    form = forms.InspectionNoticeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("考察预告发布日期：请填写有效日期。"))
        return redirect("selection:targets", pk=cycle.pk)
    # Only when correcting a day already entered: why (kept in the audit entry).
    reason = request.POST.get("reason", "").strip()
    if len(reason) > 500:
        messages.error(request, _("更正理由：不能超过500字。"))
        return redirect("selection:targets", pk=cycle.pk)
    correcting = (
        not InspectionTarget.objects.active()
        .filter(cycle=cycle, notice_published_on__isnull=True)
        .exists()
    )
    try:
        n = targets.publish_inspection_notice(
            actor=request.user,
            cycle=cycle,
            published_on=form.cleaned_data["published_on"],
            reason=reason,
        )
    except DomainError as error:
        _fail(request, error)
    else:
        if correcting:
            messages.success(
                request,
                _("已将考察预告发布日期更正为%(day)s（%(n)d人次）。")
                % {"day": form.cleaned_data["published_on"], "n": n},
            )
        else:
            messages.success(request, _("已发布考察预告（%(n)d人次）。") % {"n": n})
    return redirect("selection:targets", pk=cycle.pk)


@requires(Cap.SELECTION_DECIDE)
@require_POST
def readiness(request: AuthedRequest, pk: int, sub: int) -> HttpResponse:
    cycle = _own_cycle(request, pk)
    target = get_object_or_404(InspectionTarget.objects.active(), pk=sub, cycle=cycle)
    form = forms.ReadinessForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("成熟程度：请选择近期可提拔或中长期培养。"))
    else:
        try:
            target = targets.set_readiness(
                actor=request.user, target=target, readiness=form.cleaned_data["readiness"]
            )
        except DomainError as error:
            _fail(request, error)
        else:
            messages.success(
                request, _("%(t)s：%(r)s。") % {"t": target, "r": target.get_readiness_display()}
            )
    return redirect("selection:targets", pk=cycle.pk)


# --- 组织考察 ----------------------------------------------------------------------------


@requires(Cap.SELECTION_VIEW)
def inspection_page(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    context = _stage_context(request, cycle, Stage.INSPECTION)
    chosen = list(pages.active_targets(cycle).select_related("report", "report__signed_version"))
    talks = pages.talk_counts(cycle)
    latest: dict[int, int] = {}
    for report_id, number in InspectionReport.objects.filter(target__in=chosen).values_list(
        "pk", "versions__number"
    ):
        if number is not None:
            latest[report_id] = max(latest.get(report_id, 0), number)
    rows = []
    for t in chosen:
        report = getattr(t, "report", None)
        version = latest.get(report.pk) if report is not None else None
        signed = (
            report is not None
            and report.signed_version is not None
            and report.signed_version.number == version
        )
        rows.append(
            {"target": t, "talks": talks.get(t.person_id, 0), "version": version, "signed": signed}
        )
    context["rows"] = rows
    return render(request, "selection/inspection.html", context)


def _target(request: AuthedRequest, cycle: Cycle, sub: int) -> InspectionTarget:
    return get_object_or_404(
        InspectionTarget.objects.select_related("person", "cycle_list", "rating_round"),
        pk=sub,
        cycle=cycle,
    )


def _inspection_target(
    request: AuthedRequest, cycle: Cycle, target: InspectionTarget, **bound: Any
) -> HttpResponse:
    context = _stage_context(request, cycle, Stage.INSPECTION, per="target", target=target.pk)
    open_ = cycle.stage == Stage.INSPECTION and target.withdrawn_at is None
    report = (
        InspectionReport.objects.filter(target=target)
        .select_related("signed_by", "signed_version")
        .first()
    )
    versions = (
        list(report.versions.select_related("written_by").order_by("-number")) if report else []
    )
    shown = versions[0] if versions else None
    wanted = request.GET.get("v")
    if wanted and versions:
        shown = next((v for v in versions if str(v.number) == wanted), shown)
    talks = list(pages.talks_about(target).select_related("recorded_by"))
    figures, _round, _hidden = pages.latest_visible_standings(cycle, can_run=context["can_run"])
    standing = figures.get((target.cycle_list_id, target.person_id))
    checks = inspection.checks_about(target)
    can_check = context["can_run"] or context["can_decide"]
    context.update(
        {
            "target": target,
            "checklist": pages.checklist(
                target,
                talks=len(talks),
                has_standing=standing is not None if figures else None,
                checks=checks,
                confidential=context["inside"],
            ),
            "checks": [(kind, checks.get(kind)) for kind in CheckKind] if context["inside"] else [],
            "check_history": inspection.check_history(target) if context["inside"] else [],
            "check_form": (bound.get("check_form") or forms.CheckForm())
            if can_check and open_
            else None,
            "talks": talks if context["can_decide"] else [],
            "talk_count": len(talks),
            "talk_form": (bound.get("talk_form") or forms.TalkForm(school=cycle.school))
            if context["can_decide"] and open_
            else None,
            "appraisal_form": (bound.get("appraisal_form") or forms.AppraisalForm())
            if context["can_run"] and open_ and target.rating_round is None
            else None,
            "report": report,
            "versions": versions if context["inside"] else [],
            "shown": shown if context["inside"] else None,
            "report_form": (
                bound.get("report_form")
                or forms.ReportForm(initial={"text": versions[0].text if versions else ""})
            )
            if context["can_run"] and open_
            else None,
            "can_draft": context["can_run"] and open_,
            "can_sign": context["can_decide"]
            and open_
            and bool(versions)
            and (report is None or report.signed_version_id != versions[0].pk),
            "standing": standing,
            "siblings": InspectionTarget.objects.active()
            .filter(cycle=cycle, person=target.person)
            .exclude(pk=target.pk)
            .select_related("cycle_list"),
        }
    )
    return render(request, "selection/inspection_target.html", context)


@requires(Cap.SELECTION_VIEW)
def inspection_target(request: AuthedRequest, pk: int, sub: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    return _inspection_target(request, cycle, _target(request, cycle, sub))


@requires(Cap.SELECTION_DECIDE)
@require_POST
def talk_record(request: AuthedRequest, pk: int, sub: int) -> HttpResponse:
    """个别谈话: recorded and read by the decision body only."""
    cycle = _own_cycle(request, pk)
    target = _target(request, cycle, sub)
    form = forms.TalkForm(request.POST, school=cycle.school)
    if _saved(
        request,
        form,
        lambda data: inspection.record_talk(
            actor=request.user,
            target=target,
            interviewee_name=data["interviewee_name"],
            interviewee=form.interviewee(),
            held_on=data["held_on"],
            interviewer=data["interviewer"],
            summary=data["summary"],
        ),
        _("已记录个别谈话。"),
    ):
        return redirect("selection:inspection_target", pk=cycle.pk, sub=target.pk)
    if cycle.stage != Stage.INSPECTION:
        _form_messages(request, form)
        return redirect("selection:inspection_target", pk=cycle.pk, sub=target.pk)
    return _inspection_target(request, cycle, target, talk_form=form)


@requires(Cap.SELECTION_RUN)
@require_POST
def appraisal(request: AuthedRequest, pk: int, sub: int) -> HttpResponse:
    """The target's 民主测评: a rating round of the ratings pages, where its rolls and codes
    are given and it is opened, closed and released."""
    cycle = _own_cycle(request, pk)
    target = _target(request, cycle, sub)
    form = forms.AppraisalForm(request.POST)
    saved = _saved(
        request,
        form,
        lambda data: inspection.start_appraisal(
            actor=request.user,
            target=target,
            groups=[ratings.GroupDraft(name, k, mode) for name, k, mode in form.groups()],
        ),
        _("已建立民主测评（草稿）。请在测评页设置评议人并开始测评。"),
    )
    if saved.value is not None:
        if saved.value.rating_round_id:
            return redirect("ratings:detail", pk=saved.value.rating_round_id)
        return redirect("selection:inspection_target", pk=cycle.pk, sub=target.pk)
    if cycle.stage != Stage.INSPECTION:
        _form_messages(request, form)
        return redirect("selection:inspection_target", pk=cycle.pk, sub=target.pk)
    return _inspection_target(request, cycle, target, appraisal_form=form)


@requires(Cap.SELECTION_RUN)
@require_POST
def report_save(request: AuthedRequest, pk: int, sub: int) -> HttpResponse:
    cycle = _own_cycle(request, pk)
    target = _target(request, cycle, sub)
    form = forms.ReportForm(request.POST)
    if _saved(
        request,
        form,
        lambda data: inspection.save_report(actor=request.user, target=target, text=data["text"]),
        lambda version: _("已保存考察材料第%(n)d稿，待签发。") % {"n": version.number},
    ):
        return redirect("selection:inspection_target", pk=cycle.pk, sub=target.pk)
    if cycle.stage != Stage.INSPECTION:
        _form_messages(request, form)
        return redirect("selection:inspection_target", pk=cycle.pk, sub=target.pk)
    return _inspection_target(request, cycle, target, report_form=form)


@requires(Cap.SELECTION_RUN)
@require_POST
def report_draft(request: AuthedRequest, pk: int, sub: int) -> HttpResponse:
    """A new version of the 考察材料 drafted from the data, for a person to edit."""
    cycle = _own_cycle(request, pk)
    target = _target(request, cycle, sub)
    try:
        text = drafting.draft_report(target)
        version = inspection.save_report(actor=request.user, target=target, text=text)
    except DomainError as error:
        _fail(request, error)
    else:
        messages.success(
            request,
            _("已按现有材料起草第%(n)d稿，请核实修改后保存、签发。") % {"n": version.number},
        )
    return redirect("selection:inspection_target", pk=cycle.pk, sub=target.pk)


@requires(Cap.SELECTION_DECIDE)
@require_POST
def report_sign(request: AuthedRequest, pk: int, sub: int) -> HttpResponse:
    cycle = _own_cycle(request, pk)
    target = _target(request, cycle, sub)
    try:
        report = inspection.sign_off_report(actor=request.user, target=target)
    except DomainError as error:
        _fail(request, error)
    else:
        number = report.signed_version.number if report.signed_version else 0
        messages.success(request, _("已签发考察材料第%(n)d稿。") % {"n": number})
    return redirect("selection:inspection_target", pk=cycle.pk, sub=target.pk)


# --- 讨论决定 ----------------------------------------------------------------------------

MEETING_EXTRA_ROWS = 3


def _default_members(cycle: Cycle) -> list[Person]:
    """The school's decision body as the registry knows it: staff with a decision-body
    account; the last meeting's members once there was one."""
    last = DecisionMeeting.objects.filter(cycle=cycle).order_by("-held_on", "-pk").first()
    if last is not None:
        return [
            m.person for m in last.members.select_related("person").order_by("main_leader", "pk")
        ]
    return list(
        Person.objects.for_school(cycle.school)
        .current()
        .filter(user__role=Role.DECISION)
        .order_by("staff_number")
    )


def _open_targets(cycle: Cycle) -> list[InspectionTarget]:
    """Targets still to decide: no decision yet, or the last one postponed."""
    decided = decision.latest_decisions(cycle)
    return [
        t
        for t in pages.active_targets(cycle)
        if t.pk not in decided or decided[t.pk].outcome == "postponed"
    ]


def _meeting_form(cycle: Cycle, data: Any = None) -> forms.MeetingForm:
    members = _default_members(cycle)
    return forms.MeetingForm(
        data,
        school=cycle.school,
        targets=_open_targets(cycle),
        members=members,
        rows=len(members) + MEETING_EXTRA_ROWS,
        initial={"main_leader": ""},
    )


def _decision(request: AuthedRequest, cycle: Cycle, form: Any = None) -> HttpResponse:
    context = _stage_context(request, cycle, Stage.DECISION)
    decided = decision.latest_decisions(cycle)
    meetings = list(
        DecisionMeeting.objects.filter(cycle=cycle)
        .prefetch_related(
            "members__person",
            "votes__member__person",
            "decisions__target__person",
            "decisions__target__cycle_list",
        )
        .order_by("held_on", "pk")
    )
    recording = context["can_decide"] and cycle.stage == Stage.DECISION
    if recording and form is None:
        form = _meeting_form(cycle)
    if form is not None and not form.targets:
        recording = False
    minutes = []
    for m in meetings:
        votes: dict[int, list[Any]] = {}
        for v in sorted(m.votes.all(), key=lambda v: (v.target_id, v.order)):
            votes.setdefault(v.target_id, []).append(v)
        minutes.append(
            {
                "meeting": m,
                "decisions": [(d, votes.get(d.target_id, [])) for d in m.decisions.all()],
                "members": list(m.members.all()),
            }
        )
    context.update(
        {
            "rows": [(t, decided.get(t.pk)) for t in pages.active_targets(cycle)],
            "minutes": minutes,
            "form": form if recording else None,
            "quorum": f"{cycle.decision_quorum_numerator}/{cycle.decision_quorum_denominator}",
            "pass_share": f"{cycle.pass_numerator}/{cycle.pass_denominator}",
        }
    )
    return render(request, "selection/decision.html", context)


@requires(Cap.SELECTION_VIEW)
def decision_page(request: AuthedRequest, pk: int) -> HttpResponse:
    return _decision(request, _cycle(request, pk))


@requires(Cap.SELECTION_DECIDE)
@require_POST
def meeting_record(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = _own_cycle(request, pk)
    form = _meeting_form(cycle, request.POST)

    def save(data: dict[str, Any]) -> DecisionMeeting:
        members, votes = form.drafts()
        return decision.record_meeting(
            actor=request.user,
            cycle=cycle,
            held_on=data["held_on"],
            members=[decision.MemberDraft(p, present, leader) for p, present, leader in members],
            votes=votes,
            note=data["note"],
            over_quota_reason=data["over_quota_reason"],
        )

    def done(meeting: DecisionMeeting) -> str:
        outcomes = "；".join(
            f"{d.target}：{d.get_outcome_display()}"
            for d in meeting.decisions.select_related("target__person", "target__cycle_list")
        )
        return _("已记录讨论决定。%(o)s") % {"o": outcomes}

    if _saved(request, form, save, done):
        return redirect("selection:decision", pk=cycle.pk)
    if cycle.stage != Stage.DECISION:
        _form_messages(request, form)
        return redirect("selection:decision", pk=cycle.pk)
    return _decision(request, cycle, form)


# --- 公示 -------------------------------------------------------------------------------


def _notice_preview(cycle: Cycle, start: dt.date) -> str:
    end, warnings = notice.notice_period(start, cycle.notice_working_days)
    text = _("自%(start)s起%(n)d个工作日，公示期至%(end)s。") % {
        "start": start,
        "n": cycle.notice_working_days,
        "end": end,
    }
    return " ".join([text, *map(str, warnings)])


@requires(Cap.SELECTION_RUN)
def notice_end(request: AuthedRequest, pk: int) -> HttpResponse:
    """The notice's last day for a start date, as the start field changes (htmx)."""
    cycle = _own_cycle(request, pk)
    form = forms.AdvanceForm({"stage": cycle.stage, "start": request.GET.get("start", "")})
    start = form.cleaned_data.get("start") if form.is_valid() else None
    text = _notice_preview(cycle, start) if start else _("请填写有效的公示开始日期。")
    return render(
        request,
        "selection/_notice_end.html",
        {"text": text, "preview_url": pages.notice_preview_url(cycle, start) if start else ""},
    )


def _notice(request: AuthedRequest, cycle: Cycle, form: Any = None) -> HttpResponse:
    context = _stage_context(request, cycle, Stage.NOTICE)
    current = notice.current_notice(cycle)
    names = [t for t, _d in decision.passed_targets(cycle)] if current else []
    objections = (
        list(
            Objection.objects.filter(notice__cycle=cycle)
            .select_related("target__person", "target__cycle_list", "notice")
            .order_by("received_on", "pk")
        )
        if context["inside"]
        else []
    )
    registering = (
        context["can_run"]
        and cycle.stage == Stage.NOTICE
        and current is not None
        and current.closed_at is None
    )
    if registering and form is None:
        form = forms.ObjectionForm(targets=names)
    today = timezone.localdate()
    context.update(
        {
            "contact_warning": pages.notice_contact(cycle, "public-notice").warning
            if context["can_run"] and current is not None and current.closed_at is None
            else "",
            "notice": current,
            "names": names,
            "objections": objections,
            "postponed": [o for o in objections if o.outcome == ObjectionOutcome.UNVERIFIED],
            "form": form if registering else None,
            "today": today,
            "counts": {
                "total": Objection.objects.filter(notice__cycle=cycle).count(),
                "open": Objection.objects.filter(
                    notice__cycle=cycle, closed_at__isnull=True
                ).count(),
            },
        }
    )
    return render(request, "selection/notice.html", context)


@requires(Cap.SELECTION_VIEW)
def notice_page(request: AuthedRequest, pk: int) -> HttpResponse:
    return _notice(request, _cycle(request, pk))


@requires(Cap.SELECTION_RUN)
@require_POST
def objection_create(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = _own_cycle(request, pk)
    names = [t for t, _d in decision.passed_targets(cycle)]
    form = forms.ObjectionForm(request.POST, targets=names)
    saved = _saved(
        request,
        form,
        lambda data: notice.register_objection(
            actor=request.user,
            cycle=cycle,
            target=form.by_pk[data["target"]],
            signed=data["signed"],
            received_on=data["received_on"],
            content=data["content"],
            reporter_name=data["reporter_name"],
            reporter_contact=data["reporter_contact"],
            evidence=data["evidence"],
        ),
        _("已登记异议，请调查核实后处理。"),
    )
    if saved.value is not None:
        return redirect("selection:objection", pk=cycle.pk, sub=saved.value.pk)
    if cycle.stage != Stage.NOTICE:
        _form_messages(request, form)
        return redirect("selection:notice", pk=cycle.pk)
    return _notice(request, cycle, form)


def _objection_of(cycle: Cycle, sub: int) -> Objection:
    return get_object_or_404(
        Objection.objects.select_related(
            "target__person", "target__cycle_list", "notice", "registered_by", "closed_by"
        ),
        pk=sub,
        notice__cycle=cycle,
    )


def _objection(
    request: AuthedRequest, cycle: Cycle, objection: Objection, **bound: Any
) -> HttpResponse:
    flags = _flags(request, cycle)
    closing = flags["can_run"] and objection.is_open and cycle.stage == Stage.NOTICE
    resolving = (
        flags["can_run"]
        and objection.outcome == ObjectionOutcome.UNVERIFIED
        and not objection.postponement_result
        and cycle.stage in (Stage.NOTICE, Stage.DONE)
    )
    return render(
        request,
        "selection/objection.html",
        {
            "cycle": cycle,
            "objection": objection,
            "close_form": (bound.get("close_form") or forms.CloseObjectionForm())
            if closing
            else None,
            "resolve_form": (bound.get("resolve_form") or forms.ResolveForm())
            if resolving
            else None,
            "overdue": bool(
                objection.postponed_until
                and not objection.postponement_result
                and objection.postponed_until < timezone.localdate()
            ),
            **flags,
        },
    )


@requires(Cap.SELECTION_VIEW)
def objection_detail(request: AuthedRequest, pk: int, sub: int) -> HttpResponse:
    """One objection: who raised it (if signed), what, the investigation and outcome.
    The school's own: the district does not read objections."""
    cycle = _cycle(request, pk)
    _require_inside(request, cycle)
    return _objection(request, cycle, _objection_of(cycle, sub))


@requires(Cap.SELECTION_RUN)
@require_POST
def objection_close(request: AuthedRequest, pk: int, sub: int) -> HttpResponse:
    cycle = _own_cycle(request, pk)
    objection = _objection_of(cycle, sub)
    form = forms.CloseObjectionForm(request.POST)
    if _saved(
        request,
        form,
        lambda data: notice.close_objection(
            actor=request.user,
            objection=objection,
            investigation=data["investigation"],
            outcome=data["outcome"],
            reminder_talk_on=data["reminder_talk_on"],
            answer=data["answer"],
            answered_on=data["answered_on"],
            postponed_until=data["postponed_until"],
        ),
        _("异议已处理完毕。"),
    ):
        return redirect("selection:objection", pk=cycle.pk, sub=objection.pk)
    if not objection.is_open or cycle.stage != Stage.NOTICE:
        _form_messages(request, form)
        return redirect("selection:objection", pk=cycle.pk, sub=objection.pk)
    return _objection(request, cycle, objection, close_form=form)


@requires(Cap.SELECTION_RUN)
@require_POST
def objection_resolve(request: AuthedRequest, pk: int, sub: int) -> HttpResponse:
    """Conclude a postponement: cleared (the person enters the pool) or removed."""
    cycle = _own_cycle(request, pk)
    objection = _objection_of(cycle, sub)
    form = forms.ResolveForm(request.POST)
    if _saved(
        request,
        form,
        lambda data: notice.resolve_postponement(
            actor=request.user,
            objection=objection,
            result=data["result"],
            reason=data["reason"],
            resolved_on=data["resolved_on"],
        ),
        _("暂缓事项已了结。"),
    ):
        return redirect("selection:objection", pk=cycle.pk, sub=objection.pk)
    if objection.outcome != ObjectionOutcome.UNVERIFIED or objection.postponement_result:
        _form_messages(request, form)
        return redirect("selection:objection", pk=cycle.pk, sub=objection.pk)
    return _objection(request, cycle, objection, resolve_form=form)


# --- 完成: the reserve pool --------------------------------------------------------------


@requires(Cap.SELECTION_VIEW)
def pool(request: AuthedRequest, pk: int) -> HttpResponse:
    """The cycle's entries in the reserve pool, and the structure of the school's pool
    valid today against the targets."""
    cycle = _cycle(request, pk)
    context = _stage_context(request, cycle, Stage.DONE)
    today = timezone.localdate()
    entries = list(
        PoolEntry.objects.filter(cycle=cycle)
        .select_related("person", "target__cycle_list")
        .order_by("level", "person__staff_number")
    )
    pending = (
        list(
            Objection.objects.filter(
                notice__cycle=cycle, outcome=ObjectionOutcome.UNVERIFIED, postponement_result=""
            ).select_related("target__person", "target__cycle_list")
        )
        if context["inside"]
        else []
    )
    context.update(
        {
            "entries": entries,
            "pending": pending,
            "today": today,
            "structure": pages.pool_structure(cycle.school, today),
        }
    )
    return render(request, "selection/pool.html", context)


# --- the notices every member of staff reads ------------------------------------------------


@requires(Cap.NOTICE_VIEW)
def notices(request: AuthedRequest) -> HttpResponse:
    """The 公示 and 考察预告 up in the user's school."""
    school = school_of(request)
    return render(
        request,
        "selection/notices.html",
        {"school": school, "announcements": pages.announcements(school)},
    )
