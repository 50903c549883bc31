"""The audit page's filters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houbei.organisation.models import School

from .display import target_type_label
from .labels import action_group, action_label, group_label
from .models import AuditEntryQuerySet

PAGE_SIZES = (25, 50, 100)
NO_SCHOOL = "none"  # entries that belong to no school: accounts, backups, districts


class DateInput(forms.DateInput):
    input_type = "date"


def action_choices(codes: Iterable[str]) -> list[tuple[str, Any]]:
    """Grouped choices for the codes present: per module a "all of this module" choice
    (``people.*``) and each code under its Chinese name (or the code itself)."""
    groups: dict[str, list[str]] = {}
    for code in sorted(set(codes)):
        groups.setdefault(action_group(code), []).append(code)
    choices: list[tuple[str, Any]] = [("", _("全部操作"))]
    for group in sorted(groups, key=group_label):
        name = group_label(group)
        options = [(f"{group}.*", _("全部：%(group)s") % {"group": name})]
        options += [(code, action_label(code)) for code in groups[group]]
        choices.append((name, options))
    return choices


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("操作"), required=False)
    actor = forms.CharField(label=_("操作人"), required=False, max_length=150)
    target_type = forms.ChoiceField(label=_("对象类型"), required=False)
    target_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    school = forms.ChoiceField(label=_("学校"), required=False)
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=DateInput)
    q = forms.CharField(
        label=_("对象或理由包含"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    per_page = forms.TypedChoiceField(
        label=_("每页"),
        required=False,
        coerce=int,
        choices=[(n, str(n)) for n in PAGE_SIZES],
        empty_value=None,
    )

    def __init__(
        self,
        data: Any,
        *,
        actions: Iterable[str],
        target_types: Iterable[str],
        schools: Iterable[School] | None,
    ) -> None:
        """``schools`` is None for users who see one school only: no school filter."""
        super().__init__(data)
        self._choice_field("action").choices = action_choices(actions)
        types = sorted(
            ((t, target_type_label(t)) for t in set(target_types) if t),
            key=lambda choice: choice[1],
        )
        self._choice_field("target_type").choices = [("", _("全部类型")), *types]
        if schools is None:
            del self.fields["school"]
        else:
            self._choice_field("school").choices = [
                ("", _("全部学校")),
                (NO_SCHOOL, _("不属于任何学校（账户、系统）")),
                *((str(s.pk), s.name) for s in schools),
            ]

    def _choice_field(self, name: str) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields[name])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("截止日期不能早于起始日期。"))
        return data

    def page_size(self) -> int:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("per_page"):
            return int(self.cleaned_data["per_page"])
        return PAGE_SIZES[0]

    def apply(self, entries: AuditEntryQuerySet) -> AuditEntryQuerySet:
        """The entries that pass the filters; invalid input filters nothing."""
        if not self.is_bound or not self.is_valid():
            return entries
        data = self.cleaned_data
        action = data.get("action") or ""
        if action.endswith(".*"):
            entries = entries.filter(action__startswith=action[:-1])
        elif action:
            entries = entries.filter(action=action)
        if data.get("actor"):
            entries = entries.filter(actor_name__icontains=data["actor"])
        if data.get("target_type"):
            entries = entries.filter(target_type=data["target_type"])
        if data.get("target_id"):
            entries = entries.filter(target_id=data["target_id"])
        school = data.get("school")
        if school == NO_SCHOOL:
            entries = entries.filter(school__isnull=True)
        elif school:
            entries = entries.filter(school_id=int(school))
        # Days are the school's days (TIME_ZONE), turned into instants so the database
        # compares timestamps as stored instead of converting every row's time zone.
        if data.get("date_from"):
            entries = entries.filter(at__gte=_start_of(data["date_from"]))
        if data.get("date_to"):
            entries = entries.filter(at__lt=_start_of(data["date_to"] + dt.timedelta(days=1)))
        if data.get("q"):
            text = data["q"]
            entries = entries.filter(Q(target_label__icontains=text) | Q(reason__icontains=text))
        return entries


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
