"""The matching on random instances, against its own definitions (``reference.py``, written
the slow way) and against the ``matching`` library's resident-optimal HospitalResident."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matching.games import HospitalResident

from houbei.rotations.matching import Placement, Reason, check, match

from .reference import Reference
from .strategies import Instance, instances

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(instances() | instances(max_candidates=7, crowded=True))
def test_result_is_stable_feasible_and_keeps_the_rules(inst: Instance) -> None:
    result = match(inst.candidates, inst.posts, inst.mentors)
    ref = Reference(inst.candidates, inst.posts, inst.mentors)
    assignment = result.assignment
    pairs = list(assignment.items())
    for cid, pid in pairs:
        c = ref.cand[cid]
        assert pid not in c.holds  # never the post held now
        post = ref.post[pid]
        assert post.level_exempt or post.level in c.eligible_levels or pid in c.cleared
        assert pid in ref.order(cid) and ref.post_tier(cid, pid) is not None
    for post in inst.posts:
        assert sum(1 for _c, p in pairs if p == post.id) <= post.capacity
    assert ref.feasible(pairs)
    assert ref.blocking(assignment) == set()
    assert check(inst.candidates, inst.posts, inst.mentors, result.placements).ok


@FAST
@given(instances() | instances(max_candidates=7, crowded=True))
def test_mentors_given_are_the_posts_and_within_capacity(inst: Instance) -> None:
    result = match(inst.candidates, inst.posts, inst.mentors)
    caps = {m.id: m.capacity for m in inst.mentors}
    posts = {p.id: p for p in inst.posts}
    load: dict[int, int] = {}
    for o in result.outcomes:
        if o.post is None:
            assert o.mentor is None
            continue
        if posts[o.post].mentors:
            assert o.mentor in posts[o.post].mentors
            load[o.mentor] = load.get(o.mentor, 0) + 1
        else:
            assert o.mentor is None
    assert all(load[m] <= caps[m] for m in load)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_candidates=5, max_posts=3) | instances(max_candidates=5, crowded=True))
def test_every_candidate_does_at_least_as_well_as_in_any_stable_assignment(
    inst: Instance,
) -> None:
    ref = Reference(inst.candidates, inst.posts, inst.mentors)
    ours = match(inst.candidates, inst.posts, inst.mentors).assignment
    stable = ref.all_stable()
    assert ours in stable
    for other in stable:
        for c in inst.candidates:
            assert ref.rank_of(c.id, ours.get(c.id)) <= ref.rank_of(c.id, other.get(c.id))


@settings(max_examples=300, deadline=None)
@given(
    instances(
        max_candidates=12, max_posts=5, ties=False, mentors=False, rules=False, max_capacity=3
    )
)
def test_without_ties_and_mentors_equals_the_matching_librarys_resident_optimal(
    inst: Instance,
) -> None:
    ours = match(inst.candidates, inst.posts, inst.mentors).assignment
    ranked = {p.id: list(p.ranking) for p in inst.posts}
    # The library wants both sides to list exactly the pairs that are mutually acceptable.
    residents = {c.id: [p for p in c.choices if c.id in ranked[p]] for c in inst.candidates}
    residents = {c: ps for c, ps in residents.items() if ps}
    hospitals = {p: [c for c in ranked[p] if p in residents.get(c, [])] for p in ranked}
    hospitals = {p: cs for p, cs in hospitals.items() if cs}
    if not residents:
        assert ours == {}
        return
    capacities = {p.id: p.capacity for p in inst.posts if p.id in hospitals}
    game = HospitalResident.create_from_dictionaries(residents, hospitals, capacities)
    solved = game.solve(optimal="resident")
    theirs = {r.name: h.name for h, placed in solved.items() for r in placed}
    assert ours == theirs


@FAST
@given(instances() | instances(max_candidates=7, crowded=True), st.data())
def test_check_finds_exactly_the_blocking_pairs_of_any_valid_assignment(
    inst: Instance, data: st.DataObject
) -> None:
    ref = Reference(inst.candidates, inst.posts, inst.mentors)
    # A random assignment that breaks no rule: acceptable listed pairs, routable mentors.
    assignment: dict[int, int] = {}
    for c in inst.candidates:
        options = [p for p in ref.order(c.id) if ref.acceptable(c.id, p)]
        pick = data.draw(st.sampled_from([None, *options]))
        if pick is not None and ref.feasible([*assignment.items(), (c.id, pick)]):
            assignment[c.id] = pick
    pairs = list(assignment.items())
    routing = next(ref.routings(pairs))
    placements = [Placement(c, p, m) for (c, p), m in zip(pairs, routing, strict=True)]
    review = check(inst.candidates, inst.posts, inst.mentors, placements)
    assert review.violations == ()
    assert {(b.candidate, b.post) for b in review.blocking} == ref.blocking(assignment)


@FAST
@given(instances() | instances(max_candidates=7, crowded=True))
def test_preferred_mentors_are_given_in_priority_order_wherever_a_routing_allows(
    inst: Instance,
) -> None:
    """Greedy by priority with the exact test: a preferred mentor is given exactly when some
    mentor assignment gives it together with every preferred mentor given before."""
    result = match(inst.candidates, inst.posts, inst.mentors)
    ref = Reference(inst.candidates, inst.posts, inst.mentors)
    pairs = list(result.assignment.items())
    locked: dict[int, int] = {}
    for cid, pid in sorted(pairs, key=ref.priority):
        wanted = ref.cand[cid].mentors.get(pid)
        if wanted is None or wanted not in ref.post[pid].mentors:
            continue
        trial = {**locked, cid: wanted}
        if any(
            all(m == trial[c] for (c, _p), m in zip(pairs, routing, strict=True) if c in trial)
            for routing in ref.routings(pairs)
        ):
            locked[cid] = wanted
    for o in result.outcomes:
        if o.post is None:
            continue
        wanted = ref.cand[o.candidate].mentors.get(o.post)
        assert (o.mentor == wanted and wanted is not None) == (o.candidate in locked)
        assert (o.mentor_miss is None) == (wanted is None or o.candidate in locked)


@FAST
@given(instances() | instances(max_candidates=7, crowded=True))
def test_every_post_listed_before_the_result_has_a_reason_that_holds(inst: Instance) -> None:
    result = match(inst.candidates, inst.posts, inst.mentors)
    ref = Reference(inst.candidates, inst.posts, inst.mentors)
    assignment = result.assignment
    seated = {p.id: {c for c, q in assignment.items() if q == p.id} for p in inst.posts}
    for o in result.outcomes:
        order = ref.order(o.candidate)
        assert [m.post for m in o.misses] == order[: ref.rank_of(o.candidate, o.post)]
        if o.post is not None:
            assert o.choice == ref.choice_tier(o.candidate, o.post) + 1
        for m in o.misses:
            if m.reason not in (Reason.POST_FULL, Reason.MENTOR_FULL):
                assert not ref.acceptable(o.candidate, m.post)
                continue
            assert ref.acceptable(o.candidate, m.post)
            mine = ref.priority((o.candidate, m.post))
            assert all(ref.priority((r, assignment[r])) < mine for r in m.ahead)
            post = ref.post[m.post]
            if m.reason is Reason.POST_FULL:
                assert set(m.ahead) == seated[m.post] and len(m.ahead) == post.capacity
            else:
                assert len(seated[m.post]) < post.capacity and m.mentors
                assert seated[m.post] <= set(m.ahead)
                for load in m.mentors:
                    assert len(load.mentees) == load.capacity
                    assert all(result.outcome(r).mentor == load.mentor for r in load.mentees)
