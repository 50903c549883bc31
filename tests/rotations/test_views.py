"""The office's round pages through the test client: the list and archive, a new round,
the round's page (life cycle, posts, mentors, waivers, who has filled the 意向表, the
post side's answers) and every action on it with its refusals naming the field, and a
number of queries that does not grow with the school."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from houbei.accounts.models import Role
from houbei.audit.models import AuditEntry
from houbei.rotations.intentions import set_post_preferences, withdraw_intention
from houbei.rotations.models import LevelWaiver, Round, RoundMentor, RoundPost, RoundStatus
from houbei.rotations.proposal import run_matching
from houbei.rotations.rounds import (
    close_intentions,
    create_round,
    grant_level_waiver,
    set_mentor_capacity,
    set_round_post,
)

from ..conftest import make_user
from ..factories import make_person
from ..selection.views_support import as_user, page, post
from .conftest import cadre, fill, last_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(client, admin):
    return as_user(client, admin)


@pytest.fixture
def decider(school):
    return make_user(Role.DECISION, school=school, username="decision-member")


def url(name, *args):
    return reverse(f"rotations:{name}", args=args)


def queries(client, address) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured)


# --- the list and a new round -----------------------------------------------------------------


def test_the_list_shows_current_rounds_and_the_archive(office, round_, admin, years, decider):
    confirmed = create_round(
        actor=admin, school=round_.school, title="2025学年双向选择", start_term=years[1]
    )
    Round.objects.filter(pk=confirmed.pk).update(status=RoundStatus.CONFIRMED)
    text = page(office, url("rounds"))
    current, archive = text.split("已确认（归档）")
    assert "2026学年第一学期双向选择" in current and "填报意向" in current
    assert "2025学年双向选择" in archive and "2025学年双向选择" not in current
    assert url("round_create") in text
    text = page(as_user(office, decider), url("rounds"))
    assert "2026学年第一学期双向选择" in text and url("round_create") not in text


def _new_round(years, offered, **overrides):
    data = {
        "title": "2026学年第一学期双向选择",
        "scope": "term",
        "start_term": str(years[0].pk),
        "intentions_due": "2026-06-20",
        "posts": [str(offered[c].pk) for c in ("moral-office", "academic-office", "class-teacher")],
        "min_months_below": "12",
        "default_mentor_capacity": "2",
        "note": "",
    }
    return data | overrides


def test_a_round_is_created_with_its_posts_and_numbers(office, years, posts, mentors):
    form = page(office, url("round_create"))
    assert 'name="min_months_below" value="12"' in form and "学期轮次" in form
    response = office.post(url("round_create"), _new_round(years, posts))
    round_ = Round.objects.get()
    assert response.status_code == 302 and response["Location"] == url("round", round_.pk)
    assert round_.status == RoundStatus.OPEN and round_.intentions_due == dt.date(2026, 6, 20)
    offers = {o.post.code: o for o in RoundPost.objects.filter(round=round_)}
    assert set(offers) == {"moral-office", "academic-office", "class-teacher"}
    assert list(offers["moral-office"].mentors.all()) == [mentors["moral"]]
    assert offers["class-teacher"].capacity == posts["class-teacher"].capacity_per_term
    assert last_entry("rotations.round.created").new["title"] == round_.title


def test_creation_errors_name_the_field_and_the_reason(office, years, posts, round_):
    address = url("round_create")
    text = post(office, address, _new_round(years, posts, title="", intentions_due="2026-09-05"))
    assert 'id="id_title_error"' in text
    assert "意向填报截止日期应早于开始学期的开学日期（2026-09-01）。" in text
    text = post(office, address, _new_round(years, posts, scope="year", start_term=years[1].pk))
    assert "学年轮次应从第一学期开始。" in text and 'id="id_start_term_error"' in text
    text = post(office, address, _new_round(years, posts))  # the fixture's title, same term
    assert "本校已有名为“2026学年第一学期双向选择”的轮次。" in text
    text = post(office, address, _new_round(years, posts, title="另一轮", posts=[]))
    assert 'id="id_posts_error"' in text
    text = post(office, address, _new_round(years, posts, title="另一轮"))
    assert f"{years[0]}已有尚未确认的轮次“2026学年第一学期双向选择”。" in text
    assert Round.objects.count() == 1


# --- the round's page -------------------------------------------------------------------------


def test_the_round_page_shows_who_has_filled_in_and_the_posts_answers(
    office, round_, admin, cadres, mentors, posts
):
    a, b, _c = cadres
    fill(
        admin, round_, a, ["moral-office", "academic-office"], length="year",
        mentor=mentors["moral"],
    )  # fmt: skip
    fill(admin, round_, b, ["moral-office"])
    withdraw_intention(actor=admin, round_=round_, person=b, reason="本学期带毕业班")
    offer = RoundPost.objects.get(round=round_, post=posts["moral-office"])
    set_post_preferences(actor=admin, offer=offer, ranking=[[a]], by=mentors["moral"])
    text = page(office, url("round", round_.pk))
    assert text.count('class="badge ok">已填报') == 1
    assert "已撤回" in text and "本学期带毕业班" in text
    assert text.count('class="badge bad">未填报') == 1 and "尚未填报：" in text
    assert '1.</span>德育处<span class="muted">（一学年；希望带教：德育主任）' in text
    assert "2.</span>教导处" in text
    assert "排序1人，不接受0人；其余填报人可接受" in text and "德育主任" in text
    assert "尚未答复（接受全部填报人）" in text
    assert "下一步：截止意向填报" in text and url("round_close", round_.pk) in text


def test_the_decision_body_reads_the_round_without_its_actions(client, round_, decider):
    text = page(as_user(client, decider), url("round", round_.pk))
    assert "本轮岗位" in text and "德育处" in text
    assert url("round_close", round_.pk) not in text
    assert url("round_settings", round_.pk) not in text
    assert url("waiver_grant", round_.pk) not in text


def test_another_schools_round_is_not_found(office, other_school, admin):
    from houbei.organisation.services import create_school_year

    create_school_year(actor=None, school=other_school, start_year=2026)
    other = create_round(
        actor=None, school=other_school, title="外校轮次",
        start_term=other_school.school_years.get().terms.order_by("start").first(),
    )  # fmt: skip
    assert office.get(url("round", other.pk)).status_code == 404
    assert office.post(url("round_close", other.pk)).status_code == 404


def test_settings_are_changed_and_refused_with_the_field_named(office, round_):
    address = url("round_settings", round_.pk)
    data = {
        "title": "2026学年第一学期双向选择（调整）",
        "intentions_due": "2026-06-30",
        "min_months_below": "6",
        "default_mentor_capacity": "3",
        "note": "按校务会意见调整",
    }
    assert "已保存轮次设置。" in post(office, address, data)
    round_.refresh_from_db()
    assert (round_.min_months_below, round_.default_mentor_capacity) == (6, 3)
    assert last_entry("rotations.round.updated").new["min_months_below"] == 6
    text = post(office, address, data | {"min_months_below": "121", "title": ""})
    assert 'id="id_min_months_below_error"' in text and 'id="id_title_error"' in text
    round_.refresh_from_db()
    assert round_.min_months_below == 6


def test_a_posts_offer_is_changed_and_an_exemption_needs_its_reason(
    office, round_, posts, mentors, school
):
    address = url("round_offer", round_.pk, posts["moral-office"].pk)
    form = page(office, address)
    assert f'value="{mentors["moral"].pk}" checked' in form
    other = make_person(school, name="德育副主任")
    data = {"capacity": "2", "mentors": [mentors["moral"].pk, other.pk], "level_exempt": "on"}
    text = post(office, address, data | {"exempt_reason": ""})
    assert "免除下一级岗位经历要求时，请填写免除理由。" in text
    assert 'id="id_exempt_reason_error"' in text
    text = post(office, address, data | {"exempt_reason": "德育处急需，酌情处理"})
    assert "已保存德育处的本轮设置。" in text
    offer = RoundPost.objects.get(round=round_, post=posts["moral-office"])
    assert offer.capacity == 2 and offer.level_exempt and offer.exempt_reason.startswith("德育处")
    assert set(offer.mentors.all()) == {mentors["moral"], other}
    entry = last_entry("rotations.round_post.set")
    assert entry.new["capacity"] == 2 and entry.reason == "德育处急需，酌情处理"
    text = post(office, address, {"capacity": "1000", "mentors": []})
    assert 'id="id_capacity_error"' in text


def test_the_mentor_picker_searches_without_script_and_keeps_the_choice(
    office, round_, posts, mentors, school
):
    make_person(school, name="王某某")
    address = url("round_offer", round_.pk, posts["moral-office"].pk)
    text = post(
        office, address,
        {"_filter": "1", "mentor_q": "王某", "capacity": "1", "mentors": [mentors["moral"].pk]},
    )  # fmt: skip
    assert "王某某" in text and "德育主任" in text and "资深班主任" not in text
    assert "errorlist" not in text


def test_a_post_not_offered_can_be_offered(office, admin, years, posts, mentors, school):
    round_ = create_round(
        actor=admin, school=school, title="只开两个岗位", start_term=years[0],
        posts=[posts["moral-office"], posts["academic-office"]],
    )  # fmt: skip
    text = page(office, url("round", round_.pk))
    assert url("round_offer", round_.pk, posts["trade-union"].pk) in text
    post(office, url("round_offer", round_.pk, posts["trade-union"].pk), {"capacity": "1"})
    assert RoundPost.objects.filter(round=round_, post=posts["trade-union"]).exists()


def test_a_mentors_number_is_set_and_refused_with_the_field_named(office, round_, mentors):
    address = url("mentor_capacity", round_.pk)
    text = post(office, address, {"mentor": mentors["moral"].pk, "capacity": "1"})
    assert "德育主任每学期可带1人。" in text
    assert RoundMentor.objects.get(round=round_, person=mentors["moral"]).capacity == 1
    assert last_entry("rotations.mentor.capacity_set").new["capacity"] == 1
    text = post(office, address, {"mentor": mentors["moral"].pk, "capacity": "25"})
    assert "每学期可带人数：" in text
    assert RoundMentor.objects.get(round=round_, person=mentors["moral"]).capacity == 1


def test_a_waiver_is_granted_with_its_reason_and_revoked_with_another(
    office, round_, cadres, posts
):
    address = url("waiver_grant", round_.pk)
    form = page(office, address, person=cadres[0].pk)
    assert f'<option value="{cadres[0].pk}" selected>陈晔（{cadres[0].staff_number}）' in form
    data = {"person": cadres[0].pk, "post": posts["school-leader"].pk, "reason": ""}
    text = post(office, address, data)
    assert 'id="id_waiver_reason_error"' in text and not LevelWaiver.objects.exists()
    text = post(office, address, data | {"reason": "曾任校长助理一年"})
    assert "已免除陈晔在（副）校级的层级要求。" in text
    waiver = LevelWaiver.objects.get()
    assert "曾任校长助理一年" in text
    text = post(office, address, data | {"reason": "再次"})
    assert "陈晔在（副）校级的层级要求已经免除。" in text
    revoke = url("waiver_revoke", round_.pk, waiver.pk)
    assert "撤销理由：" in post(office, revoke, {"reason": ""})
    text = post(office, revoke, {"reason": "经核实不符合"})
    assert "已撤销陈晔在（副）校级的免除。" in text and "经核实不符合" in text
    waiver.refresh_from_db()
    assert waiver.revoked_at is not None
    assert last_entry("rotations.waiver.revoked").reason == "经核实不符合"


def test_the_forms_are_closed_reopened_with_a_reason_and_matched(office, round_, admin, cadres):
    post(office, url("round_close", round_.pk))
    round_.refresh_from_db()
    assert round_.status == RoundStatus.CLOSED
    text = page(office, url("round", round_.pk))
    assert "下一步：生成匹配方案" in text
    text = post(office, url("round_match", round_.pk))
    assert "意向表：本轮没有人填报意向表，无法匹配。" in text
    text = post(office, url("round_reopen", round_.pk), {"reason": ""})
    assert 'id="id_reason_error"' in text
    post(office, url("round_reopen", round_.pk), {"reason": "有两位老师未及时填报"})
    round_.refresh_from_db()
    assert round_.status == RoundStatus.OPEN
    assert last_entry("rotations.round.reopened").reason == "有两位老师未及时填报"
    text = post(office, url("round_reopen", round_.pk), {"reason": "再开"})
    assert "状态：本轮当前状态为“填报意向”，不能重新开放意向填报" in text
    fill(admin, round_, cadres[0], ["moral-office"])
    post(office, url("round_close", round_.pk))
    response = office.post(url("round_match", round_.pk))
    assert response["Location"] == url("proposal", round_.pk)
    round_.refresh_from_db()
    assert round_.status == RoundStatus.MATCHED
    text = post(office, url("round_settings", round_.pk), {"title": "x", "min_months_below": "1",
                                                          "default_mentor_capacity": "1"})  # fmt: skip
    assert "状态：本轮当前状态为“已生成匹配方案”，不能修改轮次设置" in text
    text = page(office, url("round", round_.pk))
    assert "下一步：核对并确认匹配方案" in text and url("proposal", round_.pk) in text


def test_closing_twice_is_refused_with_the_status_named(office, round_):
    post(office, url("round_close", round_.pk))
    text = post(office, url("round_close", round_.pk))
    assert "状态：本轮当前状态为“意向已截止”，不能截止意向填报" in text
    assert AuditEntry.objects.filter(action="rotations.round.closed").count() == 1


# --- a fixed number of queries ---------------------------------------------------------------


def _populate(round_, admin, school, mentors, posts, n):
    """``n`` reserve cadres who all filled in three posts, the posts' answers, waivers and
    mentors' numbers: everything the round's page lists grows with ``n``."""
    people = [cadre(school, f"后备{n}-{i}") for i in range(n)]
    codes = ["moral-office", "academic-office", "general-office"]
    for i, person in enumerate(people):
        fill(admin, round_, person, codes[i % 3 :] + codes[: i % 3], mentor=mentors["moral"])
        grant_level_waiver(
            actor=admin, round_=round_, person=person, post=posts["school-leader"], reason="测试"
        )
    for code in codes:
        offer = RoundPost.objects.get(round=round_, post=posts[code])
        set_post_preferences(actor=admin, offer=offer, ranking=[people[: n // 2]])
    for mentor in mentors.values():
        set_mentor_capacity(actor=admin, round_=round_, mentor=mentor, capacity=min(n, 20))
    for code in codes:
        offer = RoundPost.objects.get(round=round_, post=posts[code])
        set_round_post(
            actor=admin, round_=round_, post=posts[code], capacity=n // 2,
            mentors=list(offer.mentors.all()),
        )  # fmt: skip
    return people


def test_the_round_and_proposal_pages_queries_do_not_grow_with_the_round(
    client, admin, school, years, mentors, posts
):
    office = as_user(client, admin)
    small = create_round(actor=admin, school=school, title="小轮次", start_term=years[0])
    large = create_round(actor=admin, school=school, title="大轮次", start_term=years[1])
    _populate(small, admin, school, mentors, posts, 2)
    _populate(large, admin, school, mentors, posts, 24)
    assert queries(office, url("round", small.pk)) == queries(office, url("round", large.pk))
    for round_ in (small, large):
        close_intentions(actor=admin, round_=round_)
        run_matching(actor=admin, round_=round_)
    assert queries(office, url("round", small.pk)) == queries(office, url("round", large.pk))
    assert queries(office, url("proposal", small.pk)) == queries(office, url("proposal", large.pk))
    text = page(office, url("proposal", large.pk))
    # the 24 who filled in, and the small round's two reserve cadres, who did not here
    assert text.count('class="summary') == 24 + 2
    assert text.count("未提交意向表") == 2


def test_the_rounds_documents_are_offered_as_far_as_the_round_has_got(
    office, round_, admin, cadres
):
    text = page(office, url("round", round_.pk))
    blank = url("round_document", round_.pk, "docx") + "?key=intention-form"
    assert blank in text and "?key=intention-set" not in text
    response = office.get(blank)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    fill(admin, round_, cadres[0], ["moral-office"])
    text = page(office, url("round", round_.pk))
    assert "?key=intention-set" in text
    mine = f"{url('round_document', round_.pk, 'pdf')}?key=intention-form&amp;person={cadres[0].pk}"
    assert mine in text
    response = office.get(mine.replace("&amp;", "&"))
    assert response.status_code == 200 and response.content[:4] == b"%PDF"
    entry = last_entry("rotations.document.exported")
    assert entry.new["document"] == "intention-form" and entry.new["person"] == str(cadres[0].pk)
    # Before confirmation there is no length table: the reader is told why.
    response = office.get(url("round_document", round_.pk, "docx") + "?key=rotation-lengths",
                          follow=True)  # fmt: skip
    assert (
        "本轮尚未确认匹配方案，还没有轮岗安排（当前状态：填报意向）。" in response.content.decode()
    )
