"""The navigation shows only what the user may use."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .access import Cap, caps_of

# (url name, label, capability). Only real pages belong here.
NAV_ITEMS: list[tuple[str, Any, Cap]] = [
    ("home", _("首页"), Cap.HOME),
    ("people:list", _("教职工档案"), Cap.PEOPLE_VIEW),
    ("people:own", _("我的档案"), Cap.OWN_FILE),
    ("roster:import", _("名册导入"), Cap.PEOPLE_IMPORT),
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
    from django.urls import NoReverseMatch, reverse

    items = []
    for name, label, cap in NAV_ITEMS:
        if cap not in caps:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue  # the module that serves it is not installed
        items.append(
            {
                "name": name,
                "label": label,
                "url": url,
                "active": request.path == url or (url != "/" and request.path.startswith(url)),
            }
        )
    return {
        "nav_items": items,
        "user_caps": {c.value for c in caps},
        "current_school": getattr(user, "school", None),
    }
