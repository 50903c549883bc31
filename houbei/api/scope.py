"""The API's half of access control: the same capabilities as the web UI, and the schools
whose data a caller may read.

A school-bound user reads their own school when their role holds the capability there;
district and system roles, which hold ``DISTRICT_VIEW``, read the schools they span
(``schools_visible_to``) — organisational data (schools, posts), and what their role itself
holds (the district's ``SELECTION_VIEW``: cycles and reserve pools), exactly as in the web
UI, where they see aggregates and never a person's record. Writes are always in the
caller's own school. An object of a school outside the scope is answered 404, exactly as if
it did not exist."""

from __future__ import annotations

from django.db.models import QuerySet

from houbei.accounts.access import Cap, has_cap, schools_visible_to
from houbei.accounts.models import User
from houbei.core.errors import NotAllowed
from houbei.organisation.models import School


def require(user: User, *caps: Cap) -> None:
    """Refuse (403) unless ``user`` holds at least one of ``caps``."""
    if not any(has_cap(user, cap) for cap in caps):
        raise NotAllowed()


# Capabilities whose data every spanning role may read across its schools, whether or not
# its role lists them: nothing personal.
SPANNING_READS = frozenset({Cap.ORG_VIEW})


def readable_schools(user: User, cap: Cap) -> QuerySet[School]:
    """Schools whose ``cap`` data ``user`` may read: their own school if their role holds
    ``cap``; every school they span if they hold ``DISTRICT_VIEW`` and ``cap`` is
    organisational data or held by their role; otherwise 403."""
    if user.school_id is not None and has_cap(user, cap):
        return School.objects.filter(pk=user.school_id)
    if has_cap(user, Cap.DISTRICT_VIEW) and (cap in SPANNING_READS or has_cap(user, cap)):
        return schools_visible_to(user)
    raise NotAllowed()


def writable_school(user: User, cap: Cap) -> School:
    """The one school ``user`` may change ``cap`` data in: their own; otherwise 403."""
    if user.school is None or not has_cap(user, cap):
        raise NotAllowed()
    return user.school
