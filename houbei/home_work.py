"""The home pages' "进行中的工作" card: the selection cycles, rotation rounds, elections
and rating rounds in progress, as each role can act on them.

Each read below is one query whatever the number of cycles, rounds or people, except the
next step of each selection cycle the office runs: that is ``workflow.problems``, the
guard of the cycle's next transition, which reads the cycle's own stage data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, F, IntegerField, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy

from houbei.ballots.models import Credential, Election, Mode, RollEntry
from houbei.ballots.models import Status as ElectionStatus
from houbei.ballots.ratings.models import (
    RaterCount,
    RatingCredential,
    RatingRollEntry,
    RatingRound,
)
from houbei.ballots.ratings.models import RoundStatus as RatingStatus
from houbei.organisation.models import School
from houbei.people.models import Person
from houbei.rotations.intentions import offers_answered_by
from houbei.rotations.models import Intention, IntentionChoice, Round, RoundPost, RoundStatus
from houbei.selection import workflow
from houbei.selection.models import Cycle, PoolEntry, Stage, StageRecord
from houbei.selection.pages import stage_url

# The stages in which a cycle waits for the decision body, and what it does there.
DECISION_STAGES = {
    Stage.OPINIONS: gettext_lazy("征求学校领导班子、党支部意见"),
    Stage.TARGETS: gettext_lazy("集体研究确定考察对象"),
    Stage.DECISION: gettext_lazy("集体讨论决定后备干部人选"),
}


class _Count(Subquery):
    """The number of rows of a correlated queryset, as a column of the outer query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _n)"
    output_field = IntegerField()


def _n(qs: QuerySet[Any]) -> _Count:
    return _Count(qs.order_by().values("pk"))


class _Sum(Subquery):
    template = "(SELECT COALESCE(SUM(_s.n), 0) FROM (%(subquery)s) _s)"
    output_field = IntegerField()


# --- selection cycles --------------------------------------------------------------------


@dataclass
class CycleLine:
    cycle: Cycle
    stage: str
    deadline: dt.date | None
    overdue: bool
    url: str
    next_step: str = ""
    waiting: list[str] = field(default_factory=list)
    task: str = ""  # what the decision body does in this stage


def _cycles(school: School) -> QuerySet[Cycle]:
    live_deadline = (
        StageRecord.objects.filter(cycle=OuterRef("pk"), stage=OuterRef("stage"))
        .order_by("-attempt")
        .values("deadline")[:1]
    )
    return (
        Cycle.objects.for_school(school)
        .in_progress()
        .select_related("rule_set")
        .annotate(stage_deadline=Subquery(live_deadline))
        .order_by("-year", "created_at", "pk")
    )


def _line(cycle: Cycle, today: dt.date, url: str) -> CycleLine:
    deadline = cycle.stage_deadline  # type: ignore[attr-defined]
    return CycleLine(
        cycle=cycle,
        stage=cycle.get_stage_display(),
        deadline=deadline,
        overdue=deadline is not None and deadline < today,
        url=url,
    )


def office_cycles(school: School, today: dt.date) -> list[CycleLine]:
    """Every cycle of the school not complete, with its stage's deadline and its next
    step — what stands in the way of it, as the cycle's dashboard says."""
    lines = []
    for cycle in _cycles(school):
        line = _line(cycle, today, reverse("selection:detail", args=[cycle.pk]))
        transition = workflow.next_transition(cycle)
        if transition is not None:
            line.next_step = str(transition.verb)
            line.waiting = [w.rstrip("。") for w in workflow.problems(cycle, today)]
        lines.append(line)
    return lines


def decision_cycles(school: School, today: dt.date) -> list[CycleLine]:
    """The cycles waiting for the decision body: its opinion, the choice of the
    考察对象, the decision; linked to that stage's page."""
    lines = []
    for cycle in _cycles(school).filter(stage__in=list(DECISION_STAGES)):
        line = _line(cycle, today, stage_url(cycle, cycle.stage))
        line.task = str(DECISION_STAGES[Stage(cycle.stage)])
        lines.append(line)
    return lines


# --- rotation rounds ---------------------------------------------------------------------


def _reserve_on_start(person: Any) -> Exists:
    """A pool entry of ``person`` valid when the round (two levels out) starts."""
    start = OuterRef(OuterRef("start_term__start"))
    return Exists(
        PoolEntry.objects.filter(person=person, decided_on__lte=start, valid_until__gte=start)
    )


def office_rounds(school: School) -> list[Round]:
    """The school's rounds not yet confirmed, with the reserve cadres who may fill the
    意向表 (``intentions.reserve_cadres``), how many of them have, and the posts'
    answers."""
    here = OuterRef("pk")
    eligible = Person.objects.for_school(school).current().filter(_reserve_on_start(OuterRef("pk")))
    filled = Intention.objects.live().filter(
        round=here, person__school=school, person__archived_at__isnull=True
    )
    filled = filled.filter(
        Exists(
            PoolEntry.objects.filter(
                person=OuterRef("person"),
                decided_on__lte=OuterRef(OuterRef("start_term__start")),
                valid_until__gte=OuterRef(OuterRef("start_term__start")),
            )
        )
    )
    return list(
        Round.objects.for_school(school)
        .unconfirmed()
        .select_related("start_term__school_year")
        .annotate(
            n_eligible=_n(eligible),
            n_filled=_n(filled),
            n_posts=_n(RoundPost.objects.filter(round=here)),
            n_answered=_n(RoundPost.objects.filter(round=here, ranked_at__isnull=False)),
        )
        .order_by("start_term__start", "pk")
    )


@dataclass
class OpenForm:
    """An open round whose 意向表 the person may fill."""

    round: Round
    state: str  # filled | withdrawn | missing


def open_forms(school: School, person: Person) -> list[OpenForm]:
    """The school's open rounds in which ``person`` is a reserve cadre when the rotation
    starts, with whether their 意向表 is in."""
    if person.archived_at is not None:
        return []
    start = OuterRef("start_term__start")
    rounds = (
        Round.objects.for_school(school)
        .filter(status=RoundStatus.OPEN)
        .filter(
            Exists(
                PoolEntry.objects.filter(
                    school=school, person=person, decided_on__lte=start, valid_until__gte=start
                )
            )
        )
        .select_related("start_term__school_year")
        .annotate(
            mine_live=Exists(Intention.objects.live().filter(round=OuterRef("pk"), person=person)),
            mine_any=Exists(Intention.objects.filter(round=OuterRef("pk"), person=person)),
        )
        .order_by("intentions_due", "pk")
    )
    return [
        OpenForm(
            r,
            "filled"
            if r.mine_live  # type: ignore[attr-defined]
            else "withdrawn"
            if r.mine_any  # type: ignore[attr-defined]
            else "missing",
        )
        for r in rounds
    ]


def my_offers(school: School, person: Person, today: dt.date) -> list[RoundPost]:
    """Posts offered in the school's open or closed rounds that ``person`` mentors in the
    round or holds today — the post side they answer for (as the post side pages), with
    how many listed each."""
    listed = _n(
        IntentionChoice.objects.filter(
            round_post=OuterRef("pk"), intention__withdrawn_at__isnull=True
        )
    )
    return list(
        offers_answered_by(person, school, today)
        .select_related("post", "round")
        .annotate(listed=listed)
        .order_by("round__start_term__start", "round", "post__sort_order", "post__name")
    )


# --- elections and rating rounds ---------------------------------------------------------


def open_elections(school: School) -> list[Election]:
    """The school's elections open for voting, with how many took part (the one figure
    shown while voting is open, as ``results.turnout_of``)."""
    here = OuterRef("pk")
    elections: list[Election] = list(
        Election.objects.filter(school=school, status=ElectionStatus.OPEN)
        .annotate(
            roll_taken=_n(RollEntry.objects.filter(election=here, issued=True)),
            codes_used=_n(Credential.objects.filter(election=here, used=True)),
        )
        .order_by("created_at", "pk")
    )
    for e in elections:
        e.taken_part = e.roll_taken if e.mode == Mode.ROLL else e.codes_used  # type: ignore[attr-defined]
    return elections


def open_ratings(school: School) -> list[RatingRound]:
    """The school's rating rounds open, with the sheets handed in and the raters expected
    (codes issued and people on the roll, as ``ratings.services.turnout_of``)."""
    here = OuterRef("pk")
    rounds: list[RatingRound] = list(
        RatingRound.objects.filter(school=school, status=RatingStatus.OPEN)
        .annotate(
            sheets=_Sum(RaterCount.objects.filter(round=here).order_by().values(n=F("count"))),
            expected_codes=_n(RatingCredential.objects.filter(round=here)),
            expected_roll=_n(RatingRollEntry.objects.filter(round=here)),
        )
        .order_by("created_at", "pk")
    )
    for r in rounds:
        r.expected = r.expected_codes + r.expected_roll  # type: ignore[attr-defined]
    return rounds


def my_ballots(school: School, person: Person) -> tuple[list[RollEntry], list[RatingRollEntry]]:
    """The open roll-mode elections and rating rounds of the school with ``person`` on the
    roll who has not yet taken part (two queries)."""
    votes = list(
        RollEntry.objects.filter(
            person=person,
            issued=False,
            election__school=school,
            election__status=ElectionStatus.OPEN,
        )
        .select_related("election")
        .order_by("election__created_at")
    )
    ratings = list(
        RatingRollEntry.objects.filter(
            person=person, issued=False, round__school=school, round__status=RatingStatus.OPEN
        )
        .select_related("round")
        .order_by("round__created_at")
    )
    return votes, ratings
