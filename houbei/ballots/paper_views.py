"""Pages of paper-ballot entry, for the personnel office: the entry form the clerks type
every sheet into, the sheets that wait (discrepancies for a third person, sheets entered
once only), and the reconciliation with the box count.

The entry form is built for a clerk typing hundreds of sheets: the code field has the
focus, one button enters the sheet and brings back an empty form, and it all works
without JavaScript. After a successful entry the page is rendered, not redirected: the
code just entered is shown once for the clerk to check against the sheet without being
put in the session or a cookie (a reload re-posts it and is refused as entered twice).

The third person is not shown either clerk's marks — the database does not even keep
them, only a keyed digest — so they read the sheet itself rather than choose between
two readings; a sheet is named by the first group of its code (the rest is never
stored), enough to find it in the stack.

Pages with codes on them are not cached, and POST data (codes and marks) is kept out of
error reports."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from houbei.accounts.access import AuthedRequest, Cap, requires, school_of
from houbei.core.errors import DomainError, ValidationFailed

from . import codes, paper
from .models import Election
from .services import specs_of
from .tally import ListSpec


def _election(request: AuthedRequest, pk: int) -> Election:
    return get_object_or_404(Election, pk=pk, school=school_of(request))


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


class SheetForm(forms.Form):
    """One sheet: its code, then each list's candidates as checkboxes. Any number may be
    ticked: an over-marked list is entered as it is and is void in the tally."""

    code = forms.CharField(
        label=gettext_lazy("投票码"),
        required=False,
        max_length=40,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "paper-code",
            }
        ),
        help_text=gettext_lazy("选票上印的13位投票码，横线可打可不打，不分大小写。"),
    )

    def __init__(self, *args: Any, specs: list[ListSpec], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.specs = specs
        for spec in specs:
            self.fields[self.list_field(spec)] = forms.TypedMultipleChoiceField(
                label=_("%(name)s（限选%(quota)d人）") % {"name": spec.name, "quota": spec.quota},
                choices=[
                    (str(cid), f"{n}. {name}")
                    for n, (cid, name) in enumerate(spec.candidates, start=1)
                ],
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    @staticmethod
    def list_field(spec: ListSpec) -> str:
        return f"list_{spec.id}"

    def lists(self) -> list[tuple[ListSpec, forms.BoundField]]:
        return [(spec, self[self.list_field(spec)]) for spec in self.specs]

    def marks(self) -> dict[str, list[int]]:
        return {str(spec.id): self.cleaned_data[self.list_field(spec)] for spec in self.specs}

    def show_errors(self, error: DomainError) -> None:
        if isinstance(error, ValidationFailed) and error.errors:
            for name, field_messages in error.errors.items():
                for message in field_messages:
                    self.add_error(name if name in self.fields else None, message)
        else:
            self.add_error(error.field if error.field in self.fields else None, str(error.message))


class EntryForm(SheetForm):
    confirm = forms.BooleanField(
        label=gettext_lazy("确认按无效选票登记"),
        required=False,
        help_text=gettext_lazy(
            "投票码空白、无法识别、不是本次发出的或已经用过时，核对选票后勾选。"
        ),
    )


@requires(Cap.BALLOTS_RUN)
@sensitive_post_parameters()
def paper_entry(request: AuthedRequest, pk: int) -> HttpResponse:
    election = _election(request, pk)
    refusal = paper.entry_refusal(election)
    specs = specs_of(election)
    form = EntryForm(request.POST if request.method == "POST" else None, specs=specs)
    done: dict[str, str] | None = None
    ask_confirm = False
    if request.method == "POST" and not refusal and form.is_valid():
        typed = form.cleaned_data["code"]
        try:
            result = paper.enter_sheet(
                actor=request.user, election=election, code=typed, marks=form.marks(),
                confirm_rejected=form.cleaned_data["confirm"],
            )  # fmt: skip
        except paper.NeedsConfirmation as error:
            form.show_errors(error)
            ask_confirm = True
        except DomainError as error:
            form.show_errors(error)
        else:
            canonical = codes.canonical(typed)
            shown = codes.display(canonical) if canonical else _("（无法识别）")
            done = {"code": shown, "outcome": result.outcome, "label": result.label()}
            form = EntryForm(specs=specs)
    context = {
        "election": election,
        "refusal": refusal,
        "form": form,
        "done": done,
        "ask_confirm": ask_confirm,
        "progress": paper.progress(election, request.user),
    }
    return _no_store(render(request, "ballots/paper_entry.html", context))


class WithdrawForm(forms.Form):
    entry = forms.UUIDField()
    reason = forms.CharField(required=False, max_length=200, strip=True)


@requires(Cap.BALLOTS_RUN)
@sensitive_post_parameters()
def paper_discrepancies(request: AuthedRequest, pk: int) -> HttpResponse:
    """The sheets that wait, and the third person's reading of a disputed one."""
    election = _election(request, pk)
    refusal = paper.entry_refusal(election)
    specs = specs_of(election)
    form = SheetForm(request.POST if request.method == "POST" else None, specs=specs)
    done: dict[str, str] | None = None
    if request.method == "POST" and not refusal and form.is_valid():
        typed = form.cleaned_data["code"]
        try:
            result = paper.resolve_discrepancy(
                actor=request.user, election=election, code=typed, marks=form.marks()
            )
        except DomainError as error:
            form.show_errors(error)
        else:
            canonical = codes.canonical(typed)
            done = {
                "code": codes.display(canonical) if canonical else "",
                "outcome": result.outcome,
                "label": result.label(),
            }
            form = SheetForm(specs=specs)
    context = {
        "election": election,
        "refusal": refusal,
        "form": form,
        "done": done,
        "disputed": paper.disputed_sheets(election),
        "singles": paper.single_entries(election),
    }
    return _no_store(render(request, "ballots/paper_discrepancies.html", context))


@requires(Cap.BALLOTS_RUN)
@require_POST
def paper_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    election = _election(request, pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择要撤回的录入。"))
        return redirect("ballots:paper_discrepancies", pk=pk)
    entry_id: uuid.UUID = form.cleaned_data["entry"]
    try:
        paper.withdraw_entry(
            actor=request.user, election=election, entry_id=entry_id,
            reason=form.cleaned_data["reason"],
        )  # fmt: skip
    except DomainError as error:
        for message in error.messages():
            messages.error(request, message)
    else:
        messages.success(request, _("已撤回这次录入。"))
    return redirect("ballots:paper_discrepancies", pk=pk)


class BoxCountForm(forms.Form):
    sheets = forms.IntegerField(label=gettext_lazy("开箱清点张数"), min_value=0, max_value=100000)


@requires(Cap.BALLOTS_RUN)
def paper_reconciliation(request: AuthedRequest, pk: int) -> HttpResponse:
    """The figures, what keeps them from balancing, and the tellers' box count."""
    election = _election(request, pk)
    refusal = paper.entry_refusal(election)
    form = BoxCountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            paper.record_box_count(
                actor=request.user, election=election, sheets=form.cleaned_data["sheets"]
            )
        except DomainError as error:
            form.add_error("sheets", str(error.message))
        else:
            messages.success(request, _("已登记开箱清点张数。"))
            return redirect("ballots:paper_reconciliation", pk=pk)
    context = {
        "election": election,
        "refusal": refusal,
        "form": form,
        "figures": paper.reconciliation(election),
    }
    return render(request, "ballots/paper_reconciliation.html", context)
