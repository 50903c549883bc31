"""The administrator's pages: create with named candidates, the election's page showing
turnout only while open, slips as a PDF, the roll, and the steps to publication."""

from __future__ import annotations

import pytest
from django.urls import reverse

from houbei.audit.models import AuditEntry
from houbei.ballots.models import Credential, Election, Mode, Status
from houbei.ballots.services import cast_ballot

from ..factories import make_person
from .conftest import make_election

pytestmark = pytest.mark.django_db


@pytest.fixture
def personnel(client, users):
    client.force_login(users["personnel"])
    return client


def _create_data(**overrides):
    data = {
        "title": "2026年后备干部民主推荐",
        "mode": "slips",
        "electorate": "60",
        "list1_name": "区级后备干部",
        "list1_quota": "2",
        "list1_candidates": "",
        "list2_name": "",
        "list2_quota": "",
        "list2_candidates": "",
        "list3_name": "",
        "list3_quota": "",
        "list3_candidates": "",
    }
    return data | overrides


def test_an_election_is_created_from_names_and_staff_numbers(personnel, school):
    a = make_person(school, name="陈晔")
    b = make_person(school, name="王静")
    response = personnel.post(
        reverse("ballots:create"),
        _create_data(
            list1_candidates=f"陈晔\n{b.staff_number}",
            list2_name="校级后备干部", list2_quota="3", list2_candidates="王静，陈晔",
        ),
    )  # fmt: skip
    election = Election.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{election.pk}/")
    lists = list(election.lists.all())
    assert [(bl.name, bl.quota) for bl in lists] == [("区级后备干部", 2), ("校级后备干部", 3)]
    assert [c.person_id for c in lists[0].candidates.all()] == [a.pk, b.pk]
    assert [c.person_id for c in lists[1].candidates.all()] == [b.pk, a.pk]
    assert AuditEntry.objects.filter(action="ballots.election.created").exists()


def test_unknown_and_ambiguous_names_are_reported_by_line(personnel, school):
    make_person(school, name="张兰兰")
    make_person(school, name="张兰兰")
    response = personnel.post(
        reverse("ballots:create"), _create_data(list1_candidates="张兰兰\n李四")
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "第1行“张兰兰”：有2人同名，请改填工号。" in text
    assert "第2行“李四”：本校没有这个工号或姓名。" in text
    assert not Election.objects.exists()


def test_slips_need_an_electorate(personnel, school):
    make_person(school, name="陈晔")
    response = personnel.post(
        reverse("ballots:create"), _create_data(electorate="", list1_candidates="陈晔")
    )
    assert "会场选票须填写应参加人数" in response.content.decode()


def test_while_open_the_page_shows_turnout_and_no_votes(personnel, school, candidates):
    election, slips = make_election(school, candidates, slips=9)
    for code in slips[:6]:
        cast_ballot(election_id=election.pk, code=code, marks={})
    page = personnel.get(reverse("ballots:detail", args=[election.pk])).content.decode()
    assert "已投票" in page and ">6<" in page and "已达到" in page
    assert "data-results" not in page and "占有效票" not in page
    partial = personnel.get(reverse("ballots:turnout", args=[election.pk]))
    assert "no-store" in partial["Cache-Control"]
    assert ">6<" in partial.content.decode()


def test_slips_come_as_a_pdf_and_only_their_digests_stay(personnel, school, candidates):
    election, _ = make_election(school, candidates, slips=0, open_=False)
    response = personnel.post(reverse("ballots:slips", args=[election.pk]), {"count": "4"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert Credential.objects.filter(election=election).count() == 4


def test_the_roll_takes_the_staff_in_establishment_on_duty(personnel, school, candidates):
    election, _ = make_election(school, candidates, slips=0, open_=False)
    Election.objects.filter(pk=election.pk).update(mode=Mode.ROLL)
    personnel.post(reverse("ballots:roll", args=[election.pk]))
    election.refresh_from_db()
    assert election.roll.count() == len(candidates) == election.electorate


def test_open_close_tally_publish_in_order(personnel, school, candidates, users, client):
    election, slips = make_election(school, candidates, slips=3, open_=False)
    steps = ["open", "close", "tally", "publish"]
    # A step out of order is refused with a message and changes nothing.
    refused = personnel.post(reverse("ballots:tally", args=[election.pk]), follow=True)
    assert "不能执行此操作" in refused.content.decode()
    for step in steps:
        personnel.post(reverse(f"ballots:{step}", args=[election.pk]))
        if step == "open":
            cast_ballot(election_id=election.pk, code=slips[0], marks={})
    election.refresh_from_db()
    assert election.status == Status.PUBLISHED
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"ballots.election.opened", "ballots.election.closed",
            "ballots.election.tallied", "ballots.election.published"} <= actions  # fmt: skip


def test_the_decision_body_sees_results_only_once_published(client, school, candidates, users):
    from houbei.ballots.services import close_election, publish_results, tally_election

    election, slips = make_election(school, candidates, slips=3)
    cast_ballot(election_id=election.pk, code=slips[0], marks={})
    close_election(actor=None, election=election)
    tally_election(actor=None, election=election)
    client.force_login(users["decision"])
    url = reverse("ballots:detail", args=[election.pk])
    assert "占有效票" not in client.get(url).content.decode()
    publish_results(actor=None, election=election)
    assert "占有效票" in client.get(url).content.decode()
