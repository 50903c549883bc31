"""``houbei recount`` over the anonymised export, and T11: after close, deleting or
altering one ballot makes the digest check fail, the counts check fail (for a deletion),
the command exit non-zero and its tally differ from the published one; an untouched
export is recounted to the published figures and exits 0 — without the database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from houbei.ballots.models import Ballot, Election, Receipt
from houbei.ballots.results import results_of
from houbei.ballots.services import (
    cast_ballot,
    close_election,
    publish_results,
    specs_of,
    tally_election,
)
from houbei.ballots.tally import digest
from houbei.core.exports import run_export

from .conftest import make_election

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

# (district picks, school picks) by candidate index; district quota 2, school quota 3.
PICKS = [((0, 1), (0, 2)), ((0,), (1,)), ((1, 2), (0, 1, 2)), ((), (0,)), ((0, 3), ())]


@pytest.fixture
def published(school, candidates) -> Election:
    election, made = make_election(school, candidates, slips=8)
    d, s = specs_of(election)
    for code, (dp, sp) in zip(made, PICKS, strict=False):
        cast_ballot(
            election_id=election.pk, code=code,
            marks={str(d.id): [d.candidates[i][0] for i in dp],
                   str(s.id): [s.candidates[i][0] for i in sp]},
        )  # fmt: skip
    close_election(actor=None, election=election)
    tally_election(actor=None, election=election)
    return publish_results(actor=None, election=election)


def _export(tmp_path: Path, election: Election) -> tuple[Path, dict]:
    """The JSON export, through the exporter (as ``houbei export`` writes it)."""
    file = run_export("ballot-results", election.school, actor=None,
                      filters={"election": election.pk}, fmt="json")  # fmt: skip
    path = tmp_path / file.filename
    path.write_bytes(file.content)
    return path, json.loads(file.content)


def _lines(results) -> list[str]:
    """The per-candidate lines ``recount`` prints, made from the published results."""
    return [
        f"第{c.result.rank}位  {c.result.name}  {c.result.votes}票  {c.percent}"
        for lines in results.lists
        for c in lines.candidates
    ]


def _recount(path: Path, capsys) -> tuple[int, str, str]:
    try:
        call_command("recount", str(path))
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_export_holds_what_the_digest_needs(tmp_path, published):
    _path, data = _export(tmp_path, published)
    assert data["election"] == {"key": str(published.key), "title": published.title}
    assert [len(lst["candidates"]) for lst in data["lists"]] == [4, 6]
    assert data["counts"] == {
        "ballots": 5, "receipts": 5, "codes_used_online": 5, "codes_used_paper": 0,
        "ballots_at_tally": 5,
    }  # fmt: skip
    keyed = [json.dumps(m, sort_keys=True, separators=(",", ":")) for m in data["ballots"]]
    assert keyed == sorted(keyed) and data["receipts"] == sorted(data["receipts"])
    assert digest(data["ballots"], data["receipts"]) == data["digest"] == published.digest
    assert data["digest_at_tally"] == published.digest
    # Nothing that could tie a ballot to a receipt, a code or a time.
    assert set(data) == {
        "format", "election", "school", "lists", "counts", "ballots", "receipts", "digest",
        "digest_at_tally",
    }  # fmt: skip


def test_an_untouched_export_recounts_to_the_published_figures(tmp_path, published, capsys):
    path, _data = _export(tmp_path, published)
    code, out, err = _recount(path, capsys)
    assert code == 0, err
    assert "摘要一致" in out and err == ""
    assert "区级后备干部（限选2人）：有效5张，无效0张，弃权1张" in out
    for line in _lines(results_of(published)):
        assert line in out
    # In the school list 候选1 and 候选2 have 2 votes each: they share second place.
    school_list = out[out.index("校级后备干部") :]
    assert "第2位  候选1  2票  40.0%\n  第2位  候选2  2票  40.0%\n  第4位" in school_list


@pytest.mark.parametrize("tamper", ["delete", "delete_with_its_receipt", "alter"])
def test_tampering_with_one_ballot_after_close_is_caught(tmp_path, published, capsys, tamper):
    before = results_of(published)
    assert before.digest_matches
    ballot = Ballot.objects.filter(election=published).first()
    if tamper == "alter":
        ballot.marks = {k: [] for k in ballot.marks}
        ballot.save()
    else:
        ballot.delete()
        if tamper == "delete_with_its_receipt":
            Receipt.objects.filter(election=published).first().delete()

    after = results_of(published)
    assert not after.digest_matches
    path, _data = _export(tmp_path, published)
    code, out, err = _recount(path, capsys)
    assert code == 1
    assert "摘要不一致" in out and "摘要不一致：选票或回执与计票时不同" in err
    if tamper != "alter":
        # The counts check fails too: five codes were used and five ballots tallied.
        assert "计票时审计记录为选票5张，现有4张" in err
        assert "用过的投票码5个（网上5、纸质0），选票4张" in err
    # The recount's tally is not the published one.
    assert not all(line in out for line in _lines(before))


def test_rewriting_the_stored_digest_too_is_caught_by_the_audit_trail(tmp_path, published, capsys):
    ballot = Ballot.objects.filter(election=published).first()
    ballot.marks = {k: [] for k in ballot.marks}
    ballot.save()
    ballots = list(Ballot.objects.filter(election=published).values_list("marks", flat=True))
    receipts = list(Receipt.objects.filter(election=published).values_list("code", flat=True))
    Election.objects.filter(pk=published.pk).update(digest=digest(ballots, receipts))
    published.refresh_from_db()
    assert not results_of(published).digest_matches
    path, _data = _export(tmp_path, published)
    code, _out, err = _recount(path, capsys)
    assert code == 1 and "文件中的摘要与计票时审计记录的摘要不同" in err


def test_an_export_edited_by_hand_is_caught(tmp_path, published, capsys):
    path, data = _export(tmp_path, published)
    data["ballots"].pop()
    path.write_text(json.dumps(data), encoding="utf-8")
    code, _out, err = _recount(path, capsys)
    assert code == 1 and "文件写明选票5张，实有4张" in err

    _path, data = _export(tmp_path, published)
    data["receipts"][0] = data["receipts"][1]
    path.write_text(json.dumps(data), encoding="utf-8")
    code, _out, err = _recount(path, capsys)
    assert code == 1 and "有重复的回执码" in err


def test_a_file_that_is_not_an_export_is_refused(tmp_path, published):
    path, data = _export(tmp_path, published)
    data["ballots"][0] = {"1": ["甲"]}
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError, match="第1张选票格式不对") as error:
        call_command("recount", str(path))
    assert error.value.returncode == 2
    with pytest.raises(CommandError, match="无法读取"):
        call_command("recount", str(tmp_path / "missing.json"))


def _run_without_database(path: Path) -> subprocess.CompletedProcess:
    # A database nobody listens on: the command must not need one.
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:9/none"}
    return subprocess.run(
        [sys.executable, "-m", "houbei.cli", "recount", str(path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_recount_runs_without_the_database(tmp_path, published):
    path, data = _export(tmp_path, published)
    good = _run_without_database(path)
    assert good.returncode == 0, good.stderr
    assert "摘要一致" in good.stdout

    data["ballots"][0] = {k: [] for k in data["ballots"][0]}
    path.write_text(json.dumps(data), encoding="utf-8")
    bad = _run_without_database(path)
    assert bad.returncode == 1 and "摘要不一致" in bad.stderr
