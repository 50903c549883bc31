import datetime as dt

import pytest
from django.utils import timezone

from houbei.accounts.models import Role
from houbei.audit.models import AuditEntry
from houbei.ballots import services as ballots
from houbei.eligibility.services import create_rule_set
from houbei.organisation.models import District
from houbei.organisation.services import create_school
from houbei.selection import inspection, notice, recommendation, workflow
from houbei.selection.models import (
    Cycle,
    Level,
    ObjectionOutcome,
    PoolEntry,
    Readiness,
    Stage,
)
from houbei.selection.services import ListDraft, create_cycle, plan_stage, set_list
from houbei.selection.targets import set_readiness

from ..conftest import make_user
from ..factories import make_person
from ..selection.conftest import REF, Walk, lists_of, qualified

CYCLES = "/api/selection/cycles"
POOL = "/api/selection/pool"
TODAY = timezone.localdate


def url(cycle: Cycle, part: str = "") -> str:
    return f"{CYCLES}/{cycle.pk}{part}"


def new_cycle(school, title="2021年后备干部选拔", year=2021, lists=None, actor=None) -> Cycle:
    rule_set = create_rule_set(
        actor=None, school=school, name=f"{title}条件", reference_date=REF, is_default=True
    )
    return create_cycle(
        actor=actor,
        school=school,
        title=title,
        year=year,
        reference_date=REF,
        rule_set=rule_set,
        lists=lists or [ListDraft(Level.DISTRICT, 2), ListDraft(Level.SCHOOL, 3)],
    )


@pytest.fixture
def staff(school):
    names = ["陈晔", "黄蔚敏", "卢懿蕾", "浦吉丽", "张兰兰", "陈静华", "奚莉", "余立群", "邹建琴"]
    return [qualified(school, name=n) for n in names]


@pytest.fixture
def actors(users):
    return users[Role.PERSONNEL], users[Role.DECISION]


@pytest.fixture
def cycle(school, staff, actors) -> Cycle:
    return new_cycle(school, actor=actors[0])


@pytest.fixture
def walk(cycle, staff, actors) -> Walk:
    return Walk(cycle, staff, actors)


@pytest.fixture
def foreign_cycle(other_school) -> Cycle:
    qualified(other_school, name="外校老师")
    return new_cycle(other_school, title="外校选拔")


@pytest.fixture
def far_cycle(db) -> Cycle:
    """A cycle of a school in another district."""
    far = District.objects.create(name="远区", code="far")
    school = create_school(actor=None, district=far, name="远区中学", code="far-school")
    qualified(school, name="远区老师")
    return new_cycle(school, title="远区选拔")


@pytest.fixture
def finished(walk, actors):
    """A cycle walked to 完成 with the data the results show: a published round with
    谈话调研推荐, an individual talk, a signed and an anonymous objection."""
    admin, decider = actors
    walk.to_recommendation()
    district_list, school_list = lists_of(walk.cycle)
    recommendation.record_talk_recommendations(
        actor=admin,
        cycle=walk.cycle,
        interviewees=12,
        counts=[
            recommendation.TalkCount(district_list, walk.staff[0], 9),
            recommendation.TalkCount(district_list, walk.staff[1], 4),
            recommendation.TalkCount(school_list, walk.staff[2], 7),
        ],
    )
    walk.to_inspection()
    target = walk.active_targets()[0]
    inspection.record_talk(
        actor=decider, target=target, interviewee_name="谈话对象甲",
        held_on=TODAY() - dt.timedelta(days=2), interviewer="考察组",
        summary="谈话要点：机密内容",
    )  # fmt: skip
    set_readiness(actor=decider, target=target, readiness=Readiness.NEAR)
    walk.inspect()
    workflow.start_decision(actor=admin, cycle=walk.cycle)
    walk.decide_all()
    workflow.start_notice(actor=admin, cycle=walk.cycle, start=TODAY() - dt.timedelta(days=30))
    signed = notice.register_objection(
        actor=admin, cycle=walk.cycle, target=target, signed=True, reporter_name="反映人乙",
        reporter_contact="13800000000", received_on=TODAY() - dt.timedelta(days=20),
        content="反映内容：不应公开",
    )  # fmt: skip
    notice.close_objection(
        actor=admin, objection=signed, investigation="调查情况：不应公开",
        outcome=ObjectionOutcome.NO_PROBLEM, answer="已反馈", answered_on=TODAY(),
    )  # fmt: skip
    anonymous = notice.register_objection(
        actor=admin, cycle=walk.cycle, target=walk.active_targets()[1], signed=False,
        received_on=TODAY() - dt.timedelta(days=19), content="匿名反映",
    )  # fmt: skip
    return walk, anonymous


def publish(cycle: Cycle, actor) -> None:
    for round_ in cycle.rounds.select_related("election"):
        ballots.publish_results(actor=actor, election=round_.election)


# --- Access -------------------------------------------------------------------------------


def all_urls(cycle: Cycle) -> list[str]:
    return [CYCLES, url(cycle), url(cycle, "/stages"), url(cycle, "/results"), POOL]


@pytest.mark.parametrize("role", [Role.PERSONNEL, Role.DECISION, Role.DISTRICT])
def test_personnel_decision_members_and_the_district_read_every_endpoint(api, cycle, role):
    reader = api(role)
    for address in all_urls(cycle):
        assert reader.get(address).status_code == 200, address


@pytest.mark.parametrize("role", [Role.MENTOR, Role.STAFF, Role.SYSADMIN])
def test_roles_without_the_capability_are_refused(api, cycle, role):
    for address in all_urls(cycle):
        response = api(role).get(address)
        assert response.status_code == 403, address
        assert response.json()["detail"] == "您没有权限执行此操作。"


def test_anonymous_callers_get_401(api, cycle):
    for address in all_urls(cycle):
        assert api(None).get(address).status_code == 401, address


def test_another_schools_cycle_is_404_even_to_the_district_outside_its_district(
    api, cycle, foreign_cycle, far_cycle
):
    for part in ("", "/stages", "/results"):
        response = api(Role.PERSONNEL).get(url(foreign_cycle, part))
        assert response.status_code == 404
        assert response.json()["detail"] == "未找到该对象，或您无权查看。"
        assert api(Role.DECISION).get(url(foreign_cycle, part)).status_code == 404
        # The district reads its own schools, and no other district's.
        assert api(Role.DISTRICT).get(url(foreign_cycle, part)).status_code == 200
        assert api(Role.DISTRICT).get(url(far_cycle, part)).status_code == 404
    assert api(Role.PERSONNEL).get(CYCLES, {"school": foreign_cycle.school_id}).status_code == 404
    assert api(Role.DISTRICT).get(POOL, {"school": far_cycle.school_id}).status_code == 404


# --- Cycles -------------------------------------------------------------------------------


def test_list_gives_each_readers_cycles_with_stage_and_lists(api, cycle, foreign_cycle, far_cycle):
    body = api(Role.PERSONNEL).get(CYCLES).json()
    assert (body["count"], body["limit"], body["offset"]) == (1, 50, 0)
    (item,) = body["items"]
    assert item["id"] == cycle.pk
    assert item["school"] == {"id": cycle.school_id, "name": "市八初级中学"}
    assert (item["year"], item["title"], item["reference_date"]) == (
        2021,
        "2021年后备干部选拔",
        "2021-02-26",
    )
    assert (item["stage"], item["stage_label"], item["completed_at"]) == (
        "preparation",
        "筹备",
        None,
    )
    assert [(cl["level"], cl["name"], cl["quota"]) for cl in item["lists"]] == [
        ("district", "区级后备干部", 2),
        ("school", "校级后备干部", 3),
    ]
    district = api(Role.DISTRICT).get(CYCLES).json()
    assert {c["id"] for c in district["items"]} == {cycle.pk, foreign_cycle.pk}
    only = api(Role.DISTRICT).get(CYCLES, {"school": foreign_cycle.school_id}).json()
    assert [c["id"] for c in only["items"]] == [foreign_cycle.pk]


def test_list_filters_by_year_and_stage_and_refuses_an_unknown_stage(api, school, cycle, walk):
    later = new_cycle(school, title="2023年后备干部选拔", year=2023)
    walk.to_recommendation()
    reader = api(Role.DECISION)
    assert [c["id"] for c in reader.get(CYCLES).json()["items"]] == [later.pk, cycle.pk]
    assert [c["id"] for c in reader.get(CYCLES, {"year": 2021}).json()["items"]] == [cycle.pk]
    stage = reader.get(CYCLES, {"stage": "recommendation"}).json()
    assert [c["id"] for c in stage["items"]] == [cycle.pk]
    assert stage["items"][0]["stage_label"] == "民主推荐"
    response = reader.get(CYCLES, {"stage": "voting"})
    assert response.status_code == 422
    assert "当前阶段的取值无效" in response.json()["errors"]["stage"][0]


def test_detail_gives_settings_lists_timeline_and_what_keeps_the_next_move(
    api, cycle, walk, actors, staff
):
    plan_stage(
        actor=actors[0], cycle=cycle, stage=Stage.OPINIONS,
        deadline=TODAY() + dt.timedelta(days=10), responsible=staff[5],
    )  # fmt: skip
    plan_stage(
        actor=actors[0], cycle=cycle, stage=Stage.RECOMMENDATION,
        deadline=TODAY() - dt.timedelta(days=1), responsible=None,
    )  # fmt: skip
    walk.to_recommendation()
    body = api(Role.PERSONNEL).get(url(cycle)).json()
    assert (body["stage"], body["eligible"]) == ("recommendation", 9)
    assert body["rule_set"]["name"] == "2021年后备干部选拔条件"
    assert body["settings"] == {
        "quorum_numerator": 2,
        "quorum_denominator": 3,
        "competitive": True,
        "inspection_notice_days": 3,
        "notice_working_days": 5,
        "decision_quorum_numerator": 2,
        "decision_quorum_denominator": 3,
        "pass_numerator": 1,
        "pass_denominator": 2,
        "second_round_percent": 30,
        "postponement_months": 3,
        "pool_years": 2,
    }
    timeline = {row["stage"]: row for row in body["timeline"]}
    assert list(timeline) == [s.value for s in Stage]
    assert [row["state"] for row in body["timeline"]] == ["done", "current"] + ["upcoming"] * 6
    assert timeline["preparation"]["started_at"] and timeline["preparation"]["finished_at"]
    assert (
        timeline["recommendation"]["started_at"] and not timeline["recommendation"]["finished_at"]
    )
    opinions = timeline["opinions"]
    assert (opinions["deadline"], opinions["responsible"]["name"], opinions["overdue"]) == (
        str(TODAY() + dt.timedelta(days=10)),
        "陈静华",
        False,
    )
    assert timeline["recommendation"]["overdue"] is True
    assert body["next"] == {
        "to": "opinions",
        "label": "征求意见",
        "verb": "开始征求意见",
        "ready": False,
        "problems": ["尚未进行民主推荐。"],
    }
    assert body["reopenings"] == []


def test_detail_of_a_cycle_ready_to_move_and_of_a_complete_one(api, cycle, finished, actors):
    _walk, anonymous = finished
    body = api(Role.DECISION).get(url(cycle)).json()
    assert body["next"]["to"] == "done" and body["next"]["ready"] is False
    assert body["next"]["problems"] == ["有1件异议尚未处理完毕。"]
    notice.close_objection(
        actor=actors[0], objection=anonymous, investigation="查无此事",
        outcome=ObjectionOutcome.NO_PROBLEM,
    )  # fmt: skip
    assert api(Role.DECISION).get(url(cycle)).json()["next"]["ready"] is True
    workflow.complete_cycle(actor=actors[0], cycle=cycle)
    done = api(Role.DECISION).get(url(cycle)).json()
    assert done["next"] is None and done["completed_at"]
    assert {row["state"] for row in done["timeline"]} == {"done"}


def test_detail_shows_a_reopening_and_the_new_attempts(api, cycle, walk, actors):
    walk.to_recommendation()
    workflow.reopen_stage(actor=actors[0], cycle=cycle, stage=Stage.PREPARATION, reason="名单有误")
    body = api(Role.PERSONNEL).get(url(cycle)).json()
    assert body["stage"] == "preparation"
    (reopening,) = body["reopenings"]
    assert (reopening["stage"], reopening["from_stage"], reopening["reason"]) == (
        "preparation",
        "recommendation",
        "名单有误",
    )
    attempts = {row["stage"]: row["attempts"] for row in body["timeline"]}
    assert (attempts["preparation"], attempts["recommendation"], attempts["opinions"]) == (2, 2, 1)
    stages = api(Role.PERSONNEL).get(url(cycle, "/stages")).json()
    records = {s["stage"]: s["records"] for s in stages["stages"]}
    first, second = records["recommendation"]
    assert (first["attempt"], first["interrupted"], second["attempt"]) == (1, True, 2)
    assert first["started_at"] and first["finished_at"] and second["started_at"] is None


def test_stages_describe_each_stage_with_its_records(api, cycle):
    body = api(Role.DISTRICT).get(url(cycle, "/stages")).json()
    assert body["cycle"] == {"id": cycle.pk, "year": 2021, "title": "2021年后备干部选拔"}
    stages = {s["stage"]: s for s in body["stages"]}
    assert list(stages) == [s.value for s in Stage]
    notice_stage = stages["notice"]
    assert notice_stage["label"] == "公示" and notice_stage["state"] == "upcoming"
    assert "5个工作日" in notice_stage["due"][0]
    assert notice_stage["responsible_role"] == "人事室"
    assert notice_stage["documents"][0] == "公示"
    (record,) = stages["preparation"]["records"]
    assert (record["attempt"], record["interrupted"], record["responsible"]) == (1, False, None)
    assert stages["preparation"]["state"] == "current"


# --- Results ------------------------------------------------------------------------------


def test_results_give_each_round_in_the_official_wording_once_published(
    api, cycle, finished, actors
):
    # Tallied, not published: only the personnel office, who runs the cycle, sees votes.
    for role in (Role.DECISION, Role.DISTRICT):
        (hidden,) = api(role).get(url(cycle, "/results")).json()["rounds"]
        assert (hidden["outcome"], hidden["results_shown"], hidden["lists"]) == ("valid", False, [])
        assert (hidden["participants"], hidden["electorate"], hidden["quorum"]) == (9, 9, "2/3")
    (shown,) = api(Role.PERSONNEL).get(url(cycle, "/results")).json()["rounds"]
    assert shown["results_shown"] is True
    publish(cycle, actors[0])
    (body,) = api(Role.DECISION).get(url(cycle, "/results")).json()["rounds"]
    assert body == shown | {"election_status": "published"}
    assert (body["number"], body["scattered"]) == (1, False)
    assert body["summary"] == "共有9人参加推荐，发出推荐票9张，收回9张。"
    district_list, school_list = body["lists"]
    assert (district_list["level"], district_list["quota"], district_list["valid"]) == (
        "district",
        2,
        9,
    )
    first = district_list["candidates"][0]
    assert (first["person"]["name"], first["votes"], first["share"], first["rank"]) == (
        "陈晔",
        9,
        "100.0%",
        1,
    )
    assert first["sentence"] == (
        "共有9人参加推荐，发出推荐票9张，收回9张，其中有效票9张；"
        "推荐其为区级后备干部9票，占有效票100.0%，居第1位"
    )
    assert school_list["name"] == "校级后备干部"
    assert body["top_shares"] == {"区级后备干部": "100.0%", "校级后备干部": "100.0%"}


def test_results_give_talks_targets_decisions_and_the_notice(api, cycle, finished):
    body = api(Role.PERSONNEL).get(url(cycle, "/results")).json()
    talks = body["talks"]
    assert talks["interviewees"] == 12
    assert [(c["person"]["name"], c["count"]) for c in talks["lists"][0]["counts"]] == [
        ("陈晔", 9),
        ("黄蔚敏", 4),
    ]
    assert [(c["person"]["name"], c["count"]) for c in talks["lists"][1]["counts"]] == [
        ("卢懿蕾", 7)
    ]
    targets = body["targets"]
    assert [(t["level"], t["person"]["name"]) for t in targets] == [
        ("district", "陈晔"),
        ("district", "黄蔚敏"),
        ("district", "卢懿蕾"),
        ("school", "黄蔚敏"),
        ("school", "卢懿蕾"),
        ("school", "浦吉丽"),
        ("school", "张兰兰"),
    ]
    first = targets[0]
    assert first["votes_note"].startswith("第1轮民主推荐：共有9人参加推荐")
    assert "谈话调研推荐：谈话12人，推荐9人次。" in first["votes_note"]
    assert (first["talks"], first["readiness"], first["appraisal"], first["report_signed"]) == (
        1,
        "near",
        "released",
        True,
    )
    assert first["notice_published_on"] == str(TODAY() - dt.timedelta(days=3))
    (meeting,) = body["meetings"]
    assert (meeting["expected"], meeting["present"]) == (5, 5)
    assert [(d["person"]["name"], d["outcome"], d["agree"]) for d in meeting["decisions"]][:2] == [
        ("陈晔", "passed", 5),
        ("黄蔚敏", "passed", 5),
    ]
    (current,) = body["notices"]
    assert current["current"] is True and current["closed_at"] is None
    assert (current["start"], current["working_days"]) == (
        str(TODAY() - dt.timedelta(days=30)),
        5,
    )
    assert current["end"] > current["start"]
    assert current["objections"] == {
        "total": 2,
        "open": 1,
        "signed": 1,
        "anonymous": 1,
        "outcomes": {"none": 1},
        "postponed_unresolved": 0,
    }


def test_results_never_hold_talk_summaries_reporters_or_who_voted_how(api, cycle, finished):
    text = api(Role.PERSONNEL).get(url(cycle, "/results")).content.decode()
    for secret in ("机密内容", "谈话对象甲", "反映人乙", "13800000000", "不应公开", "匿名反映"):
        assert secret not in text
    # The board members' names, which a statement per member would carry.
    assert "校务会成员" not in text


def test_the_district_reads_results_without_what_is_the_schools_own(api, cycle, finished):
    body = api(Role.DISTRICT).get(url(cycle, "/results")).json()
    assert body["talks"] is None
    assert {t["talks"] for t in body["targets"]} == {None}
    assert body["notices"][0]["objections"] is None
    assert body["targets"][0]["person"]["name"] == "陈晔"
    assert body["meetings"][0]["decisions"][0]["outcome"] == "passed"


# --- Advancing ----------------------------------------------------------------------------


def test_the_personnel_office_moves_a_cycle_to_its_next_stage(api, cycle):
    response = api(Role.PERSONNEL).post(url(cycle, "/advance"), {"to": "recommendation"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["stage"], body["eligible"], body["next"]["to"]) == (
        "recommendation",
        9,
        "opinions",
    )
    entry = AuditEntry.objects.filter(action="selection.stage.recommendation_started").get()
    assert entry.new["stage"] == "recommendation"
    assert entry.actor_id == cycle.created_by_id


def test_a_move_that_is_not_the_next_or_not_ready_is_refused_with_the_reasons(api, cycle):
    personnel = api(Role.PERSONNEL)
    skipped = personnel.post(url(cycle, "/advance"), {"to": "opinions"})
    assert skipped.status_code == 422
    assert skipped.json()["errors"]["stage"] == [
        "当前阶段为“筹备”，不能跳过阶段直接进入“征求意见”。"
    ]
    assert personnel.post(url(cycle, "/advance"), {"to": "recommendation"}).status_code == 200
    again = personnel.post(url(cycle, "/advance"), {"to": "recommendation"})
    assert again.status_code == 422
    assert "已处于“民主推荐”阶段" in again.json()["errors"]["stage"][0]
    not_ready = personnel.post(url(cycle, "/advance"), {"to": "opinions"})
    assert not_ready.status_code == 422
    assert not_ready.json()["errors"]["stage"] == ["尚未进行民主推荐。"]
    back = personnel.post(url(cycle, "/advance"), {"to": "preparation"})
    assert back.status_code == 422 and "重新开启" in back.json()["errors"]["to"][0]
    assert Cycle.objects.get(pk=cycle.pk).stage == Stage.RECOMMENDATION


def test_the_notice_needs_its_start_date_and_only_the_notice_takes_one(api, cycle, walk):
    personnel = api(Role.PERSONNEL)
    early = personnel.post(url(cycle, "/advance"), {"to": "recommendation", "start": "2021-03-01"})
    assert early.status_code == 422
    assert early.json()["errors"]["start"] == ["只有进入公示时才填写公示开始日期。"]
    walk.to_decision()
    walk.decide_all()
    missing = personnel.post(url(cycle, "/advance"), {"to": "notice"})
    assert missing.status_code == 422
    assert missing.json()["errors"]["start"] == ["请填写公示开始日期。"]
    start = TODAY() - dt.timedelta(days=30)
    bad = personnel.post(url(cycle, "/advance"), {"to": "notice", "start": "20210301"})
    assert bad.status_code == 422
    assert bad.json()["errors"]["start"] == ["公示开始日期应为日期，格式为 YYYY-MM-DD。"]
    done = personnel.post(url(cycle, "/advance"), {"to": "notice", "start": str(start)})
    assert done.status_code == 200
    assert done.json()["stage"] == "notice"
    notices = personnel.get(url(cycle, "/results")).json()["notices"]
    assert notices[0]["start"] == str(start)


@pytest.mark.parametrize("role", [Role.DECISION, Role.MENTOR, Role.STAFF, Role.DISTRICT])
def test_only_the_personnel_office_moves_a_cycle(api, cycle, role):
    assert api(role).post(url(cycle, "/advance"), {"to": "recommendation"}).status_code == 403
    assert Cycle.objects.get(pk=cycle.pk).stage == Stage.PREPARATION


def test_another_schools_cycle_cannot_be_moved(api, foreign_cycle):
    response = api(Role.PERSONNEL).post(url(foreign_cycle, "/advance"), {"to": "recommendation"})
    assert response.status_code == 404
    assert Cycle.objects.get(pk=foreign_cycle.pk).stage == Stage.PREPARATION


# --- The pool -----------------------------------------------------------------------------


@pytest.fixture
def pool(cycle, finished, actors, other_school):
    _walk, anonymous = finished
    notice.close_objection(
        actor=actors[0], objection=anonymous, investigation="查无此事",
        outcome=ObjectionOutcome.NO_PROBLEM,
    )  # fmt: skip
    workflow.complete_cycle(actor=actors[0], cycle=cycle)
    # The roll is taken when the cycle is created: the staff first.
    staff = [qualified(other_school, name=f"二中老师{i}") for i in range(9)]
    admin = make_user(Role.PERSONNEL, school=other_school)
    other = Walk(
        new_cycle(other_school, title="第二中学2023年选拔", year=2023, actor=admin),
        staff,
        (admin, make_user(Role.DECISION, school=other_school)),
    )
    other.to_done()
    return cycle, other.cycle


def test_pool_lists_the_callers_reserve_cadres_with_level_readiness_and_validity(api, pool):
    cycle, _other = pool
    body = api(Role.DECISION).get(POOL).json()
    assert body["count"] == 7 == PoolEntry.objects.filter(cycle=cycle).count()
    first = body["items"][0]
    decided = PoolEntry.objects.filter(cycle=cycle).values_list("decided_on", flat=True).first()
    assert first["school"] == {"id": cycle.school_id, "name": "市八初级中学"}
    assert first["cycle"] == {"id": cycle.pk, "year": 2021, "title": "2021年后备干部选拔"}
    assert (first["level"], first["person"]["name"], first["readiness"]) == (
        "district",
        "陈晔",
        "near",
    )
    assert first["decided_on"] == str(decided)
    assert first["valid_until"] == str(
        decided.replace(year=decided.year + 2) - dt.timedelta(days=1)
    )
    assert set(first["person"]) == {
        "id",
        "staff_number",
        "name",
        "gender",
        "born",
        "political_status",
    }
    assert first["person"]["born"] == "1985-03"
    # 黄蔚敏 and 卢懿蕾 are on both lists: two entries each.
    names = [e["person"]["name"] for e in body["items"]]
    assert names.count("黄蔚敏") == names.count("卢懿蕾") == 2


def test_pool_filters_by_year_level_readiness_and_validity(api, pool):
    cycle, _other = pool
    district = api(Role.DISTRICT)
    assert district.get(POOL).json()["count"] == 14
    assert {e["cycle"]["year"] for e in district.get(POOL, {"year": 2023}).json()["items"]} == {
        2023
    }
    assert district.get(POOL, {"year": 2023}).json()["count"] == 7
    school_level = district.get(POOL, {"level": "district", "school": cycle.school_id}).json()
    assert [e["person"]["name"] for e in school_level["items"]] == ["陈晔", "黄蔚敏", "卢懿蕾"]
    near = district.get(POOL, {"readiness": "near"}).json()
    assert [e["person"]["name"] for e in near["items"]] == ["陈晔"]
    decided = PoolEntry.objects.filter(cycle=cycle).values_list("decided_on", flat=True).first()
    before = str(decided - dt.timedelta(days=1))
    assert district.get(POOL, {"valid_on": before, "school": cycle.school_id}).json()["count"] == 0
    assert (
        district.get(POOL, {"valid_on": str(decided), "school": cycle.school_id}).json()["count"]
        == 7
    )
    far = str(decided.replace(year=decided.year + 3))
    assert district.get(POOL, {"valid_on": far}).json()["count"] == 0
    paged = district.get(POOL, {"limit": 5, "offset": 10}).json()
    assert (paged["count"], len(paged["items"])) == (14, 4)
    response = district.get(POOL, {"level": "city"})
    assert response.status_code == 422 and "级别的取值无效" in response.json()["errors"]["level"][0]


# --- Query counts -------------------------------------------------------------------------


def test_list_query_count_does_not_grow_with_cycles(api, school, cycle, django_assert_num_queries):
    reader = api(Role.DISTRICT)
    reader.get(CYCLES)  # warm-up: the token's last use is written once
    # token and user, count, page, lists
    with django_assert_num_queries(4):
        assert reader.get(CYCLES).json()["count"] == 1
    for year in (2023, 2025):
        made = new_cycle(school, title=f"{year}年后备干部选拔", year=year)
        set_list(actor=None, cycle=made, level=Level.SCHOOL, quota=11)
    with django_assert_num_queries(4):
        assert reader.get(CYCLES).json()["count"] == 3


def test_detail_query_count_does_not_grow_with_the_cycle(
    api, school, cycle, walk, staff, django_assert_num_queries
):
    walk.to_recommendation()
    reader = api(Role.PERSONNEL)
    reader.get(url(cycle))
    # token and user, cycle, lists, stage records, reopenings, snapshot counts, and the
    # guard of the next move (its latest round)
    with django_assert_num_queries(7):
        reader.get(url(cycle))
    bigger = new_cycle(
        school,
        title="大周期",
        year=2023,
        lists=[ListDraft(Level.DISTRICT, 5), ListDraft(Level.SCHOOL, 11)],
    )
    for n in range(20):
        make_person(school, name=f"新人{n}")
    workflow.start_recommendation(actor=walk.admin, cycle=bigger)
    workflow.reopen_stage(actor=walk.admin, cycle=bigger, stage=Stage.PREPARATION, reason="重来")
    workflow.start_recommendation(actor=walk.admin, cycle=bigger)
    with django_assert_num_queries(7):
        body = reader.get(url(bigger)).json()
    assert len(body["reopenings"]) == 1 and len(body["lists"]) == 2


def test_pool_query_count_does_not_grow_with_entries(api, pool, django_assert_num_queries):
    reader = api(Role.DISTRICT)
    reader.get(POOL)
    # token and user, count, page with school, cycle and person
    with django_assert_num_queries(3):
        assert len(reader.get(POOL).json()["items"]) == 14
    with django_assert_num_queries(3):
        assert len(reader.get(POOL, {"limit": 2}).json()["items"]) == 2


# --- OpenAPI ------------------------------------------------------------------------------


def test_openapi_describes_the_selection_endpoints(client, db):
    document = client.get("/api/openapi.json").json()
    paths = document["paths"]
    assert paths["/api/selection/cycles"]["get"]["operationId"] == "selection_cycles"
    assert paths["/api/selection/cycles/{cycle_id}"]["get"]["summary"] == "一个选拔周期"
    assert "/api/selection/cycles/{cycle_id}/stages" in paths
    results = paths["/api/selection/cycles/{cycle_id}/results"]["get"]
    assert "不提供谈话要点、反映人和成员个人表态" in results["description"]
    advance = paths["/api/selection/cycles/{cycle_id}/advance"]["post"]
    assert {"200", "401", "403", "404", "422"} <= set(advance["responses"])
    assert paths["/api/selection/pool"]["get"]["tags"] == ["选拔周期"]
    schemas = document["components"]["schemas"]
    detail = schemas["CycleDetailOut"]["properties"]
    assert detail["stage"]["description"].startswith("preparation=筹备")
    assert detail["next"]["title"] == "下一步"
    assert schemas["CycleSettingsOut"]["properties"]["notice_working_days"]["title"] == (
        "公示期（工作日）"
    )
    assert schemas["PoolEntryOut"]["properties"]["readiness"]["description"] == (
        "near=近期可提拔，long=中长期培养"
    )
    assert "null" in schemas["NoticeOut"]["properties"]["objections"]["description"]
