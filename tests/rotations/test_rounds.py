"""A round's set-up and its life cycle: 填报意向 → 意向已截止 → 已生成匹配方案 → 方案已调整 →
已确认, with reopening and discarding only with a reason, and every other move refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from houbei.audit.models import AuditEntry
from houbei.core.errors import ValidationFailed
from houbei.eligibility.models import Rule
from houbei.eligibility.services import create_rule_set, grant_exemption
from houbei.organisation.models import TermNumber
from houbei.organisation.services import create_school_year
from houbei.rotations.models import (
    LevelWaiver,
    Round,
    RoundMentor,
    RoundPost,
    RoundScope,
    RoundStatus,
)
from houbei.rotations.proposal import (
    confirm_round,
    discard_proposal,
    move_candidate,
    run_matching,
)
from houbei.rotations.rounds import (
    close_intentions,
    create_round,
    grant_level_waiver,
    reopen_intentions,
    revoke_level_waiver,
    set_mentor_capacity,
    set_round_post,
    update_round,
)

from .conftest import fill, last_entry, term_of

pytestmark = pytest.mark.django_db


def test_create_round_offers_the_rotation_posts_with_their_seats_and_mentors(
    school, admin, years, mentors, posts
):
    round_ = create_round(actor=admin, school=school, title="秋季轮岗", start_term=years[0])
    assert round_.status == RoundStatus.OPEN
    offers = {o.post.code: o for o in RoundPost.objects.filter(round=round_)}
    assert len(offers) == 10
    assert offers["class-teacher"].capacity == posts["class-teacher"].capacity_per_term == 4
    assert list(offers["academic-office"].mentors.all()) == [mentors["academic"]]
    assert not offers["grade-leader"].mentors.exists()
    assert round_.min_months_below == 12 and round_.default_mentor_capacity == 2
    entry = last_entry("rotations.round.created")
    assert entry.actor == admin and entry.new["title"] == "秋季轮岗"
    assert "教导处" in entry.new["posts"]


def test_create_round_takes_the_level_rule_and_its_exemptions_from_the_default_rules(
    school, admin, years, posts
):
    rule_set = create_rule_set(actor=admin, school=school, name="默认条件", is_default=True)
    rule = Rule.objects.get(rule_set=rule_set, type="level_below")
    rule.params = {**rule.params, "min_years": "1.5"}
    rule.save()
    grant_exemption(actor=admin, rule=rule, post=posts["trade-union"], reason="工会岗位酌情处理")
    round_ = create_round(actor=admin, school=school, title="秋季轮岗", start_term=years[0])
    assert round_.min_months_below == 18
    union = RoundPost.objects.get(round=round_, post=posts["trade-union"])
    assert union.level_exempt and union.exempt_reason == "工会岗位酌情处理"
    assert not RoundPost.objects.get(round=round_, post=posts["moral-office"]).level_exempt


def test_create_round_refusals_name_their_field(school, other_school, admin, years, posts):
    create_round(actor=admin, school=school, title="秋季轮岗", start_term=years[0])
    cases = [
        ({"title": " "}, "title"),
        ({"title": "秋季轮岗", "start_term": years[1]}, "title"),
        ({"start_term": years[0]}, "start_term"),  # an unconfirmed round starts then already
        ({"scope": RoundScope.YEAR, "start_term": years[1]}, "start_term"),
        ({"min_months_below": 200, "start_term": years[2]}, "min_months_below"),
        ({"default_mentor_capacity": 99, "start_term": years[2]}, "default_mentor_capacity"),
        ({"posts": [], "start_term": years[2]}, "posts"),
    ]
    for changes, field in cases:
        values = {"title": "另一轮", "start_term": years[2], **changes}
        with pytest.raises(ValidationFailed) as refused:
            create_round(actor=admin, school=school, **values)
        assert field in refused.value.errors, changes
    create_school_year(actor=None, school=other_school, start_year=2026)
    with pytest.raises(ValidationFailed) as refused:
        create_round(
            actor=admin, school=school, title="别校学期",
            start_term=term_of(other_school, 2026, TermNumber.FIRST),
        )  # fmt: skip
    assert refused.value.errors["start_term"] == ["学期不属于本校。"]


def test_a_year_round_starts_in_the_first_term(school, admin, years):
    round_ = create_round(
        actor=admin, school=school, title="2026学年", start_term=years[0], scope=RoundScope.YEAR
    )
    assert round_.scope == RoundScope.YEAR


def test_update_round_changes_settings_and_records_only_the_changes(round_, admin):
    update_round(
        actor=admin, round_=round_, title=round_.title, intentions_due=None,
        min_months_below=6, default_mentor_capacity=3, note="",
    )  # fmt: skip
    round_.refresh_from_db()
    assert (round_.min_months_below, round_.default_mentor_capacity) == (6, 3)
    entry = last_entry("rotations.round.updated")
    assert entry.old == {"min_months_below": 12, "default_mentor_capacity": 2}
    assert entry.new == {"min_months_below": 6, "default_mentor_capacity": 3}


def test_set_round_post_needs_a_reason_for_an_exemption(round_, admin, posts, mentors):
    with pytest.raises(ValidationFailed) as refused:
        set_round_post(
            actor=admin, round_=round_, post=posts["school-leader"], capacity=1, mentors=[],
            level_exempt=True,
        )  # fmt: skip
    assert refused.value.errors == {"exempt_reason": ["请填写免除理由。"]}
    offer = set_round_post(
        actor=admin, round_=round_, post=posts["school-leader"], capacity=2,
        mentors=[mentors["academic"]], level_exempt=True, exempt_reason="校级岗位试点",
    )  # fmt: skip
    assert offer.capacity == 2 and offer.level_exempt
    assert list(offer.mentors.all()) == [mentors["academic"]]
    entry = last_entry("rotations.round_post.set")
    assert entry.new["post"] == "（副）校级" and entry.reason == "校级岗位试点"
    with pytest.raises(ValidationFailed) as refused:
        set_round_post(actor=admin, round_=round_, post=posts["school-leader"], capacity=-1,
                       mentors=[])  # fmt: skip
    assert "capacity" in refused.value.errors


def test_set_mentor_capacity_and_waivers(round_, admin, mentors, cadres, posts):
    limit = set_mentor_capacity(actor=admin, round_=round_, mentor=mentors["moral"], capacity=1)
    assert (
        RoundMentor.objects.get(round=round_, person=mentors["moral"]).capacity
        == 1
        == limit.capacity
    )
    assert last_entry("rotations.mentor.capacity_set").old["capacity"] == 2
    waiver = grant_level_waiver(
        actor=admin, round_=round_, person=cadres[0], post=posts["school-leader"],
        reason="曾任团委书记，经校务会研究",
    )  # fmt: skip
    assert last_entry("rotations.waiver.granted").reason == "曾任团委书记，经校务会研究"
    with pytest.raises(ValidationFailed) as refused:
        grant_level_waiver(actor=admin, round_=round_, person=cadres[0],
                           post=posts["school-leader"], reason="再次")  # fmt: skip
    assert "post" in refused.value.errors
    with pytest.raises(ValidationFailed):
        revoke_level_waiver(actor=admin, waiver=waiver, reason="")
    revoke_level_waiver(actor=admin, waiver=waiver, reason="校务会未通过")
    assert not LevelWaiver.objects.active().filter(round=round_).exists()
    assert LevelWaiver.objects.filter(round=round_).count() == 1  # kept
    assert last_entry("rotations.waiver.revoked").reason == "校务会未通过"


def test_the_round_life_cycle(round_, admin, cadres, posts):
    fill(admin, round_, cadres[0], ["moral-office", "academic-office"])
    fill(admin, round_, cadres[1], ["moral-office"])
    # Nothing can be matched, moved or confirmed while the forms are open.
    for service in (run_matching, confirm_round):
        with pytest.raises(ValidationFailed) as refused:
            service(actor=admin, round_=round_)
        assert "status" in refused.value.errors
    round_ = close_intentions(actor=admin, round_=round_)
    assert round_.status == RoundStatus.CLOSED and round_.closed_at is not None
    assert last_entry("rotations.round.closed").new["intentions"] == 2
    with pytest.raises(ValidationFailed):
        close_intentions(actor=admin, round_=round_)
    with pytest.raises(ValidationFailed) as refused:
        reopen_intentions(actor=admin, round_=round_, reason="")
    assert refused.value.errors == {"reason": ["请填写重新开放的理由。"]}
    round_ = reopen_intentions(actor=admin, round_=round_, reason="两位老师请假未填")
    assert round_.status == RoundStatus.OPEN
    assert last_entry("rotations.round.reopened").reason == "两位老师请假未填"
    close_intentions(actor=admin, round_=round_)
    run = run_matching(actor=admin, round_=round_)
    round_.refresh_from_db()
    assert round_.status == RoundStatus.MATCHED
    with pytest.raises(ValidationFailed):
        run_matching(actor=admin, round_=round_)  # discard first
    with pytest.raises(ValidationFailed):
        update_round(
            actor=admin, round_=round_, title="x", intentions_due=None, min_months_below=1,
            default_mentor_capacity=1,
        )  # fmt: skip
    discard_proposal(actor=admin, round_=round_, reason="岗位方要求重新排序")
    round_.refresh_from_db()
    run.refresh_from_db()
    assert round_.status == RoundStatus.CLOSED and run.discarded_at is not None
    assert last_entry("rotations.proposal.discarded").reason == "岗位方要求重新排序"
    run_matching(actor=admin, round_=round_)
    move_candidate(
        actor=admin, round_=round_, person=cadres[0], post=posts["academic-office"],
        reason="教导处急需人手",
    )  # fmt: skip
    round_.refresh_from_db()
    assert round_.status == RoundStatus.ADJUSTED
    confirm_round(actor=admin, round_=round_)
    round_.refresh_from_db()
    assert round_.status == RoundStatus.CONFIRMED and round_.confirmed_by == admin
    for service in (run_matching, confirm_round):
        with pytest.raises(ValidationFailed):
            service(actor=admin, round_=round_)
    with pytest.raises(ValidationFailed):
        discard_proposal(actor=admin, round_=round_, reason="晚了")


def test_a_past_round_carries_its_own_times_and_so_do_its_audit_entries(
    school, admin, years, mentors, cadres, posts
):
    now = timezone.now()
    opened, closed, reopened, closed_again, matched, confirmed = (
        now - dt.timedelta(days=d) for d in (60, 46, 45, 44, 43, 41)
    )
    round_ = create_round(
        actor=admin, school=school, title="往年轮岗", start_term=years[0], at=opened
    )
    round_.refresh_from_db()
    assert round_.created_at == opened
    assert last_entry("rotations.round.created").at == opened
    fill(admin, round_, cadres[0], ["moral-office"])
    round_ = close_intentions(actor=admin, round_=round_, at=closed)
    assert round_.closed_at == closed and last_entry("rotations.round.closed").at == closed
    reopen_intentions(actor=admin, round_=round_, reason="补填", at=reopened)
    assert last_entry("rotations.round.reopened").at == reopened
    close_intentions(actor=admin, round_=round_, at=closed_again)
    run = run_matching(actor=admin, round_=round_, at=matched)
    run.refresh_from_db()
    round_.refresh_from_db()
    assert round_.matched_at == matched and run.run_at == matched
    assert last_entry("rotations.round.matched").at == matched
    confirm_round(actor=admin, round_=round_, at=confirmed)
    round_.refresh_from_db()
    assert round_.confirmed_at == confirmed and round_.status == RoundStatus.CONFIRMED
    assert last_entry("rotations.round.confirmed").at == confirmed


def test_round_moves_default_to_now(round_, admin, cadres):
    fill(admin, round_, cadres[0], ["moral-office"])
    before = timezone.now()
    round_ = close_intentions(actor=admin, round_=round_)
    run = run_matching(actor=admin, round_=round_)
    confirm_round(actor=admin, round_=round_)
    round_.refresh_from_db()
    after = timezone.now()
    for moment, action in (
        (round_.closed_at, "rotations.round.closed"),
        (round_.matched_at, "rotations.round.matched"),
        (round_.confirmed_at, "rotations.round.confirmed"),
    ):
        assert before <= moment <= after
        assert last_entry(action).at == moment
    assert before <= run.run_at <= after


@pytest.mark.parametrize(
    "when",
    [
        lambda: timezone.now() + dt.timedelta(hours=1),
        lambda: dt.datetime(2026, 6, 1, 10, 0),  # naive
    ],
    ids=["future", "naive"],
)
def test_round_moves_refuse_a_time_in_the_future_or_without_a_time_zone(
    school, admin, years, mentors, cadres, when
):
    with pytest.raises(ValueError):
        create_round(actor=admin, school=school, title="往年轮岗", start_term=years[0], at=when())
    assert not Round.objects.exists()
    round_ = create_round(actor=admin, school=school, title="本学期", start_term=years[0])
    fill(admin, round_, cadres[0], ["moral-office"])
    with pytest.raises(ValueError):
        close_intentions(actor=admin, round_=round_, at=when())
    close_intentions(actor=admin, round_=round_)
    with pytest.raises(ValueError):
        reopen_intentions(actor=admin, round_=round_, reason="补填", at=when())
    with pytest.raises(ValueError):
        run_matching(actor=admin, round_=round_, at=when())
    run_matching(actor=admin, round_=round_)
    with pytest.raises(ValueError):
        confirm_round(actor=admin, round_=round_, at=when())
    round_.refresh_from_db()
    assert round_.status == RoundStatus.MATCHED
    assert not AuditEntry.objects.filter(action="rotations.round.reopened").exists()
