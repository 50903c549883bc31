"""How the registry shows its audit entries: action names and "field: old → new" lines in
Chinese, from the codes and raw values the services record."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from houbei.audit import labels as audit_labels
from houbei.audit.models import AuditEntry

from .models import (
    AppraisalGrade,
    Education,
    Establishment,
    Gender,
    HonourLevel,
    PoliticalStatus,
    PostStatus,
)
from .validation import PERSON_FIELDS, label

ACTION_LABELS: dict[str, Any] = {
    "people.person.created": _("建立档案"),
    "people.person.updated": _("修改信息"),
    "people.person.archived": _("归档"),
    "people.person.restored": _("恢复档案"),
    "people.post_history.added": _("添加任职经历"),
    "people.post_history.updated": _("修改任职经历"),
    "people.post_history.ended": _("结束任职"),
    "people.post_history.removed": _("删除任职经历"),
    "people.honour.added": _("添加荣誉"),
    "people.honour.updated": _("修改荣誉"),
    "people.honour.removed": _("删除荣誉"),
    "people.appraisal.added": _("添加年度考核等次"),
    "people.appraisal.updated": _("修改年度考核等次"),
    "people.appraisal.removed": _("删除年度考核等次"),
}

# Keys of the values recorded for each kind of row; "title" is 职称 on a person but 称号
# on an honour, so labels are looked up by the kind of row the action is about.
_ROW_LABELS: dict[str, dict[str, Any]] = {
    "people.person.": {
        "national_id": _("身份证号"),
        "archived_at": _("归档时间"),
        "archive_reason": _("归档原因"),
    },
    "people.post_history.": {
        "post": _("岗位"),
        "start": _("开始"),
        "end": _("结束"),
        "note": _("备注"),
    },
    "people.honour.": {
        "title": _("称号"),
        "level": _("级别"),
        "year": _("年度"),
        "note": _("备注"),
    },
    "people.appraisal.": {
        "year": _("考核年度"),
        "grade": _("考核等次"),
        "note": _("备注"),
    },
}
_CHOICE_LABELS: dict[str, dict[Any, Any]] = {
    "gender": dict(Gender.choices),
    "establishment": dict(Establishment.choices),
    "post_status": dict(PostStatus.choices),
    "political_status": dict(PoliticalStatus.choices),
    "education": dict(Education.choices),
    "level": dict(HonourLevel.choices),
    "grade": dict(AppraisalGrade.choices),
}


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


def field_label(key: str, action: str = "people.person.updated") -> str:
    for prefix, labels in _ROW_LABELS.items():
        if action.startswith(prefix) and key in labels:
            return str(labels[key])
    if key in PERSON_FIELDS:
        return label(key)
    return key


def show_value(key: str, value: Any) -> str:
    """A recorded value as a person reads it: labels for codes, 是/否, "—" for nothing."""
    if value is None or value == "":
        return "—"
    if key in _CHOICE_LABELS:
        return str(_CHOICE_LABELS[key].get(value, value))
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if key == "archived_at" and isinstance(value, str):
        return value[:16].replace("T", " ")
    return str(value)


def changes(entry: AuditEntry) -> list[Change]:
    """The fields an entry touched, each with its old and new value ("—" when absent).
    ``row`` (the id of a history row or honour) is an identifier, not a change."""
    return _changes(entry.old or {}, entry.new or {}, entry.action)


def _changes(old: dict[str, Any], new: dict[str, Any], action: str) -> list[Change]:
    keys = [k for k in {**old, **new} if k != "row"]
    return [
        Change(field_label(k, action), show_value(k, old.get(k)), show_value(k, new.get(k)))
        for k in keys
    ]


ROSTER_IMPORTED = "people.roster.imported"


def _imported(entry: AuditEntry, staff_number: str) -> dict[str, Any] | None:
    """One person's part of a roster import's single audit entry (the importer records the
    whole import as one entry, with each person's changes inside it)."""
    detail = ((entry.new or {}).get("people") or {}).get(staff_number)
    if not isinstance(detail, dict):
        return None
    created = detail.get("action") == "created"
    action = "people.person.created" if created else "people.person.updated"
    shown = _changes(detail.get("old") or {}, detail.get("new") or {}, action)
    if created:
        shown = [c for c in shown if c.new != "—"]
    extra = []
    if detail.get("post_history_added"):
        extra.append(_("新增任职经历 %(n)d 条") % {"n": len(detail["post_history_added"])})
    if detail.get("post_history_updated"):
        extra.append(_("更正任职经历 %(n)d 条") % {"n": len(detail["post_history_updated"])})
    if detail.get("honours_added"):
        extra.append(_("新增荣誉 %(n)d 项") % {"n": len(detail["honours_added"])})
    if detail.get("appraisals_added"):
        extra.append(_("新增年度考核 %(n)d 条") % {"n": len(detail["appraisals_added"])})
    if detail.get("appraisals_updated"):
        extra.append(_("更正年度考核 %(n)d 条") % {"n": len(detail["appraisals_updated"])})
    return {
        "entry": entry,
        "label": _("名册导入：%(file)s") % {"file": (entry.new or {}).get("file", "")},
        "kind": "new" if created else "diff",
        "changes": shown,
        "note": "；".join(str(x) for x in extra),
    }


def action_label(action: str) -> str:
    """The registry's own wording for its actions, as read in one person's file; other
    modules' actions on a person take the audit page's label (or the raw code)."""
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    return str(audit_labels.action_label(action))


def kind_of(action: str) -> str:
    """ "new" for a creation (show the values given), "old" for a removal (show what was
    removed), "diff" otherwise (old → new)."""
    if action.endswith((".created", ".added")):
        return "new"
    if action.endswith(".removed"):
        return "old"
    return "diff"


def present(entries: Iterable[AuditEntry], staff_number: str = "") -> list[dict[str, Any]]:
    """Entries ready for a template: label, kind and the changes worth showing (a
    creation lists only the values that were filled in). A roster import's entry shows
    only this person's part of it (``staff_number``)."""
    items = []
    for entry in entries:
        if entry.action == ROSTER_IMPORTED:
            item = _imported(entry, staff_number)
            if item is not None:
                items.append(item)
            continue
        kind = kind_of(entry.action)
        shown = changes(entry)
        if kind == "new":
            shown = [c for c in shown if c.new != "—"]
        items.append(
            {"entry": entry, "label": action_label(entry.action), "kind": kind, "changes": shown}
        )
    return items
