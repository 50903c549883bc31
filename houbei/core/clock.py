"""When a service's change takes effect: now, or a given past moment (a system action
rebuilding a past cycle or round, as the demo does), and the school's day of it."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone


def moment(at: dt.datetime | None) -> dt.datetime:
    """When a service's change takes effect: ``at`` if given, else now. The pages never
    give it; a system action rebuilding a past cycle or round does (the demo's 2021 cycle,
    its past rotation rounds), so its stages, sign-offs and closures carry their own dates.
    Never later than now."""
    if at is None:
        return timezone.now()
    if timezone.is_naive(at) or at > timezone.now():
        raise ValueError(f"at must be an aware time not after now, not {at!r}")
    return at


def day_of(at: dt.datetime | None) -> dt.date:
    """The school's day of ``moment(at)``: what "today" means to a service's checks."""
    return timezone.localdate(moment(at))


def stamp(row: models.Model, field: str, at: dt.datetime | None) -> None:
    """Give a row just created the time ``at`` in ``field``, one Django fills in itself
    (``auto_now_add``, ``auto_now``); nothing when ``at`` is None."""
    if at is None:
        return
    type(row)._default_manager.filter(pk=row.pk).update(**{field: at})
    setattr(row, field, at)
