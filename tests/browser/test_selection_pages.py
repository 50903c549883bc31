"""The selection cycle's pages in Chromium, from a new cycle to the reserve pool: each main
page is opened by the role that uses it and screenshotted (``test-results/screens``), and
the page says what it must at that point — the guard's message before a move, the votes
beside the names, the matrix of statements, the notice for all staff, the pool."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from houbei.accounts.models import Role, User
from houbei.ballots.services import publish_results
from houbei.selection import workflow

from ..selection.conftest import TODAY

pytestmark = pytest.mark.browser
WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 667}


def test_the_cycle_pages_from_set_up_to_the_pool(page, live_server, users, walk, login, screenshot):
    page.set_viewport_size(WIDE)
    base = f"{live_server.url}/selection/{walk.cycle.pk}"

    def as_role(role):
        page.context.clear_cookies()
        login(users[role])

    def on_phone(name: str) -> int:
        """The page as it is on a 375 px phone, screenshotted; how wide it is there."""
        page.set_viewport_size(PHONE)
        screenshot(f"{name}-phone")
        width = page.evaluate("document.documentElement.scrollWidth")
        page.set_viewport_size(WIDE)
        return int(width)

    as_role(Role.PERSONNEL)

    page.goto(f"{live_server.url}/selection/new/")
    expect(page.get_by_label("区级后备干部名额")).to_have_value("5")
    # A group of radio buttons is one fieldset, its legend the one label with the mark.
    expect(page.get_by_role("group", name="参加民主推荐人员")).to_be_visible()
    screenshot("selection-create")
    on_phone("selection-create")

    page.goto(f"{base}/")
    expect(page.locator(".timeline > li")).to_have_count(8)
    screenshot("selection-dashboard-preparation")
    page.goto(f"{base}/preparation/")
    screenshot("selection-preparation")

    walk.to_recommendation()
    page.goto(f"{base}/recommendation/")
    expect(page.get_by_text("还不能开始征求意见")).to_be_visible()
    screenshot("selection-recommendation-before")
    walk.round(voters=3)  # 3 of 9: void
    counted = walk.round()
    publish_results(actor=walk.admin, election=counted.election)
    page.goto(f"{base}/recommendation/")
    expect(page.get_by_text("本轮推荐无效").first).to_be_visible()
    expect(page.locator("#round-2").get_by_text("居第1位").first).to_be_visible()
    screenshot("selection-recommendation-results")

    workflow.start_opinions(actor=walk.admin, cycle=walk.cycle)
    walk.consult(walk.staff[:5])
    page.goto(f"{base}/opinions/")
    expect(page.get_by_role("group", name="征求对象")).to_be_visible()
    screenshot("selection-opinions")
    on_phone("selection-opinions")
    workflow.start_target_selection(actor=walk.admin, cycle=walk.cycle)

    as_role(Role.DECISION)
    page.goto(f"{base}/targets/")
    district = page.locator("table.board").first
    for name in ("陈晔", "黄蔚敏"):
        district.get_by_label(name).check()
    screenshot("selection-targets-choose")
    on_phone("selection-targets-choose")
    page.get_by_role("button", name="确定考察对象").click()
    expect(page.get_by_text("请确认").first).to_be_visible()
    screenshot("selection-targets-acknowledge")

    walk.choose()
    workflow.start_inspection(actor=walk.admin, cycle=walk.cycle)
    target = walk.active_targets()[0]
    page.goto(f"{base}/inspection/{target.pk}/")
    page.get_by_text("记录个别谈话", exact=True).click()
    screenshot("selection-inspection-target")
    walk.inspect()
    page.goto(f"{base}/inspection/{target.pk}/")
    expect(page.locator("#report")).to_contain_text("第1稿已签发")
    screenshot("selection-inspection-target-signed")
    on_phone("selection-inspection-target-signed")

    workflow.start_decision(actor=walk.admin, cycle=walk.cycle)
    board = walk.board(5)
    for i, person in enumerate(board):
        person.user = User.objects.create_user(
            username=f"member{i}", password="x-Houbei-2026", role=Role.DECISION,
            school=walk.cycle.school,
        )  # fmt: skip
        person.save(update_fields=["user"])
    page.goto(f"{base}/decision/")
    expect(page.locator("table.matrix")).to_be_visible()
    screenshot("selection-decision-form")
    walk.decide_all()
    page.goto(f"{base}/decision/")
    screenshot("selection-decision-minutes")

    as_role(Role.PERSONNEL)
    page.goto(f"{base}/decision/")
    expect(page.locator("#notice-end")).to_contain_text("公示期至")
    page.fill("input[name=start]", (TODAY() - dt.timedelta(days=10)).isoformat())
    page.locator("input[name=start]").dispatch_event("change")
    expect(page.locator("#notice-end")).to_contain_text("个工作日")
    expect(page.locator("#notice-end").get_by_role("link", name="预览公示")).to_be_visible()
    screenshot("selection-decision-next-step")
    on_phone("selection-decision-next-step")
    page.get_by_role("button", name="开始公示").click()
    expect(page.get_by_text("已进入“公示”阶段")).to_be_visible()
    screenshot("selection-notice")

    as_role(Role.STAFF)
    page.goto(f"{live_server.url}/selection/notices/")
    expect(page.get_by_text("市八初级中学后备干部人选公示")).to_be_visible()
    screenshot("selection-notices-staff")
    assert on_phone("selection-notices-staff") <= PHONE["width"] + 2

    as_role(Role.PERSONNEL)
    workflow.complete_cycle(actor=walk.admin, cycle=walk.cycle)
    page.goto(f"{base}/pool/")
    expect(page.get_by_text("全校后备干部队伍结构")).to_be_visible()
    screenshot("selection-pool")
    page.goto(f"{base}/")
    expect(page.get_by_text("选拔已完成")).to_be_visible()
    screenshot("selection-dashboard-done")
    page.goto(f"{live_server.url}/selection/")
    screenshot("selection-list")
