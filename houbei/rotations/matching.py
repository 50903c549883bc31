"""The two-way selection (双向选择, SPEC module 6, the plan's 六.2 and 附2) as a pure function:
reserve cadres rank rotation posts, the posts (their mentors and holders) rank the cadres, and
a candidate-proposing deferred acceptance assigns them under the posts' capacities and the
mentors' capacities, with a reason for every result. Plain data in, plain data out: no
Django, no database, no clock. ``explain.py`` turns the reasons into Chinese sentences.

Input
-----
* ``Candidate``: the ranked posts of the 意向表 (best first; a tuple inside the list is a
  group ranked equal), a preferred mentor per post (optional), the posts held now and the
  posts held before, and the ladder levels the candidate is eligible for (the caller works
  them out with the cycle's "one year at the level below" rule) plus per-person waivers.
* ``Post``: capacity this term, ladder level, exemption from the level rule (个别岗位酌情处理),
  its mentors, and its ranking of candidates (tiers, best first) — or accept/decline sets:
  ``accept_others`` makes everyone not ranked and not declined acceptable, below the ranked.
* ``Mentor``: capacity this term, across all posts (the caller subtracts ongoing mentees).

Who may go where (never overridden by preferences)
--------------------------------------------------
A candidate is *acceptable* at a post when the post is offered this round, it is not a post
the candidate holds now, the candidate is eligible for its level (the level is in
``eligible_levels``, or the post is ``level_exempt``, or the post is in the candidate's
``cleared`` waivers), and the post ranks the candidate (or accepts others and did not
decline them). A placement is only ever made on an acceptable pair the candidate listed.

Ties, and how they are broken (一岗多能 first)
----------------------------------------------
Ties can occur in exactly two places, and both are broken the same way:

1. In a candidate's list, between posts in one equal-rank group: a post the candidate has
   not held before comes first; then the school's post order (the order of ``posts``).
2. In a post's ranking, between candidates in one tier (an accept set is one tier, and so are
   the "others" of ``accept_others``): a candidate who has not held this post before comes
   first; then the order of ``candidates`` (the caller passes them in the school's priority
   order, e.g. honoured cadres first, then by staff number).

After tie-breaking both sides have strict orders. A candidate's *priority at a post* is the
triple (tier in the post's ranking, held the post before, position in ``candidates``),
smaller first; it orders the post's candidates exactly as rule 2 says.

Mentor capacities
-----------------
Each post has a set of mentors (empty: the post needs none); a placement at the post takes
one unit of one of them, and a mentor with capacity k takes at most k mentees over all posts.
Which mentor a person gets does not decide whether they get the post: the posts are decided
first with the mentors assignable (any mentor of the post), then mentors are assigned, the
preferred mentors honoured in priority order wherever the capacities allow.

When mentors are the bottleneck, seats go by priority across posts: a set of placements is
*feasible* when each post is within capacity and the placements can be given mentors within
the mentors' capacities; among proposals, the school keeps the feasible set chosen greedily
by priority (the triple above; across posts a lower tier number wins, then not-held-before,
then candidate order). Feasible sets of this kind form a matroid (a gammoid: placements flow
post → mentor), so the greedy choice is substitutable and deferred acceptance with it is
stable and candidate-optimal (Hatfield & Milgrom 2005; Fleiner 2001).

Stability guaranteed
--------------------
For the tie-broken orders above, the result M is feasible, every placement is acceptable, and
there is no *blocking pair* (c, p) with c acceptable at p, c listing p before M(c) (or being
unplaced), and one of

* FREE_SEAT: p has a free seat and M plus c at p (c still counted at M(c)) is feasible;
* OUTRANKS: p is full and ranks c above one of its placements;
* MENTOR: p has a free seat but its mentors are full, and some placement whose removal would
  let c in (the placements at the posts reachable from p by re-assigning mentors, c's own
  included) has lower priority than c at p.

Equivalently: the school's greedy choice from M ∪ {c at p} never takes c at p. With mentors
unlimited this is the classical stability of the hospitals/residents problem; ties broken
this way give a *weakly* stable result for the stated (weak) preferences — no pair where both
sides strictly prefer each other. Among all matchings stable in this sense the result is the
best for every candidate at once.

Reasons
-------
Every candidate gets an ``Outcome``: the post and mentor (or none), which choice it was, and
for every post listed before it (all listed posts when unplaced), one ``Miss`` with the first
reason that applies, in this order: NOT_OFFERED, HELD_NOW, NOT_ELIGIBLE, DECLINED, NOT_RANKED,
NO_CAPACITY, POST_FULL (naming who holds the seats, all ahead of the candidate), MENTOR_FULL
(naming the full mentors and their mentees). The reasons are worked out from the final
state when first read, so ``match`` does not wait for them. ``check`` judges any assignment,
e.g. one an administrator edited, and lists its rule violations and blocking pairs.

Cost: O(L + R·B) for L list entries, R proposals and B the mentor search (a breadth-first
search over posts and mentors), which runs only when a post's own mentors are all full; a
post then bars every key behind the placements holding its mentors, and a bar only ever
comes down (substitutability), so most proposals are turned down by one comparison.
Rankings are kept as machine-integer arrays by candidate index: 5,000 candidates × 500 posts
with full lists both ways match in under a second (``houbei bench matching``).
"""

from __future__ import annotations

import enum
import functools
import gc
import heapq
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import cast

import numpy as np

Choice = int | tuple[int, ...]
"""One post (or candidate) id, or a group of ids ranked equal (their order inside does not
matter)."""


# --- Input ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Candidate:
    """A reserve cadre's 意向表 and the facts the matching needs about them.

    ``choices`` — post ids, best first; a tuple is a group ranked equal.
    ``eligible_levels`` — ladder levels the candidate may rotate at.
    ``holds`` — posts held now (never assigned again); ``held`` — posts held before.
    ``cleared`` — posts whose level requirement is waived for this person (a kept ruling).
    ``mentors`` — post id → preferred mentor id (optional per post)."""

    id: int
    choices: tuple[Choice, ...] = ()
    eligible_levels: frozenset[int] = frozenset()
    holds: frozenset[int] = frozenset()
    held: frozenset[int] = frozenset()
    cleared: frozenset[int] = frozenset()
    mentors: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Post:
    """A rotation post offered this round.

    ``ranking`` — candidate ids in tiers, best first (a tuple is a tier of equals).
    ``accept_others`` — candidates neither ranked nor declined are acceptable, as one tier
    after the ranked ones. ``declined`` — candidates the post refuses (not also ranked).
    ``mentors`` — mentor ids (empty: the post needs no mentor)."""

    id: int
    level: int
    capacity: int = 1
    ranking: tuple[Choice, ...] = ()
    accept_others: bool = False
    declined: frozenset[int] = frozenset()
    level_exempt: bool = False
    mentors: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Mentor:
    """A mentor (带教领导、师傅) and how many mentees they can take this term."""

    id: int
    capacity: int = 1


class InstanceError(ValueError):
    """The input contradicts itself (a duplicate id, a post ranking and declining the same
    candidate, an unknown mentor, a negative capacity); ``field`` names where."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(f"{field}: {message}")
        self.message = message
        self.field = field


# --- Output -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Placement:
    candidate: int
    post: int
    mentor: int | None = None


class Reason(enum.StrEnum):
    """Why a candidate did not get a post they listed before the one they got."""

    NOT_OFFERED = "not_offered"  # the post is not offered this round
    HELD_NOW = "held_now"  # it is the post the candidate holds now
    NOT_ELIGIBLE = "not_eligible"  # not eligible for the post's ladder level
    DECLINED = "declined"  # the post declined the candidate
    NOT_RANKED = "not_ranked"  # the post did not rank the candidate
    NO_CAPACITY = "no_capacity"  # the post has no seat this round
    POST_FULL = "post_full"  # every seat went to someone the post ranks higher
    MENTOR_FULL = "mentor_full"  # a seat was free but the mentors were full


@dataclass(frozen=True, slots=True)
class MentorLoad:
    """A full mentor and the mentees they took, all ahead of the candidate."""

    mentor: int
    capacity: int
    mentees: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Miss:
    """One post the candidate listed before their result, and why they did not get it.

    ``tied`` — the candidate ranked it equal to the post they got (the tie put it first).
    ``ahead`` — POST_FULL: the post's placements; MENTOR_FULL: the placements that hold the
    mentors (all with higher priority than the candidate), best first.
    ``won_as_new`` / ``won_by_order`` — those of ``ahead`` who were ranked equal to the
    candidate and came first because the post was new to them and not to the candidate
    (一岗多能), or by the candidate order.
    ``mentors`` — MENTOR_FULL: the full mentors with their mentees.
    ``level`` — NOT_ELIGIBLE: the post's ladder level."""

    post: int
    reason: Reason
    tied: bool = False
    ahead: tuple[int, ...] = ()
    won_as_new: tuple[int, ...] = ()
    won_by_order: tuple[int, ...] = ()
    mentors: tuple[MentorLoad, ...] = ()
    level: int | None = None


class MentorReason(enum.StrEnum):
    NOT_A_MENTOR = "not_a_mentor"  # the preferred mentor does not mentor that post
    FULL = "full"  # the preferred mentor's capacity went to others


@dataclass(frozen=True, slots=True)
class MentorMiss:
    """The preferred mentor was not given; ``mentees`` are the mentor's mentees (FULL)."""

    mentor: int
    reason: MentorReason
    capacity: int = 0
    mentees: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Outcome:
    """One candidate's result. ``choice`` is the rank (1 = first group) of the post in the
    candidate's list; ``misses`` covers every post listed before it, in the order they were
    considered (all listed posts when unplaced). Equality compares the result, not the
    reasons (which follow from the same round)."""

    candidate: int
    post: int | None
    mentor: int | None
    choice: int | None
    mentor_miss: MentorMiss | None = None
    _reasons: _Reasons | None = field(default=None, repr=False, compare=False, kw_only=True)
    _index: int = field(default=-1, repr=False, compare=False, kw_only=True)

    @property
    def misses(self) -> tuple[Miss, ...]:
        """Why not each post listed before the result (worked out when first read)."""
        return self._reasons.misses(self._index) if self._reasons is not None else ()

    @property
    def first_choice(self) -> bool:
        """Got a post of their first choice (第一志愿)."""
        return self.choice == 1

    @property
    def placed(self) -> bool:
        return self.post is not None


@dataclass(frozen=True)
class Matching:
    """The proposed assignment: ``outcomes`` in the order of the candidates given."""

    outcomes: tuple[Outcome, ...]
    proposals: int = 0

    @property
    def placements(self) -> tuple[Placement, ...]:
        return tuple(
            Placement(o.candidate, o.post, o.mentor) for o in self.outcomes if o.post is not None
        )

    @property
    def assignment(self) -> dict[int, int]:
        """Candidate id → post id, for the placed."""
        return {o.candidate: o.post for o in self.outcomes if o.post is not None}

    @property
    def unplaced(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.post is None)

    def outcome(self, candidate: int) -> Outcome:
        """The candidate's outcome (KeyError for an id not among the candidates)."""
        return self._by_candidate[candidate]

    @functools.cached_property
    def _by_candidate(self) -> dict[int, Outcome]:
        return {o.candidate: o for o in self.outcomes}


class Rule(enum.StrEnum):
    """A rule an assignment breaks (``check``)."""

    UNKNOWN_CANDIDATE = "unknown_candidate"
    UNKNOWN_POST = "unknown_post"
    PLACED_TWICE = "placed_twice"
    HELD_NOW = "held_now"
    NOT_ELIGIBLE = "not_eligible"
    NOT_CHOSEN = "not_chosen"  # the candidate did not list the post
    DECLINED = "declined"
    NOT_RANKED = "not_ranked"
    POST_OVER_CAPACITY = "post_over_capacity"
    MENTOR_MISSING = "mentor_missing"
    NOT_A_MENTOR = "not_a_mentor"  # the mentor given does not mentor that post
    MENTOR_OVER_CAPACITY = "mentor_over_capacity"


@dataclass(frozen=True, slots=True)
class Violation:
    """``count``/``capacity``: for the capacity rules; ``free_mentors``: MENTOR_MISSING, the
    post's mentors with room; ``level``: NOT_ELIGIBLE, the post's level."""

    rule: Rule
    candidate: int | None = None
    post: int | None = None
    mentor: int | None = None
    count: int = 0
    capacity: int = 0
    level: int | None = None
    free_mentors: tuple[int, ...] = ()


class BlockKind(enum.StrEnum):
    FREE_SEAT = "free_seat"  # the post has a free seat and a mentor for the candidate
    OUTRANKS = "outranks"  # the post is full with someone it ranks below the candidate
    MENTOR = "mentor"  # a mentor could be freed from someone with lower priority


@dataclass(frozen=True, slots=True)
class BlockingPair:
    """The candidate prefers ``post`` to ``current`` (None: unplaced) and the post would take
    them. ``displaced``: who would lose a seat or a mentor (lower priority), worst last;
    ``by_tie``: the pair blocks only through a tie-break (the candidate ranked both posts
    equal, or the post ranked the candidate equal to everyone displaced)."""

    candidate: int
    post: int
    current: int | None
    kind: BlockKind
    displaced: tuple[int, ...] = ()
    by_tie: bool = False


@dataclass(frozen=True)
class Review:
    """What ``check`` found: rule violations and blocking pairs."""

    violations: tuple[Violation, ...]
    blocking: tuple[BlockingPair, ...]

    @property
    def ok(self) -> bool:
        return not self.violations and not self.blocking


# --- The compiled instance --------------------------------------------------------------


_NONE = -1


def _is_flat(items: Sequence[Choice]) -> bool:
    """No group among the ids. ``sum`` is the cheapest whole-list test there is (a C loop
    that raises on a tuple); it matters with 500-post lists from 5,000 candidates."""
    try:
        sum(items)  # type: ignore[arg-type]
    except TypeError:
        return False
    return True


class _Instance:
    """Ids to indices, rankings to lookups, candidates' lists to their tie-broken orders."""

    def __init__(
        self, candidates: Sequence[Candidate], posts: Sequence[Post], mentors: Sequence[Mentor]
    ) -> None:
        self.candidates = candidates = tuple(candidates)
        self.posts = posts = tuple(posts)
        self.n = len(candidates)
        self.cidx = {c.id: i for i, c in enumerate(candidates)}
        self.pidx = {p.id: i for i, p in enumerate(posts)}
        self.midx = {m.id: i for i, m in enumerate(mentors)}
        _unique(self.cidx, candidates, "candidates")
        _unique(self.pidx, posts, "posts")
        _unique(self.midx, tuple(mentors), "mentors")
        self.mentor_ids = [m.id for m in mentors]
        self.mcap = [m.capacity for m in mentors]
        for m in mentors:
            if m.capacity < 0:
                raise InstanceError("capacity is negative", f"mentor {m.id}")
        self.pid = [p.id for p in posts]
        self.cid = [c.id for c in candidates]
        self.cap = [p.capacity for p in posts]
        self.level = [p.level for p in posts]
        self.exempt = [p.level_exempt for p in posts]
        self.others = [p.accept_others for p in posts]
        self.declined = [p.declined for p in posts]
        lookup = _lookup(self.cid)
        # ``rank[p][c]``: candidate c's tier in post p's ranking, -1 when not ranked; kept as
        # machine integers by candidate index, so 500 rankings of 5,000 stay small and near.
        self.rank: list[array[int]] = []
        self.ntiers: list[int] = []
        self.pmentors: list[tuple[int, ...]] = []
        for p in posts:
            where = f"post {p.id}"
            if p.capacity < 0:
                raise InstanceError("capacity is negative", where)
            rank, tiers = _tiers(p.ranking, self.cidx, lookup, where)
            self.rank.append(rank)
            self.ntiers.append(tiers)
            if p.declined and not p.declined.isdisjoint(_members(p.ranking)):
                both = sorted(p.declined.intersection(_members(p.ranking)))
                raise InstanceError(f"candidates {both} are both ranked and declined", where)
            try:
                ms = tuple(self.midx[m] for m in p.mentors)
            except KeyError as error:
                raise InstanceError(f"mentor {error.args[0]} is not listed", where) from None
            if len(set(ms)) != len(ms):
                raise InstanceError("a mentor is listed twice", where)
            self.pmentors.append(ms)
        # Each candidate's list of post ids in the tie-broken order; ``ctier`` None means no
        # ties (tier = position).
        self.order_ids: list[Sequence[int]] = []
        self.ctier: list[dict[int, int] | None] = []
        pidx = self.pidx
        unknown = len(posts)
        for c in candidates:
            where = f"candidate {c.id}"
            if _is_flat(c.choices):
                ids: Sequence[int] = cast("Sequence[int]", c.choices)
                if len(set(ids)) != len(ids):
                    raise InstanceError("a post is listed twice", where)
                self.ctier.append(None)
            else:
                tier_of: dict[int, int] = {}
                flat: list[int] = []
                held = c.held

                def tie_break(post: int, held: frozenset[int] = held) -> tuple[bool, int, int]:
                    return (post in held, pidx.get(post, unknown), post)

                for tier, group in enumerate(c.choices):
                    if isinstance(group, int):
                        tier_of[group] = tier
                        flat.append(group)
                        continue
                    tier_of.update(dict.fromkeys(group, tier))
                    flat.extend(sorted(group, key=tie_break))
                if len(tier_of) != len(flat):
                    raise InstanceError("a post is listed twice", where)
                ids = flat
                self.ctier.append(tier_of)
            self.order_ids.append(ids)

    def barrier(self, ci: int, pi: int) -> Reason | None:
        """Why candidate ``ci`` can never be placed at post ``pi`` (None: acceptable)."""
        c = self.candidates[ci]
        pid = self.pid[pi]
        if pid in c.holds:
            return Reason.HELD_NOW
        if not (self.exempt[pi] or self.level[pi] in c.eligible_levels or pid in c.cleared):
            return Reason.NOT_ELIGIBLE
        if self.tier(ci, pi) is None:
            return Reason.DECLINED if c.id in self.declined[pi] else Reason.NOT_RANKED
        if self.cap[pi] == 0:
            return Reason.NO_CAPACITY
        return None

    def tier(self, ci: int, pi: int) -> int | None:
        """The candidate's tier in the post's ranking (None: not acceptable to the post)."""
        tier = self.rank[pi][ci]
        if tier >= 0:
            return tier
        if self.others[pi] and self.cid[ci] not in self.declined[pi]:
            return self.ntiers[pi]
        return None

    def key(self, ci: int, pi: int) -> int:
        """The candidate's priority at the post, one integer, smaller first:
        (tier · 2 + held before) · n + candidate index. Not acceptable: below every tier."""
        tier = self.tier(ci, pi)
        if tier is None:
            tier = self.ntiers[pi] + 1
        held = self.pid[pi] in self.candidates[ci].held
        return (tier * 2 + held) * self.n + ci

    def choice_tier(self, ci: int, position: int) -> int:
        """The rank group (0 = first) of the post at ``position`` in the candidate's order."""
        tiers = self.ctier[ci]
        if tiers is None:
            return position
        return tiers[self.order_ids[ci][position]]


def _unique(
    index: Mapping[int, int], items: Sequence[Candidate | Post | Mentor], what: str
) -> None:
    if len(index) != len(items):
        seen: set[int] = set()
        for item in items:
            if item.id in seen:
                raise InstanceError(f"id {item.id} appears twice", what)
            seen.add(item.id)


def _members(ranking: Sequence[Choice]) -> Iterable[int]:
    for group in ranking:
        if isinstance(group, int):
            yield group
        else:
            yield from group


def _lookup(ids: Sequence[int]) -> np.ndarray | None:
    """Candidate index by id as an array, when the ids are small enough for one (person ids
    are); None otherwise."""
    if not ids or min(ids) < 0 or max(ids) > 4_000_000:
        return None
    table = np.full(max(ids) + 1, -1, dtype=np.int64)
    table[np.array(ids, dtype=np.int64)] = np.arange(len(ids), dtype=np.int64)
    return table


def _tiers(
    ranking: Sequence[Choice], cidx: Mapping[int, int], lookup: np.ndarray | None, where: str
) -> tuple[array[int], int]:
    """Tier by candidate index (-1: not ranked) and the number of tiers. Ids that are not
    candidates of the round are passed over."""
    values: np.ndarray | None = None
    try:
        try:
            ids = np.fromiter(ranking, dtype=np.int64, count=len(ranking))
        except (TypeError, ValueError):  # a group of equals among the ids
            flat: list[int] = []
            tier_of: list[int] = []
            for tier, group in enumerate(ranking):
                members = (group,) if isinstance(group, int) else tuple(group)
                flat.extend(members)
                tier_of.extend([tier] * len(members))
            ids = np.fromiter(flat, dtype=np.int64, count=len(flat))
            values = np.array(tier_of, dtype=np.int32)
    except OverflowError:
        raise InstanceError("candidate ids must fit in 64 bits", where) from None
    ordered = np.sort(ids)
    if ordered.size > 1 and bool((ordered[1:] == ordered[:-1]).any()):
        raise InstanceError("a candidate is ranked twice", where)
    index: np.ndarray
    if lookup is not None:
        inside = (ids >= 0) & (ids < len(lookup))
        index = np.where(inside, lookup[np.where(inside, ids, 0)], -1)
    else:
        index = np.fromiter(map(cidx.get, ids.tolist(), repeat(-1)), dtype=np.int64, count=len(ids))
    known = index >= 0
    rank = np.full(len(cidx), -1, dtype=np.int32)
    if values is None:
        values = np.arange(len(ids), dtype=np.int32)
    rank[index[known]] = values[known]
    return array("i", rank.tobytes()), len(ranking)


# --- Mentor flow ------------------------------------------------------------------------


class _Flow:
    """Placements as units of flow post → mentor → sink: ``units[p][m]`` of post p's
    placements use mentor m, ``at[m][p]`` the same seen from the mentor. Who exactly is
    mentored by whom is settled at the end; during the matching only the counts matter."""

    __slots__ = ("at", "cap", "load", "pm", "units")

    def __init__(self, pmentors: list[tuple[int, ...]], mcap: list[int]) -> None:
        self.pm = pmentors
        self.cap = mcap
        self.load = [0] * len(mcap)
        self.units: list[dict[int, int]] = [{} for _ in pmentors]
        self.at: list[dict[int, int]] = [{} for _ in mcap]

    def _inc(self, p: int, m: int) -> None:
        units = self.units[p]
        units[m] = units.get(m, 0) + 1
        at = self.at[m]
        at[p] = at.get(p, 0) + 1

    def _dec(self, p: int, m: int) -> None:
        units = self.units[p]
        if units[m] == 1:
            del units[m], self.at[m][p]
        else:
            units[m] -= 1
            self.at[m][p] -= 1

    def force(self, p: int, m: int) -> None:
        """A unit on a given mentor, capacity or not (``check`` of a hand-made assignment)."""
        self._inc(p, m)
        self.load[m] += 1

    def add(self, p: int) -> tuple[set[int], list[int]] | None:
        """Route one more unit of post ``p``, re-assigning others' mentors along an
        alternating path if need be. None when done; otherwise nothing changes and the
        posts and (all full) mentors reachable from ``p`` are returned."""
        load, cap = self.load, self.cap
        for m in self.pm[p]:
            if load[m] < cap[m]:
                self._inc(p, m)
                load[m] += 1
                return None
        return self._search(p, apply=True)

    def probe(self, p: int) -> tuple[set[int], list[int]] | None:
        """Like ``add`` but changes nothing: None when one more unit of ``p`` fits."""
        return self._search(p, apply=False)

    def _search(self, p: int, *, apply: bool) -> tuple[set[int], list[int]] | None:
        load, cap, at, pm = self.load, self.cap, self.at, self.pm
        parent: dict[int, tuple[int, int]] = {}
        queue: list[int] = []
        for m in pm[p]:
            parent[m] = (p, _NONE)
            queue.append(m)
        posts = {p}
        i = 0
        while i < len(queue):
            a = queue[i]
            i += 1
            if load[a] < cap[a]:
                if apply:
                    load[a] += 1
                    b = a
                    while True:
                        q, source = parent[b]
                        self._inc(q, b)
                        if source == _NONE:
                            break
                        self._dec(q, source)
                        b = source
                return None
            for q in at[a]:
                if q not in posts:
                    posts.add(q)
                    for b in pm[q]:
                        if b not in parent:
                            parent[b] = (q, a)
                            queue.append(b)
        return posts, queue

    def remove(self, p: int) -> None:
        """Take one unit of post ``p`` off whichever mentor carries one."""
        m = next(iter(self.units[p]))
        self._dec(p, m)
        self.load[m] -= 1

    def prefer(self, p: int, m: int, locked: list[dict[int, int]]) -> bool:
        """Move one of post ``p``'s unlocked units onto mentor ``m`` and lock it there,
        re-assigning unlocked units along an alternating path when ``m`` is full. False when
        no re-assignment within capacities gives ``m`` another unit of ``p``."""
        units, load, cap, at, pm = self.units, self.load, self.cap, self.at, self.pm

        def unlocked(q: int, a: int) -> int:
            return units[q].get(a, 0) - locked[q].get(a, 0)

        if unlocked(p, m) > 0:
            locked[p][m] = locked[p].get(m, 0) + 1
            return True
        sources = {a for a in pm[p] if unlocked(p, a) > 0}
        end = _NONE
        if load[m] >= cap[m]:
            # Push one unlocked unit out of m along a path ending at a mentor with room, or at
            # a mentor that p's own unit is about to leave.
            parent: dict[int, tuple[int, int]] = {m: (_NONE, _NONE)}
            queue = [m]
            i = 0
            while i < len(queue) and end == _NONE:
                x = queue[i]
                i += 1
                for q in at[x]:
                    if unlocked(q, x) <= 0:
                        continue
                    for y in pm[q]:
                        if y not in parent:
                            parent[y] = (q, x)
                            if load[y] < cap[y] or y in sources:
                                end = y
                                break
                            queue.append(y)
                    if end != _NONE:
                        break
            if end == _NONE:
                return False
            y = end
            while y != m:
                q, x = parent[y]
                self._inc(q, y)
                self._dec(q, x)
                y = x
            had_room = load[end] < cap[end]
            load[end] += 1
            load[m] -= 1
            if had_room:
                end = _NONE  # the chain ended on room: p's unit may come from any mentor
        # Where the chain ended on a mentor p's unit leaves, that unit must be the one moved.
        source = end if end != _NONE else next(a for a in pm[p] if unlocked(p, a) > 0)
        self._dec(p, source)
        self._inc(p, m)
        load[source] -= 1
        load[m] += 1
        locked[p][m] = locked[p].get(m, 0) + 1
        return True


# --- The matching -----------------------------------------------------------------------


def match(
    candidates: Sequence[Candidate], posts: Sequence[Post], mentors: Sequence[Mentor] = ()
) -> Matching:
    """The candidate-optimal stable assignment (see the module's docstring for the rules,
    the tie-breaks and the stability guaranteed), with every candidate's outcome.

    Raises ``InstanceError`` when the input contradicts itself."""
    was = gc.isenabled()
    gc.disable()  # millions of list entries, no cycles: collecting would only cost time
    try:
        return _match(candidates, posts, mentors)
    finally:
        if was:
            gc.enable()


def _match(
    candidates: Sequence[Candidate], posts: Sequence[Post], mentors: Sequence[Mentor]
) -> Matching:
    inst = _Instance(candidates, posts, mentors)
    n = inst.n
    cand = inst.candidates
    pid, cap, level, exempt = inst.pid, inst.cap, inst.level, inst.exempt
    others, declined, rank, ntiers, pm = (
        inst.others,
        inst.declined,
        inst.rank,
        inst.ntiers,
        inst.pmentors,
    )
    order, pidx = inst.order_ids, inst.pidx
    flow = _Flow(pm, inst.mcap)
    heaps: list[list[tuple[int, int]]] = [[] for _ in pid]  # (-priority key, candidate)
    got = [_NONE] * n
    keyof = [0] * n
    ptr = [0] * n
    free = list(range(n))  # the order does not change the result (last popped first)
    # ``bar[p]``: post p turns down every proposal with a key above it — a full post's last
    # placement, or for a post with a free seat the last of the placements holding its
    # mentors once someone has been turned down for want of a mentor (no seat: -1; else
    # above every key). A bar only ever comes down: placements at one post are
    # interchangeable in the matroid, and the placements ahead of a key only grow, so a key
    # turned down once is turned down for good (substitutability) — and so is any worse one.
    bar = [2 * n * (max(ntiers, default=0) + 2) if c > 0 else _NONE for c in cap]

    proposals = 0
    heappush, heappop, heapreplace = heapq.heappush, heapq.heappop, heapq.heapreplace
    while free:
        ci = free.pop()
        c = cand[ci]
        cid, holds, held, levels, cleared = c.id, c.holds, c.held, c.eligible_levels, c.cleared
        mine = order[ci]
        for i in range(ptr[ci], len(mine)):
            post_id = mine[i]
            pi = pidx.get(post_id)
            if pi is None:
                continue
            if post_id in holds or not (exempt[pi] or level[pi] in levels or post_id in cleared):
                continue
            tier = rank[pi][ci]
            if tier < 0:
                if not others[pi] or cid in declined[pi]:
                    continue
                tier = ntiers[pi]
            proposals += 1
            k = (tier * 2 + (post_id in held)) * n + ci
            if k > bar[pi]:
                continue
            heap = heaps[pi]
            if len(heap) < cap[pi]:
                if pm[pi]:
                    stuck = flow.add(pi)
                    if stuck is not None:
                        # The seat is free but the mentors are not: the lowest priority
                        # among the placements holding the reachable mentors loses.
                        worst_key = worst_post = _NONE
                        for q in stuck[0]:
                            hq = heaps[q]
                            if hq and -hq[0][0] > worst_key:
                                worst_key, worst_post = -hq[0][0], q
                        if worst_key < k:
                            bar[pi] = worst_key
                            continue
                        # The evicted key is now out of reach at its post, like a full post's.
                        _, wi = heappop(heaps[worst_post])
                        got[wi] = _NONE
                        free.append(wi)
                        bar[worst_post] = min(bar[worst_post], worst_key)
                        flow.remove(worst_post)
                        flow.add(pi)
                heappush(heap, (-k, ci))
                if len(heap) == cap[pi]:
                    bar[pi] = min(bar[pi], -heap[0][0])
            else:
                _, wi = heapreplace(heap, (-k, ci))
                bar[pi] = min(bar[pi], -heap[0][0])
                got[wi] = _NONE
                free.append(wi)
            got[ci] = pi
            keyof[ci] = k
            ptr[ci] = i + 1
            break
        else:
            ptr[ci] = len(mine)
    mentor_of, mentor_misses = _assign_mentors(inst, flow, heaps, got, keyof)
    outcomes = _outcomes(inst, flow, heaps, got, ptr, mentor_of, mentor_misses)
    return Matching(outcomes=outcomes, proposals=proposals)


def _assign_mentors(
    inst: _Instance,
    flow: _Flow,
    heaps: list[list[tuple[int, int]]],
    got: list[int],
    keyof: list[int],
) -> tuple[list[int], dict[int, MentorMiss]]:
    """Give every placement a mentor: preferred mentors first, in priority order, as far as
    re-assigning the others within capacities allows; the rest in the post's mentor order."""
    pm, midx = inst.pmentors, inst.midx
    locked: list[dict[int, int]] = [{} for _ in pm]
    granted: set[int] = set()
    misses: dict[int, MentorMiss] = {}
    wanting = []
    for ci, pi in enumerate(got):
        if pi != _NONE:
            wanted = inst.candidates[ci].mentors.get(inst.pid[pi])
            if wanted is not None:
                wanting.append((keyof[ci], ci, wanted))
    wanting.sort()
    full: list[tuple[int, int]] = []
    for _k, ci, wanted in wanting:
        pi = got[ci]
        mi = midx.get(wanted, _NONE)
        if mi not in pm[pi]:
            misses[ci] = MentorMiss(wanted, MentorReason.NOT_A_MENTOR)
        elif flow.prefer(pi, mi, locked):
            granted.add(ci)
        else:
            full.append((ci, mi))
    mentor_of = [_NONE] * len(got)
    for pi, heap in enumerate(heaps):
        if not pm[pi] or not heap:
            continue
        pool = {m: u - locked[pi].get(m, 0) for m, u in flow.units[pi].items()}
        rest = []
        for _neg, ci in sorted(heap, reverse=True):
            if ci in granted:
                mentor_of[ci] = midx[inst.candidates[ci].mentors[inst.pid[pi]]]
            else:
                rest.append(ci)
        spare = iter([m for m in pm[pi] for _ in range(pool.get(m, 0))])
        for ci in rest:
            mentor_of[ci] = next(spare)
    if full:
        mentees: dict[int, list[tuple[int, int]]] = {}
        for ci, mi in enumerate(mentor_of):
            if mi != _NONE:
                mentees.setdefault(mi, []).append((keyof[ci], ci))
        for ci, mi in full:
            taken = tuple(inst.cid[x] for _k, x in sorted(mentees.get(mi, [])))
            misses[ci] = MentorMiss(inst.mentor_ids[mi], MentorReason.FULL, inst.mcap[mi], taken)
    return mentor_of, misses


def _outcomes(
    inst: _Instance,
    flow: _Flow,
    heaps: list[list[tuple[int, int]]],
    got: list[int],
    ptr: list[int],
    mentor_of: list[int],
    mentor_misses: dict[int, MentorMiss],
) -> tuple[Outcome, ...]:
    cid, pid, mentor_ids = inst.cid, inst.pid, inst.mentor_ids
    reasons = _Reasons(inst, flow, heaps, got, ptr, mentor_of)
    outcomes = []
    for ci in range(inst.n):
        pi, mi = got[ci], mentor_of[ci]
        outcomes.append(
            Outcome(
                cid[ci],
                pid[pi] if pi != _NONE else None,
                mentor_ids[mi] if mi != _NONE else None,
                inst.choice_tier(ci, ptr[ci] - 1) + 1 if pi != _NONE else None,
                mentor_misses.get(ci),
                _reasons=reasons,
                _index=ci,
            )
        )
    return tuple(outcomes)


@dataclass(frozen=True, slots=True)
class _Ahead:
    """Who stands between a candidate and a post: ``ids`` best first, ``by_tier`` their
    priority keys by tier (for telling who won a tie), and the full mentors."""

    ids: tuple[int, ...]
    by_tier: dict[int, list[tuple[int, int]]]
    loads: tuple[MentorLoad, ...] = ()


class _Reasons:
    """Every candidate's misses, worked out from the final state the first time they are
    read: a school reads a handful, a whole list takes a moment, and ``match`` need not wait
    for 5,000 candidates' hundreds of reasons. Nothing here changes after ``match``."""

    def __init__(
        self,
        inst: _Instance,
        flow: _Flow,
        heaps: list[list[tuple[int, int]]],
        got: list[int],
        ptr: list[int],
        mentor_of: list[int],
    ) -> None:
        self.inst, self.flow, self.heaps, self.got, self.ptr = inst, flow, heaps, got, ptr
        self.mentor_of = mentor_of
        self.cache: dict[int, tuple[Miss, ...]] = {}
        self.full: dict[int, _Ahead] = {}  # a full post: its placements
        self.blocked: dict[int, _Ahead] = {}  # a post with a seat: who holds its mentors
        # A miss that names nobody particular to the candidate is the same object for all.
        self.shared: dict[tuple[int, Reason, bool], Miss] = {}

    def _ahead(self, keyed: list[tuple[int, int]], loads: tuple[MentorLoad, ...] = ()) -> _Ahead:
        keyed.sort()
        two_n = 2 * self.inst.n
        by_tier: dict[int, list[tuple[int, int]]] = {}
        for key, rid in keyed:
            by_tier.setdefault(key // two_n, []).append((key, rid))
        return _Ahead(tuple(rid for _k, rid in keyed), by_tier, loads)

    def placed_at(self, pi: int) -> _Ahead:
        found = self.full.get(pi)
        if found is None:
            cid = self.inst.cid
            found = self.full[pi] = self._ahead([(-neg, cid[ci]) for neg, ci in self.heaps[pi]])
        return found

    def mentor_block(self, pi: int) -> _Ahead:
        found = self.blocked.get(pi)
        if found is None:
            inst, cid = self.inst, self.inst.cid
            stuck = self.flow.probe(pi)
            posts, full = stuck if stuck is not None else (set(), [])
            keyed = [(-neg, cid[ci]) for q in posts for neg, ci in self.heaps[q]]
            by_mentor: dict[int, list[tuple[int, int]]] = {m: [] for m in full}
            for q in posts:
                for neg, ci in self.heaps[q]:
                    m = self.mentor_of[ci]
                    if m in by_mentor:
                        by_mentor[m].append((-neg, cid[ci]))
            loads = tuple(
                MentorLoad(inst.mentor_ids[m], inst.mcap[m], tuple(c for _k, c in sorted(xs)))
                for m, xs in by_mentor.items()
            )
            found = self.blocked[pi] = self._ahead(keyed, loads)
        return found

    def misses(self, ci: int) -> tuple[Miss, ...]:
        found = self.cache.get(ci)
        if found is None:
            found = self.cache[ci] = self._misses(ci)
        return found

    def _misses(self, ci: int) -> tuple[Miss, ...]:
        inst, heaps = self.inst, self.heaps
        cap, rank, level, exempt = inst.cap, inst.rank, inst.level, inst.exempt
        n = inst.n
        c = inst.candidates[ci]
        holds, held, levels, cleared = c.holds, c.held, c.eligible_levels, c.cleared
        ids = inst.order_ids[ci]
        placed = self.got[ci] != _NONE
        stop = self.ptr[ci] - 1 if placed else len(ids)
        got_tier = inst.choice_tier(ci, stop) if placed else -1
        tiers = inst.ctier[ci]
        shared = self.shared
        misses = []
        for pos in range(stop):
            post_id = ids[pos]
            pi = inst.pidx.get(post_id)
            tied = (tiers[post_id] if tiers is not None else pos) == got_tier
            if pi is None:
                misses.append(Miss(post_id, Reason.NOT_OFFERED, tied))
                continue
            if post_id in holds:
                reason = Reason.HELD_NOW
            elif not (exempt[pi] or level[pi] in levels or post_id in cleared):
                reason = Reason.NOT_ELIGIBLE
            else:
                tier = rank[pi][ci]
                if tier < 0:
                    others = inst.tier(ci, pi)
                    if others is None:
                        declined = c.id in inst.declined[pi]
                        reason = Reason.DECLINED if declined else Reason.NOT_RANKED
                    else:
                        tier = others
                if tier >= 0:
                    if cap[pi] == 0:
                        reason = Reason.NO_CAPACITY
                    else:
                        full = len(heaps[pi]) >= cap[pi]
                        reason = Reason.POST_FULL if full else Reason.MENTOR_FULL
                        ahead = self.placed_at(pi) if full else self.mentor_block(pi)
                        same = ahead.by_tier.get(tier)
                        if same:  # someone ahead was ranked equal: say how the tie went
                            new: list[int] = []
                            by_order: list[int] = []
                            mine = (post_id in held) * n
                            for key, rid in same:
                                (new if key % (2 * n) < mine else by_order).append(rid)
                            misses.append(
                                Miss(post_id, reason, tied, ahead.ids, tuple(new),
                                     tuple(by_order), ahead.loads)
                            )  # fmt: skip
                            continue
            found = shared.get((pi, reason, tied))
            if found is None:
                found = shared[pi, reason, tied] = self._plain_miss(pi, reason, tied)
            misses.append(found)
        return tuple(misses)

    def _plain_miss(self, pi: int, reason: Reason, tied: bool) -> Miss:
        post_id = self.inst.pid[pi]
        if reason is Reason.NOT_ELIGIBLE:
            return Miss(post_id, reason, tied, level=self.inst.level[pi])
        if reason is Reason.POST_FULL:
            return Miss(post_id, reason, tied, self.placed_at(pi).ids)
        if reason is Reason.MENTOR_FULL:
            ahead = self.mentor_block(pi)
            return Miss(post_id, reason, tied, ahead.ids, mentors=ahead.loads)
        return Miss(post_id, reason, tied)


# --- Checking an assignment -------------------------------------------------------------


def check(
    candidates: Sequence[Candidate],
    posts: Sequence[Post],
    mentors: Sequence[Mentor],
    placements: Iterable[Placement],
) -> Review:
    """Judge an assignment (the matching's or one an administrator edited): the rules it
    breaks and its blocking pairs under the stability of the module's docstring.

    Blocking pairs are judged on the placements of known candidates at known posts as they
    stand — a post over capacity counts as full — with the mentors re-assignable: the given
    mentors where they are valid, the others routed where capacity allows."""
    inst = _Instance(candidates, posts, mentors)
    n, cid, pid, cap, pm, mcap = inst.n, inst.cid, inst.pid, inst.cap, inst.pmentors, inst.mcap
    violations: list[Violation] = []
    at_post: list[list[tuple[int, int]]] = [[] for _ in pid]
    current = [_NONE] * n
    flow = _Flow(pm, mcap)
    unrouted: list[tuple[int, int]] = []  # (post, candidate) without a valid mentor
    missing: list[tuple[int, int]] = []  # (post, candidate) without any mentor
    for pl in placements:
        ci = inst.cidx.get(pl.candidate)
        pi = inst.pidx.get(pl.post)
        if ci is None:
            violations.append(Violation(Rule.UNKNOWN_CANDIDATE, pl.candidate, pl.post))
            continue
        if pi is None:
            violations.append(Violation(Rule.UNKNOWN_POST, pl.candidate, pl.post))
            continue
        if current[ci] != _NONE:
            violations.append(Violation(Rule.PLACED_TWICE, pl.candidate, pl.post))
            continue
        current[ci] = pi
        c = inst.candidates[ci]
        if pl.post in c.holds:
            violations.append(Violation(Rule.HELD_NOW, c.id, pl.post))
        if not (inst.exempt[pi] or inst.level[pi] in c.eligible_levels or pl.post in c.cleared):
            violations.append(Violation(Rule.NOT_ELIGIBLE, c.id, pl.post, level=inst.level[pi]))
        if pl.post not in inst.order_ids[ci]:
            violations.append(Violation(Rule.NOT_CHOSEN, c.id, pl.post))
        if inst.tier(ci, pi) is None:
            rule = Rule.DECLINED if c.id in inst.declined[pi] else Rule.NOT_RANKED
            violations.append(Violation(rule, c.id, pl.post))
        at_post[pi].append((inst.key(ci, pi), ci))
        mi = inst.midx.get(pl.mentor, _NONE) if pl.mentor is not None else _NONE
        if pl.mentor is None:
            if pm[pi]:
                missing.append((pi, ci))
                unrouted.append((pi, ci))
        elif mi not in pm[pi]:
            violations.append(Violation(Rule.NOT_A_MENTOR, c.id, pl.post, pl.mentor))
            if pm[pi]:
                unrouted.append((pi, ci))
        else:
            flow.force(pi, mi)
    for pi, placed in enumerate(at_post):
        placed.sort()
        if len(placed) > cap[pi]:
            violations.append(
                Violation(
                    Rule.POST_OVER_CAPACITY, post=pid[pi], count=len(placed), capacity=cap[pi]
                )
            )
    for mi, load in enumerate(flow.load):
        if load > mcap[mi]:
            violations.append(
                Violation(
                    Rule.MENTOR_OVER_CAPACITY,
                    mentor=inst.mentor_ids[mi],
                    count=load,
                    capacity=mcap[mi],
                )
            )
    for pi, ci in missing:
        room = tuple(inst.mentor_ids[m] for m in pm[pi] if flow.load[m] < mcap[m])
        violations.append(Violation(Rule.MENTOR_MISSING, cid[ci], pid[pi], free_mentors=room))
    # The placements without a valid mentor take whatever room is left, in priority order.
    for pi, _ci in sorted(unrouted, key=lambda x: inst.key(x[1], x[0])):
        flow.add(pi)
    return Review(tuple(violations), tuple(_blocking(inst, flow, at_post, current)))


def _blocking(
    inst: _Instance, flow: _Flow, at_post: list[list[tuple[int, int]]], current: list[int]
) -> list[BlockingPair]:
    n, cid, pid, cap, pm = inst.n, inst.cid, inst.pid, inst.cap, inst.pmentors
    rank, level, exempt = inst.rank, inst.level, inst.exempt
    two_n = 2 * n
    above = 2 * n * (max(inst.ntiers, default=0) + 3)
    # Per post, the key a candidate must beat to block there (``above``: any acceptable
    # candidate blocks) and what kind of block it is; worked out when first needed.
    limits: dict[int, tuple[int, BlockKind, tuple[tuple[int, int], ...]]] = {}

    def limit(pi: int) -> tuple[int, BlockKind, tuple[tuple[int, int], ...]]:
        found = limits.get(pi)
        if found is None:
            placed = at_post[pi]  # sorted by key
            if len(placed) >= cap[pi]:
                # Among the best cap[pi] once the candidate is counted: ahead of the last.
                found = (placed[cap[pi] - 1][0], BlockKind.OUTRANKS, tuple(placed))
            else:
                stuck = flow.probe(pi) if pm[pi] else None
                if stuck is None:
                    found = (above, BlockKind.FREE_SEAT, ())
                else:
                    holding = tuple(sorted(x for q in stuck[0] for x in at_post[q]))
                    worst = holding[-1][0] if holding else _NONE
                    found = (worst, BlockKind.MENTOR, holding)
            limits[pi] = found
        return found

    found: list[BlockingPair] = []
    for ci in range(n):
        c = inst.candidates[ci]
        holds, held, levels, cleared = c.holds, c.held, c.eligible_levels, c.cleared
        cur = current[ci]
        order = inst.order_ids[ci]
        cur_id = pid[cur] if cur != _NONE else None
        cur_pos = order.index(cur_id) if cur_id in order else len(order)
        cur_tier = inst.choice_tier(ci, cur_pos) if cur_pos < len(order) else -1
        for pos in range(cur_pos):
            post_id = order[pos]
            pi = inst.pidx.get(post_id)
            if pi is None or cap[pi] == 0 or post_id in holds:
                continue
            if not (exempt[pi] or level[pi] in levels or post_id in cleared):
                continue
            tier = rank[pi][ci]
            if tier < 0:
                others = inst.tier(ci, pi)
                if others is None:
                    continue
                tier = others
            k = (tier * 2 + (post_id in held)) * n + ci
            bar, kind, holding = limit(pi)
            if k >= bar:
                continue
            displaced = [x for x in holding if x[0] > k and x[1] != ci]
            by_tie = inst.choice_tier(ci, pos) == cur_tier or bool(
                displaced and all(x[0] // two_n == tier for x in displaced)
            )
            found.append(
                BlockingPair(
                    cid[ci],
                    post_id,
                    cur_id,
                    kind,
                    tuple(cid[x[1]] for x in displaced),
                    by_tie,
                )
            )
    return found
