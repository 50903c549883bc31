"""In Chromium: the checks of 凡提四必 recorded on an inspection target's page without
JavaScript's help (the form's error names the field), shown in the checklist; and the
school's targets for its pool set by the personnel office and named on the pool page.
Screenshots at desktop and phone width (``test-results/screens``)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from houbei.accounts.models import Role
from houbei.selection.models import InspectionCheck, PoolTargets

pytestmark = pytest.mark.browser
WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 667}


def test_checks_and_pool_targets_in_the_browser(page, live_server, users, walk, login, screenshot):
    page.set_viewport_size(WIDE)
    walk.to_inspection()
    target = walk.active_targets()[0]
    base = f"{live_server.url}/selection/{walk.cycle.pk}"

    def on_phone(name: str) -> int:
        page.set_viewport_size(PHONE)
        screenshot(f"{name}-phone")
        width = page.evaluate("document.documentElement.scrollWidth")
        page.set_viewport_size(WIDE)
        return int(width)

    login(users[Role.DECISION])
    page.goto(f"{base}/inspection/{target.pk}/")
    checklist = page.locator("ul.checklist")
    expect(checklist).to_contain_text("纪检监察部门意见 未记录")
    page.get_by_text("记录核查结果", exact=True).click()
    form = page.locator("#checks form")
    form.get_by_label("核查事项").select_option("petitions")
    form.get_by_label("有问题").check()
    form.get_by_label("依据（文件或部门）").fill("区信访办")
    form.get_by_role("button", name="保存核查结果").click()
    # Sent back with the form open and the field's error.
    expect(page.locator("#id_explanation_error")).to_contain_text("问题说明：核查结果为“有问题”时")
    screenshot("selection-check-error")
    form = page.locator("#checks form")
    form.get_by_label("问题说明").fill("反映其上课迟到，经核实系因公外出")
    form.get_by_role("button", name="保存核查结果").click()
    expect(page.get_by_text("已记录信访举报核查：有问题。")).to_be_visible()
    form = page.locator("#checks form")
    page.get_by_text("记录核查结果", exact=True).click()
    form.get_by_label("核查事项").select_option("discipline")
    form.get_by_label("无问题").check()
    form.get_by_label("依据（文件或部门）").fill("区教育局纪检组廉洁意见回复函")
    form.get_by_role("button", name="保存核查结果").click()
    expect(page.get_by_text("已记录纪检监察部门意见：无问题。")).to_be_visible()
    expect(page.locator("ul.checklist")).to_contain_text("纪检监察部门意见 无问题")
    expect(page.locator("#checks")).to_contain_text("反映其上课迟到")
    assert InspectionCheck.objects.count() == 2
    page.locator("#checks").scroll_into_view_if_needed()
    screenshot("selection-checks")
    assert on_phone("selection-checks") <= PHONE["width"] + 2

    page.context.clear_cookies()
    login(users[Role.PERSONNEL])
    page.goto(f"{base}/pool/")
    expect(page.locator("#pool-targets-source")).to_contain_text("本校尚未设置目标")
    page.locator("#pool-targets-source").get_by_role("link", name="设置本校目标").click()
    page.get_by_label("女性比例不低于（%）").fill("30")
    page.get_by_label("年龄段（止，周岁）").fill("25")
    page.get_by_label("设置理由").fill("经校务会研究")
    page.get_by_role("button", name="保存目标").click()
    expect(page.locator("#id_age_high_error")).to_contain_text("年龄段的止岁须大于起岁。")
    screenshot("selection-pool-targets-error")
    page.get_by_label("年龄段（止，周岁）").fill("48")
    page.get_by_role("button", name="保存目标").click()
    expect(page.get_by_text("已保存本校后备干部队伍结构目标。")).to_be_visible()
    expect(page.locator("#history")).to_contain_text("年龄段（止，周岁） 45 → 48")
    screenshot("selection-pool-targets")
    assert on_phone("selection-pool-targets") <= PHONE["width"] + 2
    assert PoolTargets.objects.get().age_high == 48
    page.goto(f"{base}/pool/")
    expect(page.locator("#pool-targets-source")).to_contain_text("本校目标")
    expect(page.get_by_text("28至48岁比例")).to_be_visible()
    screenshot("selection-pool-own-targets")
    assert on_phone("selection-pool-own-targets") <= PHONE["width"] + 2
