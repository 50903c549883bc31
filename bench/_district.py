"""District generator for the benchmarks: many schools with full rosters, built fast.

The default is the size of a large Chinese district: 60 schools × 150 staff (≈ 9,000
people) with 5–8 post-history rows each (≈ 58,000 rows), some honours, and one user per
school role per school plus a district viewer and a system administrator.

Schools go through ``create_school`` (so the plan's posts are seeded and audited as in
production); people, history, honours and users are bulk-inserted in batches, because a
benchmark's set-up should take seconds, not the minutes one audited service call per row
would. Deterministic for a given seed.

Run on its own (in a scratch database, dropped afterwards) to time the build:

    houbei bench _district [--schools 60] [--staff 150]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from houbei.accounts.models import Role, User
from houbei.demo.names import name_generator
from houbei.organisation.models import District, Post, School
from houbei.organisation.services import create_school
from houbei.people.models import (
    Education,
    Establishment,
    Gender,
    Honour,
    HonourLevel,
    Person,
    PoliticalStatus,
    PostHistory,
    PostStatus,
)

from ._report import emit, log

BENCH_PASSWORD = "bench-password"
SCHOOL_ROLES = (Role.PERSONNEL, Role.DECISION, Role.MENTOR, Role.STAFF)
SUBJECTS = (
    "语文",
    "数学",
    "英语",
    "物理",
    "化学",
    "道德与法治",
    "历史",
    "地理",
    "生物",
    "体育",
    "音乐",
    "美术",
    "信息科技",
)
TITLES = ("二级教师", "一级教师", "高级教师")
HONOURS = ("优秀党员", "“勤朴”教师", "优秀班主任", "优秀教师")
TODAY = dt.date(2026, 11, 25)
BATCH = 2000


@dataclass
class GeneratedDistrict:
    district: District
    schools: list[School]
    users: dict[int, dict[Role, User]] = field(default_factory=dict)  # school id → role → user
    district_user: User | None = None
    sysadmin: User | None = None
    people: int = 0
    history_rows: int = 0
    honours: int = 0
    seconds: float = 0.0


def _career(
    rng: random.Random, joined: dt.date, posts: dict[str, int], rows: int
) -> list[tuple[int, dt.date, dt.date | None]]:
    """``rows`` spells between the joining date and today: 班主任 first, then team and
    office posts; a fifth of them run on past the next one's start (two posts held at
    once), and only the last may still be open — about as many current post holders per
    school as a real one has."""
    span = max((TODAY - joined).days - 30, rows)
    starts = sorted(joined + dt.timedelta(days=d) for d in rng.sample(range(span), rows))
    codes = list(posts)
    spells: list[tuple[int, dt.date, dt.date | None]] = []
    for i, start in enumerate(starts):
        code = "class-teacher" if i < 2 or rng.random() < 0.4 else rng.choice(codes)
        if i + 1 < len(starts):
            end: dt.date | None = starts[i + 1] - dt.timedelta(days=1)
            if rng.random() < 0.2:
                assert end is not None
                end = min(
                    end + dt.timedelta(days=rng.randint(30, 365)), TODAY - dt.timedelta(days=1)
                )
        elif rng.random() < 0.35:
            end = None
        else:
            end = start + dt.timedelta(days=rng.randint(0, (TODAY - start).days))
        spells.append((posts[code], start, end))
    return spells


def build_district(
    *,
    schools: int = 60,
    staff: int = 150,
    seed: int = 2026,
    name: str = "基准区",
    code: str = "bench",
) -> GeneratedDistrict:
    """Create a district of ``schools`` schools with ``staff`` people each; see module doc."""
    started = time.perf_counter()
    rng = random.Random(seed)
    names = name_generator(rng, unique=False)
    password = make_password(BENCH_PASSWORD)  # hashed once: Argon2 per user would dominate
    with transaction.atomic():
        district = District.objects.create(name=name, code=code)
        created = [
            create_school(
                actor=None,
                district=district,
                name=f"{name}第{i + 1:02d}中学",
                code=f"{code}-{i + 1:02d}",
                short_name=f"{i + 1:02d}中",
            )
            for i in range(schools)
        ]
        result = GeneratedDistrict(district=district, schools=created)
        posts_by_school: dict[int, dict[str, int]] = {}
        for post in Post.objects.filter(school__in=created).only("pk", "school_id", "code"):
            posts_by_school.setdefault(post.school_id, {})[post.code] = post.pk

        users = [
            User(
                username=f"{role.value}-{school.code}",
                password=password,
                role=role,
                school=school,
                display_name=f"{school.short_name}{role.label}",
            )
            for school in created
            for role in SCHOOL_ROLES
        ]
        users.append(
            User(
                username=f"district-{code}",
                password=password,
                role=Role.DISTRICT,
                district=district,
                display_name=f"{name}教育局",
            )
        )
        users.append(
            User(
                username=f"sysadmin-{code}",
                password=password,
                role=Role.SYSADMIN,
                display_name="系统管理员",
            )
        )
        User.objects.bulk_create(users, batch_size=BATCH)
        saved = {
            u.username: u for u in User.objects.filter(username__in=[u.username for u in users])
        }
        for school in created:
            result.users[school.pk] = {
                role: saved[f"{role.value}-{school.code}"] for role in SCHOOL_ROLES
            }
        result.district_user = saved[f"district-{code}"]
        result.sysadmin = saved[f"sysadmin-{code}"]

        people: list[Person] = []
        for school in created:
            linked = {
                0: result.users[school.pk][Role.DECISION],
                1: result.users[school.pk][Role.MENTOR],
                2: result.users[school.pk][Role.STAFF],
                3: result.users[school.pk][Role.PERSONNEL],
            }
            for n in range(staff):
                female = rng.random() < 0.68
                birth = dt.date(rng.randint(1966, 2002), rng.randint(1, 12), rng.randint(1, 28))
                # Most people join soon after their first job; squaring skews towards that.
                first_job = birth.year + 22
                joined = dt.date(
                    min(2026, first_job + int(rng.random() ** 2 * max(0, 2026 - first_job))), 9, 1
                )
                status = rng.choices(
                    (PostStatus.ON_DUTY, PostStatus.OFF_DUTY, PostStatus.RETIRED), (92, 4, 4)
                )[0]
                people.append(
                    Person(
                        school=school,
                        staff_number=f"{joined.year}{n:04d}",
                        name=names.draw(female),
                        gender=Gender.FEMALE if female else Gender.MALE,
                        birth_date=birth,
                        joined_school_on=joined,
                        started_work_on=dt.date(birth.year + 22, 8, 1),
                        establishment=Establishment.IN
                        if rng.random() < 0.93
                        else Establishment.OUT,
                        post_status=status,
                        political_status=rng.choices(list(PoliticalStatus), (38, 2, 8, 49, 3))[0],
                        education=rng.choices(
                            (Education.MASTER, Education.BACHELOR, Education.COLLEGE), (20, 75, 5)
                        )[0],
                        title=TITLES[min(2, max(0, (2026 - birth.year - 24) // 9))],
                        subject=rng.choice(SUBJECTS),
                        fit_for_duty=True,
                        fit_for_duty_on=dt.date(2026, 9, 1),
                        user=linked.get(n),
                    )
                )
        Person.objects.bulk_create(people, batch_size=BATCH)
        result.people = len(people)
        # bulk_create sets primary keys on both SQLite (RETURNING) and PostgreSQL.
        rows: list[PostHistory] = []
        honours: list[Honour] = []
        for person in people:
            posts = posts_by_school[person.school_id]
            assert person.joined_school_on is not None
            for post_id, start, end in _career(
                rng, person.joined_school_on, posts, rng.randint(5, 8)
            ):
                rows.append(PostHistory(person_id=person.pk, post_id=post_id, start=start, end=end))
            for _i in range(rng.choices((0, 1, 2), (60, 30, 10))[0]):
                honours.append(
                    Honour(
                        person_id=person.pk,
                        title=rng.choice(HONOURS),
                        level=rng.choices(list(HonourLevel)[:3], (70, 25, 5))[0],
                        year=rng.randint(2012, 2025),
                    )
                )
            if len(rows) >= BATCH * 5:
                PostHistory.objects.bulk_create(rows, batch_size=BATCH)
                result.history_rows += len(rows)
                rows = []
        PostHistory.objects.bulk_create(rows, batch_size=BATCH)
        result.history_rows += len(rows)
        Honour.objects.bulk_create(honours, batch_size=BATCH)
        result.honours = len(honours)
    # A database in service has planner statistics; one bulk-loaded a moment ago has none,
    # and PostgreSQL then picks plans a hundred times slower than it would in production.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    result.seconds = time.perf_counter() - started
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="houbei bench _district")
    parser.add_argument("--schools", type=int, default=60)
    parser.add_argument("--staff", type=int, default=150)
    args = parser.parse_args(argv)
    log(f"building {args.schools} schools × {args.staff} staff …")
    built = build_district(schools=args.schools, staff=args.staff)
    emit(
        "district",
        "build_seconds",
        built.seconds,
        "s",
        people=built.people,
        history_rows=built.history_rows,
        honours=built.honours,
    )
    rows = built.people + built.history_rows + built.honours
    emit("district", "rows_per_second", rows / built.seconds, "rows/s")
    return 0


if __name__ == "__main__":
    # Standalone runs go through the bench runner so they get a scratch database too.
    import os
    import sys

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "houbei.settings")
    from houbei.cli import main as houbei_main

    houbei_main(["bench", "_district", *sys.argv[1:]])
