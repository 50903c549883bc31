"""Building the demo: the district, the plan's school and a second school, their school
years, the staff of ``plan.py`` with their histories and honours, one account per role, the
selection cycles of ``selection.py`` (2021, 2023 and 2025 complete, 2026 in 民主推荐, a
2026 校级 补充选拔 in 公示 with an objection open), the elections
and 民主测评 of ``elections.py`` and the two-way selection and rotations of ``rotations.py``.

Everything goes through the same services the pages use (``create_school``,
``create_school_year``, ``create_person``, ``add_post_history``, ``add_honour``,
``archive_person``, ``update_post``, ``create_district``, ``create_user``,
``change_password``), with the system as the actor, so the demo's audit trail reads like
a real school's. The account service hands out random passwords; the demo then sets the
published demo password, which the trail records as a password change.

The whole build is one transaction: a failure leaves no half-built demo. A database that
already has the demo school is left alone (``demo_exists``), so running the command twice
changes nothing and adds nothing to the audit trail."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from houbei.accounts.models import Role, User
from houbei.accounts.services import change_password, create_district, create_user
from houbei.core.errors import DomainError
from houbei.eligibility.models import RuleSet
from houbei.eligibility.services import create_rule_set
from houbei.organisation.models import District, Post, School
from houbei.organisation.services import PostSpec, create_school, create_school_year, update_post
from houbei.people.models import Person
from houbei.people.services import add_honour, add_post_history, archive_person, create_person

from . import plan
from .appraisals import add_appraisals
from .elections import add_elections
from .rotations import add_rotations
from .rotations import summary as rotation_summary
from .selection import add_cycles, summary

DISTRICT_NAME = "示范区"
DISTRICT_CODE = "shifanqu"
SCHOOL_NAME = "市八初级中学"
SCHOOL_SHORT = "市八初中"
SCHOOL_CODE = "shiba"
SECOND_NAME = "育才初级中学"
SECOND_SHORT = "育才初中"
SECOND_CODE = "yucai"
SCHOOL_YEARS = range(2020, 2028)  # 2020学年 … 2027学年

# Shown on screen and in the README; the accounts exist only in the demo database.
DEMO_PASSWORD = "houbei-demo"  # noqa: S105 - deliberately public, demo only

# Rotation posts and the people (by plan key) who mentor them by default: the incumbents
# of the post, or for the class and team posts the leader who oversees them.
DEFAULT_MENTORS: dict[str, tuple[str, ...]] = {
    plan.CLASS: ("chen-ye",),
    plan.GRADE: ("vice-moral",),
    plan.SUBJECT: ("academic-head",),
    plan.ACADEMIC: ("academic-head",),
    plan.TEACHING: ("teaching-head",),
    plan.MORAL: ("chen-ye",),
    plan.GENERAL: ("general-head",),
    plan.PERSONNEL: ("personnel-officer",),
    plan.UNION: ("union-head",),
    plan.LEADER: ("principal",),
}


@dataclass
class Account:
    username: str
    role: str
    school: str
    person: str

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)


@dataclass
class DemoResult:
    created: bool
    seconds: float = 0.0
    people: int = 0
    history_rows: int = 0
    honours: int = 0
    accounts: list[Account] = field(default_factory=list)
    slips_pdf: Path | None = None  # the open meeting's printed slips
    vote_links: list[str] = field(default_factory=list)  # a few of those slips as links
    cycles: list[str] = field(default_factory=list)  # one line per selection cycle
    rotations: list[str] = field(default_factory=list)  # the rounds and rotations


class NotAnEmptyDatabase(DomainError):
    """The database holds data that is not the demo's: the demo refuses to mix in."""


def demo_exists() -> bool:
    return School.objects.filter(code=SCHOOL_CODE).exists()


def refuse_unless_empty() -> None:
    """The demo adds fake people and accounts with a published password: it must never
    land in a database that serves a real school."""
    if School.objects.exists() or User.objects.exists():
        raise NotAnEmptyDatabase(
            _(
                "当前数据库中已有学校或用户，不是演示数据库：演示数据只建在空数据库中。"
                "请用 HOUBEI_DATA_DIR 或 DATABASE_URL 指定一个新的数据库。"
            )
        )


def accounts() -> list[Account]:
    """The demo accounts as they are in the database now."""
    users = User.objects.filter(username__in=[a[0] for a in plan.ACCOUNTS]).select_related(
        "school", "district"
    )
    people = dict(Person.objects.filter(user__in=users).values_list("user__username", "name"))
    order = {a[0]: i for i, a in enumerate(plan.ACCOUNTS)}
    return [
        Account(
            username=u.username,
            role=u.role,
            school=u.school.name if u.school else (u.district.name if u.district else ""),
            person=people.get(u.username, ""),
        )
        for u in sorted(users, key=lambda u: order[u.username])
    ]


def _create_account(
    username: str, role: str, *, school: School | None, district: District | None, name: str
) -> User:
    """An account through the account service, then the published demo password (the
    service hands out a random one; the demo's must be known and printed)."""
    user, _random = create_user(
        actor=None,  # type: ignore[arg-type]  # the system, as record() allows
        username=username,
        display_name=name,
        role=role,
        school=school,
        district=district,
    )
    change_password(actor=None, user=user, new_password=DEMO_PASSWORD)  # type: ignore[arg-type]
    return user


def _add_staff(
    school: School, staff: list[plan.PersonSpec], users: dict[str, User]
) -> tuple[dict[str, Person], int, int]:
    posts = {p.code: p for p in Post.objects.filter(school=school)}
    people: dict[str, Person] = {}
    rows = honours = 0
    for spec in staff:
        values: dict[str, Any] = spec.values()
        if spec.key in users:
            values["user"] = users[spec.key]
        person = create_person(actor=None, school=school, values=values)
        for spell in spec.spells:
            add_post_history(
                actor=None,
                person=person,
                post=posts[spell.post],
                start=spell.start,
                end=spell.end,
                note=spell.note,
            )
            rows += 1
        for honour in spec.honours:
            add_honour(
                actor=None, person=person, title=honour.title, level=honour.level, year=honour.year
            )
            honours += 1
        if spec.archive_reason:
            person = archive_person(actor=None, person=person, reason=spec.archive_reason)
        people[spec.key] = person
    return people, rows, honours


def _set_default_mentors(school: School, people: dict[str, Person]) -> None:
    for post in Post.objects.filter(school=school).prefetch_related("default_mentors"):
        keys = DEFAULT_MENTORS.get(post.code)
        if not keys:
            continue
        update_post(
            actor=None,
            post=post,
            spec=PostSpec(
                name=post.name,
                category=post.category,
                ladder_level=post.ladder_level,
                allowed_lengths=list(post.allowed_lengths),
                capacity_per_term=post.capacity_per_term,
                code=post.code,
                is_rotation_post=post.is_rotation_post,
                counts_as_head=post.counts_as_head,
                default_mentor_ids=[people[k].pk for k in keys],
                sort_order=post.sort_order,
                note=post.note,
            ),
        )


RULE_SET_2021 = "2021年区、校后备青年人才推荐"
RULE_SET_DEFAULT = "后备干部选拔条件"


def _add_rule_sets(school: School, second: School) -> tuple[RuleSet, RuleSet]:
    """The plan's conditions twice for the demo school: as the school's default (counted
    as of today) and as used for 附1 (推荐时间 2021-02-26); the default for the second school.
    Returns the demo school's two, 附1's first."""
    default = create_rule_set(
        actor=None,
        school=school,
        name=RULE_SET_DEFAULT,
        description=_("学校方案“三、选拔条件”，按当天计算。"),
        is_default=True,
    )
    appendix = create_rule_set(
        actor=None,
        school=school,
        name=RULE_SET_2021,
        reference_date=plan.RECOMMENDATION_DATE,
        description=_(
            "附1：区、校青年干部储备人才调研推荐。推荐时间2021年2月26日，推荐范围在编在岗教职工。"
        ),
    )
    create_rule_set(actor=None, school=second, name=RULE_SET_DEFAULT, is_default=True)
    return appendix, default


def build_demo(
    *,
    progress: Callable[[str], None] = lambda message: None,
    base_url: str = "http://127.0.0.1:8000",
) -> DemoResult:
    """Build the demo unless it exists; see the module docstring.

    Raises ``NotAnEmptyDatabase`` when the database has schools or users but not the
    demo school."""
    if demo_exists():
        return DemoResult(
            created=False,
            accounts=accounts(),
            cycles=summary(School.objects.get(code=SCHOOL_CODE)),
            rotations=rotation_summary(School.objects.get(code=SCHOOL_CODE)),
        )
    refuse_unless_empty()
    started = time.perf_counter()
    result = DemoResult(created=True)
    main_staff = plan.main_school_staff()
    second_staff = plan.second_school_staff(taken={p.name for p in main_staff})
    with transaction.atomic():
        progress("区与学校 …")
        district = create_district(
            actor=None,  # type: ignore[arg-type]  # the system, as record() allows
            name=DISTRICT_NAME,
            code=DISTRICT_CODE,
        )
        school = create_school(
            actor=None,
            district=district,
            name=SCHOOL_NAME,
            code=SCHOOL_CODE,
            short_name=SCHOOL_SHORT,
        )
        second = create_school(
            actor=None,
            district=district,
            name=SECOND_NAME,
            code=SECOND_CODE,
            short_name=SECOND_SHORT,
        )
        progress("学年与学期 …")
        for each in (school, second):
            for start_year in SCHOOL_YEARS:
                create_school_year(actor=None, school=each, start_year=start_year)

        progress("账号 …")
        by_key: dict[str, User] = {}
        for username, role, key in plan.ACCOUNTS:
            school_bound = role in {Role.PERSONNEL, Role.DECISION, Role.MENTOR, Role.STAFF}
            person_name = next((p.name for p in main_staff if p.key == key), "")
            user = _create_account(
                username,
                role,
                school=school if school_bound else None,
                district=district if role == Role.DISTRICT else None,
                name=person_name or str(Role(role).label),
            )
            if key:
                by_key[key] = user

        progress(f"{SCHOOL_NAME}：{len(main_staff)} 名教职工及其任职经历、荣誉 …")
        people, rows, honours = _add_staff(school, main_staff, by_key)
        _set_default_mentors(school, people)
        add_appraisals(main_staff, people)
        progress(f"{SECOND_NAME}：{len(second_staff)} 名教职工 …")
        _second, rows2, honours2 = _add_staff(second, second_staff, {})
        progress("选拔条件 …")
        rules_2021, rules_now = _add_rule_sets(school, second)
        progress(
            "选拔周期（2021、2023、2025年已完成；2026年民主推荐进行中，印制会场选票；"
            "2026年校级补充选拔公示期满，有1件异议待处理）…"
        )
        cycles = add_cycles(
            school, main_staff, people, rules_2021=rules_2021, rules_now=rules_now,
            base_url=base_url,
        )  # fmt: skip
        progress("投票与测评（名单登录投票、已公布的结果、已发布的民主测评）…")
        add_elections(school)
        progress("双向选择与轮岗锻炼（意向表、匹配、轮岗安排、带教记录、急难险重任务）…")
        add_rotations(school, people, progress=progress)

    result.people = len(main_staff) + len(second_staff)
    result.history_rows = rows + rows2
    result.honours = honours + honours2
    result.seconds = time.perf_counter() - started
    result.accounts = accounts()
    result.slips_pdf, result.vote_links = cycles.slips.slips_pdf, cycles.slips.links
    result.cycles = summary(school)
    result.rotations = rotation_summary(school)
    return result
