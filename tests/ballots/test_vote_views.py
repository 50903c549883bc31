"""The voter's pages through the test client: choose, confirm, receipt; refusals; the roll;
the receipt check; and that nothing of a vote lands in the session or a cache."""

from __future__ import annotations

import pytest
from django.urls import reverse

from houbei.ballots import codes
from houbei.ballots.models import Ballot, Credential, Election, Mode, Receipt
from houbei.ballots.services import (
    close_election,
    publish_results,
    set_roll,
    tally_election,
)

from ..factories import make_person
from .conftest import make_election

pytestmark = pytest.mark.django_db


def _lists(election: Election):
    return list(election.lists.prefetch_related("candidates"))


def _form(election: Election, code: str, picks: dict[int, list[int]], step: str = "choose"):
    data: dict[str, object] = {"code": code, "step": step}
    for bl in _lists(election):
        chosen = [bl.candidates.all()[i].pk for i in picks.get(bl.position, [])]
        data[f"list-{bl.pk}"] = [str(c) for c in chosen]
    return data


def test_a_slip_voter_chooses_confirms_and_gets_a_receipt(client, election):
    election, slips = election
    url = reverse("vote:cast", args=[election.key])
    page = client.get(url)
    assert page.status_code == 200
    assert "区级后备干部" in page.content.decode() and "限选 2 人" in page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]

    typed = codes.display(slips[0]).lower()
    confirm = client.post(url, _form(election, typed, {0: [0, 1], 1: [2]}))
    assert confirm.status_code == 200
    text = confirm.content.decode()
    assert "请核对您的选择" in text and "候选0、候选1" in text
    assert Ballot.objects.count() == 0  # nothing is cast before the confirmation

    done = client.post(url, _form(election, typed, {0: [0, 1], 1: [2]}, step="confirm"))
    assert done.status_code == 200
    assert "投票成功" in done.content.decode()
    assert "no-store" in done["Cache-Control"]
    assert done["Referrer-Policy"] == "same-origin"
    receipt = Receipt.objects.get()
    assert codes.display_receipt(receipt.code) in done.content.decode()
    ballot = Ballot.objects.get()
    first, second = _lists(election)
    assert ballot.marks == {
        str(first.pk): sorted(c.pk for c in first.candidates.all()[:2]),
        str(second.pk): [second.candidates.all()[2].pk],
    }
    # Nothing of the vote stays with the voter's session.
    assert not client.session.items()


def test_a_used_code_is_refused_with_a_message_and_no_second_ballot(client, election):
    election, slips = election
    url = reverse("vote:cast", args=[election.key])
    client.post(url, _form(election, slips[0], {0: [0]}, step="confirm"))
    again = client.post(url, _form(election, slips[0], {0: [1]}, step="confirm"))
    assert again.status_code == 409
    assert "此投票码已经用过" in again.content.decode()
    assert Ballot.objects.count() == 1


def test_over_marking_online_is_refused_and_consumes_nothing(client, election):
    election, slips = election
    url = reverse("vote:cast", args=[election.key])
    response = client.post(url, _form(election, slips[0], {0: [0, 1, 2]}, step="confirm"))
    assert response.status_code == 400
    assert "最多可选2人，您选了3人" in response.content.decode()
    assert not Credential.objects.filter(used=True).exists()
    # The voter's ticks are kept on the form.
    assert response.content.decode().count("checked") == 3


def test_a_malformed_code_is_refused_before_confirmation(client, election):
    election, _slips = election
    response = client.post(
        reverse("vote:cast", args=[election.key]), _form(election, "ABC", {0: [0]})
    )
    assert response.status_code == 400
    assert "投票码格式不对" in response.content.decode()


def test_an_unknown_code_is_refused(client, election):
    election, _slips = election
    response = client.post(
        reverse("vote:cast", args=[election.key]),
        _form(election, codes.new_code(), {0: [0]}, step="confirm"),
    )
    assert response.status_code == 409
    assert "投票码无效" in response.content.decode()


def test_going_back_from_the_confirmation_keeps_the_choice(client, election):
    election, slips = election
    response = client.post(
        reverse("vote:cast", args=[election.key]), _form(election, slips[0], {1: [0, 3]}, "back")
    )
    assert response.status_code == 200
    assert response.content.decode().count("checked") == 2
    assert Ballot.objects.count() == 0


def test_a_draft_or_closed_election_takes_no_votes(client, school, candidates):
    draft, slips = make_election(school, candidates, open_=False)
    url = reverse("vote:cast", args=[draft.key])
    assert "投票尚未开始" in client.get(url).content.decode()
    response = client.post(url, _form(draft, slips[0], {0: [0]}, step="confirm"))
    assert "投票尚未开始" in response.content.decode()
    assert Ballot.objects.count() == 0


def test_a_roll_voter_votes_once(client, school, candidates, users):
    user = users["staff"]
    voter = make_person(school, name="投票人", user=user)
    election, _slips = make_election(school, candidates, slips=0, open_=False)
    Election.objects.filter(pk=election.pk).update(mode=Mode.ROLL)
    election.refresh_from_db()
    set_roll(actor=None, election=election, people=[voter])
    from houbei.ballots.services import open_election

    open_election(actor=None, election=election)
    client.force_login(user)
    mine = client.get(reverse("vote:mine"))
    assert election.title in mine.content.decode() and "去投票" in mine.content.decode()
    url = reverse("vote:roll", args=[election.key])
    page = client.get(url)
    assert "投票码" not in page.content.decode()
    done = client.post(url, _form(election, "", {0: [0]}, step="confirm"))
    assert "投票成功" in done.content.decode()
    assert Ballot.objects.count() == 1
    assert "已经参加" in client.get(url).content.decode()
    assert "已参加" in client.get(reverse("vote:mine")).content.decode()


def test_someone_not_on_the_roll_is_told_so(client, school, candidates, users):
    election, _slips = make_election(school, candidates, slips=0, open_=False)
    Election.objects.filter(pk=election.pk).update(mode=Mode.ROLL)
    client.force_login(users["staff"])
    response = client.get(reverse("vote:roll", args=[election.key]))
    assert "不在本次投票的名单上" in response.content.decode()


def test_receipts_can_be_checked_once_results_are_published(client, election):
    election, slips = election
    url = reverse("vote:cast", args=[election.key])
    client.post(url, _form(election, slips[0], {0: [0]}, step="confirm"))
    receipt = Receipt.objects.get().code
    check = reverse("vote:check", args=[election.key])
    assert "结果尚未公布" in client.post(check, {"r": receipt}).content.decode()
    close_election(actor=None, election=election)
    tally_election(actor=None, election=election)
    publish_results(actor=None, election=election)
    found = client.post(check, {"r": codes.display_receipt(receipt).lower()})
    assert "已计入" in found.content.decode()
    missing = client.post(check, {"r": "ZZZZZ-ZZZZZ"})
    assert "未找到" in missing.content.decode()
