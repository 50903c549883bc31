"""Access rules for the election pages (see ``tests/core/test_routes.py`` for the format).

Elections are run by the personnel office and watched by the decision body; casting and
the receipt check are public (the one-time code is the credential), roll voting is for a
logged-in voter of the school (someone not on the roll is told so)."""

from houbei.accounts.models import Role

from ..factories import make_person
from .conftest import make_election

READERS = frozenset({Role.PERSONNEL, Role.DECISION})
RUNNERS = frozenset({Role.PERSONNEL})
VOTERS = frozenset({Role.PERSONNEL, Role.DECISION, Role.MENTOR, Role.STAFF})


def _election_of(school, mode="slips"):
    from houbei.ballots.models import Election

    existing = Election.objects.filter(school=school, mode=mode).first()
    if existing:
        return existing
    people = [make_person(school, name=f"候选人{i}") for i in range(4)]
    election, _codes = make_election(school, people, slips=0 if mode == "roll" else 3)
    if mode == "roll":
        Election.objects.filter(pk=election.pk).update(mode="roll")
        election.refresh_from_db()
    return election


def _pk(ctx):
    return {"pk": _election_of(ctx.school).pk}


def _foreign_pk(ctx):
    return {"pk": _election_of(ctx.other_school).pk}


def _post(allowed=RUNNERS):
    return {"allowed": allowed, "method": "POST", "kwargs": _pk, "foreign_kwargs": _foreign_pk}


RULES = {
    "ballots:list": {"allowed": READERS},
    "ballots:create": {"allowed": RUNNERS},
    "ballots:detail": {"allowed": READERS, "kwargs": _pk, "foreign_kwargs": _foreign_pk},
    "ballots:turnout": {"allowed": READERS, "kwargs": _pk, "foreign_kwargs": _foreign_pk},
    # Empty POSTs: the runner is sent back with a message.
    "ballots:slips": _post(),
    "ballots:roll": _post(),
    "ballots:open": _post(),
    "ballots:close": _post(),
    "ballots:tally": _post(),
    "ballots:publish": _post(),
    # Before publication only the office may have the results (here, before the tally, it
    # is sent back with a message); the decision body is refused until they are published.
    "ballots:download": {
        "allowed": RUNNERS,
        "kwargs": lambda ctx: _pk(ctx) | {"fmt": "xlsx"},
        "foreign_kwargs": lambda ctx: _foreign_pk(ctx) | {"fmt": "xlsx"},
    },
    "vote:mine": {"allowed": VOTERS},
    "vote:cast": {"public": True, "kwargs": lambda ctx: {"key": _election_of(ctx.school).key}},
    "vote:check": {"public": True, "kwargs": lambda ctx: {"key": _election_of(ctx.school).key}},
    "vote:roll": {
        "allowed": VOTERS,
        "kwargs": lambda ctx: {"key": _election_of(ctx.school, "roll").key},
        "foreign_kwargs": lambda ctx: {"key": _election_of(ctx.other_school, "roll").key},
    },
}
