"""The navigation shows only what the user may use."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .access import Cap, caps_of

# (url name, label, capability). Only real pages belong here.
NAV_ITEMS: list[tuple[str, Any, Cap]] = [
    ("home", _("首页"), Cap.HOME),
    ("people:list", _("教职工档案"), Cap.PEOPLE_VIEW),
    ("people:own", _("我的档案"), Cap.OWN_FILE),
    ("roster:import", _("名册导入"), Cap.PEOPLE_IMPORT),
    ("eligibility:list", _("选拔条件"), Cap.ELIGIBILITY_VIEW),
    ("selection:list", _("选拔周期"), Cap.SELECTION_VIEW),
    ("rotations:rounds", _("轮岗锻炼"), Cap.ROTATION_VIEW),
    ("ballots:list", _("投票"), Cap.BALLOTS_VIEW),
    ("ratings:list", _("民主测评"), Cap.BALLOTS_VIEW),
    ("vote:mine", _("我的投票"), Cap.VOTE),
    ("ratings:mine", _("我的测评"), Cap.VOTE),
    ("rotations:mine", _("我的轮岗"), Cap.ROTATION_TAKE_PART),
    ("organisation:posts", _("岗位设置"), Cap.ORG_VIEW),
    ("organisation:calendar", _("校历"), Cap.ORG_VIEW),
    ("organisation:workdays", _("工作日历"), Cap.CALENDAR_EDIT),
    ("audit:list", _("审计记录"), Cap.AUDIT_VIEW),
    ("district:overview", _("全区概况"), Cap.DISTRICT_VIEW),
    ("accounts:users", _("用户管理"), Cap.USERS_MANAGE),
    ("accounts:schools", _("学校管理"), Cap.SCHOOLS_MANAGE),
    ("accounts:tokens", _("API令牌"), Cap.API_TOKENS),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_caps": frozenset(), "current_school": None}
    caps = caps_of(user)
    items = [
        {"name": name, "label": label, "url": reverse(name)}
        for name, label, cap in NAV_ITEMS
        if cap in caps
    ]
    # The current section is the longest nav URL the path starts with, so /people/me/
    # marks "我的档案" and not also "教职工档案".
    matching = [
        i
        for i in items
        if request.path == i["url"] or (i["url"] != "/" and request.path.startswith(i["url"]))
    ]
    current = max(matching, key=lambda i: len(i["url"]), default=None)
    for item in items:
        item["active"] = item is current
    return {
        "nav_items": items,
        "user_caps": {c.value for c in caps},
        "current_school": getattr(user, "school", None),
    }
