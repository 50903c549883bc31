"""Take the README tour's screenshots from a running demo (``houbei demo``).

    .venv/bin/python docs/tour.py http://127.0.0.1:8000/

Uses Debian's Chromium through Playwright; writes PNGs to docs/tour/."""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

OUT = Path(__file__).resolve().parent / "tour"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "houbei-demo"  # noqa: S105 (the published demo password)


def login(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(base + "accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def shot(page: Page, name: str, *, full: bool = False) -> None:
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=full)
    print("wrote", OUT / f"{name}.png")


def main(base: str) -> None:
    base = base.rstrip("/") + "/"
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        page.goto(base + "accounts/login/")
        shot(page, "01-login")
        login(page, base, "renshi")
        shot(page, "02-home-personnel")
        page.goto(base + "people/?q=陈")
        shot(page, "03-people-list")
        page.goto(base + "people/")
        page.fill("input[name=q]", "卢懿蕾")
        page.keyboard.press("Enter")
        page.wait_for_load_state("networkidle")
        page.locator("table.data tbody a", has_text="卢懿蕾").first.click()
        shot(page, "04-person-detail", full=True)
        page.goto(base + "roster/import/")
        shot(page, "05-roster-import")
        page.goto(base + "organisation/posts/")
        shot(page, "06-posts", full=True)
        page.goto(base + "organisation/workdays/?month=2024-10")
        shot(page, "07-workdays")
        page.goto(base + "eligibility/")
        page.click("table.data >> text=2021年区、校后备青年人才推荐")
        shot(page, "13-eligibility-board")
        page.locator("table.board-table tbody a", has_text="卢懿蕾").first.click()
        shot(page, "14-eligibility-person", full=True)
        page.goto(base + "eligibility/")
        page.click("table.data >> text=2021年区、校后备青年人才推荐")
        page.click("main .actions >> text=条件与试算")
        page.fill("#p-school-years-min_years", "3")
        page.click("button[form=whatif]")
        shot(page, "15-eligibility-what-if")
        page.goto(base + "ballots/")
        page.click("table.data >> text=2026年区、校后备干部选拔 第1轮民主推荐")
        shot(page, "16-ballot-open", full=True)
        page.goto(base + "ballots/")
        page.click("table.data >> text=2025年度校级后备干部补充推荐")
        shot(page, "17-ballot-results", full=True)
        page.goto(base + "ratings/")
        page.click("table.data >> text=2025年度后备干部民主测评（演示，已发布）")
        page.click("main >> text=查看测评结果")
        shot(page, "19-ratings-results", full=True)
        page.goto(base + "selection/")
        page.click("table.data >> text=2025年区、校后备干部选拔")
        shot(page, "20-selection-cycle", full=True)
        page.click("main >> text=组织考察")
        page.locator("main table a", has_text="卢懿蕾").first.click()
        shot(page, "21-selection-inspection", full=True)
        page.goto(base + "selection/")
        page.click("table.data >> text=2025年区、校后备干部选拔")
        page.click("main a.button >> text=后备干部库")
        shot(page, "22-selection-pool", full=True)
        page.goto(base + "rotation/rounds/")
        page.click("table.data >> text=第二学期")
        shot(page, "23-rotation-round")
        page.goto(base + "rotation/rounds/")
        page.click("table.data >> text=第一学期")
        page.click("main a:text-is('匹配方案')")
        shot(page, "24-rotation-proposal")
        page.goto(base + "people/")
        page.fill("input[name=q]", "卢懿蕾")
        page.keyboard.press("Enter")
        page.wait_for_load_state("networkidle")
        page.locator("table.data tbody a", has_text="卢懿蕾").first.click()
        page.wait_for_load_state("networkidle")
        page.locator("#rotations, section:has(h2:text('轮岗锻炼'))").first.screenshot(
            path=str(OUT / "25-person-rotations.png")
        )
        print("wrote", OUT / "25-person-rotations.png")
        login(page, base, "xiaowu")
        page.goto(base + "audit/")
        shot(page, "08-audit")
        login(page, base, "quju")
        page.goto(base + "district/")
        shot(page, "09-district")
        page.goto(base + "api/docs")
        shot(page, "10-api-docs")
        phone = browser.new_page(
            viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=2
        )
        login(phone, base, "jiaogong")
        shot(phone, "11-phone-staff-home")
        links = Path(__file__).resolve().parents[1] / "data" / "demo-vote-links.txt"
        if len(sys.argv) > 2:
            links = Path(sys.argv[2])
        first = links.read_text(encoding="utf-8").split()[0]
        phone.goto(base + first.split("/", 3)[3])
        phone.locator("fieldset").first.locator("input[type=checkbox]").nth(0).check()
        phone.locator("fieldset").first.locator("input[type=checkbox]").nth(2).check()
        shot(phone, "18-phone-vote")
        login(phone, base, "jiaogong")
        phone.goto(base + "rotation/mine/")
        phone.click("main >> text=填写意向表")
        phone.locator("main select[name*=rank]").nth(3).select_option(index=1)
        phone.locator("main select[name*=rank]").nth(4).select_option(index=2)
        phone.locator("main select[name*=rank]").nth(3).scroll_into_view_if_needed()
        shot(phone, "26-phone-intention")
        login(page, base, "renshi")
        page.click("button[name=language][value=en]")
        page.wait_for_load_state("networkidle")
        page.goto(base + "people/")
        shot(page, "12-english-people")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/")
