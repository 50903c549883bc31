"""What every service of a cycle starts with: the cycle's row locked, its stage checked,
and text and people checked against the cycle's school."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

# The clock, re-exported for the cycle's services.
from houbei.core.clock import day_of as day_of
from houbei.core.clock import moment as moment
from houbei.core.clock import stamp as stamp
from houbei.core.errors import ValidationFailed
from houbei.people.models import Person

from .models import Cycle, Stage

REASON_MAX = 1000


class Refused(ValidationFailed):
    """A ValidationFailed whose message, unless given, is its field messages themselves,
    so whoever shows only the message still says what is wrong."""

    def __init__(self, errors: dict[str, list[str]], message: object = None) -> None:
        if message is None:
            message = "；".join(str(m) for messages in errors.values() for m in messages)
        super().__init__(errors, message)


def user_of(actor: Any) -> Any:
    """The actor as a foreign key value: None for system actions."""
    return actor if getattr(actor, "pk", None) else None


def lock_cycle(cycle: Cycle) -> Cycle:
    """The cycle's row, locked until the end of the transaction: stage changes and the
    writes of stage data wait for each other, so data is never written into a stage the
    cycle has just left."""
    return Cycle.objects.select_for_update().select_related("school").get(pk=cycle.pk)


def require_stage(cycle: Cycle, *stages: Stage, doing: str) -> None:
    """ValidationFailed unless the cycle is in one of ``stages``."""
    if cycle.stage in stages:
        return
    raise Refused(
        {
            "stage": [
                _("当前阶段为“%(now)s”，不能%(doing)s（应在“%(due)s”阶段进行）。")
                % {
                    "now": cycle.get_stage_display(),
                    "doing": doing,
                    "due": "、".join(str(Stage(s).label) for s in stages),
                }
            ]
        }
    )


def clean_text(value: str | None, *, field: str, label: str, limit: int = REASON_MAX,
               required: bool = True) -> str:  # fmt: skip
    text = (value or "").strip()
    if required and not text:
        raise Refused({field: [_("请填写%(label)s。") % {"label": label}]})
    if len(text) > limit:
        raise Refused({field: [_("%(label)s不能超过%(n)d个字。") % {"label": label, "n": limit}]})
    return text


def check_people(cycle: Cycle, people: Iterable[Person], *, field: str) -> None:
    strangers = [p.name for p in people if p.school_id != cycle.school_id]
    if strangers:
        raise Refused({field: [_("不是本校教职工：%(names)s") % {"names": "、".join(strangers)}]})
