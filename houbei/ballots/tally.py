"""The count: pure, over plain data, so a recount needs nothing but the exported ballots.

Rules (SPEC module 4, the plan's 民主推荐): a list marked for more people than its quota
is void on that ballot (the other lists of the same ballot still count); a list left
blank is valid and gives nobody a vote; a mark for someone not on the list voids that
list. Shares are of the list's valid ballots; ranks are shared on equal votes
(1, 2, 2, 4)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class ListSpec:
    id: int
    name: str
    quota: int
    candidates: tuple[tuple[int, str], ...]  # (candidate id, name) in ballot order


@dataclass(frozen=True)
class CandidateResult:
    id: int
    name: str
    votes: int
    share: Fraction  # of the list's valid ballots; 0 when there are none
    rank: int


@dataclass(frozen=True)
class ListResult:
    id: int
    name: str
    quota: int
    valid: int
    void: int
    blank: int
    candidates: tuple[CandidateResult, ...]  # by rank, then ballot order


@dataclass(frozen=True)
class Tally:
    ballots: int
    lists: tuple[ListResult, ...]


Marks = Mapping[str, Sequence[int]]


def list_is_valid(spec: ListSpec, marked: Sequence[int]) -> bool:
    allowed = {c for c, _name in spec.candidates}
    chosen = set(marked)
    return len(chosen) == len(marked) and len(chosen) <= spec.quota and chosen <= allowed


def count(lists: Sequence[ListSpec], ballots: Iterable[Marks]) -> Tally:
    """Tally ``ballots`` (each: list id as text → candidate ids marked) over ``lists``."""
    votes = {spec.id: dict.fromkeys((c for c, _n in spec.candidates), 0) for spec in lists}
    valid = dict.fromkeys((s.id for s in lists), 0)
    void = dict.fromkeys((s.id for s in lists), 0)
    blank = dict.fromkeys((s.id for s in lists), 0)
    total = 0
    for marks in ballots:
        total += 1
        for spec in lists:
            marked = list(marks.get(str(spec.id), ()))
            if not list_is_valid(spec, marked):
                void[spec.id] += 1
                continue
            valid[spec.id] += 1
            if not marked:
                blank[spec.id] += 1
            for candidate in marked:
                votes[spec.id][candidate] += 1
    results = []
    for spec in lists:
        order = {c: i for i, (c, _n) in enumerate(spec.candidates)}
        names = dict(spec.candidates)
        ranked = sorted(votes[spec.id].items(), key=lambda item: (-item[1], order[item[0]]))
        out, previous, rank = [], None, 0
        for place, (candidate, got) in enumerate(ranked, start=1):
            if got != previous:
                rank, previous = place, got
            share = Fraction(got, valid[spec.id]) if valid[spec.id] else Fraction(0)
            out.append(CandidateResult(candidate, names[candidate], got, share, rank))
        results.append(
            ListResult(
                spec.id, spec.name, spec.quota, valid[spec.id], void[spec.id], blank[spec.id],
                tuple(out),
            )
        )  # fmt: skip
    return Tally(total, tuple(results))


def canonical_marks(marks: Marks) -> dict[str, list[int]]:
    """Marks in their stored form: lists by id, candidate ids as marked, sorted."""
    return {str(key): sorted(int(c) for c in value) for key, value in sorted(marks.items())}


def digest(ballots: Iterable[Marks], receipts: Iterable[str]) -> str:
    """SHA-256 over the canonical ballots, sorted, then the receipt codes, sorted: anyone
    holding the export can recompute it."""
    lines = sorted(
        json.dumps(canonical_marks(m), sort_keys=True, separators=(",", ":")) for m in ballots
    )
    h = hashlib.sha256()
    for line in lines:
        h.update(b"B" + line.encode() + b"\n")
    for code in sorted(receipts):
        h.update(b"R" + code.encode() + b"\n")
    return h.hexdigest()
