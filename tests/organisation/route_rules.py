"""Access rules for the organisation routes (format: ``tests/core/test_routes.py``).

Posts and the school calendar: everyone of the school reads, the personnel office edits,
and nobody reaches another school's rows. The working-day calendar is national: the
personnel office and the system administrator edit it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from houbei.accounts.models import Role
from houbei.organisation.models import Post, SchoolYear, WorkdayOverride, WorkdayYear
from houbei.organisation.services import create_school_year

READERS = frozenset({Role.PERSONNEL, Role.DECISION, Role.MENTOR, Role.STAFF})
EDITORS = frozenset({Role.PERSONNEL})
CALENDAR = frozenset({Role.PERSONNEL, Role.SYSADMIN})


def _post(school: Any) -> dict[str, int]:
    return {"pk": Post.objects.filter(school=school).order_by("pk").first().pk}


def _year(school: Any) -> SchoolYear:
    # Called once per role: find the year made by the first call.
    year = SchoolYear.objects.filter(school=school, start_year=2024).first()
    return year or create_school_year(actor=None, school=school, start_year=2024)


def _term(school: Any) -> dict[str, int]:
    return {"pk": _year(school).terms.order_by("number").first().pk}


def _override(ctx: Any) -> dict[str, int]:
    override, _ = WorkdayOverride.objects.get_or_create(
        date=dt.date(2031, 1, 1), defaults={"kind": "holiday", "name": "元旦", "reason": "测试"}
    )
    return {"pk": override.pk}


def _confirmed_year(ctx: Any) -> dict[str, int]:
    entry, _ = WorkdayYear.objects.get_or_create(year=2031, defaults={"source": "测试"})
    return {"pk": entry.pk}


RULES = {
    "organisation:posts": {"allowed": READERS},
    "organisation:post_create": {"allowed": EDITORS},
    "organisation:post_edit": {
        "allowed": EDITORS,
        "kwargs": lambda ctx: _post(ctx.school),
        "foreign_kwargs": lambda ctx: _post(ctx.other_school),
    },
    "organisation:post_archive": {
        "allowed": EDITORS,
        "kwargs": lambda ctx: _post(ctx.school),
        "foreign_kwargs": lambda ctx: _post(ctx.other_school),
    },
    "organisation:post_restore": {
        "allowed": EDITORS,
        "kwargs": lambda ctx: _post(ctx.school),
        "foreign_kwargs": lambda ctx: _post(ctx.other_school),
    },
    "organisation:calendar": {"allowed": READERS},
    "organisation:schoolyear_create": {"allowed": EDITORS},
    "organisation:schoolyear_edit": {
        "allowed": EDITORS,
        "kwargs": lambda ctx: {"pk": _year(ctx.school).pk},
        "foreign_kwargs": lambda ctx: {"pk": _year(ctx.other_school).pk},
    },
    "organisation:term_edit": {
        "allowed": EDITORS,
        "kwargs": lambda ctx: _term(ctx.school),
        "foreign_kwargs": lambda ctx: _term(ctx.other_school),
    },
    "organisation:workdays": {"allowed": CALENDAR},
    "organisation:workdays_calc": {"allowed": CALENDAR},
    "organisation:override_create": {"allowed": CALENDAR},
    "organisation:override_edit": {"allowed": CALENDAR, "kwargs": _override},
    "organisation:override_delete": {"allowed": CALENDAR, "kwargs": _override},
    "organisation:workdays_year_confirm": {"allowed": CALENDAR},
    "organisation:workdays_year_withdraw": {"allowed": CALENDAR, "kwargs": _confirmed_year},
}
