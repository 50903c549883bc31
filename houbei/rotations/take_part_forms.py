"""Forms of one's own part in rotation: the 意向表 of the plan's 附2, the post side's answer,
the mentor's notes and the 急、难、险、重 tasks.

The 意向表 is laid out as the plan prints it — one row per post the round offers, with the
post's mentors (带教人员) beside it — and the reserve cadre gives the posts they want a
志愿顺序. Every row is checked here with its number, post and field, so a refusal names
exactly what to change; the service (``intentions.submit_intention``) checks the same rules
again inside its transaction, and its refusals are put back on the row they concern."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houbei.core.errors import DomainError, ValidationFailed
from houbei.organisation.models import RotationLength
from houbei.people.models import Person
from houbei.selection.forms import DateInput

from .assignments import TEXT_MAX
from .common import allowed_lengths
from .intentions import REMARKS_MAX, ROW_REMARKS_MAX, ChoiceDraft
from .models import Intention, PostPreference, RoundPost, TaskDifficulty, TaskKind

DECLINED = "no"


def row_prefix(number: int, post_name: str) -> str:
    """How the service names a row of the form (``intentions._clean_choices``)."""
    return _("第%(n)d行（%(post)s）：") % {"n": number, "post": post_name}


def length_message(lengths: Sequence[str], post_name: str) -> str:
    if len(lengths) == len(RotationLength.values):
        return _("时长应为一学期或一学年。")
    return _("%(post)s的轮岗时长只能是%(allowed)s。") % {
        "post": post_name,
        "allowed": _("或").join(str(RotationLength(x).label) for x in lengths),
    }


@dataclass
class OfferRow:
    """One row of the 意向表: the post offered, its mentors, and the row's four fields."""

    number: int
    offer: RoundPost
    mentors: list[Person]
    lengths: list[str]
    held: bool
    rank: forms.BoundField
    mentor: forms.BoundField
    length: forms.BoundField
    remarks: forms.BoundField
    problems: list[str] = field(default_factory=list)

    @property
    def fields(self) -> list[forms.BoundField]:
        return [self.rank, self.mentor, self.length, self.remarks]

    @property
    def has_errors(self) -> bool:
        return bool(self.problems) or any(f.errors for f in self.fields)

    @property
    def chosen(self) -> bool:
        value = self.rank.value()
        return bool(value) and not self.held


class IntentionForm(forms.Form):
    """The 意向表 of one reserve cadre for one round. ``drafts`` holds, once valid, the rows
    with a 志愿顺序 in table order as the service takes them."""

    remarks = forms.CharField(
        label=gettext_lazy("备注（对本次轮岗的总体说明）"),
        required=False,
        max_length=REMARKS_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": gettext_lazy(
                "备注不能超过%(limit_value)d个字（现有%(show_value)d个字）。"
            )
        },
    )

    def __init__(
        self,
        *args: Any,
        offers: Sequence[RoundPost],
        person: Person,
        held: set[int],
        intention: Intention | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("auto_id", "id_i_%s")
        super().__init__(*args, **kwargs)
        self.person = person
        self.offers = list(offers)
        saved = {c.round_post_id: c for c in intention.choices.all()} if intention else {}
        if intention is not None:
            self.fields["remarks"].initial = intention.remarks
        ranks = [("", _("不填报"))] + [
            (str(n), _("第%(n)d志愿") % {"n": n}) for n in range(1, len(self.offers) + 1)
        ]
        self._rows: list[tuple[int, RoundPost, list[Person], list[str], bool]] = []
        for number, offer in enumerate(self.offers, start=1):
            name = offer.post.name
            mentors = [m for m in offer.mentors.all() if m.pk != person.pk]
            lengths = allowed_lengths(offer.post)
            is_held = offer.post_id in held
            choice = saved.get(offer.pk)
            self.fields[self.key("rank", offer)] = forms.ChoiceField(
                label=_("志愿顺序"),
                choices=ranks,
                required=False,
                disabled=is_held,
                initial=str(choice.rank) if choice else "",
                error_messages={
                    "invalid_choice": _("志愿顺序应为1至%(n)d之间的整数。")
                    % {"n": len(self.offers)}
                },
            )
            self.fields[self.key("mentor", offer)] = forms.ChoiceField(
                label=_("希望的带教人员"),
                choices=[("", _("不指定"))] + [(str(m.pk), m.name) for m in mentors],
                required=False,
                disabled=is_held or not mentors,
                initial=str(choice.mentor_id) if choice and choice.mentor_id else "",
                error_messages={
                    "invalid_choice": _("请从%(post)s的带教人员中选择。") % {"post": name}
                },
            )
            self.fields[self.key("length", offer)] = forms.ChoiceField(
                label=_("希望时长"),
                choices=[(x, RotationLength(x).label) for x in lengths],
                required=False,
                disabled=is_held,
                widget=forms.RadioSelect,
                initial=(choice.length if choice else (lengths[0] if len(lengths) == 1 else "")),
                error_messages={"invalid_choice": length_message(lengths, name)},
            )
            self.fields[self.key("remarks", offer)] = forms.CharField(
                label=_("备注"),
                required=False,
                disabled=is_held,
                max_length=ROW_REMARKS_MAX,
                initial=choice.remarks if choice else "",
                widget=forms.TextInput(attrs={"maxlength": ROW_REMARKS_MAX}),
                error_messages={
                    "max_length": _("备注不能超过%(n)d个字。") % {"n": ROW_REMARKS_MAX}
                },
            )
            self._rows.append((number, offer, mentors, lengths, is_held))
        self.problems: dict[int, list[str]] = {}
        self.drafts: list[tuple[int, ChoiceDraft]] = []

    @staticmethod
    def key(part: str, offer: RoundPost) -> str:
        return f"{part}_{offer.pk}"

    def rows(self) -> list[OfferRow]:
        return [
            OfferRow(
                number=number,
                offer=offer,
                mentors=mentors,
                lengths=lengths,
                held=is_held,
                rank=self[self.key("rank", offer)],
                mentor=self[self.key("mentor", offer)],
                length=self[self.key("length", offer)],
                remarks=self[self.key("remarks", offer)],
                problems=self.problems.get(number, []),
            )
            for number, offer, mentors, lengths, is_held in self._rows
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        drafts: list[tuple[int, ChoiceDraft]] = []
        for number, offer, mentors, lengths, is_held in self._rows:
            if is_held:
                continue
            rank_key, mentor_key, length_key, remarks_key = (
                self.key(part, offer) for part in ("rank", "mentor", "length", "remarks")
            )
            if any(k in self.errors for k in (rank_key, mentor_key, length_key, remarks_key)):
                continue
            rank, mentor_id = data.get(rank_key) or "", data.get(mentor_key) or ""
            length, remarks = data.get(length_key) or "", (data.get(remarks_key) or "").strip()
            if not rank:
                if mentor_id or remarks:
                    self.add_error(
                        rank_key,
                        _("已填写带教人员或备注，请选择志愿顺序；不想去该岗位请清空本行。"),
                    )
                continue
            if not length:
                allowed = _("或").join(str(RotationLength(x).label) for x in lengths)
                self.add_error(
                    length_key, _("请选择希望时长（%(allowed)s）。") % {"allowed": allowed}
                )
                continue
            mentor = next((m for m in mentors if str(m.pk) == mentor_id), None)
            drafts.append((number, ChoiceDraft(offer.post, int(rank), length, mentor, remarks)))
        if not self.errors and not drafts:
            self.add_error(None, _("请至少为一个岗位选择志愿顺序。"))
        self.drafts = drafts
        return data

    def choice_drafts(self) -> list[ChoiceDraft]:
        return [draft for _number, draft in self.drafts]

    def show_refusal(self, error: DomainError) -> None:
        """Put the service's refusal where it belongs: a row's problem back on that row
        (the service numbers the rows it was given, this form the rows of the table),
        the form's remarks on its field, everything else at the top."""
        if not isinstance(error, ValidationFailed) or not error.errors:
            self.add_error(None, str(error.message))
            return
        for name, messages in error.errors.items():
            for message in messages:
                text = str(message)
                if name == "choices" and self._put_on_row(text):
                    continue
                self.add_error(name if name == "remarks" else None, text)

    def _put_on_row(self, text: str) -> bool:
        for given, (number, draft) in enumerate(self.drafts, start=1):
            prefix = row_prefix(given, draft.post.name)
            if text.startswith(prefix):
                self.problems.setdefault(number, []).append(text[len(prefix) :])
                return True
        return False

    def summary(self) -> list[tuple[int | None, str]]:
        """Every problem of the form, each row's named by its number, post and field, with
        the row's number (None for the form's own) so the page can link to the row."""
        lines: list[tuple[int | None, str]] = [(None, str(e)) for e in self.non_field_errors()]
        for row in self.rows():
            where = row_prefix(row.number, row.offer.post.name)
            for bound in row.fields:
                lines.extend((row.number, f"{where}{bound.label}：{e}") for e in bound.errors)
            lines.extend((row.number, where + p) for p in row.problems)
        label = self["remarks"].label
        lines.extend((None, f"{label}：{e}") for e in self.errors.get("remarks", []))
        return lines


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("撤回理由（可不填）"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"maxlength": 300}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_withdraw_%s")
        super().__init__(*args, **kwargs)


# --- the post side -----------------------------------------------------------------------


class PostSideForm(forms.Form):
    """The post's answer about the people who listed it: each in a tier (第1档 best; the
    same tier for people wanted equally), declined, or left unranked — acceptable below
    the ranked when ``accept_others`` is ticked."""

    accept_others = forms.BooleanField(
        label=gettext_lazy("其余未排序的填报人也可以接受（排在已排序的人员之后）"),
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        people: Sequence[Person],
        preferences: Sequence[PostPreference],
        accept_others: bool,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("auto_id", "id_ps_%s")
        super().__init__(*args, **kwargs)
        self.people = list(people)
        self.fields["accept_others"].initial = accept_others
        answered = {p.person_id: (DECLINED if p.declined else str(p.tier)) for p in preferences}
        tiers = [("", _("未排序"))] + [
            (str(n), _("第%(n)d档") % {"n": n}) for n in range(1, len(self.people) + 1)
        ]
        for person in self.people:
            self.fields[self.key(person)] = forms.ChoiceField(
                label=person.name,
                choices=[*tiers, (DECLINED, _("不接受"))],
                required=False,
                initial=answered.get(person.pk, ""),
                error_messages={"invalid_choice": _("请选择档次、不接受或未排序。")},
            )

    @staticmethod
    def key(person: Person) -> str:
        return f"tier_{person.pk}"

    def answer(self) -> tuple[list[list[Person]], list[Person], bool]:
        """(ranking in tiers, best first; declined; accept_others) from valid data."""
        tiers: dict[int, list[Person]] = {}
        declined: list[Person] = []
        for person in self.people:
            value = self.cleaned_data.get(self.key(person)) or ""
            if value == DECLINED:
                declined.append(person)
            elif value:
                tiers.setdefault(int(value), []).append(person)
        return [tiers[t] for t in sorted(tiers)], declined, self.cleaned_data["accept_others"]


# --- the assignment ----------------------------------------------------------------------


class NoteForm(forms.Form):
    written_on = forms.DateField(label=gettext_lazy("日期"), widget=DateInput())
    text = forms.CharField(
        label=gettext_lazy("带教记录"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_note_%s")
        super().__init__(*args, **kwargs)
        self.fields["written_on"].initial = timezone.localdate()


class TaskForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("任务"), max_length=200)
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("类型（急、难、险、重，可多选）"),
        choices=TaskKind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": gettext_lazy("请选择任务类型（急、难、险、重中的一项或几项）。")
        },
    )
    given_on = forms.DateField(label=gettext_lazy("布置日期"), widget=DateInput())
    difficulty = forms.TypedChoiceField(
        label=gettext_lazy("难度"),
        choices=[("", "—"), *TaskDifficulty.choices],
        coerce=int,
        error_messages={"required": gettext_lazy("请选择难度（一般、较难、很难）。")},
    )
    detail = forms.CharField(
        label=gettext_lazy("任务说明"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_task_%s")
        super().__init__(*args, **kwargs)
        self.fields["given_on"].initial = timezone.localdate()


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=gettext_lazy("完成情况"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    outcome_on = forms.DateField(label=gettext_lazy("完成日期"), widget=DateInput())

    def __init__(
        self, *args: Any, task_pk: int, initial_day: dt.date | None = None, **kwargs: Any
    ) -> None:
        kwargs.setdefault("auto_id", f"id_outcome_{task_pk}_%s")
        super().__init__(*args, **kwargs)
        self.fields["outcome_on"].initial = initial_day or timezone.localdate()
