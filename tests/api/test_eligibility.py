import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from houbei.accounts.models import Role
from houbei.eligibility import services as eligibility_services
from houbei.eligibility.models import Rule
from houbei.people.models import Establishment

from ..factories import add_history, add_honour, make_person, post_of

RULE_SETS = "/api/eligibility/rule-sets"
AS_OF = dt.date(2021, 2, 26)


def evaluation_url(rule_set) -> str:
    return f"{RULE_SETS}/{rule_set.pk}/evaluation"


def person_url(rule_set, person) -> str:
    return f"{RULE_SETS}/{rule_set.pk}/people/{person.pk}"


@pytest.fixture
def rule_set(school):
    return eligibility_services.create_rule_set(
        actor=None, school=school, name="2021年选拔", reference_date=AS_OF, is_default=True
    )


@pytest.fixture
def foreign_rule_set(other_school):
    return eligibility_services.create_rule_set(
        actor=None, school=other_school, name="外校条件", reference_date=AS_OF
    )


def qualified(school, **fields):
    """Five years at the school, three as a class teacher, a year as grade leader."""
    person = make_person(
        school,
        joined_school_on=dt.date(2010, 9, 1),
        fit_for_duty=True,
        fit_for_duty_on=dt.date(2020, 9, 1),
        **fields,
    )
    add_history(person, "class-teacher", dt.date(2012, 9, 1), dt.date(2016, 7, 31))
    add_history(person, "grade-leader", dt.date(2016, 9, 1))
    return person


@pytest.fixture
def staff(school, other_school):
    wang = qualified(school, name="王静", staff_number="A001")
    add_honour(wang, "优秀班主任", year=2019)
    return {
        "wang": wang,
        "li": qualified(school, name="李新", staff_number="A002"),
        "new": make_person(
            school,
            name="新来的",
            staff_number="A003",
            joined_school_on=dt.date(2019, 9, 1),
            fit_for_duty=True,
            fit_for_duty_on=dt.date(2020, 9, 1),
        ),
        "out": make_person(
            school, name="编外", staff_number="A004", establishment=Establishment.OUT
        ),
        "foreign": make_person(other_school, name="外校老师", staff_number="A001"),
    }


def by_name(body) -> dict[str, dict]:
    return {p["name"]: p for p in body["people"]}


# --- Access -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PERSONNEL, Role.DECISION])
def test_personnel_and_decision_members_read_every_endpoint(api, rule_set, staff, role):
    reader = api(role)
    assert reader.get(RULE_SETS).status_code == 200
    assert reader.get(evaluation_url(rule_set)).status_code == 200
    assert reader.get(person_url(rule_set, staff["wang"])).status_code == 200


@pytest.mark.parametrize("role", [Role.MENTOR, Role.STAFF, Role.DISTRICT, Role.SYSADMIN])
def test_other_roles_are_refused_personal_results(api, rule_set, foreign_rule_set, staff, role):
    """Mentors and staff hold no eligibility capability; district and system roles see
    aggregates only, never a person's results — in their own district's schools too."""
    caller = api(role)
    for url in (
        RULE_SETS,
        evaluation_url(rule_set),
        person_url(rule_set, staff["wang"]),
        evaluation_url(foreign_rule_set),
        person_url(foreign_rule_set, staff["foreign"]),
    ):
        response = caller.get(url)
        assert response.status_code == 403, url
        assert response.json()["detail"] == "您没有权限执行此操作。"


def test_anonymous_callers_get_401(api, rule_set):
    assert api(None).get(evaluation_url(rule_set)).status_code == 401


def test_another_schools_rule_set_and_person_are_404(api, rule_set, foreign_rule_set, staff):
    reader = api(Role.PERSONNEL)
    assert reader.get(evaluation_url(foreign_rule_set)).status_code == 404
    assert reader.get(person_url(foreign_rule_set, staff["wang"])).status_code == 404
    response = reader.get(person_url(rule_set, staff["foreign"]))
    assert response.status_code == 404
    assert response.json()["detail"] == "未找到该对象，或您无权查看。"


# --- Rule sets ----------------------------------------------------------------------------


def test_rule_sets_are_the_callers_schools_with_their_rules(api, rule_set, foreign_rule_set):
    body = api(Role.DECISION).get(RULE_SETS).json()
    assert [s["name"] for s in body] == ["2021年选拔"]
    listed = body[0]
    assert (listed["id"], listed["reference_date"], listed["is_default"]) == (
        rule_set.pk,
        "2021-02-26",
        True,
    )
    rules = {r["key"]: r for r in listed["rules"]}
    assert rules["school-years"] == {
        "key": "school-years",
        "type": "years_at_school",
        "strength": "hard",
        "label": "在本校五年以上的工作经历",
        "params": {"min_years": "5"},
        "enabled": True,
    }
    assert rules["honours"]["strength"] == "priority"
    assert [r["key"] for r in listed["rules"]][:2] == ["in-establishment", "on-duty"]


def test_archived_rule_sets_are_listed_only_when_asked(api, school, rule_set):
    old = eligibility_services.create_rule_set(actor=None, school=school, name="旧条件")
    eligibility_services.archive_rule_set(actor=None, rule_set=old, reason="已被替代")
    reader = api(Role.PERSONNEL)
    assert [s["name"] for s in reader.get(RULE_SETS).json()] == ["2021年选拔"]
    listed = reader.get(RULE_SETS, {"include_archived": "true"}).json()
    assert {(s["name"], s["archived"]) for s in listed} == {("2021年选拔", False), ("旧条件", True)}


# --- Evaluation ---------------------------------------------------------------------------


def test_evaluation_gives_verdicts_counts_and_explanations(api, rule_set, staff):
    body = api(Role.PERSONNEL).get(evaluation_url(rule_set)).json()
    assert body["rule_set"] == {"id": rule_set.pk, "name": "2021年选拔"}
    assert (body["as_of"], body["target"], body["target_label"]) == (
        "2021-02-26",
        "",
        "目标层级：组长层",
    )
    assert body["counts"] == {
        "eligible": 2,
        "flagged": 0,
        "ineligible": 1,
        "incomplete": 0,
        "out_of_scope": 1,
    }
    # Out of scope is left out by default; the best come first, priority breaking ties.
    assert [p["name"] for p in body["people"]] == ["王静", "李新", "新来的"]
    wang = by_name(body)["王静"]
    assert (wang["id"], wang["staff_number"], wang["verdict"], wang["priority"]) == (
        staff["wang"].pk,
        "A001",
        "eligible",
        1,
    )
    assert [r["key"] for r in wang["results"]] == [r["key"] for r in body["rules"]]
    results = {r["key"]: r for r in wang["results"]}
    assert results["school-years"]["outcome"] == results["school-years"]["computed"] == "pass"
    assert "10年" in results["school-years"]["text"]
    assert "班主任" in results["head-years"]["text"]
    assert "2019年" in results["honours"]["text"] and "优秀班主任" in results["honours"]["text"]
    assert results["age-band"]["short"] == "35岁"
    assert all(r["text"] for p in body["people"] for r in p["results"])
    new = {r["key"]: r for r in by_name(body)["新来的"]["results"]}
    assert new["school-years"]["outcome"] == "fail"
    assert "要求满5年" in new["school-years"]["text"]


def test_evaluation_filters_by_verdict_and_refuses_an_unknown_one(api, rule_set, staff):
    reader = api(Role.PERSONNEL)
    everyone = reader.get(evaluation_url(rule_set), {"verdict": "all"}).json()
    assert [p["name"] for p in everyone["people"]] == ["王静", "李新", "新来的", "编外"]
    assert by_name(everyone)["编外"]["verdict"] == "out_of_scope"
    only = reader.get(evaluation_url(rule_set), {"verdict": "ineligible"}).json()
    assert [p["name"] for p in only["people"]] == ["新来的"]
    assert only["counts"] == everyone["counts"]
    response = reader.get(evaluation_url(rule_set), {"verdict": "maybe"})
    assert response.status_code == 422
    assert response.json()["errors"]["verdict"][0].startswith("结论的取值无效")


def test_evaluation_takes_a_reference_date_and_a_target(api, rule_set, staff):
    reader = api(Role.PERSONNEL)
    earlier = reader.get(evaluation_url(rule_set), {"as_of": "2015-06-01"}).json()
    assert earlier["as_of"] == "2015-06-01"
    # Five years at the school were not complete by then.
    assert by_name(earlier)["王静"]["verdict"] == "ineligible"
    office = reader.get(evaluation_url(rule_set), {"target": "level:3"}).json()
    assert (office["target"], office["target_label"]) == ("level:3", "目标层级：中层")
    post = reader.get(evaluation_url(rule_set), {"target": "post:academic-office"}).json()
    assert post["target"] == "post:academic-office"
    assert post["target_label"] == "目标岗位：教导处（中层）"


@pytest.mark.parametrize("as_of", ["2021-13-01", "26/02/2021", "20210226", "1614297600"])
def test_a_malformed_reference_date_is_refused_in_chinese(api, rule_set, as_of):
    response = api(Role.PERSONNEL).get(evaluation_url(rule_set), {"as_of": as_of})
    assert response.status_code == 422
    assert response.json() == {
        "detail": "输入有误，请检查标出的字段。",
        "errors": {"as_of": ["基准日应为日期，格式为 YYYY-MM-DD。"]},
    }


def test_a_reference_date_outside_the_calendar_range_is_refused(api, rule_set, staff):
    response = api(Role.PERSONNEL).get(evaluation_url(rule_set), {"as_of": "0001-01-01"})
    assert response.status_code == 422
    assert response.json()["errors"]["as_of"] == ["基准日不能小于1900-01-01。"]


def test_an_unknown_target_is_refused(api, rule_set, staff):
    reader = api(Role.PERSONNEL)
    for url in (evaluation_url(rule_set), person_url(rule_set, staff["wang"])):
        response = reader.get(url, {"target": "post:nowhere"})
        assert response.status_code == 422
        assert "post:nowhere" in response.json()["errors"]["target"][0]


def test_a_rule_the_school_can_no_longer_compute_is_422(api, rule_set, staff):
    Rule.objects.filter(rule_set=rule_set, key="head-years").update(
        params={"min_years": "3", "posts": ["closed-post"]}
    )
    reader = api(Role.PERSONNEL)
    for url in (evaluation_url(rule_set), person_url(rule_set, staff["wang"])):
        response = reader.get(url)
        assert response.status_code == 422
        assert "closed-post" in response.json()["detail"]


def _queries(reader, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = reader.get(url, {"verdict": "all"})
    assert response.status_code == 200
    return len(captured)


def test_evaluation_query_count_does_not_grow_with_people(api, school, rule_set):
    reader = api(Role.PERSONNEL)
    url = evaluation_url(rule_set)
    for n in range(3):
        add_honour(qualified(school, staff_number=f"Q{n:02d}"), year=2018)
    reader.get(url)  # warm-up: the token's last use is written once
    few = _queries(reader, url)
    for n in range(3, 30):
        add_honour(qualified(school, staff_number=f"Q{n:02d}"), year=2018)
    assert _queries(reader, url) == few
    assert len(reader.get(url).json()["people"]) == 30


# --- One person ---------------------------------------------------------------------------


def test_person_evaluation_explains_each_rule(api, rule_set, staff):
    body = api(Role.DECISION).get(person_url(rule_set, staff["wang"])).json()
    assert body["person"] == {"id": staff["wang"].pk, "staff_number": "A001", "name": "王静"}
    assert (body["as_of"], body["target"], body["target_label"]) == (
        "2021-02-26",
        "",
        "目标层级：组长层",
    )
    assert (body["verdict"], body["priority"]) == ("eligible", 1)
    results = {r["key"]: r for r in body["results"]}
    assert results["level-below"]["label"] == "在下一级岗位工作一年以上（个别岗位酌情处理）"
    assert results["level-below"]["strength"] == "hard"
    assert "班主任" in results["level-below"]["text"]
    assert results["thinking"]["outcome"] == "unknown"
    assert results["thinking"]["ruling"] is None
    assert all(r["exempt_reason"] is None for r in body["results"])


def test_person_evaluation_shows_rulings_and_exemptions(api, school, rule_set, staff, users):
    personnel = users[Role.PERSONNEL]
    rules = {r.key: r for r in rule_set.rules.all()}
    eligibility_services.record_ruling(
        actor=personnel,
        rule=rules["school-years"],
        person=staff["new"],
        outcome="pass",
        reason="原单位并入本校，工龄连续计算",
    )
    eligibility_services.grant_exemption(
        actor=personnel,
        rule=rules["level-below"],
        post=post_of(school, "trade-union"),
        reason="工会岗位不设下一级",
    )
    body = (
        api(Role.PERSONNEL)
        .get(person_url(rule_set, staff["new"]), {"target": "post:trade-union"})
        .json()
    )
    assert body["target"] == "post:trade-union"
    results = {r["key"]: r for r in body["results"]}
    school_years = results["school-years"]
    assert (school_years["outcome"], school_years["computed"]) == ("pass", "fail")
    ruling = school_years["ruling"]
    assert ruling["outcome"] == "pass"
    assert ruling["reason"] == "原单位并入本校，工龄连续计算"
    assert ruling["by"] == personnel.display_name
    assert ruling["on"] is not None
    assert results["level-below"]["exempt_reason"] == "工会岗位不设下一级"
    assert "工会岗位不设下一级" in results["level-below"]["text"]
    assert results["level-below"]["outcome"] == "pass"
