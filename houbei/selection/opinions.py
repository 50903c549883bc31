"""征求意见: the opinion of the school's leadership and of the party branch on each person
under consideration, one row per person and source (a later statement replaces the
earlier one; the audit trail keeps both)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from houbei.audit.services import record
from houbei.people.models import Person

from .common import Refused, check_people, clean_text, lock_cycle, require_stage, stamp, user_of
from .models import Cycle, Opinion, OpinionSource, OpinionStance, Stage


def record_opinion(
    *, actor: Any, cycle: Cycle, person: Person, source: str, stance: str, text: str = "",
    at: dt.datetime | None = None,
) -> Opinion:  # fmt: skip
    """Record (or restate) what ``source`` thinks of ``person``, in 征求意见, now or at
    ``at``. Raises ValidationFailed for an unknown source or stance, or someone of
    another school."""
    errors: dict[str, list[str]] = {}
    if source not in OpinionSource.values:
        errors["source"] = [_("请选择征求意见的对象（学校领导班子或党支部）。")]
    if stance not in OpinionStance.values:
        errors["stance"] = [_("请选择意见：同意、有保留意见或不同意。")]
    if errors:
        raise Refused(errors)
    text = clean_text(text, field="text", label=_("具体意见"), limit=2000, required=False)
    if stance != OpinionStance.SUPPORT and not text:
        raise Refused({"text": [_("有保留意见或不同意时，请写明具体意见。")]})
    with transaction.atomic():
        cycle = lock_cycle(cycle)
        require_stage(cycle, Stage.OPINIONS, doing=_("记录征求意见"))
        check_people(cycle, [person], field="person")
        existing = Opinion.objects.filter(cycle=cycle, person=person, source=source).first()
        old = {"stance": existing.stance, "text": existing.text} if existing else None
        opinion, _created = Opinion.objects.update_or_create(
            cycle=cycle, person=person, source=source,
            defaults={"stance": stance, "text": text, "recorded_by": user_of(actor)},
        )  # fmt: skip
        stamp(opinion, "recorded_at", at)
        record(
            actor=actor, action="selection.opinion.recorded", target=cycle, old=old,
            new={"person": person.name, "source": source, "stance": stance, "text": text},
            at=at,
        )  # fmt: skip
    return opinion


def fully_consulted(cycle: Cycle) -> set[int]:
    """People on whom both the leadership and the party branch have given an opinion."""
    sources: dict[int, set[str]] = {}
    for person_id, source in Opinion.objects.filter(cycle=cycle).values_list("person_id", "source"):
        sources.setdefault(person_id, set()).add(source)
    every = set(OpinionSource.values)
    return {pid for pid, got in sources.items() if got >= every}
