"""Forms of the staff registry. They parse input and show the rules of ``validation`` next
to the fields they concern; the services check the same rules again before writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houbei.accounts.models import Role, User
from houbei.organisation.models import Post, School

from . import national_id
from .models import (
    EARLIEST_APPRAISAL_YEAR,
    AnnualAppraisal,
    AppraisalGrade,
    Education,
    Gender,
    HonourLevel,
    Person,
    PostHistory,
)
from .validation import (
    PERSON_FIELDS,
    Errors,
    annual_appraisal_errors,
    honour_errors,
    normalise_person_values,
    person_errors,
    post_history_errors,
)

# The plan's honours (三、5), offered as suggestions; any other title may be typed.
HONOUR_SUGGESTIONS = ("优秀党员", "“勤朴”教师", "优秀班主任", "优秀教师", "优秀教育工作者")
_SCHOOL_ROLES = (Role.PERSONNEL, Role.DECISION, Role.MENTOR, Role.STAFF)


class FitForDutySelect(forms.NullBooleanSelect):
    """是 / 否 / 未确认 rather than Django's "未知"."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.choices = [("unknown", _("未确认")), ("true", _("是")), ("false", _("否"))]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def name_the_fields(form: forms.BaseForm) -> None:
    """Replace Django's generic messages with ones that name the field, so an error reads
    the same wherever it is shown ("请填写工号。", "出生日期不是有效的日期。")."""
    for field in form.fields.values():
        name = str(field.label)
        choosing = isinstance(
            field, forms.ChoiceField | forms.ModelChoiceField | forms.BooleanField
        )
        field.error_messages["required"] = (
            _("请选择%(field)s。") if choosing else _("请填写%(field)s。")
        ) % {"field": name}
        field.error_messages["invalid"] = _("%(field)s的格式不正确。") % {"field": name}
        if isinstance(field, forms.DateField):
            field.error_messages["invalid"] = _("%(field)s不是有效的日期（格式：2020-09-01）。") % {
                "field": name
            }
        if isinstance(field, forms.IntegerField):
            field.error_messages["invalid"] = _("%(field)s应为整数。") % {"field": name}
        if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
            field.error_messages["invalid_choice"] = _("%(field)s的选项无效，请重新选择。") % {
                "field": name
            }


def add_errors(form: forms.BaseForm, errors: Errors) -> None:
    """Attach rule errors to their fields, skipping fields that already failed to parse
    (their own message says more) and sending unknown keys to the form as a whole."""
    for field, messages in errors.items():
        target = field if field in form.fields else None
        if target is not None and target in form.errors:
            continue
        for message in messages:
            form.add_error(target, message)


class PersonForm(forms.ModelForm):
    """Create or edit a person. The national ID is entered in the clear and never shown
    back: on edit, an empty box keeps the stored number."""

    national_id = forms.CharField(
        label=gettext_lazy("身份证号"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    clear_national_id = forms.BooleanField(
        label=gettext_lazy("删除已登记的身份证号"), required=False
    )

    FIELDSETS: tuple[tuple[Any, tuple[str, ...]], ...] = (
        (
            gettext_lazy("基本信息"),
            ("staff_number", "name", "gender", "birth_date", "national_id", "clear_national_id"),
        ),
        (
            gettext_lazy("工作情况"),
            (
                "started_work_on",
                "joined_school_on",
                "establishment",
                "post_status",
                "subject",
                "title",
            ),
        ),
        (gettext_lazy("政治面貌与学历"), ("political_status", "education")),
        (gettext_lazy("身心健康"), ("fit_for_duty", "fit_for_duty_on")),
        (gettext_lazy("联系方式与账号"), ("phone", "email", "user")),
    )

    class Meta:
        model = Person
        fields = PERSON_FIELDS
        widgets = {
            "birth_date": DateInput(),
            "joined_school_on": DateInput(),
            "started_work_on": DateInput(),
            "fit_for_duty_on": DateInput(),
        }

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.school = school
        editing = self.instance.pk is not None
        user_field = self.fields["user"]
        assert isinstance(user_field, forms.ModelChoiceField)
        # Offer the school's accounts that no other person is linked to.
        user_field.queryset = (
            User.objects.filter(school=school, role__in=_SCHOOL_ROLES)
            .filter(Q(person__isnull=True) | Q(person=self.instance.pk or 0))
            .order_by("username")
        )
        user_field.help_text = _("关联后，本人可在“我的档案”中查看自己的档案。")
        user_field.empty_label = _("不关联")
        gender_field = self.fields["gender"]
        assert isinstance(gender_field, forms.ChoiceField)
        gender_field.choices = [("", _("请选择")), *Gender.choices]
        education_field = self.fields["education"]
        assert isinstance(education_field, forms.ChoiceField)
        education_field.choices = [("", _("未填写")), *Education.choices]
        self.fields["fit_for_duty"] = forms.NullBooleanField(
            label=Person._meta.get_field("fit_for_duty").verbose_name,
            required=False,
            widget=FitForDutySelect(),
            help_text=_("只记录是否身心健康及确认日期，不记录任何病情。"),
        )
        self.fields["fit_for_duty"].initial = self.instance.fit_for_duty
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "off"})
        self.fields["staff_number"].widget.attrs["autocomplete"] = "off"
        self.fields["title"].help_text = _("如：中学一级教师")
        if editing and self.instance.national_id_masked:
            self.fields["national_id"].help_text = _(
                "已登记：%(masked)s。留空则保持不变；填写新号码将替换原号码。"
            ) % {"masked": self.instance.national_id_masked}
        else:
            self.fields["national_id"].help_text = _(
                "选填。18位，加密保存，页面只显示前4位和后4位。"
            )
            del self.fields["clear_national_id"]
        name_the_fields(self)

    def fieldsets(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in self.FIELDSETS
        ]

    def national_id_change(self) -> str | None:
        """What to pass the service: None keeps the number, "" clears it, else the new one."""
        number = national_id.normalise(self.cleaned_data.get("national_id") or "")
        if number:
            return number
        if self.cleaned_data.get("clear_national_id"):
            return ""
        return None if self.instance.pk else ""

    def person_values(self) -> dict[str, Any]:
        return normalise_person_values({f: self.cleaned_data.get(f) for f in PERSON_FIELDS})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        change = self.national_id_change() if "national_id" not in self.errors else None
        errors = person_errors(
            self.person_values(),
            school=self.school,
            person_pk=self.instance.pk,
            national_id_raw=change or None,
            today=timezone.localdate(),
        )
        add_errors(self, errors)
        return cleaned


class PostHistoryForm(forms.Form):
    post = forms.ModelChoiceField(label=gettext_lazy("岗位"), queryset=Post.objects.none())
    start = forms.DateField(label=gettext_lazy("开始日期"), widget=DateInput())
    end = forms.DateField(
        label=gettext_lazy("结束日期"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy("最后在岗的一天；仍在岗请留空。"),
    )
    note = forms.CharField(label=gettext_lazy("备注"), required=False, max_length=200)

    def __init__(
        self, *args: Any, person: Person, row: PostHistory | None = None, **kwargs: Any
    ) -> None:
        if row is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "post": row.post_id,
                "start": row.start,
                "end": row.end,
                "note": row.note,
            }
        super().__init__(*args, **kwargs)
        self.person, self.row = person, row
        post_field = self.fields["post"]
        assert isinstance(post_field, forms.ModelChoiceField)
        # Archived posts stay selectable for the row that already names one.
        post_field.empty_label = _("请选择岗位")
        post_field.queryset = Post.objects.for_school(person.school).filter(
            Q(archived_at__isnull=True) | Q(pk=row.post_id if row else 0)
        )
        name_the_fields(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        if not self.errors:
            add_errors(
                self,
                post_history_errors(
                    person=self.person,
                    post=cleaned["post"],
                    start=cleaned["start"],
                    end=cleaned.get("end"),
                    row_pk=self.row.pk if self.row else None,
                    today=timezone.localdate(),
                ),
            )
        return cleaned


class EndHistoryForm(forms.Form):
    end = forms.DateField(
        label=gettext_lazy("最后在岗日期"), widget=DateInput(), initial=timezone.localdate
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        name_the_fields(self)


class HonourForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("荣誉称号"),
        max_length=60,
        widget=forms.TextInput(attrs={"list": "honour-titles"}),
    )
    level = forms.TypedChoiceField(
        label=gettext_lazy("级别"), choices=HonourLevel.choices, coerce=int
    )
    year = forms.IntegerField(
        label=gettext_lazy("年度"), widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    note = forms.CharField(label=gettext_lazy("备注"), required=False, max_length=200)

    def __init__(self, *args: Any, person: Person, honour: Any = None, **kwargs: Any) -> None:
        if honour is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": honour.title,
                "level": honour.level,
                "year": honour.year,
                "note": honour.note,
            }
        super().__init__(*args, **kwargs)
        self.person, self.honour = person, honour
        year_field = self.fields["year"]
        year_field.widget.attrs.update({"min": 1949, "max": timezone.localdate().year})
        name_the_fields(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        if not self.errors:
            cleaned["title"] = " ".join(cleaned["title"].split())
            add_errors(
                self,
                honour_errors(
                    person=self.person,
                    title=cleaned["title"],
                    level=cleaned["level"],
                    year=cleaned["year"],
                    honour_pk=self.honour.pk if self.honour else None,
                    today=timezone.localdate(),
                ),
            )
        return cleaned


class AnnualAppraisalForm(forms.Form):
    year = forms.IntegerField(
        label=gettext_lazy("考核年度"), widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    grade = forms.ChoiceField(label=gettext_lazy("考核等次"), choices=AppraisalGrade.choices)
    note = forms.CharField(
        label=gettext_lazy("备注"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("不定等次请注明原因，如：新聘用人员试用期内、病事假累计超过半年。"),
    )

    def __init__(
        self, *args: Any, person: Person, appraisal: AnnualAppraisal | None = None, **kwargs: Any
    ) -> None:
        if appraisal is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "year": appraisal.year,
                "grade": appraisal.grade,
                "note": appraisal.note,
            }
        super().__init__(*args, **kwargs)
        self.person, self.appraisal = person, appraisal
        self.fields["year"].widget.attrs.update(
            {"min": EARLIEST_APPRAISAL_YEAR, "max": timezone.localdate().year}
        )
        grade_field = self.fields["grade"]
        assert isinstance(grade_field, forms.ChoiceField)
        grade_field.choices = [("", _("请选择")), *AppraisalGrade.choices]
        name_the_fields(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        if not self.errors:
            cleaned["note"] = cleaned["note"].strip()
            add_errors(
                self,
                annual_appraisal_errors(
                    person=self.person,
                    year=cleaned["year"],
                    grade=cleaned["grade"],
                    note=cleaned["note"],
                    appraisal_pk=self.appraisal.pk if self.appraisal else None,
                    today=timezone.localdate(),
                ),
            )
        return cleaned


class ReasonForm(forms.Form):
    """The reason an archive, restore or removal needs; it is kept in the audit trail."""

    reason = forms.CharField(label=gettext_lazy("原因"), max_length=200)

    def __init__(self, *args: Any, label: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label is not None:
            self.fields["reason"].label = label
        name_the_fields(self)
