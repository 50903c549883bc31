"""Who may do what: capabilities, the roles that hold them, and the one helper every view
starts with.

A view is declared with ``@requires(Cap.X)``; the decorator refuses anonymous users
(redirect to login) and users without the capability (403), and records the capability
on the view so the route test can check that no route was left without a rule.
Scoping by school is the second half: ``school_of(request)`` is the only school a
school-bound user may act in, and querysets are filtered by it."""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from houbei.organisation.models import School

from .models import Role, User


class Cap(enum.StrEnum):
    HOME = "home"
    OWN_FILE = "own_file"  # one's own record in the registry
    PEOPLE_VIEW = "people.view"  # the school's registry
    PEOPLE_EDIT = "people.edit"
    PEOPLE_IMPORT = "people.import"
    PEOPLE_EXPORT = "people.export"
    ORG_VIEW = "org.view"  # posts, school years, terms
    ORG_EDIT = "org.edit"
    CALENDAR_EDIT = "calendar.edit"  # national working-day overrides
    AUDIT_VIEW = "audit.view"
    ELIGIBILITY_VIEW = "eligibility.view"  # the eligibility board and explanations
    ELIGIBILITY_EDIT = "eligibility.edit"  # rules, exemptions, overrides, snapshots
    USERS_MANAGE = "users.manage"
    SCHOOLS_MANAGE = "schools.manage"
    DISTRICT_VIEW = "district.view"
    API_TOKENS = "api.tokens"  # issue one's own API tokens
    BALLOTS_VIEW = "ballots.view"  # elections and rating rounds, their turnout and results
    BALLOTS_RUN = "ballots.run"  # create, open, close, enter paper ballots, tally, publish
    VOTE = "vote"  # cast a ballot or a rating on a roll one is on
    SELECTION_VIEW = "selection.view"  # selection cycles, their stages and the reserve pool
    SELECTION_RUN = "selection.run"  # set up and move a cycle, record its stages' data
    SELECTION_DECIDE = "selection.decide"  # the decision body: targets, talks, decisions
    NOTICE_VIEW = "notice.view"  # the school's public notices (公示, 考察预告)
    ROTATION_VIEW = "rotation.view"  # two-way selection rounds, proposals and assignments
    ROTATION_RUN = "rotation.run"  # rounds, the matching, moves, confirmation, assignments
    # One's own part in rotation: one's 意向表 and assignments, and as a mentor or post
    # holder the candidates for one's posts and one's mentees; scoped to the person.
    ROTATION_TAKE_PART = "rotation.take_part"


_SCHOOL_ROLES = {Role.PERSONNEL, Role.DECISION, Role.MENTOR, Role.STAFF}

ROLE_CAPS: dict[Role, frozenset[Cap]] = {
    Role.PERSONNEL: frozenset(
        {
            Cap.HOME,
            Cap.OWN_FILE,
            Cap.PEOPLE_VIEW,
            Cap.PEOPLE_EDIT,
            Cap.PEOPLE_IMPORT,
            Cap.PEOPLE_EXPORT,
            Cap.ORG_VIEW,
            Cap.ORG_EDIT,
            Cap.CALENDAR_EDIT,
            Cap.AUDIT_VIEW,
            Cap.ELIGIBILITY_VIEW,
            Cap.ELIGIBILITY_EDIT,
            Cap.BALLOTS_VIEW,
            Cap.BALLOTS_RUN,
            Cap.VOTE,
            Cap.API_TOKENS,
            Cap.SELECTION_VIEW,
            Cap.SELECTION_RUN,
            Cap.NOTICE_VIEW,
            Cap.ROTATION_VIEW,
            Cap.ROTATION_RUN,
            Cap.ROTATION_TAKE_PART,
        }
    ),
    Role.DECISION: frozenset(
        {
            Cap.HOME,
            Cap.OWN_FILE,
            Cap.PEOPLE_VIEW,
            Cap.PEOPLE_EXPORT,
            Cap.ORG_VIEW,
            Cap.AUDIT_VIEW,
            Cap.ELIGIBILITY_VIEW,
            Cap.BALLOTS_VIEW,
            Cap.VOTE,
            Cap.API_TOKENS,
            Cap.SELECTION_VIEW,
            Cap.SELECTION_DECIDE,
            Cap.NOTICE_VIEW,
            Cap.ROTATION_VIEW,
            Cap.ROTATION_TAKE_PART,
        }
    ),
    Role.MENTOR: frozenset(
        {Cap.HOME, Cap.OWN_FILE, Cap.ORG_VIEW, Cap.VOTE, Cap.NOTICE_VIEW, Cap.ROTATION_TAKE_PART}
    ),
    Role.STAFF: frozenset(
        {Cap.HOME, Cap.OWN_FILE, Cap.ORG_VIEW, Cap.VOTE, Cap.NOTICE_VIEW, Cap.ROTATION_TAKE_PART}
    ),
    # The district reads its schools' cycles and reserve pools; nothing confidential.
    Role.DISTRICT: frozenset({Cap.HOME, Cap.DISTRICT_VIEW, Cap.API_TOKENS, Cap.SELECTION_VIEW}),
    Role.SYSADMIN: frozenset(
        {
            Cap.HOME,
            Cap.USERS_MANAGE,
            Cap.SCHOOLS_MANAGE,
            Cap.DISTRICT_VIEW,
            Cap.CALENDAR_EDIT,
            Cap.AUDIT_VIEW,
            Cap.API_TOKENS,
        }
    ),
}


def has_cap(user: Any, cap: Cap) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    try:
        role = Role(user.role)
    except ValueError:
        return False
    if role in _SCHOOL_ROLES and (user.school_id is None or not user.school.is_active):
        # A deactivated school's users keep their accounts but can no longer act.
        return False
    return cap in ROLE_CAPS[role]


def caps_of(user: Any) -> frozenset[Cap]:
    return frozenset(c for c in Cap if has_cap(user, c))


V = TypeVar("V", bound=Callable[..., HttpResponseBase])


def requires(cap: Cap) -> Callable[[V], V]:
    """The access check every view starts with."""

    def decorate(view: V) -> V:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_cap(request.user, cap):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.houbei_capability = cap  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def public(view: V) -> V:
    """Marks a view that is meant to be open (login page, language switch, receipt check)."""
    view.houbei_capability = "public"  # type: ignore[attr-defined]
    return view


class AuthedRequest(HttpRequest):
    """The request type of views behind ``@requires``: the user is a logged-in ``User``."""

    user: User  # type: ignore[assignment]


def school_of(request: HttpRequest) -> School:
    """The school a school-bound user acts in. District and system roles have none here:
    views that serve them take the school from the URL and check ``schools_visible_to``."""
    user = request.user
    school = getattr(user, "school", None)
    if school is None:
        raise PermissionDenied
    return school


def schools_visible_to(user: User) -> Any:
    """Schools whose data the user may read."""
    if user.role == Role.SYSADMIN:
        return School.objects.all()
    if user.role == Role.DISTRICT:
        return School.objects.filter(district_id=user.district_id or 0)
    return School.objects.filter(pk=user.school_id or 0)
