"""What the rotation services share: refusals that name their field, the round's row
locked with its status checked, text and people checked against the school, and the
lengths a post allows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from houbei.core.errors import ValidationFailed
from houbei.organisation.models import Post, RotationLength, School
from houbei.people.models import Person

from .models import ROUND_TRANSITIONS, Round, RoundStatus

REASON_MAX = 1000


class Refused(ValidationFailed):
    """A ValidationFailed whose message, unless given, is its field messages themselves,
    so whoever shows only the message still says what is wrong."""

    def __init__(self, errors: dict[str, list[str]], message: object = None) -> None:
        if message is None:
            message = "；".join(str(m) for messages in errors.values() for m in messages)
        super().__init__(errors, message)


def refuse(field: str, message: str) -> Refused:
    return Refused({field: [message]})


def user_of(actor: Any) -> Any:
    """The actor as a foreign key value: None for system actions."""
    return actor if getattr(actor, "pk", None) else None


def lock_round(round_: Round) -> Round:
    """The round's row, locked until the end of the transaction: every write of a round's
    data waits for a status change, so nothing is written into a status just left."""
    return (
        Round.objects.select_for_update()
        .select_related("school", "start_term__school_year")
        .get(pk=round_.pk)
    )


def require_status(round_: Round, *statuses: str, doing: str) -> None:
    """Refused (field ``status``) unless the round is in one of ``statuses``."""
    if round_.status in statuses:
        return
    raise refuse(
        "status",
        _("本轮当前状态为“%(now)s”，不能%(doing)s（应在“%(due)s”时进行）。")
        % {
            "now": round_.get_status_display(),
            "doing": doing,
            "due": "、".join(str(RoundStatus(s).label) for s in statuses),
        },
    )


def require_move(round_: Round, status: str, *, doing: str) -> None:
    """Refused (field ``status``) unless the transitions table lets the round move to
    ``status`` from where it is."""
    if round_.can_become(status):
        return
    sources = [s for s, targets in ROUND_TRANSITIONS.items() if status in targets]
    require_status(round_, *sources, doing=doing)


def clean_text(
    value: str | None, *, field: str, label: str, limit: int = REASON_MAX, required: bool = True
) -> str:
    text = (value or "").strip()
    if required and not text:
        raise refuse(field, _("请填写%(label)s。") % {"label": label})
    if len(text) > limit:
        raise refuse(field, _("%(label)s不能超过%(n)d个字。") % {"label": label, "n": limit})
    return text


def check_staff(school: School, people: Iterable[Person], *, field: str) -> None:
    """Refused unless everyone is a current member of staff of ``school``."""
    strangers = [p.name for p in people if p.school_id != school.pk]
    if strangers:
        raise refuse(field, _("不是本校教职工：%(names)s") % {"names": "、".join(strangers)})
    archived = [p.name for p in people if p.archived_at is not None]
    if archived:
        raise refuse(field, _("档案已归档：%(names)s") % {"names": "、".join(archived)})


def check_post(school: School, post: Post, *, field: str = "post") -> None:
    if post.school_id != school.pk:
        raise refuse(field, _("岗位“%(post)s”不属于本校。") % {"post": post.name})
    if post.archived_at is not None:
        raise refuse(field, _("岗位“%(post)s”已归档。") % {"post": post.name})
    if not post.is_rotation_post:
        raise refuse(field, _("“%(post)s”不是轮岗锻炼岗位。") % {"post": post.name})


def allowed_lengths(post: Post) -> list[str]:
    """The lengths the post allows (the plan's 七: 一学期或一学年); a post that names none
    allows both."""
    lengths = [x for x in post.allowed_lengths if x in RotationLength.values]
    return lengths or [RotationLength.TERM, RotationLength.YEAR]


def check_length(post: Post, length: str, *, field: str = "length") -> None:
    if length not in RotationLength.values:
        raise refuse(field, _("时长应为一学期或一学年。"))
    if length not in allowed_lengths(post):
        raise refuse(
            field,
            _("%(post)s的轮岗时长只能是%(allowed)s。")
            % {
                "post": post.name,
                "allowed": _("或").join(
                    str(RotationLength(x).label) for x in allowed_lengths(post)
                ),
            },
        )


def person_label(person: Person) -> str:
    return f"{person.name}（{person.staff_number}）"
