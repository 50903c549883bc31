"""A round of two-way selection (双向选择) run in Chromium on a small school, every step that
people take through the pages, from the 意向表 to the assignment in each one's own pages.

The school is made through the services: the plan's posts, five of them offered with one
seat each and the head of each office as its mentor (教导主任, 德育主任, 总务主任, 工会主席,
校长), five reserve cadres from the pool (班主任, then 年级组长 since 2016: eligible up to
中层, not for (副)校级), an account for each cadre, one for 德育主任 (a mentor), and the
personnel office's.

意向表: four cadres, each on a phone of their own (375×812), fill the plan's 附2 — ranked
posts, a preferred mentor, the length, a row's and the form's remarks; the first leaves a
row's length out, reads the message naming the row, post and field, corrects the row and
saves; the fifth fills in nothing. 岗位方: 德育主任, on a phone, ranks who listed 德育处 —
黄蔚敏 first, 陈晔 second, 卢懿蕾 left unranked and the rest not accepted. The office
closes the round (past the warning that someone has not filled in), runs the matching and
reads each explanation: a first choice; a second choice because the first post is full
with someone the post ranked higher; because the post did not rank the person; because
the person is not eligible for the post's level. It moves 浦吉丽 to the (副)校级 post she
asked for, which the check warns breaks the level rule: saved only once acknowledged and
with a reason, and the proposal shows the move, its warning and its reason. It confirms.

Then 浦吉丽's 我的轮岗 shows the round's result, the rotation with its mentor and the
passport's line, and the rotation's page its history; 德育主任's 我的带教对象 lists 黄蔚敏 at
德育处. The documents are fetched from the pages that offer them, as their readers get them
(Word and Excel downloaded, the PDF and the print view opened), and read back: from the
office's pages the rotation's 轮岗锻炼通知, 浦吉丽's filled 附2, the round's 意向汇总表 and
its 轮岗时长表; from 浦吉丽's her own 附2 and her notice; from the mentor's the mentee's
notice.

Every step waits for its condition (a message, a row, a URL), never for a fixed time.
Screenshots go to ``test-results/screens``."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urljoin

import pytest
from django.utils import timezone
from docx import Document as WordDocument
from openpyxl import load_workbook
from playwright.sync_api import Browser, Locator, Page, expect
from pypdf import PdfReader

from houbei.accounts.models import Role, User
from houbei.organisation.models import Post, Term
from houbei.organisation.services import create_school_year
from houbei.people.models import Person
from houbei.rotations.models import Assignment, AssignmentStatus, Round, RoundStatus
from houbei.rotations.rounds import create_round

from ..conftest import PASSWORD, make_user
from ..factories import add_history, make_person
from ..rotations.conftest import enrol
from .conftest import SCREENS

pytestmark = pytest.mark.browser
WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
# Bounds for failing, not waits: every step goes on as soon as its condition holds. Pages
# answer well within TIMEOUT even when the machine is busy with other work; a document is
# rendered on the server (Word, Excel, WeasyPrint's PDF) and may take several times that.
TIMEOUT = 30_000
DOCUMENT_TIMEOUT = 90_000
TITLE = "下学期双向选择"
CADRES = ["陈晔", "黄蔚敏", "卢懿蕾", "浦吉丽", "张兰兰"]
# The posts offered (in the plan's order, which is the form's) and their mentors.
OFFERED = {
    "academic-office": "教导主任",
    "moral-office": "德育主任",
    "general-office": "总务主任",
    "trade-union": "工会主席",
    "school-leader": "校长",
}
# Each cadre's 意向表: (post, 志愿顺序, preferred mentor, length, the row's remarks).
INTENTIONS: dict[str, list[tuple[str, str, str, str, str]]] = {
    "陈晔": [
        ("德育处", "第1志愿", "德育主任", "一学年", "希望锻炼德育管理"),
        ("教导处", "第2志愿", "", "一学期", ""),
    ],
    "黄蔚敏": [("德育处", "第1志愿", "", "一学期", ""), ("总务处", "第2志愿", "", "一学期", "")],
    "卢懿蕾": [("德育处", "第1志愿", "", "一学期", ""), ("工会", "第2志愿", "", "一学期", "")],
    "浦吉丽": [
        ("（副）校级", "第1志愿", "校长", "一学期", "愿意承担学校管理工作"),
        ("总务处", "第2志愿", "", "一学期", ""),
    ],
}
MOVE_REASON = "经校务会研究，浦吉丽统筹能力突出，酌情安排到（副）校级岗位锻炼"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):  # type: ignore[no-untyped-def]
    """A Chinese browser, as the school's."""
    return {**browser_context_args, "locale": "zh-CN", "viewport": WIDE}


@pytest.fixture(scope="module", autouse=True)
def weasyprint_loaded() -> None:
    """The live server renders PDFs in this process; WeasyPrint and its CJK fonts are
    loaded once here rather than by the first PDF a step asks for."""
    from weasyprint import HTML

    HTML(string="<p>双向选择意向表</p>").write_pdf()


@pytest.fixture(autouse=True)
def patient_expectations() -> Iterator[None]:
    """``expect`` waits up to TIMEOUT in this module (its own default is 5 s), then goes
    back to its default for the other tests."""
    expect.set_options(timeout=TIMEOUT)
    yield
    expect.set_options(timeout=5_000)


@contextmanager
def phone(browser: Browser, base: str) -> Iterator[Page]:
    """A phone of its own (no one else's cookies): 375×812, touch, Chinese."""
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", base_url=base
    )
    context.set_default_timeout(TIMEOUT)
    try:
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        yield page
    finally:
        context.close()


def sign_in(page: Page, base: str, user: User) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def shot(page: Page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


def said(page: Page, text: str) -> None:
    expect(page.locator(".messages")).to_contain_text(text)


def fits_the_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 2, f"{page.url} is {width}px wide on a 375px phone"


def to_mine(page: Page) -> None:
    """From the home page to 我的轮岗, as staff find it."""
    page.get_by_role("link", name="进入我的轮岗").click()
    expect(page.get_by_role("heading", name="我的轮岗", exact=True)).to_be_visible()


def fill_row(page: Page, post: str, rank: str, mentor: str, length: str, remarks: str) -> None:
    row = page.locator(f"fieldset[data-post='{post}']")
    row.get_by_label("志愿顺序").select_option(label=rank)
    if mentor:
        row.get_by_label("希望的带教人员").select_option(label=mentor)
    if length:
        row.get_by_label(length).check()
    if remarks:
        row.get_by_label("备注", exact=True).fill(remarks)


def docx_text(content: bytes) -> str:
    doc = WordDocument(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += ["|".join(cell.text for cell in row.cells) for row in table.rows]
    return re.sub(r"\s+", "", "\n".join(parts))


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def xlsx_text(content: bytes) -> str:
    book = load_workbook(io.BytesIO(content))
    cells = [
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    return re.sub(r"\s+", "", "|".join(cells))


def download(page: Page, link: Locator) -> tuple[str, bytes]:
    """A Word or Excel file as the browser downloads it: its name and bytes."""
    with page.expect_download(timeout=DOCUMENT_TIMEOUT) as info:
        link.click(timeout=DOCUMENT_TIMEOUT)
    assert info.value.failure() is None, info.value.failure()
    return info.value.suggested_filename, Path(info.value.path()).read_bytes()


def inline(page: Page, link: Locator) -> bytes:
    """A PDF or print view that opens in the browser, fetched with the page's session."""
    url = urljoin(page.url, link.get_attribute("href"))
    response = page.context.request.get(url, timeout=DOCUMENT_TIMEOUT)
    assert response.ok, (response.status, url)
    assert response.headers["content-disposition"].startswith("inline")
    return response.body()


def html_text(content: bytes) -> str:
    return re.sub(
        r"\s+", "", re.sub(r"<style.*?</style>|<[^>]+>", "", content.decode(), flags=re.S)
    )


# --- the small school ------------------------------------------------------------------------


@pytest.fixture
def town(school, users) -> dict[str, object]:
    """The school, its calendar from this school year to the next, the offered posts'
    mentors, the reserve cadres with their accounts, the mentor's account, and the round
    for the coming term, open for intentions."""
    today = timezone.localdate()
    this_year = today.year if today.month >= 9 else today.year - 1
    for start_year in (this_year, this_year + 1):
        create_school_year(actor=None, school=school, start_year=start_year)
    term = Term.objects.next_after(school, today)
    assert term is not None
    posts = {p.code: p for p in Post.objects.filter(school=school)}
    mentors: dict[str, Person] = {}
    for code, name in OFFERED.items():
        mentors[name] = make_person(school, name=name)
        add_history(mentors[name], code, dt.date(2015, 9, 1))
        posts[code].default_mentors.add(mentors[name])
    mentor_user = make_user(Role.MENTOR, school=school, username="deyu")
    mentors["德育主任"].user = mentor_user
    mentors["德育主任"].save(update_fields=["user"])
    # In the pool from the start of last month, for two years: valid when the term starts.
    decided = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    accounts: dict[str, User] = {}
    for i, name in enumerate(CADRES, start=1):
        accounts[name] = make_user(Role.STAFF, school=school, username=f"cadre{i}")
        person = make_person(school, name=name, user=accounts[name])
        add_history(person, "class-teacher", dt.date(2012, 9, 1), dt.date(2016, 7, 31))
        add_history(person, "grade-leader", dt.date(2016, 9, 1))
        enrol(person, decided_on=decided)
    office = users[Role.PERSONNEL]
    round_ = create_round(
        actor=office, school=school, title=TITLE, start_term=term,
        intentions_due=today + dt.timedelta(days=14),
        posts=[posts[code] for code in OFFERED],
    )  # fmt: skip
    return {"office": office, "mentor": mentor_user, "cadres": accounts, "round": round_}


def test_a_round_from_the_intention_forms_to_the_assignments(page, browser, live_server, town):
    base = live_server.url
    round_: Round = town["round"]  # type: ignore[assignment]
    cadres: dict[str, User] = town["cadres"]  # type: ignore[assignment]

    # --- 意向表, each cadre on a phone ----------------------------------------------------------
    for name, rows in INTENTIONS.items():
        with phone(browser, base) as cadre:
            sign_in(cadre, base, cadres[name])
            to_mine(cadre)
            card = cadre.locator("article.mine-round", has_text=TITLE)
            expect(card).to_contain_text("填报意向")
            card.get_by_role("link", name="填写意向表").click()
            expect(cadre.get_by_role("heading", name="双向选择意向表")).to_be_visible()
            # The plan's 附2: every post offered, with its mentor; the post held is shown
            # as such only when offered (年级组长 is not).
            expect(cadre.locator("fieldset[data-post]")).to_have_count(len(OFFERED))
            expect(cadre.locator("fieldset[data-post='德育处']")).to_contain_text(
                "带教人员：德育主任"
            )
            first = name == "陈晔"
            for post, rank, mentor, length, remarks in rows:
                # 陈晔 forgets the length of her second row the first time.
                fill_row(cadre, post, rank, mentor, "" if first and post == "教导处" else length,
                         remarks)  # fmt: skip
            if first:
                cadre.get_by_label("备注（对本次轮岗的总体说明）").fill("服从学校安排")
                expect(cadre.locator("[data-mine-summary]")).to_contain_text(
                    "第1志愿 德育处；第2志愿 教导处"
                )
                fits_the_phone(cadre)
                shot(cadre, "rotation-intention-phone")
            cadre.get_by_role("button", name="保存意向表").click()
            if first:
                problems = cadre.locator("#problems")
                expect(problems).to_contain_text(
                    "第1行（教导处）：希望时长：请选择希望时长（一学期或一学年）。"
                )
                row = cadre.locator("fieldset[data-post='教导处']")
                expect(row).to_have_class(re.compile(r"\bhas-error\b"))
                # Everything typed is still there.
                moral = cadre.locator("fieldset[data-post='德育处']")
                expect(moral.get_by_label("希望的带教人员")).to_have_value(
                    str(Person.objects.get(name="德育主任").pk)
                )
                expect(moral.get_by_label("备注", exact=True)).to_have_value("希望锻炼德育管理")
                expect(cadre.get_by_label("备注（对本次轮岗的总体说明）")).to_have_value(
                    "服从学校安排"
                )
                shot(cadre, "rotation-intention-phone-error")
                row.get_by_label("一学期").check()
                cadre.get_by_role("button", name="保存意向表").click()
            said(cadre, f"已保存{TITLE}的意向表，共填报2个岗位。")
            card = cadre.locator("article.mine-round", has_text=TITLE)
            for post, rank, _m, length, _r in rows:
                choice = card.locator("ol.mine-choices li", has_text=post)
                expect(choice).to_contain_text(rank)
                expect(choice).to_contain_text(length)
            if first:
                expect(card).to_contain_text("希望带教：德育主任")
                expect(card).to_contain_text("备注：服从学校安排")
                shot(cadre, "rotation-mine-phone-filled")

    # --- 岗位方: 德育主任 ranks who listed 德育处, on a phone -----------------------------------
    with phone(browser, base) as mentor:
        sign_in(mentor, base, town["mentor"])  # type: ignore[arg-type]
        to_mine(mentor)
        mentor.get_by_role("link", name="岗位方意见：1 个岗位").click()
        offer_card = mentor.locator("article.mine-offer-card", has_text="德育处")
        expect(offer_card).to_contain_text("3 人填报")
        offer_card.get_by_role("link", name="查看填报人并排序").click()
        expect(mentor.locator("article.mine-candidate")).to_have_count(3)
        mentor.get_by_label("对黄蔚敏的意见").select_option(label="第1档")
        mentor.get_by_label("对陈晔的意见").select_option(label="第2档")
        mentor.get_by_label("其余未排序的填报人也可以接受").uncheck()
        fits_the_phone(mentor)
        shot(mentor, "rotation-post-side-phone")
        mentor.get_by_role("button", name="保存意见").click()
        said(mentor, "已保存德育处的岗位方意见。")
        expect(mentor.get_by_label("对卢懿蕾的意见")).to_have_value("")
        expect(mentor.get_by_label("其余未排序的填报人也可以接受")).not_to_be_checked()

    # --- the office: close, match, read, move, confirm ------------------------------------------
    office = page
    office.set_default_timeout(TIMEOUT)
    office.on("dialog", lambda dialog: dialog.accept())
    sign_in(office, base, town["office"])  # type: ignore[arg-type]
    office.click("nav >> text=轮岗锻炼")
    office.get_by_role("link", name=TITLE).first.click()
    expect(office.locator("#next-step")).to_contain_text("已填报4人，可填报5人。")
    expect(office.locator("#next-step .missing-list")).to_have_text("张兰兰")
    moral_offer = office.locator("#posts tr", has_text="德育处")
    expect(moral_offer).to_contain_text("排序2人，不接受0人；其余填报人不接受")
    shot(office, "rotation-round-open")
    office.get_by_role("button", name="截止意向填报").click()  # past the confirm dialog
    said(office, "意向填报已截止。")
    office.get_by_role("button", name="生成匹配方案").click()
    said(office, "已生成匹配方案：")
    expect(office.get_by_role("heading", name="匹配方案")).to_be_visible()

    def line(who: str):  # type: ignore[no-untyped-def]
        """The person's row of the proposal (not the fill tables beside it)."""
        return office.locator("tr[id^='p']").filter(
            has=office.locator("td:first-child", has_text=who)
        )

    expect(line("黄蔚敏")).to_contain_text("第一志愿：德育处，带教人员：德育主任")
    expect(line("陈晔")).to_contain_text("第2志愿：教导处，带教人员：教导主任")
    expect(line("陈晔")).to_contain_text("德育处：名额已满，已安排岗位方排序在前的黄蔚敏")
    expect(line("卢懿蕾")).to_contain_text("第2志愿：工会，带教人员：工会主席")
    expect(line("卢懿蕾")).to_contain_text("德育处：岗位方（带教人员）未将本人列入人选")
    expect(line("浦吉丽")).to_contain_text("第2志愿：总务处，带教人员：总务主任")
    expect(line("浦吉丽")).to_contain_text("（副）校级：岗位层级为校级，本人不符合该层级的任职条件")
    expect(office.get_by_role("heading", name="已安排（4人）")).to_be_visible()
    expect(office.get_by_text("当前方案符合全部规则")).to_be_visible()
    shot(office, "rotation-proposal")

    line("浦吉丽").get_by_role("link", name="调整").click()
    expect(office.get_by_role("heading", name="调整：浦吉丽")).to_be_visible()
    office.get_by_label("岗位", exact=True).select_option(label="（副）校级")
    office.get_by_role("button", name="保存调整").click()
    warning = office.locator(".notice.warn[role=alert]")
    expect(warning).to_contain_text("浦吉丽：不符合（副）校级（校级）的任职层级条件")
    expect(warning).to_contain_text("将安排带教人员：校长；时长：一学期。")
    expect(office.locator("#id_acknowledged_error")).to_have_text(
        "此项调整会带来上述问题，请确认已了解后再保存。"
    )
    expect(office.get_by_text("此项调整会带来上述问题，请填写调整理由。")).to_be_visible()
    shot(office, "rotation-move-warning")
    office.get_by_label("我已了解以上问题，仍要调整").check()
    office.get_by_label("调整理由").fill(MOVE_REASON)
    office.get_by_role("button", name="确认并保存调整").click()
    said(office, "已调整：浦吉丽安排到（副）校级，带教人员：校长（一学期）。")
    moved = line("浦吉丽")
    expect(moved).to_contain_text("人事室已调整，原方案：总务处（总务主任）")
    expect(moved).to_contain_text(f"理由：{MOVE_REASON}")
    expect(moved).to_contain_text("匹配结果：第2志愿：总务处")
    expect(office.locator(".notice.warn[role=status]")).to_contain_text(
        "浦吉丽：不符合（副）校级（校级）的任职层级条件"
    )
    shot(office, "rotation-proposal-moved")
    office.get_by_role("button", name="确认方案，形成轮岗安排").click()  # past the dialog
    said(office, "已确认匹配方案，生成轮岗安排4项。")
    for name in ("陈晔", "黄蔚敏", "卢懿蕾", "浦吉丽"):
        expect(office.locator("main")).to_contain_text(name)
    round_.refresh_from_db()
    assert round_.status == RoundStatus.CONFIRMED
    made = {
        a.person.name: (a.post.name, [m.person.name for m in a.mentor_links.all()], a.status)
        for a in Assignment.objects.filter(round=round_).select_related("person", "post")
    }
    assert made == {
        "黄蔚敏": ("德育处", ["德育主任"], AssignmentStatus.PLANNED),
        "陈晔": ("教导处", ["教导主任"], AssignmentStatus.PLANNED),
        "卢懿蕾": ("工会", ["工会主席"], AssignmentStatus.PLANNED),
        "浦吉丽": ("（副）校级", ["校长"], AssignmentStatus.PLANNED),
    }
    shot(office, "rotation-assignments")

    # --- the office's documents of the round, from its pages --------------------------------
    office.locator("tbody tr", has_text="浦吉丽").get_by_role("link", name="办理").click()
    notice_card = office.locator("section.card", has_text="轮岗锻炼通知")
    name, word = download(office, notice_card.get_by_role("link", name="Word"))
    assert name.endswith(".docx") and "浦吉丽" in name, name
    for text in (
        docx_text(word),
        html_text(inline(office, notice_card.get_by_role("link", name="打印"))),
    ):
        assert "关于安排浦吉丽同志轮岗锻炼的通知" in text, text
        assert "到（副）校级轮岗锻炼，时长一学期" in text, text
        assert "由校长同志担任带教领导" in text, text
    office.goto(f"{base}/rotation/rounds/{round_.pk}/")
    cadre_rows = office.locator("#intentions tbody tr")
    form = pdf_text(
        inline(office, cadre_rows.filter(has_text="浦吉丽").get_by_role("link", name="附2（PDF）"))
    )
    assert "双向选择意向表" in form and "浦吉丽" in form, form
    assert "愿意承担学校管理工作" in form and "校长" in form, form
    documents = office.locator("#documents")
    _name, summary = download(
        office,
        documents.locator("li", has_text="双向选择意向汇总表").get_by_role("link", name="Word"),
    )
    summary_text = docx_text(summary)
    for name in INTENTIONS:
        assert name in summary_text, (name, summary_text)
    _name, lengths = download(
        office, documents.locator("li", has_text="轮岗时长表").get_by_role("link", name="Excel")
    )
    lengths_text = xlsx_text(lengths)
    for name, (post, _mentors, _status) in made.items():
        assert name in lengths_text and post in lengths_text, (name, lengths_text)

    # --- the assignment in 浦吉丽's staff file, as the office reads it ---------------------------
    moved_to = Assignment.objects.get(round=round_, person__name="浦吉丽")
    office.goto(f"{base}/people/{moved_to.person_id}/")
    in_file = office.locator("#rotations")
    expect(in_file.get_by_role("heading", name="轮岗锻炼")).to_be_visible()
    file_row = in_file.locator("tbody tr", has_text="（副）校级")
    expect(file_row).to_contain_text(TITLE)
    expect(file_row).to_contain_text("校长")
    expect(file_row).to_contain_text("已安排")
    expect(file_row).to_contain_text(f"{moved_to.start_date:%Y-%m-%d} — ")
    file_row.get_by_role("link", name="办理").click()
    expect(office).to_have_url(re.compile(rf"/rotation/assignments/{moved_to.pk}/office/$"))

    # --- the assignment in 浦吉丽's own pages, on her phone -------------------------------------
    with phone(browser, base) as cadre:
        sign_in(cadre, base, cadres["浦吉丽"])
        to_mine(cadre)
        card = cadre.locator("article.mine-round", has_text=TITLE)
        expect(card).to_contain_text("已确认")
        expect(card).to_contain_text("本轮安排：（副）校级（一学期，已安排）")
        rotation = cadre.locator("article.mine-assignment")
        expect(rotation).to_have_count(1)
        expect(rotation).to_contain_text("带教领导：校长")
        expect(rotation).to_contain_text(f"{moved_to.start_date:%Y-%m-%d} — ")
        passport = cadre.locator("section", has_text="轮岗履历")
        expect(passport.locator("tr", has_text="（副）校级")).to_contain_text("轮岗")
        expect(passport.locator("tr", has_text="（副）校级")).to_contain_text("已安排")
        fits_the_phone(cadre)
        shot(cadre, "rotation-mine-phone-assigned")
        # Her own filled 附2, from the round's card.
        name, word = download(cadre, card.get_by_role("link", name="Word"))
        assert name.endswith(".docx"), name
        form = docx_text(word)
        assert "双向选择意向表" in form and "浦吉丽" in form, form
        assert "愿意承担学校管理工作" in form, form
        rotation.get_by_role("link", name="（副）校级").click()
        expect(cadre.get_by_role("heading", name="浦吉丽 · （副）校级")).to_be_visible()
        expect(cadre.locator("#history-h + ol")).to_contain_text("新建轮岗安排")
        facts = cadre.locator("dl.facts").first
        expect(facts).to_contain_text("带教领导：校长")
        expect(facts).to_contain_text(TITLE)
        # The rotation's notice, from its page.
        notices = cadre.locator("p", has_text="轮岗锻炼通知：")
        _name, word = download(cadre, notices.get_by_role("link", name="Word"))
        for text in (
            docx_text(word),
            html_text(inline(cadre, notices.get_by_role("link", name="打印"))),
        ):
            assert "关于安排浦吉丽同志轮岗锻炼的通知" in text, text
            assert "由校长同志担任带教领导" in text, text

    # --- and in 德育主任's mentees ---------------------------------------------------------------
    with phone(browser, base) as mentor:
        sign_in(mentor, base, town["mentor"])  # type: ignore[arg-type]
        to_mine(mentor)
        mentor.get_by_role("link", name="我的带教对象：1 人次").click()
        current = mentor.locator("section", has=mentor.get_by_role("heading", name="正在带教"))
        mentee = current.locator("tbody tr")
        expect(mentee).to_have_count(1)
        expect(mentee).to_contain_text("黄蔚敏")
        expect(mentee).to_contain_text("德育处")
        expect(mentee).to_contain_text("带教领导")
        expect(mentee).to_contain_text("已安排")
        fits_the_phone(mentor)
        shot(mentor, "rotation-mentees-phone")
        # The mentee's rotation and its notice, which names the mentor.
        mentee.get_by_role("link", name="黄蔚敏").click()
        expect(mentor.get_by_role("heading", name="黄蔚敏 · 德育处")).to_be_visible()
        notices = mentor.locator("p", has_text="轮岗锻炼通知：")
        notice = html_text(inline(mentor, notices.get_by_role("link", name="打印")))
        assert "关于安排黄蔚敏同志轮岗锻炼的通知" in notice, notice
        assert "由德育主任同志担任带教领导" in notice, notice
