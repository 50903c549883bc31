"""The eligibility pages: the board (counts, filters, fixed queries), one person's
explanation, what-if preview and save, rulings, exemptions, snapshots and the print view.
Every change is checked in the audit trail too."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from houbei.accounts.models import Role
from houbei.audit.models import AuditEntry
from houbei.eligibility import services
from houbei.eligibility.models import Exemption, RuleSet, Ruling, Snapshot

from ..factories import add_history, add_honour, make_person

REF = dt.date(2021, 2, 26)


def qualified(school, **fields):
    """Meets every computed rule of the plan on REF (target level 2)."""
    person = make_person(
        school,
        birth_date=dt.date(1985, 5, 1),
        joined_school_on=dt.date(2010, 8, 25),
        fit_for_duty=True,
        fit_for_duty_on=dt.date(2020, 9, 1),
        **fields,
    )
    add_history(person, "class-teacher", dt.date(2010, 9, 1), dt.date(2016, 6, 30))
    return person


def new_teacher(school, **fields):
    """Joined 2018: short of five years at school and three as head."""
    person = make_person(
        school,
        birth_date=dt.date(1994, 1, 1),
        joined_school_on=dt.date(2018, 8, 27),
        fit_for_duty=True,
        **fields,
    )
    add_history(person, "class-teacher", dt.date(2018, 9, 1), None)
    return person


@pytest.fixture
def rule_set(school) -> RuleSet:
    return services.create_rule_set(
        actor=None, school=school, name="2021年条件", reference_date=REF, is_default=True
    )


@pytest.fixture
def personnel(client: Client, users) -> Client:
    client.force_login(users[Role.PERSONNEL])
    return client


def board_url(rule_set, **params) -> str:
    url = reverse("eligibility:board", args=[rule_set.pk])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def test_board_lists_verdicts_with_counts(personnel, school, rule_set) -> None:
    a = qualified(school, name="甲")
    b = new_teacher(school, name="乙")
    out = qualified(school, name="丙", establishment="out")
    response = personnel.get(board_url(rule_set))
    text = response.content.decode()
    assert response.status_code == 200
    assert "甲" in text and "乙" in text
    assert "丙" not in text  # out of scope is hidden by default
    result = response.context["result"]
    verdicts = {r.person.pk: r.verdict for r in result.rows}
    assert verdicts == {a.pk: "eligible", b.pk: "ineligible", out.pk: "out_of_scope"}
    everyone = personnel.get(board_url(rule_set, verdict="all")).content.decode()
    assert "丙" in everyone
    only = personnel.get(board_url(rule_set, verdict="ineligible")).context["rows"]
    assert [r.person.pk for r in only] == [b.pk]


def test_board_makes_the_same_number_of_queries_for_any_school_size(
    personnel, school, rule_set
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert personnel.get(board_url(rule_set)).status_code == 200
        return len(queries)

    for _ in range(3):
        qualified(school)
    small = count()
    for _ in range(27):
        person = new_teacher(school)
        add_honour(person)
    assert count() == small


def test_board_htmx_answers_the_results_only(personnel, school, rule_set) -> None:
    qualified(school, name="甲")
    response = personnel.get(board_url(rule_set, q="甲"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="results"' in text and "<html" not in text
    assert response["HX-Push-Url"].endswith("?q=%E7%94%B2")


def test_board_as_of_and_target_change_the_result(personnel, school, rule_set) -> None:
    person = qualified(school)
    # Level 3 needs a year at level 2, which this person never had.
    response = personnel.get(board_url(rule_set, target="level:3"))
    row = next(r for r in response.context["result"].rows if r.person.pk == person.pk)
    assert row.verdict == "ineligible"
    earlier = personnel.get(board_url(rule_set, as_of="2014-02-26"))
    row = next(r for r in earlier.context["result"].rows if r.person.pk == person.pk)
    assert row.verdict == "ineligible"  # 3.5 years at school then


def test_person_page_explains_every_rule(personnel, school, rule_set) -> None:
    person = new_teacher(school, name="乙")
    response = personnel.get(reverse("eligibility:person", args=[rule_set.pk, person.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "在本校工作2年6个月（2018-08-27进校），要求满5年。" in text
    assert "要求满3年" in text


def test_what_if_previews_who_enters_without_saving(personnel, school, rule_set) -> None:
    near = qualified(school, name="近")
    near.joined_school_on = dt.date(2016, 8, 1)  # 4 years 6 months on REF
    near.save()
    url = reverse("eligibility:rules", args=[rule_set.pk]) + "?p-school-years-min_years=4"
    response = personnel.get(url)
    preview = response.context["preview"]
    assert [r.person.pk for r in preview.entered] == [near.pk]
    assert preview.left == []
    assert rule_set.rules.get(key="school-years").params["min_years"] == "5"


def test_saving_a_what_if_needs_a_reason_and_is_audited(personnel, school, rule_set) -> None:
    save = reverse("eligibility:rules_save", args=[rule_set.pk])
    refused = personnel.post(save, {"p-school-years-min_years": "4"})
    assert refused.status_code == 422
    assert "请写明理由" in refused.content.decode()
    assert rule_set.rules.get(key="school-years").params["min_years"] == "5"
    done = personnel.post(save, {"p-school-years-min_years": "4", "reason": "校务会决定"})
    assert done.status_code == 302
    assert rule_set.rules.get(key="school-years").params["min_years"] == "4"
    entry = AuditEntry.objects.filter(action="eligibility.rule.updated").latest("seq")
    assert entry.old["params"]["min_years"] == "5" and entry.new["params"]["min_years"] == "4"
    assert entry.reason == "校务会决定"


def test_bad_what_if_value_is_named_and_nothing_is_saved(personnel, school, rule_set) -> None:
    url = reverse("eligibility:rules", args=[rule_set.pk]) + "?p-age-band-min_age=50"
    response = personnel.get(url)
    assert "最小年龄不能大于最大年龄" in response.context["error"]
    assert response.context["preview"] is None


def test_ruling_overrides_a_rule_shows_on_the_result_and_in_the_audit(
    personnel, school, rule_set
) -> None:
    person = new_teacher(school, name="乙")
    url = reverse("eligibility:ruling_record", args=[rule_set.pk, person.pk])
    empty = personnel.post(url, {"rule": "school-years", "outcome": "pass"})
    assert empty.status_code == 200 and "请写明理由" in empty.content.decode()
    for key in ("school-years", "head-years"):
        response = personnel.post(
            url, {"rule": key, "outcome": "pass", "reason": "引进人才，校务会认定"}
        )
        assert response.status_code == 302
    page = personnel.get(reverse("eligibility:person", args=[rule_set.pk, person.pk]))
    text = page.content.decode()
    assert "逐人认定为符合" in text and "引进人才，校务会认定" in text
    assert "计算结果：" in text
    assert page.context["explanation"].verdict == "flagged"  # 27 years old: the age band flags
    entry = AuditEntry.objects.filter(action="eligibility.ruling.overridden").latest("seq")
    assert entry.old["computed"] == "fail" and entry.new["outcome"] == "pass"
    assert entry.reason == "引进人才，校务会认定"
    assert entry.target_id == str(person.pk)


def test_revoking_a_ruling_restores_the_computed_result(personnel, school, rule_set) -> None:
    person = new_teacher(school)
    rule = rule_set.rules.get(key="school-years")
    ruling = services.record_ruling(
        actor=None, rule=rule, person=person, outcome="pass", reason="试用"
    )
    url = reverse("eligibility:ruling_revoke", args=[rule_set.pk, ruling.pk])
    personnel.post(url, {"reason": "认定有误"})
    ruling.refresh_from_db()
    assert ruling.revoked_at is not None and ruling.revoke_reason == "认定有误"
    assert not Ruling.objects.active().filter(person=person).exists()
    assert AuditEntry.objects.filter(action="eligibility.ruling.revoked").exists()


def test_exemption_applies_only_when_the_target_is_that_post(personnel, school, rule_set) -> None:
    person = qualified(school)  # no level-2 experience
    rule = rule_set.rules.get(key="level-below")
    url = reverse("eligibility:exemption_grant", args=[rule_set.pk, rule.pk])
    personnel.post(url, {"post": "trade-union", "reason": ""})
    assert not Exemption.objects.exists()
    personnel.post(url, {"post": "trade-union", "reason": "工会岗位由教代会推选"})
    exemption = Exemption.objects.get()
    assert exemption.post.code == "trade-union"

    def verdict(target: str) -> str:
        rows = personnel.get(board_url(rule_set, target=target)).context["result"].rows
        return next(r.verdict for r in rows if r.person.pk == person.pk)

    assert verdict("level:3") == "ineligible"
    assert verdict("post:trade-union") == "eligible"
    assert verdict("post:academic-office") == "ineligible"
    page = personnel.get(
        reverse("eligibility:person", args=[rule_set.pk, person.pk]) + "?target=post:trade-union"
    )
    assert "工会岗位由教代会推选" in page.content.decode()
    entry = AuditEntry.objects.get(action="eligibility.exemption.granted")
    assert entry.reason == "工会岗位由教代会推选"


def test_snapshot_keeps_the_result_and_shows_changes_since(personnel, school, rule_set) -> None:
    person = qualified(school, name="甲")
    response = personnel.post(
        reverse("eligibility:snapshot_take", args=[rule_set.pk]),
        {"purpose": "2021年民主推荐候选名单", "as_of": "2021-02-26"},
    )
    snap = Snapshot.objects.get()
    assert response.status_code == 302
    assert snap.counts["eligible"] == 1 and len(snap.digest) == 64
    assert snap.results[0]["results"]["school-years"]["text"].startswith("在本校工作10年6个月")
    person.joined_school_on = dt.date(2019, 9, 1)
    person.save()
    snap.refresh_from_db()
    assert snap.results[0]["verdict"] == "eligible"  # frozen
    page = personnel.get(reverse("eligibility:snapshot", args=[rule_set.pk, snap.pk]))
    changes = page.context["changes"]
    assert [c.name for c in changes] == ["甲"]
    assert changes[0].before == "符合条件" and changes[0].after == "不符合条件"
    assert AuditEntry.objects.filter(action="eligibility.snapshot.taken").count() == 1


def test_print_view_is_a_plain_table(personnel, school, rule_set) -> None:
    qualified(school, name="甲")
    response = personnel.get(reverse("eligibility:print", args=[rule_set.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "后备干部资格审查表" in text and "甲" in text and "经办人" in text


def test_decision_member_reads_but_cannot_change(client, users, school, rule_set) -> None:
    client.force_login(users[Role.DECISION])
    assert client.get(board_url(rule_set)).status_code == 200
    page = client.get(reverse("eligibility:rules", args=[rule_set.pk])).content.decode()
    assert "保存这些修改" not in page and "停用此条件" not in page
    save = client.post(
        reverse("eligibility:rules_save", args=[rule_set.pk]),
        {"p-school-years-min_years": "4", "reason": "x"},
    )
    assert save.status_code == 403


def test_create_rule_set_from_the_plan(personnel, school) -> None:
    response = personnel.post(
        reverse("eligibility:create"), {"name": "2023年条件", "reference_date": "2023-03-01"}
    )
    rule_set = RuleSet.objects.get(name="2023年条件")
    assert response.status_code == 302
    assert rule_set.is_default  # the school's first
    assert rule_set.rules.count() == 9
    again = personnel.post(reverse("eligibility:create"), {"name": "2023年条件"})
    assert "已有名为" in again.content.decode()
