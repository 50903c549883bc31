"""Access rules for the routes of the project package itself (home, language switch).
Each app's tests keep their own ``route_rules.py`` beside them (the accounts routes are in
``tests/accounts/route_rules.py``); the route test gathers them all. See
``tests/core/test_routes.py`` for the format."""

from houbei.accounts.models import Role

ALL = frozenset(Role)

RULES = {
    "home": {"allowed": ALL},
    "healthz": {"public": True},
    "set_language": {"public": True, "method": "POST", "data": {"language": "en", "next": "/"}},
}
