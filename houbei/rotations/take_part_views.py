"""One's own part in the two-way selection and rotation (SPEC module 6; the plan's 六.2 and
附2), for every member of staff (``Cap.ROTATION_TAKE_PART``):

* 我的轮岗: a reserve cadre's 意向表 for each open round — filled, changed until the round
  closes, withdrawn — and their rotations with the rotation passport (轮岗履历);
* 岗位方: a mentor or holder of a post offered in an open or closed round ranks, accepts
  or declines the people who listed it, with their files beside them;
* one rotation's page, for the cadre, their mentors and whoever may read rotations in the
  school: mentors, goals, status and its history, the mentor's log and the 急、难、险、重
  tasks (mentors write notes, give and confirm tasks; the cadre records outcomes);
* 我的带教对象: a mentor's current and past mentees.

Every view is scoped to the user's own person — the staff record linked to the account
(``Person.user``) in the user's own school. Another school's round, post or rotation is a
404; one of the own school that is not the user's to see or change is a 403. The office's
pages (rounds, the matching, confirmation, the school's assignments) are in ``views``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from houbei.accounts.access import AuthedRequest, Cap, has_cap, requires, school_of
from houbei.audit.labels import action_label
from houbei.audit.models import AuditEntry
from houbei.core.errors import DomainError, NotAllowed
from houbei.people import durations
from houbei.people.models import Person, PostHistory
from houbei.selection.forms import show_errors
from houbei.selection.models import PoolEntry

from . import assignments as services
from . import documents
from .intentions import (
    ANSWERING,
    candidates_for,
    offers_answered_by,
    reserve_cadres,
    set_post_preferences,
    submit_intention,
    withdraw_intention,
)
from .models import (
    LIVE_STATUSES,
    Assignment,
    AssignmentMentor,
    AssignmentStatus,
    HardTask,
    Intention,
    IntentionChoice,
    MentorNote,
    PostPreference,
    Round,
    RoundPost,
    RoundStatus,
)
from .passport import passport_of
from .take_part_forms import (
    IntentionForm,
    NoteForm,
    OutcomeForm,
    PostSideForm,
    TaskForm,
    WithdrawForm,
)

# The rotation's own history on its page: its status, goals and mentors (the notes and
# tasks have their sections).
HISTORY_ACTIONS = (
    "rotations.assignment.created",
    "rotations.assignment.started",
    "rotations.assignment.completed",
    "rotations.assignment.ended_early",
    "rotations.assignment.goals_set",
    "rotations.assignment.mentor_added",
    "rotations.assignment.mentor_removed",
)
# The formats of one's own documents, as the links name them.
INTENTION_FORMATS = (("docx", "Word"), ("xlsx", "Excel"), ("pdf", "PDF"))
NOTICE_FORMATS = (("docx", "Word"), ("pdf", "PDF"), ("html", _lazy("打印")))
# How many of one's past rounds the page lists.
ROUNDS_SHOWN = 6


def _me(request: AuthedRequest) -> Person | None:
    """The user's own staff record in their school, or None when the account is not
    linked to one."""
    return Person.objects.for_school(school_of(request)).filter(user=request.user).first()


def _saved(
    request: AuthedRequest,
    form: Any,
    save: Callable[[dict[str, Any]], object],
    done: str,
    *,
    refused: Callable[[DomainError], None] | None = None,
) -> bool:
    """Validate ``form`` and hand its cleaned data to ``save`` (a service call): True,
    with ``done`` shown, when it went through; False with the errors on the form when the
    form or the service refused (``refused`` places the service's refusal, by default each
    message at the field it names)."""
    if not form.is_valid():
        return False
    try:
        save(form.cleaned_data)
    except DomainError as error:
        (refused or (lambda e: show_errors(form, e)))(error)
        return False
    messages.success(request, done)
    return True


def _valid_entries(person: Person) -> list[PoolEntry]:
    return list(PoolEntry.objects.filter(person=person).order_by("-decided_on", "level"))


def _reserve_on(person: Person, entries: list[PoolEntry], day: dt.date) -> bool:
    """As ``intentions.reserve_cadres``: a current member of staff with a pool entry
    valid on ``day``."""
    return person.archived_at is None and any(e.decided_on <= day <= e.valid_until for e in entries)


# --- 我的轮岗 -----------------------------------------------------------------------------


@dataclass
class RoundCard:
    round: Round
    intention: Intention | None
    reserve: bool
    assignment: Assignment | None

    @property
    def live(self) -> bool:
        return self.intention is not None and self.intention.withdrawn_at is None

    @property
    def open(self) -> bool:
        return self.round.status == RoundStatus.OPEN


def _assignments_of(person: Person) -> list[Assignment]:
    return list(
        Assignment.objects.filter(person=person)
        .select_related("post", "start_term__school_year", "end_term__school_year", "round")
        .prefetch_related(
            Prefetch(
                "mentor_links",
                queryset=AssignmentMentor.objects.active().select_related("person"),
                to_attr="mentors_now",
            )
        )
        .order_by("-start_date", "-pk")
    )


@requires(Cap.ROTATION_TAKE_PART)
def mine(request: AuthedRequest) -> HttpResponse:
    """The rounds one may fill or has filled, one's rotations and passport, and what one
    does as a mentor or post holder. A fixed number of queries."""
    school = school_of(request)
    me = _me(request)
    if me is None:
        return render(request, "rotations/mine.html", {"me": None})
    today = timezone.localdate()
    entries = _valid_entries(me)
    mine_rows = Intention.objects.filter(person=me).prefetch_related(
        Prefetch(
            "choices",
            queryset=IntentionChoice.objects.select_related("round_post__post", "mentor"),
        )
    )
    rounds = list(
        Round.objects.for_school(school)
        .filter(
            Q(status=RoundStatus.OPEN)
            | Exists(Intention.objects.filter(round=OuterRef("pk"), person=me))
        )
        .select_related("start_term__school_year")
        .prefetch_related(Prefetch("intentions", queryset=mine_rows, to_attr="mine"))
        .order_by("-start_term__start", "-pk")[:ROUNDS_SHOWN]
    )
    rotations = _assignments_of(me)
    by_round = {a.round_id: a for a in rotations if a.round_id is not None}
    cards = [
        RoundCard(
            round=r,
            intention=r.mine[0] if r.mine else None,  # type: ignore[attr-defined]
            reserve=_reserve_on(me, entries, r.start_date),
            assignment=by_round.get(r.pk),
        )
        for r in rounds
    ]
    context = {
        "me": me,
        "cards": cards,
        "reserve_now": [e for e in entries if e.decided_on <= today <= e.valid_until],
        "current": [a for a in rotations if a.status in LIVE_STATUSES],
        "past": [a for a in rotations if a.status not in LIVE_STATUSES],
        "passport": passport_of(me, as_of=today),
        "offers": offers_answered_by(me, school, today).count(),
        "mentees": Assignment.objects.for_school(school).mentored_by(me).count(),
        "withdraw_form": WithdrawForm(),
        "intention_formats": INTENTION_FORMATS,
    }
    return render(request, "rotations/mine.html", context)


# --- the 意向表 ------------------------------------------------------------------------------


def _round(request: AuthedRequest, pk: int) -> Round:
    return get_object_or_404(
        Round.objects.select_related("school", "start_term__school_year"),
        pk=pk,
        school=school_of(request),
    )


def _offers(round_: Round) -> list[RoundPost]:
    """The posts the round offers, in the plan's order, with their mentors."""
    return list(
        RoundPost.objects.filter(round=round_)
        .select_related("post")
        .prefetch_related(Prefetch("mentors", queryset=Person.objects.order_by("staff_number")))
    )


def _held(person: Person, round_: Round) -> set[int]:
    """The posts the person holds when the rotation starts: not rotation posts for them."""
    return set(
        PostHistory.objects.filter(person=person)
        .current(round_.start_date)
        .values_list("post_id", flat=True)
    )


def _intention_page(
    request: AuthedRequest, round_: Round, me: Person | None, form: IntentionForm | None = None
) -> HttpResponse:
    """The 意向表 of ``round_``: the form while the round is open (or a refused form
    shown again with everything typed), else what was submitted."""
    context: dict[str, Any] = {"round": round_, "me": me}
    if me is None:
        return render(request, "rotations/intention.html", context)
    intention = (
        Intention.objects.filter(round=round_, person=me)
        .prefetch_related(
            Prefetch(
                "choices",
                queryset=IntentionChoice.objects.select_related("round_post__post", "mentor"),
            )
        )
        .first()
    )
    reserve = reserve_cadres(round_).filter(pk=me.pk).exists()
    context |= {"intention": intention, "reserve": reserve}
    if form is None and round_.status == RoundStatus.OPEN and reserve:
        form = IntentionForm(
            offers=_offers(round_), person=me, held=_held(me, round_), intention=intention
        )
    context |= {
        "form": form,
        "rows": form.rows() if form is not None else [],
        "summary": form.summary() if form is not None and form.is_bound else [],
        "withdraw_form": WithdrawForm(),
        "intention_formats": INTENTION_FORMATS,
    }
    return render(request, "rotations/intention.html", context)


@requires(Cap.ROTATION_TAKE_PART)
@require_http_methods(["GET", "POST"])
def intention(request: AuthedRequest, pk: int) -> HttpResponse:
    """Fill in or change one's 意向表 (附2). A refused form comes back with every row as
    typed and each problem named by row, post and field."""
    round_ = _round(request, pk)
    me = _me(request)
    if request.method != "POST" or me is None:
        return _intention_page(request, round_, me)
    form = IntentionForm(request.POST, offers=_offers(round_), person=me, held=_held(me, round_))

    def save(data: dict[str, Any]) -> None:
        submit_intention(
            actor=request.user,
            round_=round_,
            person=me,
            choices=form.choice_drafts(),
            remarks=data["remarks"],
        )

    done = _("已保存%(round)s的意向表，共填报%(n)d个岗位。") % {
        "round": round_.title,
        "n": len(form.drafts) if form.is_valid() else 0,
    }
    if _saved(request, form, save, done, refused=form.show_refusal):
        return redirect("rotations:mine")
    return _intention_page(request, round_, me, form)


@requires(Cap.ROTATION_TAKE_PART)
@require_POST
def intention_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    me = _me(request)
    if me is None:
        messages.error(request, _("您的账号还没有关联到本校教职工档案，不能撤回意向表。"))
        return redirect("rotations:mine")
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, _("撤回理由：%(e)s") % {"e": error})
        return redirect("rotations:mine")
    try:
        withdraw_intention(
            actor=request.user, round_=round_, person=me, reason=form.cleaned_data["reason"]
        )
    except DomainError as error:
        for message in error.messages():
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("已撤回%(round)s的意向表。截止前可以重新填报。") % {"round": round_.title},
        )
    return redirect("rotations:mine")


def _file(
    request: AuthedRequest, key: str, fmt: str, subject: Any, back: str, **params: Any
) -> HttpResponse:
    """One document of the registry (``documents``), its export audited; ``may_have``
    decides who gets it (403 otherwise). Back to ``back`` with the reason when it cannot
    be made (an unknown format, a form withdrawn or never filled in)."""
    try:
        file = documents.export_document(
            actor=request.user, key=key, fmt=fmt, subject=subject, **params
        )
    except NotAllowed as error:
        raise PermissionDenied from error
    except DomainError as error:
        for message in error.messages():
            messages.error(request, message)
        return redirect(back)
    response = HttpResponse(file.content, content_type=file.content_type)
    disposition = "inline" if fmt in ("html", "pdf") else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(file.filename)}"
    return response


@requires(Cap.ROTATION_TAKE_PART)
def intention_document(request: AuthedRequest, pk: int, fmt: str) -> HttpResponse:
    """One's own filled 附2 (Word, Excel or PDF), as the school files it."""
    round_ = _round(request, pk)
    me = _me(request)
    if me is None:
        raise PermissionDenied
    back = reverse("rotations:intention", kwargs={"pk": round_.pk})
    return _file(request, "intention-form", fmt, round_, back, person=me)


# --- the post side ---------------------------------------------------------------------------


@requires(Cap.ROTATION_TAKE_PART)
def post_side(request: AuthedRequest) -> HttpResponse:
    """The posts one answers for, with how many listed each and whether it was answered."""
    school = school_of(request)
    me = _me(request)
    offers: list[RoundPost] = []
    if me is not None:
        offers = list(
            offers_answered_by(me, school, timezone.localdate())
            .select_related("post", "round__start_term__school_year")
            .annotate(
                listed=Count(
                    "choices",
                    filter=Q(choices__intention__withdrawn_at__isnull=True),
                ),
            )
            .order_by("-round__start_term__start", "round", "post__sort_order", "post__name")
        )
    return render(request, "rotations/post_side.html", {"me": me, "offers": offers})


def _offer(request: AuthedRequest, pk: int, me: Person | None) -> RoundPost:
    """A post offered in a round of the user's school that the user mentors in the round
    or holds today; another school's is a 404, one the user does not answer for a 403."""
    offer = get_object_or_404(
        RoundPost.objects.select_related("post", "round__school", "round__start_term__school_year"),
        pk=pk,
        round__school=school_of(request),
    )
    if me is None:
        raise PermissionDenied
    mentors = offer.mentors.filter(pk=me.pk).exists()
    holds = (
        PostHistory.objects.filter(person=me, post=offer.post)
        .current(timezone.localdate())
        .exists()
    )
    if not (mentors or holds):
        raise PermissionDenied
    return offer


@dataclass
class CandidateFile:
    """What the post side sees of one person who listed the post."""

    choice: IntentionChoice
    person: Person
    years_at_school: str | None
    levels: list[PoolEntry]
    answer: PostPreference | None = None
    field: Any = None

    @property
    def current_posts(self) -> list[PostHistory]:
        return self.person.current_posts  # type: ignore[attr-defined]

    @property
    def honours(self) -> list[Any]:
        return list(self.person.honours.all())


def _candidate_files(offer: RoundPost, today: dt.date) -> list[CandidateFile]:
    """The live rows listing the post, with each person's current posts, years at the
    school, honours and reserve level: four queries, whatever the number."""
    choices = list(candidates_for(offer))
    people = {
        p.pk: p
        for p in Person.objects.filter(pk__in=[c.intention.person_id for c in choices])
        .with_current_posts(today)
        .prefetch_related(
            "honours",
            Prefetch(
                "reserve_entries",
                queryset=PoolEntry.objects.valid_on(offer.round.start_date).order_by("level"),
                to_attr="valid_entries",
            ),
        )
    }
    files = []
    for choice in choices:
        person = people[choice.intention.person_id]
        joined = person.joined_school_on
        files.append(
            CandidateFile(
                choice=choice,
                person=person,
                years_at_school=durations.format_years_months(
                    *durations.years_months_between(joined, today)
                )
                if joined is not None and joined <= today
                else None,
                levels=person.valid_entries,  # type: ignore[attr-defined]
            )
        )
    return files


def _post_side_page(
    request: AuthedRequest, offer: RoundPost, me: Person, form: PostSideForm | None = None
) -> HttpResponse:
    today = timezone.localdate()
    files = _candidate_files(offer, today)
    answering = offer.round.status in ANSWERING
    preferences = list(PostPreference.objects.filter(round_post=offer))
    if form is None and answering:
        form = PostSideForm(
            people=[f.person for f in files],
            preferences=preferences,
            accept_others=offer.accept_others,
        )
    if form is not None:
        for f in files:
            if form.key(f.person) in form.fields:
                f.field = form[form.key(f.person)]
    answers = {p.person_id: p for p in preferences}
    for f in files:
        f.answer = answers.get(f.person.pk)
    context = {
        "offer": offer,
        "round": offer.round,
        "me": me,
        "files": files,
        "form": form,
        "answering": answering,
        "mentors": list(offer.mentors.order_by("staff_number")),
        "can_read_files": has_cap(request.user, Cap.PEOPLE_VIEW),
    }
    return render(request, "rotations/post_side_offer.html", context)


@requires(Cap.ROTATION_TAKE_PART)
@require_http_methods(["GET", "POST"])
def post_side_offer(request: AuthedRequest, pk: int) -> HttpResponse:
    """One post's candidates and the post side's answer: tiers, declined, the rest
    acceptable or not; "全部接受" puts everyone in one tier."""
    me = _me(request)
    offer = _offer(request, pk, me)
    assert me is not None
    if request.method != "POST":
        return _post_side_page(request, offer, me)
    people = [f.person for f in _candidate_files(offer, timezone.localdate())]
    form = PostSideForm(
        request.POST,
        people=people,
        preferences=list(PostPreference.objects.filter(round_post=offer)),
        accept_others=offer.accept_others,
    )
    accept_all = "accept_all" in request.POST

    def save(data: dict[str, Any]) -> None:
        ranking: list[list[Person]]
        declined: list[Person]
        if accept_all:
            ranking, declined, others = ([people] if people else []), [], True
        else:
            ranking, declined, others = form.answer()
        set_post_preferences(
            actor=request.user,
            offer=offer,
            ranking=ranking,
            declined=declined,
            accept_others=others,
            by=me,
        )

    done = (
        _("已全部接受填报%(post)s的人员。") % {"post": offer.post.name}
        if accept_all
        else _("已保存%(post)s的岗位方意见。") % {"post": offer.post.name}
    )
    if _saved(request, form, save, done):
        return redirect("rotations:post_side_offer", pk=offer.pk)
    return _post_side_page(request, offer, me, form)


# --- one rotation ------------------------------------------------------------------------------


@dataclass
class Viewer:
    """How the user stands to the rotation."""

    me: Person | None
    cadre: bool
    mentor: bool
    office: bool


def _assignment(request: AuthedRequest, pk: int) -> tuple[Assignment, Viewer]:
    """A rotation of the user's school that the user is the cadre of, mentors now, or may
    read as the office (``ROTATION_VIEW``); another school's is a 404, any other a 403."""
    assignment = get_object_or_404(
        Assignment.objects.select_related(
            "person", "post", "round", "start_term__school_year", "end_term__school_year"
        ),
        pk=pk,
        school=school_of(request),
    )
    me = _me(request)
    cadre = me is not None and assignment.person_id == me.pk
    mentor = (
        me is not None
        and AssignmentMentor.objects.active().filter(assignment=assignment, person=me).exists()
    )
    office = has_cap(request.user, Cap.ROTATION_VIEW)
    if not (cadre or mentor or office):
        raise PermissionDenied
    return assignment, Viewer(me, cadre, mentor, office)


@dataclass
class TaskLine:
    task: HardTask
    outcome_form: OutcomeForm | None = None


def _assignment_page(
    request: AuthedRequest,
    assignment: Assignment,
    viewer: Viewer,
    *,
    note_form: NoteForm | None = None,
    task_form: TaskForm | None = None,
    outcome_forms: dict[int, OutcomeForm] | None = None,
) -> HttpResponse:
    """The rotation's page; the keyword arguments carry a form that just failed, shown
    again where the user left it with what they typed."""
    links = list(
        AssignmentMentor.objects.filter(assignment=assignment)
        .select_related("person")
        .order_by("removed_at", "added_at", "pk")
    )
    notes = list(
        MentorNote.objects.filter(assignment=assignment)
        .select_related("author")
        .order_by("-written_on", "-pk")
    )
    tasks = list(
        HardTask.objects.filter(assignment=assignment)
        .select_related("confirmed_by")
        .order_by("given_on", "pk")
    )
    failed = outcome_forms or {}
    lines = []
    for task in tasks:
        line = TaskLine(task)
        if task.pk in failed:
            # Shown with its refusal even when the task was confirmed meanwhile.
            line.outcome_form = failed[task.pk]
        elif viewer.cadre and not task.is_confirmed:
            line.outcome_form = OutcomeForm(
                task_pk=task.pk,
                initial={"outcome": task.outcome},
                initial_day=task.outcome_on,
            )
        lines.append(line)
    history = [
        (entry, action_label(entry.action))
        for entry in AuditEntry.objects.filter(
            school=assignment.school_id,
            target_type=Assignment._meta.label_lower,
            target_id=str(assignment.pk),
            action__in=HISTORY_ACTIONS,
        ).order_by("seq")
    ]
    live = assignment.status in LIVE_STATUSES
    context = {
        "a": assignment,
        "viewer": viewer,
        "mentors": [link for link in links if link.removed_at is None],
        "removed_mentors": [link for link in links if link.removed_at is not None],
        "notes": notes,
        "tasks": lines,
        "history": history,
        # A refused form is shown again with its message even if the rotation has moved on.
        "note_form": note_form or (NoteForm() if viewer.mentor and live else None),
        "task_form": task_form
        or (TaskForm() if viewer.mentor and assignment.status == AssignmentStatus.ACTIVE else None),
        "can_read_file": has_cap(request.user, Cap.PEOPLE_VIEW),
        "notice_formats": NOTICE_FORMATS,
    }
    return render(request, "rotations/assignment.html", context)


@requires(Cap.ROTATION_TAKE_PART)
def assignment_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    assignment, viewer = _assignment(request, pk)
    return _assignment_page(request, assignment, viewer)


def _to_assignment(assignment: Assignment, anchor: str) -> HttpResponse:
    response = redirect("rotations:assignment", pk=assignment.pk)
    response["Location"] += f"#{anchor}"
    return response


@requires(Cap.ROTATION_TAKE_PART)
@require_POST
def note_add(request: AuthedRequest, pk: int) -> HttpResponse:
    """A mentor's entry in the log (带教记录)."""
    assignment, viewer = _assignment(request, pk)
    if not viewer.mentor:
        raise PermissionDenied
    assert viewer.me is not None
    author = viewer.me
    form = NoteForm(request.POST)

    def save(data: dict[str, Any]) -> None:
        services.add_mentor_note(
            actor=request.user,
            assignment=assignment,
            author=author,
            text=data["text"],
            written_on=data["written_on"],
        )

    if _saved(request, form, save, _("已添加带教记录。")):
        return _to_assignment(assignment, "notes")
    return _assignment_page(request, assignment, viewer, note_form=form)


@requires(Cap.ROTATION_TAKE_PART)
@require_POST
def task_add(request: AuthedRequest, pk: int) -> HttpResponse:
    """A mentor gives a 急、难、险、重 task during the rotation."""
    assignment, viewer = _assignment(request, pk)
    if not viewer.mentor:
        raise PermissionDenied
    form = TaskForm(request.POST)

    def save(data: dict[str, Any]) -> None:
        services.add_hard_task(
            actor=request.user,
            assignment=assignment,
            title=data["title"],
            kinds=data["kinds"],
            given_on=data["given_on"],
            difficulty=data["difficulty"],
            detail=data["detail"],
        )

    if _saved(request, form, save, _("已布置任务。")):
        return _to_assignment(assignment, "tasks")
    return _assignment_page(request, assignment, viewer, task_form=form)


def _task(assignment: Assignment, sub: int) -> HardTask:
    return get_object_or_404(HardTask, pk=sub, assignment=assignment)


@requires(Cap.ROTATION_TAKE_PART)
@require_POST
def task_outcome(request: AuthedRequest, pk: int, sub: int) -> HttpResponse:
    """The cadre records how a task went, until a mentor confirms it."""
    assignment, viewer = _assignment(request, pk)
    if not viewer.cadre:
        raise PermissionDenied
    task = _task(assignment, sub)
    form = OutcomeForm(request.POST, task_pk=task.pk)

    def save(data: dict[str, Any]) -> None:
        services.record_task_outcome(
            actor=request.user, task=task, outcome=data["outcome"], outcome_on=data["outcome_on"]
        )

    if _saved(request, form, save, _("已记录“%(t)s”的完成情况。") % {"t": task.title}):
        return _to_assignment(assignment, f"task-{task.pk}")
    return _assignment_page(request, assignment, viewer, outcome_forms={task.pk: form})


@requires(Cap.ROTATION_TAKE_PART)
@require_POST
def task_confirm(request: AuthedRequest, pk: int, sub: int) -> HttpResponse:
    """A mentor confirms a task and its outcome (after which neither changes)."""
    assignment, viewer = _assignment(request, pk)
    if not viewer.mentor:
        raise PermissionDenied
    assert viewer.me is not None
    task = _task(assignment, sub)
    try:
        services.confirm_hard_task(actor=request.user, task=task, mentor=viewer.me)
    except DomainError as error:
        for message in error.messages():
            messages.error(request, message)
    else:
        messages.success(request, _("已确认“%(t)s”。") % {"t": task.title})
    return _to_assignment(assignment, f"task-{task.pk}")


@requires(Cap.ROTATION_TAKE_PART)
def assignment_notice(request: AuthedRequest, pk: int, fmt: str) -> HttpResponse:
    """The rotation's 轮岗锻炼通知 for the cadre, their mentors and the office."""
    assignment, _viewer = _assignment(request, pk)
    back = reverse("rotations:assignment", kwargs={"pk": assignment.pk})
    return _file(request, "assignment-notice", fmt, assignment, back)


# --- 我的带教对象 --------------------------------------------------------------------------------


@requires(Cap.ROTATION_TAKE_PART)
def mentees(request: AuthedRequest) -> HttpResponse:
    """The rotations one mentors, current (planned or running) and past."""
    me = _me(request)
    rotations: list[Assignment] = []
    if me is not None:
        rotations = list(
            Assignment.objects.for_school(school_of(request))
            .mentored_by(me)
            .select_related("person", "post", "start_term__school_year", "end_term__school_year")
            .prefetch_related(
                Prefetch(
                    "mentor_links",
                    queryset=AssignmentMentor.objects.active().filter(person=me),
                    to_attr="my_links",
                )
            )
            .annotate(
                task_count=Count("hard_tasks", distinct=True),
                open_tasks=Count(
                    "hard_tasks", filter=Q(hard_tasks__confirmed_at__isnull=True), distinct=True
                ),
                note_count=Count("notes", distinct=True),
            )
            .order_by("-start_date", "person__staff_number")
        )
    return render(
        request,
        "rotations/mine_mentees.html",
        {
            "me": me,
            "current": [a for a in rotations if a.status in LIVE_STATUSES],
            "past": [a for a in rotations if a.status not in LIVE_STATUSES],
        },
    )
