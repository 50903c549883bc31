"""Forms parse input; the services decide what is allowed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from houbei.core.errors import DomainError, ValidationFailed

from .models import DayKind, LadderLevel, Post, PostCategory, RotationLength, School
from .school_calendar import SchoolYearDates
from .services import MAX_CAPACITY, PostSpec


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def date_field(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(), **kwargs)


def show_domain_error(form: forms.Form, error: DomainError) -> None:
    """Put a service's refusal on the form: by field where the form has that field,
    otherwise at the top."""
    if isinstance(error, ValidationFailed) and error.errors:
        for name, messages in error.errors.items():
            for message in messages:
                form.add_error(name if name in form.fields else None, str(message))
    else:
        form.add_error(None, str(error.message))


def mentor_queryset(school: School) -> Any:
    """Staff of ``school``. The registry sits above the organisation in the import order,
    so its model is reached through the post's relation rather than imported."""
    model: Any = Post._meta.get_field("default_mentors").related_model
    return model.objects.filter(school=school)


class PostForm(forms.Form):
    name = forms.CharField(label=_("岗位名称"), max_length=60)
    code = forms.CharField(
        label=_("代码"),
        max_length=40,
        required=False,
        help_text=_("小写英文字母、数字和连字符，用于名册导入和接口；留空则自动生成。"),
    )
    category = forms.ChoiceField(label=_("类别"), choices=PostCategory.choices)
    ladder_level = forms.TypedChoiceField(
        label=_("层级"),
        choices=LadderLevel.choices,
        coerce=int,
        help_text=_("“在下一级岗位工作一年以上”按层级比较：班主任层 < 组长层 < 中层 < 校级。"),
    )
    allowed_lengths = forms.MultipleChoiceField(
        label=_("允许时长"),
        choices=RotationLength.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    capacity_per_term = forms.IntegerField(
        label=_("每学期容量"), min_value=0, max_value=MAX_CAPACITY, initial=1
    )
    is_rotation_post = forms.BooleanField(label=_("轮岗锻炼岗位"), required=False, initial=True)
    counts_as_head = forms.BooleanField(
        label=_("计入班主任或科室组长经历"),
        required=False,
        initial=True,
        help_text=_("选拔条件“三年以上班主任或科室组长工作经历”是否计入此岗位的任职时间。"),
    )
    default_mentors: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=_("默认带教人员"), queryset=None, required=False
    )
    sort_order = forms.IntegerField(label=_("排序"), min_value=0, initial=0)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["default_mentors"].queryset = mentor_queryset(school)  # type: ignore[attr-defined]

    def spec(self) -> PostSpec:
        data = self.cleaned_data
        return PostSpec(
            name=data["name"],
            code=data["code"],
            category=data["category"],
            ladder_level=data["ladder_level"],
            allowed_lengths=data["allowed_lengths"],
            capacity_per_term=data["capacity_per_term"],
            is_rotation_post=data["is_rotation_post"],
            counts_as_head=data["counts_as_head"],
            default_mentor_ids=[p.pk for p in data["default_mentors"]],
            sort_order=data["sort_order"],
            note=data["note"],
        )

    @staticmethod
    def initial_for(post: Post) -> dict[str, Any]:
        return {
            "name": post.name,
            "code": post.code,
            "category": post.category,
            "ladder_level": post.ladder_level,
            "allowed_lengths": list(post.allowed_lengths),
            "capacity_per_term": post.capacity_per_term,
            "is_rotation_post": post.is_rotation_post,
            "counts_as_head": post.counts_as_head,
            "default_mentors": [p.pk for p in post.default_mentors.all()],
            "sort_order": post.sort_order,
            "note": post.note,
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200, widget=forms.Textarea({"rows": 3}))

    def __init__(self, *args: Any, required: bool = True, label: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required
        if label is not None:
            self.fields["reason"].label = label


class SchoolYearForm(forms.Form):
    start_year = forms.IntegerField(
        label=_("学年起始年份"), min_value=2000, max_value=2100, widget=forms.HiddenInput
    )
    start = date_field(_("学年开始"))
    end = date_field(_("学年结束"))
    first_start = date_field(_("第一学期开学"))
    first_end = date_field(_("第一学期结束"))
    first_midterm = date_field(_("第一学期期中考察"))
    first_final = date_field(_("第一学期期末考察"))
    second_start = date_field(_("第二学期开学"))
    second_end = date_field(_("第二学期结束"))
    second_midterm = date_field(_("第二学期期中考察"))
    second_final = date_field(_("第二学期期末考察"))

    GROUPS = (
        (_("学年"), ("start", "end")),
        (_("第一学期"), ("first_start", "first_end", "first_midterm", "first_final")),
        (_("第二学期"), ("second_start", "second_end", "second_midterm", "second_final")),
    )

    def groups(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(label, [self[name] for name in names]) for label, names in self.GROUPS]

    def dates(self) -> SchoolYearDates:
        return SchoolYearDates.from_fields(
            {k: v for k, v in self.cleaned_data.items() if k != "start_year"}
        )


class TermForm(forms.Form):
    start = date_field(_("开学"))
    end = date_field(_("结束"))
    midterm = date_field(_("期中考察"))
    final = date_field(_("期末考察"))


class OverrideForm(forms.Form):
    date = date_field(_("日期"))
    kind = forms.ChoiceField(label=_("类型"), choices=DayKind.choices, widget=forms.RadioSelect)
    name = forms.CharField(
        label=_("名称"),
        max_length=60,
        required=False,
        help_text=_("如：春节、国庆节调休上班。"),
    )
    reason = forms.CharField(
        label=_("依据"),
        max_length=200,
        help_text=_("如：国务院办公厅关于2027年部分节假日安排的通知。"),
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["date"].disabled = True


class WorkdayYearForm(forms.Form):
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100)
    source = forms.CharField(
        label=_("依据"),
        max_length=200,
        help_text=_("如：国务院办公厅关于2027年部分节假日安排的通知。"),
    )


MAX_CALC_DAYS = 3660
MAX_CALC_N = 1000


class CalculatorForm(forms.Form):
    """Two independent questions; either or both may be asked."""

    start = date_field(_("起始日"), required=False)
    n = forms.IntegerField(label=_("工作日数"), min_value=0, max_value=MAX_CALC_N, required=False)
    first = date_field(_("从"), required=False)
    last = date_field(_("到"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first"), data.get("last")
        if isinstance(first, dt.date) and isinstance(last, dt.date):
            if last < first:
                self.add_error("last", _("结束日期不能早于开始日期。"))
            elif (last - first).days > MAX_CALC_DAYS:
                self.add_error("last", _("区间不能超过十年。"))
        return data

    @property
    def asks_add(self) -> bool:
        return bool(
            self.is_valid()
            and self.cleaned_data.get("start") is not None
            and self.cleaned_data.get("n") is not None
        )

    @property
    def asks_count(self) -> bool:
        return bool(
            self.is_valid() and self.cleaned_data.get("first") and self.cleaned_data.get("last")
        )
