"""Access rules for one's own part in rotation (see ``tests/core/test_routes.py`` for the
format; this module is gathered with ``route_rules.py`` as one of the app's
``route_rules_<part>.py``).

Every school role takes part (``Cap.ROTATION_TAKE_PART``); the district and the system
administrator do not. What a route shows is scoped to the user's own person, so the world
below links the school's staff user to a reserve cadre with a running rotation and the
mentor user to that rotation's mentor, who also mentors a post offered in an open round:
the post side and the mentor's writes are then the mentor's alone, the task's outcome the
cadre's alone, and the rotation's page is read by the two of them and by the office
(``ROTATION_VIEW``: personnel office, decision body), who also get its 轮岗锻炼通知; the
cadre's own 附2 is the cadre's. Another school's round, post, rotation and task are refused
to everyone."""

from __future__ import annotations

from types import SimpleNamespace

from houbei.accounts.models import Role

TAKING_PART = frozenset({Role.PERSONNEL, Role.DECISION, Role.MENTOR, Role.STAFF})


def _world(school, users=None) -> SimpleNamespace:
    from houbei.organisation.models import Post, Term, TermNumber
    from houbei.organisation.services import create_school_year
    from houbei.rotations.assignments import add_hard_task, create_assignment, start_assignment
    from houbei.rotations.intentions import ChoiceDraft, submit_intention
    from houbei.rotations.models import Assignment, MentorRole, Round
    from houbei.rotations.rounds import create_round, set_round_post

    from ..factories import add_history, make_person
    from .conftest import enrol

    round_ = Round.objects.filter(school=school).first()
    if round_ is None:
        create_school_year(actor=None, school=school, start_year=2026)
        term = Term.objects.get(
            school_year__school=school, school_year__start_year=2026, number=TermNumber.FIRST
        )
        cadre = make_person(school, name="路由测试后备")
        add_history(cadre, "class-teacher", term.start.replace(year=2012), None)
        enrol(cadre)
        mentor = make_person(school, name="路由测试带教")
        moral = Post.objects.get(school=school, code="moral-office")
        round_ = create_round(actor=None, school=school, title="路由测试轮次", start_term=term)
        set_round_post(
            actor=None, round_=round_, post=moral, capacity=1, mentors=[mentor]
        )  # fmt: skip
        submit_intention(
            actor=None, round_=round_, person=cadre, choices=[ChoiceDraft(moral, 1, "term")]
        )
        assignment = create_assignment(
            actor=None, person=cadre, post=moral, start_term=term, length="term",
            mentors=[(mentor, MentorRole.LEADER)],
        )  # fmt: skip
        start_assignment(actor=None, assignment=assignment)
        add_hard_task(
            actor=None, assignment=assignment, title="路由测试任务", kinds=["urgent"],
            given_on=assignment.start_date, difficulty=1,
        )  # fmt: skip
    assignment = Assignment.objects.get(school=school)
    if users is not None:
        cadre, mentor = assignment.person, assignment.mentor_links.get().person
        cadre.user, mentor.user = users[Role.STAFF], users[Role.MENTOR]
        cadre.save(update_fields=["user"])
        mentor.save(update_fields=["user"])
    return SimpleNamespace(
        round=round_,
        offer=round_.posts.get(post__code="moral-office"),
        assignment=assignment,
        task=assignment.hard_tasks.get(),
    )


def _own(kind, sub=None):
    def kwargs(ctx):
        world = _world(ctx.school, ctx.users)
        out = {"pk": getattr(world, kind).pk}
        return out | ({"sub": getattr(world, sub).pk} if sub else {})

    return kwargs


def _foreign(kind, sub=None):
    def kwargs(ctx):
        world = _world(ctx.other_school)
        out = {"pk": getattr(world, kind).pk}
        return out | ({"sub": getattr(world, sub).pk} if sub else {})

    return kwargs


def _rule(kind, allowed, method="GET", sub=None, fmt=None):
    own, foreign = _own(kind, sub), _foreign(kind, sub)
    extra = {"fmt": fmt} if fmt else {}
    return {
        "allowed": allowed,
        "method": method,
        "kwargs": lambda ctx: own(ctx) | extra,
        "foreign_kwargs": lambda ctx: foreign(ctx) | extra,
    }


RULES = {
    "rotations:mine": {"allowed": TAKING_PART},
    "rotations:intention": _rule("round", TAKING_PART),
    # Without a form to withdraw, the user is sent back with the service's message.
    "rotations:intention_withdraw": _rule("round", TAKING_PART, "POST"),
    # One's own 附2: the cadre gets it, the mentor (who filled none) is sent back with the
    # reason; accounts linked to nobody have no form of their own.
    "rotations:intention_document": _rule("round", {Role.MENTOR, Role.STAFF}, fmt="docx"),
    "rotations:post_side": {"allowed": TAKING_PART},
    "rotations:post_side_offer": _rule("offer", {Role.MENTOR}),
    "rotations:mentees": {"allowed": TAKING_PART},
    "rotations:assignment": _rule("assignment", TAKING_PART),
    "rotations:assignment_notice": _rule("assignment", TAKING_PART, fmt="docx"),
    "rotations:assignment_note_add": _rule("assignment", {Role.MENTOR}, "POST"),
    "rotations:assignment_task_add": _rule("assignment", {Role.MENTOR}, "POST"),
    "rotations:assignment_task_outcome": _rule("assignment", {Role.STAFF}, "POST", "task"),
    "rotations:assignment_task_confirm": _rule("assignment", {Role.MENTOR}, "POST", "task"),
}
