"""Access rules for the JSON API (see ``tests/core/test_routes.py`` for the format).

API routes answer 401 to anonymous callers, 403 to roles without the capability and 404
for another school's object. District and system roles read the schools and posts of the schools
they span (never personal records), and the district its schools' selection cycles and reserve
pools, so the route test does not expect them to be refused another school of their district
there."""

import datetime as dt

from houbei.accounts.models import Role
from houbei.eligibility.models import RuleSet
from houbei.eligibility.services import create_rule_set
from houbei.selection.models import Cycle
from houbei.selection.services import create_cycle

ALL = frozenset(Role)
# Who reads the registry: the school roles that see it in the UI. District and system
# roles see aggregates only, in the API as in the UI.
REGISTRY_READERS = frozenset({Role.PERSONNEL, Role.DECISION})
# Eligibility results are personal records too: the same readers, never the spanning roles.
ELIGIBILITY_READERS = frozenset({Role.PERSONNEL, Role.DECISION})
# Selection cycles and the reserve pool: the school's personnel office and decision body, and
# the district for its schools (read only).
SELECTION_READERS = frozenset({Role.PERSONNEL, Role.DECISION, Role.DISTRICT})


def _rule_set(school):  # type: ignore[no-untyped-def]
    """The school's rule set, made on first use (the route test's context has none)."""
    existing = RuleSet.objects.filter(school=school).first()
    return existing or create_rule_set(actor=None, school=school, name="路由测试")


def _cycle(school):  # type: ignore[no-untyped-def]
    """The school's cycle, made on first use. Its rule set has no condition, so everyone on
    the roll (the context's person) is eligible and the cycle can start its recommendation."""
    existing = Cycle.objects.filter(school=school).first()
    if existing is not None:
        return existing
    rule_set = create_rule_set(actor=None, school=school, name="路由测试周期", rules=[])
    return create_cycle(
        actor=None,
        school=school,
        title="路由测试周期",
        year=2026,
        reference_date=dt.date(2026, 9, 1),
        rule_set=rule_set,
    )


def _cycle_kwargs(ctx):  # type: ignore[no-untyped-def]
    return {"cycle_id": _cycle(ctx.school).pk}


def _foreign_cycle_kwargs(ctx):  # type: ignore[no-untyped-def]
    return {"cycle_id": _cycle(ctx.other_school).pk}


RULES = {
    # The description and the docs page hold no data; integrators read them before they
    # have a token. The root only points to the docs (404).
    "api:openapi-json": {"public": True, "api": True},
    "api:openapi-view": {"public": True, "api": True},
    "api:api-root": {"public": True, "api": True},
    "api:schools_list": {"allowed": ALL, "api": True},
    "api:school_detail": {
        "allowed": ALL,
        "api": True,
        "kwargs": lambda c: {"school_id": c.school.pk},
        "foreign_kwargs": lambda c: {"school_id": c.other_school.pk},
    },
    "api:posts_list": {"allowed": ALL, "api": True},
    "api:people_list": {"allowed": REGISTRY_READERS, "api": True},
    "api:person_detail": {
        "allowed": REGISTRY_READERS,
        "api": True,
        "kwargs": lambda c: {"person_id": c.person.pk},
        "foreign_kwargs": lambda c: {"person_id": c.foreign_person.pk},
    },
    # PATCH shares its URL with person_detail and the route test only sends GET or POST, so
    # this rule checks the shared URL's GET; who may PATCH is tested in tests/api.
    "api:person_update": {
        "allowed": REGISTRY_READERS,
        "api": True,
        "kwargs": lambda c: {"person_id": c.person.pk},
        "foreign_kwargs": lambda c: {"person_id": c.foreign_person.pk},
    },
    "api:person_create": {
        "allowed": {Role.PERSONNEL},
        "api": True,
        "method": "POST",
        "data": {"staff_number": "ROUTE-1", "name": "路由测试", "gender": "F"},
    },
    "api:eligibility_rule_sets": {"allowed": ELIGIBILITY_READERS, "api": True},
    "api:eligibility_evaluation": {
        "allowed": ELIGIBILITY_READERS,
        "api": True,
        "kwargs": lambda c: {"rule_set_id": _rule_set(c.school).pk},
        "foreign_kwargs": lambda c: {"rule_set_id": _rule_set(c.other_school).pk},
    },
    "api:eligibility_person": {
        "allowed": ELIGIBILITY_READERS,
        "api": True,
        "kwargs": lambda c: {"rule_set_id": _rule_set(c.school).pk, "person_id": c.person.pk},
        # The school's own rule set with another school's person.
        "foreign_kwargs": lambda c: {
            "rule_set_id": _rule_set(c.school).pk,
            "person_id": c.foreign_person.pk,
        },
    },
    "api:selection_cycles": {"allowed": SELECTION_READERS, "api": True},
    "api:selection_cycle": {
        "allowed": SELECTION_READERS,
        "api": True,
        "kwargs": _cycle_kwargs,
        "foreign_kwargs": _foreign_cycle_kwargs,
    },
    "api:selection_stages": {
        "allowed": SELECTION_READERS,
        "api": True,
        "kwargs": _cycle_kwargs,
        "foreign_kwargs": _foreign_cycle_kwargs,
    },
    "api:selection_results": {
        "allowed": SELECTION_READERS,
        "api": True,
        "kwargs": _cycle_kwargs,
        "foreign_kwargs": _foreign_cycle_kwargs,
    },
    "api:selection_advance": {
        "allowed": {Role.PERSONNEL},
        "api": True,
        "method": "POST",
        "data": {"to": "recommendation"},
        "kwargs": _cycle_kwargs,
        "foreign_kwargs": _foreign_cycle_kwargs,
    },
    "api:selection_pool": {"allowed": SELECTION_READERS, "api": True},
}
