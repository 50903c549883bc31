"""我的轮岗 and the 意向表 through the pages: who sees the form and who a sentence, the
form laid out as the plan's 附2 (every post offered, its mentors beside it), saving with
dense ranks, every bad row named by row, post and field with nothing lost, the round
closed under the form, withdrawing and filling in again, another school's round, and the
overview's rotations and passport in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from houbei.accounts.models import Role
from houbei.audit.models import AuditEntry
from houbei.rotations.assignments import create_assignment, start_assignment
from houbei.rotations.intentions import ChoiceDraft, submit_intention
from houbei.rotations.models import Intention, MentorRole, RoundPost
from houbei.rotations.rounds import close_intentions, create_round
from houbei.rotations.take_part_forms import IntentionForm
from houbei.selection.models import PoolEntry

from ..conftest import make_user
from ..factories import make_person
from .conftest import fill, last_entry

pytestmark = pytest.mark.django_db

_users = iter(range(1, 10_000))


def as_user(client, person, role=Role.STAFF):
    """Log ``client`` in as a new account of ``role`` linked to ``person``."""
    user = make_user(role, school=person.school, username=f"u{next(_users)}-{person.pk}")
    person.user = user
    person.save(update_fields=["user"])
    client.force_login(user)
    return user


def page(response) -> str:
    return response.content.decode()


def url(round_) -> str:
    return reverse("rotations:intention", kwargs={"pk": round_.pk})


def offer_of(round_, code) -> RoundPost:
    return RoundPost.objects.get(round=round_, post__code=code)


def row_data(round_, rows, remarks=""):
    """POST data for the form: ``rows`` maps post code to (rank, mentor, length, remarks)."""
    data = {"remarks": remarks}
    for code, (rank, mentor, length, text) in rows.items():
        offer = offer_of(round_, code)
        data |= {
            f"rank_{offer.pk}": rank,
            f"mentor_{offer.pk}": mentor.pk if mentor else "",
            f"length_{offer.pk}": length,
            f"remarks_{offer.pk}": text,
        }
    return data


def test_an_account_without_a_staff_record_is_told_so(client, school, round_):
    client.force_login(make_user(Role.STAFF, school=school, username="nobody"))
    for address in (reverse("rotations:mine"), url(round_)):
        response = client.get(address)
        assert response.status_code == 200
        assert "您的登录账号还没有关联到本校教职工档案" in page(response)


def test_staff_who_are_not_reserve_cadres_get_a_sentence_not_a_form(client, school, round_):
    as_user(client, make_person(school, name="普通教师"))
    mine = page(client.get(reverse("rotations:mine")))
    assert round_.title in mine
    assert "您不在本校后备干部库中（或到本轮轮岗开始时已过有效期），本轮不需要填报" in mine
    assert reverse("rotations:intention", kwargs={"pk": round_.pk}) not in mine
    form_page = client.get(url(round_))
    assert form_page.status_code == 200
    assert "不需要填报双向选择意向表" in page(form_page)
    assert '<form method="post" action="' + url(round_) not in page(form_page)
    # Posting anyway is refused by the service, with the form shown again.
    response = client.post(url(round_), {"remarks": "我也想轮岗"})
    assert response.status_code == 200
    assert not Intention.objects.exists()


def test_the_form_lists_every_post_offered_with_its_mentors_as_in_the_plan(
    client, round_, cadres, mentors
):
    as_user(client, cadres[0])
    html = page(client.get(url(round_)))
    names = re.findall(r'<legend><span class="mine-rownum">(\d+)</span> ([^<]+)</legend>', html)
    assert [n for _num, n in names] == [
        "班主任", "年级组长", "教研组长", "教导处", "教务处", "德育处", "总务处", "人事室",
        "工会", "（副）校级",
    ]  # fmt: skip
    assert [int(num) for num, _n in names] == list(range(1, 11))
    assert "带教人员：德育主任" in html and "带教人员：教导主任" in html
    # 年级组长 is the cadre's post now: shown, but not to be chosen.
    grade = offer_of(round_, "grade-leader")
    assert "这是您的现任岗位，不能作为轮岗岗位。" in html
    assert re.search(rf'name="rank_{grade.pk}"[^>]*disabled', html)
    # The preferred mentor is chosen among the post's own mentors.
    moral = offer_of(round_, "moral-office")
    select = re.search(rf'<select name="mentor_{moral.pk}".*?</select>', html, re.S).group(0)
    assert "德育主任" in select and "教导主任" not in select


def test_saving_the_form_keeps_dense_ranks_mentor_length_and_remarks(
    client, round_, cadres, mentors
):
    user = as_user(client, cadres[0])
    data = row_data(
        round_,
        {
            "moral-office": ("1", mentors["moral"], "year", "想做德育"),
            "academic-office": ("3", None, "term", ""),
            "general-office": ("3", None, "term", ""),
        },
        remarks="希望到德育处锻炼",
    )
    response = client.post(url(round_), data)
    assert response.status_code == 302 and response["Location"] == reverse("rotations:mine")
    intention = Intention.objects.get(round=round_, person=cadres[0])
    rows = [
        (c.round_post.post.code, c.rank, c.mentor, c.length, c.remarks)
        for c in intention.choices.order_by("rank", "round_post__post__sort_order")
    ]
    assert rows == [
        ("moral-office", 1, mentors["moral"], "year", "想做德育"),
        ("academic-office", 2, None, "term", ""),
        ("general-office", 2, None, "term", ""),
    ]
    assert intention.remarks == "希望到德育处锻炼" and intention.submitted_by == user
    assert last_entry("rotations.intention.submitted").actor == user
    mine = page(client.get(reverse("rotations:mine")))
    assert "已保存2026学年第一学期双向选择的意向表，共填报3个岗位。" in mine
    assert "修改意向表" in mine and "希望带教：德育主任" in mine


def test_every_bad_row_is_named_by_row_post_and_field_and_nothing_is_lost(
    client, round_, cadres, mentors, posts
):
    union = posts["trade-union"]
    union.allowed_lengths = ["year"]
    union.save()
    as_user(client, cadres[0])
    stranger = make_person(round_.school, name="外人")
    data = row_data(
        round_,
        {
            "class-teacher": ("1", None, "", ""),  # no length
            "moral-office": ("2", stranger, "term", ""),  # not the post's mentor
            "trade-union": ("2", None, "term", ""),  # the post allows a year only
            "academic-office": ("", mentors["academic"], "", "想去"),  # no rank
            "general-office": ("1", None, "term", "很" * 201),  # remarks too long
            "personnel-office": ("99", None, "term", ""),  # no such rank
        },
        remarks="总体说明",
    )
    response = client.post(url(round_), data)
    assert response.status_code == 200
    html = page(response)
    summary = re.search(r'<div class="errors" role="alert".*?</div>', html, re.S).group(0)
    items = [re.sub(r"<[^>]+>", "", li) for li in re.findall(r"<li>(.*?)</li>", summary)]
    assert items == [
        "第1行（班主任）：希望时长：请选择希望时长（一学期或一学年）。",
        "第4行（教导处）：志愿顺序：已填写带教人员或备注，请选择志愿顺序；不想去该岗位请清空本行。",
        "第6行（德育处）：希望的带教人员：请从德育处的带教人员中选择。",
        "第7行（总务处）：备注：备注不能超过200个字。",
        "第8行（人事室）：志愿顺序：志愿顺序应为1至10之间的整数。",
        "第9行（工会）：希望时长：工会的轮岗时长只能是一学年。",
    ]
    # Everything typed is still there, and nothing was saved.
    assert "总体说明" in html and 'value="想去"' in html and "很" * 201 in html
    academic = offer_of(round_, "academic-office")
    assert re.search(rf'<option value="{mentors["academic"].pk}" selected>教导主任', html), (
        "the chosen mentor is kept"
    )
    assert not Intention.objects.exists()
    assert not AuditEntry.objects.filter(action="rotations.intention.submitted").exists()
    assert f'id="id_i_rank_{academic.pk}"' in html


def test_a_form_without_any_post_chosen_is_refused(client, round_, cadres):
    as_user(client, cadres[0])
    response = client.post(url(round_), {"remarks": "还没想好"})
    assert response.status_code == 200
    assert "请至少为一个岗位选择志愿顺序。" in page(response)
    assert "还没想好" in page(response)


def test_the_form_opens_with_what_was_saved_and_saving_replaces_it(
    client, admin, round_, cadres, mentors
):
    fill(admin, round_, cadres[0], ["moral-office", "academic-office"], mentor=mentors["moral"])
    as_user(client, cadres[0])
    html = page(client.get(url(round_)))
    moral = offer_of(round_, "moral-office")
    assert re.search(rf'<select name="rank_{moral.pk}".*?<option value="1" selected>', html, re.S)
    assert re.search(
        rf'<select name="mentor_{moral.pk}".*?<option value="{mentors["moral"].pk}" selected>',
        html,
        re.S,
    )
    client.post(url(round_), row_data(round_, {"general-office": ("1", None, "term", "")}))
    intention = Intention.objects.get(round=round_, person=cadres[0])
    assert [c.round_post.post.code for c in intention.choices.all()] == ["general-office"]
    assert last_entry("rotations.intention.submitted").old["choices"][0]["post"] == "德育处"


def test_a_round_closed_under_the_form_refuses_it_and_keeps_the_input(
    client, admin, round_, cadres
):
    as_user(client, cadres[0])
    close_intentions(actor=admin, round_=round_)
    response = client.post(
        url(round_), row_data(round_, {"moral-office": ("1", None, "year", "晚了一步")})
    )
    assert response.status_code == 200
    html = page(response)
    assert "本轮当前状态为“意向已截止”，不能填报或修改意向表（应在“填报意向”时进行）。" in html
    assert 'value="晚了一步"' in html
    assert not Intention.objects.exists()
    # Read again, the closed round shows no form.
    html = page(client.get(url(round_)))
    assert "意向表不能再修改" in html and "保存意向表" not in html


def test_a_cadre_withdraws_the_form_and_fills_it_in_again(client, admin, round_, cadres):
    fill(admin, round_, cadres[0], ["moral-office"])
    user = as_user(client, cadres[0])
    withdraw = reverse("rotations:intention_withdraw", kwargs={"pk": round_.pk})
    response = client.post(withdraw, {"reason": "家中有事"})
    assert response.status_code == 302
    intention = Intention.objects.get(round=round_, person=cadres[0])
    assert intention.withdrawn_at is not None and intention.withdraw_reason == "家中有事"
    entry = last_entry("rotations.intention.withdrawn")
    assert entry.actor == user and entry.reason == "家中有事"
    mine = page(client.get(reverse("rotations:mine")))
    assert "撤回本轮意向表" in mine and "重新填报" in mine
    # The withdrawn rows are offered again.
    html = page(client.get(url(round_)))
    assert "您已撤回本轮意向表。下面是撤回前填写的内容" in html
    client.post(url(round_), row_data(round_, {"moral-office": ("1", None, "term", "")}))
    intention.refresh_from_db()
    assert intention.withdrawn_at is None


def test_withdrawing_what_was_not_filled_or_after_closing_says_why(client, admin, round_, cadres):
    as_user(client, cadres[0])
    withdraw = reverse("rotations:intention_withdraw", kwargs={"pk": round_.pk})
    response = client.post(withdraw, follow=True)
    assert "陈晔没有填报本轮意向表。" in page(response)
    fill(admin, round_, cadres[0], ["moral-office"])
    close_intentions(actor=admin, round_=round_)
    response = client.post(withdraw, follow=True)
    assert "不能撤回意向表" in page(response)
    assert Intention.objects.get().withdrawn_at is None


def test_another_schools_round_is_not_found(client, other_school, round_, cadres):
    from houbei.organisation.models import Term
    from houbei.organisation.services import create_school_year

    create_school_year(actor=None, school=other_school, start_year=2026)
    theirs = create_round(
        actor=None, school=other_school, title="外校轮次",
        start_term=Term.objects.filter(school_year__school=other_school).order_by("start")[0],
    )  # fmt: skip
    as_user(client, cadres[0])
    assert client.get(url(theirs)).status_code == 404
    assert client.post(url(theirs), {}).status_code == 404
    withdraw = reverse("rotations:intention_withdraw", kwargs={"pk": theirs.pk})
    assert client.post(withdraw).status_code == 404
    assert theirs.title not in page(client.get(reverse("rotations:mine")))


def test_the_service_refusal_of_a_row_is_put_back_on_the_table_row(round_, cadres, admin):
    """The form numbers the rows of the table, the service the rows it was given: a row
    the service refuses (here a post the form did not know to be held) is named by its
    table row."""
    offers = list(RoundPost.objects.filter(round=round_).select_related("post"))
    grade = offer_of(round_, "grade-leader")
    moral = offer_of(round_, "moral-office")
    form = IntentionForm(
        {f"rank_{grade.pk}": "1", f"length_{grade.pk}": "term",
         f"rank_{moral.pk}": "2", f"length_{moral.pk}": "term"},
        offers=offers, person=cadres[0], held=set(),
    )  # fmt: skip
    assert form.is_valid()
    try:
        submit_intention(actor=admin, round_=round_, person=cadres[0], choices=form.choice_drafts())
    except Exception as error:  # the service's own refusal
        form.show_refusal(error)  # type: ignore[arg-type]
    assert form.summary() == [(2, "第2行（年级组长）：是本人现任岗位，不能作为轮岗岗位。")]


def test_my_rotation_shows_the_rotations_and_the_passport(
    client, admin, round_, cadres, posts, mentors, years
):
    assignment = create_assignment(
        actor=admin, person=cadres[0], post=posts["moral-office"], start_term=years[0],
        length="term", mentors=[(mentors["moral"], MentorRole.LEADER)],
    )  # fmt: skip
    start_assignment(actor=admin, assignment=assignment)
    as_user(client, cadres[0])
    html = page(client.get(reverse("rotations:mine")))
    detail = reverse("rotations:assignment", kwargs={"pk": assignment.pk})
    assert detail in html and "轮岗中" in html and "带教领导：德育主任" in html
    # 班主任 and 年级组长 held, 德育处 rotated through: three of the ten posts.
    assert "一岗多能：已在 3 / 10 个轮岗岗位工作过" in html
    assert "✓ 德育处" in html and "✓ 班主任" in html
    assert "校级后备干部，有效期至2027-03-31" in html


def _mine_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("rotations:mine")).status_code == 200
    return len(queries)


def test_my_rotation_costs_the_same_queries_with_more_rounds_and_rotations(
    client, admin, school, round_, cadres, posts, mentors, years
):
    fill(admin, round_, cadres[0], ["moral-office"])
    create_assignment(
        actor=admin, person=cadres[0], post=posts["moral-office"], start_term=years[0],
        length="term", mentors=[(mentors["moral"], MentorRole.LEADER)],
    )  # fmt: skip
    as_user(client, cadres[0])
    small = _mine_queries(client)
    for term, code in ((years[1], "academic-office"), (years[2], "general-office")):
        create_assignment(
            actor=admin, person=cadres[0], post=posts[code], start_term=term, length="term",
            mentors=[(mentors["academic"], MentorRole.LEADER)],
        )  # fmt: skip
    later = create_round(actor=admin, school=school, title="下一轮", start_term=years[1])
    submit_intention(
        actor=admin, round_=later, person=cadres[0],
        choices=[ChoiceDraft(posts["trade-union"], 1, "term"), ChoiceDraft(posts["school-leader"], 2, "term")],
    )  # fmt: skip
    PoolEntry.objects.filter(person=cadres[0]).update(valid_until=dt.date(2028, 3, 31))
    assert _mine_queries(client) == small


def test_a_cadre_downloads_their_own_filled_form(client, admin, round_, cadres):
    doc = reverse("rotations:intention_document", kwargs={"pk": round_.pk, "fmt": "docx"})
    user = as_user(client, cadres[0])
    response = client.get(doc, follow=True)
    assert "陈晔没有填报本轮意向表。" in page(response)
    fill(admin, round_, cadres[0], ["moral-office"])
    assert doc in page(client.get(reverse("rotations:mine")))
    response = client.get(doc)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    assert "attachment" in response["Content-Disposition"]
    assert "%E9%99%88%E6%99%94" in response["Content-Disposition"]  # 陈晔
    entry = last_entry("rotations.document.exported")
    assert entry.actor == user and entry.new["document"] == "intention-form"
    assert entry.new["person"].startswith("陈晔")
    wrong = reverse("rotations:intention_document", kwargs={"pk": round_.pk, "fmt": "exe"})
    assert "不提供exe格式" in page(client.get(wrong, follow=True))


def test_nobody_downloads_someone_elses_form(client, admin, school, round_, cadres):
    fill(admin, round_, cadres[0], ["moral-office"])
    doc = reverse("rotations:intention_document", kwargs={"pk": round_.pk, "fmt": "docx"})
    client.force_login(make_user(Role.STAFF, school=school, username="unlinked"))
    assert client.get(doc).status_code == 403
    as_user(client, cadres[1])
    response = client.get(doc, follow=True)
    # Only one's own: 黄蔚敏 gets told she has not filled it in, not 陈晔's form.
    assert "黄蔚敏没有填报本轮意向表。" in page(response)
    assert not AuditEntry.objects.filter(action="rotations.document.exported").exists()
