"""The plain records eligibility is computed from: no ORM, no database, no clock.

``loading.py`` builds them from the registry; tests build them by hand. Everything here is
immutable so a record can be shared between evaluations (the what-if compares two)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Spell:
    """One post-history row: ``end`` None means still held."""

    post_id: int
    start: dt.date
    end: dt.date | None = None


@dataclass(frozen=True, slots=True)
class HonourRecord:
    title: str
    level: int  # people.models.HonourLevel: 1 校级 … 4 国家级
    year: int


@dataclass(frozen=True, slots=True)
class PersonRecord:
    id: int
    name: str = ""
    staff_number: str = ""
    gender: str = ""
    birth_date: dt.date | None = None
    joined_school_on: dt.date | None = None
    establishment: str = "in"
    post_status: str = "on"
    political_status: str = ""
    fit_for_duty: bool | None = None
    fit_for_duty_on: dt.date | None = None
    spells: tuple[Spell, ...] = ()
    honours: tuple[HonourRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class PostRef:
    id: int
    code: str
    name: str
    ladder_level: int
    counts_as_head: bool = True


@dataclass(frozen=True, slots=True)
class Target:
    """What the people are being considered for: a ladder level, or one post (which fixes
    the level and may carry an exemption). Both None: no target chosen."""

    level: int | None = None
    post_id: int | None = None


@dataclass(frozen=True, slots=True)
class Ruling:
    """A result set by a person instead of computed: the record of a manual rule, or an
    override of a computed one. ``outcome`` is "pass" or "fail"."""

    outcome: str
    reason: str
    by: str = ""
    on: dt.date | None = None


@dataclass(frozen=True)
class Context:
    """Everything an evaluation needs besides the people and the rules.

    ``exemptions`` maps a rule key to {post id: reason}: the posts for which that rule is
    waived ("个别岗位酌情处理"). ``rulings`` maps (person id, rule key) to a ruling."""

    as_of: dt.date
    posts: dict[int, PostRef]
    target: Target = field(default_factory=Target)
    exemptions: dict[str, dict[int, str]] = field(default_factory=dict)
    rulings: dict[tuple[int, str], Ruling] = field(default_factory=dict)

    @property
    def target_level(self) -> int | None:
        if self.target.post_id is not None and self.target.post_id in self.posts:
            return self.posts[self.target.post_id].ladder_level
        return self.target.level
