"""The forms of the personnel office's rotation pages (rounds, the proposal, assignments).
They parse and check input; the services of this package decide what the input may change
and refuse with ``Refused`` naming the field, which ``show_errors`` puts back on the form
(or, for a field the form does not have, at the top with the field's name in front)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houbei.core.errors import DomainError, ValidationFailed
from houbei.organisation.models import Post, RotationLength, School, Term
from houbei.people.models import Person
from houbei.selection.forms import DateInput

from .models import (
    DEFAULT_MENTOR_CAPACITY,
    AssignmentStatus,
    MentorRole,
    Round,
    RoundPost,
    RoundScope,
)
from .rounds import MAX_MENTOR_CAPACITY, MAX_MONTHS_BELOW, MAX_POST_CAPACITY

# The names of the fields the services refuse by, for a refusal shown where the form has
# no such field (a message at the top of the page names the field it is about).
FIELD_LABELS: dict[str, Any] = {
    "status": gettext_lazy("状态"),
    "title": gettext_lazy("名称"),
    "scope": gettext_lazy("范围"),
    "start_term": gettext_lazy("开始学期"),
    "posts": gettext_lazy("开放岗位"),
    "post": gettext_lazy("岗位"),
    "capacity": gettext_lazy("名额"),
    "mentor": gettext_lazy("带教人员"),
    "mentors": gettext_lazy("带教人员"),
    "person": gettext_lazy("轮岗人"),
    "length": gettext_lazy("时长"),
    "reason": gettext_lazy("理由"),
    "move": gettext_lazy("调整"),
    "intentions": gettext_lazy("意向表"),
    "instance": gettext_lazy("匹配数据"),
    "waiver": gettext_lazy("免除"),
    "on": gettext_lazy("日期"),
    "goals": gettext_lazy("锻炼目标"),
    "exempt_reason": gettext_lazy("免除理由"),
    "min_months_below": gettext_lazy("下一级岗位经历（月）"),
    "default_mentor_capacity": gettext_lazy("每位带教人员每学期可带人数"),
    "note": gettext_lazy("说明"),
    "term": gettext_lazy("学期"),
    "document": gettext_lazy("文书"),
    "format": gettext_lazy("格式"),
}


def labelled(field: str | None, message: object) -> str:
    """``message`` with the name of its field in front, unless it already starts so."""
    label = str(FIELD_LABELS.get(field or "", ""))
    text = str(message)
    if not label or text.startswith(label):
        return text
    return f"{label}：{text}"


def refusal_messages(error: DomainError) -> list[str]:
    """A service's refusal as messages, each naming its field."""
    if isinstance(error, ValidationFailed) and error.errors:
        return [labelled(f, m) for f, messages in error.errors.items() for m in messages]
    return [labelled(error.field, error.message)]


def show_errors(form: forms.Form, error: DomainError) -> None:
    """Put a service's refusal on the form: each message on the field it names when the
    form has that field, else at the top with the field's name in front."""
    if isinstance(error, ValidationFailed) and error.errors:
        for field, messages in error.errors.items():
            for message in messages:
                if field in form.fields:
                    form.add_error(field, str(message))
                else:
                    form.add_error(None, labelled(field, message))
        return
    form.add_error(None, str(error.message))


def form_messages(form: forms.Form) -> list[str]:
    """A form's errors as lines naming their field, for a page that shows no form."""
    lines = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            lines.append(f"{label}：{error}" if label else str(error))
    return lines


def person_label(person: Any) -> str:
    return f"{person.name}（{person.staff_number}）"


def staff(school: School) -> list[Person]:
    return list(Person.objects.for_school(school).current().order_by("name", "staff_number"))


def _terms(school: School) -> Any:
    return Term.objects.for_school(school).select_related("school_year").order_by("start")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return person_label(obj)


class TermChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj}（{obj.start:%Y-%m-%d}至{obj.end:%Y-%m-%d}）"


# --- Rounds ------------------------------------------------------------------------------


class _RoundFields(forms.Form):
    """What a round's settings share between creating and changing it."""

    title = forms.CharField(label=gettext_lazy("名称"), max_length=120)
    intentions_due = forms.DateField(
        label=gettext_lazy("意向填报截止日期"),
        required=False,
        widget=DateInput,
        help_text=gettext_lazy("告知后备干部的截止日期；到期后由人事室截止填报。"),
    )
    min_months_below = forms.IntegerField(
        label=gettext_lazy("下一级岗位经历（月）"),
        min_value=0,
        max_value=MAX_MONTHS_BELOW,
        help_text=gettext_lazy(
            "方案：具有在下一级岗位工作一年以上的经历（个别岗位酌情处理）。默认取本校选拔条件。"
        ),
    )
    default_mentor_capacity = forms.IntegerField(
        label=gettext_lazy("每位带教人员每学期可带人数"),
        min_value=0,
        max_value=MAX_MENTOR_CAPACITY,
        initial=DEFAULT_MENTOR_CAPACITY,
        help_text=gettext_lazy("可在轮次页逐人调整。"),
    )
    note = forms.CharField(
        label=gettext_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def check_due(self, start: Term | None) -> None:
        due = self.cleaned_data.get("intentions_due")
        if due is not None and start is not None and due >= start.start:
            self.add_error(
                "intentions_due",
                _("意向填报截止日期应早于开始学期的开学日期（%(day)s）。")
                % {"day": start.start.isoformat()},
            )


class RoundCreateForm(_RoundFields):
    """A new round: for one term or a school year, its posts and its numbers."""

    scope = forms.ChoiceField(
        label=gettext_lazy("范围"),
        choices=RoundScope.choices,
        initial=RoundScope.TERM,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "学年轮次从第一学期开始；每人的轮岗时长按意向表（一学期或一学年）。"
        ),
    )
    start_term = TermChoiceField(
        label=gettext_lazy("开始学期"), queryset=Term.objects.none(), empty_label=None
    )
    posts = forms.ModelMultipleChoiceField(
        label=gettext_lazy("开放岗位"),
        queryset=Post.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "名额、带教人员取岗位设置中的每学期容量和默认带教人员，可在轮次页调整。"
        ),
    )
    field_order = [
        "title", "scope", "start_term", "intentions_due", "posts", "min_months_below",
        "default_mentor_capacity", "note",
    ]  # fmt: skip

    def __init__(
        self, *args: Any, school: School, months_below: int, next_term: Term | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        term_field = self.fields["start_term"]
        assert isinstance(term_field, forms.ModelChoiceField)
        term_field.queryset = _terms(school)
        posts_field = self.fields["posts"]
        assert isinstance(posts_field, forms.ModelMultipleChoiceField)
        offered = Post.objects.for_school(school).active().filter(is_rotation_post=True)
        posts_field.queryset = offered
        self.initial.setdefault("posts", list(offered))
        self.initial.setdefault("min_months_below", months_below)
        if next_term is not None:
            self.initial.setdefault("start_term", next_term)
            self.initial.setdefault("title", _("%(term)s双向选择") % {"term": next_term})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.check_due(data.get("start_term"))
        return data


class RoundSettingsForm(_RoundFields):
    def __init__(self, *args: Any, round_: Round, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.round = round_
        for name in ("title", "intentions_due", "min_months_below", "default_mentor_capacity"):
            self.initial.setdefault(name, getattr(round_, name))
        self.initial.setdefault("note", round_.note)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.check_due(self.round.start_term)
        return data


class ReasonForm(forms.Form):
    """A written reason (reopening the forms, discarding a proposal, revoking a waiver)."""

    reason = forms.CharField(
        label=gettext_lazy("理由"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("必填，记入审计记录。"),
    )

    def __init__(self, *args: Any, label: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label is not None:
            self.fields["reason"].label = label


class RoundPostForm(forms.Form):
    """A post's offer in the round: seats, mentors (a picker over the staff), and the
    exemption from the level rule with its reason."""

    capacity = forms.IntegerField(
        label=gettext_lazy("名额"),
        min_value=0,
        max_value=MAX_POST_CAPACITY,
        help_text=gettext_lazy("本轮开始学期的轮岗名额；填0表示本轮暂不接收。"),
    )
    mentors = forms.ModelMultipleChoiceField(
        label=gettext_lazy("带教人员"), queryset=Person.objects.none(), required=False
    )
    level_exempt = forms.BooleanField(
        label=gettext_lazy("免除下一级岗位经历要求"),
        required=False,
        help_text=gettext_lazy("个别岗位酌情处理：本岗位不要求在下一级岗位工作满规定时间。"),
    )
    exempt_reason = forms.CharField(
        label=gettext_lazy("免除理由"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("免除时必填，记入审计记录。"),
    )

    def __init__(self, *args: Any, school: School, offer: RoundPost | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["mentors"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Person.objects.for_school(school)
        if offer is not None:
            self.initial.setdefault("capacity", offer.capacity)
            self.initial.setdefault("mentors", [m.pk for m in offer.mentors.all()])
            self.initial.setdefault("level_exempt", offer.level_exempt)
            self.initial.setdefault("exempt_reason", offer.exempt_reason)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("level_exempt") and not (data.get("exempt_reason") or "").strip():
            self.add_error("exempt_reason", _("免除下一级岗位经历要求时，请填写免除理由。"))
        return data

    @staticmethod
    def initial_from(data: Any) -> dict[str, Any]:
        """The values a search of the picker keeps, taken as they are (not yet checked)."""
        return {
            "capacity": data.get("capacity", ""),
            "mentors": [v for v in data.getlist("mentors") if str(v).isdigit()],
            "level_exempt": bool(data.get("level_exempt")),
            "exempt_reason": data.get("exempt_reason", ""),
        }

    def checked_ids(self) -> set[int]:
        if self.is_bound:
            data: Any = self.data
            return {int(v) for v in data.getlist("mentors") if str(v).isdigit()}
        return {int(v) for v in self.initial.get("mentors", [])}


class AddPostForm(forms.Form):
    post = forms.ModelChoiceField(
        label=gettext_lazy("增加岗位"), queryset=Post.objects.none(), empty_label="—"
    )

    def __init__(self, *args: Any, posts: Iterable[Post], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["post"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Post.objects.filter(pk__in=[p.pk for p in posts])


class MentorCapacityForm(forms.Form):
    mentor = forms.ModelChoiceField(
        label=gettext_lazy("带教人员"), queryset=Person.objects.none(), empty_label="—"
    )
    capacity = forms.IntegerField(
        label=gettext_lazy("每学期可带人数"), min_value=0, max_value=MAX_MENTOR_CAPACITY
    )

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["mentor"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Person.objects.for_school(school)


class WaiverForm(forms.Form):
    """个别岗位酌情处理 for one person at one post of the round."""

    person = forms.TypedChoiceField(label=gettext_lazy("轮岗人"), coerce=int)
    post = forms.TypedChoiceField(label=gettext_lazy("岗位"), coerce=int)
    reason = forms.CharField(
        label=gettext_lazy("理由"),
        max_length=300,
        help_text=gettext_lazy("必填，记入审计记录。"),
    )

    def __init__(
        self, *args: Any, people: Sequence[Any], offers: Sequence[RoundPost], **kwargs: Any
    ) -> None:
        """``people``: Person rows where the form is saved; on the page, anything with
        ``pk``, ``name`` and ``staff_number``."""
        kwargs.setdefault("auto_id", "id_waiver_%s")
        super().__init__(*args, **kwargs)
        self.people = {p.pk: p for p in people}
        self.posts = {o.post_id: o.post for o in offers}
        person = self.fields["person"]
        assert isinstance(person, forms.TypedChoiceField)
        person.choices = [("", "—")] + [(p.pk, person_label(p)) for p in people]
        post = self.fields["post"]
        assert isinstance(post, forms.TypedChoiceField)
        post.choices = [("", "—")] + [(o.post_id, o.post.name) for o in offers]


# --- The proposal ------------------------------------------------------------------------


def warnings_digest(warnings: Sequence[str]) -> str:
    """What the acknowledgement was given for: a move acknowledged for one set of warnings
    is not taken as acknowledged for another (the form changed, or the data did)."""
    return hashlib.sha256("\n".join(warnings).encode()).hexdigest()[:16]


NO_POST = "none"


class MoveForm(forms.Form):
    """Move one person of the proposal: another post (or none), a mentor (or the one the
    service picks), a length (or the one they wanted). A move the check warns about needs
    the warnings acknowledged and a reason."""

    post = forms.ChoiceField(label=gettext_lazy("岗位"))
    mentor = forms.ChoiceField(
        label=gettext_lazy("带教人员"),
        required=False,
        help_text=gettext_lazy("留空：优先安排本人希望的带教人员，其次该岗位尚有名额的带教人员。"),
    )
    length = forms.ChoiceField(
        label=gettext_lazy("时长"),
        required=False,
        help_text=gettext_lazy("留空：按本人意向表填写的时长。"),
    )
    acknowledged = forms.BooleanField(
        label=gettext_lazy("我已了解以上问题，仍要调整"), required=False
    )
    warnings_seen = forms.CharField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=gettext_lazy("调整理由"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("调整会带来问题时必填，记入审计记录。"),
    )

    def __init__(
        self,
        *args: Any,
        offers: Sequence[RoundPost],
        mentors: Sequence[Person],
        others: Sequence[Person],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.offers = {str(o.post_id): o for o in offers}
        people = {p.pk: p for p in [*mentors, *others]}
        self.people = people
        post = self.fields["post"]
        assert isinstance(post, forms.ChoiceField)
        post.choices = [(str(o.post_id), o.post.name) for o in offers] + [
            (NO_POST, _("不安排岗位"))
        ]
        mentor = self.fields["mentor"]
        assert isinstance(mentor, forms.ChoiceField)
        mentor.choices = [
            ("", _("自动")),
            (_("本轮带教人员"), [(str(p.pk), person_label(p)) for p in mentors]),
            (_("其他教职工"), [(str(p.pk), person_label(p)) for p in others]),
        ]
        length = self.fields["length"]
        assert isinstance(length, forms.ChoiceField)
        length.choices = [("", _("按意向")), *list(RotationLength.choices)]

    def chosen_post(self) -> Post | None:
        value = self.cleaned_data["post"]
        return None if value == NO_POST else self.offers[value].post

    def chosen_mentor(self) -> Person | None:
        value = self.cleaned_data.get("mentor")
        return self.people[int(value)] if value else None

    def chosen_length(self) -> str | None:
        return self.cleaned_data.get("length") or None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("post") == NO_POST and data.get("mentor"):
            self.add_error("mentor", _("未安排岗位时不能指定带教人员。"))
        if data.get("post") == NO_POST and data.get("length"):
            self.add_error("length", _("未安排岗位时不用选择时长。"))
        return data


# --- Assignments -------------------------------------------------------------------------


class AssignmentFilterForm(forms.Form):
    round = forms.TypedChoiceField(label=gettext_lazy("轮次"), required=False, coerce=int)
    term = forms.TypedChoiceField(label=gettext_lazy("学期"), required=False, coerce=int)
    status = forms.ChoiceField(label=gettext_lazy("状态"), required=False)
    post = forms.TypedChoiceField(label=gettext_lazy("岗位"), required=False, coerce=int)

    def __init__(
        self, *args: Any, rounds: Sequence[Round], terms: Sequence[Term], posts: Sequence[Post],
        **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.term_by_pk = {t.pk: t for t in terms}
        self.rounds = list(rounds)
        choices = {
            "round": [(r.pk, r.title) for r in rounds],
            "term": [(t.pk, str(t)) for t in terms],
            "post": [(p.pk, p.name) for p in posts],
        }
        for name, options in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.TypedChoiceField)
            field.choices = [("", _("全部")), *options]
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = [("", _("全部")), *list(AssignmentStatus.choices)]


class DayForm(forms.Form):
    """The day a rotation started or ended (empty: the planned day)."""

    on = forms.DateField(
        label=gettext_lazy("日期"),
        required=False,
        widget=DateInput,
        help_text=gettext_lazy("留空则按计划日期。"),
    )


class EndEarlyForm(forms.Form):
    on = forms.DateField(label=gettext_lazy("终止日期"), widget=DateInput)
    reason = forms.CharField(
        label=gettext_lazy("终止理由"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "如半学期考察表现不佳、不宜继续锻炼（终止锻炼）。必填，记入审计记录。"
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_end_%s")
        super().__init__(*args, **kwargs)


class GoalsForm(forms.Form):
    goals = forms.CharField(
        label=gettext_lazy("锻炼目标"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("按“缺什么补什么”的原则，写明本次轮岗要补足的能力。"),
    )


class AddMentorForm(forms.Form):
    mentor = PersonChoiceField(
        label=gettext_lazy("带教人员"), queryset=Person.objects.none(), empty_label="—"
    )
    role = forms.ChoiceField(
        label=gettext_lazy("身份"), choices=MentorRole.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, school: School, role: str, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_add_%s")
        super().__init__(*args, **kwargs)
        field = self.fields["mentor"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Person.objects.for_school(school).current().order_by("name")
        self.initial.setdefault("role", role)


class RemoveMentorForm(forms.Form):
    mentor = forms.TypedChoiceField(label=gettext_lazy("撤换的带教人员"), coerce=int)
    reason = forms.CharField(
        label=gettext_lazy("撤换理由"),
        max_length=300,
        help_text=gettext_lazy("必填，记入审计记录。"),
    )

    def __init__(self, *args: Any, mentors: Sequence[Person], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_remove_%s")
        super().__init__(*args, **kwargs)
        self.people = {p.pk: p for p in mentors}
        field = self.fields["mentor"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "—")] + [(p.pk, person_label(p)) for p in mentors]


class AssignmentCreateForm(forms.Form):
    """A rotation made by the office outside a round (a school sends a reserve cadre to a
    post mid-year): the cadre, the post, a 带教领导 and a 师傅 (either may be left out),
    the start term, the length, the goals and why (for the audit trail). The cadre must be
    a reserve cadre whose pool entry is valid on the first day of the rotation; the service
    refuses the rest (overlaps, the post held now, a mentor with too many mentees)."""

    person = PersonChoiceField(
        label=gettext_lazy("轮岗人"),
        queryset=Person.objects.none(),
        empty_label="—",
        help_text=gettext_lazy("本校后备干部库中的人员（在轮岗开始时仍在有效期内）。"),
    )
    post = forms.ModelChoiceField(
        label=gettext_lazy("岗位"), queryset=Post.objects.none(), empty_label="—"
    )
    start_term = TermChoiceField(
        label=gettext_lazy("开始学期"), queryset=Term.objects.none(), empty_label="—"
    )
    length = forms.ChoiceField(
        label=gettext_lazy("时长"),
        choices=RotationLength.choices,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("一学年：开始学期和下一学期。各岗位允许的时长见岗位设置。"),
    )
    leader = PersonChoiceField(
        label=gettext_lazy("带教领导"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=gettext_lazy("不指定"),
    )
    master = PersonChoiceField(
        label=gettext_lazy("师傅"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=gettext_lazy("不指定"),
    )
    goals = forms.CharField(
        label=gettext_lazy("锻炼目标"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("按“缺什么补什么”的原则，写明本次轮岗要补足的能力。"),
    )
    reason = forms.CharField(
        label=gettext_lazy("单独安排的理由"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("如学期中因工作需要安排轮岗。必填，记入审计记录。"),
    )

    def __init__(
        self,
        *args: Any,
        school: School,
        cadres: Any,
        entries: Sequence[Any],
        term: Term | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.entries = list(entries)
        querysets = {
            "person": cadres,
            "post": Post.objects.for_school(school).active().filter(is_rotation_post=True),
            "start_term": _terms(school),
            "leader": Person.objects.for_school(school).current().order_by("name"),
            "master": Person.objects.for_school(school).current().order_by("name"),
        }
        for name, queryset in querysets.items():
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset
        if term is not None:
            self.initial.setdefault("start_term", term.pk)
        self.initial.setdefault("length", RotationLength.TERM)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        person, term = data.get("person"), data.get("start_term")
        if person is not None and term is not None:
            valid = [
                e
                for e in self.entries
                if e.person_id == person.pk and e.decided_on <= term.start <= e.valid_until
            ]
            if not valid:
                self.add_error(
                    "person",
                    _("%(who)s在%(day)s（%(term)s开始）不在后备干部库有效期内，不能安排轮岗。")
                    % {"who": person.name, "day": term.start.isoformat(), "term": term},
                )
        leader, master = data.get("leader"), data.get("master")
        if leader is not None and master is not None and leader.pk == master.pk:
            self.add_error("master", _("带教领导和师傅不能是同一人。"))
        return data

    def mentors(self) -> list[tuple[Person, str]]:
        chosen = [
            (self.cleaned_data.get("leader"), MentorRole.LEADER),
            (self.cleaned_data.get("master"), MentorRole.MASTER),
        ]
        return [(person, role) for person, role in chosen if person is not None]
