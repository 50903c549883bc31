"""The targets a school's reserve pool is watched against (后备干部队伍结构, SPEC module 4,
完成): reserves per leadership post, the shares of women and of non-party members, the
age band. Each school sets its own (``PoolTargets``, by the personnel office with a
reason); until it does, the reference numbers below hold, and the pages say which."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houbei.accounts.access import Cap, has_cap
from houbei.audit.services import record
from houbei.core.errors import NotAllowed
from houbei.organisation.models import School

from .common import Refused, clean_text, stamp, user_of
from .models import PoolTargets

# What a school's pool is watched against until the school sets its own targets: the
# numbers of the local implementing rules (anchors-and-rules §2.6: 正职 1:2, 副职 1:1 of
# the posts; 女 ≥ 25 %, 非中共党员 ≥ 10 %) and the plan's age band (28 to 45).
REFERENCE: dict[str, Any] = {
    "ratio_low": Decimal("1.0"),
    "ratio_high": Decimal("2.0"),
    "women_percent": 25,
    "non_party_percent": 10,
    "age_low": 28,
    "age_high": 45,
}
REFERENCE_SOURCE = gettext_lazy(
    "参考标准取自地方后备干部工作规定的通行数值（正职1:2、副职1:1，女性不低于25%，"
    "非中共党员不低于10%）和本校方案“年龄以28至45岁为主体”。"
)
FIELDS = tuple(REFERENCE)
RATIO_MAX = Decimal("9.9")
AGE_MIN, AGE_MAX = 18, 65


@dataclass(frozen=True)
class Targets:
    ratio_low: Decimal
    ratio_high: Decimal
    women_percent: int
    non_party_percent: int
    age_low: int
    age_high: int
    own: bool  # the school's own setting; False: the reference numbers
    reason: str = ""
    updated_at: dt.datetime | None = None
    updated_by: str = ""

    @property
    def source(self) -> str:
        """Where the numbers come from, in words."""
        if self.own:
            return _("本校设置的目标")
        return str(REFERENCE_SOURCE)

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FIELDS}


def label(name: str) -> str:
    """The name of one of the targets, as the model's field names it."""
    return str(getattr(PoolTargets._meta.get_field(name), "verbose_name", name))


def targets_of(school: School) -> Targets:
    """The school's targets, or the reference numbers when it has set none (one query)."""
    row = PoolTargets.objects.filter(school=school).select_related("updated_by").first()
    if row is None:
        return Targets(**REFERENCE, own=False)
    return Targets(
        **{name: getattr(row, name) for name in FIELDS},
        own=True,
        reason=row.reason,
        updated_at=row.updated_at,
        updated_by=str(row.updated_by or _("系统")),
    )


def _decimal(value: Any, field: str, label: str) -> Decimal:
    try:
        number = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise Refused({field: [_("%(label)s须为数字。") % {"label": label}]}) from None
    if not Decimal("0.1") <= number <= RATIO_MAX:
        raise Refused({field: [_("%(label)s须在0.1至9.9之间。") % {"label": label}]})
    return number


def _whole(value: Any, field: str, label: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Refused({field: [_("%(label)s须为整数。") % {"label": label}]}) from None
    if not low <= number <= high:
        raise Refused(
            {field: [_("%(label)s须在%(a)d至%(b)d之间。") % {"label": label, "a": low, "b": high}]}
        )
    return number


def set_targets(
    *,
    actor: Any,
    school: School,
    ratio_low: Decimal | float | str,
    ratio_high: Decimal | float | str,
    women_percent: int,
    non_party_percent: int,
    age_low: int,
    age_high: int,
    reason: str,
    at: dt.datetime | None = None,
) -> PoolTargets:
    """Set the school's pool-structure targets, now or at ``at``: by its personnel office
    (``actor`` None: the system). Reserves per post from ``ratio_low`` to ``ratio_high``
    (0.1…9.9, low ≤ high), percentages 0…100, the age band 18…65 with its start before
    its end; a reason always. Audit ``selection.pool_targets.set`` with the numbers before
    (the reference ones the first time) and after."""
    labels = {name: label(name) for name in FIELDS}
    values: dict[str, Any] = {
        "ratio_low": _decimal(ratio_low, "ratio_low", str(labels["ratio_low"])),
        "ratio_high": _decimal(ratio_high, "ratio_high", str(labels["ratio_high"])),
        "women_percent": _whole(
            women_percent, "women_percent", str(labels["women_percent"]), 0, 100
        ),
        "non_party_percent": _whole(
            non_party_percent, "non_party_percent", str(labels["non_party_percent"]), 0, 100
        ),
        "age_low": _whole(age_low, "age_low", str(labels["age_low"]), AGE_MIN, AGE_MAX),
        "age_high": _whole(age_high, "age_high", str(labels["age_high"]), AGE_MIN, AGE_MAX),
    }
    if values["ratio_low"] > values["ratio_high"]:
        raise Refused({"ratio_high": [_("每个岗位后备干部数的上限不能小于下限。")]})
    if values["age_low"] >= values["age_high"]:
        raise Refused({"age_high": [_("年龄段的止岁须大于起岁。")]})
    reason = clean_text(reason, field="reason", label=_("设置理由"))
    if actor is not None and not (
        getattr(actor, "school_id", None) == school.pk and has_cap(actor, Cap.SELECTION_RUN)
    ):
        raise NotAllowed(_("只有本校人事室可以设置后备干部队伍结构目标。"))
    with transaction.atomic():
        School.objects.select_for_update().filter(pk=school.pk).first()
        row = PoolTargets.objects.filter(school=school).first()
        was_own = row is not None
        before = {name: getattr(row, name) for name in FIELDS} if row else dict(REFERENCE)
        if row is not None and before == values:
            raise Refused({"reason": [_("目标与现行设置相同，无需修改。")]})
        if row is None:
            row = PoolTargets(school=school)
        for name, value in values.items():
            setattr(row, name, value)
        row.reason, row.updated_by = reason, user_of(actor)
        row.save()
        stamp(row, "updated_at", at)
        record(
            actor=actor, action="selection.pool_targets.set", target=school,
            old={k: str(v) for k, v in before.items()} | {"own": was_own},
            new={k: str(v) for k, v in values.items()} | {"own": True}, reason=reason, at=at,
        )  # fmt: skip
    return row
