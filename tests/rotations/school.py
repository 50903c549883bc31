"""A small school for the hand-made rounds: the plan's posts, four mentors, names."""

from __future__ import annotations

from houbei.rotations.explain import Names
from houbei.rotations.matching import Candidate

# Posts as in the plan's table; ladder levels 1 班主任 … 4 (副)校级.
CLASS, GRADE, ACADEMIC, MORAL, GENERAL, UNION, SCHOOL, PERSONNEL = range(11, 19)
WANG, LI, ZHAO, ZHOU = 51, 52, 53, 54  # mentors
NAMES = Names(
    people={1: "陈晔", 2: "黄蔚敏", 3: "卢懿蕾", 4: "浦吉丽", 5: "张兰兰",
            WANG: "王老师", LI: "李老师", ZHAO: "赵老师", ZHOU: "周老师"},
    posts={CLASS: "班主任", GRADE: "年级组长", ACADEMIC: "教导处", MORAL: "德育处",
           GENERAL: "总务处", UNION: "工会", SCHOOL: "（副）校级", PERSONNEL: "人事室"},
)  # fmt: skip
ALL = frozenset({1, 2, 3, 4})


def person(pk: int, *choices: int | tuple[int, ...], **kw: object) -> Candidate:
    kw.setdefault("eligible_levels", ALL)
    return Candidate(pk, tuple(choices), **kw)  # type: ignore[arg-type]
