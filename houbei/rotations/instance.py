"""The matching's input, built from the database: one ``RoundInstance`` per run, in a fixed
number of queries whatever the size of the school.

What it says about each reserve cadre who filled the form (as of the first day of the
round's start term):

* ``choices``: the form's posts by rank, equal ranks as one group; ``mentors`` the
  preferred mentor per post;
* ``eligible_levels``: every ladder level whose level below they worked at for the
  round's ``min_months_below`` (merged post history, as the eligibility rule counts it),
  and the lowest level, which has none below; ``cleared`` the posts waived for them;
* ``holds``: the posts their history says they hold that day; ``held``: posts they held
  before, and posts they already rotated through (for 一岗多能).

Who is left out, with the reason (stored and shown like an unplaced person's): a form
whose person is no longer a reserve cadre when the rotation starts, is not 在岗, or has
another rotation during the start term. Who is ``absent``: the round's reserve cadres with
no form in the matching (none submitted, or theirs withdrawn), with the reason, so that
the proposal accounts for every reserve cadre of the round.

Each post's seats are the round's number less the rotations from other rounds still
running at it in the start term; each mentor's number likewise less their mentees then.
Candidates are in the school's priority order: honoured first (the plan's 优先 for
school-level-or-higher honours), then by staff number."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Subquery
from django.utils.translation import gettext as _

from houbei.eligibility.rules import months_in
from houbei.organisation.models import LadderLevel, Post
from houbei.people.models import Honour, Person, PostHistory, PostStatus

from . import matching
from .assignments import overlap_message
from .explain import Names, absent_reason
from .intentions import reserve_cadres
from .models import (
    Assignment,
    AssignmentMentor,
    AssignmentStatus,
    Intention,
    LevelWaiver,
    Round,
    RoundMentor,
    RoundPost,
)


@dataclass(frozen=True)
class RoundInstance:
    """The plain data one run of the matching is given, with what the explanations and
    the confirmation need besides: the wanted length per (person, post), who was left out
    and why, the names, and how many seats and mentor places others already take."""

    as_of: dt.date
    candidates: tuple[matching.Candidate, ...]
    posts: tuple[matching.Post, ...]
    mentors: tuple[matching.Mentor, ...]
    lengths: Mapping[int, Mapping[int, str]] = field(default_factory=dict)
    excluded: tuple[tuple[int, str], ...] = ()
    people: Mapping[int, str] = field(default_factory=dict)
    post_names: Mapping[int, str] = field(default_factory=dict)
    taken_seats: Mapping[int, int] = field(default_factory=dict)
    taken_mentees: Mapping[int, int] = field(default_factory=dict)
    # None: a run stored before the absent were recorded (the page reads them afresh).
    absent: tuple[tuple[int, str, str], ...] | None = ()  # (id, staff number, reason)

    @property
    def names(self) -> Names:
        return Names(dict(self.people), dict(self.post_names))

    def match(self) -> matching.Matching:
        return matching.match(self.candidates, self.posts, self.mentors)

    def check(self, placements: Sequence[matching.Placement]) -> matching.Review:
        return matching.check(self.candidates, self.posts, self.mentors, placements)

    # JSON keys are strings; ids come back as integers.
    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "candidates": [
                {
                    "id": c.id,
                    "choices": [g if isinstance(g, int) else list(g) for g in c.choices],
                    "eligible_levels": sorted(c.eligible_levels),
                    "holds": sorted(c.holds),
                    "held": sorted(c.held),
                    "cleared": sorted(c.cleared),
                    "mentors": {str(k): v for k, v in sorted(c.mentors.items())},
                }
                for c in self.candidates
            ],
            "posts": [
                {
                    "id": p.id,
                    "level": p.level,
                    "capacity": p.capacity,
                    "ranking": [g if isinstance(g, int) else list(g) for g in p.ranking],
                    "accept_others": p.accept_others,
                    "declined": sorted(p.declined),
                    "level_exempt": p.level_exempt,
                    "mentors": list(p.mentors),
                }
                for p in self.posts
            ],
            "mentors": [{"id": m.id, "capacity": m.capacity} for m in self.mentors],
            "lengths": {
                str(person): {str(post): length for post, length in sorted(by_post.items())}
                for person, by_post in sorted(self.lengths.items())
            },
            "excluded": [[person, reason] for person, reason in self.excluded],
            "people": {str(k): v for k, v in sorted(self.people.items())},
            "post_names": {str(k): v for k, v in sorted(self.post_names.items())},
            "taken_seats": {str(k): v for k, v in sorted(self.taken_seats.items())},
            "taken_mentees": {str(k): v for k, v in sorted(self.taken_mentees.items())},
            **({"absent": [list(row) for row in self.absent]} if self.absent is not None else {}),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RoundInstance:
        def group(g: Any) -> matching.Choice:
            return g if isinstance(g, int) else tuple(g)

        def ints(d: Mapping[str, Any]) -> dict[int, Any]:
            return {int(k): v for k, v in d.items()}

        return cls(
            as_of=dt.date.fromisoformat(data["as_of"]),
            candidates=tuple(
                matching.Candidate(
                    id=c["id"],
                    choices=tuple(group(g) for g in c["choices"]),
                    eligible_levels=frozenset(c["eligible_levels"]),
                    holds=frozenset(c["holds"]),
                    held=frozenset(c["held"]),
                    cleared=frozenset(c["cleared"]),
                    mentors=ints(c["mentors"]),
                )
                for c in data["candidates"]
            ),
            posts=tuple(
                matching.Post(
                    id=p["id"],
                    level=p["level"],
                    capacity=p["capacity"],
                    ranking=tuple(group(g) for g in p["ranking"]),
                    accept_others=p["accept_others"],
                    declined=frozenset(p["declined"]),
                    level_exempt=p["level_exempt"],
                    mentors=tuple(p["mentors"]),
                )
                for p in data["posts"]
            ),
            mentors=tuple(matching.Mentor(m["id"], m["capacity"]) for m in data["mentors"]),
            lengths={int(k): ints(v) for k, v in data["lengths"].items()},
            excluded=tuple((int(p), r) for p, r in data["excluded"]),
            people=ints(data["people"]),
            post_names=ints(data["post_names"]),
            taken_seats=ints(data["taken_seats"]),
            taken_mentees=ints(data["taken_mentees"]),
            absent=(
                tuple((int(p), n, r) for p, n, r in data["absent"]) if "absent" in data else None
            ),
        )


def _groups(ranked: Mapping[int, list[int]]) -> tuple[matching.Choice, ...]:
    """Ids by rank, best first: a rank with one id is the id, a rank of several a tuple."""
    return tuple(ids[0] if len(ids) == 1 else tuple(ids) for _rank, ids in sorted(ranked.items()))


def eligible_levels(
    spells: Sequence[tuple[int, dt.date, dt.date | None]],
    post_levels: Mapping[int, int],
    *,
    as_of: dt.date,
    min_months: int,
) -> frozenset[int]:
    """The ladder levels someone with these history rows (post, start, end) may rotate
    at: a level whose level below has no post at the school, or at whose level below they
    worked ``min_months`` (merged, as ``eligibility.rules.months_in`` counts)."""
    levels_present = set(post_levels.values())
    ok = set()
    for level in LadderLevel.values:
        below = level - 1
        if below not in levels_present:
            ok.add(level)
            continue
        months = months_in(
            ((start, end) for post, start, end in spells if post_levels.get(post) == below),
            as_of,
        )
        if months >= min_months:
            ok.add(level)
    return frozenset(ok)


def build_instance(round_: Round) -> RoundInstance:
    """The round's matching input as of the first day of its start term (see the module
    docstring for what each part says)."""
    school = round_.school
    term = round_.start_term
    as_of = term.start
    offers = list(
        RoundPost.objects.filter(round=round_)
        .select_related("post")
        .prefetch_related("mentors", "preferences__person")
    )
    post_levels = dict(Post.objects.filter(school=school).values_list("pk", "ladder_level"))
    intentions = list(
        Intention.objects.live()
        .filter(round=round_)
        .select_related("person")
        .prefetch_related("choices__round_post")
        .annotate(honoured=Exists(Honour.objects.filter(person=OuterRef("person"))))
    )
    intentions.sort(key=lambda i: (not i.honoured, i.person.staff_number, i.person.pk))
    ids = [i.person_id for i in intentions]
    in_pool = set(reserve_cadres(round_).filter(pk__in=ids).values_list("pk", flat=True))
    spells: dict[int, list[tuple[int, dt.date, dt.date | None]]] = defaultdict(list)
    for person_id, post_id, start, end in PostHistory.objects.filter(person_id__in=ids).values_list(
        "person_id", "post_id", "start", "end"
    ):
        spells[person_id].append((post_id, start, end))
    rotated: dict[int, set[int]] = defaultdict(set)
    for person_id, post_id in (
        Assignment.objects.filter(person_id__in=ids, start_date__lt=as_of)
        .exclude(status=AssignmentStatus.PLANNED)
        .with_days()
        .values_list("person_id", "post_id")
    ):
        rotated[person_id].add(post_id)
    clashes: dict[int, Assignment] = {}
    for clash in (
        Assignment.objects.filter(person_id__in=ids)
        .overlapping(term.start, term.end)
        .select_related("post")
        .order_by("-start_date")
    ):
        clashes[clash.person_id] = clash  # the earliest one, for the message
    cleared: dict[int, set[int]] = defaultdict(set)
    for person_id, post_id in (
        LevelWaiver.objects.active().filter(round=round_).values_list("person_id", "post_id")
    ):
        cleared[person_id].add(post_id)

    candidates = []
    excluded: list[tuple[int, str]] = []
    lengths: dict[int, dict[int, str]] = {}
    people: dict[int, str] = {}
    for intention in intentions:
        person = intention.person
        people[person.pk] = person.name
        why = _left_out(person, in_pool, clashes.get(person.pk), term.start, term.end)
        if why is not None:
            excluded.append((person.pk, why))
            continue
        ranked: dict[int, list[int]] = defaultdict(list)
        wanted_mentors: dict[int, int] = {}
        lengths[person.pk] = {}
        for choice in sorted(intention.choices.all(), key=lambda c: (c.rank, c.pk)):
            post_id = choice.round_post.post_id
            ranked[choice.rank].append(post_id)
            lengths[person.pk][post_id] = choice.length
            if choice.mentor_id is not None:
                wanted_mentors[post_id] = choice.mentor_id
        rows = spells.get(person.pk, [])
        holds = {p for p, start, end in rows if start <= as_of and (end is None or end >= as_of)}
        held = {p for p, start, end in rows if start <= as_of and end is not None and end < as_of}
        candidates.append(
            matching.Candidate(
                id=person.pk,
                choices=_groups(ranked),
                eligible_levels=eligible_levels(
                    rows, post_levels, as_of=as_of, min_months=round_.min_months_below
                ),
                holds=frozenset(holds),
                held=frozenset(held | rotated.get(person.pk, set())),
                cleared=frozenset(cleared.get(person.pk, set())),
                mentors=wanted_mentors,
            )
        )

    # Seats and mentor places that rotations of other rounds take in the start term.
    running = (
        Assignment.objects.filter(school=school)
        .exclude(round=round_)
        .overlapping(term.start, term.end)
    )
    taken_seats = dict(
        running.values("post_id").annotate(n=Count("pk")).values_list("post_id", "n")
    )
    taken_mentees = dict(
        AssignmentMentor.objects.active()
        .filter(assignment__in=running.values("pk"))
        .values("person_id")
        .annotate(n=Count("pk"))
        .values_list("person_id", "n")
    )
    posts = []
    mentor_people: dict[int, Person] = {}
    post_names: dict[int, str] = {}
    for offer in offers:
        post_names[offer.post_id] = offer.post.name
        tiers: dict[int, list[int]] = defaultdict(list)
        declined = set()
        for pref in sorted(offer.preferences.all(), key=lambda p: (p.person.staff_number, p.pk)):
            if pref.declined:
                declined.add(pref.person_id)
            else:
                assert pref.tier is not None
                tiers[pref.tier].append(pref.person_id)
        mentors = sorted(offer.mentors.all(), key=lambda m: (m.staff_number, m.pk))
        for mentor in mentors:
            mentor_people[mentor.pk] = mentor
            people.setdefault(mentor.pk, mentor.name)
        posts.append(
            matching.Post(
                id=offer.post_id,
                level=offer.post.ladder_level,
                capacity=max(0, offer.capacity - taken_seats.get(offer.post_id, 0)),
                ranking=_groups(tiers),
                accept_others=offer.accept_others,
                declined=frozenset(declined),
                level_exempt=offer.level_exempt,
                mentors=tuple(m.pk for m in mentors),
            )
        )
    limits = dict(RoundMentor.objects.filter(round=round_).values_list("person_id", "capacity"))
    mentors_out = tuple(
        matching.Mentor(
            mentor.pk,
            max(
                0,
                limits.get(mentor.pk, round_.default_mentor_capacity)
                - taken_mentees.get(mentor.pk, 0),
            ),
        )
        for mentor in sorted(mentor_people.values(), key=lambda m: (m.staff_number, m.pk))
    )
    for c in candidates:  # preferred mentors who mentor none of the posts, named too
        for mentor_id in c.mentors.values():
            if mentor_id not in people:
                people[mentor_id] = ""
    absent = absent_from(round_, ids)
    for pk, name, _number, _reason in absent:
        people[pk] = name
    missing = [pk for pk, name in people.items() if not name]
    if missing:
        people.update(dict(Person.objects.filter(pk__in=missing).values_list("pk", "name")))
    return RoundInstance(
        as_of=as_of,
        candidates=tuple(candidates),
        posts=tuple(posts),
        mentors=mentors_out,
        lengths=lengths,
        excluded=tuple(excluded),
        people=people,
        post_names=post_names,
        taken_seats={k: v for k, v in taken_seats.items() if k in post_names},
        taken_mentees={k: v for k, v in taken_mentees.items() if k in mentor_people},
        absent=tuple((pk, number, reason) for pk, _name, number, reason in absent),
    )


def absent_from(round_: Round, present: Sequence[int]) -> list[tuple[int, str, str, str]]:
    """The round's reserve cadres (``reserve_cadres``) of whom no form is in the matching,
    ``present`` being those whose form is: (id, name, staff number, reason) in staff-number
    order — no
    form submitted, or theirs withdrawn (with the reason given). One query."""
    withdrawn = Intention.objects.filter(
        round=round_, person=OuterRef("pk"), withdrawn_at__isnull=False
    )
    rows = (
        reserve_cadres(round_)
        .exclude(pk__in=list(present))
        .annotate(withdrawn=Exists(withdrawn))
        .annotate(why=Subquery(withdrawn.values("withdraw_reason")[:1]))
        .values_list("pk", "name", "staff_number", "withdrawn", "why")
    )
    return [
        (pk, name, number, absent_reason(gone, why or "")) for pk, name, number, gone, why in rows
    ]


def _left_out(
    person: Person, in_pool: set[int], clash: Assignment | None, start: dt.date, end: dt.date
) -> str | None:
    if person.pk not in in_pool:
        return _("不在本校后备干部库中（或在轮岗开始时已过有效期），本轮不参加匹配。")
    if person.post_status != PostStatus.ON_DUTY:
        return _("当前状态为“%(status)s”，本轮不参加匹配。") % {
            "status": person.get_post_status_display()
        }
    if clash is not None:
        return overlap_message(person, clash, start, end) + _("本轮不参加匹配。")
    return None
