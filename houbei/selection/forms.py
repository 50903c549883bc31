"""The forms of the selection cycle's pages. They parse and check input; the services of
this package decide what the input may change and raise ValidationFailed naming the
field, which ``show_errors`` puts back on the form."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from houbei.ballots.models import Mode
from houbei.ballots.ratings.models import MIN_K, GroupMode
from houbei.core.errors import DomainError, ValidationFailed
from houbei.eligibility.models import RuleSet
from houbei.organisation.models import School
from houbei.people.lookup import resolve_people
from houbei.people.models import Establishment, Person, PostStatus

from .models import (
    CheckKind,
    CheckResult,
    Choice,
    Cycle,
    CycleList,
    InspectionTarget,
    Level,
    ObjectionOutcome,
    OpinionSource,
    OpinionStance,
    PostponementResult,
    Readiness,
    Stage,
)
from .services import SETTINGS


class DateInput(forms.DateInput):
    """A date picker; its value must be ISO (2021-02-26) whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def _line(n: int) -> str:
    return _("第%(n)d行") % {"n": n}


def show_errors(form: forms.Form, error: DomainError) -> None:
    """Put a service's refusal on the form: each message on the field it names when the
    form has that field, else at the top."""
    if isinstance(error, ValidationFailed) and error.errors:
        for field, messages in error.errors.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, str(message))
        return
    form.add_error(None, str(error.message))


def staff_choices(school: School) -> list[tuple[str, str]]:
    people = Person.objects.for_school(school).current().order_by("name", "staff_number")
    return [("", "—")] + [(str(p.pk), f"{p.name}（{p.staff_number}）") for p in people]


# --- the cycle's settings ----------------------------------------------------------------


def _default(name: str) -> Any:
    field: Any = Cycle._meta.get_field(name)
    return field.get_default()


def add_setting_fields(form: forms.Form, values: dict[str, Any] | None = None) -> None:
    """One field per setting of ``services.SETTINGS``, with its bounds and the default of
    the regulations beside it."""
    for name, spec in SETTINGS.items():
        default = _default(name)
        initial = values[name] if values is not None else default
        if spec.kind is bool:
            form.fields[name] = forms.BooleanField(
                label=spec.label,
                required=False,
                initial=initial,
                help_text=_("默认：%(d)s") % {"d": _("是") if default else _("否")},
            )
        else:
            form.fields[name] = forms.IntegerField(
                label=spec.label,
                min_value=spec.low,
                max_value=spec.high,
                initial=initial,
                help_text=_("默认：%(d)s（可设%(low)d至%(high)d）")
                % {"d": default, "low": spec.low, "high": spec.high},
            )


def setting_values(form: forms.Form) -> dict[str, Any]:
    values = {}
    for name, spec in SETTINGS.items():
        value = form.cleaned_data.get(name)
        values[name] = bool(value) if spec.kind is bool else value
    return values


def _rule_sets(school: School) -> Any:
    return RuleSet.objects.filter(school=school, archived_at__isnull=True).order_by(
        "-is_default", "name"
    )


class RollScope:
    DEFAULT = "default"
    ON_DUTY = "on_duty"
    LISTED = "listed"

    choices = (
        (DEFAULT, gettext_lazy("全体在编在岗教职工（默认）")),
        (ON_DUTY, gettext_lazy("全体在岗教职工（含非在编）")),
        (LISTED, gettext_lazy("指定人员")),
    )


class CycleForm(forms.Form):
    """筹备: a new cycle with its lists, voter roll and settings."""

    title = forms.CharField(label=gettext_lazy("名称"), max_length=120)
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    reference_date = forms.DateField(
        label=gettext_lazy("基准日"),
        widget=DateInput,
        help_text=gettext_lazy("选拔条件按此日计算，通常为民主推荐的日期。"),
    )
    rule_set = forms.ModelChoiceField(
        label=gettext_lazy("选拔条件"), queryset=RuleSet.objects.none(), empty_label=None
    )
    district_quota = forms.IntegerField(
        label=gettext_lazy("区级后备干部名额"),
        min_value=0,
        max_value=200,
        initial=5,
        help_text=gettext_lazy("默认5名；填0表示本次不推荐区级后备干部。"),
    )
    school_quota = forms.IntegerField(
        label=gettext_lazy("校级后备干部名额"),
        min_value=0,
        max_value=200,
        initial=11,
        help_text=gettext_lazy("默认11名；同一人可同时列入区级、校级两个名单。"),
    )
    roll_scope = forms.ChoiceField(
        label=gettext_lazy("参加民主推荐人员"),
        choices=RollScope.choices,
        initial=RollScope.DEFAULT,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("建立后可在筹备页按群体或逐人调整（知情度、关联度、代表性）。"),
    )
    roll_people = forms.CharField(
        label=gettext_lazy("指定人员"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("选择“指定人员”时填写：每行一人，填工号或姓名。"),
    )

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.school = school
        rule_sets = _rule_sets(school)
        field = self.fields["rule_set"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = rule_sets
        default = next((r for r in rule_sets if r.is_default), None)
        year = timezone.localdate().year
        self.initial.setdefault("rule_set", default)
        self.initial.setdefault("year", year)
        self.initial.setdefault("title", _("%(y)d年后备干部选拔") % {"y": year})
        self.initial.setdefault(
            "reference_date", getattr(default, "reference_date", None) or timezone.localdate()
        )
        add_setting_fields(self)
        self.roll: list[Person] | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("district_quota") and not data.get("school_quota"):
            self.add_error("school_quota", _("区级、校级名额不能都为0。"))
        scope = data.get("roll_scope")
        if scope == RollScope.LISTED:
            people, errors = resolve_people(self.school, data.get("roll_people") or "", where=_line)
            for error in errors:
                self.add_error("roll_people", error)
            if not people and not errors:
                self.add_error("roll_people", _("请填写参加民主推荐的人员。"))
            self.roll = people
        elif scope == RollScope.ON_DUTY:
            self.roll = list(
                Person.objects.for_school(self.school)
                .current()
                .filter(post_status=PostStatus.ON_DUTY)
                .order_by("pk")
            )
        return data

    def list_drafts(self) -> list[tuple[str, int]]:
        data = self.cleaned_data
        pairs = [(Level.DISTRICT, data["district_quota"]), (Level.SCHOOL, data["school_quota"])]
        return [(str(level), quota) for level, quota in pairs if quota]


class SetupForm(forms.Form):
    """筹备: the reference date, the rules and the settings of a cycle not yet started."""

    reference_date = forms.DateField(label=gettext_lazy("基准日"), widget=DateInput)
    rule_set = forms.ModelChoiceField(
        label=gettext_lazy("选拔条件"), queryset=RuleSet.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, cycle: Cycle, values: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["rule_set"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = _rule_sets(cycle.school)
        self.initial.setdefault("reference_date", cycle.reference_date)
        self.initial.setdefault("rule_set", cycle.rule_set_id)
        add_setting_fields(self, values)


class ListForm(forms.Form):
    level = forms.ChoiceField(label=gettext_lazy("级别"), choices=Level.choices)
    quota = forms.IntegerField(label=gettext_lazy("名额"), min_value=1, max_value=200)
    name = forms.CharField(
        label=gettext_lazy("名称"),
        max_length=60,
        required=False,
        help_text=gettext_lazy("留空则为“区级后备干部”或“校级后备干部”。"),
    )


def roll_groups(school: School) -> list[tuple[str, str, list[Person]]]:
    """Groups of current staff the roll can take in or let go at once: by establishment
    and post status, and by subject."""
    people = list(Person.objects.for_school(school).current().order_by("staff_number"))
    groups: dict[str, tuple[str, list[Person]]] = {}
    for p in people:
        key = f"status:{p.establishment}:{p.post_status}"
        label = f"{p.get_establishment_display()}{p.get_post_status_display()}"
        groups.setdefault(key, (label, []))[1].append(p)
    for p in people:
        if p.subject:
            groups.setdefault(
                f"subject:{p.subject}", (_("任教学科：%(s)s") % {"s": p.subject}, [])
            )[1].append(p)
    order = {f"status:{Establishment.IN}:{PostStatus.ON_DUTY}": 0}
    return [
        (key, f"{label}（{len(members)}人）", members)
        for key, (label, members) in sorted(
            groups.items(), key=lambda kv: (order.get(kv[0], 1), kv[0])
        )
    ]


class RollAddForm(forms.Form):
    people = forms.CharField(
        label=gettext_lazy("加入人员"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("每行一人，填工号或姓名。"),
    )
    group = forms.ChoiceField(label=gettext_lazy("或按群体加入"), required=False)
    basis = forms.CharField(
        label=gettext_lazy("列入依据"),
        max_length=200,
        help_text=gettext_lazy("按知情度、关联度、代表性说明，如“中层干部，了解人选工作情况”。"),
    )

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.school = school
        self.groups = {key: members for key, _label, members in roll_groups(school)}
        field = self.fields["group"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—")] + [(key, label) for key, label, _m in roll_groups(school)]
        self.chosen: list[Person] = []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        people, errors = resolve_people(self.school, data.get("people") or "", where=_line)
        for error in errors:
            self.add_error("people", error)
        chosen = list(people)
        if data.get("group"):
            chosen += [p for p in self.groups.get(data["group"], []) if p not in chosen]
        if not chosen and not errors:
            self.add_error("people", _("请填写人员或选择群体。"))
        self.chosen = chosen
        return data


class RollRemoveForm(forms.Form):
    people = forms.CharField(
        label=gettext_lazy("移出人员"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("每行一人，填工号或姓名。"),
    )
    reason = forms.CharField(label=gettext_lazy("移出理由"), max_length=300)

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        # Shown on the page with RollAddForm: ids of its own, so each label is its field's.
        kwargs.setdefault("auto_id", "id_remove_%s")
        super().__init__(*args, **kwargs)
        self.school = school
        self.chosen: list[Person] = []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        people, errors = resolve_people(self.school, data.get("people") or "", where=_line)
        for error in errors:
            self.add_error("people", error)
        self.chosen = people
        return data


# --- every stage -------------------------------------------------------------------------


class PlanForm(forms.Form):
    stage = forms.ChoiceField(choices=Stage.choices, widget=forms.HiddenInput)
    deadline = forms.DateField(
        label=pgettext_lazy("deadline", "截止日期"), required=False, widget=DateInput
    )
    responsible = forms.ChoiceField(label=gettext_lazy("负责人"), required=False)

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        # Shown on the page with ReopenForm, which has a stage field too.
        kwargs.setdefault("auto_id", "id_plan_%s")
        super().__init__(*args, **kwargs)
        self.school = school
        field = self.fields["responsible"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = staff_choices(school)

    def person(self) -> Person | None:
        pk = self.cleaned_data.get("responsible")
        return Person.objects.for_school(self.school).filter(pk=pk).first() if pk else None


class AdvanceForm(forms.Form):
    # The stage the page showed: a second click (or a stale page) must not move twice.
    stage = forms.ChoiceField(choices=Stage.choices, widget=forms.HiddenInput)
    start = forms.DateField(
        label=gettext_lazy("公示开始日期"),
        required=False,
        widget=DateInput,
        help_text=gettext_lazy("公示期按工作日计算（周末、法定节假日和调休按工作日历）。"),
    )


class ReopenForm(forms.Form):
    stage = forms.ChoiceField(label=gettext_lazy("重新开启的阶段"))
    reason = forms.CharField(
        label=gettext_lazy("理由"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("必填，记入审计记录。之后各阶段将重新进行。"),
    )

    def __init__(self, *args: Any, stages: Sequence[Stage], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["stage"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(s.value, s.label) for s in stages]


# --- 民主推荐 ----------------------------------------------------------------------------


class RoundForm(forms.Form):
    mode = forms.ChoiceField(
        label=gettext_lazy("投票方式"),
        choices=Mode.choices,
        initial=Mode.SLIPS,
        widget=forms.RadioSelect,
    )


class TalkCountsForm(forms.Form):
    """谈话调研推荐 as one table: how many were talked to, and per list how many named each
    candidate."""

    interviewees = forms.IntegerField(label=gettext_lazy("谈话人数"), min_value=1, max_value=2000)

    def __init__(
        self,
        *args: Any,
        lists: Sequence[CycleList],
        people: Sequence[Person],
        counts: dict[tuple[int, int], int],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lists, self.people = list(lists), list(people)
        for cl in self.lists:
            for p in self.people:
                self.fields[self.key(cl, p)] = forms.IntegerField(
                    label=f"{cl.name} · {p.name}",
                    min_value=0,
                    required=False,
                    initial=counts.get((cl.pk, p.pk)) or None,
                    widget=forms.NumberInput(attrs={"class": "count", "min": 0}),
                )

    @staticmethod
    def key(cycle_list: CycleList, person: Person) -> str:
        return f"c_{cycle_list.pk}_{person.pk}"

    def rows(self) -> list[tuple[Person, list[forms.BoundField]]]:
        return [(p, [self[self.key(cl, p)] for cl in self.lists]) for p in self.people]

    def counts(self) -> list[tuple[CycleList, Person, int]]:
        out = []
        for cl in self.lists:
            for p in self.people:
                value = self.cleaned_data.get(self.key(cl, p))
                if value:
                    out.append((cl, p, value))
        return out


# --- 征求意见 ----------------------------------------------------------------------------


class OpinionForm(forms.Form):
    person = forms.ChoiceField(label=gettext_lazy("人选"))
    source = forms.ChoiceField(
        label=gettext_lazy("征求对象"), choices=OpinionSource.choices, widget=forms.RadioSelect
    )
    stance = forms.ChoiceField(
        label=gettext_lazy("意见"), choices=OpinionStance.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=gettext_lazy("具体意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("有保留意见或不同意时必填。"),
    )

    def __init__(self, *args: Any, people: Iterable[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.by_pk = {str(p.pk): p for p in people}
        field = self.fields["person"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—")] + [(k, p.name) for k, p in self.by_pk.items()]


# --- 确定考察对象 --------------------------------------------------------------------------


class TargetsForm(forms.Form):
    decided_on = forms.DateField(label=gettext_lazy("确定日期"), widget=DateInput)
    acknowledgement = forms.CharField(
        label=gettext_lazy("确认说明"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("考察对象不多于名额（未实行差额考察）时，须写明理由后确认。"),
    )

    def __init__(
        self,
        *args: Any,
        lists: Sequence[CycleList],
        candidates: dict[int, list[Person]],
        chosen: dict[int, set[int]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("decided_on", timezone.localdate())
        self.lists = list(lists)
        self.people: dict[int, dict[str, Person]] = {}
        for cl in self.lists:
            options = {str(p.pk): p for p in candidates.get(cl.pk, [])}
            self.people[cl.pk] = options
            self.fields[f"list_{cl.pk}"] = forms.MultipleChoiceField(
                label=cl.name,
                required=False,
                choices=[(k, p.name) for k, p in options.items()],
                initial=[str(pk) for pk in chosen.get(cl.pk, set())],
                widget=forms.CheckboxSelectMultiple,
            )

    def targets(self) -> dict[CycleList, list[Person]]:
        return {
            cl: [self.people[cl.pk][k] for k in self.cleaned_data.get(f"list_{cl.pk}") or []]
            for cl in self.lists
        }


class InspectionNoticeForm(forms.Form):
    published_on = forms.DateField(
        label=gettext_lazy("考察预告发布日期"), widget=DateInput, initial=timezone.localdate
    )


class ReadinessForm(forms.Form):
    readiness = forms.ChoiceField(label=gettext_lazy("成熟程度"), choices=Readiness.choices)


# --- 组织考察 ----------------------------------------------------------------------------


class TalkForm(forms.Form):
    interviewee_name = forms.CharField(
        label=gettext_lazy("谈话对象"),
        max_length=50,
        help_text=gettext_lazy("按知情度、关联度确定；填本校工号或姓名时关联到教职工档案。"),
    )
    held_on = forms.DateField(label=gettext_lazy("谈话日期"), widget=DateInput)
    interviewer = forms.CharField(label=gettext_lazy("谈话人"), max_length=100)
    summary = forms.CharField(
        label=gettext_lazy("谈话要点"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.school = school
        self.initial.setdefault("held_on", timezone.localdate())

    def interviewee(self) -> Person | None:
        """The staff member the name or staff number names, if exactly one."""
        text = self.cleaned_data["interviewee_name"].strip()
        people, errors = resolve_people(self.school, text, where=_line)
        return people[0] if len(people) == 1 and not errors else None


APPRAISAL_GROUPS = (
    (gettext_lazy("校领导"), 3, GroupMode.ROLL),
    (gettext_lazy("中层干部"), 5, GroupMode.ROLL),
    (gettext_lazy("教师代表"), 5, GroupMode.ROLL),
    (gettext_lazy("服务对象"), 5, GroupMode.CODES),
)


class AppraisalForm(forms.Form):
    """The rater groups of a target's 民主测评; rolls and codes are given on the rating
    round's own page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i, (name, k, mode) in enumerate(APPRAISAL_GROUPS, start=1):
            self.fields[f"group{i}_name"] = forms.CharField(
                label=_("评议人类别%(n)d") % {"n": i},
                max_length=40,
                required=False,
                initial=name,
            )
            self.fields[f"group{i}_k"] = forms.IntegerField(
                label=_("类别%(n)d最少人数") % {"n": i},
                min_value=MIN_K,
                max_value=50,
                required=False,
                initial=k,
            )
            self.fields[f"group{i}_mode"] = forms.ChoiceField(
                label=_("类别%(n)d参加方式") % {"n": i},
                choices=GroupMode.choices,
                required=False,
                initial=mode,
            )

    def rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"group{i}_name"], self[f"group{i}_k"], self[f"group{i}_mode"]]
            for i in range(1, len(APPRAISAL_GROUPS) + 1)
        ]

    def groups(self) -> list[tuple[str, int, str]]:
        data = self.cleaned_data
        out = []
        for i in range(1, len(APPRAISAL_GROUPS) + 1):
            name = (data.get(f"group{i}_name") or "").strip()
            if name:
                out.append(
                    (
                        name,
                        data.get(f"group{i}_k") or 5,
                        data.get(f"group{i}_mode") or GroupMode.CODES,
                    )
                )
        return out

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any((data.get(f"group{i}_name") or "").strip() for i in range(1, 5)):
            self.add_error("group1_name", _("请至少填写一个评议人类别。"))
        return data


class ReportForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("考察材料正文"),
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=gettext_lazy(
            "写实：德、能、勤、绩、廉各方面的表现和事例，主要缺点和不足，民主推荐、民主测评和"
            "个别谈话情况，近年年度考核等次。每次保存为新的一稿。"
        ),
    )


def _required(label: Any) -> dict[str, Any]:
    """The messages of a required field that name it."""
    return {
        "required": _("请填写%(label)s。") % {"label": label},
        "invalid": _("%(label)s格式不正确。") % {"label": label},
    }


class CheckForm(forms.Form):
    """One check of 凡提四必 (个人有关事项报告, 纪检监察部门意见, 信访举报) and its result;
    the service decides what the result needs (a problem explained, 不适用 only where
    the kind allows it, a reason to amend)."""

    kind = forms.ChoiceField(
        label=gettext_lazy("核查事项"),
        choices=CheckKind.choices,
        error_messages={"required": gettext_lazy("请选择核查事项。"),
                        "invalid_choice": gettext_lazy("请选择核查事项。")},
    )  # fmt: skip
    result = forms.ChoiceField(
        label=gettext_lazy("核查结果"),
        choices=CheckResult.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择核查结果。"),
                        "invalid_choice": gettext_lazy("请选择核查结果。")},
        help_text=gettext_lazy("“不适用”仅用于无须报告个人有关事项的人员。"),
    )  # fmt: skip
    checked_on = forms.DateField(label=gettext_lazy("核查日期"), widget=DateInput)
    source = forms.CharField(
        label=gettext_lazy("依据（文件或部门）"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("如：区教育局纪检组廉洁意见回复函、信访办查询结果。"),
    )
    explanation = forms.CharField(
        label=gettext_lazy("问题说明"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("结果为“有问题”时必填：发现的问题及核实情况。"),
    )
    note = forms.CharField(
        label=gettext_lazy("备注"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    reason = forms.CharField(
        label=gettext_lazy("修改理由"),
        max_length=1000,
        required=False,
        help_text=gettext_lazy("修改已记录的结果时必填；原记录保留。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("checked_on", timezone.localdate())
        self.fields["checked_on"].error_messages.update(_required(_("核查日期")))


# --- 讨论决定 ----------------------------------------------------------------------------


class MeetingForm(forms.Form):
    """A decision meeting as a table: one row per member who should attend (in speaking
    order, the main leader last), whether present, and per target their statement."""

    held_on = forms.DateField(label=gettext_lazy("会议日期"), widget=DateInput)
    main_leader = forms.ChoiceField(
        label=gettext_lazy("主要负责人"),
        required=False,
        help_text=gettext_lazy("主要负责人最后表态，请排在最后一行。"),
    )
    note = forms.CharField(
        label=gettext_lazy("备注"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    over_quota_reason = forms.CharField(
        label=gettext_lazy("超出名额的理由"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("仅当某一名单通过人数超过名额时填写，理由记入会议记录。"),
    )

    def __init__(
        self,
        *args: Any,
        school: School,
        targets: Sequence[InspectionTarget],
        members: Sequence[Person],
        rows: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.school, self.targets, self.row_count = school, list(targets), rows
        self.initial.setdefault("held_on", timezone.localdate())
        staff = staff_choices(school)
        self.staff = {p.pk: p for p in Person.objects.for_school(school).current()}
        leader = self.fields["main_leader"]
        assert isinstance(leader, forms.ChoiceField)
        leader.choices = [("", "—")] + [
            (str(i), self._row_label(i, members)) for i in range(1, rows + 1)
        ]
        choices = [("", "—"), *Choice.choices]
        for i in range(1, rows + 1):
            member = members[i - 1] if i <= len(members) else None
            self.fields[f"m{i}_person"] = forms.ChoiceField(
                label=_("第%(n)d行成员") % {"n": i},
                choices=staff,
                required=False,
                initial=str(member.pk) if member else "",
            )
            self.fields[f"m{i}_present"] = forms.BooleanField(
                label=_("第%(n)d行到会") % {"n": i}, required=False, initial=member is not None
            )
            for t in self.targets:
                self.fields[f"m{i}_t{t.pk}"] = forms.ChoiceField(
                    label=f"{t}",
                    choices=choices,
                    required=False,
                    initial="",
                )

    def _row_label(self, i: int, members: Sequence[Person]) -> str:
        """The main-leader choice of row ``i``: the name of the member on that row (as
        submitted, else as proposed), or the row's number for an empty row."""
        pk = self.data.get(f"m{i}_person") if self.is_bound else None
        person = None
        if pk:
            person = self.staff.get(int(pk)) if str(pk).isdigit() else None
        elif not self.is_bound and i <= len(members):
            person = members[i - 1]
        if person is None:
            return _("第%(n)d行（未填成员）") % {"n": i}
        return _("%(name)s（第%(n)d行）") % {"name": person.name, "n": i}

    def member_rows(
        self,
    ) -> list[tuple[int, forms.BoundField, forms.BoundField, list[forms.BoundField]]]:
        return [
            (
                i,
                self[f"m{i}_person"],
                self[f"m{i}_present"],
                [self[f"m{i}_t{t.pk}"] for t in self.targets],
            )
            for i in range(1, self.row_count + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        leader = data.get("main_leader")
        if leader and not data.get(f"m{leader}_person"):
            self.add_error("main_leader", _("主要负责人所在行没有填写成员。"))
        if not any(data.get(f"m{i}_person") for i in range(1, self.row_count + 1)):
            self.add_error(None, _("请列出应到会成员。"))
        return data

    def drafts(
        self,
    ) -> tuple[list[tuple[Person, bool, bool]], dict[InspectionTarget, list[tuple[Person, str]]]]:
        """The members (person, present, main leader) and per target the statements in the
        rows' order; a row without a person is skipped, a blank statement left out."""
        data = self.cleaned_data
        leader = data.get("main_leader")
        members: list[tuple[Person, bool, bool]] = []
        votes: dict[InspectionTarget, list[tuple[Person, str]]] = {t: [] for t in self.targets}
        for i in range(1, self.row_count + 1):
            pk = data.get(f"m{i}_person")
            if not pk:
                continue
            person = self.staff[int(pk)]
            members.append((person, bool(data.get(f"m{i}_present")), leader == str(i)))
            for t in self.targets:
                choice = data.get(f"m{i}_t{t.pk}")
                if choice:
                    votes[t].append((person, choice))
        return members, {t: s for t, s in votes.items() if s}


# --- 公示 -------------------------------------------------------------------------------


class ObjectionForm(forms.Form):
    target = forms.ChoiceField(label=gettext_lazy("被反映人"))
    signed = forms.TypedChoiceField(
        label=gettext_lazy("反映方式"),
        choices=((True, gettext_lazy("署名")), (False, gettext_lazy("匿名"))),
        coerce=lambda v: v in (True, "True", "true", "1"),
        widget=forms.RadioSelect,
        initial=True,
    )
    reporter_name = forms.CharField(
        label=gettext_lazy("反映人"),
        max_length=50,
        required=False,
        help_text=gettext_lazy("署名反映时填写；匿名反映不记录姓名和联系方式。"),
    )
    reporter_contact = forms.CharField(
        label=gettext_lazy("联系方式"), max_length=100, required=False
    )
    received_on = forms.DateField(label=gettext_lazy("收到日期"), widget=DateInput)
    content = forms.CharField(
        label=gettext_lazy("反映内容"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 4})
    )
    evidence = forms.CharField(
        label=gettext_lazy("证据材料"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, targets: Iterable[InspectionTarget], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.by_pk = {str(t.pk): t for t in targets}
        field = self.fields["target"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—")] + [(k, str(t)) for k, t in self.by_pk.items()]
        self.initial.setdefault("received_on", timezone.localdate())


class CloseObjectionForm(forms.Form):
    investigation = forms.CharField(
        label=gettext_lazy("调查核实情况"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    outcome = forms.ChoiceField(
        label=gettext_lazy("处理结果"), choices=ObjectionOutcome.choices, widget=forms.RadioSelect
    )
    reminder_talk_on = forms.DateField(
        label=gettext_lazy("提醒谈话日期"),
        required=False,
        widget=DateInput,
        help_text=gettext_lazy("问题轻微的必填。"),
    )
    postponed_until = forms.DateField(
        label=gettext_lazy("暂缓至"),
        required=False,
        widget=DateInput,
        help_text=gettext_lazy("暂缓的必填，一般不超过3个月。"),
    )
    answer = forms.CharField(
        label=gettext_lazy("向反映人反馈"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("署名反映的必填。"),
    )
    answered_on = forms.DateField(label=gettext_lazy("反馈日期"), required=False, widget=DateInput)


class ResolveForm(forms.Form):
    result = forms.ChoiceField(
        label=gettext_lazy("暂缓结论"), choices=PostponementResult.choices, widget=forms.RadioSelect
    )
    resolved_on = forms.DateField(
        label=gettext_lazy("了结日期"), widget=DateInput, initial=timezone.localdate
    )
    reason = forms.CharField(
        label=gettext_lazy("结论依据"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


# --- 完成: the school's targets for its pool ---------------------------------------------


class PoolTargetsForm(forms.Form):
    """The school's targets for its pool's structure; the service checks the bands."""

    ratio_low = forms.DecimalField(
        label=gettext_lazy("每个岗位后备干部数（下限）"), max_digits=3, decimal_places=1,
        help_text=gettext_lazy("如1表示1:1（副职）；可写一位小数。"),
    )  # fmt: skip
    ratio_high = forms.DecimalField(
        label=gettext_lazy("每个岗位后备干部数（上限）"), max_digits=3, decimal_places=1,
        help_text=gettext_lazy("如2表示1:2（正职）。"),
    )  # fmt: skip
    women_percent = forms.IntegerField(label=gettext_lazy("女性比例不低于（%）"))
    non_party_percent = forms.IntegerField(label=gettext_lazy("非中共党员比例不低于（%）"))
    age_low = forms.IntegerField(label=gettext_lazy("年龄段（起，周岁）"))
    age_high = forms.IntegerField(
        label=gettext_lazy("年龄段（止，周岁）"),
        help_text=gettext_lazy("后备干部以此年龄段为主体（过半）。"),
    )
    reason = forms.CharField(
        label=gettext_lazy("设置理由"), max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("如：经校务会研究，按区教育局要求调整。"),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            label = field.label
            field.error_messages.update(
                {
                    "required": _("请填写%(label)s。") % {"label": label},
                    "invalid": _("%(label)s须为数字。") % {"label": label},
                    "max_digits": _("%(label)s须在0.1至9.9之间。") % {"label": label},
                    "max_decimal_places": _("%(label)s最多一位小数。") % {"label": label},
                    "max_whole_digits": _("%(label)s须在0.1至9.9之间。") % {"label": label},
                }
            )
