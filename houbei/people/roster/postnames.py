"""Which of the school's posts a history row means. Pure: posts come in as plain tuples.

A row matches a post by its name as the school set it up, or by a name rosters commonly
use for one of the plan's posts (教导主任 for 教导处, 副校长 for (副)校级 …). A name that
could mean several posts, such as 科室组长, matches none: the school has to say which,
and the error lists the names it can use."""

from __future__ import annotations

from collections.abc import Iterable

from .cells import normalise

# Post code (see organisation.services.PLAN_POSTS) → names that mean that post.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "class-teacher": ("班主任",),
    "grade-leader": ("年级组长", "年级组组长", "年级长", "年级主任"),
    "subject-leader": ("教研组长", "教研组组长", "学科组长", "学科教研组长"),
    "academic-office": ("教导处", "教导主任", "教导处主任", "教导处副主任", "教导处干事"),
    "teaching-office": ("教务处", "教务主任", "教务处主任", "教务处副主任", "教务处干事"),
    "moral-office": (
        "德育处",
        "德育主任",
        "德育处主任",
        "德育处副主任",
        "德育处干事",
        "政教处",
        "政教主任",
        "政教处主任",
    ),
    "general-office": ("总务处", "总务主任", "总务处主任", "总务处副主任", "总务处干事"),
    "personnel-office": ("人事室", "人事干部", "人事室主任", "人事主管"),
    "trade-union": ("工会", "工会主席", "工会副主席"),
    "school-leader": (
        "(副)校级",
        "校级",
        "副校级",
        "校长",
        "副校长",
        "书记",
        "副书记",
        "党支部书记",
        "党支部副书记",
        "校级领导",
    ),
}


def post_key(name: str) -> str:
    """Names compared without spaces, with half-width brackets: （副）校级 = (副)校级."""
    return normalise(name).lower()


class PostMatcher:
    """Built once per import from the school's posts as (id, name, code)."""

    def __init__(self, posts: Iterable[tuple[int, str, str]]) -> None:
        posts = list(posts)
        self.names = [name for _pk, name, _code in posts]
        self._by_key: dict[str, int] = {}
        by_code = {code: pk for pk, _name, code in posts}
        for code, names in SYNONYMS.items():
            if code in by_code:
                for name in names:
                    self._by_key[post_key(name)] = by_code[code]
        # The school's own names win over the common ones.
        for pk, name, _code in posts:
            self._by_key[post_key(name)] = pk

    def match(self, name: str) -> int | None:
        return self._by_key.get(post_key(name))
