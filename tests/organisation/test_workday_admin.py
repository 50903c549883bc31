"""Administering the working-day calendar: override and year-confirmation services (with
audit entries), the month grid page, htmx fragments and the calculator."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from houbei.accounts.models import Role
from houbei.audit.models import AuditEntry
from houbei.core.errors import ValidationFailed
from houbei.organisation import services
from houbei.organisation.models import WorkdayOverride, WorkdayYear
from houbei.organisation.workdays import load_calendar, package_years

pytestmark = pytest.mark.django_db

D = dt.date
UNCOVERED = package_years().stop  # the first year the data package has no data for
NOTICE = f"国务院办公厅关于{UNCOVERED}年部分节假日安排的通知"


def entry(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).order_by("-seq").first()


# --- Services -------------------------------------------------------------------------------


def test_add_override_changes_the_calendar_and_is_audited(users):
    admin = users[Role.SYSADMIN]
    override = services.add_workday_override(
        actor=admin, day=D(UNCOVERED, 1, 1), kind="holiday", name="元旦", reason=NOTICE
    )
    assert load_calendar().is_workday(D(UNCOVERED, 1, 1)).value is False
    audit = entry("organisation.workday_override.added")
    assert audit.actor == admin and audit.school is None  # national, not a school's
    assert audit.new == {
        "date": f"{UNCOVERED}-01-01",
        "kind": "holiday",
        "name": "元旦",
        "reason": NOTICE,
    }
    assert audit.target_id == str(override.pk)


def test_override_needs_a_reason(users):
    with pytest.raises(ValidationFailed) as refused:
        services.add_workday_override(
            actor=users[Role.PERSONNEL], day=D(UNCOVERED, 1, 1), kind="holiday", reason=" "
        )
    assert "请填写依据" in refused.value.errors["reason"][0]
    assert not WorkdayOverride.objects.exists()


def test_override_that_repeats_the_package_is_refused(users):
    with pytest.raises(ValidationFailed) as refused:
        services.add_workday_override(
            actor=users[Role.PERSONNEL], day=D(2024, 10, 1), kind="holiday", reason="通知"
        )
    assert "已是休息日（国庆节），无需调整" in refused.value.errors["kind"][0]


def test_override_correcting_the_package_is_accepted(users):
    services.add_workday_override(
        actor=users[Role.PERSONNEL], day=D(2024, 10, 8), kind="holiday", reason="本地通知"
    )
    assert load_calendar().add_working_days(D(2024, 9, 30), 1).value == D(2024, 10, 9)


def test_a_day_has_one_override(users):
    services.add_workday_override(
        actor=users[Role.PERSONNEL], day=D(UNCOVERED, 1, 1), kind="holiday", reason=NOTICE
    )
    with pytest.raises(ValidationFailed) as refused:
        services.add_workday_override(
            actor=users[Role.PERSONNEL], day=D(UNCOVERED, 1, 1), kind="holiday", reason=NOTICE
        )
    assert "已有调整记录" in refused.value.errors["date"][0]


def test_update_override_is_audited_with_old_and_new(users):
    override = services.add_workday_override(
        actor=users[Role.PERSONNEL], day=D(UNCOVERED, 2, 6), kind="holiday", reason=NOTICE
    )
    services.update_workday_override(
        actor=users[Role.PERSONNEL], override=override, kind="holiday", name="春节", reason=NOTICE
    )
    audit = entry("organisation.workday_override.updated")
    assert audit.old == {"name": ""} and audit.new == {"name": "春节"}


def test_remove_override_keeps_what_was_removed_in_the_audit(users):
    override = services.add_workday_override(
        actor=users[Role.PERSONNEL], day=D(UNCOVERED, 1, 1), kind="holiday", reason=NOTICE
    )
    pk = override.pk
    services.remove_workday_override(actor=users[Role.PERSONNEL], override=override, reason="录错")
    assert not WorkdayOverride.objects.exists()
    audit = entry("organisation.workday_override.removed")
    assert audit.target_id == str(pk) and audit.reason == "录错"
    assert audit.old["date"] == f"{UNCOVERED}-01-01"
    assert load_calendar().is_workday(D(UNCOVERED, 1, 1)).assumed_years == {UNCOVERED}


def test_confirm_year_silences_the_warning_and_withdraw_restores_it(users):
    services.add_workday_override(
        actor=users[Role.PERSONNEL], day=D(UNCOVERED, 1, 1), kind="holiday", reason=NOTICE
    )
    confirmed = services.confirm_workday_year(
        actor=users[Role.PERSONNEL], year=UNCOVERED, source=NOTICE
    )
    assert load_calendar().add_working_days(D(UNCOVERED, 3, 1), 5).is_certain
    audit = entry("organisation.workday_year.confirmed")
    assert audit.new == {"year": UNCOVERED, "source": NOTICE, "overrides": 1}
    services.withdraw_workday_year(actor=users[Role.PERSONNEL], entry=confirmed, reason="通知更正")
    assert not load_calendar().add_working_days(D(UNCOVERED, 3, 1), 5).is_certain
    assert entry("organisation.workday_year.withdrawn").reason == "通知更正"


def test_a_year_the_package_covers_cannot_be_confirmed(users):
    with pytest.raises(ValidationFailed) as refused:
        services.confirm_workday_year(actor=users[Role.PERSONNEL], year=2024, source="通知")
    assert "无需确认" in refused.value.errors["year"][0]
    services.confirm_workday_year(actor=users[Role.PERSONNEL], year=UNCOVERED, source=NOTICE)
    with pytest.raises(ValidationFailed):
        services.confirm_workday_year(actor=users[Role.PERSONNEL], year=UNCOVERED, source=NOTICE)
    assert WorkdayYear.objects.count() == 1


# --- The page -------------------------------------------------------------------------------


def test_month_grid_shows_holidays_adjusted_days_and_overrides(client, users):
    services.add_workday_override(
        actor=None, day=D(2024, 10, 8), kind="holiday", name="校庆补休", reason="本地通知"
    )
    client.force_login(users[Role.PERSONNEL])
    response = client.get(reverse("organisation:workdays"), {"month": "2024-10"})
    text = response.content.decode()
    assert "2024年10月" in text
    cells = {info.day: info for week in response.context["grid"].weeks for info, _in in week}
    assert cells[D(2024, 10, 1)].type == "holiday" and cells[D(2024, 10, 1)].name == "国庆节"
    assert cells[D(2024, 10, 12)].type == "adjusted"
    assert cells[D(2024, 10, 8)].overridden and cells[D(2024, 10, 8)].name == "校庆补休"
    assert "校庆补休" in text and "调休上班" in text
    assert response.context["grid"].warnings == []


def test_month_grid_of_an_uncovered_year_warns(client, users):
    client.force_login(users[Role.SYSADMIN])
    response = client.get(reverse("organisation:workdays"), {"month": f"{UNCOVERED}-05"})
    assert f"{UNCOVERED}年节假日安排尚未录入，按周末计算" in response.content.decode()


def test_workdays_page_queries_do_not_grow_with_overrides(client, users, django_assert_num_queries):
    client.force_login(users[Role.PERSONNEL])
    url = reverse("organisation:workdays")
    with django_assert_num_queries(7):
        client.get(url, {"month": f"{UNCOVERED}-02"})
    for day in range(1, 20):
        WorkdayOverride.objects.create(date=D(UNCOVERED, 2, day), kind="holiday", reason="x")
    with django_assert_num_queries(7):
        response = client.get(url, {"month": f"{UNCOVERED}-02"})
    assert len(response.context["overrides"]) == 19


def test_htmx_month_navigation_returns_only_the_grid(client, users):
    client.force_login(users[Role.PERSONNEL])
    response = client.get(
        reverse("organisation:workdays"),
        {"month": "2024-09"},
        headers={"HX-Request": "true", "HX-Target": "month-grid"},
    )
    text = response.content.decode()
    assert text.lstrip().startswith('<section id="month-grid"')
    assert "<html" not in text and "2024年9月" in text


def test_bad_month_falls_back_to_this_month(client, users):
    client.force_login(users[Role.PERSONNEL])
    response = client.get(reverse("organisation:workdays"), {"month": "2024-13"})
    assert response.status_code == 200
    grid = response.context["grid"]
    today = response.context["today"]
    assert (grid.year, grid.month) == (today.year, today.month)


def test_calculator_answers_on_the_page_and_as_a_fragment(client, users):
    client.force_login(users[Role.PERSONNEL])
    query = {"start": "2024-09-27", "n": "5"}
    page = client.get(reverse("organisation:workdays"), query)
    assert page.context["calc"].period_end.value == D(2024, 10, 9)
    assert page.context["calc"].add.value == D(2024, 10, 10)
    fragment = client.get(
        reverse("organisation:workdays_calc"),
        {"first": "2024-09-27", "last": "2024-10-09"},
        headers={"HX-Request": "true", "HX-Target": "calc-result"},
    )
    text = fragment.content.decode()
    assert text.lstrip().startswith('<div id="calc-result"')
    assert "共 <strong>5</strong> 个工作日" in text


def test_calculator_without_htmx_redirects_to_the_page(client, users):
    client.force_login(users[Role.PERSONNEL])
    response = client.get(reverse("organisation:workdays_calc"), {"start": "2024-09-27", "n": "5"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("organisation:workdays"))
    assert "start=2024-09-27" in response["Location"]


def test_calculator_warns_for_uncovered_years_and_rejects_reversed_dates(client, users):
    client.force_login(users[Role.PERSONNEL])
    page = client.get(
        reverse("organisation:workdays"), {"start": f"{UNCOVERED - 1}-12-28", "n": "5"}
    )
    assert f"{UNCOVERED}年节假日安排尚未录入，按周末计算" in page.content.decode()
    bad = client.get(
        reverse("organisation:workdays"), {"first": "2024-10-09", "last": "2024-10-01"}
    )
    assert "结束日期不能早于开始日期" in bad.content.decode()
    assert bad.context["calc"].count is None


def test_add_edit_and_delete_an_override_through_the_pages(client, users):
    client.force_login(users[Role.PERSONNEL])
    create = reverse("organisation:override_create")
    page = client.get(create, {"date": f"{UNCOVERED}-01-01"})
    assert page.context["form"].initial["kind"] == "holiday"  # proposes the opposite
    response = client.post(
        create, {"date": f"{UNCOVERED}-01-01", "kind": "holiday", "name": "元旦", "reason": NOTICE}
    )
    assert response.status_code == 302 and f"month={UNCOVERED}-01" in response["Location"]
    override = WorkdayOverride.objects.get()
    edit = reverse("organisation:override_edit", args=[override.pk])
    client.post(edit, {"date": "2000-01-01", "kind": "holiday", "name": "新年", "reason": NOTICE})
    override.refresh_from_db()
    assert override.name == "新年" and override.date == D(UNCOVERED, 1, 1)  # date is fixed
    delete = reverse("organisation:override_delete", args=[override.pk])
    assert client.post(delete, {"reason": ""}).status_code == 200  # reason required
    assert client.post(delete, {"reason": "重复录入"}).status_code == 302
    assert not WorkdayOverride.objects.exists()


def test_override_form_shows_service_refusal(client, users):
    client.force_login(users[Role.PERSONNEL])
    response = client.post(
        reverse("organisation:override_create"),
        {"date": "2024-10-01", "kind": "holiday", "name": "", "reason": "通知"},
    )
    assert response.status_code == 200
    assert "无需调整" in response.context["form"].errors["kind"][0]


def test_confirm_year_page(client, users):
    client.force_login(users[Role.PERSONNEL])
    url = reverse("organisation:workdays_year_confirm")
    page = client.get(url, {"year": UNCOVERED})
    assert f"{UNCOVERED}年还没有录入任何调整" in page.content.decode()
    assert client.post(url, {"year": UNCOVERED, "source": NOTICE}).status_code == 302
    confirmed = WorkdayYear.objects.get()
    withdraw = reverse("organisation:workdays_year_withdraw", args=[confirmed.pk])
    assert client.post(withdraw, {"reason": "更正"}).status_code == 302
    assert not WorkdayYear.objects.exists()


def test_staff_cannot_reach_the_working_day_calendar(client, users):
    client.force_login(users[Role.DECISION])
    assert client.get(reverse("organisation:workdays")).status_code == 403
    response = client.post(
        reverse("organisation:override_create"),
        {"date": f"{UNCOVERED}-01-01", "kind": "holiday", "reason": NOTICE},
    )
    assert response.status_code == 403
    assert not WorkdayOverride.objects.exists()
