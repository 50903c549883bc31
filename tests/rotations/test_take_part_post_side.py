"""The post side through the pages: a mentor or holder of an offered post sees who listed it
with their files, ranks them in tiers, declines, accepts the rest or everyone; bad input is
named by person; after the matching the answer is read only; nobody else answers for the
post, and another school's post is not found."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from houbei.accounts.models import Role
from houbei.rotations.models import PostPreference, RoundPost
from houbei.rotations.proposal import run_matching
from houbei.rotations.rounds import close_intentions, create_round

from ..factories import add_history, add_honour, make_person
from .conftest import cadre, fill, last_entry
from .test_take_part_intention import as_user, page

pytestmark = pytest.mark.django_db


@pytest.fixture
def moral(round_) -> RoundPost:
    return RoundPost.objects.get(round=round_, post__code="moral-office")


@pytest.fixture
def listed(admin, round_, cadres):
    """All three cadres list 德育处: 陈晔 and 黄蔚敏 first, 卢懿蕾 second."""
    fill(admin, round_, cadres[0], ["moral-office", "academic-office"])
    fill(admin, round_, cadres[1], ["moral-office"])
    fill(admin, round_, cadres[2], ["academic-office", "moral-office"])
    return cadres


def offer_url(offer) -> str:
    return reverse("rotations:post_side_offer", kwargs={"pk": offer.pk})


def tiers(offer, people, values, accept_others=False):
    data = {f"tier_{p.pk}": v for p, v in zip(people, values, strict=True)}
    if accept_others:
        data["accept_others"] = "on"
    return data


def test_a_mentor_sees_the_posts_they_mentor_with_how_many_listed_them(
    client, round_, listed, mentors, moral
):
    as_user(client, mentors["moral"], Role.MENTOR)
    html = page(client.get(reverse("rotations:post_side")))
    assert offer_url(moral) in html and "3 人填报" in html and "尚未提交意见" in html
    academic = RoundPost.objects.get(round=round_, post__code="academic-office")
    assert offer_url(academic) not in html
    mine = page(client.get(reverse("rotations:mine")))
    assert "岗位方意见：1 个岗位" in mine


def test_the_holder_of_a_post_answers_for_it_too(client, round_, listed, school):
    holder = make_person(school, name="总务主任")
    add_history(holder, "general-office", dt.date(2018, 9, 1))
    general = RoundPost.objects.get(round=round_, post__code="general-office")
    as_user(client, holder)
    assert offer_url(general) in page(client.get(reverse("rotations:post_side")))
    assert client.get(offer_url(general)).status_code == 200


def test_the_candidates_files_are_shown_and_linked_only_for_who_may_read_files(
    client, school, listed, mentors, moral
):
    add_honour(listed[0], "优秀班主任", year=2020)
    as_user(client, mentors["moral"], Role.MENTOR)
    html = page(client.get(offer_url(moral)))
    for person in listed:
        assert person.name in html
    assert "年级组长" in html  # their current post
    assert "2020 校级优秀班主任" in html
    assert "本校工作" in html and "16年3个月" in html  # joined 2010-09-01
    assert "校级后备" in html
    assert "第1志愿" in html and "第2志愿" in html
    assert reverse("people:detail", kwargs={"pk": listed[0].pk}) not in html
    # A member of the decision body reads the registry: the names link to the files.
    member = make_person(school, name="校务会成员")
    RoundPost.objects.get(pk=moral.pk).mentors.add(member)
    as_user(client, member, Role.DECISION)
    html = page(client.get(offer_url(moral)))
    assert reverse("people:detail", kwargs={"pk": listed[0].pk}) in html


def test_the_post_side_ranks_in_tiers_and_declines(client, listed, mentors, moral):
    user = as_user(client, mentors["moral"], Role.MENTOR)
    response = client.post(offer_url(moral), tiers(moral, listed, ["2", "no", "1"]))
    assert response.status_code == 302
    prefs = {
        p.person.name: (p.tier, p.declined)
        for p in PostPreference.objects.filter(round_post=moral).select_related("person")
    }
    assert prefs == {"卢懿蕾": (1, False), "陈晔": (2, False), "黄蔚敏": (None, True)}
    moral.refresh_from_db()
    assert moral.ranked_by == user and moral.ranked_by_person == mentors["moral"]
    assert moral.accept_others is False
    entry = last_entry("rotations.post_side.ranked")
    assert entry.actor == user and entry.new["ranking"] == [["卢懿蕾"], ["陈晔"]]
    assert entry.new["declined"] == ["黄蔚敏"] and entry.new["by"].startswith("德育主任")
    # The page opens with the answer, and says it was given.
    html = page(client.get(offer_url(moral)))
    assert "已保存德育处的岗位方意见。" in html
    assert re.search(rf'name="tier_{listed[1].pk}".*?<option value="no" selected>', html, re.S)


def test_tiers_with_gaps_are_closed_up_and_the_rest_accepted(client, listed, mentors, moral):
    as_user(client, mentors["moral"], Role.MENTOR)
    client.post(offer_url(moral), tiers(moral, listed, ["3", "3", ""], accept_others=True))
    prefs = list(PostPreference.objects.filter(round_post=moral).values_list("tier", flat=True))
    assert prefs == [1, 1]
    moral.refresh_from_db()
    assert moral.accept_others is True


def test_accept_all_puts_everyone_in_one_tier(client, listed, mentors, moral):
    as_user(client, mentors["moral"], Role.MENTOR)
    response = client.post(offer_url(moral), {"accept_all": "1"}, follow=True)
    assert "已全部接受填报德育处的人员。" in page(response)
    prefs = PostPreference.objects.filter(round_post=moral)
    assert sorted(p.tier for p in prefs) == [1, 1, 1] and not any(p.declined for p in prefs)


def test_a_bad_choice_is_named_by_person_and_nothing_is_saved(client, listed, mentors, moral):
    as_user(client, mentors["moral"], Role.MENTOR)
    response = client.post(offer_url(moral), tiers(moral, listed, ["1", "9", "x"]))
    assert response.status_code == 200
    html = page(response)
    assert "黄蔚敏：请选择档次、不接受或未排序。" in html
    assert "卢懿蕾：请选择档次、不接受或未排序。" in html
    assert re.search(rf'name="tier_{listed[0].pk}".*?<option value="1" selected>', html, re.S)
    assert not PostPreference.objects.exists()


def test_after_the_matching_the_answer_is_read_only(client, admin, round_, listed, mentors, moral):
    as_user(client, mentors["moral"], Role.MENTOR)
    client.post(offer_url(moral), tiers(moral, listed, ["1", "", "no"]))
    close_intentions(actor=admin, round_=round_)
    # Closed: the post side may still answer.
    assert "保存意见" in page(client.get(offer_url(moral)))
    run_matching(actor=admin, round_=round_)
    html = page(client.get(offer_url(moral)))
    assert "本轮当前状态为“已生成匹配方案”，岗位方意见不能再修改。" in html
    assert "保存意见" not in html and "意见：</strong>不接受" in html
    # The post list no longer offers it.
    assert offer_url(moral) not in page(client.get(reverse("rotations:post_side")))
    response = client.post(offer_url(moral), tiers(moral, listed, ["1", "1", "1"]))
    assert response.status_code == 200
    assert "不能修改岗位方排序" in page(response)
    assert PostPreference.objects.filter(round_post=moral, declined=True).count() == 1


def test_nobody_else_answers_for_the_post(client, school, listed, mentors, moral):
    as_user(client, mentors["academic"], Role.MENTOR)
    assert client.get(offer_url(moral)).status_code == 403
    assert client.post(offer_url(moral), {"accept_all": "1"}).status_code == 403
    # The cadres themselves neither.
    client.logout()
    as_user(client, listed[0])
    assert client.get(offer_url(moral)).status_code == 403
    assert not PostPreference.objects.exists()


def test_an_account_without_a_staff_record_answers_for_nothing(client, school, moral):
    from ..conftest import make_user

    client.force_login(make_user(Role.MENTOR, school=school, username="unlinked"))
    assert client.get(offer_url(moral)).status_code == 403
    assert "您的登录账号还没有关联到本校教职工档案" in page(
        client.get(reverse("rotations:post_side"))
    )


def test_another_schools_post_is_not_found(client, other_school, mentors):
    from houbei.organisation.models import Term
    from houbei.organisation.services import create_school_year

    create_school_year(actor=None, school=other_school, start_year=2026)
    theirs = create_round(
        actor=None, school=other_school, title="外校轮次",
        start_term=Term.objects.filter(school_year__school=other_school).order_by("start")[0],
    )  # fmt: skip
    offer = RoundPost.objects.get(round=theirs, post__code="moral-office")
    as_user(client, mentors["moral"], Role.MENTOR)
    assert client.get(offer_url(offer)).status_code == 404
    assert client.post(offer_url(offer), {"accept_all": "1"}).status_code == 404


def test_the_candidates_page_costs_the_same_queries_for_more_candidates(
    client, admin, school, round_, listed, mentors, moral
):
    as_user(client, mentors["moral"], Role.MENTOR)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(offer_url(moral)).status_code == 200
        return len(queries)

    few = count()
    for name in ["浦吉丽", "张兰兰", "陈静华"]:
        person = cadre(school, name)
        add_honour(person)
        fill(admin, round_, person, ["moral-office"])
    assert count() == few
