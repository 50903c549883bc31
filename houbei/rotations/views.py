"""The personnel office's pages of two-way selection and rotation (双向选择、轮岗锻炼; SPEC
module 6, the plan's 二, 五, 六.2, 七 and 附2): the rounds and their archive, a new round,
the round's page (its life cycle, posts, seats, mentors, exemptions and waivers, who has
filled the 意向表 and what the posts answered), the matching and the review of its
proposal (every placement with its explanation, moves that warn and need a reason,
discarding, confirmation), the assignments with the office's actions on them, and who
rotated through each post.

Who may do what (``accounts.access``): the personnel office acts (``ROTATION_RUN``), the
office and the decision body read (``ROTATION_VIEW``); everyone's own part (the 意向表,
the post side's ranking, an assignment's notes and tasks) is in ``take_part_views``. Each
view checks access with ``@requires``, finds its round or assignment in the user's own
school (another school's is 404), parses with a form, calls one service and renders or
redirects with a message. A refusal names its field: on the form where the form has the
field, else in a message beginning with the field's name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from houbei.accounts.access import AuthedRequest, Cap, has_cap, requires, school_of
from houbei.core.errors import DomainError, NotAllowed
from houbei.organisation.models import Post, RotationLength, Term
from houbei.people.models import Person
from houbei.selection.models import PoolEntry

from . import assignments as services
from . import documents, forms, pages, proposal, rounds
from .common import allowed_lengths
from .explain import Names, describe_violation
from .matching import Rule, Violation
from .models import (
    LIVE_STATUSES,
    Assignment,
    AssignmentStatus,
    LevelWaiver,
    Placement,
    Round,
    RoundPost,
    RoundStatus,
)
from .passport import rotations_through

# --- finding things, and who is looking -----------------------------------------------------


def _round(request: AuthedRequest, pk: int) -> Round:
    """A round of the user's school; 404 otherwise."""
    return get_object_or_404(pages.round_queryset(school_of(request)), pk=pk)


def _assignment(request: AuthedRequest, pk: int) -> Assignment:
    return get_object_or_404(
        Assignment.objects.for_school(school_of(request)).select_related(
            "person", "post", "round", "start_term__school_year", "end_term__school_year"
        ),
        pk=pk,
    )


def _flags(request: AuthedRequest) -> dict[str, Any]:
    user = request.user
    return {
        "can_run": has_cap(user, Cap.ROTATION_RUN),
        "can_audit": has_cap(user, Cap.AUDIT_VIEW),
        "can_people": has_cap(user, Cap.PEOPLE_VIEW),
    }


def _fail(request: AuthedRequest, error: DomainError) -> None:
    for message in forms.refusal_messages(error):
        messages.error(request, message)


def _form_fail(request: AuthedRequest, form: Any) -> None:
    for line in forms.form_messages(form):
        messages.error(request, line)


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
    went through; false with the errors on the form, each at its field (a refusal of a
    field the form does not have at the top, with the field's name), when the form or
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


def _to_round(round_: Round, anchor: str = "") -> HttpResponse:
    url = reverse("rotations:round", args=[round_.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


# --- the rounds, a new round --------------------------------------------------------------


@requires(Cap.ROTATION_VIEW)
def round_list(request: AuthedRequest) -> HttpResponse:
    school = school_of(request)
    all_rounds = pages.rounds_of(school)
    return render(
        request,
        "rotations/rounds.html",
        {
            "current": [r for r in all_rounds if r.status != RoundStatus.CONFIRMED],
            "archive": [r for r in all_rounds if r.status == RoundStatus.CONFIRMED],
            **_flags(request),
        },
    )


@requires(Cap.ROTATION_RUN)
def round_create(request: AuthedRequest) -> HttpResponse:
    school = school_of(request)
    # The form proposes the term after the latest round's (or the next term to come).
    last = Round.objects.for_school(school).order_by("-start_term__start").first()
    after = last.start_term.start if last is not None else timezone.localdate()
    form = forms.RoundCreateForm(
        request.POST or None,
        school=school,
        months_below=rounds.school_months_below(school),
        next_term=Term.objects.next_after(school, after),
    )
    if request.method == "POST":
        saved = _saved(
            request,
            form,
            lambda data: rounds.create_round(
                actor=request.user,
                school=school,
                title=data["title"],
                scope=data["scope"],
                start_term=data["start_term"],
                intentions_due=data["intentions_due"],
                posts=list(data["posts"]),
                min_months_below=data["min_months_below"],
                default_mentor_capacity=data["default_mentor_capacity"],
                note=data["note"],
            ),
            lambda made: _("已新建双向选择轮次“%(t)s”，意向填报已开放。") % {"t": made.title},
        )
        if saved.value is not None:
            return redirect("rotations:round", pk=saved.value.pk)
    return render(request, "rotations/round_create.html", {"form": form})


# --- the round's page -----------------------------------------------------------------------


def _round_page(request: AuthedRequest, round_: Round, **bound: Any) -> HttpResponse:
    board = pages.round_board(round_)
    flags = _flags(request)
    setting_up = round_.status in pages.SETTING_UP
    context: dict[str, Any] = {
        "round": round_,
        "board": board,
        "setting_up": setting_up,
        "max_mentor_capacity": rounds.MAX_MENTOR_CAPACITY,
        **flags,
    }
    if flags["can_run"]:
        if setting_up:
            context["settings_form"] = bound.get("settings_form") or forms.RoundSettingsForm(
                round_=round_
            )
        if round_.status == RoundStatus.CLOSED:
            context["reopen_form"] = bound.get("reopen_form") or forms.ReasonForm(
                label=_("重新开放的理由")
            )
    return render(request, "rotations/round.html", context)


def _round_failed(request: AuthedRequest, round_: Round, name: str, form: Any) -> HttpResponse:
    """The round's page again with the form's errors where the form is still shown, else
    back to it with the errors as messages (the round has moved on meanwhile)."""
    round_.refresh_from_db()
    shown = {
        "settings_form": round_.status in pages.SETTING_UP,
        "reopen_form": round_.status == RoundStatus.CLOSED,
    }
    if shown.get(name):
        return _round_page(request, round_, **{name: form})
    _form_fail(request, form)
    return _to_round(round_)


@requires(Cap.ROTATION_VIEW)
def round_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The round: where it is in its life cycle and what comes next, the posts with their
    seats, mentors, exemptions and the post side's answers, the mentors' numbers, the
    waivers, and who of the reserve cadres has filled the 意向表. A fixed number of
    queries, whatever the size of the school."""
    return _round_page(request, _round(request, pk))


@requires(Cap.ROTATION_RUN)
@require_POST
def round_settings(request: AuthedRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    form = forms.RoundSettingsForm(request.POST, round_=round_)
    if _saved(
        request,
        form,
        lambda data: rounds.update_round(
            actor=request.user,
            round_=round_,
            title=data["title"],
            intentions_due=data["intentions_due"],
            min_months_below=data["min_months_below"],
            default_mentor_capacity=data["default_mentor_capacity"],
            note=data["note"],
        ),
        _("已保存轮次设置。"),
    ):
        return _to_round(round_)
    return _round_failed(request, round_, "settings_form", form)


@requires(Cap.ROTATION_RUN)
def round_offer(request: AuthedRequest, pk: int, sub: int) -> HttpResponse:
    """Offer one of the school's rotation posts in the round, or change its offer: seats,
    mentors (the picker filters without script through its 查找 button), the exemption
    from the level rule with its reason."""
    round_ = _round(request, pk)
    post = get_object_or_404(Post.objects.for_school(round_.school), pk=sub)
    offer = RoundPost.objects.filter(round=round_, post=post).prefetch_related("mentors").first()
    editable = round_.status in pages.SETTING_UP
    defaults = None
    if offer is None:
        defaults = {
            "capacity": post.capacity_per_term,
            "mentors": list(post.default_mentors.values_list("pk", flat=True)),
        }
    query = ""
    if request.method == "POST" and "_filter" in request.POST:
        query = request.POST.get("mentor_q", "").strip()
        form = forms.RoundPostForm(
            initial=forms.RoundPostForm.initial_from(request.POST), school=round_.school,
            offer=None,
        )  # fmt: skip
    elif request.method == "POST":
        form = forms.RoundPostForm(request.POST, school=round_.school, offer=offer)
        if not editable:
            messages.error(
                request,
                forms.labelled(
                    "status",
                    _("本轮当前状态为“%(s)s”，不能再修改本轮岗位。")
                    % {"s": round_.get_status_display()},
                ),
            )
            return _to_round(round_, "posts")
        if _saved(
            request,
            form,
            lambda d: rounds.set_round_post(
                actor=request.user, round_=round_, post=post, capacity=d["capacity"],
                mentors=list(d["mentors"]), level_exempt=d["level_exempt"],
                exempt_reason=d["exempt_reason"],
            ),
            _("已保存%(post)s的本轮设置。") % {"post": post.name},
        ):  # fmt: skip
            return _to_round(round_, "posts")
    else:
        form = forms.RoundPostForm(school=round_.school, offer=offer, initial=defaults)
    checked = form.checked_ids()
    people = Person.objects.for_school(round_.school).order_by("staff_number")
    found = set(people.search(query).values_list("pk", flat=True)) if query else set()
    options = [
        {"person": p, "checked": p.pk in checked}
        for p in people
        if p.pk in checked or (p.archived_at is None and (not query or p.pk in found))
    ]
    return render(
        request,
        "rotations/round_offer.html",
        {
            "round": round_,
            "post": post,
            "offer": offer,
            "form": form,
            "mentor_options": options,
            "mentor_query": query,
            "editable": editable,
        },
    )


@requires(Cap.ROTATION_RUN)
@require_POST
def mentor_capacity(request: AuthedRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    form = forms.MentorCapacityForm(request.POST, school=round_.school)
    if not _saved(
        request,
        form,
        lambda data: rounds.set_mentor_capacity(
            actor=request.user, round_=round_, mentor=data["mentor"], capacity=data["capacity"]
        ),
        lambda limit: (
            _("%(name)s每学期可带%(n)d人。") % {"name": limit.person.name, "n": limit.capacity}
        ),
    ):
        _form_fail(request, form)
    return _to_round(round_, "mentors")


@requires(Cap.ROTATION_RUN)
def waiver_grant(request: AuthedRequest, pk: int) -> HttpResponse:
    """Let one person rotate at one post of the round without the time at the level below
    (个别岗位酌情处理), with the written reason."""
    round_ = _round(request, pk)
    if round_.status not in pages.SETTING_UP:
        messages.error(
            request,
            forms.labelled(
                "status",
                _("本轮当前状态为“%(s)s”，不能再免除层级要求。")
                % {"s": round_.get_status_display()},
            ),
        )
        return _to_round(round_, "waivers")
    form = forms.WaiverForm(
        request.POST or None,
        people=pages.form_people(round_),
        offers=list(RoundPost.objects.filter(round=round_).select_related("post")),
        initial={"person": request.GET.get("person", "")},
    )
    if request.method == "POST" and _saved(
        request,
        form,
        lambda data: rounds.grant_level_waiver(
            actor=request.user,
            round_=round_,
            person=form.people[data["person"]],
            post=form.posts[data["post"]],
            reason=data["reason"],
        ),
        lambda waiver: (
            _("已免除%(who)s在%(post)s的层级要求。")
            % {"who": waiver.person.name, "post": waiver.post.name}
        ),
    ):
        return _to_round(round_, "waivers")
    return render(request, "rotations/waiver.html", {"round": round_, "form": form})


@requires(Cap.ROTATION_RUN)
@require_POST
def waiver_revoke(request: AuthedRequest, pk: int, sub: int) -> HttpResponse:
    round_ = _round(request, pk)
    waiver = get_object_or_404(
        LevelWaiver.objects.select_related("person", "post"), pk=sub, round=round_
    )
    form = forms.ReasonForm(request.POST, label=_("撤销理由"))
    if not _saved(
        request,
        form,
        lambda data: rounds.revoke_level_waiver(
            actor=request.user, waiver=waiver, reason=data["reason"]
        ),
        _("已撤销%(who)s在%(post)s的免除。")
        % {"who": waiver.person.name, "post": waiver.post.name},
    ):
        _form_fail(request, form)
    return _to_round(round_, "waivers")


@requires(Cap.ROTATION_RUN)
@require_POST
def round_close(request: AuthedRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    try:
        rounds.close_intentions(actor=request.user, round_=round_)
    except DomainError as error:
        _fail(request, error)
    else:
        messages.success(request, _("意向填报已截止。岗位方仍可排序，之后可生成匹配方案。"))
    return _to_round(round_)


@requires(Cap.ROTATION_RUN)
@require_POST
def round_reopen(request: AuthedRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    form = forms.ReasonForm(request.POST, label=_("重新开放的理由"))
    if _saved(
        request,
        form,
        lambda d: rounds.reopen_intentions(actor=request.user, round_=round_, reason=d["reason"]),
        _("已重新开放意向填报。"),
    ):
        return _to_round(round_)
    return _round_failed(request, round_, "reopen_form", form)


@requires(Cap.ROTATION_RUN)
@require_POST
def round_match(request: AuthedRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    try:
        run = proposal.run_matching(actor=request.user, round_=round_)
    except DomainError as error:
        _fail(request, error)
        return _to_round(round_)
    placed = run.placements.filter(round_post__isnull=False).count()
    messages.success(
        request,
        _("已生成匹配方案：%(n)d人中安排%(placed)d人。请逐人核对说明，必要时调整后确认。")
        % {"n": run.placements.count(), "placed": placed},
    )
    return redirect("rotations:proposal", pk=round_.pk)


# --- the proposal ------------------------------------------------------------------------


@requires(Cap.ROTATION_VIEW)
def proposal_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """The proposal under review: every person's placement with its explanation (第一志愿,
    or why not each post listed before it), who is unplaced or left out and why, each
    post's and mentor's fill, and what the matching's check finds in it as it stands. A
    confirmed round shows its final proposal."""
    round_ = _round(request, pk)
    run = proposal.live_run(round_)
    if run is None:
        messages.info(request, _("本轮还没有匹配方案。"))
        return _to_round(round_)
    flags = _flags(request)
    reviewing = round_.status in pages.REVIEWING
    return render(
        request,
        "rotations/proposal.html",
        {
            "round": round_,
            "proposal": pages.proposal_of(round_, run),
            "reviewing": reviewing,
            "discard_form": forms.ReasonForm(label=_("作废理由"))
            if flags["can_run"] and reviewing
            else None,
            **flags,
        },
    )


def _move_form(round_: Round, person: Person, data: Any = None, **kwargs: Any) -> forms.MoveForm:
    offers = list(
        RoundPost.objects.filter(round=round_).select_related("post").prefetch_related("mentors")
    )
    mentors: dict[int, Person] = {}
    for offer in offers:
        for m in offer.mentors.all():
            mentors.setdefault(m.pk, m)
    others = [p for p in forms.staff(round_.school) if p.pk not in mentors and p.pk != person.pk]
    return forms.MoveForm(
        data,
        offers=offers,
        mentors=sorted(mentors.values(), key=lambda p: (p.name, p.staff_number)),
        others=others,
        **kwargs,
    )


def _held_text(round_: Round, person: Person, post: Post, mentor: Person | None) -> str:
    """The sentence the check gives for placing ``person`` at the post they hold, so the
    refusal can be shown on the post field (the one other hard rule is about mentors)."""
    run = proposal.live_run(round_)
    assert run is not None
    inst = proposal.instance_of(run)
    people = dict(inst.people)
    if mentor is not None:
        people.setdefault(mentor.pk, mentor.name)
    names = Names(people, dict(inst.post_names))
    return describe_violation(Violation(Rule.HELD_NOW, candidate=person.pk, post=post.pk), names)


@requires(Cap.ROTATION_RUN)
def move(request: AuthedRequest, pk: int, sub: int) -> HttpResponse:
    """Move one person of the proposal. The matching's check judges the move first: the
    post they hold and a mentor over their number are refused on their fields; a rule
    broken or a blocking pair created is shown, and the move is saved only when those
    warnings are acknowledged as they stand and a reason is given."""
    round_ = _round(request, pk)
    run = proposal.live_run(round_)
    if run is None or round_.status not in pages.REVIEWING:
        messages.error(
            request,
            forms.labelled(
                "status",
                _("本轮当前状态为“%(s)s”，不能调整匹配方案。") % {"s": round_.get_status_display()},
            ),
        )
        return _to_round(round_)
    placement = get_object_or_404(
        Placement.objects.select_related("person", "round_post__post", "mentor"), pk=sub, run=run
    )
    person = placement.person
    if placement.excluded:
        messages.error(
            request,
            forms.labelled(
                "person",
                _("%(who)s未参加本轮匹配：%(why)s")
                % {"who": person.name, "why": placement.explanation[0]},
            ),
        )
        return redirect("rotations:proposal", pk=round_.pk)
    warnings: list[str] = []
    check: proposal.MoveCheck | None = None
    if request.method == "POST":
        form = _move_form(round_, person, request.POST)
        if form.is_valid():
            post, mentor, length = form.chosen_post(), form.chosen_mentor(), form.chosen_length()
            try:
                check = proposal.preview_move(
                    round_=round_, person=person, post=post, mentor=mentor, length=length
                )
            except DomainError as error:
                forms.show_errors(form, error)
            else:
                if check.refusals:
                    held = _held_text(round_, person, post, mentor) if post else None
                    for text in check.refusals:
                        form.add_error("post" if text == held else "mentor", text)
                else:
                    warnings = check.warnings
                    if _acknowledged(form, warnings):
                        try:
                            row = proposal.move_candidate(
                                actor=request.user, round_=round_, person=person, post=post,
                                mentor=mentor, length=length,
                                reason=form.cleaned_data["reason"].strip(),
                            )  # fmt: skip
                        except proposal.MoveNeedsReason as error:  # changed since the check
                            warnings = error.warnings
                            form.add_error("acknowledged", _("调整带来的问题有变化，请重新确认。"))
                        except DomainError as error:
                            forms.show_errors(form, error)
                        else:
                            messages.success(request, _moved_message(row))
                            url = reverse("rotations:proposal", args=[round_.pk])
                            return redirect(f"{url}#p{row.pk}")
    else:
        current = placement.round_post
        form = _move_form(
            round_, person, initial={"post": str(current.post_id) if current else forms.NO_POST}
        )
    return render(
        request,
        "rotations/move.html",
        {
            "round": round_,
            "row": pages.placement_row(placement),
            "form": form,
            "warnings": warnings,
            "digest": forms.warnings_digest(warnings) if warnings else "",
            "check_mentor": _name_of(form, check.mentor) if check else "",
            "check_length": RotationLength(check.length).label if check and check.length else "",
        },
    )


def _name_of(form: forms.MoveForm, pk: int | None) -> str:
    person = form.people.get(pk) if pk is not None else None
    return person.name if person is not None else ""


def _acknowledged(form: forms.MoveForm, warnings: list[str]) -> bool:
    """A move without warnings needs nothing more; one with warnings needs them
    acknowledged as they are now (not as they were for another choice) and a reason.
    What is missing goes on the form."""
    if not warnings:
        return True
    data = form.cleaned_data
    seen = data.get("warnings_seen") == forms.warnings_digest(warnings)
    if not data.get("acknowledged"):
        form.add_error("acknowledged", _("此项调整会带来上述问题，请确认已了解后再保存。"))
    elif not seen:
        form.add_error("acknowledged", _("调整带来的问题有变化，请重新确认。"))
    if not (data.get("reason") or "").strip():
        form.add_error("reason", _("此项调整会带来上述问题，请填写调整理由。"))
    return not form.errors


def _moved_message(row: Placement) -> str:
    who = row.person.name
    if row.round_post is None:
        return _("已调整：%(who)s不安排岗位。") % {"who": who}
    text = _("已调整：%(who)s安排到%(post)s") % {"who": who, "post": row.round_post.post.name}
    if row.mentor is not None:
        text += _("，带教人员：%(m)s") % {"m": row.mentor.name}
    return text + _("（%(length)s）。") % {"length": row.get_length_display()}


@requires(Cap.ROTATION_RUN)
@require_POST
def discard(request: AuthedRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    form = forms.ReasonForm(request.POST, label=_("作废理由"))
    if _saved(
        request,
        form,
        lambda data: proposal.discard_proposal(
            actor=request.user, round_=round_, reason=data["reason"]
        ),
        _("匹配方案已作废（保留记录）。本轮回到“意向已截止”，可重新生成匹配方案。"),
    ):
        return _to_round(round_)
    _form_fail(request, form)
    return redirect("rotations:proposal", pk=round_.pk)


@requires(Cap.ROTATION_RUN)
@require_POST
def confirm(request: AuthedRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    try:
        made = proposal.confirm_round(actor=request.user, round_=round_)
    except DomainError as error:
        _fail(request, error)
        return redirect("rotations:proposal", pk=round_.pk)
    messages.success(request, _("已确认匹配方案，生成轮岗安排%(n)d项。") % {"n": len(made)})
    return redirect(f"{reverse('rotations:assignments')}?round={round_.pk}")


# --- assignments -----------------------------------------------------------------------------


@requires(Cap.ROTATION_VIEW)
def assignment_list(request: AuthedRequest) -> HttpResponse:
    """The school's rotations, filtered by round, term, status and post, newest first."""
    school = school_of(request)
    terms = list(Term.objects.for_school(school).select_related("school_year").order_by("-start"))
    form = forms.AssignmentFilterForm(
        request.GET or None,
        rounds=list(Round.objects.for_school(school).order_by("-start_term__start", "-pk")),
        terms=terms,
        posts=list(
            Post.objects.for_school(school)
            .filter(
                Q(rotation_assignments__isnull=False)
                | Q(archived_at__isnull=True, is_rotation_post=True)
            )
            .distinct()
        ),
    )
    base = pages.assignment_queryset(school)
    chosen: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        chosen = {
            "round_": data["round"] or None,
            "term": form.term_by_pk.get(data["term"]) if data["term"] else None,
            "status": data["status"],
            "post": data["post"] or None,
        }
    elif form.is_bound:
        _form_fail(request, form)
    qs: QuerySet[Assignment] = pages.filter_assignments(base, **chosen)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    counts = pages.status_counts(
        pages.filter_assignments(Assignment.objects.for_school(school), **{**chosen, "status": ""})
    )
    return render(
        request,
        "rotations/office_assignments.html",
        {
            "form": form,
            "page": page,
            "assignments": page.object_list,
            "status_rows": [(label, counts[value]) for value, label in AssignmentStatus.choices],
            "term_chosen": chosen.get("term"),
            "round_chosen": next(
                (
                    r
                    for r in form.rounds
                    if r.pk == chosen.get("round_") and r.status == RoundStatus.CONFIRMED
                ),
                None,
            ),
            **_flags(request),
        },
    )


def _create_form(request: AuthedRequest, data: Any = None) -> forms.AssignmentCreateForm:
    """The form of a rotation outside a round: the cadres are the school's current staff
    with a pool entry valid today or later (the form checks the entry covers the first
    day of the rotation)."""
    school = school_of(request)
    today = timezone.localdate()
    entries = list(
        PoolEntry.objects.for_school(school)
        .filter(valid_until__gte=today)
        .order_by("person_id", "decided_on")
    )
    cadres = (
        Person.objects.for_school(school)
        .current()
        .filter(pk__in={e.person_id for e in entries})
        .order_by("staff_number")
    )
    term = Term.objects.current(school) or Term.objects.next_after(school, today)
    return forms.AssignmentCreateForm(
        data, school=school, cadres=cadres, entries=entries, term=term
    )


@requires(Cap.ROTATION_RUN)
def assignment_create(request: AuthedRequest) -> HttpResponse:
    """A rotation outside a round (a school sends a reserve cadre to a post mid-year):
    the service refuses an overlap with the cadre's other rotations, the post they hold,
    a length the post does not allow and a mentor with too many mentees, each at its
    field; the reason goes to the audit trail."""
    form = _create_form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        saved = _saved(
            request,
            form,
            lambda d: services.create_assignment(
                actor=request.user,
                person=d["person"],
                post=d["post"],
                start_term=d["start_term"],
                length=d["length"],
                mentors=form.mentors(),
                goals=d["goals"],
                reason=d["reason"],
                reason_required=True,
            ),
            lambda made: (
                _("已安排%(who)s到%(post)s轮岗（%(term)s起，%(length)s）。")
                % {
                    "who": made.person.name,
                    "post": made.post.name,
                    "term": made.start_term,
                    "length": made.get_length_display(),
                }
            ),
        )
        if saved.value is not None:
            return redirect("rotations:assignment_manage", pk=saved.value.pk)
    posts = form.fields["post"].queryset  # type: ignore[attr-defined]
    return render(
        request,
        "rotations/assignment_create.html",
        {
            "form": form,
            "post_lengths": [
                (
                    p.name,
                    _("或").join(str(RotationLength(x).label) for x in allowed_lengths(p)),
                )
                for p in posts
            ],
        },
    )


def _manage(request: AuthedRequest, assignment: Assignment, **bound: Any) -> HttpResponse:
    flags = _flags(request)
    links = list(
        assignment.mentor_links.select_related("person", "added_by", "removed_by").order_by(
            "removed_at", "added_at", "pk"
        )
    )
    active = [link for link in links if link.removed_at is None]
    status = assignment.status
    context: dict[str, Any] = {
        "a": assignment,
        "active_links": active,
        "removed_links": [link for link in links if link.removed_at is not None],
        "live": status in LIVE_STATUSES,
        **flags,
    }
    if flags["can_run"]:
        shown = _shown_forms(assignment)
        makers: dict[str, Callable[[], Any]] = {
            "start_form": lambda: forms.DayForm(auto_id="id_start_%s"),
            "complete_form": lambda: forms.DayForm(auto_id="id_complete_%s"),
            "end_form": forms.EndEarlyForm,
            "goals_form": lambda: forms.GoalsForm(initial={"goals": assignment.goals}),
            "add_mentor_form": lambda: forms.AddMentorForm(
                school=assignment.school, role=services.default_role(assignment.post)
            ),
            "remove_mentor_form": lambda: forms.RemoveMentorForm(
                mentors=[link.person for link in active]
            ),
        }
        for name in shown:
            context[name] = bound.get(name) or makers[name]()
    return render(request, "rotations/office_assignment.html", context)


def _shown_forms(assignment: Assignment) -> set[str]:
    status = assignment.status
    shown: set[str] = set()
    if status == AssignmentStatus.PLANNED:
        shown.add("start_form")
    if status == AssignmentStatus.ACTIVE:
        shown.add("complete_form")
    if status in LIVE_STATUSES:
        shown |= {"end_form", "goals_form", "add_mentor_form", "remove_mentor_form"}
    return shown


def _manage_failed(
    request: AuthedRequest, assignment: Assignment, name: str, form: Any
) -> HttpResponse:
    assignment.refresh_from_db()
    if name in _shown_forms(assignment):
        return _manage(request, assignment, **{name: form})
    _form_fail(request, form)
    return redirect("rotations:assignment_manage", pk=assignment.pk)


@requires(Cap.ROTATION_VIEW)
def assignment_manage(request: AuthedRequest, pk: int) -> HttpResponse:
    """The office's side of one rotation: its period, mentors (and those taken off, with
    why), goals, status, and the actions the office takes on it."""
    return _manage(request, _assignment(request, pk))


def _assignment_step(
    name: str, make: Callable[[Any], Any], act: Callable[..., Any], done: str
) -> Callable[..., HttpResponse]:
    """A view of one of the office's actions on an assignment: ``make`` the form from the
    POST data, ``act`` through the service with its cleaned data."""

    @requires(Cap.ROTATION_RUN)
    @require_POST
    def view(request: AuthedRequest, pk: int) -> HttpResponse:
        assignment = _assignment(request, pk)
        form = make(request.POST)
        if _saved(request, form, lambda d: act(request.user, assignment, d), done):
            return redirect("rotations:assignment_manage", pk=assignment.pk)
        return _manage_failed(request, assignment, name, form)

    view.__name__ = f"assignment_{name.removesuffix('_form')}"
    return view


assignment_start = _assignment_step(
    "start_form",
    lambda data: forms.DayForm(data, auto_id="id_start_%s"),
    lambda user, a, d: services.start_assignment(actor=user, assignment=a, on=d["on"]),
    _("轮岗已开始。"),
)
assignment_complete = _assignment_step(
    "complete_form",
    lambda data: forms.DayForm(data, auto_id="id_complete_%s"),
    lambda user, a, d: services.complete_assignment(actor=user, assignment=a, on=d["on"]),
    _("轮岗已结束（已完成）。"),
)
assignment_end = _assignment_step(
    "end_form",
    forms.EndEarlyForm,
    lambda user, a, d: services.end_assignment_early(
        actor=user, assignment=a, on=d["on"], reason=d["reason"]
    ),
    _("轮岗已提前终止。"),
)
assignment_goals = _assignment_step(
    "goals_form",
    forms.GoalsForm,
    lambda user, a, d: services.set_goals(actor=user, assignment=a, goals=d["goals"]),
    _("已保存锻炼目标。"),
)


@requires(Cap.ROTATION_RUN)
@require_POST
def assignment_mentor_add(request: AuthedRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    form = forms.AddMentorForm(
        request.POST, school=assignment.school, role=services.default_role(assignment.post)
    )
    if _saved(
        request,
        form,
        lambda d: services.add_mentor(
            actor=request.user, assignment=assignment, mentor=d["mentor"], role=d["role"]
        ),
        _("已增加带教人员。"),
    ):
        return redirect("rotations:assignment_manage", pk=assignment.pk)
    return _manage_failed(request, assignment, "add_mentor_form", form)


@requires(Cap.ROTATION_RUN)
@require_POST
def assignment_mentor_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    mentors = [link.person for link in assignment.mentor_links.active().select_related("person")]
    form = forms.RemoveMentorForm(request.POST, mentors=mentors)
    if _saved(
        request,
        form,
        lambda d: services.remove_mentor(
            actor=request.user,
            assignment=assignment,
            mentor=form.people[d["mentor"]],
            reason=d["reason"],
        ),
        _("已撤换带教人员（保留记录）。"),
    ):
        return redirect("rotations:assignment_manage", pk=assignment.pk)
    return _manage_failed(request, assignment, "remove_mentor_form", form)


# --- posts ---------------------------------------------------------------------------------


@requires(Cap.ROTATION_VIEW)
def post_list(request: AuthedRequest) -> HttpResponse:
    return render(
        request,
        "rotations/posts_rotated.html",
        {"rows": pages.post_rows(school_of(request)), **_flags(request)},
    )


@requires(Cap.ROTATION_VIEW)
def post_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """Who rotated through the post (and who is planned there), earliest first, with the
    terms, length, mentors and how it went."""
    post = get_object_or_404(Post.objects.for_school(school_of(request)), pk=pk)
    return render(
        request,
        "rotations/post_rotated.html",
        {"post": post, "rotations": list(rotations_through(post)), **_flags(request)},
    )


# --- documents -------------------------------------------------------------------------------


def _download(
    request: AuthedRequest, subject: Any, fmt: str, back: str, **fixed: Any
) -> HttpResponse:
    """One rotation document of ``subject`` from the documents registry (``?key=`` and the
    document's parameters, ``fixed`` ones from the URL), its export audited
    (``documents.export_document``); back to ``back`` with the reason, naming the field,
    when it cannot be made."""
    entry = documents.DOCUMENTS.get(request.GET.get("key", ""))
    if entry is None or fmt not in entry.formats:
        messages.error(request, forms.labelled("document", _("没有这份文书，或不提供该格式。")))
        return redirect(back)
    asked = {name: request.GET[name] for name in entry.params if request.GET.get(name, "").strip()}
    params = asked | {name: value for name, value in fixed.items() if name in entry.params}
    try:
        file = documents.export_document(
            actor=request.user, key=entry.key, fmt=fmt, subject=subject, **params
        )
    except NotAllowed as error:
        raise PermissionDenied from error
    except DomainError as error:
        _fail(request, error)
        return redirect(back)
    response = HttpResponse(file.content, content_type=file.content_type)
    disposition = "inline" if fmt in ("html", "pdf") else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(file.filename)}"
    return response


@requires(Cap.ROTATION_VIEW)
def round_document(request: AuthedRequest, pk: int, fmt: str) -> HttpResponse:
    """A round's 双向选择意向表 (blank, or one person's with ``person``), its 意向汇总表,
    its 轮岗时长表 and its 轮岗锻炼通知."""
    round_ = _round(request, pk)
    return _download(request, round_, fmt, reverse("rotations:round", args=[round_.pk]))


@requires(Cap.ROTATION_VIEW)
def assignment_document(request: AuthedRequest, pk: int, fmt: str) -> HttpResponse:
    """One rotation's 轮岗锻炼通知."""
    assignment = _assignment(request, pk)
    back = reverse("rotations:assignment_manage", args=[assignment.pk])
    return _download(request, assignment, fmt, back)


@requires(Cap.ROTATION_VIEW)
def term_document(request: AuthedRequest, pk: int, fmt: str) -> HttpResponse:
    """The 轮岗时长表 of one term of the school: every rotation with a day in it."""
    school = school_of(request)
    term = get_object_or_404(Term.objects.for_school(school), pk=pk)
    back = f"{reverse('rotations:assignments')}?term={term.pk}"
    return _download(request, school, fmt, back, term=term)
