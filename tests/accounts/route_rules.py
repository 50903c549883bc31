"""Access rules for the accounts routes (see ``tests/core/test_routes.py`` for the format)."""

from houbei.accounts.models import ApiToken, Role

ALL = frozenset(Role)
TOKEN_HOLDERS = frozenset({Role.PERSONNEL, Role.DECISION, Role.DISTRICT, Role.SYSADMIN})
ADMIN = frozenset({Role.SYSADMIN})


def _personnel_token(c):  # type: ignore[no-untyped-def]
    return {"pk": ApiToken.objects.filter(user=c.users[Role.PERSONNEL]).first().pk}


RULES = {
    "accounts:login": {"public": True},
    "accounts:logout": {"public": True, "method": "POST"},
    "accounts:password_change": {"allowed": ALL},
    "accounts:tokens": {"allowed": TOKEN_HOLDERS},
    # A token is revoked only by its owner: everyone else is answered 404.
    "accounts:token_revoke": {
        "allowed": {Role.PERSONNEL},
        "method": "POST",
        "kwargs": _personnel_token,
    },
    "accounts:users": {"allowed": ADMIN},
    "accounts:user_create": {"allowed": ADMIN},
    "accounts:user_edit": {"allowed": ADMIN, "kwargs": lambda c: {"pk": c.users[Role.STAFF].pk}},
    "accounts:user_reset_password": {
        "allowed": ADMIN,
        "kwargs": lambda c: {"pk": c.users[Role.STAFF].pk},
    },
    # Unlocking an account that is not locked is refused with a message and a redirect.
    "accounts:user_unlock": {
        "allowed": ADMIN,
        "method": "POST",
        "kwargs": lambda c: {"pk": c.users[Role.STAFF].pk},
    },
    "accounts:schools": {"allowed": ADMIN},
    "accounts:school_create": {"allowed": ADMIN},
    "accounts:school_edit": {"allowed": ADMIN, "kwargs": lambda c: {"pk": c.school.pk}},
    "accounts:school_status": {"allowed": ADMIN, "kwargs": lambda c: {"pk": c.school.pk}},
    "accounts:district_create": {"allowed": ADMIN},
}
