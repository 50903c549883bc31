"""Writes to the organisation: schools, their posts, the school calendar and the
national working-day overrides. Every change is one function here: atomic, audited."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houbei.audit.services import diff, record
from houbei.core.errors import DomainError, ValidationFailed

from .models import (
    DayKind,
    District,
    LadderLevel,
    Post,
    PostCategory,
    ReviewKind,
    ReviewPoint,
    RotationLength,
    School,
    SchoolYear,
    Term,
    TermNumber,
    WorkdayOverride,
    WorkdayYear,
)
from .school_calendar import (
    TERMS_OVERLAP,
    SchoolYearDates,
    TermDates,
    check_school_year,
    check_term,
    propose_school_year,
)
from .workdays import WorkdayCalendar, load_calendar, package_covers, package_detail

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


# --- Posts --------------------------------------------------------------------------

CODE_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_CAPACITY = 999


@dataclass(frozen=True)
class PostSpec:
    """The editable facts of a post, as the form or the API hands them over."""

    name: str
    category: str
    ladder_level: int
    allowed_lengths: Sequence[str]
    capacity_per_term: int
    code: str = ""
    is_rotation_post: bool = True
    counts_as_head: bool = True
    default_mentor_ids: Sequence[int] = ()
    sort_order: int = 0
    note: str = ""

    @classmethod
    def of(cls, post: Post) -> PostSpec:
        """The facts a post has now, so a caller can change one of them with
        ``dataclasses.replace(PostSpec.of(post), capacity_per_term=3)``."""
        return cls(
            name=post.name,
            category=post.category,
            ladder_level=post.ladder_level,
            allowed_lengths=list(post.allowed_lengths),
            capacity_per_term=post.capacity_per_term,
            code=post.code,
            is_rotation_post=post.is_rotation_post,
            counts_as_head=post.counts_as_head,
            default_mentor_ids=[p.pk for p in post.default_mentors.all()],
            sort_order=post.sort_order,
            note=post.note,
        )


def _person_model() -> Any:
    # The registry sits above the organisation in the import order (people imports
    # organisation), so the mentor model is reached through the relation, not imported.
    return Post._meta.get_field("default_mentors").related_model


def _mentor_label(person: Any) -> str:
    return f"{person.name}（{person.staff_number}）"


def post_snapshot(post: Post) -> dict[str, Any]:
    """The audited facts of a post; mentors by name and staff number."""
    return {
        "name": post.name,
        "code": post.code,
        "category": post.category,
        "ladder_level": post.ladder_level,
        "allowed_lengths": list(post.allowed_lengths),
        "capacity_per_term": post.capacity_per_term,
        "is_rotation_post": post.is_rotation_post,
        "counts_as_head": post.counts_as_head,
        "sort_order": post.sort_order,
        "note": post.note,
        "default_mentors": sorted(_mentor_label(p) for p in post.default_mentors.all()),
    }


def _free_code(school: School) -> str:
    taken = set(Post.objects.filter(school=school).values_list("code", flat=True))
    n = len(taken) + 1
    while f"post-{n}" in taken:
        n += 1
    return f"post-{n}"


def _check_post(school: School, spec: PostSpec, post: Post | None) -> tuple[PostSpec, list[Any]]:
    """Normalise ``spec`` and check it against the school's other posts and staff.
    Returns the cleaned spec and the mentor rows; raises ``ValidationFailed``."""
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    name = " ".join(spec.name.split())
    code = spec.code.strip().lower()
    others = Post.objects.filter(school=school)
    if post is not None:
        others = others.exclude(pk=post.pk)
    if not name:
        fail("name", _("请填写岗位名称。"))
    elif len(name) > 60:
        fail("name", _("岗位名称不能超过60个字。"))
    else:
        clash = others.filter(name=name).first()
        if clash is not None:
            fail(
                "name",
                _("本校已有名为“%(name)s”的岗位%(archived)s。")
                % {
                    "name": name,
                    "archived": _("（已归档，可恢复使用）") if clash.is_archived else "",
                },
            )
    if code:
        if len(code) > 40 or not CODE_RE.match(code):
            fail("code", _("代码只能由小写英文字母、数字和连字符组成，不超过40个字符。"))
        elif others.filter(code=code).exists():
            fail("code", _("本校已有代码为“%(code)s”的岗位。") % {"code": code})
    else:
        code = _free_code(school)
    if spec.category not in PostCategory.values:
        fail("category", _("请选择有效的岗位类别。"))
    if spec.ladder_level not in LadderLevel.values:
        fail("ladder_level", _("请选择有效的层级。"))
    lengths = [x for x in RotationLength.values if x in set(spec.allowed_lengths)]
    if not lengths:
        fail("allowed_lengths", _("至少选择一种允许时长（一学期或一学年）。"))
    elif len(lengths) != len(set(spec.allowed_lengths)):
        fail("allowed_lengths", _("允许时长只能是一学期或一学年。"))
    if not 0 <= spec.capacity_per_term <= MAX_CAPACITY:
        fail(
            "capacity_per_term",
            _("每学期容量应为0到%(max)s之间的整数。") % {"max": MAX_CAPACITY},
        )
    if spec.sort_order < 0:
        fail("sort_order", _("排序不能为负数。"))
    if len(spec.note) > 200:
        fail("note", _("备注不能超过200个字。"))

    wanted = set(spec.default_mentor_ids)
    mentors = list(_person_model().objects.filter(pk__in=wanted, school=school))
    already = set(post.default_mentors.values_list("pk", flat=True)) if post else set()
    if len(mentors) != len(wanted):
        fail("default_mentors", _("所选带教人员中有不属于本校的人员。"))
    for person in mentors:
        # Someone who has left stays listed where they already were, but is not newly
        # chosen as a mentor.
        if person.archived_at is not None and person.pk not in already:
            fail(
                "default_mentors",
                _("%(name)s的档案已归档，不能新设为带教人员。") % {"name": person.name},
            )
    if errors:
        raise ValidationFailed(errors)
    cleaned = PostSpec(
        name=name,
        code=code,
        category=spec.category,
        ladder_level=int(spec.ladder_level),
        allowed_lengths=lengths,
        capacity_per_term=spec.capacity_per_term,
        is_rotation_post=spec.is_rotation_post,
        counts_as_head=spec.counts_as_head,
        default_mentor_ids=[p.pk for p in mentors],
        sort_order=spec.sort_order,
        note=spec.note.strip(),
    )
    return cleaned, mentors


def _apply(post: Post, spec: PostSpec) -> None:
    post.name = spec.name
    post.code = spec.code
    post.category = spec.category
    post.ladder_level = spec.ladder_level
    post.allowed_lengths = list(spec.allowed_lengths)
    post.capacity_per_term = spec.capacity_per_term
    post.is_rotation_post = spec.is_rotation_post
    post.counts_as_head = spec.counts_as_head
    post.sort_order = spec.sort_order
    post.note = spec.note


def create_post(*, actor: Any, school: School, spec: PostSpec) -> Post:
    """Add a post to ``school``.

    Name and code are unique within the school (archived posts included: an archived
    post is restored, not recreated); at least one allowed length; capacity 0–999; the
    default mentors are people of the same school. A blank code is generated.
    Raises ``ValidationFailed`` naming the fields. Audit: ``organisation.post.created``."""
    with transaction.atomic():
        # Serialise post writes per school so two identical posts cannot both pass the
        # uniqueness check.
        School.objects.select_for_update().get(pk=school.pk)
        spec, mentors = _check_post(school, spec, None)
        post = Post(school=school)
        _apply(post, spec)
        post.save()
        post.default_mentors.set(mentors)
        record(
            actor=actor, action="organisation.post.created", target=post, new=post_snapshot(post)
        )
    return post


def update_post(*, actor: Any, post: Post, spec: PostSpec) -> Post:
    """Change a post's facts (archived posts too, so their record can be corrected).

    Same rules as ``create_post``. Changing the ladder level changes how the eligibility
    rule reads the history of everyone who held the post, which is why it is audited
    with the old value. Audit: ``organisation.post.updated`` with the changed fields."""
    with transaction.atomic():
        School.objects.select_for_update().get(pk=post.school_id)
        post = Post.objects.select_for_update().get(pk=post.pk)
        before = post_snapshot(post)
        spec, mentors = _check_post(post.school, spec, post)
        _apply(post, spec)
        post.save()
        post.default_mentors.set(mentors)
        old, new = diff(before, post_snapshot(post))
        if new:
            record(actor=actor, action="organisation.post.updated", target=post, old=old, new=new)
    return post


def archive_post(*, actor: Any, post: Post, reason: str) -> Post:
    """Withdraw a post from use. It is never deleted: the post history, rotations and
    eligibility evidence that name it keep pointing at it. Needs a reason.
    Raises ``DomainError`` if it is already archived. Audit: ``organisation.post.archived``."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": [_("请填写归档原因。")]})
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post.pk)
        if post.is_archived:
            raise DomainError(_("岗位“%(name)s”已经归档。") % {"name": post.name})
        post.archived_at = timezone.now()
        post.archive_reason = reason[:200]
        post.save(update_fields=["archived_at", "archive_reason"])
        record(
            actor=actor,
            action="organisation.post.archived",
            target=post,
            old={"archived": False},
            new={"archived": True},
            reason=reason,
        )
    return post


def restore_post(*, actor: Any, post: Post, reason: str = "") -> Post:
    """Put an archived post back into use. Audit: ``organisation.post.restored``."""
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post.pk)
        if not post.is_archived:
            raise DomainError(_("岗位“%(name)s”未归档，无需恢复。") % {"name": post.name})
        old_reason = post.archive_reason
        post.archived_at = None
        post.archive_reason = ""
        post.save(update_fields=["archived_at", "archive_reason"])
        record(
            actor=actor,
            action="organisation.post.restored",
            target=post,
            old={"archived": True, "archive_reason": old_reason},
            new={"archived": False},
            reason=reason.strip(),
        )
    return post


# --- School years, terms, review points -------------------------------------------------


def _check_no_overlap(school: School, dates: SchoolYearDates, exclude: int | None) -> None:
    years = SchoolYear.objects.for_school(school).filter(start__lte=dates.end, end__gte=dates.start)
    if exclude is not None:
        years = years.exclude(pk=exclude)
    clash = years.first()
    if clash is not None:
        raise ValidationFailed(
            {
                "start": [
                    _("与%(year)s（%(start)s至%(end)s）重叠。")
                    % {"year": clash, "start": clash.start, "end": clash.end}
                ]
            }
        )


def _save_terms(school_year: SchoolYear, dates: SchoolYearDates) -> None:
    for number, term_dates in ((TermNumber.FIRST, dates.first), (TermNumber.SECOND, dates.second)):
        term, _created = Term.objects.update_or_create(
            school_year=school_year,
            number=number,
            defaults={"start": term_dates.start, "end": term_dates.end},
        )
        for kind, day in (
            (ReviewKind.MIDTERM, term_dates.midterm),
            (ReviewKind.FINAL, term_dates.final),
        ):
            ReviewPoint.objects.update_or_create(term=term, kind=kind, defaults={"date": day})


def school_year_dates(school_year: SchoolYear) -> SchoolYearDates | None:
    """The stored dates of a school year, or None if a term or review point is missing
    (rows created outside these services)."""
    terms = {t.number: t for t in school_year.terms.all()}
    parts = []
    for number in (TermNumber.FIRST, TermNumber.SECOND):
        term = terms.get(number)
        if term is None:
            return None
        points = {p.kind: p.date for p in term.review_points.all()}
        if ReviewKind.MIDTERM not in points or ReviewKind.FINAL not in points:
            return None
        parts.append(
            TermDates(term.start, term.end, points[ReviewKind.MIDTERM], points[ReviewKind.FINAL])
        )
    return SchoolYearDates(school_year.start, school_year.end, parts[0], parts[1])


MIN_START_YEAR, MAX_START_YEAR = 2000, 2100


def create_school_year(
    *,
    actor: Any,
    school: School,
    start_year: int,
    dates: SchoolYearDates | None = None,
    calendar: WorkdayCalendar | None = None,
) -> SchoolYear:
    """Create the school year ``start_year``–``start_year + 1`` with its two terms and
    each term's 期中 and 期末 review points.

    ``dates`` defaults to ``propose_school_year`` (Shanghai-style standard dates, review
    points on working days of ``calendar``, by default the deployment's). The dates must
    pass ``check_school_year`` and the year must not overlap another year of the school.
    Raises ``ValidationFailed`` (by field) otherwise, or if the year already exists.
    Audit: ``organisation.schoolyear.created`` with all dates."""
    if not MIN_START_YEAR <= start_year <= MAX_START_YEAR:
        raise ValidationFailed({"start_year": [_("学年起始年份应在2000至2100之间。")]})
    if dates is None:
        dates = propose_school_year(start_year, calendar or load_calendar())
    errors = check_school_year(start_year, dates)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        School.objects.select_for_update().get(pk=school.pk)
        if SchoolYear.objects.filter(school=school, start_year=start_year).exists():
            raise ValidationFailed(
                {"start_year": [_("%(year)s学年已经存在。") % {"year": start_year}]}
            )
        _check_no_overlap(school, dates, None)
        school_year = SchoolYear.objects.create(
            school=school, start_year=start_year, start=dates.start, end=dates.end
        )
        _save_terms(school_year, dates)
        record(
            actor=actor,
            action="organisation.schoolyear.created",
            target=school_year,
            new={"start_year": start_year, **dates.as_fields()},
        )
    return school_year


def update_school_year(
    *, actor: Any, school_year: SchoolYear, dates: SchoolYearDates
) -> SchoolYear:
    """Change every date of a school year (its start year stays). Same rules as
    ``create_school_year``. Audit: ``organisation.schoolyear.updated`` with the changed
    dates."""
    errors = check_school_year(school_year.start_year, dates)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        School.objects.select_for_update().get(pk=school_year.school_id)
        school_year = SchoolYear.objects.select_for_update().get(pk=school_year.pk)
        before = school_year_dates(school_year)
        _check_no_overlap(school_year.school, dates, school_year.pk)
        school_year.start, school_year.end = dates.start, dates.end
        school_year.save(update_fields=["start", "end"])
        _save_terms(school_year, dates)
        old, new = diff(before.as_fields() if before else {}, dates.as_fields())
        if new:
            record(
                actor=actor,
                action="organisation.schoolyear.updated",
                target=school_year,
                old=old,
                new=new,
            )
    return school_year


def update_term(
    *, actor: Any, term: Term, start: dt.date, end: dt.date, midterm: dt.date, final: dt.date
) -> Term:
    """Change one term's dates and its two review points. The term must keep
    ``check_term`` within its school year and must not overlap the year's other term.
    Raises ``ValidationFailed`` with field names ``start``, ``end``, ``midterm``,
    ``final``. Audit: ``organisation.term.updated`` with the changed dates."""
    new = TermDates(start, end, midterm, final)
    with transaction.atomic():
        school_year = SchoolYear.objects.select_for_update().get(pk=term.school_year_id)
        term = Term.objects.prefetch_related("review_points").get(pk=term.pk)
        errors = check_term(term.number, new, school_year.start, school_year.end)
        sibling = school_year.terms.exclude(pk=term.pk).first()
        if sibling is not None:
            if term.number == TermNumber.FIRST and end >= sibling.start:
                errors.setdefault("end", []).append(str(TERMS_OVERLAP))
            if term.number == TermNumber.SECOND and start <= sibling.end:
                errors.setdefault("start", []).append(str(TERMS_OVERLAP))
        if errors:
            raise ValidationFailed(errors)
        points = {p.kind: p.date for p in term.review_points.all()}
        before = {
            "start": term.start,
            "end": term.end,
            "midterm": points.get(ReviewKind.MIDTERM),
            "final": points.get(ReviewKind.FINAL),
        }
        term.start, term.end = start, end
        term.save(update_fields=["start", "end"])
        for kind, day in ((ReviewKind.MIDTERM, midterm), (ReviewKind.FINAL, final)):
            ReviewPoint.objects.update_or_create(term=term, kind=kind, defaults={"date": day})
        old, changed = diff(
            before, {"start": start, "end": end, "midterm": midterm, "final": final}
        )
        if changed:
            record(
                actor=actor,
                action="organisation.term.updated",
                target=term,
                school=school_year.school,  # a term reaches its school through its year
                old=old,
                new=changed,
            )
    return term


# --- Working-day overrides (national, not per school) ----------------------------------


def _override_snapshot(override: WorkdayOverride) -> dict[str, Any]:
    return {
        "date": override.date,
        "kind": override.kind,
        "name": override.name,
        "reason": override.reason,
    }


def _check_override(day: dt.date, kind: str, name: str, reason: str) -> None:
    errors: dict[str, list[str]] = {}
    if kind not in DayKind.values:
        errors["kind"] = [_("请选择工作日或休息日。")]
    if not reason.strip():
        errors["reason"] = [_("请填写依据，如国务院办公厅的节假日安排通知。")]
    elif len(reason.strip()) > 200:
        errors["reason"] = [_("依据不能超过200个字。")]
    if len(name.strip()) > 60:
        errors["name"] = [_("名称不能超过60个字。")]
    detail = package_detail(day)
    if not errors and detail is not None and detail[0] == (kind == DayKind.WORKDAY):
        what = _("工作日") if detail[0] else _("休息日")
        errors["kind"] = [
            _("%(day)s在节假日数据中已是%(what)s%(name)s，无需调整。")
            % {"day": day, "what": what, "name": f"（{detail[1]}）" if detail[1] else ""}
        ]
    if errors:
        raise ValidationFailed(errors)


def add_workday_override(
    *, actor: Any, day: dt.date, kind: str, reason: str, name: str = ""
) -> WorkdayOverride:
    """Record that ``day`` is a working day or a rest day, whatever the data package says.

    Needs a reason (the notice it comes from). Refused if the day already has an
    override (edit that one) or if the package already says the same. Overrides are
    national: they apply to every school of the deployment.
    Audit: ``organisation.workday_override.added``."""
    _check_override(day, kind, name, reason)
    with transaction.atomic():
        existing = WorkdayOverride.objects.select_for_update().filter(date=day).first()
        if existing is not None:
            raise ValidationFailed(
                {"date": [_("%(day)s已有调整记录，请修改该记录。") % {"day": day}]}
            )
        override = WorkdayOverride.objects.create(
            date=day, kind=kind, name=name.strip(), reason=reason.strip()
        )
        record(
            actor=actor,
            action="organisation.workday_override.added",
            target=override,
            new=_override_snapshot(override),
            reason=override.reason,
        )
    return override


def update_workday_override(
    *, actor: Any, override: WorkdayOverride, kind: str, reason: str, name: str = ""
) -> WorkdayOverride:
    """Change an override's kind, name or reason (its date stays). Same rules as
    ``add_workday_override``. Audit: ``organisation.workday_override.updated``."""
    with transaction.atomic():
        override = WorkdayOverride.objects.select_for_update().get(pk=override.pk)
        _check_override(override.date, kind, name, reason)
        before = _override_snapshot(override)
        override.kind, override.name, override.reason = kind, name.strip(), reason.strip()
        override.save(update_fields=["kind", "name", "reason"])
        old, new = diff(before, _override_snapshot(override))
        if new:
            record(
                actor=actor,
                action="organisation.workday_override.updated",
                target=override,
                old=old,
                new=new,
                reason=override.reason,
            )
    return override


def remove_workday_override(*, actor: Any, override: WorkdayOverride, reason: str) -> None:
    """Delete an override, so the day follows the data package (or the weekend rule)
    again. Overrides are configuration, not records a school must keep; the audit entry
    keeps what was removed and why. Audit: ``organisation.workday_override.removed``."""
    if not reason.strip():
        raise ValidationFailed({"reason": [_("请填写删除原因。")]})
    with transaction.atomic():
        override = WorkdayOverride.objects.select_for_update().get(pk=override.pk)
        record(
            actor=actor,
            action="organisation.workday_override.removed",
            target=override,
            old=_override_snapshot(override),
            reason=reason.strip(),
        )
        override.delete()


def confirm_workday_year(*, actor: Any, year: int, source: str) -> WorkdayYear:
    """Declare that every holiday and adjusted working day of ``year`` has been entered
    as overrides, so the year's other days follow the weekend rule without a warning.

    Refused for a year the data package covers (nothing to confirm), a year already
    confirmed, or without a source. Audit: ``organisation.workday_year.confirmed``."""
    source = source.strip()
    errors: dict[str, list[str]] = {}
    if not MIN_START_YEAR <= year <= MAX_START_YEAR:
        errors["year"] = [_("年份应在2000至2100之间。")]
    elif package_covers(year):
        errors["year"] = [_("节假日数据已包含%(year)s年的安排，无需确认。") % {"year": year}]
    if not source:
        errors["source"] = [_("请填写依据，如国务院办公厅的节假日安排通知。")]
    elif len(source) > 200:
        errors["source"] = [_("依据不能超过200个字。")]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        if WorkdayYear.objects.select_for_update().filter(year=year).exists():
            raise ValidationFailed({"year": [_("%(year)s年已确认。") % {"year": year}]})
        entry = WorkdayYear.objects.create(year=year, source=source)
        entered = WorkdayOverride.objects.filter(date__year=year).count()
        record(
            actor=actor,
            action="organisation.workday_year.confirmed",
            target=entry,
            new={"year": year, "source": source, "overrides": entered},
            reason=source,
        )
    return entry


def withdraw_workday_year(*, actor: Any, entry: WorkdayYear, reason: str) -> None:
    """Undo ``confirm_workday_year``: the year's unlisted days are again counted by the
    weekend rule *with* a warning. Audit: ``organisation.workday_year.withdrawn``."""
    if not reason.strip():
        raise ValidationFailed({"reason": [_("请填写撤销原因。")]})
    with transaction.atomic():
        entry = WorkdayYear.objects.select_for_update().get(pk=entry.pk)
        record(
            actor=actor,
            action="organisation.workday_year.withdrawn",
            target=entry,
            old={"year": entry.year, "source": entry.source},
            reason=reason.strip(),
        )
        entry.delete()
