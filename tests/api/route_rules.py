"""Access rules for the JSON API (see ``tests/core/test_routes.py`` for the format).

API routes answer 401 to anonymous callers, 403 to roles without the capability and 404
for another school's object. District and system roles read the schools and posts of the schools
they span (never personal records), so the route test does not expect them to be refused
another school of their district there."""

from houbei.accounts.models import Role
from houbei.eligibility.models import RuleSet
from houbei.eligibility.services import create_rule_set

ALL = frozenset(Role)
# Who reads the registry: the school roles that see it in the UI. District and system
# roles see aggregates only, in the API as in the UI.
REGISTRY_READERS = frozenset({Role.PERSONNEL, Role.DECISION})
# Eligibility results are personal records too: the same readers, never the spanning roles.
ELIGIBILITY_READERS = frozenset({Role.PERSONNEL, Role.DECISION})


def _rule_set(school):  # type: ignore[no-untyped-def]
    """The school's rule set, made on first use (the route test's context has none)."""
    existing = RuleSet.objects.filter(school=school).first()
    return existing or create_rule_set(actor=None, school=school, name="路由测试")


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
}
