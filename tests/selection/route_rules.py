"""Access rules for the selection cycle's pages (see ``tests/core/test_routes.py`` for the
format).

The personnel office runs a cycle, the decision body chooses targets, holds the talks,
signs reports off and records decisions; both and the district read. Objections are the
school's own (the district does not read them); the notices are for all staff. Each
school gets one small cycle with a round, a target, a notice and an objection, written
as rows (the route test needs objects to address, not a cycle that went through its
stages): POSTs with no data are sent back with a message or the form's errors."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from houbei.accounts.models import Role

from ..factories import make_person

READERS = frozenset({Role.PERSONNEL, Role.DECISION, Role.DISTRICT})
SCHOOL = frozenset({Role.PERSONNEL, Role.DECISION})
RUNNERS = frozenset({Role.PERSONNEL})
DECIDERS = frozenset({Role.DECISION})
STAFF = frozenset({Role.PERSONNEL, Role.DECISION, Role.MENTOR, Role.STAFF})


def _world(school) -> SimpleNamespace:
    from houbei.ballots import services as ballots
    from houbei.eligibility.services import create_rule_set
    from houbei.selection.models import (
        Cycle,
        InspectionTarget,
        Objection,
        PublicNotice,
        RecommendationRound,
        TargetSelection,
    )
    from houbei.selection.services import create_cycle

    cycle = Cycle.objects.filter(school=school).first()
    if cycle is None:
        rule_set = create_rule_set(
            actor=None, school=school, name="路由测试条件", reference_date=dt.date(2021, 2, 26)
        )
        make_person(school, name="路由测试人员")
        cycle = create_cycle(
            actor=None, school=school, title="路由测试周期", year=2021,
            reference_date=dt.date(2021, 2, 26), rule_set=rule_set,
        )  # fmt: skip
        person = make_person(school, name="路由测试对象")
        cycle_list = cycle.lists.order_by("position").first()
        election = ballots.create_election(
            actor=None, school=school, title="路由测试推荐",
            lists=[ballots.ListDraft(cycle_list.name, cycle_list.quota, [person])], electorate=3,
        )  # fmt: skip
        ballot_list = election.lists.get()
        RecommendationRound.objects.create(
            cycle=cycle, number=1, election=election, list_map={str(ballot_list.pk): cycle_list.pk}
        )
        today = dt.date.today()
        selection = TargetSelection.objects.create(cycle=cycle, decided_on=today)
        target = InspectionTarget.objects.create(
            cycle=cycle, cycle_list=cycle_list, person=person, selection=selection
        )
        notice = PublicNotice.objects.create(cycle=cycle, start=today, working_days=5, end=today)
        Objection.objects.create(
            notice=notice, target=target, signed=False, received_on=today, content="路由测试"
        )
    return SimpleNamespace(
        cycle=cycle,
        round=cycle.rounds.get(),
        target=cycle.targets.get(),
        objection=cycle.notices.get().objections.get(),
    )


def _pk(ctx):
    return {"pk": _world(ctx.school).cycle.pk}


def _foreign_pk(ctx):
    return {"pk": _world(ctx.other_school).cycle.pk}


def _sub(kind):
    def own(ctx):
        world = _world(ctx.school)
        return {"pk": world.cycle.pk, "sub": getattr(world, kind).pk}

    def foreign(ctx):
        world = _world(ctx.other_school)
        return {"pk": world.cycle.pk, "sub": getattr(world, kind).pk}

    return own, foreign


def _page(allowed=READERS):
    return {"allowed": allowed, "kwargs": _pk, "foreign_kwargs": _foreign_pk}


def _post(allowed=RUNNERS):
    return {"allowed": allowed, "method": "POST", "kwargs": _pk, "foreign_kwargs": _foreign_pk}


def _sub_rule(kind, allowed, method="POST"):
    own, foreign = _sub(kind)
    return {"allowed": allowed, "method": method, "kwargs": own, "foreign_kwargs": foreign}


RULES = {
    "selection:list": {"allowed": READERS},
    "selection:create": {"allowed": RUNNERS},
    "selection:notices": {"allowed": STAFF},
    "selection:detail": _page(),
    "selection:advance": _post(),
    "selection:reopen": _post(),
    "selection:plan": _post(),
    # The school's own; without a document of that name the reader is sent back.
    "selection:document": {
        "allowed": SCHOOL,
        "kwargs": lambda ctx: _pk(ctx) | {"fmt": "docx"},
        "foreign_kwargs": lambda ctx: _foreign_pk(ctx) | {"fmt": "docx"},
    },
    "selection:preparation": _page(),
    "selection:setup": _post(),
    "selection:lists": _post(),
    "selection:roll_add": _post(),
    "selection:roll_remove": _post(),
    "selection:recommendation": _page(),
    "selection:round_create": _post(),
    "selection:round_open": _sub_rule("round", RUNNERS),
    "selection:round_close": _sub_rule("round", RUNNERS),
    "selection:round_tally": _sub_rule("round", RUNNERS),
    "selection:talk_counts": _page(RUNNERS),
    "selection:opinions": _page(),
    "selection:opinion_record": _post(),
    "selection:targets": _page(),
    "selection:targets_choose": _post(DECIDERS),
    "selection:targets_notice": _post(),
    "selection:readiness": _sub_rule("target", DECIDERS),
    "selection:inspection": _page(),
    "selection:inspection_target": _sub_rule("target", READERS, "GET"),
    "selection:talk_record": _sub_rule("target", DECIDERS),
    "selection:appraisal": _sub_rule("target", RUNNERS),
    "selection:report_save": _sub_rule("target", RUNNERS),
    "selection:report_draft": _sub_rule("target", RUNNERS),
    "selection:report_sign": _sub_rule("target", DECIDERS),
    "selection:check_record": _sub_rule("target", SCHOOL),
    "selection:decision": _page(),
    "selection:meeting_record": _post(DECIDERS),
    "selection:notice": _page(),
    "selection:notice_end": _page(RUNNERS),
    "selection:objection_create": _post(),
    "selection:objection": _sub_rule("objection", SCHOOL, "GET"),
    "selection:objection_close": _sub_rule("objection", RUNNERS),
    "selection:objection_resolve": _sub_rule("objection", RUNNERS),
    "selection:pool": _page(),
    # The school's targets for its pool: read where the pool is, set by the office.
    "selection:pool_targets": {
        "allowed": READERS,
        "kwargs": lambda ctx: {"pk": ctx.school.pk},
        "foreign_kwargs": lambda ctx: {"pk": ctx.other_school.pk},
    },
    "selection:pool_targets_save": {
        "allowed": RUNNERS,
        "method": "POST",
        "kwargs": lambda ctx: {"pk": ctx.school.pk},
        "foreign_kwargs": lambda ctx: {"pk": ctx.other_school.pk},
    },
}
