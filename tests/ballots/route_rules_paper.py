"""Access rules for the paper-ballot pages (see ``tests/core/test_routes.py`` for the
format): entering sheets, resolving discrepancies, withdrawing an entry and the
reconciliation are for the personnel office alone; another school's election is refused
to everyone."""

from houbei.accounts.models import Role

from ..factories import make_person
from .conftest import make_election

RUNNERS = frozenset({Role.PERSONNEL})


def _election_of(school):
    from houbei.ballots.models import Election

    existing = Election.objects.filter(school=school, title="纸质选票路由").first()
    if existing:
        return existing
    people = [make_person(school, name=f"纸质候选{i}") for i in range(4)]
    election, _codes = make_election(school, people, slips=3)
    Election.objects.filter(pk=election.pk).update(title="纸质选票路由")
    return election


def _pk(ctx):
    return {"pk": _election_of(ctx.school).pk}


def _foreign_pk(ctx):
    return {"pk": _election_of(ctx.other_school).pk}


def _rule(**extra):
    return {"allowed": RUNNERS, "kwargs": _pk, "foreign_kwargs": _foreign_pk, **extra}


RULES = {
    "ballots:paper_entry": _rule(),
    "ballots:paper_discrepancies": _rule(),
    "ballots:paper_reconciliation": _rule(),
    # An empty POST: the runner is sent back to the list of waiting sheets with a message.
    "ballots:paper_withdraw": _rule(method="POST"),
}
