"""``/api/rotations``: rounds with their posts, seats and mentors; a round's 意向表 (the office's,
and one's own through one's token); the proposal with every explanation; assignments by
school, round, status, person and term; moving a round on. Who may read what (the district
nothing), fixed query counts for the lists, and the OpenAPI description."""

from __future__ import annotations

import datetime as dt

import pytest

from houbei.accounts.models import Role
from houbei.audit.models import AuditEntry
from houbei.organisation.models import Post, TermNumber
from houbei.organisation.services import create_school_year
from houbei.people.models import Person
from houbei.rotations.assignments import (
    add_hard_task,
    add_mentor,
    add_mentor_note,
    create_assignment,
    remove_mentor,
    set_goals,
    start_assignment,
)
from houbei.rotations.intentions import ChoiceDraft, submit_intention, withdraw_intention
from houbei.rotations.models import Assignment, MentorRole, Round, RoundStatus
from houbei.rotations.proposal import confirm_round, move_candidate, run_matching
from houbei.rotations.rounds import (
    close_intentions,
    create_round,
    grant_level_waiver,
    set_mentor_capacity,
)

from ..factories import add_history, make_person
from ..rotations.conftest import cadre, term_of

ROUNDS = "/api/rotations/rounds"
ASSIGNMENTS = "/api/rotations/assignments"
OFFICE = (Role.PERSONNEL, Role.DECISION)
OUTSIDE = (Role.MENTOR, Role.STAFF, Role.DISTRICT, Role.SYSADMIN)


def url(round_: Round, part: str = "") -> str:
    return f"{ROUNDS}/{round_.pk}{part}"


# --- a school with a round ---------------------------------------------------------------


@pytest.fixture
def years(school):
    create_school_year(actor=None, school=school, start_year=2026)
    create_school_year(actor=None, school=school, start_year=2027)
    return [term_of(school, 2026, TermNumber.FIRST), term_of(school, 2026, TermNumber.SECOND),
            term_of(school, 2027, TermNumber.FIRST)]  # fmt: skip


@pytest.fixture
def posts(school):
    return {p.code: p for p in Post.objects.filter(school=school)}


@pytest.fixture
def mentors(school, posts):
    people = {"academic": make_person(school, name="教导主任"),
              "moral": make_person(school, name="德育主任")}  # fmt: skip
    add_history(people["academic"], "academic-office", dt.date(2015, 9, 1))
    add_history(people["moral"], "moral-office", dt.date(2015, 9, 1))
    posts["academic-office"].default_mentors.add(people["academic"])
    posts["moral-office"].default_mentors.add(people["moral"])
    return people


@pytest.fixture
def cadres(school):
    return [cadre(school, n) for n in ["陈晔", "黄蔚敏", "卢懿蕾", "浦吉丽"]]


@pytest.fixture
def admin(users):
    return users[Role.PERSONNEL]


@pytest.fixture
def round_(school, admin, years, mentors) -> Round:
    return create_round(
        actor=admin, school=school, title="2026学年第一学期双向选择", start_term=years[0],
        intentions_due=dt.date(2026, 6, 15),
    )  # fmt: skip


def choose(admin, round_, person, *rows, remarks=""):
    """``rows``: (post code, length) or (post code, length, mentor, remark), first choice
    first."""
    drafts = []
    for rank, row in enumerate(rows, start=1):
        code, length, *rest = row
        mentor, remark = [*rest, None, ""][:2]
        drafts.append(ChoiceDraft(Post.objects.get(school=round_.school, code=code), rank,
                                  length, mentor, remark or ""))  # fmt: skip
    return submit_intention(
        actor=admin, round_=round_, person=person, choices=drafts, remarks=remarks
    )


@pytest.fixture
def filled(round_, admin, cadres, mentors):
    """陈晔 德育处 (a year, with 德育主任) then 教导处; 黄蔚敏 德育处 then 总务处; 卢懿蕾 and
    浦吉丽 教导处 only (one seat: 浦吉丽 comes later in the list and stays unplaced);
    张兰兰 filled and withdrew."""
    chen, huang, lu, pu = cadres
    choose(admin, round_, chen, ("moral-office", "year", mentors["moral"], "可兼任班主任"),
           ("academic-office", "term"), remarks="希望锻炼组织协调能力")  # fmt: skip
    choose(admin, round_, huang, ("moral-office", "term"), ("general-office", "term"))
    choose(admin, round_, lu, ("academic-office", "term"))
    choose(admin, round_, pu, ("academic-office", "term"))
    zhang = cadre(round_.school, "张兰兰")
    choose(admin, round_, zhang, ("trade-union", "term"))
    withdraw_intention(actor=admin, round_=round_, person=zhang, reason="本学期带毕业班")
    return round_


@pytest.fixture
def matched(filled, admin):
    close_intentions(actor=admin, round_=filled)
    run_matching(actor=admin, round_=filled)
    filled.refresh_from_db()
    return filled


@pytest.fixture
def confirmed(matched, admin):
    confirm_round(actor=admin, round_=matched)
    matched.refresh_from_db()
    return matched


def linked(user, person: Person):
    person.user = user
    person.save(update_fields=["user"])
    return user


# --- access --------------------------------------------------------------------------------


def office_urls(round_: Round, assignment: Assignment) -> list[str]:
    return [ROUNDS, url(round_), url(round_, "/intentions"), url(round_, "/proposal"),
            ASSIGNMENTS, f"{ASSIGNMENTS}/{assignment.pk}"]  # fmt: skip


@pytest.fixture
def by_hand(round_, admin, cadres, posts, years):
    return create_assignment(
        actor=admin, person=cadres[3], post=posts["general-office"], start_term=years[2],
        length="term",
    )  # fmt: skip


@pytest.mark.parametrize("role", OFFICE)
def test_the_personnel_office_and_decision_members_read_every_endpoint(api, round_, by_hand, role):
    for address in office_urls(round_, by_hand):
        assert api(role).get(address).status_code == 200, address


@pytest.mark.parametrize("role", OUTSIDE)
def test_other_roles_and_the_district_get_nothing_of_the_office(api, round_, by_hand, role):
    for address in office_urls(round_, by_hand):
        response = api(role).get(address)
        assert response.status_code == 403, address
        assert response.json()["detail"] == "您没有权限执行此操作。"


def test_anonymous_callers_get_401_and_another_schools_round_is_404(
    api, round_, by_hand, other_school
):
    for address in office_urls(round_, by_hand):
        assert api(None).get(address).status_code == 401
    create_school_year(actor=None, school=other_school, start_year=2026)
    foreign = create_round(
        actor=None, school=other_school, title="外校轮次",
        start_term=term_of(other_school, 2026, TermNumber.FIRST),
    )  # fmt: skip
    for part in ("", "/intentions", "/proposal", "/intentions/mine"):
        assert api(Role.PERSONNEL).get(url(foreign, part)).status_code == 404
    assert api(Role.STAFF).get(url(foreign, "/intentions/mine")).status_code == 404
    assert api(Role.PERSONNEL).get(ROUNDS, {"school": other_school.pk}).status_code == 404


# --- rounds --------------------------------------------------------------------------------


def test_the_list_gives_each_round_with_its_posts_seats_and_mentors(api, filled, mentors):
    body = api(Role.DECISION).get(ROUNDS).json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert (item["title"], item["scope"], item["status"], item["status_label"]) == (
        "2026学年第一学期双向选择", "term", "open", "填报意向",
    )  # fmt: skip
    assert item["start_term"]["code"] == "2026-1"
    assert item["start_term"]["label"] == "2026–2027学年 第一学期"
    assert item["start_term"]["start"] == "2026-09-01"
    assert item["intentions_due"] == "2026-06-15"
    assert (item["seats"], item["intentions"]) == (15, 4)
    assert [p["post"]["name"] for p in item["posts"]][:4] == [
        "班主任",
        "年级组长",
        "教研组长",
        "教导处",
    ]
    moral = next(p for p in item["posts"] if p["post"]["name"] == "德育处")
    assert moral == {
        "post": {"id": moral["post"]["id"], "name": "德育处", "ladder_level": 3},
        "capacity": 1,
        "mentors": [{"id": mentors["moral"].pk, "name": "德育主任"}],
        "level_exempt": False,
        "exempt_reason": "",
    }


def test_the_list_filters_by_status_and_year_and_refuses_an_unknown_status(
    api, school, filled, admin, years
):
    later = create_round(actor=admin, school=school, title="2027学年双向选择",
                         start_term=years[2], scope="year")  # fmt: skip
    reader = api(Role.PERSONNEL)
    assert [r["title"] for r in reader.get(ROUNDS).json()["items"]] == [
        "2027学年双向选择", "2026学年第一学期双向选择",
    ]  # fmt: skip
    close_intentions(actor=admin, round_=filled)
    closed = reader.get(ROUNDS, {"status": "closed"}).json()
    assert [r["title"] for r in closed["items"]] == ["2026学年第一学期双向选择"]
    assert reader.get(ROUNDS, {"year": 2027}).json()["items"][0]["id"] == later.pk
    assert reader.get(ROUNDS, {"limit": 1, "offset": 1}).json()["items"][0]["id"] == filled.pk
    refused = reader.get(ROUNDS, {"status": "finished"})
    assert refused.status_code == 422
    assert refused.json()["errors"]["status"] == [
        "状态的取值无效，应为：open、closed、matched、adjusted、confirmed。"
    ]


def test_the_detail_gives_settings_posts_with_their_answers_limits_and_waivers(
    api, filled, admin, cadres, mentors, posts
):
    set_mentor_capacity(actor=admin, round_=filled, mentor=mentors["moral"], capacity=1)
    grant_level_waiver(actor=admin, round_=filled, person=cadres[0], post=posts["school-leader"],
                       reason="曾任团委书记两年")  # fmt: skip
    body = api(Role.PERSONNEL).get(url(filled)).json()
    assert (body["min_months_below"], body["default_mentor_capacity"]) == (12, 2)
    assert body["mentor_limits"] == [{"person": {"id": mentors["moral"].pk, "name": "德育主任"},
                                      "capacity": 1}]  # fmt: skip
    (waiver,) = body["waivers"]
    assert waiver["person"]["name"] == "陈晔" and waiver["post"]["name"] == "（副）校级"
    assert waiver["reason"] == "曾任团委书记两年"
    by_post = {p["post"]["name"]: p for p in body["posts"]}
    assert by_post["教导处"]["candidates"] == 3 and by_post["德育处"]["candidates"] == 2
    assert by_post["工会"]["candidates"] == 0  # 张兰兰 withdrew
    assert by_post["教导处"]["accept_others"] is True and by_post["教导处"]["ranked_at"] is None
    assert body["next"] == ["closed"] and body["assignments"] == 0
    assert body["closed_at"] is None and body["note"] == ""


# --- intentions ----------------------------------------------------------------------------


def test_the_office_reads_every_form_of_the_round(api, filled, cadres, mentors):
    silent = cadre(filled.school, "周晓燕")  # a reserve cadre who has not filled one in
    body = api(Role.PERSONNEL).get(url(filled, "/intentions")).json()
    zhang_pk = Person.objects.get(name="张兰兰").pk
    assert sorted((p["id"], p["name"]) for p in body["not_submitted"]) == sorted(
        [(silent.pk, "周晓燕"), (zhang_pk, "张兰兰")]  # 张兰兰 withdrew hers
    )
    assert body["round"] == {"id": filled.pk, "title": filled.title, "status": "open"}
    assert body["count"] == 4
    assert [i["person"]["name"] for i in body["items"]] == ["陈晔", "黄蔚敏", "卢懿蕾", "浦吉丽"]
    chen = body["items"][0]
    assert chen["person"]["staff_number"] == cadres[0].staff_number
    assert chen["remarks"] == "希望锻炼组织协调能力" and chen["withdrawn"] is False
    assert [(c["rank"], c["post"]["name"], c["length"]) for c in chen["choices"]] == [
        (1, "德育处", "year"), (2, "教导处", "term"),
    ]  # fmt: skip
    assert chen["choices"][0]["mentor"] == {"id": mentors["moral"].pk, "name": "德育主任"}
    assert chen["choices"][0]["remarks"] == "可兼任班主任" and chen["choices"][1]["mentor"] is None
    everything = api(Role.PERSONNEL).get(url(filled, "/intentions"), {"include_withdrawn": True})
    zhang = everything.json()["items"][-1]
    assert zhang["person"]["name"] == "张兰兰" and zhang["withdrawn"] is True
    assert zhang["withdraw_reason"] == "本学期带毕业班" and zhang["withdrawn_at"]


def test_a_cadre_reads_their_own_form_through_their_token(api, users, filled, cadres):
    linked(users[Role.STAFF], cadres[1])
    body = api(Role.STAFF).get(url(filled, "/intentions/mine")).json()
    assert body["person"]["name"] == "黄蔚敏" and body["may_fill"] is True
    assert body["round"]["status"] == "open" and body["intentions_due"] == "2026-06-15"
    assert [c["post"]["name"] for c in body["intention"]["choices"]] == ["德育处", "总务处"]
    assert len(body["posts"]) == 10
    assert "陈晔" not in str(body)  # nobody else's form
    # Someone without a form, and an account without a staff record.
    linked(users[Role.MENTOR], make_person(filled.school, name="普通老师"))
    other = api(Role.MENTOR).get(url(filled, "/intentions/mine")).json()
    assert other["person"]["name"] == "普通老师"
    assert (other["intention"], other["may_fill"]) == (None, False)
    nobody = api(Role.DECISION).get(url(filled, "/intentions/mine")).json()
    assert (nobody["person"], nobody["intention"], nobody["may_fill"]) == (None, None, False)


# --- the proposal ----------------------------------------------------------------------------


def test_before_the_matching_the_proposal_is_empty(api, filled):
    body = api(Role.PERSONNEL).get(url(filled, "/proposal")).json()
    assert body["run"] is None and body["review"] is None
    assert body["placed"] == body["unplaced"] == body["excluded"] == []


def test_the_proposal_gives_placements_with_their_explanations(api, matched):
    body = api(Role.DECISION).get(url(matched, "/proposal")).json()
    assert body["round"]["status"] == "matched"
    assert body["run"]["as_of"] == "2026-09-01" and body["run"]["proposals"] >= 4
    placed = {p["person"]["name"]: p for p in body["placed"]}
    assert {n: (p["post"]["name"], (p["mentor"] or {}).get("name")) for n, p in placed.items()} == {
        "陈晔": ("德育处", "德育主任"), "黄蔚敏": ("总务处", None), "卢懿蕾": ("教导处", "教导主任"),
    }  # fmt: skip
    chen = placed["陈晔"]
    assert (chen["length"], chen["choice"], chen["moved"]) == ("year", 1, False)
    assert chen["explanation"] == ["第一志愿：德育处，带教人员：德育主任"]
    assert placed["黄蔚敏"]["explanation"] == [
        "第2志愿：总务处",
        "德育处：名额已满，已安排岗位方排序在前的陈晔（其中陈晔与本人排序相同，按名单顺序优先）",
    ]
    assert [p["person"]["name"] for p in body["unplaced"]] == ["浦吉丽"]
    assert body["excluded"] == []
    assert body["review"] == {"ok": True, "violations": [], "blocking": []}


def test_the_unplaced_and_the_excluded_come_with_their_reasons_and_a_move_with_its_own(
    api, filled, admin, cadres, posts, years
):
    create_assignment(actor=admin, person=cadres[1], post=posts["teaching-office"],
                      start_term=years[0], length="term")  # fmt: skip
    close_intentions(actor=admin, round_=filled)
    run_matching(actor=admin, round_=filled)
    body = api(Role.PERSONNEL).get(url(filled, "/proposal")).json()
    (pu,) = body["unplaced"]
    assert pu["person"]["name"] == "浦吉丽" and pu["post"] is None and pu["length"] is None
    assert pu["explanation"][0] == "未安排岗位"
    assert pu["explanation"][1].startswith("教导处：名额已满，已安排岗位方排序在前的卢懿蕾")
    (huang,) = body["excluded"]
    assert huang["person"]["name"] == "黄蔚敏"
    assert huang["explanation"][0].endswith("时间重叠。本轮不参加匹配。")
    move_candidate(actor=admin, round_=filled, person=cadres[3], post=posts["academic-office"],
                   reason="教导处本学期增加一人")  # fmt: skip
    after = api(Role.PERSONNEL).get(url(filled, "/proposal")).json()
    moved = next(p for p in after["placed"] if p["person"]["name"] == "浦吉丽")
    assert moved["moved"] is True and moved["move_reason"] == "教导处本学期增加一人"
    assert moved["move_warnings"] == ["教导处安排了2人，超过名额1人"]
    assert moved["proposed_post"] is None and moved["post"]["name"] == "教导处"
    assert after["review"]["ok"] is False
    assert after["review"]["violations"] == ["教导处安排了2人，超过名额1人"]
    assert after["round"]["status"] == "adjusted"


# --- assignments -----------------------------------------------------------------------------


def test_assignments_give_person_post_level_mentors_terms_dates_and_status(
    api, confirmed, cadres, by_hand
):
    body = api(Role.PERSONNEL).get(ASSIGNMENTS).json()
    assert body["count"] == 4
    names = [(a["person"]["name"], a["post"]["name"]) for a in body["items"]]
    assert names == [("浦吉丽", "总务处"), ("陈晔", "德育处"), ("黄蔚敏", "总务处"),
                     ("卢懿蕾", "教导处")]  # fmt: skip
    chen = body["items"][1]
    assert chen["post"]["ladder_level"] == 3 and chen["round"]["title"] == confirmed.title
    assert chen["mentors"] == [{"person": {"id": chen["mentors"][0]["person"]["id"],
                                           "name": "德育主任"}, "role": "leader"}]  # fmt: skip
    assert chen["start_term"]["code"] == "2026-1" and chen["end_term"]["code"] == "2026-2"
    assert (chen["length"], chen["start_date"], chen["end_date"]) == (
        "year", "2026-09-01", "2027-06-30",
    )  # fmt: skip
    assert (chen["status"], chen["started_on"], chen["ended_on"]) == ("planned", None, None)
    assert body["items"][0]["round"] is None and body["items"][0]["mentors"] == []


def test_assignments_filter_by_round_status_person_and_term(
    api, confirmed, admin, cadres, by_hand, years
):
    reader = api(Role.DECISION)

    def names(**params) -> list[str]:
        return [a["person"]["name"] for a in reader.get(ASSIGNMENTS, params).json()["items"]]

    assert names(round=confirmed.pk) == ["陈晔", "黄蔚敏", "卢懿蕾"]
    start_assignment(actor=admin, assignment=Assignment.objects.get(person=cadres[2]))
    assert names(status="active") == ["卢懿蕾"]
    assert names(person=cadres[3].pk) == ["浦吉丽"]
    # 陈晔's year runs into 第二学期.
    assert names(term=years[1].pk) == ["陈晔"]
    assert names(term=years[2].pk) == ["浦吉丽"]
    assert names(limit=2, offset=1) == ["陈晔", "黄蔚敏"]
    refused = reader.get(ASSIGNMENTS, {"status": "done"})
    assert refused.status_code == 422 and "状态的取值无效" in refused.json()["errors"]["status"][0]


def test_an_assignments_detail_has_goals_mentors_explanation_notes_and_tasks(
    api, confirmed, admin, mentors, school
):
    chen = Assignment.objects.get(round=confirmed, person__name="陈晔")
    set_goals(actor=admin, assignment=chen, goals="提高组织协调能力")
    master = make_person(school, name="资深教师")
    add_mentor(actor=admin, assignment=chen, mentor=master, role=MentorRole.MASTER)
    remove_mentor(actor=admin, assignment=chen, mentor=master, reason="调离本校")
    start_assignment(actor=admin, assignment=chen)
    add_mentor_note(actor=admin, assignment=chen, author=mentors["moral"], text="主动承担德育活动",
                    written_on=dt.date(2026, 9, 20))  # fmt: skip
    add_hard_task(actor=admin, assignment=chen, title="组织校运动会", kinds=["urgent", "heavy"],
                  given_on=dt.date(2026, 10, 8), difficulty=2)  # fmt: skip
    body = api(Role.PERSONNEL).get(f"{ASSIGNMENTS}/{chen.pk}").json()
    assert body["goals"] == "提高组织协调能力" and body["status"] == "active"
    assert [m["person"]["name"] for m in body["mentors"]] == ["德育主任"]
    history = body["mentor_history"]
    assert [(m["person"]["name"], m["role"], m["remove_reason"]) for m in history] == [
        ("德育主任", "leader", ""), ("资深教师", "master", "调离本校"),
    ]  # fmt: skip
    assert body["explanation"] == ["第一志愿：德育处，带教人员：德育主任"]
    assert body["notes"] == [{"author": {"id": mentors["moral"].pk, "name": "德育主任"},
                              "written_on": "2026-09-20", "text": "主动承担德育活动"}]  # fmt: skip
    (task,) = body["tasks"]
    assert (task["title"], task["kinds"], task["kinds_label"], task["difficulty"]) == (
        "组织校运动会", ["urgent", "heavy"], "急、重", 2,
    )  # fmt: skip
    assert task["confirmed_by"] is None and task["outcome"] == ""


def test_a_cadre_reads_their_own_assignments(api, users, confirmed, cadres, by_hand):
    linked(users[Role.STAFF], cadres[0])
    (mine,) = api(Role.STAFF).get(f"{ASSIGNMENTS}/mine").json()
    assert mine["person"]["name"] == "陈晔" and mine["post"]["name"] == "德育处"
    assert mine["goals"] == "" and "notes" not in mine
    linked(users[Role.MENTOR], cadres[3])
    assert [a["post"]["name"] for a in api(Role.MENTOR).get(f"{ASSIGNMENTS}/mine").json()] == [
        "总务处"
    ]
    assert api(Role.DECISION).get(f"{ASSIGNMENTS}/mine").json() == []
    assert api(Role.DISTRICT).get(f"{ASSIGNMENTS}/mine").status_code == 403


# --- moving a round on ------------------------------------------------------------------------


def test_the_personnel_office_closes_matches_and_confirms_a_round(api, filled):
    office = api(Role.PERSONNEL)
    closed = office.post(url(filled, "/advance"), {"status": "closed"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert closed.json()["next"] == ["open", "matched"]
    matched = office.post(url(filled, "/advance"), {"status": "matched"}).json()
    assert matched["status"] == "matched" and matched["matched_at"]
    # The same call again does not run the matching twice.
    again = office.post(url(filled, "/advance"), {"status": "matched"})
    assert again.status_code == 422
    assert again.json()["errors"]["status"] == [
        "本轮当前状态为“已生成匹配方案”，不能生成匹配方案（应在“意向已截止”时进行）。"
    ]
    confirmed = office.post(url(filled, "/advance"), {"status": "confirmed"}).json()
    assert confirmed["status"] == "confirmed" and confirmed["assignments"] == 3
    assert Assignment.objects.filter(round=filled).count() == 3
    actions = list(
        AuditEntry.objects.filter(action__startswith="rotations.round.")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions[-3:] == [
        "rotations.round.closed", "rotations.round.matched", "rotations.round.confirmed",
    ]  # fmt: skip


def test_a_move_the_api_does_not_make_is_refused_with_a_reason(api, filled):
    office = api(Role.PERSONNEL)
    refused = office.post(url(filled, "/advance"), {"status": "open"})
    assert refused.status_code == 422
    assert refused.json()["errors"]["status"] == [
        "状态的取值无效，应为：closed、matched、confirmed。"
    ]
    early = office.post(url(filled, "/advance"), {"status": "confirmed"})
    assert early.status_code == 422 and "不能确认匹配方案" in early.json()["detail"]
    assert Round.objects.get(pk=filled.pk).status == RoundStatus.OPEN


@pytest.mark.parametrize("role", [Role.DECISION, Role.MENTOR, Role.STAFF, Role.DISTRICT])
def test_only_the_personnel_office_moves_a_round(api, filled, role):
    assert api(role).post(url(filled, "/advance"), {"status": "closed"}).status_code == 403
    assert Round.objects.get(pk=filled.pk).status == RoundStatus.OPEN


# --- query counts ------------------------------------------------------------------------------


def test_the_rounds_list_query_count_does_not_grow(
    api, school, filled, admin, years, django_assert_num_queries
):
    reader = api(Role.PERSONNEL)
    reader.get(ROUNDS)  # warm-up: the token's last use is written once
    # token and user, count, page with school, term and form count, posts, their mentors
    with django_assert_num_queries(5):
        assert reader.get(ROUNDS).json()["count"] == 1
    create_round(actor=admin, school=school, title="2027学年双向选择", start_term=years[2],
                 scope="year")  # fmt: skip
    create_round(actor=admin, school=school, title="第二学期双向选择", start_term=years[1])
    with django_assert_num_queries(5):
        assert reader.get(ROUNDS).json()["count"] == 3


def test_the_intentions_query_count_does_not_grow_with_forms(
    api, round_, admin, cadres, school, django_assert_num_queries
):
    reader = api(Role.DECISION)
    choose(admin, round_, cadres[0], ("moral-office", "term"))
    reader.get(url(round_, "/intentions"))
    # token and user, round, forms with people, their rows, the reserve cadres without one
    with django_assert_num_queries(5):
        assert reader.get(url(round_, "/intentions")).json()["count"] == 1
    for person in cadres[1:] + [cadre(school, f"后备{n}") for n in range(4)]:
        choose(admin, round_, person, ("academic-office", "term"), ("general-office", "year"))
    with django_assert_num_queries(5):
        assert reader.get(url(round_, "/intentions")).json()["count"] == 8


def test_the_assignments_list_query_count_does_not_grow(
    api, confirmed, admin, school, posts, years, mentors, django_assert_num_queries
):
    reader = api(Role.PERSONNEL)
    reader.get(ASSIGNMENTS)
    # token and user, count, page with person, post, round and terms, mentors
    with django_assert_num_queries(4):
        assert reader.get(ASSIGNMENTS).json()["count"] == 3
    for n in range(3):
        create_assignment(
            actor=admin, person=cadre(school, f"后备{n}"), post=posts["teaching-office"],
            start_term=years[1 + n % 2], length="term",
            mentors=[(mentors["academic"], MentorRole.LEADER)] if n < 2 else [],
        )  # fmt: skip
    with django_assert_num_queries(4):
        assert reader.get(ASSIGNMENTS).json()["count"] == 6


def test_the_proposal_query_count_does_not_grow(
    api, filled, admin, school, django_assert_num_queries
):
    for n in range(3):
        choose(admin, filled, cadre(school, f"后备{n}"), ("general-office", "term"))
    close_intentions(actor=admin, round_=filled)
    run_matching(actor=admin, round_=filled)
    reader = api(Role.PERSONNEL)
    reader.get(url(filled, "/proposal"))
    # token and user, round, live run, placements, and the review's run and placements
    with django_assert_num_queries(6):
        body = reader.get(url(filled, "/proposal")).json()
    assert len(body["placed"]) + len(body["unplaced"]) == 7


# --- OpenAPI -------------------------------------------------------------------------------------


def test_openapi_describes_the_rotation_endpoints_in_chinese(client, db):
    document = client.get("/api/openapi.json").json()
    paths = document["paths"]
    assert paths["/api/rotations/rounds"]["get"]["summary"] == "双向选择轮次"
    assert paths["/api/rotations/rounds"]["get"]["tags"] == ["双向选择与轮岗"]
    assert "区教育局不能通过接口读取" in paths["/api/rotations/assignments"]["get"]["description"]
    mine = paths["/api/rotations/rounds/{round_id}/intentions/mine"]["get"]
    assert "只返回与本账号关联的教职工本人的记录" in mine["description"]
    advance = paths["/api/rotations/rounds/{round_id}/advance"]["post"]
    assert {"200", "401", "403", "404", "422"} <= set(advance["responses"])
    schemas = document["components"]["schemas"]
    placement = schemas["RotationPlacementOut"]["properties"]
    assert placement["explanation"]["title"] == "说明"
    assert schemas["RotationAssignmentOut"]["properties"]["status"]["description"] == (
        "planned=已安排，active=轮岗中，completed=已完成，ended=提前终止"
    )
    assert schemas["RotationRoundOut"]["properties"]["status"]["description"].startswith(
        "open=填报意向"
    )
    # The rating rounds keep their own status enum.
    assert schemas["RoundStatus"]["enum"] == ["draft", "open", "closed", "released"]
