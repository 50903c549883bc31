"""The rating pages through the test client: a rater with a code (fill in, confirm, done),
a rater on a roll, and the administrator's round from creation to released results —
with no figure before release and nothing of a sheet in the session."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from houbei.accounts.models import Role
from houbei.audit.models import AuditEntry
from houbei.ballots import codes
from houbei.ballots.ratings.models import (
    CommentState,
    GroupMode,
    RaterGroup,
    RatingComment,
    RatingCounter,
    RatingCredential,
    RatingRollEntry,
    RatingRound,
    RoundStatus,
)
from houbei.ballots.ratings.services import (
    GroupDraft,
    close_round,
    form_of,
    release_results,
    submit_rating,
)

from ..factories import make_person
from .conftest import full_sheet, make_round

pytestmark = pytest.mark.django_db


def _post_data(rating_round: RatingRound, sheet, code: str = "", step: str = "fill", **extra):
    data = {"code": code, "step": step, **extra}
    for (s, d), g in sheet.items():
        data[f"g-{s}-{d}"] = str(g)
    return data


def test_a_rater_with_a_code_fills_in_confirms_and_is_counted(client, rating) -> None:
    rating_round, made = rating
    url = reverse("ratings:rate", args=[rating_round.key])
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "对象0" in text and "基本称职" in text and 'name="code"' in text
    assert "no-store" in page["Cache-Control"] and page["Referrer-Policy"] == "same-origin"

    form = form_of(rating_round)
    subject = form.subjects[0][0]
    typed = codes.display(made["服务对象"][0]).lower()
    sheet = full_sheet(rating_round, 1)
    confirm = client.post(url, _post_data(rating_round, sheet, typed, **{f"c-{subject}": "踏实"}))
    assert confirm.status_code == 200
    assert "请核对您的评议" in confirm.content.decode() and "称职" in confirm.content.decode()
    assert confirm.wsgi_request.sensitive_post_parameters == "__ALL__"
    assert not RatingCounter.objects.filter(count__gt=0).exists()  # nothing before confirming

    done = client.post(
        url, _post_data(rating_round, sheet, typed, step="confirm", **{f"c-{subject}": "踏实"})
    )
    assert done.status_code == 200 and "提交成功" in done.content.decode()
    assert "no-store" in done["Cache-Control"]
    assert RatingCounter.objects.filter(count=1).count() == 15
    assert RatingComment.objects.get().text == "踏实"

    again = client.post(url, _post_data(rating_round, sheet, typed, step="confirm"))
    assert again.status_code == 409 and "此评议码已经用过" in again.content.decode()
    assert RatingCounter.objects.filter(count=1).count() == 15
    for session in Session.objects.all():
        decoded = str(session.get_decoded())
        assert made["服务对象"][0] not in decoded and "踏实" not in decoded


def test_an_incomplete_sheet_comes_back_with_the_gaps_named_and_the_choices_kept(
    client, rating
) -> None:
    rating_round, made = rating
    url = reverse("ratings:rate", args=[rating_round.key])
    sheet = dict(full_sheet(rating_round))
    form = form_of(rating_round)
    (s, name), (d, dimension) = form.subjects[2], form.dimensions[4]
    del sheet[(s, d)]
    page = client.post(url, _post_data(rating_round, sheet, made["服务对象"][0]))
    assert page.status_code == 400
    text = page.content.decode()
    assert f"“{name}”的“{dimension}”还没有选择等级。" in text
    assert text.count("checked") == 14  # the other choices stay ticked
    bad_code = client.post(url, _post_data(rating_round, full_sheet(rating_round), "12"))
    assert bad_code.status_code == 400 and "评议码格式不对" in bad_code.content.decode()


def test_the_code_page_says_when_the_round_is_not_open(client, school) -> None:
    rating_round, _made = make_round(school, open_=False)
    page = client.get(reverse("ratings:rate", args=[rating_round.key]))
    assert "测评尚未开始" in page.content.decode()


def test_a_member_of_staff_on_a_roll_rates_once(client, school, users) -> None:
    rating_round, _made = make_round(
        school, groups=(GroupDraft("中层干部", 5, GroupMode.ROLL),), roll=2
    )
    user = users[Role.STAFF]
    person = RatingRollEntry.objects.first().person
    person.user = user
    person.save()
    client.force_login(user)
    mine = client.get(reverse("ratings:mine"))
    assert "后备干部民主测评" in mine.content.decode() and "去评议" in mine.content.decode()
    url = reverse("ratings:rate_roll", args=[rating_round.key])
    page = client.get(url)
    assert (
        "您以“中层干部”身份参加" in page.content.decode()
        and 'name="code"' not in page.content.decode()
    )
    sheet = full_sheet(rating_round, 2)
    done = client.post(url, _post_data(rating_round, sheet, step="confirm"))
    assert "提交成功" in done.content.decode()
    assert RatingCounter.objects.filter(count=1).count() == 15
    assert client.get(url).content.decode().count("您已经参加了本次测评") == 1
    assert "已参加" in client.get(reverse("ratings:mine")).content.decode()


def test_someone_not_on_the_roll_is_told_so(client, school, users) -> None:
    rating_round, _made = make_round(
        school, groups=(GroupDraft("中层干部", 5, GroupMode.ROLL),), roll=1
    )
    client.force_login(users[Role.MENTOR])
    page = client.get(reverse("ratings:rate_roll", args=[rating_round.key]))
    assert "您不在本次测评的名单上" in page.content.decode()


def test_the_administrator_runs_a_round_from_creation_to_results(client, school, users) -> None:
    runner = users[Role.PERSONNEL]
    client.force_login(runner)
    people = [make_person(school, name=n) for n in ("王芳", "陈明")]
    created = client.post(reverse("ratings:create"), {
        "title": "2026年后备干部民主测评", "kind": "appraisal",
        "subjects": "\n".join(p.staff_number for p in people),
        "dimensions": "德\n能\n勤\n绩\n廉", "scale": "appraisal", "keep_overall": "on",
        "group1_name": "校领导", "group1_k": "3", "group1_mode": "codes",
        "group2_name": "教师代表", "group2_k": "5", "group2_mode": "codes",
    })  # fmt: skip
    rating_round = RatingRound.objects.get()
    assert created.status_code == 302 and created["Location"] == reverse(
        "ratings:detail", args=[rating_round.pk]
    )
    leaders, teachers = RaterGroup.objects.filter(round=rating_round)
    printed = client.post(reverse("ratings:codes", args=[rating_round.pk, teachers.pk]),
                          {"count": "6"})  # fmt: skip
    assert printed.status_code == 200 and "no-store" in printed["Cache-Control"]
    shown = re.findall(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{5}", printed.content.decode())
    assert len(set(shown)) == 6
    assert not RatingCredential.objects.filter(code_digest__in=shown).exists()  # digests only
    digests = [codes.digest(codes.canonical(c), purpose="rating") for c in shown]
    assert RatingCredential.objects.filter(group=teachers, code_digest__in=digests).count() == 6
    leader_codes = re.findall(
        r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{5}",
        client.post(reverse("ratings:codes", args=[rating_round.pk, leaders.pk]),
                    {"count": "2"}).content.decode(),
    )  # fmt: skip
    client.post(reverse("ratings:open", args=[rating_round.pk]))
    rating_round.refresh_from_db()
    assert rating_round.status == RoundStatus.OPEN

    subject = form_of(rating_round).subjects[0][0]
    for i, code in enumerate(sorted(set(shown))):
        submit_rating(round_id=rating_round.pk, code=code, sheet=full_sheet(rating_round, i % 2),
                      comments={subject: "有担当"} if i == 0 else {})  # fmt: skip
    submit_rating(round_id=rating_round.pk, code=leader_codes[0], sheet=full_sheet(rating_round, 3))
    detail = client.get(reverse("ratings:detail", args=[rating_round.pk])).content.decode()
    assert re.search(r"data-raters>6<", detail) and re.search(r"data-raters>1<", detail)
    turnout = client.get(reverse("ratings:turnout", args=[rating_round.pk]))
    assert "no-store" in turnout["Cache-Control"]
    early = client.get(reverse("ratings:results", args=[rating_round.pk])).content.decode()
    assert "尚未发布" in early and "data-suppressed" not in early
    assert (
        "评语在测评结束后才能查看"
        in client.get(reverse("ratings:comments", args=[rating_round.pk])).content.decode()
    )

    client.post(reverse("ratings:close", args=[rating_round.pk]))
    refused = client.post(reverse("ratings:release", args=[rating_round.pk]), follow=True)
    assert "还有1条评语未审核" in refused.content.decode()
    comment = RatingComment.objects.get()
    review = client.get(reverse("ratings:comments", args=[rating_round.pk])).content.decode()
    assert "有担当" in review
    client.post(reverse("ratings:comments", args=[rating_round.pk]), {
        f"state-{comment.pk}": CommentState.APPROVED, f"text-{comment.pk}": "工作有担当",
    })  # fmt: skip
    comment.refresh_from_db()
    assert comment.state == CommentState.APPROVED and comment.reviewed_text == "工作有担当"
    client.post(reverse("ratings:release", args=[rating_round.pk]))
    rating_round.refresh_from_db()
    assert rating_round.status == RoundStatus.RELEASED

    client.force_login(users[Role.DECISION])
    results = client.get(reverse("ratings:results", args=[rating_round.pk])).content.decode()
    assert "不显示" in results and "参加1人，少于3人。" in results
    # 教师代表 is hidden too, so the overall (7) cannot be used to subtract; the comment
    # names no group.
    assert "为防止用总体减去其他组推算出人数不足的组" in results
    assert "<li>工作有担当</li>" in results and "<li>有担当" not in results
    assert 'class="chip"' not in results
    assert '3 <span class="muted">(42.9%)</span>' in results  # overall 优秀: 3 of 7
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    for action in ("created", "codes_issued", "opened", "closed", "comments_reviewed", "released"):
        assert f"ballots.rating.{action}" in actions


def test_the_create_form_names_people_it_cannot_find(client, school, users) -> None:
    client.force_login(users[Role.PERSONNEL])
    page = client.post(reverse("ratings:create"), {
        "title": "测评", "kind": "appraisal", "subjects": "查无此人", "dimensions": "德",
        "scale": "appraisal", "group1_name": "教师代表", "group1_k": "1", "group1_mode": "codes",
    })  # fmt: skip
    assert page.status_code == 200
    text = page.content.decode()
    assert "第1项“查无此人”：本校没有这个工号或姓名。" in text
    assert not RatingRound.objects.exists()


def test_a_roll_is_set_from_staff_numbers(client, school, users) -> None:
    client.force_login(users[Role.PERSONNEL])
    rating_round, _made = make_round(
        school, groups=(GroupDraft("中层干部", 5, GroupMode.ROLL),), open_=False
    )
    group = RaterGroup.objects.get(round=rating_round)
    staff = [make_person(school) for _ in range(3)]
    client.post(reverse("ratings:roll", args=[rating_round.pk, group.pk]),
                {"people": "\n".join(p.staff_number for p in staff)})  # fmt: skip
    assert RatingRollEntry.objects.filter(group=group).count() == 3


def test_released_results_show_counts_and_shares_and_no_mean_without_values(
    client, school, users
) -> None:
    rating_round, made = make_round(school, subjects=1, groups=(GroupDraft("教师代表", 2),))
    for i, code in enumerate(made["教师代表"][:2]):
        submit_rating(round_id=rating_round.pk, code=code, sheet=full_sheet(rating_round, i))
    close_round(actor=None, rating_round=rating_round)
    release_results(actor=None, rating_round=rating_round)
    client.force_login(users[Role.PERSONNEL])
    page = client.get(reverse("ratings:results", args=[rating_round.pk])).content.decode()
    assert "平均分" not in page  # 优秀…不称职 carry no values
    assert '1 <span class="muted">(50.0%)</span>' in page


def test_codes_can_be_had_as_a_pdf_of_slips(client, school, users) -> None:
    client.force_login(users[Role.PERSONNEL])
    rating_round, _made = make_round(school, codes=0, open_=False)
    group = RaterGroup.objects.filter(round=rating_round).first()
    pdf = client.post(
        reverse("ratings:codes", args=[rating_round.pk, group.pk]), {"count": "3", "format": "pdf"}
    )
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and "no-store" in pdf["Cache-Control"]
    assert RatingCredential.objects.filter(group=group).count() == 3
