"""Access rules for the election pages (see ``tests/core/test_routes.py`` for the format).

Elections are run by the personnel office and watched by the decision body; casting and
the receipt check are public (the one-time code is the credential), roll voting is for a
logged-in voter on the roll."""

from houbei.accounts.models import Role

READERS = frozenset({Role.PERSONNEL, Role.DECISION})
RUNNERS = frozenset({Role.PERSONNEL})

RULES = {
    "ballots:list": {"allowed": READERS},
}
