"""Writes to the organisation: schools and their posts."""

from __future__ import annotations

from django.db import transaction

from houbei.audit.services import record

from .models import District, LadderLevel, Post, PostCategory, RotationLength, School

# The plan's section 五 and table 七: ten rotation posts, each 一学期或一学年.
PLAN_POSTS: list[dict[str, object]] = [
    {
        "code": "class-teacher",
        "name": "班主任",
        "category": PostCategory.CLASS_TEACHER,
        "ladder_level": LadderLevel.CLASS,
        "capacity_per_term": 4,
    },
    {
        "code": "grade-leader",
        "name": "年级组长",
        "category": PostCategory.TEAM_HEAD,
        "ladder_level": LadderLevel.TEAM,
        "capacity_per_term": 2,
    },
    {
        "code": "subject-leader",
        "name": "教研组长",
        "category": PostCategory.TEAM_HEAD,
        "ladder_level": LadderLevel.TEAM,
        "capacity_per_term": 2,
    },
    {
        "code": "academic-office",
        "name": "教导处",
        "category": PostCategory.OFFICE,
        "ladder_level": LadderLevel.OFFICE,
        "capacity_per_term": 1,
    },
    {
        "code": "teaching-office",
        "name": "教务处",
        "category": PostCategory.OFFICE,
        "ladder_level": LadderLevel.OFFICE,
        "capacity_per_term": 1,
    },
    {
        "code": "moral-office",
        "name": "德育处",
        "category": PostCategory.OFFICE,
        "ladder_level": LadderLevel.OFFICE,
        "capacity_per_term": 1,
    },
    {
        "code": "general-office",
        "name": "总务处",
        "category": PostCategory.OFFICE,
        "ladder_level": LadderLevel.OFFICE,
        "capacity_per_term": 1,
    },
    {
        "code": "personnel-office",
        "name": "人事室",
        "category": PostCategory.OFFICE,
        "ladder_level": LadderLevel.OFFICE,
        "capacity_per_term": 1,
    },
    {
        "code": "trade-union",
        "name": "工会",
        "category": PostCategory.UNION,
        "ladder_level": LadderLevel.OFFICE,
        "capacity_per_term": 1,
    },
    {
        "code": "school-leader",
        "name": "（副）校级",
        "category": PostCategory.LEADERSHIP,
        "ladder_level": LadderLevel.SCHOOL,
        "capacity_per_term": 1,
    },
]


def seed_plan_posts(*, actor: object, school: School) -> list[Post]:
    """Create the plan's ten rotation posts for a school; existing codes are left alone."""
    created = []
    with transaction.atomic():
        for order, spec in enumerate(PLAN_POSTS, start=1):
            post, was_created = Post.objects.get_or_create(
                school=school,
                code=spec["code"],
                defaults={
                    **spec,
                    "sort_order": order,
                    "allowed_lengths": [RotationLength.TERM, RotationLength.YEAR],
                },
            )
            if was_created:
                created.append(post)
        if created:
            record(
                actor=actor,
                action="organisation.posts.seeded",
                school=school,
                target=school,
                new={"posts": [p.name for p in created]},
            )
    return created


def create_school(
    *, actor: object, district: District, name: str, code: str, short_name: str = ""
) -> School:
    with transaction.atomic():
        school = School.objects.create(
            district=district, name=name, code=code, short_name=short_name
        )
        record(
            actor=actor,
            action="organisation.school.created",
            target=school,
            school=school,
            new={"name": name, "code": code},
        )
        seed_plan_posts(actor=actor, school=school)
    return school
