"""Forms of the administration pages: API tokens, users, districts and schools.

They only parse input; the rules (who may have which role where, unique names and codes)
live in ``accounts.services``, whose ``ValidationFailed`` the views put back on the form
with ``add_service_errors``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from houbei.core.errors import ValidationFailed
from houbei.organisation.models import District, School

from .models import Role


def add_service_errors(form: forms.Form, error: ValidationFailed) -> None:
    """Show a service's field errors on the form; errors of fields the form lacks go on top."""
    if not error.errors:
        form.add_error(None, str(error.message))
    for field, messages in error.errors.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


class SchoolChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.district} · {obj.name}"


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("用途"),
        max_length=60,
        help_text=_("写明令牌给哪个系统用，例如“区人事系统同步”。"),
    )


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("用户名或姓名"), required=False)
    role = forms.ChoiceField(
        label=_("角色"), required=False, choices=[("", _("全部")), *Role.choices]
    )
    school = SchoolChoiceField(
        label=_("学校"),
        required=False,
        queryset=School.objects.select_related("district"),
        empty_label=_("全部"),
    )


class UserForm(forms.Form):
    """Create or edit an account. The username is set once, at creation."""

    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        help_text=_("登录用；字母、数字和 @ . + - _，创建后不能修改。"),
    )
    display_name = forms.CharField(label=_("姓名"), max_length=60, required=False)
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    school = SchoolChoiceField(
        label=_("学校"),
        required=False,
        queryset=School.objects.none(),
        help_text=_("人事干部、校务会支委会成员、带教人员、教职工须指定学校。"),
    )
    district = forms.ModelChoiceField(
        label=_("区"),
        required=False,
        queryset=District.objects.all(),
        help_text=_("区教育局用户须指定所属区。"),
    )
    is_active = forms.BooleanField(
        label=_("启用"),
        required=False,
        initial=True,
        help_text=_("停用后不能登录，也不能使用API。"),
    )

    def __init__(
        self, *args: Any, editing: bool = False, current_school_id: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["username"]
        # A deactivated school takes no new users; a user already there keeps it selectable.
        selectable = Q(is_active=True) | Q(pk=current_school_id or 0)
        school_field = self.fields["school"]
        assert isinstance(school_field, forms.ModelChoiceField)
        school_field.queryset = (
            School.objects.select_related("district")
            .filter(selectable)
            .order_by("district__name", "name")
        )


class DistrictForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    code = forms.SlugField(
        label=_("代码"), max_length=40, help_text=_("英文字母、数字或连字符，例如 xuhui。")
    )


class SchoolCreateForm(forms.Form):
    district = forms.ModelChoiceField(label=_("所属区"), queryset=District.objects.all())
    name = forms.CharField(label=_("校名"), max_length=100)
    short_name = forms.CharField(label=_("简称"), max_length=40, required=False)
    code = forms.SlugField(
        label=_("代码"),
        max_length=40,
        help_text=_("英文字母、数字或连字符，全系统唯一，创建后不能修改。"),
    )


class SchoolEditForm(forms.Form):
    name = forms.CharField(label=_("校名"), max_length=100)
    short_name = forms.CharField(label=_("简称"), max_length=40, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
