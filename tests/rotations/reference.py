"""The matching's definitions written out the slow, obvious way, to hold the real one to:
orders and priorities from the documented tie-break rules, feasibility by trying every
mentor assignment, the school's choice as the greedy of its definition, stability as "the
choice from M ∪ {c at p} never takes c at p", and every assignment of a tiny instance."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from houbei.rotations.matching import Candidate, Mentor, Post

Pair = tuple[int, int]  # (candidate id, post id)


@dataclass
class Reference:
    candidates: Sequence[Candidate]
    posts: Sequence[Post]
    mentors: Sequence[Mentor] = ()

    def __post_init__(self) -> None:
        self.cand = {c.id: c for c in self.candidates}
        self.post = {p.id: p for p in self.posts}
        self.post_pos = {p.id: i for i, p in enumerate(self.posts)}
        self.cand_pos = {c.id: i for i, c in enumerate(self.candidates)}
        self.mcap = {m.id: m.capacity for m in self.mentors}

    # --- orders --------------------------------------------------------------------------

    def groups(self, items: Sequence[int | tuple[int, ...]]) -> dict[int, int]:
        return {
            x: tier
            for tier, group in enumerate(items)
            for x in ((group,) if isinstance(group, int) else group)
        }

    def order(self, cid: int) -> list[int]:
        """The candidate's posts, tie-broken: tier, not held before first, post order."""
        c = self.cand[cid]
        tiers = self.groups(c.choices)
        return sorted(
            tiers,
            key=lambda p: (tiers[p], p in c.held, self.post_pos.get(p, len(self.posts)), p),
        )

    def choice_tier(self, cid: int, pid: int) -> int:
        return self.groups(self.cand[cid].choices)[pid]

    def post_tier(self, cid: int, pid: int) -> int | None:
        post = self.post[pid]
        tiers = self.groups(post.ranking)
        if cid in tiers:
            return tiers[cid]
        if post.accept_others and cid not in post.declined:
            return len(post.ranking)
        return None

    def priority(self, pair: Pair) -> tuple[int, bool, int]:
        cid, pid = pair
        tier = self.post_tier(cid, pid)
        assert tier is not None
        return (tier, pid in self.cand[cid].held, self.cand_pos[cid])

    def acceptable(self, cid: int, pid: int) -> bool:
        c, post = self.cand[cid], self.post.get(pid)
        if post is None or pid in c.holds:
            return False
        if not (post.level_exempt or post.level in c.eligible_levels or pid in c.cleared):
            return False
        return self.post_tier(cid, pid) is not None and post.capacity > 0

    def rank_of(self, cid: int, pid: int | None) -> int:
        """Where the post stands in the candidate's order (unplaced: after everything)."""
        order = self.order(cid)
        return order.index(pid) if pid in order else len(order)

    # --- feasibility and the school's choice ------------------------------------------------

    def routings(self, pairs: Sequence[Pair]) -> Iterator[tuple[int | None, ...]]:
        """Every mentor assignment within the mentors' capacities."""
        options = [self.post[p].mentors or (None,) for _c, p in pairs]
        for combo in itertools.product(*options):
            load: dict[int, int] = {}
            for m in combo:
                if m is not None:
                    load[m] = load.get(m, 0) + 1
            if all(load[m] <= self.mcap[m] for m in load):
                yield combo

    def feasible(self, pairs: Sequence[Pair]) -> bool:
        count: dict[int, int] = {}
        for _c, p in pairs:
            count[p] = count.get(p, 0) + 1
        if any(count[p] > self.post[p].capacity for p in count):
            return False
        return next(self.routings(pairs), None) is not None

    def choose(self, pairs: Sequence[Pair]) -> list[Pair]:
        chosen: list[Pair] = []
        for pair in sorted(pairs, key=self.priority):
            if self.feasible([*chosen, pair]):
                chosen.append(pair)
        return chosen

    def blocking(self, assignment: dict[int, int]) -> set[Pair]:
        pairs = list(assignment.items())
        found = set()
        for c in self.candidates:
            current = assignment.get(c.id)
            for pid in self.order(c.id)[: self.rank_of(c.id, current)]:
                if self.acceptable(c.id, pid) and (c.id, pid) in self.choose([*pairs, (c.id, pid)]):
                    found.add((c.id, pid))
        return found

    def stable(self, assignment: dict[int, int]) -> bool:
        pairs = list(assignment.items())
        return (
            all(self.acceptable(c, p) and p in self.order(c) for c, p in pairs)
            and self.feasible(pairs)
            and not self.blocking(assignment)
        )

    def all_stable(self) -> list[dict[int, int]]:
        """Every stable assignment (tiny instances only)."""
        options = [
            [None, *(p for p in self.order(c.id) if self.acceptable(c.id, p))]
            for c in self.candidates
        ]
        found = []
        for combo in itertools.product(*options):
            assignment = {
                c.id: p for c, p in zip(self.candidates, combo, strict=True) if p is not None
            }
            if self.feasible(list(assignment.items())) and not self.blocking(assignment):
                found.append(assignment)
        return found
