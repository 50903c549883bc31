"""Access rules for the staff registry (see ``tests/core/test_routes.py`` for the format).

Reading the registry is for the personnel office and the decision body; writing is for the
personnel office; one's own file is for every school role. Another school's person (and
their history rows, honours and annual appraisals) is refused to everyone."""

import datetime as dt

from houbei.accounts.models import Role
from houbei.people.models import AnnualAppraisal, AppraisalGrade

from ..factories import add_history, add_honour

READERS = frozenset({Role.PERSONNEL, Role.DECISION})
WRITERS = frozenset({Role.PERSONNEL})
SCHOOL_ROLES = frozenset({Role.PERSONNEL, Role.DECISION, Role.MENTOR, Role.STAFF})


def _person(ctx):
    return {"pk": ctx.person.pk}


def _foreign(ctx):
    return {"pk": ctx.foreign_person.pk}


def _history(ctx):
    return {
        "pk": ctx.person.pk,
        "sub": add_history(ctx.person, "class-teacher", dt.date(2012, 9, 1)).pk,
    }


def _foreign_history(ctx):
    row = add_history(ctx.foreign_person, "class-teacher", dt.date(2012, 9, 1))
    return {"pk": ctx.foreign_person.pk, "sub": row.pk}


def _honour(ctx):
    return {"pk": ctx.person.pk, "sub": add_honour(ctx.person).pk}


def _foreign_honour(ctx):
    return {"pk": ctx.foreign_person.pk, "sub": add_honour(ctx.foreign_person).pk}


def _appraisal(ctx):
    # Called once per role for the foreign object: one row per person and year.
    row, _ = AnnualAppraisal.objects.get_or_create(
        person=ctx.person, year=2023, defaults={"grade": AppraisalGrade.QUALIFIED}
    )
    return {"pk": ctx.person.pk, "sub": row.pk}


def _foreign_appraisal(ctx):
    row, _ = AnnualAppraisal.objects.get_or_create(
        person=ctx.foreign_person, year=2023, defaults={"grade": AppraisalGrade.QUALIFIED}
    )
    return {"pk": ctx.foreign_person.pk, "sub": row.pk}


def _post(kwargs, foreign):
    return {
        "allowed": WRITERS,
        "method": "POST",
        "kwargs": kwargs,
        "foreign_kwargs": foreign,
    }


RULES = {
    "people:list": {"allowed": READERS},
    "people:own": {"allowed": SCHOOL_ROLES},
    "people:detail": {"allowed": READERS, "kwargs": _person, "foreign_kwargs": _foreign},
    "people:create": {"allowed": WRITERS},
    "people:edit": {"allowed": WRITERS, "kwargs": _person, "foreign_kwargs": _foreign},
    # Empty POSTs: the allowed role gets the form back with "请填写原因" (200).
    "people:archive": _post(_person, _foreign),
    "people:restore": _post(_person, _foreign),
    "people:history_add": _post(_person, _foreign),
    "people:history_edit": _post(_history, _foreign_history),
    "people:history_end": _post(_history, _foreign_history),
    "people:history_remove": _post(_history, _foreign_history),
    "people:honour_add": _post(_person, _foreign),
    "people:honour_edit": _post(_honour, _foreign_honour),
    "people:honour_remove": _post(_honour, _foreign_honour),
    "people:appraisal_add": _post(_person, _foreign),
    "people:appraisal_edit": _post(_appraisal, _foreign_appraisal),
    "people:appraisal_remove": _post(_appraisal, _foreign_appraisal),
}
