"""What the personnel office's rotation pages read: a round's board (its life cycle, the
posts offered with their seats, mentors, exemptions and the post side's answers, the
mentors' numbers, the waivers, who of the reserve cadres has filled the 意向表), the
proposal under review (every placement with its explanation, who is unplaced or left out
and why, the fill of each post and mentor), the assignments with their filters, and who
rotated through each post. Each read is a fixed number of queries, whatever the size of
the school or the round.

Reads only; every write is a service of this package."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from houbei.organisation.models import LadderLevel, Post, RotationLength, School, Term
from houbei.people.models import Person

from .instance import RoundInstance, absent_from
from .intentions import reserve_cadres
from .models import (
    LIVE_STATUSES,
    Assignment,
    AssignmentMentor,
    AssignmentQuerySet,
    AssignmentStatus,
    Intention,
    IntentionChoice,
    LevelWaiver,
    MatchingRun,
    Placement,
    PostPreference,
    Round,
    RoundMentor,
    RoundPost,
    RoundStatus,
)
from .proposal import ProposalReview, instance_of, review_proposal

LIFE_CYCLE = (
    RoundStatus.OPEN,
    RoundStatus.CLOSED,
    RoundStatus.MATCHED,
    RoundStatus.ADJUSTED,
    RoundStatus.CONFIRMED,
)
SETTING_UP = (RoundStatus.OPEN, RoundStatus.CLOSED)
REVIEWING = (RoundStatus.MATCHED, RoundStatus.ADJUSTED)


class _Count(Subquery):
    """The number of rows of a correlated queryset, as a column of the outer query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _n)"
    output_field = IntegerField()


def _n(qs: QuerySet[Any]) -> _Count:
    return _Count(qs.order_by().values("pk"))


def round_queryset(school: School) -> QuerySet[Round]:
    return Round.objects.for_school(school).select_related(
        "school", "start_term__school_year", "created_by", "confirmed_by"
    )


def rounds_of(school: School) -> list[Round]:
    """The school's rounds, newest term first, with their counts (one query)."""
    here = OuterRef("pk")
    return list(
        round_queryset(school)
        .annotate(
            n_posts=_n(RoundPost.objects.filter(round=here)),
            n_intentions=_n(Intention.objects.live().filter(round=here)),
            n_assignments=_n(Assignment.objects.filter(round=here)),
        )
        .order_by("-start_term__start", "-pk")
    )


# --- The round's board -------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    status: str
    label: str
    state: str  # done, current, upcoming, skipped


def steps_of(round_: Round, *, adjusted: bool) -> list[Step]:
    """填报意向 → 意向已截止 → 已生成匹配方案 → 方案已调整 → 已确认, with where the round
    is. A proposal confirmed without a move (``adjusted`` False) skipped 方案已调整."""
    here = LIFE_CYCLE.index(RoundStatus(round_.status))
    steps = []
    for i, status in enumerate(LIFE_CYCLE):
        if i < here:
            state = "done"
        elif i == here:
            state = "current"
        else:
            state = "upcoming"
        if status == RoundStatus.ADJUSTED and state == "done" and not adjusted:
            state = "skipped"
        steps.append(Step(status, str(status.label), state))
    return steps


def linker(name: str, *args: Any) -> Callable[[int], str]:
    """``reverse(name, args=[*args, pk])`` for any ``pk``, reversed once: a page that links
    every row of a long table to its own address builds the links by joining strings."""
    marker = 987654321
    head, tail = reverse(name, args=[*args, marker]).rsplit(str(marker), 1)
    return lambda pk: f"{head}{pk}{tail}"


@dataclass(frozen=True)
class Who:
    """A person as the pages name them (name, staff number, a link to the file)."""

    pk: int
    name: str
    staff_number: str
    href: str = ""


@dataclass
class OfferRow:
    offer: RoundPost
    mentors: list[Who]
    listed: int
    ranked: int
    declined: int
    taken: int  # seats that rotations of other rounds take in the start term
    level: str = ""  # the post's ladder level, in words
    href: str = ""  # the page that edits the offer

    @property
    def answered(self) -> bool:
        return self.offer.ranked_at is not None


@dataclass
class MentorRow:
    person: Who
    posts: list[str]
    capacity: int
    is_set: bool
    taken: int  # mentees from rotations of other rounds in the start term


@dataclass(frozen=True)
class ChoiceLine:
    """One row of a 意向表 as the round's page lists it."""

    rank: int
    post: str
    length: str
    mentor: str
    remarks: str
    note: str = ""  # the length, the wanted mentor and the remarks in one line


@dataclass
class FormLine:
    """A 意向表 as the round's page lists it: read as plain values, since a school's
    whole round of forms is shown at once."""

    submitted_at: dt.datetime
    submitted: str  # the time it was submitted, as the page shows it (local time)
    withdrawn_at: dt.datetime | None
    withdraw_reason: str
    remarks: str
    choices: list[ChoiceLine] = field(default_factory=list)


@dataclass
class CadreRow:
    person: Who
    intention: FormLine | None
    in_pool: bool = True

    @property
    def state(self) -> str:
        if self.intention is None:
            return "missing"
        return "withdrawn" if self.intention.withdrawn_at is not None else "filled"


@dataclass
class RoundBoard:
    round: Round
    steps: list[Step]
    offers: list[OfferRow]
    not_offered: list[Post]
    mentors: list[MentorRow]
    waivers: list[LevelWaiver]
    revoked: list[LevelWaiver]
    cadres: list[CadreRow]
    strangers: list[CadreRow]  # forms of people not (or no longer) reserve cadres
    runs: list[MatchingRun]
    live_run: MatchingRun | None

    @property
    def eligible(self) -> int:
        return len(self.cadres)

    @property
    def filled(self) -> int:
        return sum(1 for c in self.cadres if c.state == "filled")

    @property
    def missing(self) -> list[CadreRow]:
        return [c for c in self.cadres if c.state != "filled"]

    @property
    def answered(self) -> int:
        return sum(1 for o in self.offers if o.answered)

    @property
    def seats(self) -> int:
        return sum(o.offer.capacity for o in self.offers)

    @property
    def discarded(self) -> list[MatchingRun]:
        return [r for r in self.runs if r.discarded_at is not None]


def _running_elsewhere(round_: Round) -> QuerySet[Assignment]:
    term = round_.start_term
    return (
        Assignment.objects.filter(school=round_.school)
        .exclude(round=round_)
        .overlapping(term.start, term.end)
    )


def _taken_elsewhere(round_: Round) -> tuple[Counter[int], Counter[int]]:
    """The seats of each post and the mentees of each mentor that rotations of other
    rounds take in the round's start term (one query: each rotation with its mentors)."""
    seats: Counter[int] = Counter()
    mentees: Counter[int] = Counter()
    seen = set()
    active = FilteredRelation("mentor_links", condition=Q(mentor_links__removed_at__isnull=True))
    for pk, post_id, mentor_id in (
        _running_elsewhere(round_)
        .annotate(active_mentor=active)
        .values_list("pk", "post_id", "active_mentor__person_id")
    ):
        if pk not in seen:
            seen.add(pk)
            seats[post_id] += 1
        if mentor_id is not None:
            mentees[mentor_id] += 1
    return seats, mentees


def round_board(round_: Round) -> RoundBoard:
    """Everything the round's page shows, in a fixed number of queries (ten; nine once
    no post can be offered any more). Rows are
    read as plain values where the page only names them, and the links of each row are
    built without reversing a URL per row."""
    here = OuterRef("pk")
    offers = list(
        RoundPost.objects.filter(round=round_)
        .select_related("post", "ranked_by_person")
        .annotate(
            n_listed=_n(
                IntentionChoice.objects.filter(
                    round_post=here, intention__withdrawn_at__isnull=True
                )
            ),
            n_ranked=_n(PostPreference.objects.filter(round_post=here, declined=False)),
            n_declined=_n(PostPreference.objects.filter(round_post=here, declined=True)),
        )
    )
    person_href = linker("people:detail")
    mentors_of: dict[int, list[Who]] = defaultdict(list)
    for offer_id, pk, name, number in (
        RoundPost.mentors.through.objects.filter(roundpost__round=round_)
        .order_by("person__staff_number", "person_id")
        .values_list("roundpost_id", "person_id", "person__name", "person__staff_number")
    ):
        mentors_of[offer_id].append(Who(pk, name, number, person_href(pk)))
    taken_seats, taken_mentees = _taken_elsewhere(round_)
    offered = {o.post_id for o in offers}
    not_offered = (
        [
            p
            for p in Post.objects.for_school(round_.school).active().filter(is_rotation_post=True)
            if p.pk not in offered
        ]
        if round_.status in SETTING_UP  # posts can be offered only then
        else []
    )
    levels = {value: str(label) for value, label in LadderLevel.choices}
    offer_href = linker("rotations:round_offer", round_.pk)
    rows = []
    mentor_posts: dict[int, list[str]] = defaultdict(list)
    mentor_people: dict[int, Who] = {}
    for offer in offers:
        mentors = mentors_of.get(offer.pk, [])
        for m in mentors:
            mentor_posts[m.pk].append(offer.post.name)
            mentor_people[m.pk] = m
        rows.append(
            OfferRow(
                offer, mentors, offer.n_listed, offer.n_ranked, offer.n_declined,  # type: ignore[attr-defined]
                taken_seats.get(offer.post_id, 0),
                levels.get(offer.post.ladder_level, ""), offer_href(offer.post_id),
            )
        )  # fmt: skip
    limits: dict[int, int] = {}
    for pk, capacity, name, number in RoundMentor.objects.filter(round=round_).values_list(
        "person_id", "capacity", "person__name", "person__staff_number"
    ):
        limits[pk] = capacity
        mentor_people.setdefault(pk, Who(pk, name, number, person_href(pk)))
    mentor_rows = [
        MentorRow(
            person,
            mentor_posts.get(pk, []),
            limits.get(pk, round_.default_mentor_capacity),
            pk in limits,
            taken_mentees.get(pk, 0),
        )
        for pk, person in sorted(mentor_people.items(), key=lambda kv: kv[1].staff_number)
    ]
    waivers = list(
        LevelWaiver.objects.filter(round=round_)
        .select_related("person", "post", "granted_by", "revoked_by")
        .order_by("person__staff_number", "post__sort_order", "pk")
    )
    intentions, strangers = _forms_of(round_, person_href)
    cadres = [
        CadreRow(Who(pk, name, number, person_href(pk)), intentions.get(pk))
        for pk, name, number in reserve_cadres(round_).values_list("pk", "name", "staff_number")
    ]
    in_pool = {c.person.pk for c in cadres}
    outside = [
        CadreRow(who, intentions[who.pk], in_pool=False)
        for who in strangers
        if who.pk not in in_pool
    ]
    runs: list[MatchingRun] = list(
        MatchingRun.objects.filter(round=round_)
        .select_related("run_by", "discarded_by")
        .defer("instance")
        .annotate(
            n_lines=Count("placements"),
            n_placed=Count("placements", filter=Q(placements__round_post__isnull=False)),
            n_excluded=Count("placements", filter=Q(placements__excluded=True)),
            n_moved=Count("placements", filter=Q(placements__moved_at__isnull=False)),
        )
        .order_by("pk")
    )
    live = next((r for r in runs if r.discarded_at is None), None)
    return RoundBoard(
        round=round_, steps=steps_of(round_, adjusted=bool(live and live.n_moved)),  # type: ignore[attr-defined]
        offers=rows, not_offered=not_offered,
        mentors=mentor_rows, waivers=[w for w in waivers if w.revoked_at is None],
        revoked=[w for w in waivers if w.revoked_at is not None], cadres=cadres,
        strangers=outside, runs=runs, live_run=live,
    )  # fmt: skip


def form_people(round_: Round) -> list[Person]:
    """Who may be given a waiver in the round: its reserve cadres and whoever filled its
    意向表 (one query)."""
    return list(
        Person.objects.filter(
            Q(pk__in=reserve_cadres(round_).values("pk")) | Q(rotation_intentions__round=round_)
        )
        .distinct()
        .order_by("staff_number")
    )


def _forms_of(
    round_: Round, person_href: Callable[[int], str]
) -> tuple[dict[int, FormLine], list[Who]]:
    """Every 意向表 of the round (withdrawn ones too) by person, and who filled them in
    staff-number order: two queries of plain values."""
    forms: dict[int, FormLine] = {}
    by_pk: dict[int, FormLine] = {}
    people = []
    zone = timezone.get_current_timezone()
    for pk, person, name, number, submitted, withdrawn, why, remarks in (
        Intention.objects.filter(round=round_)
        .order_by("person__staff_number")
        .values_list(
            "pk", "person_id", "person__name", "person__staff_number", "submitted_at",
            "withdrawn_at", "withdraw_reason", "remarks",
        )
    ):  # fmt: skip
        shown = timezone.localtime(submitted, zone).strftime("%Y-%m-%d %H:%M")
        line = FormLine(submitted, shown, withdrawn, why, remarks)
        forms[person] = by_pk[pk] = line
        people.append(Who(person, name, number, person_href(person)))
    lengths = {value: str(label) for value, label in RotationLength.choices}
    wants, sep = _("希望带教："), _("；")
    for intention, rank, post, mentor, length, remarks in (
        IntentionChoice.objects.filter(intention__round=round_)
        .order_by("intention_id", "rank", "pk")
        .values_list(
            "intention_id", "rank", "round_post__post__name", "mentor__name", "length", "remarks"
        )
    ):
        shown_length = lengths.get(length, length)
        parts = [shown_length]
        if mentor:
            parts.append(f"{wants}{mentor}")
        if remarks:
            parts.append(remarks)
        by_pk[intention].choices.append(
            ChoiceLine(rank, post, shown_length, mentor or "", remarks, sep.join(parts))
        )
    return forms, people


# --- The proposal --------------------------------------------------------------------------


@dataclass
class PlacementRow:
    placement: Placement
    summary: str
    reasons: list[str]
    person_href: str = ""
    move_href: str = ""
    length: str = ""  # the rotation's length, in words

    @property
    def moved(self) -> bool:
        return self.placement.moved_at is not None

    @property
    def changed(self) -> bool:
        """A move that changed the post or the mentor (not only the length)."""
        p = self.placement
        return p.round_post_id != p.proposed_post_id or p.mentor_id != p.proposed_mentor_id


@dataclass
class Fill:
    """One post's or mentor's seats in the proposal as it stands."""

    name: str
    capacity: int | None  # left for this round (None: not a mentor of the round)
    taken: int  # by rotations of other rounds in the start term
    people: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.people)

    @property
    def over(self) -> bool:
        return self.capacity is not None and self.count > self.capacity

    @property
    def free(self) -> int:
        return max(0, (self.capacity or 0) - self.count)


@dataclass(frozen=True)
class AbsentRow:
    """A reserve cadre of the round with no form in the matching, and why."""

    person: Who
    reason: str


@dataclass
class Proposal:
    run: MatchingRun
    instance: RoundInstance
    placed: list[PlacementRow]
    unplaced: list[PlacementRow]
    excluded: list[PlacementRow]
    posts: list[Fill]
    mentors: list[Fill]
    review: ProposalReview
    absent: list[AbsentRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Those who filled the form (placed, unplaced or left out)."""
        return len(self.placed) + len(self.unplaced) + len(self.excluded)

    @property
    def not_placed(self) -> int:
        """Everyone of the round without a post: the unplaced and the absent."""
        return len(self.unplaced) + len(self.absent)

    @property
    def first_choice(self) -> int:
        return sum(1 for r in self.placed if r.placement.choice == 1)

    @property
    def moved(self) -> int:
        return sum(1 for r in self.placed + self.unplaced if r.moved)


def placements_of(run: MatchingRun) -> list[Placement]:
    return list(
        run.placements.select_related(
            "person", "round_post__post", "mentor", "proposed_post__post", "proposed_mentor",
            "moved_by",
        ).order_by("position")
    )  # fmt: skip


def placement_row(
    p: Placement,
    person_href: Callable[[int], str] | None = None,
    move_href: Callable[[int], str] | None = None,
    lengths: dict[str, str] | None = None,
) -> PlacementRow:
    """The row of one placement; a page of many rows passes its link builders (``linker``)
    and the lengths in words."""
    lines = [str(x) for x in p.explanation]
    links = {
        "person_href": person_href(p.person_id) if person_href else "",
        "move_href": move_href(p.pk) if move_href else "",
        "length": (lengths or {}).get(p.length, p.length),
    }
    if p.excluded:
        return PlacementRow(p, _("未参加本轮匹配"), lines, **links)
    return PlacementRow(p, lines[0] if lines else "", lines[1:], **links)


def proposal_of(round_: Round, run: MatchingRun) -> Proposal:
    """The live proposal as it stands (after moves), judged on the data it was computed
    from, with the round's reserve cadres who have no form in it (``absent``); a fixed
    number of queries."""
    inst = instance_of(run)
    placements = placements_of(run)
    person_href = linker("people:detail")
    move_href = linker("rotations:move", round_.pk)
    lengths = {value: str(label) for value, label in RotationLength.choices}
    rows = [placement_row(p, person_href, move_href, lengths) for p in placements]
    names = inst.names
    if inst.absent is not None:
        absent = [(pk, names.person(pk), number, why) for pk, number, why in inst.absent]
    else:  # a run stored before the absent were recorded
        absent = absent_from(round_, [p.person_id for p in placements])
    by_post: dict[int, list[str]] = defaultdict(list)
    by_mentor: dict[int, list[str]] = defaultdict(list)
    for r in rows:
        p = r.placement
        if p.round_post is not None:
            by_post[p.round_post.post_id].append(p.person.name)
        if p.mentor_id is not None:
            by_mentor[p.mentor_id].append(p.person.name)
    posts = [
        Fill(names.post(post.id), post.capacity, inst.taken_seats.get(post.id, 0), by_post[post.id])
        for post in inst.posts
    ]
    known = {m.id for m in inst.mentors}
    mentors = [
        Fill(names.person(m.id), m.capacity, inst.taken_mentees.get(m.id, 0), by_mentor[m.id])
        for m in inst.mentors
    ]
    people = {r.placement.mentor_id: r.placement.mentor for r in rows if r.placement.mentor}
    mentors += [
        Fill(people[pk].name, None, 0, by_mentor[pk])  # type: ignore[union-attr]
        for pk in sorted(set(by_mentor) - known)
    ]
    return Proposal(
        run=run,
        instance=inst,
        placed=[r for r in rows if not r.placement.excluded and r.placement.round_post_id],
        unplaced=[r for r in rows if not r.placement.excluded and not r.placement.round_post_id],
        excluded=[r for r in rows if r.placement.excluded],
        posts=posts,
        mentors=mentors,
        review=review_proposal(round_, run=run, placements=placements, instance=inst),
        absent=[
            AbsentRow(Who(pk, name, number, person_href(pk)), reason)
            for pk, name, number, reason in absent
        ],
    )


# --- Assignments ---------------------------------------------------------------------------


def assignment_queryset(school: School) -> AssignmentQuerySet:
    return (
        Assignment.objects.for_school(school)
        .select_related(
            "person", "post", "round", "start_term__school_year", "end_term__school_year"
        )
        .prefetch_related(
            Prefetch(
                "mentor_links",
                queryset=AssignmentMentor.objects.active().select_related("person"),
                to_attr="active_mentors",
            )
        )
    )


def filter_assignments(
    qs: AssignmentQuerySet,
    *,
    round_: int | None = None,
    term: Term | None = None,
    status: str = "",
    post: int | None = None,
) -> AssignmentQuerySet:
    """``term``: rotations with a day in the term (a year's rotation is in both terms)."""
    if round_:
        qs = qs.filter(round_id=round_)
    if term is not None:
        qs = qs.overlapping(term.start, term.end)
    if status:
        qs = qs.filter(status=status)
    if post:
        qs = qs.filter(post_id=post)
    return qs.order_by("-start_date", "person__staff_number", "pk")


def status_counts(qs: QuerySet[Assignment]) -> dict[str, int]:
    counts = dict(qs.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {s: counts.get(s, 0) for s in AssignmentStatus.values}


# --- Posts -----------------------------------------------------------------------------------


@dataclass
class PostRow:
    post: Post
    rotated: int  # rotations with days (planned ones included)
    live: int  # planned or running now


def post_rows(school: School) -> list[PostRow]:
    """The school's rotation posts (and any other post someone rotated through), with how
    many rotated through each and how many are there or planned now (one query)."""
    here = OuterRef("pk")
    had_days = Assignment.objects.filter(post=here).with_days()
    posts = (
        Post.objects.for_school(school)
        .annotate(n_rotated=_n(had_days), n_live=_n(had_days.filter(status__in=LIVE_STATUSES)))
        .order_by("sort_order", "ladder_level", "name")
    )
    return [
        PostRow(p, p.n_rotated, p.n_live)  # type: ignore[attr-defined]
        for p in posts
        if (p.is_rotation_post and p.archived_at is None) or p.n_rotated  # type: ignore[attr-defined]
    ]
