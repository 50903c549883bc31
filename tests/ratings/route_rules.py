"""Access rules for the rating pages (see ``tests/core/test_routes.py`` for the format).

Rounds are run by the personnel office and watched by the decision body; rating with a
code is public (the one-time code is the credential), rating on a roll is for a logged-in
member of staff of the school (someone not on the roll is told so)."""

from houbei.accounts.models import Role

READERS = frozenset({Role.PERSONNEL, Role.DECISION})
RUNNERS = frozenset({Role.PERSONNEL})
RATERS = frozenset({Role.PERSONNEL, Role.DECISION, Role.MENTOR, Role.STAFF})


def _round_of(school):
    from houbei.ballots.ratings.models import GroupMode, RatingRound
    from houbei.ballots.ratings.services import GroupDraft

    from .conftest import make_round

    existing = RatingRound.objects.filter(school=school).first()
    if existing:
        return existing
    groups = (GroupDraft("服务对象", 5), GroupDraft("教师代表", 5, GroupMode.ROLL))
    rating_round, _codes = make_round(school, groups=groups, codes=3, roll=2, open_=False)
    return rating_round


def _group_of(school, mode):
    return _round_of(school).groups.get(mode=mode)


def _pk(ctx):
    return {"pk": _round_of(ctx.school).pk}


def _foreign_pk(ctx):
    return {"pk": _round_of(ctx.other_school).pk}


def _post(allowed=RUNNERS, kwargs=_pk, foreign=_foreign_pk):
    return {"allowed": allowed, "method": "POST", "kwargs": kwargs, "foreign_kwargs": foreign}


def _group_kwargs(mode):
    def own(ctx):
        return {"pk": _round_of(ctx.school).pk, "sub": _group_of(ctx.school, mode).pk}

    def foreign(ctx):
        return {"pk": _round_of(ctx.other_school).pk, "sub": _group_of(ctx.other_school, mode).pk}

    return own, foreign


_codes_own, _codes_foreign = _group_kwargs("codes")
_roll_own, _roll_foreign = _group_kwargs("roll")

RULES = {
    "ratings:list": {"allowed": READERS},
    "ratings:create": {"allowed": RUNNERS},
    "ratings:mine": {"allowed": RATERS},
    "ratings:detail": {"allowed": READERS, "kwargs": _pk, "foreign_kwargs": _foreign_pk},
    "ratings:turnout": {"allowed": READERS, "kwargs": _pk, "foreign_kwargs": _foreign_pk},
    "ratings:results": {"allowed": READERS, "kwargs": _pk, "foreign_kwargs": _foreign_pk},
    "ratings:comments": {"allowed": RUNNERS, "kwargs": _pk, "foreign_kwargs": _foreign_pk},
    # Empty POSTs: the runner is sent back with a message.
    "ratings:add_group": _post(),
    "ratings:codes": _post(kwargs=_codes_own, foreign=_codes_foreign),
    "ratings:roll": _post(kwargs=_roll_own, foreign=_roll_foreign),
    "ratings:open": _post(),
    "ratings:close": _post(),
    "ratings:release": _post(),
    "ratings:rate": {"public": True, "kwargs": lambda ctx: {"key": _round_of(ctx.school).key}},
    "ratings:rate_roll": {
        "allowed": RATERS,
        "kwargs": lambda ctx: {"key": _round_of(ctx.school).key},
        "foreign_kwargs": lambda ctx: {"key": _round_of(ctx.other_school).key},
    },
}
