"""The two-way selection matching (``houbei/rotations/matching.py``) at far beyond a school's
size, and against the ``matching`` library's HospitalResident.

Instances, all with full preference lists both ways — candidates rank every post, posts rank
every candidate — correlated as real ones are (popular posts, strong candidates, with noise),
capacity ``--capacity`` per post:

(a) ``rules_seconds``: ``--candidates`` × ``--posts`` with everything the school has — two
    mentors per post, one post in ten sharing a mentor with the next, mentor capacities of
    3–6 so that mentors bind; ladder levels 1–4 with most candidates eligible for the lower
    two; posts held now and before; one post in ten ranking in tiers of ten and one candidate
    in twenty listing equal pairs; preferred mentors for the top three posts of three in ten;
(b) ``plain_seconds``: the same size as the classical problem (no mentors, ties or rules);
(c) at ``--compare-candidates`` × ``--compare-posts``, plain: ours (``ours_seconds``) and
    HospitalResident, resident-optimal, in the same run — ``library_solve_seconds`` for its
    ``solve`` and ``library_seconds`` with its ``create_from_dictionaries`` (which
    deep-copies the players), each with ``ratio`` = library / ours — and the two assignments
    compared (``same_assignment``).

(a) and (b) are the median wall time of ``--runs`` of ``match`` — the assignment, the mentors
and every candidate's outcome, whose reasons are worked out when first read — with
``cpu_seconds`` (the process's CPU time: what a busy shared machine adds shows as the
difference), ``explain_seconds`` (reading every candidate's reasons once) and
``check_seconds`` (``check`` on the result). ``check`` must find no violation and no blocking
pair in (a) and (b), and (c) must give the library's assignment, or the exit status is 1.
Target: (a) and (b) ≤ 1 s wall (exit 1 when missed; ``--no-targets`` reports only, for smoke
tests at tiny sizes). The library is a development dependency: without it (c) reports
``"available": false`` and the bench goes on.

    houbei bench matching [--candidates 5000] [--posts 500] [--capacity 10]
                          [--compare-candidates 2000] [--compare-posts 200]
                          [--runs 3] [--seed 2026] [--no-targets]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from houbei.rotations.matching import Candidate, Matching, Mentor, Post, check, match

from ._report import emit, log

TARGET_SECONDS = 1.0
Instance = tuple[list[Candidate], list[Post], list[Mentor]]


def preferences(rng: np.random.Generator, rows: int, columns: int) -> np.ndarray:
    """Each row's ranking of all columns, best first: a shared appeal plus each row's noise."""
    appeal = rng.normal(size=columns)
    noise = rng.normal(scale=1.5, size=(rows, columns))
    return np.argsort(-(appeal[None, :] + noise), axis=1)


def plain(candidates: int, posts: int, capacity: int, seed: int) -> Instance:
    rng = np.random.default_rng(seed)
    cands = preferences(rng, candidates, posts).tolist()
    ranks = preferences(rng, posts, candidates).tolist()
    people = [
        Candidate(i, tuple(cands[i]), eligible_levels=frozenset({1})) for i in range(candidates)
    ]
    offered = [Post(j, 1, capacity, tuple(ranks[j])) for j in range(posts)]
    return people, offered, []


def with_rules(candidates: int, posts: int, capacity: int, seed: int) -> Instance:
    rng = np.random.default_rng(seed + 1)
    cands = preferences(rng, candidates, posts).tolist()
    ranks = preferences(rng, posts, candidates).tolist()
    levels = rng.choice([1, 2, 3, 4], size=posts, p=[0.4, 0.3, 0.2, 0.1]).tolist()
    mentors_of: list[tuple[int, ...]] = []
    for j in range(posts):
        own = (2 * j, 2 * j + 1)
        shared = (2 * (j + 1),) if j + 1 < posts and rng.random() < 0.1 else ()
        mentors_of.append(own + shared)
    mentors = [Mentor(m, int(rng.integers(3, 7))) for m in range(2 * posts)]
    offered = []
    for j in range(posts):
        ranking: tuple[int | tuple[int, ...], ...] = tuple(ranks[j])
        if rng.random() < 0.1:
            ranking = tuple(tuple(ranks[j][i : i + 10]) for i in range(0, candidates, 10))
        offered.append(
            Post(
                j,
                levels[j],
                capacity,
                ranking,
                level_exempt=rng.random() < 0.02,
                mentors=mentors_of[j],
            )
        )
    people = []
    for i in range(candidates):
        roll = rng.random()
        eligible = frozenset({1, 2, 3, 4} if roll < 0.1 else {1, 2, 3} if roll < 0.4 else {1, 2})
        held_before = frozenset(rng.integers(0, posts, size=int(rng.integers(0, 4))).tolist())
        holds = frozenset({int(rng.integers(0, posts))}) if rng.random() < 0.6 else frozenset()
        choices: tuple[int | tuple[int, ...], ...] = tuple(cands[i])
        if rng.random() < 0.05:
            choices = tuple(tuple(cands[i][k : k + 2]) for k in range(0, posts, 2))
        preferred = {}
        if rng.random() < 0.3:
            for post in cands[i][:3]:
                preferred[post] = mentors_of[post][int(rng.integers(0, len(mentors_of[post])))]
        people.append(
            Candidate(
                i,
                choices,
                eligible_levels=eligible,
                holds=holds,
                held=held_before,
                mentors=preferred,
            )
        )
    return people, offered, mentors


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    seconds, _cpu, result = timed_cpu(function)
    return seconds, result


def timed_cpu(function: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall and CPU seconds of one call, after collecting the previous garbage."""
    gc.collect()
    cpu = time.process_time()
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, time.process_time() - cpu, result


def summary(result: Matching) -> dict[str, Any]:
    placed = [o for o in result.outcomes if o.post is not None]
    return {
        "candidates": len(result.outcomes),
        "placed": len(placed),
        "first_choice": sum(o.first_choice for o in placed),
        "misses": sum(len(o.misses) for o in result.outcomes),
        "proposals": result.proposals,
    }


def measure(name: str, instance: Instance, runs: int) -> tuple[float, bool]:
    """Median seconds of ``match`` over ``runs``, and whether ``check`` found it clean."""
    people, posts, mentors = instance
    samples, cpu = [], []
    result = match(people, posts, mentors)  # warm
    for i in range(runs):
        result = None  # not kept alive beside the next run
        seconds, cpu_seconds, result = timed_cpu(lambda: match(people, posts, mentors))
        cpu.append(cpu_seconds)
        samples.append(seconds)
        log(f"  {name} run {i + 1}: {seconds:.3f} s ({cpu[-1]:.3f} s CPU)")
    explain_seconds, _misses = timed(lambda: sum(len(o.misses) for o in result.outcomes))
    check_seconds, review = timed(lambda: check(people, posts, mentors, result.placements))
    elapsed = statistics.median(samples)
    emit(
        "matching",
        f"{name}_seconds",
        elapsed,
        "s",
        min=round(min(samples), 3),
        max=round(max(samples), 3),
        runs=runs,
        cpu_seconds=round(statistics.median(cpu), 3),
        posts=len(posts),
        mentors=len(mentors),
        list_entries=sum(len(c.choices) for c in people),
        target=TARGET_SECONDS,
        explain_seconds=round(explain_seconds, 3),
        check_seconds=round(check_seconds, 3),
        violations=len(review.violations),
        blocking_pairs=len(review.blocking),
        **summary(result),
    )
    return elapsed, review.ok


def library(instance: Instance) -> tuple[float, float, dict[int, int]] | str:
    """HospitalResident on the instance: (solve seconds, with creation, assignment), or why
    it could not run."""
    try:
        from matching.games import HospitalResident
    except ImportError as error:
        return f"the matching library is not installed ({error}); it is a dev dependency"
    people, posts, _mentors = instance
    residents = {c.id: list(c.choices) for c in people}
    hospitals = {p.id: list(p.ranking) for p in posts}
    capacities = {p.id: p.capacity for p in posts}
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            gc.collect()
            started = time.perf_counter()
            game = HospitalResident.create_from_dictionaries(residents, hospitals, capacities)
            created = time.perf_counter()
            solved = game.solve(optimal="resident")
            done = time.perf_counter()
            out["times"] = (done - created, done - started)
            out["assignment"] = {r.name: h.name for h, rs in solved.items() for r in rs}
        except Exception as error:  # reported, not raised: the bench goes on
            out["error"] = f"{type(error).__name__}: {error}"

    # The library deep-copies its players recursively: full lists need a deep stack.
    limit, stack = sys.getrecursionlimit(), threading.stack_size()
    sys.setrecursionlimit(1_000_000)
    threading.stack_size(512 * 1024 * 1024)
    try:
        worker = threading.Thread(target=run)
        worker.start()
        worker.join()
    finally:
        threading.stack_size(stack)
        sys.setrecursionlimit(limit)
    if "error" in out:
        return out["error"]
    solve_seconds, total_seconds = out["times"]
    return solve_seconds, total_seconds, out["assignment"]


def compare(candidates: int, posts: int, capacity: int, seed: int, runs: int) -> bool:
    instance = plain(candidates, posts, capacity, seed + 7)
    people, offered, _ = instance
    samples = []
    ours = match(people, offered)
    for _i in range(runs):
        seconds, ours = timed(lambda: match(people, offered))
        samples.append(seconds)
    mine = statistics.median(samples)
    emit("matching", "ours_seconds", mine, "s", candidates=candidates, posts=posts, runs=runs)
    log(f"  ours at {candidates} × {posts}: {mine:.3f} s; the library …")
    theirs = library(instance)
    if isinstance(theirs, str):
        log(f"  library not run: {theirs}")
        emit("matching", "library_seconds", 0, "s", available=False, reason=theirs)
        return True
    solve_seconds, total_seconds, assignment = theirs
    same = assignment == ours.assignment
    log(f"  library: solve {solve_seconds:.2f} s, with creation {total_seconds:.2f} s")
    emit(
        "matching",
        "library_solve_seconds",
        solve_seconds,
        "s",
        baseline=mine,
        available=True,
        candidates=candidates,
        posts=posts,
    )
    emit(
        "matching",
        "library_seconds",
        total_seconds,
        "s",
        baseline=mine,
        available=True,
        same_assignment=same,
        candidates=candidates,
        posts=posts,
    )
    if not same:
        log("our assignment differs from the library's resident-optimal one")
    return same


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="houbei bench matching")
    parser.add_argument("--candidates", type=int, default=5_000)
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--capacity", type=int, default=10)
    parser.add_argument("--compare-candidates", type=int, default=2_000)
    parser.add_argument("--compare-posts", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--targets",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="exit 1 when a target is missed (off: only report)",
    )
    args = parser.parse_args(argv)
    size = (args.candidates, args.posts, args.capacity, args.seed)

    log(f"matching: {args.candidates} candidates × {args.posts} posts, full lists …")
    # One instance in memory at a time, so the second is not timed beside the first.
    started = time.perf_counter()
    instance = with_rules(*size)
    build_seconds = time.perf_counter() - started
    rules_seconds, rules_ok = measure("rules", instance, args.runs)
    started = time.perf_counter()
    instance = plain(*size)
    build_seconds += time.perf_counter() - started
    plain_seconds, plain_ok = measure("plain", instance, args.runs)
    del instance
    emit("matching", "build_seconds", build_seconds, "s")
    same = compare(args.compare_candidates, args.compare_posts, args.capacity, args.seed, args.runs)

    failed = []
    if not (rules_ok and plain_ok):
        failed.append("check found violations or blocking pairs in the matching's result")
    if not same:
        failed.append("the assignment differs from the library's")
    if failed:
        log("; ".join(failed))
        return 1
    missed = [f"{name} {seconds:.2f} s > {TARGET_SECONDS} s"
              for name, seconds in (("rules", rules_seconds), ("plain", plain_seconds))
              if seconds > TARGET_SECONDS]  # fmt: skip
    if missed:
        log("target missed: " + "; ".join(missed))
        if args.targets:
            return 1
    return 0
