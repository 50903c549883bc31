"""How an audit entry reads on the page: action and object names, and the old → new
values as a small table. Pure functions over stored values: no queries."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

EMPTY = "—"
ChangeKind = Literal["added", "removed", "changed", "same"]


@dataclass(frozen=True)
class Change:
    """One row of the diff table: a field, its value before and after."""

    field: str
    old: str
    new: str
    kind: ChangeKind


def model_of(target_type: str) -> type[models.Model] | None:
    """The model a stored ``app_label.model_name`` names, if it still exists."""
    if "." not in target_type:
        return None
    try:
        return apps.get_model(target_type)
    except (LookupError, ValueError):
        return None


def target_type_label(target_type: str) -> str:
    model = model_of(target_type)
    return str(model._meta.verbose_name) if model is not None else target_type


# Keys services record that are not fields of the entry's model.
KEY_LABELS: dict[str, Any] = {
    "row": gettext_lazy("记录编号"),
    "rule_set": gettext_lazy("选拔条件"),
    "computed": gettext_lazy("计算结果"),
    "explanation": gettext_lazy("计算依据"),
    "previous": gettext_lazy("原认定"),
    "as_of": gettext_lazy("基准日"),
    "target": gettext_lazy("目标"),
    "counts": gettext_lazy("统计"),
    "digest": gettext_lazy("校验值"),
    "format": gettext_lazy("格式"),
    "rows": gettext_lazy("行数"),
}


def field_label(model: type[models.Model] | None, key: str) -> str:
    """The field's verbose name when the key is a field of the target's model, else the
    name of a key services commonly record, else the key."""
    if key == "row":
        return str(KEY_LABELS["row"])
    if model is not None:
        try:
            field = model._meta.get_field(key)
        except FieldDoesNotExist:
            pass
        else:
            return str(getattr(field, "verbose_name", key))
    return str(KEY_LABELS.get(key, key))


def show_value(value: Any) -> str:
    """A stored JSON value as text, as stored: dates stay ISO dates and choice values
    stay their codes, so the trail reads the same after labels change."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list) and all(
        not isinstance(v, list | dict) and v is not None for v in value
    ):
        return "、".join(show_value(v) for v in value) if value else EMPTY
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def recorded_model(action: str, target_type: str) -> type[models.Model] | None:
    """The model whose fields an entry's values are. Usually the target's; but a row kept
    under another object (a post-history row or an honour recorded on the person's file)
    is named by the action code's first two segments: ``people.post_history.added`` →
    ``people.posthistory``."""
    parts = action.split(".")
    if len(parts) >= 3:
        model = model_of(f"{parts[0]}.{parts[1].replace('_', '')}")
        if model is not None:
            return model
    return model_of(target_type)


def changes(old: Any, new: Any, target_type: str = "", action: str = "") -> list[Change]:
    """The rows of the diff table for an entry's ``old`` and ``new`` values.

    Keys in the order they were recorded (old first, then keys only in new); a key in
    both with equal values is kept as "same", because services record a full snapshot
    on creation and only the changed keys on update. A value that is not a mapping is
    shown as one row."""
    if old is None and new is None:
        return []
    if not isinstance(old, dict | None) or not isinstance(new, dict | None):
        return [_row(_("值"), old, new, old is not None, new is not None)]
    before, after = old or {}, new or {}
    model = recorded_model(action, target_type)
    keys = list(before) + [k for k in after if k not in before]
    return [
        _row(field_label(model, key), before.get(key), after.get(key), key in before, key in after)
        for key in keys
    ]


def _row(label: str, old: Any, new: Any, had: bool, has: bool) -> Change:
    kind: ChangeKind
    if had and not has:
        kind = "removed"
    elif has and not had:
        kind = "added"
    elif old == new:
        kind = "same"
    else:
        kind = "changed"
    return Change(label, show_value(old) if had else EMPTY, show_value(new) if has else EMPTY, kind)
