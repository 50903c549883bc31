"""The documents of an election read back: the slips (PDF text holds each code once, the
lists and the rules; how many to a page), the results workbook and the Word
推荐结果汇总表, their downloads and audit entries. The anonymised export and ``houbei
recount`` are in ``test_recount``."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from houbei.audit.models import AuditEntry
from houbei.ballots import codes
from houbei.ballots.documents import slips_pdf, slips_per_page
from houbei.ballots.results import results_of
from houbei.ballots.services import (
    ListDraft,
    cast_ballot,
    close_election,
    create_election,
    publish_results,
    specs_of,
    tally_election,
)
from houbei.core.errors import DomainError
from houbei.core.exports import run_export

from ..factories import make_person
from .conftest import make_election

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted(school, candidates):
    election, made = make_election(school, candidates, slips=8)
    d, s = specs_of(election)
    picks = [((0, 1), (0, 2)), ((0,), (1,)), ((1, 2), (0, 1, 2)), ((), (0,)), ((0, 3), ())]
    for code, (dp, sp) in zip(made, picks, strict=False):
        cast_ballot(
            election_id=election.pk, code=code,
            marks={str(d.id): [d.candidates[i][0] for i in dp],
                   str(s.id): [s.candidates[i][0] for i in sp]},
        )  # fmt: skip
    close_election(actor=None, election=election)
    tally_election(actor=None, election=election)
    election.refresh_from_db()
    return election


def _text(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, "".join(page.extract_text() for page in reader.pages).replace(" ", "")


def test_slips_carry_each_code_once_the_lists_and_the_rules(school, candidates):
    election, _ = make_election(school, candidates, slips=0, open_=False)
    made = [codes.new_code() for _i in range(6)]
    reader, text = _text(slips_pdf(election, made, base_url="http://school.example"))
    for code in made:
        assert text.count(codes.display(code)) == 1
    assert "区级后备干部（限选2人，在2人以内画“√”）" in text and "候选5" in text
    assert "多选则该名单无效，不选视为弃权" in text and "只能使用一次" in text
    # 10 names in two lists: four slips to a page.
    assert len(reader.pages) == 2
    # No serial number: nothing like "No. 3" or "第3张" beside the codes.
    assert not re.search(r"(No\.|编号|序号|第\d+张)", text)


def test_the_qr_code_links_to_the_ballot_with_the_code_in_the_fragment(
    school, candidates, monkeypatch
):
    from houbei.ballots import documents

    encoded: list[str] = []
    real = documents._qr_svg
    monkeypatch.setattr(documents, "_qr_svg", lambda url: encoded.append(url) or real(url))
    election, _ = make_election(school, candidates, slips=0, open_=False)
    made = [codes.new_code() for _i in range(2)]
    pdf = slips_pdf(election, made, base_url="https://school.example")
    assert encoded == [f"https://school.example/vote/{election.key}/#c={code}" for code in made]
    assert pdf.startswith(b"%PDF")
    assert real(encoded[0]).startswith("<svg")


def test_how_many_slips_share_a_page():
    assert slips_per_page([4, 6]) == 4
    assert slips_per_page([12, 12, 12]) == 4
    assert slips_per_page([16, 16, 16]) == 2
    assert slips_per_page([24, 24, 18]) == 2
    assert slips_per_page([5, 11, 80]) == 1


def test_a_long_ballot_is_one_slip_a_page_with_its_code_on_every_page(school):
    people = [make_person(school, name=f"教师{i}") for i in range(70)]
    election = create_election(
        actor=None, school=school, title="后备干部民主推荐", electorate=90,
        lists=[ListDraft("区级后备干部", 5, people[:40]), ListDraft("校级后备干部", 11, people)],
    )  # fmt: skip
    made = [codes.new_code() for _i in range(2)]
    reader, _text_all = _text(slips_pdf(election, made, base_url="http://school.example"))
    pages = [page.extract_text().replace(" ", "") for page in reader.pages]
    assert len(pages) >= 2
    first, second = codes.display(made[0]), codes.display(made[1])
    # Each slip starts on a page of its own, and every page names its slip's code.
    assert all((first in p) != (second in p) for p in pages)
    assert "教师69" in "".join(p for p in pages if first in p)


def test_workbook_reads_back(counted):
    results = results_of(counted)
    xlsx = run_export("ballot-results", counted.school, actor=None,
                      filters={"election": str(counted.pk)}, fmt="xlsx")  # fmt: skip
    assert xlsx.filename == f"推荐结果-{counted.pk}.xlsx"
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["汇总", "区级后备干部", "校级后备干部"]
    summary = {row[0]: row[1:] for row in book["汇总"].iter_rows(values_only=True) if row[0]}
    assert summary["应参加人数"][0] == 8 and summary["参加人数"][0] == 5
    assert summary["参与率"][0] == "62.5%" and summary["参与率要求"][0] == "2/3"
    assert summary["是否达到"][0] == "未达到，本次推荐无效"
    assert summary["发出推荐票（张）"][0] == 8 and summary["收回（张）"][0] == 5
    assert summary["选票摘要（SHA-256）"][0] == counted.digest
    assert summary["现存选票与摘要"][0] == "一致"
    assert summary["名单"][:4] == ("限选人数", "有效票", "无效票", "其中弃权（空白）")
    assert summary["区级后备干部"][:4] == (2, 5, 0, 1)
    assert summary["校级后备干部"][:4] == (3, 5, 0, 1)

    sheet = book["区级后备干部"]
    assert [c.value for c in sheet[1]] == ["名次", "姓名", "得票", "占有效票", "推荐结果"]
    rows = [[c.value for c in row][:4] for row in sheet.iter_rows(min_row=2)]
    assert rows == [[1, "候选0", 3, 0.6], [2, "候选1", 2, 0.4], [3, "候选2", 1, 0.2],
                    [3, "候选3", 1, 0.2]]  # fmt: skip
    assert sheet["E2"].value == results.lists[0].candidates[0].sentence
    assert sheet["D2"].number_format == "0.0%"


def test_word_summary_reads_like_the_filed_form(counted):
    docx = run_export("ballot-results", counted.school, actor=None,
                      filters={"election": str(counted.pk)}, fmt="docx")  # fmt: skip
    assert docx.filename == f"推荐结果汇总表-{counted.pk}.docx"
    doc = Document(io.BytesIO(docx.content))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert doc.paragraphs[0].text == "市八初级中学后备干部民主推荐结果汇总表"
    assert (
        "共有5人参加推荐，发出推荐票8张，收回5张。"
        "参加人数占应参加人数（8人）的62.5%，未达到2/3，本次推荐无效。"
    ) in text
    assert "区级后备干部（限选2人）：有效票5张（其中弃权1张），无效票0张。" in text
    assert "监票人（签名）" in text and "计票人（签名）" in text
    assert re.search(r"\n\d{4}年\d{1,2}月\d{1,2}日$", text)
    assert len(doc.tables) == 2
    district = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert district == [
        ["序号", "姓名", "得票数", "占有效票比例", "名次"],
        ["1", "候选0", "3", "60.0%", "1"],
        ["2", "候选1", "2", "40.0%", "2"],
        ["3", "候选2", "1", "20.0%", "3"],
        ["4", "候选3", "1", "20.0%", "3"],
    ]
    assert AuditEntry.objects.filter(action="ballots.results.exported").count() == 1


def test_every_export_is_audited_with_its_format(counted):
    for fmt in ("xlsx", "docx", "json"):
        run_export("ballot-results", counted.school, actor=None,
                   filters={"election": counted.pk}, fmt=fmt)  # fmt: skip
    entries = AuditEntry.objects.filter(action="ballots.results.exported").order_by("seq")
    assert [e.new["format"] for e in entries] == ["xlsx", "docx", "json"]
    assert {e.target_id for e in entries} == {str(counted.pk)}


def test_no_export_before_the_tally_or_of_an_unknown_election(school, candidates, counted):
    open_one, _ = make_election(school, candidates, slips=2)
    with pytest.raises(DomainError, match="尚未计票"):
        run_export("ballot-results", school, actor=None,
                   filters={"election": open_one.pk}, fmt="xlsx")  # fmt: skip
    with pytest.raises(DomainError, match="没有编号为“999”的投票"):
        run_export("ballot-results", school, actor=None, filters={"election": "999"}, fmt="xlsx")
    with pytest.raises(DomainError, match="请指定"):
        run_export("ballot-results", school, actor=None, filters={}, fmt="docx")
    with pytest.raises(DomainError, match="不支持的导出格式"):
        run_export("ballot-results", school, actor=None,
                   filters={"election": counted.pk}, fmt="csv")  # fmt: skip
    assert not AuditEntry.objects.filter(action="ballots.results.exported").exists()


def test_the_export_command_writes_each_format(tmp_path, counted):
    for fmt in ("xlsx", "docx", "json"):
        out = tmp_path / f"out.{fmt}"
        call_command("export", "ballot-results", "--school", "shiba",
                     "--election", str(counted.pk), "--format", fmt, "--output", str(out))  # fmt: skip
        assert out.read_bytes()[:2] == (b"{\n" if fmt == "json" else b"PK")
    # The roster's formats are untouched: docx is not offered there.
    with pytest.raises(DomainError):
        run_export("roster", counted.school, actor=None, filters=None, fmt="docx")


def test_the_office_downloads_before_publication_the_decision_body_after(client, users, counted):
    url = reverse("ballots:download", args=[counted.pk, "docx"])
    client.force_login(users["decision"])
    assert client.get(url).status_code == 403
    client.force_login(users["personnel"])
    assert client.get(url).status_code == 200
    publish_results(actor=None, election=counted)
    client.force_login(users["decision"])
    response = client.get(url)
    assert response.status_code == 200 and response.content[:2] == b"PK"
