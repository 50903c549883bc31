"""Access rules for the personnel office's rotation pages (see ``tests/core/test_routes.py``
for the format); everyone's own part is in ``route_rules_take_part.py``.

The personnel office runs the rounds, the matching and the assignments; the office and the
decision body read them; mentors, staff, the district and the system administrator get
none of these pages. Each school gets one round through the real services — a reserve
cadre's 意向表, a waiver, the forms closed and the matching run — and one hand-made
assignment; POSTs with no data are sent back with the form's errors or a message."""

from __future__ import annotations

from types import SimpleNamespace

from houbei.accounts.models import Role

from ..factories import make_person, post_of

READERS = frozenset({Role.PERSONNEL, Role.DECISION})
RUNNERS = frozenset({Role.PERSONNEL})


def _world(school) -> SimpleNamespace:
    from houbei.organisation.models import Term, TermNumber
    from houbei.organisation.services import create_school_year
    from houbei.rotations.assignments import create_assignment
    from houbei.rotations.intentions import ChoiceDraft, submit_intention
    from houbei.rotations.models import Assignment, LevelWaiver, Round
    from houbei.rotations.proposal import live_run, run_matching
    from houbei.rotations.rounds import close_intentions, create_round, grant_level_waiver

    from .conftest import cadre

    round_ = Round.objects.filter(school=school, title="路由测试轮次").first()
    if round_ is None:
        create_school_year(actor=None, school=school, start_year=2026)
        terms = Term.objects.for_school(school).filter(school_year__start_year=2026)
        first = terms.get(number=TermNumber.FIRST)
        mentor = make_person(school, name="路由测试带教")
        moral = post_of(school, "moral-office")
        moral.default_mentors.add(mentor)
        round_ = create_round(actor=None, school=school, title="路由测试轮次", start_term=first)
        person = cadre(school, "路由测试轮岗人")
        submit_intention(
            actor=None, round_=round_, person=person,
            choices=[ChoiceDraft(moral, 1, "term", mentor)],
        )  # fmt: skip
        grant_level_waiver(
            actor=None, round_=round_, person=person, post=post_of(school, "school-leader"),
            reason="路由测试",
        )  # fmt: skip
        close_intentions(actor=None, round_=round_)
        run_matching(actor=None, round_=round_)
        create_assignment(
            actor=None, person=cadre(school, "路由测试单独安排"),
            post=post_of(school, "general-office"), start_term=terms.get(number=TermNumber.SECOND),
            length="term",
        )  # fmt: skip
    run = live_run(round_)
    return SimpleNamespace(
        round=round_,
        term=round_.start_term,
        placement=run.placements.first(),
        waiver=LevelWaiver.objects.get(round=round_),
        assignment=Assignment.objects.get(school=school),
        post=post_of(school, "moral-office"),
    )


def _round(ctx):
    return {"pk": _world(ctx.school).round.pk}


def _foreign_round(ctx):
    return {"pk": _world(ctx.other_school).round.pk}


def _with(kind, pk="round"):
    def kwargs(school):
        world = _world(school)
        return {"pk": getattr(world, pk).pk, "sub": getattr(world, kind).pk}

    return (lambda ctx: kwargs(ctx.school)), (lambda ctx: kwargs(ctx.other_school))


def _of(kind):
    return (
        lambda ctx: {"pk": getattr(_world(ctx.school), kind).pk},
        lambda ctx: {"pk": getattr(_world(ctx.other_school), kind).pk},
    )


def _doc(kind):
    own, foreign = _of(kind)
    return (lambda ctx: own(ctx) | {"fmt": "docx"}), (lambda ctx: foreign(ctx) | {"fmt": "docx"})


def _rule(allowed, kwargs=(_round, _foreign_round), method="GET"):
    own, foreign = kwargs
    return {"allowed": allowed, "method": method, "kwargs": own, "foreign_kwargs": foreign}


def _post(kwargs=(_round, _foreign_round)):
    return _rule(RUNNERS, kwargs, "POST")


RULES = {
    "rotations:rounds": {"allowed": READERS},
    "rotations:round_create": {"allowed": RUNNERS},
    "rotations:round": _rule(READERS),
    "rotations:round_settings": _post(),
    "rotations:round_offer": _rule(RUNNERS, _with("post")),
    "rotations:mentor_capacity": _post(),
    "rotations:waiver_grant": _post(),
    "rotations:waiver_revoke": _post(_with("waiver")),
    "rotations:round_close": _post(),
    "rotations:round_reopen": _post(),
    "rotations:round_match": _post(),
    # Without a document named, the reader is sent back with a message.
    "rotations:round_document": _rule(READERS, _doc("round")),
    "rotations:assignment_document": _rule(READERS, _doc("assignment")),
    "rotations:term_document": _rule(READERS, _doc("term")),
    "rotations:proposal": _rule(READERS),
    "rotations:move": _rule(RUNNERS, _with("placement")),
    "rotations:discard": _post(),
    "rotations:confirm": _post(),
    "rotations:assignments": {"allowed": READERS},
    "rotations:assignment_create": {"allowed": RUNNERS},
    "rotations:assignment_manage": _rule(READERS, _of("assignment")),
    "rotations:assignment_start": _post(_of("assignment")),
    "rotations:assignment_complete": _post(_of("assignment")),
    "rotations:assignment_end": _post(_of("assignment")),
    "rotations:assignment_goals": _post(_of("assignment")),
    "rotations:assignment_mentor_add": _post(_of("assignment")),
    "rotations:assignment_mentor_remove": _post(_of("assignment")),
    "rotations:by_post": {"allowed": READERS},
    "rotations:by_post_detail": _rule(READERS, _of("post")),
}
