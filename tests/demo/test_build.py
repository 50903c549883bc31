"""Building the demo through the real services: contents, accounts, idempotence, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from houbei.accounts.models import Role, User
from houbei.audit.models import AuditEntry, AuditHead
from houbei.audit.services import verify_chain
from houbei.demo import plan
from houbei.demo.builder import (
    DEMO_PASSWORD,
    SCHOOL_CODE,
    SCHOOL_YEARS,
    SECOND_CODE,
    build_demo,
    demo_exists,
)
from houbei.organisation.models import Post, ReviewPoint, School, SchoolYear, Term
from houbei.people import durations
from houbei.people.models import Honour, Person, PostHistory

REF = plan.RECOMMENDATION_DATE


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """One build for the module (it takes seconds); each test runs in its own rolled-back
    transaction on top, and the data is flushed when the module is done."""
    with django_db_blocker.unblock():
        result = build_demo()
    yield result
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def demo(built, db):  # type: ignore[no-untyped-def]
    return built


def test_demo_has_the_plan_school_its_staff_and_a_second_school(demo) -> None:
    assert demo.created and demo_exists()
    school = School.objects.get(code=SCHOOL_CODE)
    assert (school.name, school.short_name, school.district.name) == (
        "市八初级中学",
        "市八初中",
        "示范区",
    )
    assert Person.objects.filter(school=school).count() == 122
    assert Person.objects.filter(school=school, archived_at__isnull=True).count() == 120
    archived = Person.objects.filter(school=school, archived_at__isnull=False)
    assert all(p.archive_reason.startswith("20") and "调往" in p.archive_reason for p in archived)
    second = School.objects.get(code=SECOND_CODE)
    assert second.district_id == school.district_id
    assert Person.objects.filter(school=second).count() == 20
    assert PostHistory.objects.count() == demo.history_rows > 250
    assert Honour.objects.count() == demo.honours > 80
    assert Post.objects.filter(school=school).count() == 10


def test_demo_school_years_have_terms_and_review_points(demo) -> None:
    school = School.objects.get(code=SCHOOL_CODE)
    years = SchoolYear.objects.filter(school=school).order_by("start_year")
    assert [y.start_year for y in years] == list(SCHOOL_YEARS)
    assert Term.objects.filter(school_year__school=school).count() == 2 * len(SCHOOL_YEARS)
    assert ReviewPoint.objects.filter(term__school_year__school=school).count() == 4 * len(
        SCHOOL_YEARS
    )
    assert years.first().start == dt.date(2020, 9, 1)


def test_appendix_1_people_are_eligible_from_the_stored_rows(demo) -> None:
    """The check a later eligibility module will make, from the database: ladder levels
    come from the school's posts, durations from merged history rows."""
    school = School.objects.get(code=SCHOOL_CODE)
    for name in plan.APPENDIX_1:
        person = Person.objects.get(school=school, name=name)
        rows = list(person.post_history.select_related("post"))
        assert 28 <= person.age_on(REF) <= 45
        assert person.establishment == "in" and person.post_status == "on"
        assert durations.full_years_between(person.joined_school_on, REF) >= 5
        heads = [(r.start, r.end) for r in rows if r.post.counts_as_head]
        assert durations.merged_years_months(heads, REF) >= (3, 0), name
        below = 3 if name in plan.DISTRICT_LIST else 2
        level_below = [(r.start, r.end) for r in rows if r.post.ladder_level == below]
        assert durations.merged_years_months(level_below, REF) >= (1, 0), name
        assert person.fit_for_duty is True


def test_one_account_per_role_that_can_log_in(demo) -> None:
    users = {u.username: u for u in User.objects.all()}
    assert {u.role for u in users.values()} == set(Role.values)
    assert len(users) == len(Role)
    linked = dict(Person.objects.exclude(user=None).values_list("user__username", "name"))
    assert linked == {
        "renshi": "施雅琴",
        "xiaowu": "周晓燕",
        "daijiao": "沈佩玲",
        "jiaogong": "邹建琴",
    }
    assert [a.username for a in demo.accounts] == [a[0] for a in plan.ACCOUNTS]
    for username in users:
        client = Client()
        assert client.login(username=username, password=DEMO_PASSWORD), username
        assert client.get(reverse("home")).status_code == 200


def test_rotation_posts_have_their_incumbents_as_default_mentors(demo) -> None:
    school = School.objects.get(code=SCHOOL_CODE)
    mentors = {
        p.code: sorted(m.name for m in p.default_mentors.all())
        for p in Post.objects.filter(school=school).prefetch_related("default_mentors")
    }
    assert mentors["academic-office"] == ["沈佩玲"]
    assert mentors["school-leader"] == ["顾建华"]
    assert all(mentors.values())


def test_second_build_changes_nothing_and_adds_no_audit_entries(demo) -> None:
    head = AuditHead.objects.get()
    counts = (Person.objects.count(), PostHistory.objects.count(), User.objects.count())
    again = build_demo()
    assert not again.created
    assert [a.username for a in again.accounts] == [a.username for a in demo.accounts]
    assert AuditHead.objects.get().hash == head.hash
    assert (Person.objects.count(), PostHistory.objects.count(), User.objects.count()) == counts


def test_demo_is_recorded_as_system_actions_in_an_intact_chain(demo) -> None:
    assert verify_chain() is None
    assert not AuditEntry.objects.exclude(actor=None).exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "organisation.school.created",
        "organisation.schoolyear.created",
        "people.person.created",
        "people.post_history.added",
        "people.honour.added",
        "people.person.archived",
        "accounts.user.created",
        "accounts.user.password_changed",
        "organisation.district.created",
        "organisation.post.updated",
    } <= actions


def test_the_demo_has_an_open_meeting_a_roll_vote_and_published_results(built, db):
    from houbei.ballots.models import Ballot, Election, Status
    from houbei.ballots.results import results_of
    from houbei.demo import elections

    by_title = {e.title: e for e in Election.objects.all()}
    meeting = by_title[elections.MEETING_TITLE]
    assert meeting.status == Status.OPEN and meeting.mode == "slips"
    assert by_title[elections.ROLL_TITLE].status == Status.OPEN
    published = results_of(by_title[elections.PUBLISHED_TITLE])
    assert published.digest_matches and published.turnout.participants == 96
    assert published.turnout.quorum_reached
    assert built.slips_pdf is not None and built.slips_pdf.read_bytes().startswith(b"%PDF")

    # A visitor votes with one of the printed slips' links.
    link = built.vote_links[0]
    path, code = link.split("127.0.0.1:8000", 1)[1].split("#c=")
    client = Client()
    before = Ballot.objects.filter(election=meeting).count()
    first = meeting.lists.first()
    pick = first.candidates.first()
    response = client.post(path, {"code": code, "step": "confirm", f"list-{first.pk}": [pick.pk]})
    assert "投票成功" in response.content.decode()
    assert Ballot.objects.filter(election=meeting).count() == before + 1


def test_the_demo_has_a_released_appraisal_with_a_hidden_group(built, db):
    from houbei.ballots.ratings.models import RatingRound, RoundStatus
    from houbei.ballots.ratings.services import results_of
    from houbei.demo.elections import RATING_TITLE

    rating_round = RatingRound.objects.get(title=RATING_TITLE)
    assert rating_round.status == RoundStatus.RELEASED
    report = results_of(rating_round).report
    shown = {g.group.name: g.decision.shown for g in report.groups}
    # 服务对象 (3 of k = 5) is hidden; one more group goes with it so it cannot be
    # worked out from the overall figure.
    assert shown["服务对象"] is False
    assert sum(not v for v in shown.values()) == 2 and report.overall.shown
