"""The documents of an election read back: slips (PDF text holds each code), the results
workbook and the Word 推荐结果汇总表, the anonymised export; and T11 — after tampering
with one ballot the digest no longer matches and ``houbei recount`` fails."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from houbei.audit.models import AuditEntry
from houbei.ballots import codes
from houbei.ballots.documents import anonymised_export, slips_pdf
from houbei.ballots.models import Ballot, Receipt
from houbei.ballots.results import results_of
from houbei.ballots.services import (
    cast_ballot,
    close_election,
    publish_results,
    specs_of,
    tally_election,
)
from houbei.core.exports import run_export

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


def test_slips_carry_each_code_once_and_no_serial(school, candidates):
    from pypdf import PdfReader

    election, _ = make_election(school, candidates, slips=0, open_=False)
    made = [codes.new_code() for _i in range(6)]
    pdf = slips_pdf(election, made, base_url="http://school.example")
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages).replace(" ", "")
    for code in made:
        assert text.count(codes.display(code)) == 1
    assert "区级后备干部（限选2人）" in text and "候选5" in text
    assert len(reader.pages) == 2  # 10 names: four slips to a page


def test_workbook_and_word_read_back(counted):
    results = results_of(counted)
    xlsx = run_export("ballot-results", counted.school, actor=None,
                      filters={"election": str(counted.pk)}, fmt="xlsx")  # fmt: skip
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["汇总", "区级后备干部", "校级后备干部"]
    sheet = book["区级后备干部"]
    assert [c.value for c in sheet[1]] == ["名次", "姓名", "得票", "占有效票", "推荐结果"]
    top = results.lists[0].candidates[0]
    assert [c.value for c in sheet[2]][:3] == [1, top.result.name, top.result.votes]
    assert sheet["E2"].value == top.sentence

    docx = run_export("ballot-results", counted.school, actor=None,
                      filters={"election": str(counted.pk)}, fmt="docx")  # fmt: skip
    doc = Document(io.BytesIO(docx.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "市八初级中学后备干部民主推荐结果汇总表" in text
    assert "共有5人参加推荐，发出推荐票8张，收回5张。" in text
    assert "监票人（签名）" in text and "计票人（签名）" in text
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == [
        "序号",
        "姓名",
        "得票数",
        "占有效票比例",
        "名次",
    ]
    assert table.rows[1].cells[1].text == top.result.name
    assert AuditEntry.objects.filter(action="ballots.results.exported").count() == 2


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


def _export_file(tmp_path, election):
    data = anonymised_export(election)
    path = tmp_path / "ballots.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path, data


def test_recount_agrees_with_an_untouched_export(tmp_path, counted, capsys):
    path, data = _export_file(tmp_path, counted)
    assert data["counts"] == {"ballots": 5, "receipts": 5}
    assert data["ballots"] == sorted(
        data["ballots"], key=lambda m: json.dumps(m, sort_keys=True, separators=(",", ":"))
    )
    call_command("recount", str(path))
    out = capsys.readouterr().out
    assert "摘要一致" in out
    top = results_of(counted).lists[0].candidates[0]
    assert f"第1位  {top.result.name}  {top.result.votes}票" in out


@pytest.mark.parametrize("tamper", ["delete", "alter", "add_receipt"])
def test_tampering_after_close_is_caught(tmp_path, counted, capsys, tamper):
    ballot = Ballot.objects.filter(election=counted).first()
    if tamper == "delete":
        ballot.delete()
    elif tamper == "alter":
        ballot.marks = {k: [] for k in ballot.marks}
        ballot.save()
    else:
        Receipt.objects.create(election=counted, code="ZZZZZZZZZZ")
    assert not results_of(counted).digest_matches
    path, _data = _export_file(tmp_path, counted)
    with pytest.raises(SystemExit) as exit_:
        call_command("recount", str(path))
    assert exit_.value.code == 1
    assert "摘要不一致" in capsys.readouterr().err


def test_an_export_edited_by_hand_is_caught(tmp_path, counted, capsys):
    path, data = _export_file(tmp_path, counted)
    data["ballots"][0] = {k: [] for k in data["ballots"][0]}
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SystemExit):
        call_command("recount", str(path))
    data["ballots"].pop()
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SystemExit):
        call_command("recount", str(path))
    assert "文件写明选票5张，实有4张" in capsys.readouterr().err
