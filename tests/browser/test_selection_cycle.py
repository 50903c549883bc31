"""A whole selection cycle (选拔周期) run in Chromium on a small school (its staff, accounts
and rule set made with the factories), every step of the cycle through the pages.

筹备: the personnel office makes the cycle (reference date, rule set, places, a roll of
named people), changes a list's places and adjusts the roll by name with the basis and
the reason. 民主推荐: a round of slips, the slips' PDF, voting opened, four voters on
phones (three from their slips' links, one typing the code), closed, counted, published;
the official sentence beside each name; 谈话调研推荐 entered. 征求意见: the opinions of the
leadership and the party branch, one reserved. 确定考察对象: a decision-body member chooses
with the votes beside the names and acknowledges the 差额 warning; the office publishes
the 考察预告. 组织考察: the 民主测评 of each person rated on phones from one-time codes,
closed and released; a talk recorded by a decision member; the 考察材料 drafted by the
office, one edited into a second version, each signed off by the decision member.
讨论决定: the meeting's members and each one's statement per target, the principal last.
公示: started on a past date, seen by staff on a phone, an objection registered,
investigated and closed with an outcome; the notice ended. 完成: the pool shows the people.

Every document the stage pages offer is fetched as a user gets it (Word and Excel as
downloads, PDF and the print view inline) and read back — python-docx, openpyxl, pypdf,
the HTML's text — for names, figures, dates and the official sentences. Screenshots of
each stage go to ``test-results/screens``.

The dates lie in the past so that the notice has run its five working days when the
office ends it: targets chosen 45 days back, the 考察预告 42, a talk 38, the meeting 30,
the notice from 28 (enough working days even across the Spring Festival)."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urljoin

import pytest
from django.utils import timezone
from docx import Document as WordDocument
from docx.table import Table
from openpyxl import load_workbook
from playwright.sync_api import Browser, Locator, Page, expect
from pypdf import PdfReader

from houbei.accounts.models import Role, User
from houbei.eligibility.services import create_rule_set
from houbei.people.models import Education, Gender, Person
from houbei.selection.inspection import GAP_MARK
from houbei.selection.models import Cycle, InspectionTarget, PoolEntry, Stage

from ..conftest import PASSWORD, make_user
from ..factories import make_person
from ..selection.conftest import qualified
from .conftest import SCREENS

pytestmark = pytest.mark.browser
WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 375, "height": 667}
CANDIDATES = ["陈晔", "黄蔚敏", "卢懿蕾", "浦吉丽", "张兰兰"]
GENDERS = [Gender.FEMALE, Gender.MALE, Gender.FEMALE, Gender.MALE, Gender.FEMALE]
BOARD = ["吴刚", "林慧", "周国平"]  # the decision body in speaking order, the principal last
# Bounds for failing, not waits: every step waits for its condition and goes on as soon as
# it holds. A page answers well within TIMEOUT even on a loaded machine; a document is
# rendered on the server (Word, Excel, WeasyPrint's PDF) and may take several times that
# when the machine is busy, so fetching one has DOCUMENT_TIMEOUT.
TIMEOUT = 10_000
DOCUMENT_TIMEOUT = 90_000
PHONE_NUMBER = "021-64310101"  # 钱丽 of the personnel office, who receives what staff report


def ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):  # type: ignore[no-untyped-def]
    """A Chinese browser, as the school's."""
    return {**browser_context_args, "locale": "zh-CN", "viewport": WIDE}


@pytest.fixture(scope="module", autouse=True)
def weasyprint_loaded() -> None:
    """The live server renders its PDFs in this process. Loading WeasyPrint and its CJK
    fonts takes about a second on an idle machine and ten on a busy one; done once here,
    it is not paid by whichever step happens to ask for the first PDF (the slips)."""
    from weasyprint import HTML

    HTML(string="<p>后备干部民主推荐表</p>").write_pdf()


# --- reading documents back ------------------------------------------------------------------


def docx_text(content: bytes) -> str:
    """Paragraphs and table rows ("a|b|c") in the order of the document."""
    doc = WordDocument(io.BytesIO(content))
    parts = []
    for item in doc.iter_inner_content():
        if isinstance(item, Table):
            parts += ["|".join(cell.text for cell in row.cells) for row in item.rows]
        else:
            parts.append(item.text)
    return "\n".join(parts)


def pdf_text(content: bytes) -> str:
    """The PDF's text without white space (the layout breaks lines anywhere)."""
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    return squeeze("".join(page.extract_text() for page in reader.pages))


def html_text(content: bytes) -> str:
    page = content.decode()
    assert page.lstrip().lower().startswith("<!doctype html"), page[:40]
    return squeeze(re.sub(r"<style.*?</style>|<[^>]+>", "", page, flags=re.S))


def xlsx_rows(content: bytes) -> dict[str, list[tuple[object, ...]]]:
    """Each sheet's rows, without the empty cells at their ends."""
    book = load_workbook(io.BytesIO(content))
    out = {}
    for sheet in book.worksheets:
        rows = []
        for row in sheet.iter_rows(values_only=True):
            cells = list(row)
            while cells and cells[-1] is None:
                cells.pop()
            if cells:
                rows.append(tuple(cells))
        out[sheet.title] = rows
    return out


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- the browser side ------------------------------------------------------------------------


def sign_in(page: Page, base: str, user: User) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def shot(page: Page, name: str) -> Path:
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


class Documents:
    """Fetches the documents a page links to the way a user gets them: Word and Excel
    files are downloads; PDF and the print view open in the browser (inline), so their
    bytes are fetched with the browser's own session. Each is kept in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.fetched: list[str] = []
        self.workbooks: dict[str, dict[str, list[tuple[object, ...]]]] = {}  # the last of each key

    def get(self, page: Page, scope: Page | Locator, key: str) -> dict[str, bytes]:
        """Every format of document ``key`` linked from ``scope``: format → bytes."""
        links = scope.locator(f"a[href*='/documents/'][href*='key={key}']")
        assert links.count(), f"no link to {key} on {page.url}"
        files: dict[str, bytes] = {}
        for link in links.all():
            fmt = link.inner_text().strip().lower()
            if fmt in files:
                continue
            if fmt in ("docx", "xlsx"):
                with page.expect_download(timeout=DOCUMENT_TIMEOUT) as info:
                    link.click(timeout=DOCUMENT_TIMEOUT)
                download = info.value
                assert download.failure() is None, download.failure()
                name = download.suggested_filename
                content = Path(download.path()).read_bytes()
            else:
                url = urljoin(page.url, link.get_attribute("href"))
                response = page.context.request.get(url, timeout=DOCUMENT_TIMEOUT)
                assert response.ok, (response.status, url)
                disposition = response.headers["content-disposition"]
                assert disposition.startswith("inline"), disposition
                name = unquote(disposition.split("filename*=UTF-8''")[-1])
                content = response.body()
            assert name.endswith(f".{fmt}"), name
            (self.folder / name).write_bytes(content)
            self.fetched.append(name)
            files[fmt] = content
        return files

    def texts(self, page: Page, scope: Page | Locator, key: str) -> dict[str, str]:
        """The Word, PDF and HTML formats of ``key`` as text (no white space in the PDF
        and HTML), and the workbook as its rows (kept in ``workbooks`` too)."""
        out = {}
        for fmt, content in self.get(page, scope, key).items():
            if fmt == "docx":
                out[fmt] = docx_text(content)
            elif fmt == "pdf":
                out[fmt] = pdf_text(content)
            elif fmt == "html":
                out[fmt] = html_text(content)
            else:
                self.workbooks[key] = xlsx_rows(content)
                out[fmt] = repr(self.workbooks[key])
        return out


@contextmanager
def phone(browser: Browser, base: str) -> Iterator[Page]:
    """A phone of its own (no cookies of anyone else): 390×844, touch, Chinese."""
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", base_url=base
    )
    context.set_default_timeout(TIMEOUT)
    try:
        yield context.new_page()
    finally:
        context.close()


def fits_the_phone(page: Page, size: dict[str, int] = PHONE) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= size["width"] + 2, f"{page.url} is {width}px wide on a {size['width']}px phone"


def advance(page: Page, verb: str) -> None:
    """The stage page's next move, once it says its guards are satisfied."""
    step = page.locator("#next-step")
    expect(step.locator(".ready")).to_have_text("条件已具备。")
    step.get_by_role("button", name=verb).click()


def said(page: Page, text: str) -> None:
    expect(page.locator(".messages")).to_contain_text(text)


def plan(page: Page, stage: str, person: Person) -> None:
    """The stage's responsible person, whom its notices name for staff to contact."""
    page.get_by_text("安排负责人和截止日期").click()
    form = page.locator("form[action$='/plan/']")
    form.get_by_label("负责人").select_option(label=f"{person.name}（{person.staff_number}）")
    form.get_by_role("button", name="保存").click()
    said(page, f"已保存“{stage}”阶段的安排。")
    expect(page.locator("dl.facts").first).to_contain_text(f"负责{person.name}")


# --- the small school ------------------------------------------------------------------------


@pytest.fixture
def school_staff(school, users) -> dict[str, Person]:
    """Five teachers who meet every condition; the decision body of three, each with an
    account (the decision role's own user is 林慧, the party secretary); 钱丽 of the
    personnel office; the rule set of the year."""
    people = {  # genders given, as the 后备干部名单 is checked: not the factory's counter
        name: qualified(school, name=name, education=Education.BACHELOR, gender=gender)
        for name, gender in zip(CANDIDATES, GENDERS, strict=True)
    }
    accounts = {
        "吴刚": make_user(Role.DECISION, school=school, username="wugang"),
        "林慧": users[Role.DECISION],
        "周国平": make_user(Role.DECISION, school=school, username="zhouguoping"),
    }
    for name in BOARD:
        accounts[name].display_name = name
        accounts[name].save(update_fields=["display_name"])
        people[name] = make_person(school, name=name, user=accounts[name])
    users[Role.PERSONNEL].display_name = "钱丽"
    users[Role.PERSONNEL].save(update_fields=["display_name"])
    people["钱丽"] = make_person(
        school, name="钱丽", phone=PHONE_NUMBER, user=users[Role.PERSONNEL]
    )
    create_rule_set(
        actor=None, school=school, name="本年度后备干部选拔条件", reference_date=ago(60),
        is_default=True,
    )  # fmt: skip
    return people


def test_a_whole_cycle_from_set_up_to_the_pool(
    page, browser, live_server, users, school, school_staff, tmp_path
):
    base = live_server.url
    people = school_staff
    docs = Documents(tmp_path)
    office = page  # 人事室, 钱丽
    office.set_default_timeout(TIMEOUT)
    office.on("dialog", lambda dialog: dialog.accept())
    sign_in(office, base, users[Role.PERSONNEL])
    board_room = browser.new_context(viewport=WIDE, locale="zh-CN", base_url=base)
    board_room.set_default_timeout(TIMEOUT)
    decider = board_room.new_page()  # 校务会、支委会, 林慧
    decider.on("dialog", lambda dialog: dialog.accept())
    sign_in(decider, base, users[Role.DECISION])

    # --- 筹备 ---------------------------------------------------------------------------------
    office.click("nav >> text=选拔周期")
    office.get_by_role("link", name="新建选拔周期").first.click()
    office.get_by_label("名称").fill("本年度区、校后备干部选拔")
    office.get_by_label("基准日").fill(ago(60).isoformat())
    expect(office.get_by_label("选拔条件").locator("option:checked")).to_have_text(
        "本年度后备干部选拔条件"
    )
    office.get_by_label("区级后备干部名额").fill("1")
    office.get_by_label("校级后备干部名额").fill("3")
    office.check("input[name=roll_scope][value=listed]")
    office.fill("textarea[name=roll_people]", "\n".join(CANDIDATES))
    shot(office, "cycle-create")
    office.get_by_role("button", name="新建选拔周期").click()
    said(office, "已新建选拔周期“本年度区、校后备干部选拔”。")
    cycle = Cycle.objects.get()
    cycle_url = f"{base}/selection/{cycle.pk}"
    expect(office.locator(".timeline > li")).to_have_count(8)

    office.get_by_role("link", name="进入“筹备”").click()
    places = office.locator("form[action$='/preparation/lists/']")
    places.get_by_label("级别").select_option(label="校级")
    places.get_by_label("名额").fill("2")
    places.get_by_role("button", name="设置名额").click()
    said(office, "校级后备干部：名额2名。")
    add = office.locator("form[action$='/roll/add/']")
    add.get_by_label("加入人员").fill("周国平")
    add.get_by_label("列入依据").fill("校长，了解各人选的工作情况")
    add.get_by_role("button", name="加入名单").click()
    said(office, "已加入1人")
    remove = office.locator("form[action$='/roll/remove/']")
    remove.get_by_label("移出人员").fill("张兰兰")
    remove.get_by_label("移出理由").fill("外出培训，不能参加推荐会议")
    remove.get_by_role("button", name="移出名单").click()
    said(office, "已移出1人。")
    expect(office.get_by_text("共 5 人")).to_be_visible()
    expect(office.locator("main")).to_contain_text("张兰兰 ")
    expect(office.locator("main")).to_contain_text("外出培训，不能参加推荐会议")
    shot(office, "cycle-preparation")
    advance(office, "开始民主推荐")
    said(office, "已进入“民主推荐”阶段。")

    # --- 民主推荐 -------------------------------------------------------------------------------
    expect(office.get_by_text("符合条件 5 人")).to_be_visible()
    office.get_by_text("未列入的 4 人及原因").click()
    left_out = office.locator("details table")
    for name in [*BOARD, "钱丽"]:
        expect(left_out).to_contain_text(name)
    office.get_by_role("button", name="新建推荐投票").click()
    said(office, "已新建第1轮推荐")
    office.get_by_role("link", name="投票页（选票、参与情况、计票）").click()
    expect(office.locator("#slips-count")).to_have_value("5")  # one per person on the roll
    with office.expect_download(timeout=DOCUMENT_TIMEOUT) as slips_download:
        office.get_by_role("button", name="生成并下载").click(timeout=DOCUMENT_TIMEOUT)
    slips = pdf_text(Path(slips_download.value.path()).read_bytes())
    codes = re.findall(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{5}", slips)
    assert len(set(codes)) == 5, slips
    assert "区级后备干部（限选1人" in slips and "校级后备干部（限选2人" in slips
    assert all(name in slips for name in CANDIDATES)
    # The slip's QR code holds the voting page with the code in its fragment.
    vote_page = office.get_by_role("link", name="回执查询页（公开）").get_attribute("href")
    vote_page = vote_page.removesuffix("check/")
    office.goto(f"{cycle_url}/recommendation/")
    office.get_by_role("button", name="开始投票").click()
    said(office, "第1轮推荐已开始投票。")

    ballots = [
        (["陈晔"], ["黄蔚敏", "卢懿蕾"]),
        (["陈晔"], ["黄蔚敏", "卢懿蕾"]),
        (["黄蔚敏"], ["黄蔚敏", "浦吉丽"]),
        (["陈晔"], ["黄蔚敏", "陈晔"]),
    ]
    for i, (district, school_list) in enumerate(ballots):
        with phone(browser, base) as voter:
            if i < 3:  # scanned
                voter.goto(f"{vote_page}#c={codes[i].replace('-', '')}")
                expect(voter.locator("input[name=code]")).to_have_value(codes[i])
            else:  # typed from the paper, in lower case
                voter.goto(vote_page)
                voter.fill("input[name=code]", codes[i].lower())
            for legend, names in (("区级后备干部", district), ("校级后备干部", school_list)):
                box = voter.locator("fieldset", has_text=legend)
                for name in names:
                    box.get_by_label(name, exact=True).check()
            if i == 0:
                fits_the_phone(voter)
                shot(voter, "cycle-vote-phone")
            voter.get_by_role("button", name="下一步：核对").click()
            expect(voter.get_by_text("请核对您的选择")).to_be_visible()
            voter.get_by_role("button", name="确认投票").click()
            expect(voter.get_by_text("投票成功，您的选票已投入票箱。")).to_be_visible()
            if i == 0:
                shot(voter, "cycle-vote-phone-receipt")

    office.reload()
    office.get_by_role("button", name="结束投票").click()
    said(office, "第1轮推荐已结束投票。")
    office.get_by_role("button", name="计票并得出本轮结果").click()
    said(office, "第1轮推荐已计票。")
    round_card = office.locator("#round-1")
    expect(round_card).to_contain_text("参加推荐 4 人，应参加 5 人。")
    office.get_by_role("link", name="投票页（选票、参与情况、计票）").click()
    office.get_by_role("button", name="公布结果").click()
    said(office, "结果已公布。")

    office.goto(f"{cycle_url}/recommendation/talks/")
    office.get_by_label("谈话人数").fill("6")
    office.get_by_label("区级后备干部 · 陈晔").fill("4")
    office.get_by_label("校级后备干部 · 黄蔚敏").fill("5")
    office.get_by_label("校级后备干部 · 陈晔").fill("2")
    office.get_by_role("button", name="保存").click()
    said(office, "已保存谈话调研推荐情况。")
    figures = "共有4人参加推荐，发出推荐票5张，收回4张，其中有效票4张；"
    chen = figures + "推荐其为区级后备干部3票，占有效票75.0%，居第1位"
    huang = figures + "推荐其为校级后备干部4票，占有效票100.0%，居第1位"
    lu = figures + "推荐其为校级后备干部2票，占有效票50.0%，居第2位"
    for sentence in (chen, huang, lu):
        expect(round_card.get_by_text(sentence)).to_be_visible()
    shot(office, "cycle-recommendation-results")

    form = docs.texts(office, office.locator("dl.facts"), "recommendation-form")
    for fmt, text in form.items():
        text = squeeze(text)
        assert "后备干部民主推荐表" in text, fmt
        assert "推荐名额：区级后备干部1名、校级后备干部2名" in text, fmt
        assert f"基准日{cn(ago(60))}" in text, fmt
        assert "区级后备干部（限选1人）" in text and "校级后备干部（限选2人）" in text, fmt
        for name in CANDIDATES:  # twice: once on each list
            assert text.count(name) == 2, (fmt, name)
        for name in [*BOARD, "钱丽"]:
            assert name not in text, (fmt, name)
    results = docs.get(office, round_card, "recommendation-results")
    word = docx_text(results["docx"])
    assert "共有4人参加推荐，发出推荐票5张，收回4张。" in word
    assert "参加人数占应参加人数（5人）的80.0%，达到2/3，推荐有效。" in word
    for name, sentence in (("陈晔", chen), ("黄蔚敏", huang), ("卢懿蕾", lu)):
        assert f"{name}：{sentence}。" in word, name
    assert "1|陈晔|3|75.0%|1" in word and "1|黄蔚敏|4|100.0%|1" in word
    book = xlsx_rows(results["xlsx"])
    summary = dict(row[:2] for row in book["汇总"] if len(row) >= 2)
    assert summary["应参加人数"] == 5 and summary["参加人数"] == 4
    assert summary["发出推荐票（张）"] == 5 and summary["收回（张）"] == 4
    assert summary["是否达到"] == "达到"
    assert (1, "陈晔", 3, 0.75, chen) in book["区级后备干部"]
    assert (1, "黄蔚敏", 4, 1, huang) in book["校级后备干部"]
    talks = repr(book["谈话调研推荐"])
    assert "陈晔" in talks and "黄蔚敏" in talks and "83.3%" in talks, talks
    advance(office, "开始征求意见")
    said(office, "已进入“征求意见”阶段。")

    # --- 征求意见 -------------------------------------------------------------------------------
    reserved = "任年级组长时间尚短，建议继续在岗锻炼"
    opinions = [
        ("陈晔", "学校领导班子", "同意", ""),
        ("陈晔", "党支部", "同意", ""),
        ("黄蔚敏", "学校领导班子", "同意", ""),
        ("黄蔚敏", "党支部", "同意", ""),
        ("卢懿蕾", "学校领导班子", "同意", ""),
        ("卢懿蕾", "党支部", "有保留意见", reserved),
    ]
    for name, source, stance, text in opinions:
        box = office.locator("#opinion-form")
        box.get_by_label("人选").select_option(label=name)
        box.get_by_label(source, exact=True).check()
        box.get_by_label(stance, exact=True).check()
        if text:
            box.get_by_label("具体意见").fill(text)
        box.get_by_role("button", name="保存意见").click()
        said(office, f"已记录对{name}的意见。")
    expect(office.get_by_text("已同时征求学校领导班子和党支部意见 3 人")).to_be_visible()
    expect(office.locator("table.board tr", has_text="卢懿蕾")).to_contain_text(reserved)
    shot(office, "cycle-opinions")
    advance(office, "开始确定考察对象")
    said(office, "已进入“确定考察对象”阶段。")
    # A document not ready yet says why instead of failing.
    office.locator("a[href*='key=inspection-notice']", has_text="DOCX").click()
    said(office, "尚未确定考察对象。")

    # --- 确定考察对象: by the decision body, the votes beside the names --------------------------
    decider.goto(f"{cycle_url}/targets/")
    district_board, school_board = decider.locator("table.board").all()
    expect(district_board.locator("tr", has_text="陈晔")).to_contain_text("第1位 3票（75.0%）")
    expect(school_board.locator("tr", has_text="黄蔚敏")).to_contain_text("第1位 4票（100.0%）")
    expect(school_board.locator("tr", has_text="卢懿蕾")).to_contain_text("有保留意见")
    expect(school_board.locator("tr", has_text="浦吉丽").locator("input")).to_have_count(0)
    district_board.get_by_label("陈晔").check()
    school_board.get_by_label("黄蔚敏").check()
    school_board.get_by_label("陈晔").check()
    decider.get_by_label("确定日期").fill(ago(45).isoformat())
    decider.get_by_role("button", name="确定考察对象").click()
    warning = decider.locator(".notice.warn[role=alert]")
    expect(warning).to_contain_text("区级后备干部：考察对象1人，与名额相等，未实行差额考察。")
    expect(warning).to_contain_text("校级后备干部：考察对象2人，与名额相等，未实行差额考察。")
    shot(decider, "cycle-targets-acknowledge")
    decider.get_by_label("确认说明").fill(
        "区级名额1名、校级名额2名，推荐意见集中，经校务会、支委会研究实行等额考察"
    )
    decider.get_by_role("button", name="确认并确定考察对象").click()
    said(decider, "已确定考察对象3人次。")
    chosen = decider.locator("section.card").filter(
        has=decider.get_by_role("heading", name="考察对象", exact=True)
    )
    expect(chosen.locator("tbody tr")).to_have_count(3)
    expect(chosen).to_contain_text(chen)  # the votes note of each target
    expect(chosen).to_contain_text("确认说明：区级名额1名、校级名额2名")
    first_row = chosen.locator("tbody tr").first
    first_row.get_by_label("成熟程度").select_option(label="近期可提拔")
    first_row.get_by_role("button", name="保存").click()
    said(decider, "陈晔（区级后备干部）：近期可提拔。")
    shot(decider, "cycle-targets-chosen")

    # The 考察预告 names the inspection's responsible person for staff to contact: the
    # office plans the coming stage on its page first.
    office.goto(f"{cycle_url}/targets/")
    office.locator("ol.stage-tabs").get_by_role("link", name="组织考察").click()
    plan(office, "组织考察", people["钱丽"])
    office.locator("ol.stage-tabs").get_by_role("link", name="确定考察对象").click()
    office.get_by_label("考察预告发布日期").fill(ago(42).isoformat())
    office.get_by_role("button", name="登记考察预告已发布").click()
    said(office, "已发布考察预告（3人次）。")
    announcement = docs.texts(office, office.locator("dl.facts"), "inspection-notice")
    for fmt, text in announcement.items():
        text = squeeze(text)
        assert text.startswith("考察预告") or "考察预告" in text[:20], fmt
        assert "陈晔" in text and "黄蔚敏" in text and "卢懿蕾" not in text, fmt
        assert "区级后备干部、校级后备干部" in text, fmt  # 陈晔 once, with both lists
        assert f"考察时间：自{cn(ago(39))}起（考察预告发布3天后）" in text, fmt
        assert f"市八初级中学{cn(ago(42))}" in text, fmt
        assert f"联系人：钱丽；联系电话：{PHONE_NUMBER}。" in text, fmt
    shot(office, "cycle-targets-notice")
    advance(office, "开始组织考察")
    said(office, "已进入“组织考察”阶段。")

    # --- 组织考察 -------------------------------------------------------------------------------
    targets = {
        (t.person.name, t.cycle_list.level): t
        for t in InspectionTarget.objects.select_related("person", "cycle_list")
    }
    sheets = {  # per rater: 德、能、勤、绩、廉
        "陈晔": [("优秀",) * 5, ("优秀",) * 5, ("优秀", "称职", "优秀", "优秀", "优秀")],
        "黄蔚敏": [("优秀",) * 5, ("称职",) * 5],
    }
    for name, level in (("陈晔", "district"), ("黄蔚敏", "school")):
        office.goto(f"{cycle_url}/inspection/{targets[(name, level)].pk}/")
        groups = office.locator("#appraisal form")
        groups.get_by_label("评议人类别1", exact=True).fill("教职工代表")
        groups.get_by_label("类别1最少人数").fill("2")
        groups.get_by_label("类别1参加方式").select_option(label="一次性评议码")
        for n in (2, 3, 4):
            groups.get_by_label(f"评议人类别{n}", exact=True).fill("")
        groups.get_by_role("button", name="建立民主测评").click()
        said(office, "已建立民主测评（草稿）。")
        office.get_by_label("为“教职工代表”生成评议码").fill(str(len(sheets[name])))
        office.get_by_role("button", name="生成并打印").click()
        links = office.locator(".rate-slip-link").all_inner_texts()
        assert len(set(links)) == len(sheets[name])
        office.get_by_role("link", name="返回测评").click()
        office.get_by_role("button", name="开始测评").click()
        said(office, "测评已开始。")
        for i, (link, grades) in enumerate(zip(links, sheets[name], strict=True)):
            with phone(browser, base) as rater:
                rater.goto(link)
                expect(rater.get_by_text("评议码已从链接中读取。")).to_be_visible()
                expect(rater.locator(".rate-subject h2")).to_have_text(name)
                dimensions = rater.locator("fieldset.rate-dim")
                expect(dimensions.locator("legend")).to_have_text(["德", "能", "勤", "绩", "廉"])
                for d, grade in enumerate(grades):
                    dimensions.nth(d).get_by_label(grade, exact=True).check()
                if name == "陈晔" and i == 0:
                    fits_the_phone(rater)
                    shot(rater, "cycle-rate-phone")
                rater.get_by_role("button", name="下一步：核对").click()
                expect(rater.get_by_text("请核对您的评议")).to_be_visible()
                rater.get_by_role("button", name="确认提交").click()
                expect(rater.get_by_text("提交成功，谢谢您的评议。")).to_be_visible()
        office.reload()
        office.get_by_role("button", name="结束测评").click()
        said(office, "测评已结束。")
        office.get_by_role("button", name="发布结果").click()
        said(office, "测评结果已发布。")
    # 陈晔 is on both lists and appraised once: the school target shares the round.
    office.goto(f"{cycle_url}/inspection/")
    expect(office.locator("tbody tr", has_text="陈晔").get_by_text("已发布")).to_have_count(2)

    def record_talk(target: InspectionTarget, who: str, days: int, by: str, summary: str) -> None:
        """An individual talk about ``target`` recorded on its page by the decision member."""
        decider.goto(f"{cycle_url}/inspection/{target.pk}/")
        decider.get_by_text("记录个别谈话", exact=True).click()
        talk = decider.locator("#talks form")
        talk.get_by_label("谈话对象").fill(who)
        talk.get_by_label("谈话日期").fill(ago(days).isoformat())
        talk.get_by_label("谈话人").fill(by)
        talk.get_by_label("谈话要点").fill(summary)
        talk.get_by_role("button", name="保存谈话记录").click()
        said(decider, "已记录个别谈话。")

    # A talk, by a decision member; confidential to the decision body.
    chen_district = targets[("陈晔", "district")]
    record_talk(
        chen_district,
        "浦吉丽",
        38,
        "林慧、周国平",
        "认为陈晔工作扎实、敢于担当，年级管理井井有条。",
    )
    expect(decider.locator("#talks")).to_contain_text("年级管理井井有条")
    office.goto(f"{cycle_url}/inspection/{chen_district.pk}/")
    expect(office.locator("#talks")).to_contain_text("谈话内容保密，仅校务会、支委会成员可见。")
    expect(office.locator("#talks")).not_to_contain_text("井井有条")
    # Every person inspected is talked about at least once before the decision.
    huang_school = targets[("黄蔚敏", "school")]
    record_talk(huang_school, "张兰兰", 37, "林慧", "认为黄蔚敏责任心强，年级组工作有条理。")

    # The 考察材料: drafted by the office, one edited, each signed off by the decision member.
    for target in targets.values():
        office.goto(f"{cycle_url}/inspection/{target.pk}/")
        office.get_by_role("button", name="按现有材料起草").click()
        said(office, "已按现有材料起草第1稿")
        expect(office.locator(".report-text")).to_contain_text("一、基本情况")
        assert not office.get_by_role("button", name=re.compile("签发第")).count()
    # A draft with its gaps (【待补充：…】) left cannot be signed off.
    decider.goto(f"{cycle_url}/inspection/{chen_district.pk}/")
    decider.get_by_role("button", name=re.compile("签发第")).click()
    said(decider, "考察材料第1稿还有")
    said(decider, "请补充后保存为新一稿再签发。")
    # The three appraisal years completed before the cycle's reference date.
    span = f"{ago(60).year - 3}—{ago(60).year - 1}年度"
    annual = f"{span}考核等次分别为：优秀、优秀、优秀。"
    for target in targets.values():
        office.goto(f"{cycle_url}/inspection/{target.pk}/")
        office.get_by_text("修改（保存为新一稿）").click()
        body = office.get_by_label("考察材料正文")
        text = body.input_value()
        if target == huang_school:
            gap = f"档案中暂无{span}考核等次记录。【待补充：{span}考核等次】"
            assert gap in text
            text = text.replace(gap, annual)
        body.fill(GAP_MARK.sub("经考察核实，情况属实。", text))
        office.get_by_role("button", name="保存为新一稿").click()
        said(office, "已保存考察材料第2稿，待签发。")
    for target in targets.values():
        decider.goto(f"{cycle_url}/inspection/{target.pk}/")
        decider.get_by_role("button", name=re.compile("签发第")).click()
        said(decider, "已签发考察材料第")
    decider.goto(f"{cycle_url}/inspection/{huang_school.pk}/")
    expect(decider.locator("#report")).to_contain_text("第2稿已签发")
    expect(decider.locator("#report")).to_contain_text("林慧")
    shot(decider, "cycle-inspection-signed")

    office.goto(f"{cycle_url}/inspection/{huang_school.pk}/")
    report = docs.texts(office, office.locator("dl.facts"), "inspection-report")
    for fmt, text in report.items():
        text = squeeze(text)
        assert "关于黄蔚敏同志的考察材料" in text, fmt
        for heading in ("一、基本情况", "三、主要缺点和不足", "五、民主测评情况"):
            assert heading in text, (fmt, heading)
        assert f"第1轮会议推荐：{huang}。" in text, fmt
        assert "谈话调研推荐：共谈话6人，推荐其为校级后备干部5人次，占谈话人数83.3%。" in text
        assert "征求意见：学校领导班子意见为“同意”；党支部意见为“同意”。" in text, fmt
        assert "民主测评共有2人参加（教职工代表2人）" in text, fmt
        assert "德：优秀1票（占50.0%）、称职1票（占50.0%）" in text, fmt
        assert annual in text and "年度考核等次】" not in text, fmt
    assert f"第2稿，钱丽于{cn(timezone.localdate())}撰写。已由林慧于" in report["docx"]
    appraisal_one = docs.texts(office, office.locator("dl.facts"), "appraisal-summary")
    assert "测评对象：黄蔚敏（校级后备干部考察对象）" in appraisal_one["docx"]
    assert "德|2|1|50.0%|1|50.0%|0|0.0%|0|0.0%" in appraisal_one["docx"]
    assert "陈晔" not in appraisal_one["docx"] and "陈晔" not in appraisal_one["xlsx"]
    assert "(1, '黄蔚敏', '校级后备干部', '廉', 2, 1, 0.5, 1, 0.5" in appraisal_one["xlsx"]

    office.goto(f"{cycle_url}/inspection/{chen_district.pk}/")
    chen_report = docx_text(
        docs.get(office, office.locator("dl.facts"), "inspection-report")["docx"]
    )
    assert "关于陈晔同志的考察材料" in chen_report
    assert "共个别谈话1人次、1人" in chen_report and "林慧、周国平" in chen_report
    assert "浦吉丽" not in chen_report  # talks in aggregate, no interviewee named
    office.goto(f"{cycle_url}/inspection/")
    expect(office.locator("tbody tr")).to_have_count(3)
    expect(office.locator("tbody").get_by_text("已签发")).to_have_count(3)
    shot(office, "cycle-inspection")
    appraisal_all = docs.texts(office, office.locator("dl.facts"), "appraisal-summary")
    word = appraisal_all["docx"]
    assert "测评对象：陈晔（区级后备干部、校级后备干部考察对象）" in word
    assert "参加测评3人：教职工代表3人。" in word
    assert "能|3|2|66.7%|1|33.3%|0|0.0%|0|0.0%" in word
    assert "测评对象：黄蔚敏（校级后备干部考察对象）" in word
    assert word.count("测评对象：陈晔") == 1  # appraised once for both lists
    assert "'陈晔', '区级后备干部、校级后备干部', '能', 3, 2" in appraisal_all["xlsx"]
    advance(office, "提交讨论决定")
    said(office, "已进入“讨论决定”阶段。")

    # --- 讨论决定: each member's statement per target ------------------------------------------
    decider.goto(f"{cycle_url}/decision/")
    meeting = decider.locator("#meeting")
    meeting.get_by_label("会议日期").fill(ago(30).isoformat())
    rows = meeting.locator("table.matrix tbody tr")
    columns = meeting.locator("table.matrix thead th").all_inner_texts()[3:]
    statements = {
        "吴刚": {"陈晔": "同意", "黄蔚敏": "缓议"},
        "林慧": {"陈晔": "同意", "黄蔚敏": "同意"},
        "周国平": {"陈晔": "同意", "黄蔚敏": "同意"},
    }
    for i, member in enumerate(BOARD):
        row = rows.nth(i)
        choices = row.locator("select")
        choices.first.select_option(label=f"{member}（{people[member].staff_number}）")
        expect(row.locator("input[type=checkbox]")).to_be_checked()
        for j, column in enumerate(columns):
            choice = next(v for k, v in statements[member].items() if column.startswith(k))
            choices.nth(j + 1).select_option(label=choice)
    meeting.get_by_label("主要负责人").select_option(value="3")  # 周国平, the third row
    shot(decider, "cycle-decision-matrix")
    meeting.get_by_role("button", name="保存会议记录").click()
    said(decider, "已记录讨论决定。")
    said(decider, "黄蔚敏（校级后备干部）：通过")
    minutes = decider.locator("section.card", has_text="应到会 3 人，实到会 3 人")
    expect(minutes).to_contain_text("吴刚：缓议；林慧：同意；周国平：同意")
    expect(minutes).to_contain_text("周国平（主要负责人）")
    shot(decider, "cycle-decision-minutes")

    office.goto(f"{cycle_url}/decision/")
    record = docs.texts(office, office.locator("dl.facts"), "decision-minutes")["docx"]
    assert f"会议时间：{cn(ago(30))}" in record
    assert "应到会成员（3人）：吴刚、林慧、周国平（主要负责人）" in record
    assert "实到会成员3人，达到应到会成员3人的2/3，会议有效。" in record
    assert "1|吴刚|缓议\n2|林慧|同意\n3|周国平（主要负责人）|同意" in record
    assert "表决结果：同意2票，超过应到会成员3人的1/2，通过。" in record
    assert "2|黄蔚敏|校级后备干部|2|0|1|通过" in record
    assert record.count("表决结果：同意3票，超过应到会成员3人的1/2，通过。") == 2
    start = office.locator("input[name=start]")
    start.fill(ago(28).isoformat())
    start.dispatch_event("change")
    expect(office.locator("#notice-end")).to_contain_text(f"自{ago(28).isoformat()}起5个工作日")
    # The notice as it will be posted, before it is: no one is responsible for the 公示 yet,
    # so it names the personnel office.
    preview = office.locator("#notice-end").get_by_role("link", name="预览公示")
    expect(preview).to_have_attribute("href", re.compile(f"start={ago(28).isoformat()}"))
    response = office.context.request.get(
        urljoin(office.url, preview.get_attribute("href")), timeout=DOCUMENT_TIMEOUT
    )
    text = html_text(response.body())
    assert "市八初级中学后备干部人选公示" in text and "黄蔚敏" in text
    assert f"公示时间：{cn(ago(28))}至" in text and f"联系方式：钱丽，{PHONE_NUMBER}。" in text
    advance(office, "开始公示")
    said(office, "已进入“公示”阶段。")

    # --- 公示 ---------------------------------------------------------------------------------
    expect(office.locator("main")).to_contain_text("公示期已满")
    plan(office, "公示", people["钱丽"])
    period = office.locator("dt:text-is('公示期') + dd").inner_text()
    first, last = (dt.date.fromisoformat(d) for d in re.findall(r"\d{4}-\d{2}-\d{2}", period))
    assert first == ago(28) and first < last < timezone.localdate(), period
    public = docs.texts(office, office.locator("dl.facts"), "public-notice")
    for fmt, text in public.items():
        text = squeeze(text)
        assert "市八初级中学后备干部人选公示" in text, fmt
        assert "1陈晔" in text.replace("|", "") and "2黄蔚敏" in text.replace("|", ""), fmt
        assert "卢懿蕾" not in text, fmt
        assert f"公示时间：{cn(first)}至{cn(last)}（5个工作日）" in text, fmt
        assert f"联系人：钱丽；联系电话：{PHONE_NUMBER}。" in text, fmt
    with phone(browser, base) as colleague:  # any member of staff reads the notice
        sign_in(colleague, base, users[Role.STAFF])
        colleague.goto(f"{base}/selection/notices/")
        notice_text = colleague.locator("article.announcement", has_text="人选公示")
        expect(notice_text).to_contain_text("黄蔚敏")
        expect(notice_text).to_contain_text(f"公示时间：{cn(first)}至{cn(last)}")
        expect(notice_text).to_contain_text(PHONE_NUMBER)
        fits_the_phone(colleague)
        shot(colleague, "cycle-notice-staff-phone")
        # On a small phone the notice's table scrolls inside it, its cells on one line,
        # instead of squeezing eight columns into the screen.
        colleague.set_viewport_size(SMALL_PHONE)
        fits_the_phone(colleague, SMALL_PHONE)
        cell = notice_text.locator("td", has_text="大学本科").first
        lines = cell.evaluate(
            "e => e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight)"
        )
        assert lines < 2, f"大学本科 takes {lines:.1f} lines"
        shot(colleague, "cycle-notice-staff-phone-375")

    office.get_by_text("登记异议", exact=True).click()
    objection = office.locator("form[action$='/notice/objections/']")
    objection.get_by_label("被反映人").select_option(label="黄蔚敏（校级后备干部）")
    objection.get_by_label("署名", exact=True).check()
    objection.get_by_label("反映人", exact=True).fill("郑老师")
    objection.get_by_label("联系方式").fill("13800000000")
    objection.get_by_label("收到日期").fill(ago(26).isoformat())
    objection.get_by_label("反映内容").fill("反映黄蔚敏在年级组长任上曾两次未按时上报考勤。")
    objection.get_by_role("button", name="登记").click()
    said(office, "已登记异议，请调查核实后处理。")
    close = office.locator("form[action$='/close/']")
    close.get_by_label("调查核实情况").fill("经查，系考勤系统升级期间延迟上报，已补报。")
    close.get_by_label("问题轻微，继续并进行提醒谈话").check()
    close.get_by_label("提醒谈话日期").fill(ago(24).isoformat())
    close.get_by_label("向反映人反馈").fill("已核实，属工作疏忽，已对本人提醒谈话。")
    close.get_by_label("反馈日期").fill(ago(23).isoformat())
    close.get_by_role("button", name="处理完毕").click()
    said(office, "异议已处理完毕。")
    handled = office.locator("dl.facts")
    expect(handled).to_contain_text("问题轻微，继续并进行提醒谈话")
    expect(handled).to_contain_text(ago(24).isoformat())
    expect(handled).to_contain_text("署名：郑老师（13800000000）")
    shot(office, "cycle-objection")
    office.goto(f"{cycle_url}/notice/")
    expect(office.locator("main")).to_contain_text("1 件，未处理 0 件")
    expect(office.locator("main")).to_contain_text(f"{ago(23).isoformat()} 已反馈反映人")
    shot(office, "cycle-notice")
    advance(office, "结束公示，列入后备干部库")
    said(office, "已进入“完成”阶段。")

    # --- 完成 ---------------------------------------------------------------------------------
    office.goto(f"{cycle_url}/pool/")
    entries = office.locator("section.card", has_text="本周期列入的后备干部").locator("tbody tr")
    expect(entries).to_have_count(3)
    expect(entries.filter(has_text="区级")).to_contain_text("陈晔")
    expect(entries.filter(has_text="区级")).to_contain_text("近期可提拔")
    expect(entries.filter(has_text="黄蔚敏")).to_contain_text("中长期培养")
    expect(entries.first).to_contain_text(ago(30).isoformat())
    until = dt.date.fromisoformat(entries.first.locator("td").last.inner_text()[:10])
    shot(office, "cycle-pool")
    reserve = docs.texts(office, office.locator("dl.facts"), "reserve-list")
    reserve_rows = docs.workbooks["reserve-list"]
    word = reserve["docx"]
    assert "区级后备干部：（1名）陈晔。" in word and "校级后备干部：（2名）黄蔚敏、陈晔。" in word
    assert (
        f"1|陈晔|女|1985年3月|群众|大学本科|年级组长|近期可提拔|{cn(ago(30))}|{cn(until)}" in word
    )
    assert "卢懿蕾" not in word and "卢懿蕾" not in reserve["xlsx"]
    huang = [row for row in reserve_rows["明细"] if "黄蔚敏" in row]
    assert [row[2:9] for row in huang] == [
        ("黄蔚敏", "男", "1985年3月", "群众", "大学本科", "年级组长", "中长期培养")
    ], reserve_rows
    assert sorted((e.person.name, e.level) for e in PoolEntry.objects.select_related("person")) == [
        ("陈晔", "district"),
        ("陈晔", "school"),
        ("黄蔚敏", "school"),
    ]
    cycle.refresh_from_db()
    assert cycle.stage == Stage.DONE
    office.goto(f"{cycle_url}/")
    expect(office.get_by_text("3 人次列入后备干部库")).to_be_visible()
    notice_row = office.locator(".timeline > li", has_text="公示").first
    expect(notice_row).to_contain_text("负责 钱丽")
    shot(office, "cycle-dashboard-done")
    board_room.close()
    print("documents read back:", *docs.fetched, sep="\n  ")
