"""Access rules for the rotation endpoints of the JSON API (see ``tests/core/test_routes.py``).

The personnel office and the decision body read their own school's rounds, forms, proposals
and assignments; every school role reads its own form and assignments; only the personnel
office moves a round on. The district and system roles have no rotation capability: they
are refused everything here, another school of their district included."""

from houbei.accounts.models import Role
from houbei.organisation.models import Post, Term, TermNumber
from houbei.organisation.services import create_school_year
from houbei.rotations.assignments import create_assignment
from houbei.rotations.models import Assignment, Round
from houbei.rotations.rounds import create_round

ROTATION_READERS = frozenset({Role.PERSONNEL, Role.DECISION})
TAKING_PART = frozenset({Role.PERSONNEL, Role.DECISION, Role.MENTOR, Role.STAFF})


def _term(school):  # type: ignore[no-untyped-def]
    term = Term.objects.filter(school_year__school=school, number=TermNumber.FIRST).first()
    if term is None:
        create_school_year(actor=None, school=school, start_year=2026)
        term = Term.objects.get(school_year__school=school, number=TermNumber.FIRST)
    return term


def _round(school):  # type: ignore[no-untyped-def]
    """The school's round, made on first use, open for intentions."""
    existing = Round.objects.filter(school=school).first()
    return existing or create_round(
        actor=None, school=school, title="路由测试轮次", start_term=_term(school)
    )


def _assignment(school, person):  # type: ignore[no-untyped-def]
    existing = Assignment.objects.filter(school=school).first()
    return existing or create_assignment(
        actor=None,
        person=person,
        post=Post.objects.get(school=school, code="moral-office"),
        start_term=_term(school),
        length="term",
    )


def _round_kwargs(ctx):  # type: ignore[no-untyped-def]
    return {"round_id": _round(ctx.school).pk}


def _foreign_round_kwargs(ctx):  # type: ignore[no-untyped-def]
    return {"round_id": _round(ctx.other_school).pk}


RULES = {
    "api:rotation_rounds": {"allowed": ROTATION_READERS, "api": True},
    "api:rotation_round": {
        "allowed": ROTATION_READERS,
        "api": True,
        "kwargs": _round_kwargs,
        "foreign_kwargs": _foreign_round_kwargs,
    },
    "api:rotation_intentions": {
        "allowed": ROTATION_READERS,
        "api": True,
        "kwargs": _round_kwargs,
        "foreign_kwargs": _foreign_round_kwargs,
    },
    "api:rotation_my_intention": {
        "allowed": TAKING_PART,
        "api": True,
        "kwargs": _round_kwargs,
        "foreign_kwargs": _foreign_round_kwargs,
    },
    "api:rotation_proposal": {
        "allowed": ROTATION_READERS,
        "api": True,
        "kwargs": _round_kwargs,
        "foreign_kwargs": _foreign_round_kwargs,
    },
    "api:rotation_advance": {
        "allowed": {Role.PERSONNEL},
        "api": True,
        "method": "POST",
        "data": {"status": "closed"},
        "kwargs": _round_kwargs,
        "foreign_kwargs": _foreign_round_kwargs,
    },
    "api:rotation_assignments": {"allowed": ROTATION_READERS, "api": True},
    "api:rotation_my_assignments": {"allowed": TAKING_PART, "api": True},
    "api:rotation_assignment": {
        "allowed": ROTATION_READERS,
        "api": True,
        "kwargs": lambda c: {"assignment_id": _assignment(c.school, c.person).pk},
        "foreign_kwargs": lambda c: {
            "assignment_id": _assignment(c.other_school, c.foreign_person).pk
        },
    },
}
