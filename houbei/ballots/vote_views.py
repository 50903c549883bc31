"""The voter's pages: casting with a slip's code, casting on the roll, and the receipt check.

What these pages must never do (``docs/ballots.md``): keep the code, the marks or the
receipt anywhere but the ballot store — not in the session, a message, a log line, an
error report or a cache. So every response is ``no-store``, every POST view hides its
parameters from error reports, the slip's code arrives in the URL fragment (which the
browser does not send) and is posted in the body, and the flow — choose, confirm, receipt
— carries its state in the form itself. Every page works as a plain form without
JavaScript; ``vote.js`` only reads the fragment and counts marks as the voter ticks."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from houbei.accounts.access import AuthedRequest, Cap, public, requires
from houbei.core.errors import DomainError
from houbei.people.models import Person

from . import codes, services
from .models import Election, Mode, Receipt, RollEntry, Status
from .privacy import private_page
from .tally import ListSpec


@dataclass(frozen=True)
class ListChoice:
    """A list of the ballot as the form shows it: its candidates and which are ticked."""

    spec: ListSpec
    marked: frozenset[int]

    @property
    def field(self) -> str:
        return f"list-{self.spec.id}"

    @property
    def over(self) -> bool:
        return len(self.marked) > self.spec.quota

    def rows(self) -> list[tuple[int, str, bool]]:
        return [(cid, name, cid in self.marked) for cid, name in self.spec.candidates]

    def chosen_names(self) -> list[str]:
        return [name for cid, name in self.spec.candidates if cid in self.marked]


def _marks_from(data: QueryDict, specs: Sequence[ListSpec]) -> dict[str, list[int]]:
    """The ticked candidates per list; anything not a candidate id of the list is dropped
    here and refused by the service if it came through another way."""
    marks: dict[str, list[int]] = {}
    for spec in specs:
        allowed = {cid for cid, _name in spec.candidates}
        ticked = []
        for value in data.getlist(f"list-{spec.id}"):
            if value.isdigit() and int(value) in allowed:
                ticked.append(int(value))
        marks[str(spec.id)] = sorted(set(ticked))
    return marks


def _choices(specs: Sequence[ListSpec], marks: Mapping[str, Sequence[int]]) -> list[ListChoice]:
    return [ListChoice(s, frozenset(marks.get(str(s.id), ()))) for s in specs]


def _over_marked(choices: Sequence[ListChoice]) -> list[str]:
    return [
        _("“%(list)s”最多可选%(quota)d人，您选了%(n)d人。")
        % {"list": c.spec.name, "quota": c.spec.quota, "n": len(c.marked)}
        for c in choices
        if c.over
    ]


@sensitive_variables()
def _ballot_flow(
    request: HttpRequest,
    election: Election,
    *,
    template_context: dict[str, Any],
    needs_code: bool,
    cast: Callable[[str, dict[str, list[int]]], str],
) -> HttpResponse:
    """Choose → confirm → receipt, shared by the slip page and the roll page. ``cast``
    stores the ballot and returns the receipt code, or raises a DomainError."""
    specs = services.specs_of(election)
    context: dict[str, Any] = {"election": election, "needs_code": needs_code, **template_context}
    if election.status != Status.OPEN:
        return render(request, "vote/not_open.html", context)
    if request.method != "POST":
        context["choices"] = _choices(specs, {})
        return render(request, "vote/choose.html", context)

    marks = _marks_from(request.POST, specs)
    choices = _choices(specs, marks)
    typed = request.POST.get("code", "")
    code = codes.canonical(typed) if needs_code else ""
    context.update(choices=choices, code=typed)
    errors: list[str] = []
    if needs_code and code is None:
        errors.append(_("投票码格式不对：应为13位字母和数字，见选票上的“投票码”。"))
    errors += _over_marked(choices)
    step = request.POST.get("step", "choose")
    if errors or step == "back":
        context["errors"] = errors if step != "back" else []
        status = 400 if errors and step != "back" else 200
        return render(request, "vote/choose.html", context, status=status)
    context["code"] = codes.display(code) if code else ""
    if step != "confirm":
        return render(request, "vote/confirm.html", context)
    try:
        receipt = cast(code or "", marks)
    except DomainError as error:
        context["errors"] = [error.text()]
        return render(request, "vote/choose.html", context, status=error.status_code)
    context["receipt"] = codes.display_receipt(receipt)
    return render(request, "vote/receipt.html", context)


# The election of a slip page, per process, while it is open, for the one request of a
# meeting's rush that matters most: the confirmation that casts. Nothing is decided by
# it — the cast's own statement checks that the election is still the open one
# (``services.cast_ballot``), and a refusal drops the entry, so the next page is read
# fresh. Every other step reads the election. An entry lives a minute at most, so a
# renamed school shows its new name soon enough.
_OPEN_PAGES: dict[str, tuple[float, Election]] = {}
_OPEN_PAGE_SECONDS = 60.0
_OPEN_PAGES_MAX = 256


def _election_of_slip_page(request: HttpRequest, key: str) -> Election:
    if request.method == "POST" and request.POST.get("step") == "confirm":
        cached = _OPEN_PAGES.get(str(key))
        if cached is not None and time.monotonic() - cached[0] < _OPEN_PAGE_SECONDS:
            return cached[1]
    election = get_object_or_404(Election.objects.select_related("school"), key=key)
    if election.status == Status.OPEN:
        if len(_OPEN_PAGES) >= _OPEN_PAGES_MAX:
            _OPEN_PAGES.clear()
        _OPEN_PAGES[str(key)] = (time.monotonic(), election)
    else:
        _OPEN_PAGES.pop(str(key), None)
    return election


@public
@private_page
@sensitive_variables()
def cast(request: HttpRequest, key: str) -> HttpResponse:
    """Casting with the one-time code of a printed slip (or a link carrying it)."""
    election = _election_of_slip_page(request, key)

    @sensitive_variables()
    def do_cast(code: str, marks: dict[str, list[int]]) -> str:
        try:
            return services.cast_ballot(election_id=election.pk, code=code, marks=marks)
        except DomainError:
            _OPEN_PAGES.pop(str(key), None)  # perhaps closed since: read it again next time
            raise

    return _ballot_flow(request, election, template_context={}, needs_code=True, cast=do_cast)


@requires(Cap.VOTE)
@private_page
def cast_on_roll(request: AuthedRequest, key: str) -> HttpResponse:
    """Casting for a logged-in voter on the roll of a roll-mode election of their school."""
    election = get_object_or_404(
        Election.objects.select_related("school"),
        key=key,
        school=request.user.school_id,
        mode=Mode.ROLL,
    )
    person = Person.objects.filter(user=request.user).first()
    on_roll = person is not None and election.roll.filter(person=person).first()
    if not on_roll:
        return render(request, "vote/not_on_roll.html", {"election": election, "show_mine": True})
    if on_roll.issued:
        return render(request, "vote/already.html", {"election": election, "show_mine": True})
    assert person is not None

    @sensitive_variables()
    def do_cast(code: str, marks: dict[str, list[int]]) -> str:
        return services.vote_on_roll(election=election, person=person, marks=marks)

    return _ballot_flow(
        request, election, template_context={"on_roll": True}, needs_code=False, cast=do_cast
    )


@requires(Cap.VOTE)
def mine(request: AuthedRequest) -> HttpResponse:
    """The open roll-mode elections of the user's school that they are on, and whether they
    have taken part — the only thing the school knows about their vote."""
    person = Person.objects.filter(user=request.user).first()
    entries = []
    if person is not None:
        entries = list(
            RollEntry.objects.filter(
                person=person, election__school=request.user.school_id,
                election__status=Status.OPEN,
            ).select_related("election")
        )  # fmt: skip
    return render(request, "vote/mine.html", {"entries": entries, "has_person": person is not None})


@public
@private_page
def check_receipt(request: HttpRequest, key: str) -> HttpResponse:
    """After the results are published, anyone holding a receipt code can see that a
    ballot with it was counted — and only that: a receipt says nothing of what the ballot
    says."""
    election = get_object_or_404(Election.objects.select_related("school"), key=key)
    context: dict[str, Any] = {"election": election, "published": False}
    if election.status == Status.PUBLISHED:
        receipts = Receipt.objects.filter(election=election)
        context.update(published=True, receipts=receipts.count(), digest=election.digest)
        # Posted, not in the query string, so receipts stay out of access logs too.
        typed = request.POST.get("r", "") if request.method == "POST" else ""
        if typed:
            code = codes.canonical_receipt(typed)
            context.update(typed=typed, found=receipts.filter(code=code).exists(), checked=True)
    return render(request, "vote/check.html", context)
