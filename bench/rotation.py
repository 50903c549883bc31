"""The two-way selection and rotation pages of a 150-person school: the round's page, the
proposal and 我的轮岗, each in a fixed number of queries.

Builds two schools of ``--staff`` people with the district generator (``bench/_district.py``),
this school year and the next in their calendars, and in each school three rounds of
two-way selection, one in each state that the pages show differently, all driven through the
services as a school runs them:

- a round of the current term, **confirmed**: the reserve cadres' 意向表, the post side's
  answers, a waiver and a mentor's number, closed, matched and confirmed into assignments;
- a round of the next term with its **proposal** under review: the same, matched, and one
  person moved with a reason (方案已调整), with the first round's rotations counted against
  its seats and mentors and its year-long rotations leaving people out;
- a round of the term after, **open** for intentions: the 意向表 and the post side's answers.

The first school (``--cadres`` reserve cadres, default 30, every rotation post offered, two
mentors each) is the one measured against the targets; the second (``--small-cadres``, three
posts) has the same rounds at a small size, so that the query counts of a large and a small
round can be compared. Each cadre lists three to five posts they do not hold (a preferred
mentor for the first in three cases of ten, a year for some), and the post side of half the
posts ranks those who listed it in tiers, declines one, and accepts the rest or not.

Then, in-process with Django's test ``Client`` as ``bench/pages.py`` does (a few warm-up
requests, then ``--requests`` timed ones; p50 and p95 in ms, wall and the process's CPU
time — on a busy machine the difference is waiting — with the load average at the time,
and the queries of one request),
for both schools:

(a) the round's page (``rotations:round``) in each state, as the personnel office:
    p95 ≤ 150 ms;
(b) the proposal (``rotations:proposal``) under review and confirmed: p95 ≤ 150 ms;
(c) 我的轮岗 (``rotations:mine``) of a reserve cadre with a 意向表 in every round and a
    rotation from the first: p95 ≤ 100 ms (the pages' general target);

and for each page, whether the large and the small school need the same number of queries
(``*.queries_fixed``: they must). The time ``run_matching`` takes on the large school's
second round (the instance read from the database, the matching, its explanations and the
rows written) is reported beside the build; the matching itself at far beyond a school's
size is ``houbei bench matching``.

Targets are judged on PostgreSQL only; a missed target or a query count that differs is
exit status 1 there (``--no-targets`` reports without judging, for smoke tests at tiny
sizes). A page that fails is exit status 1 on any database.

    houbei bench rotation [--staff 150] [--cadres 30] [--small-cadres 5] [--requests 50]
                          [--warmup 5] [--seed 2026] [--no-targets]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from houbei.accounts.models import Role, User
from houbei.eligibility.services import create_rule_set
from houbei.organisation.models import Post, School, Term
from houbei.organisation.services import create_school_year
from houbei.people.models import Person, PostHistory, PostStatus
from houbei.rotations.intentions import (
    ChoiceDraft,
    candidates_for,
    set_post_preferences,
    submit_intention,
)
from houbei.rotations.models import Assignment, Placement, Round, RoundPost, RoundStatus
from houbei.rotations.proposal import confirm_round, live_run, move_candidate, run_matching
from houbei.rotations.rounds import (
    close_intentions,
    create_round,
    grant_level_waiver,
    set_mentor_capacity,
)
from houbei.selection.models import (
    Cycle,
    CycleList,
    InspectionTarget,
    Level,
    PoolEntry,
    Readiness,
    TargetSelection,
)

from ._district import BENCH_PASSWORD, build_district
from ._report import emit, log, percentile

ROUND_P95_MS = 150.0  # the figure for the round's page of a 150-person school
PAGE_P95_MS = 100.0  # every other page (bench/pages.py)
SMALL_POSTS = ("class-teacher", "academic-office", "moral-office")


# --- building ----------------------------------------------------------------------------------


@dataclass
class Rounds:
    """One school's three rounds and who is measured there."""

    school: School
    office: User
    confirmed: Round
    proposal: Round
    open: Round
    cadre: User  # a reserve cadre with a 意向表 in each round and a rotation from the first
    cadres: int = 0
    intentions: int = 0
    assignments: int = 0
    seconds: float = 0.0
    matching_seconds: list[float] = field(default_factory=list)


def _terms(school: School, today: dt.date) -> list[Term]:
    """This school year and the next in the calendar; the current term (or the next one
    between terms) and the two after it."""
    this_year = today.year if today.month >= 9 else today.year - 1
    for start_year in (this_year, this_year + 1):
        create_school_year(actor=None, school=school, start_year=start_year)
    terms = list(
        Term.objects.for_school(school).filter(end__gte=today).select_related("school_year")
    )
    terms.sort(key=lambda t: t.start)
    return terms[:3]


def _enrol(school: School, people: Sequence[Person], decided_on: dt.date) -> None:
    """The reserve pool as a completed selection cycle leaves it: a 校级 entry for each of
    ``people``, valid two years from ``decided_on``."""
    rule_set = create_rule_set(actor=None, school=school, name=f"{decided_on.year}年选拔条件")
    cycle = Cycle.objects.create(
        school=school, title=f"{decided_on.year}年后备干部选拔", year=decided_on.year,
        reference_date=decided_on, rule_set=rule_set,
    )  # fmt: skip
    cycle_list = CycleList.objects.create(cycle=cycle, level=Level.SCHOOL, name="校级", quota=20)
    selection = TargetSelection.objects.create(cycle=cycle, decided_on=decided_on)
    targets = InspectionTarget.objects.bulk_create(
        InspectionTarget(cycle=cycle, cycle_list=cycle_list, person=p, selection=selection)
        for p in people
    )
    until = dt.date(decided_on.year + 2, decided_on.month, decided_on.day)
    PoolEntry.objects.bulk_create(
        PoolEntry(
            school=school, cycle=cycle, target=t, person=t.person, level=Level.SCHOOL,
            readiness=Readiness.LONG, decided_on=decided_on, valid_until=until,
        )
        for t in targets
    )  # fmt: skip


def _mentors(rng: random.Random, school: School, posts: Sequence[Post], day: dt.date,
             avoid: set[int], linked: Person) -> None:  # fmt: skip
    """Two default mentors per post: its holders on ``day`` first, then other staff; the
    mentor account's person mentors the first post."""
    holders: dict[int, list[int]] = {}
    for post_id, person_id in (
        PostHistory.objects.filter(post__in=posts).current(day).values_list("post_id", "person_id")
    ):
        holders.setdefault(post_id, []).append(person_id)
    staff = list(
        Person.objects.for_school(school)
        .current()
        .filter(post_status=PostStatus.ON_DUTY)
        .exclude(pk__in=avoid)
        .values_list("pk", flat=True)
    )
    for i, post in enumerate(posts):
        chosen = [pk for pk in holders.get(post.pk, []) if pk not in avoid][:2]
        if i == 0:
            chosen = [linked.pk, *chosen][:2]
        while len(chosen) < 2:
            pick = rng.choice(staff)
            if pick not in chosen:
                chosen.append(pick)
        post.default_mentors.set(chosen)


def _fill(rng: random.Random, admin: User, round_: Round, cadres: Sequence[Person]) -> int:
    """Each cadre's 意向表: three to five posts they do not hold when the round starts."""
    offers = list(
        RoundPost.objects.filter(round=round_).select_related("post").prefetch_related("mentors")
    )
    held: dict[int, set[int]] = {}
    for person_id, post_id in (
        PostHistory.objects.filter(person__in=cadres)
        .current(round_.start_date)
        .values_list("person_id", "post_id")
    ):
        held.setdefault(person_id, set()).add(post_id)
    filled = 0
    for person in cadres:
        open_to = [o for o in offers if o.post_id not in held.get(person.pk, set())]
        if not open_to:
            continue
        picked = rng.sample(open_to, min(len(open_to), rng.randint(3, 5)))
        drafts = []
        for rank, offer in enumerate(picked, start=1):
            mentors = [m for m in offer.mentors.all() if m.pk != person.pk]
            mentor = rng.choice(mentors) if rank == 1 and mentors and rng.random() < 0.3 else None
            length = "year" if rng.random() < 0.2 and round_.start_term.number == 1 else "term"
            drafts.append(ChoiceDraft(offer.post, rank, length, mentor, ""))
        submit_intention(
            actor=admin, round_=round_, person=person, choices=drafts,
            remarks="服从学校安排" if rng.random() < 0.3 else "",
        )  # fmt: skip
        filled += 1
    return filled


def _answer(rng: random.Random, admin: User, round_: Round) -> None:
    """The post side of every other post: those who listed it in tiers of two, one
    declined, the rest accepted or not."""
    offers = list(RoundPost.objects.filter(round=round_).prefetch_related("mentors"))
    for i, offer in enumerate(offers):
        if i % 2:
            continue
        listed = [choice.intention.person for choice in candidates_for(offer)]
        if not listed:
            continue
        rng.shuffle(listed)
        declined = listed[-1:] if len(listed) > 2 else []
        ranked = listed[: len(listed) - len(declined)]
        tiers = [ranked[j : j + 2] for j in range(0, len(ranked), 2)]
        set_post_preferences(
            actor=admin, offer=offer, ranking=tiers, declined=declined,
            accept_others=rng.random() < 0.5, by=offer.mentors.first(),
        )  # fmt: skip


def _set_up(admin: User, round_: Round, cadres: Sequence[Person]) -> None:
    """A waiver of the level rule and a mentor's number, as offices set them."""
    offer = RoundPost.objects.filter(round=round_).select_related("post").last()
    assert offer is not None
    grant_level_waiver(
        actor=admin, round_=round_, person=cadres[0], post=offer.post,
        reason="曾长期协助该岗位工作，酌情处理",
    )  # fmt: skip
    mentor = offer.mentors.first()
    if mentor is not None:
        set_mentor_capacity(actor=admin, round_=round_, mentor=mentor, capacity=3)


def _round(
    rng: random.Random, admin: User, school: School, term: Term, posts: Sequence[Post],
    cadres: Sequence[Person], title: str,
) -> tuple[Round, int]:  # fmt: skip
    round_ = create_round(
        actor=admin, school=school, title=title, start_term=term, posts=list(posts),
        intentions_due=term.start - dt.timedelta(days=30),
    )  # fmt: skip
    filled = _fill(rng, admin, round_, cadres)
    _answer(rng, admin, round_)
    _set_up(admin, round_, cadres)
    return round_, filled


def _matched(admin: User, round_: Round, seconds: list[float]) -> None:
    close_intentions(actor=admin, round_=round_)
    started = time.perf_counter()
    run_matching(actor=admin, round_=round_)
    seconds.append(time.perf_counter() - started)


def _measured_cadre(school: School, first: Round, cadres: Sequence[Person]) -> User:
    """An account for a cadre placed in the confirmed round (the first by staff number)."""
    placed = set(Assignment.objects.filter(round=first).values_list("person_id", flat=True))
    person = next((p for p in sorted(cadres, key=lambda p: p.staff_number) if p.pk in placed), None)
    if person is None:
        raise RuntimeError(f"{school.name}: nobody was placed in {first.title}")
    if person.user_id is not None:
        return User.objects.get(pk=person.user_id)
    user = User.objects.create_user(
        username=f"cadre-{school.code}", password=BENCH_PASSWORD, role=Role.STAFF,
        school=school, display_name=person.name,
    )  # fmt: skip
    person.user = user
    person.save(update_fields=["user"])
    return user


def build_rounds(
    rng: random.Random, school: School, office: User, mentor: User, *, cadres: int,
    posts: Sequence[str] | None,
) -> Rounds:  # fmt: skip
    """The school's three rounds (see the module's docstring)."""
    started = time.perf_counter()
    today = timezone.localdate()
    first, second, third = _terms(school, today)
    offered = list(
        Post.objects.for_school(school).active().filter(is_rotation_post=True)
        if posts is None
        else Post.objects.for_school(school).filter(code__in=posts)
    )
    linked = Person.objects.get(user=mentor)
    staff = list(
        Person.objects.for_school(school)
        .current()
        .filter(post_status=PostStatus.ON_DUTY)
        .exclude(user__isnull=False)
        .order_by("staff_number")
    )
    pool = rng.sample(staff, min(cadres, len(staff)))
    _enrol(school, pool, (first.start - dt.timedelta(days=150)).replace(day=1))
    _mentors(rng, school, offered, first.start, {p.pk for p in pool}, linked)
    seconds: list[float] = []
    confirmed, n1 = _round(rng, office, school, first, offered, pool, "本学期双向选择")
    _matched(office, confirmed, seconds)
    confirm_round(actor=office, round_=confirmed)
    proposal, n2 = _round(rng, office, school, second, offered, pool, "下学期双向选择")
    _matched(office, proposal, seconds)
    run = live_run(proposal)
    assert run is not None
    moved = Placement.objects.filter(run=run, round_post__isnull=False).order_by("position")
    if moved.exists():
        move_candidate(
            actor=office, round_=proposal, person=moved[0].person, post=None,
            reason="本人家庭原因，本学期暂不安排轮岗",
        )  # fmt: skip
    opened, n3 = _round(rng, office, school, third, offered, pool, "再下学期双向选择")
    for r in (confirmed, proposal, opened):
        r.refresh_from_db()
    assert confirmed.status == RoundStatus.CONFIRMED
    assert proposal.status in (RoundStatus.MATCHED, RoundStatus.ADJUSTED)
    assert opened.status == RoundStatus.OPEN
    return Rounds(
        school=school, office=office, confirmed=confirmed, proposal=proposal, open=opened,
        cadre=_measured_cadre(school, confirmed, pool), cadres=len(pool),
        intentions=n1 + n2 + n3,
        assignments=Assignment.objects.filter(round=confirmed).count(),
        seconds=time.perf_counter() - started, matching_seconds=seconds,
    )  # fmt: skip


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Timing:
    p50: float
    p95: float
    queries: int
    cpu_p50: float  # the process's CPU time per request: what a busy machine adds is the rest
    cpu_p95: float
    load: float  # the machine's load average (1 min) when measured


def timed(get: Callable[[], Any], *, requests: int, warmup: int, what: str) -> Timing:
    for _i in range(warmup):
        response = get()
        if response.status_code != 200:
            raise RuntimeError(f"{what} answered {response.status_code}")
    samples, cpu = [], []
    for _i in range(requests):
        started, cpu_started = time.perf_counter(), time.process_time()
        get()
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        response = get()
    if response.status_code != 200:
        raise RuntimeError(f"{what} answered {response.status_code}")
    return Timing(
        percentile(samples, 50),
        percentile(samples, 95),
        len(queries.captured_queries),
        percentile(cpu, 50),
        percentile(cpu, 95),
        os.getloadavg()[0],
    )


def page_get(user: User, address: str) -> Callable[[], Any]:
    client = Client()
    client.force_login(user)
    return lambda: client.get(address)


@dataclass
class Verdicts:
    missed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def report(
    verdicts: Verdicts, name: str, get: Callable[[], Any], *, requests: int, warmup: int,
    target: float | None = None, **extra: Any,
) -> Timing | None:  # fmt: skip
    """Measure and emit ``name``; with a target, the p95 line carries it and its verdict."""
    try:
        timing = timed(get, requests=requests, warmup=warmup, what=name)
    except Exception as error:  # a broken page is reported, the others still measured
        log(f"  {name}: FAILED: {error!r}")
        verdicts.failed.append(name)
        return None
    at = {"vendor": connection.vendor, "requests": requests, **extra}
    emit("rotation", f"{name}.p50", timing.p50, "ms", cpu_ms=round(timing.cpu_p50, 1),
         load=round(timing.load, 2), **at)  # fmt: skip
    cpu = round(timing.cpu_p95, 1)
    if target is None:
        emit("rotation", f"{name}.p95", timing.p95, "ms", cpu_ms=cpu, **at)
    else:
        met = timing.p95 <= target
        emit("rotation", f"{name}.p95", timing.p95, "ms", cpu_ms=cpu, target=target,
             verdict="met" if met else "missed", **at)  # fmt: skip
        if not met:
            verdicts.missed.append(f"{name} p95 {timing.p95:.1f} ms > {target} ms")
    emit("rotation", f"{name}.queries", timing.queries, "queries")
    return timing


def same_queries(verdicts: Verdicts, name: str, large: Timing | None, small: Timing | None) -> None:
    if large is None or small is None:
        return
    fixed = large.queries == small.queries
    emit("rotation", f"{name}.queries_fixed", int(fixed), "bool", large=large.queries,
         small=small.queries, verdict="met" if fixed else "missed")  # fmt: skip
    if not fixed:
        verdicts.missed.append(
            f"{name}: {large.queries} queries for the large school, {small.queries} for the small"
        )


def pages_of(built: Rounds) -> list[tuple[str, User, str, float]]:
    """(name, user, address, target) of every page measured in one school."""
    office, cadre = built.office, built.cadre
    return [
        ("round_open", office, reverse("rotations:round", args=[built.open.pk]), ROUND_P95_MS),
        ("round_proposal", office, reverse("rotations:round", args=[built.proposal.pk]),
         ROUND_P95_MS),
        ("round_confirmed", office, reverse("rotations:round", args=[built.confirmed.pk]),
         ROUND_P95_MS),
        ("proposal_review", office, reverse("rotations:proposal", args=[built.proposal.pk]),
         ROUND_P95_MS),
        ("proposal_confirmed", office, reverse("rotations:proposal", args=[built.confirmed.pk]),
         ROUND_P95_MS),
        ("mine", cadre, reverse("rotations:mine"), PAGE_P95_MS),
    ]  # fmt: skip


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="houbei bench rotation")
    parser.add_argument("--staff", type=int, default=150)
    parser.add_argument("--cadres", type=int, default=30)
    parser.add_argument("--small-cadres", type=int, default=5)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--targets",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="exit 1 when a target is missed on PostgreSQL (off: only report)",
    )
    args = parser.parse_args(argv)
    if args.small_cadres < 2 or args.cadres < args.small_cadres:
        parser.error("--small-cadres: at least 2, and no more than --cadres")

    log(f"rotation: 2 schools × {args.staff} staff on {connection.vendor} …")
    district = build_district(schools=2, staff=args.staff, seed=args.seed)
    emit("rotation", "district_build", district.seconds, "s", people=district.people)
    rng = random.Random(args.seed)
    built = {}
    for size, school, cadres, posts in (
        ("large", district.schools[0], args.cadres, None),
        ("small", district.schools[1], args.small_cadres, SMALL_POSTS),
    ):
        users = district.users[school.pk]
        made = build_rounds(rng, school, users[Role.PERSONNEL], users[Role.MENTOR],
                            cadres=cadres, posts=posts)  # fmt: skip
        emit("rotation", f"{size}_rounds_build", made.seconds, "s", cadres=made.cadres,
             intentions=made.intentions, assignments=made.assignments,
             offers=RoundPost.objects.filter(round=made.open).count())  # fmt: skip
        built[size] = made
    large = built["large"]
    emit("rotation", "run_matching_seconds", large.matching_seconds[-1], "s",
         cadres=large.cadres, vendor=connection.vendor,
         placements=Placement.objects.filter(run__round=large.proposal).count())  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as _district: fresh rows, no planner statistics yet

    verdicts = Verdicts()
    timing = {"requests": args.requests, "warmup": args.warmup}
    small_pages = {name: (user, address) for name, user, address, _t in pages_of(built["small"])}
    for name, user, address, target in pages_of(large):
        big = report(verdicts, name, page_get(user, address), target=target,
                     cadres=large.cadres, **timing)  # fmt: skip
        small_user, small_address = small_pages[name]
        little = report(verdicts, f"{name}_small", page_get(small_user, small_address),
                        cadres=built["small"].cadres, **timing)  # fmt: skip
        same_queries(verdicts, name, big, little)

    if verdicts.failed:
        log(f"failed: {', '.join(verdicts.failed)}")
        return 1
    if verdicts.missed:
        log("target missed: " + "; ".join(verdicts.missed))
        if connection.vendor != "postgresql":
            log("(the targets are for PostgreSQL; reported only)")
        elif args.targets:
            return 1
    return 0
