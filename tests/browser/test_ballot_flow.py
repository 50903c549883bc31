"""A voter at a meeting: opens their slip's link on a phone, ticks within the quotas (the
page counts), confirms, gets a receipt, and after the results are published finds the
receipt counted. The code travels in the URL fragment and is wiped from the address bar."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from houbei.ballots.models import Ballot, Receipt
from houbei.ballots.services import close_election, publish_results, tally_election

from ..ballots.conftest import make_election
from ..factories import make_person

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def test_a_voter_votes_from_a_slip_link_on_a_phone(page, live_server, school, screenshot):
    people = [
        make_person(school, name=n)
        for n in ("陈晔", "黄蔚敏", "卢懿蕾", "浦吉丽", "张兰兰", "王静")
    ]
    election, slips = make_election(school, people, slips=3)
    page.set_viewport_size(PHONE)
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url))
    page.goto(f"{live_server.url}/vote/{election.key}/#c={slips[0]}")
    expect(page.locator("h1")).to_have_text(election.title)
    # The code is in the form, and no longer in the address bar.
    expect(page.locator("input[name=code]")).to_have_value(
        f"{slips[0][:4]}-{slips[0][4:8]}-{slips[0][8:]}"
    )
    assert "#c=" not in page.url

    district = page.locator("fieldset", has_text="区级后备干部")
    district.get_by_label("陈晔").check()
    district.get_by_label("黄蔚敏").check()
    expect(district.locator("[data-n]")).to_have_text("2")
    district.get_by_label("卢懿蕾").check()  # one more than the quota of 2
    expect(district.locator(".vote-count")).to_have_class("vote-count over")
    district.get_by_label("卢懿蕾").uncheck()
    page.locator("fieldset", has_text="校级后备干部").get_by_label("王静").check()
    screenshot("ballot-phone-choose")
    page.get_by_role("button", name="下一步：核对").click()

    expect(page.get_by_text("请核对您的选择")).to_be_visible()
    expect(page.get_by_text("陈晔、黄蔚敏")).to_be_visible()
    screenshot("ballot-phone-confirm")
    page.get_by_role("button", name="确认投票").click()

    expect(page.get_by_text("投票成功，您的选票已投入票箱。")).to_be_visible()
    receipt = page.locator("[data-receipt]").inner_text()
    screenshot("ballot-phone-receipt")
    assert Ballot.objects.count() == 1 and Receipt.objects.count() == 1
    # The fragment never left the phone: no request's URL carries the code.
    assert sent and not [url for url in sent if slips[0] in url.replace("-", "")]

    close_election(actor=None, election=election)
    tally_election(actor=None, election=election)
    publish_results(actor=None, election=election)
    page.goto(f"{live_server.url}/vote/{election.key}/check/")
    page.fill("input[name=r]", receipt)
    page.get_by_role("button", name="查询").click()
    expect(page.locator("[data-check-result]")).to_contain_text("已计入")
    screenshot("ballot-phone-receipt-checked")
