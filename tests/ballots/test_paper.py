"""Paper ballots (T10): two clerks enter every sheet blind; a sheet counts only when both
entries agree; disagreements go to a third person; reconciliation and the tally refuse
anything left undecided or missing. Also: a code serves once across channels, unreadable
and unknown codes, what is (not) stored and audited, and the entry pages."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from houbei.accounts.models import Role
from houbei.audit.models import AuditEntry
from houbei.ballots import codes
from houbei.ballots.models import (
    Ballot,
    Channel,
    Credential,
    Election,
    Mode,
    PaperEntry,
    RejectedSheet,
    RejectReason,
    Status,
)
from houbei.ballots.paper import (
    NeedsConfirmation,
    Outcome,
    enter_sheet,
    reconciliation,
    record_box_count,
    resolve_discrepancy,
    withdraw_entry,
)
from houbei.ballots.services import (
    CastRefused,
    cast_ballot,
    close_election,
    specs_of,
    tally_election,
)
from houbei.ballots.tally import ListSpec, count
from houbei.core.errors import NotAllowed, ValidationFailed

from ..conftest import make_user
from .conftest import make_election
from .test_order_leak import LIMIT, physical, spearman

pytestmark = pytest.mark.django_db

Marks = dict[str, list[int]]


@pytest.fixture
def clerks(school):
    return [make_user(Role.PERSONNEL, school=school, username=f"clerk-{n}") for n in "abc"]


def random_marks(specs: list[ListSpec], rng: random.Random, over: float = 0.05) -> Marks:
    """What a voter may put on paper: up to the quota per list, now and then more."""
    marks = {}
    for spec in specs:
        ids = [c for c, _n in spec.candidates]
        most = spec.quota + 1 if rng.random() < over else spec.quota
        marks[str(spec.id)] = sorted(rng.sample(ids, rng.randint(0, min(most, len(ids)))))
    return marks


def misread(marks: Marks, specs: list[ListSpec], rng: random.Random) -> Marks:
    """The same sheet with one box read wrongly (ticked or not)."""
    spec = rng.choice(specs)
    candidate = rng.choice([c for c, _n in spec.candidates])
    wrong = {k: list(v) for k, v in marks.items()}
    chosen = set(wrong[str(spec.id)]) ^ {candidate}
    wrong[str(spec.id)] = sorted(chosen)
    return wrong


@contextmanager
def refused(kind: type[Exception], text: str) -> Iterator[None]:
    """The call raises ``kind`` and says ``text`` (in its message or a field's)."""
    with pytest.raises(kind) as caught:
        yield
    error: Any = caught.value
    said = [str(error.message), *(m for ms in getattr(error, "errors", {}).values() for m in ms)]
    assert any(text in m for m in said), said


def paper_ballots(election: Election) -> int:
    return Ballot.objects.filter(election=election, channel=Channel.PAPER).count()


# --- T10 ---------------------------------------------------------------------------------


def test_t10_three_hundred_sheets_two_clerks_fifty_seeded_discrepancies(
    school, candidates, clerks
) -> None:
    a, b, third = clerks
    e, slips = make_election(school, candidates, slips=320)
    specs = specs_of(e)
    rng = random.Random(10)
    for code in slips[300:310]:  # ten voters scanned their slip instead
        cast_ballot(election_id=e.pk, code=code, marks=random_marks(specs, rng, over=0))
    online = list(Ballot.objects.filter(election=e).values_list("marks", flat=True))
    sheets = [(code, random_marks(specs, rng)) for code in slips[:300]]
    seeded = set(rng.sample(range(300), 50))

    # The first clerk enters the whole box: nothing counts on one entry.
    for code, marks in sheets:
        assert enter_sheet(actor=a, election=e, code=code, marks=marks).outcome == Outcome.PENDING
    assert paper_ballots(e) == 0
    assert not Credential.objects.filter(election=e, channel=Channel.PAPER).exists()
    first = reconciliation(e)
    assert (first.pending, first.paper, first.balances) == (300, 0, False)

    # Entry goes on after close; the second clerk takes the sheets in another order and
    # misreads fifty of them, typing codes as people do.
    e = close_election(actor=None, election=e)
    record_box_count(actor=third, election=e, sheets=300)
    order = list(range(300))
    rng.shuffle(order)
    outcomes = {}
    for n, i in enumerate(order):
        code, marks = sheets[i]
        typed = [codes.display(code).lower(), code, f" {code[:6]} {code[6:]}"][n % 3]
        entered = misread(marks, specs, rng) if i in seeded else marks
        outcomes[i] = enter_sheet(actor=b, election=e, code=typed, marks=entered).outcome
    flagged = {i for i, outcome in outcomes.items() if outcome == Outcome.DISPUTED}
    assert flagged == seeded  # 50 of 50, and nothing else
    assert {outcomes[i] for i in set(range(300)) - seeded} == {Outcome.COMMITTED}
    assert paper_ballots(e) == 250
    assert PaperEntry.objects.filter(election=e, disputed=True).count() == 100
    assert not PaperEntry.objects.filter(election=e, disputed=False).exists()

    figures = reconciliation(e)
    assert (figures.paper, figures.discrepancies, figures.pending) == (250, 50, 0)
    assert not figures.balances
    with pytest.raises(ValidationFailed, match="50张两次录入不一致"):
        tally_election(actor=None, election=e)

    # The third person reads the fifty sheets.
    for i in sorted(seeded):
        code, marks = sheets[i]
        result = resolve_discrepancy(actor=third, election=e, code=code, marks=marks)
        assert result.outcome == Outcome.COMMITTED
    figures = reconciliation(e)
    assert figures.balances, figures.problems
    assert (figures.issued, figures.online, figures.paper, figures.returned) == (320, 10, 300, 300)
    assert (figures.not_returned, figures.rejected_total) == (10, 0)
    assert not PaperEntry.objects.exists()  # nothing pairs a code with marks any more

    # The paper ballots went in in entry order; the tally rewrites that away.
    paper_ids = {
        str(pk).replace("-", "")
        for pk in Ballot.objects.filter(channel=Channel.PAPER).values_list("pk", flat=True)
    }
    entered_order = [pk for pk in physical(Ballot) if pk in paper_ids]
    result = tally_election(actor=None, election=e)
    place = {pk: n for n, pk in enumerate(entered_order)}
    after = [place[pk] for pk in physical(Ballot) if pk in paper_ids]
    assert abs(spearman(after)) < LIMIT, spearman(after)

    assert result == count(specs, [marks for _code, marks in sheets] + online)
    # Over-marked lists were kept, and are void.
    for spec, counted in zip(specs, result.lists, strict=True):
        over = sum(1 for _c, marks in sheets if len(marks[str(spec.id)]) > spec.quota)
        assert over and counted.void == over


def _entered_box(e: Election, sheets: list[tuple[str, Marks]], clerk: Any, skip: int | None):
    for n, (code, marks) in enumerate(sheets):
        if n != skip:
            enter_sheet(actor=clerk, election=e, code=code, marks=marks)


@pytest.mark.parametrize("missing_from", ["second clerk", "both clerks"])
def test_reconciliation_fails_on_any_missing_sheet(
    school, candidates, clerks, missing_from
) -> None:
    """For every sheet of a small box: leave it out, and the figures do not balance and
    the tally is refused; with nothing left out, they balance."""
    a, b, third = clerks
    rng = random.Random(7)
    for missing in [*range(8), None]:
        e, slips = make_election(school, candidates, slips=8)
        specs = specs_of(e)
        sheets = [(code, random_marks(specs, rng)) for code in slips]
        _entered_box(e, sheets, a, missing if missing_from == "both clerks" else None)
        _entered_box(e, sheets, b, missing)
        record_box_count(actor=third, election=e, sheets=8)
        e = close_election(actor=None, election=e)
        figures = reconciliation(e)
        if missing is None:
            assert figures.balances, figures.problems
            tally_election(actor=None, election=e)
            continue
        assert not figures.balances, missing
        assert figures.paper == 7
        with pytest.raises(ValidationFailed):
            tally_election(actor=None, election=e)
        assert Election.objects.get(pk=e.pk).status == Status.CLOSED


def test_a_sheet_entered_once_does_not_count_and_blocks_the_tally(election, clerks) -> None:
    e, slips = election
    a, b, _third = clerks
    enter_sheet(actor=a, election=e, code=slips[0], marks={})
    assert paper_ballots(e) == 0
    e = close_election(actor=None, election=e)
    with pytest.raises(ValidationFailed, match="1张只录入了一次"):
        tally_election(actor=None, election=e)
    assert enter_sheet(actor=b, election=e, code=slips[0], marks={}).outcome == Outcome.COMMITTED
    assert tally_election(actor=None, election=e).ballots == 1


def test_the_same_clerk_cannot_enter_a_sheet_twice(election, clerks) -> None:
    e, slips = election
    a, b, _third = clerks
    marks = {str(specs_of(e)[0].id): [specs_of(e)[0].candidates[0][0]]}
    enter_sheet(actor=a, election=e, code=slips[0], marks=marks)
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        enter_sheet(actor=a, election=e, code=codes.display(slips[0]), marks=marks)
    assert "同一张选票每人只录一次" in refused.value.errors["code"][0]
    assert PaperEntry.objects.count() == 1 and AuditEntry.objects.count() == entries
    assert paper_ballots(e) == 0
    # Nor once the sheet waits for a third person.
    enter_sheet(actor=b, election=e, code=slips[0], marks={})
    for clerk in (a, b):
        with pytest.raises(ValidationFailed):
            enter_sheet(actor=clerk, election=e, code=slips[0], marks=marks)


def test_a_third_person_decides_a_discrepancy_and_the_clerks_cannot(election, clerks) -> None:
    e, slips = election
    a, b, third = clerks
    district, _school = specs_of(e)
    first, second, truth = (
        {str(district.id): [district.candidates[n][0]]} for n in range(3)
    )  # both clerks wrong, each differently
    enter_sheet(actor=a, election=e, code=slips[0], marks=first)
    assert enter_sheet(actor=b, election=e, code=slips[0], marks=second).outcome == "disputed"
    for clerk in (a, b):
        with pytest.raises(NotAllowed):
            resolve_discrepancy(actor=clerk, election=e, code=slips[0], marks=first)
    with refused(ValidationFailed, "没有待核对"):
        resolve_discrepancy(actor=third, election=e, code=slips[1], marks=truth)
    result = resolve_discrepancy(actor=third, election=e, code=slips[0], marks=truth)
    assert result.outcome == Outcome.COMMITTED
    (ballot,) = Ballot.objects.filter(election=e)
    assert ballot.marks == truth and ballot.channel == Channel.PAPER
    assert not PaperEntry.objects.exists()
    resolved = AuditEntry.objects.get(action="ballots.paper.discrepancy_resolved")
    assert resolved.actor == third and resolved.new == {"outcome": "committed"}
    with refused(ValidationFailed, "没有待核对"):
        resolve_discrepancy(actor=third, election=e, code=slips[0], marks=truth)


def test_a_code_used_online_then_on_paper_is_a_rejected_sheet_counted_once(
    election, clerks
) -> None:
    e, slips = election
    a, b, _third = clerks
    cast_ballot(election_id=e.pk, code=slips[0], marks={})
    with pytest.raises(NeedsConfirmation, match="已在网上投过票"):
        enter_sheet(actor=a, election=e, code=slips[0], marks={}, confirm_rejected=False)
    assert not PaperEntry.objects.exists()
    assert enter_sheet(actor=a, election=e, code=slips[0], marks={}).outcome == Outcome.PENDING
    result = enter_sheet(actor=b, election=e, code=slips[0], marks={})
    assert (result.outcome, result.reason) == (Outcome.REJECTED, RejectReason.USED_ONLINE)
    assert Ballot.objects.filter(election=e).count() == 1
    figures = reconciliation(e)
    assert (figures.online, figures.paper, figures.returned) == (1, 0, 1)
    assert figures.rejected == {RejectReason.USED_ONLINE: 1}
    assert figures.not_returned == 9 and figures.balances


def test_a_code_counted_on_paper_cannot_be_cast_online_nor_entered_again(election, clerks) -> None:
    e, slips = election
    a, b, third = clerks
    enter_sheet(actor=a, election=e, code=slips[0], marks={})
    enter_sheet(actor=b, election=e, code=slips[0], marks={})
    with pytest.raises(CastRefused, match="已经用过"):
        cast_ballot(election_id=e.pk, code=slips[0], marks={})
    # A second sheet with the same code (a copy): rejected once two clerks saw it.
    with pytest.raises(NeedsConfirmation, match="另一张纸质选票"):
        enter_sheet(actor=third, election=e, code=slips[0], marks={}, confirm_rejected=False)
    enter_sheet(actor=third, election=e, code=slips[0], marks={})
    assert enter_sheet(actor=a, election=e, code=slips[0], marks={}).reason == "used_paper"
    assert Ballot.objects.filter(election=e).count() == 1


def test_a_code_cast_online_between_the_two_entries_makes_the_sheet_rejected(
    election, clerks
) -> None:
    e, slips = election
    a, b, _third = clerks
    enter_sheet(actor=a, election=e, code=slips[0], marks={})
    cast_ballot(election_id=e.pk, code=slips[0], marks={})
    result = enter_sheet(actor=b, election=e, code=slips[0], marks={})
    assert result.reason == RejectReason.USED_ONLINE
    assert Ballot.objects.filter(election=e).count() == 1 and not PaperEntry.objects.exists()


def test_unreadable_and_unknown_codes_are_rejected_sheets_that_count_as_returned(
    election, clerks
) -> None:
    e, slips = election
    a, b, third = clerks
    with pytest.raises(NeedsConfirmation, match="空白或格式不对"):
        enter_sheet(actor=a, election=e, code="", marks={}, confirm_rejected=False)
    stranger = codes.new_code()
    with pytest.raises(NeedsConfirmation, match="不是本次投票发出的"):
        enter_sheet(actor=a, election=e, code=stranger, marks={}, confirm_rejected=False)
    assert not PaperEntry.objects.exists()
    for clerk in (a, b):
        enter_sheet(actor=clerk, election=e, code="", marks={})
        enter_sheet(actor=clerk, election=e, code="7K3Q-??", marks={})
        enter_sheet(actor=clerk, election=e, code=stranger, marks={})
    enter_sheet(actor=a, election=e, code=slips[0], marks={})
    enter_sheet(actor=b, election=e, code=slips[0], marks={})
    record_box_count(actor=third, election=e, sheets=4)
    figures = reconciliation(e)
    assert figures.rejected == {RejectReason.UNREADABLE: 2, RejectReason.UNKNOWN: 1}
    assert (figures.returned, figures.paper, figures.pending) == (4, 1, 0)
    assert figures.balances, figures.problems
    assert RejectedSheet.objects.filter(election=e).count() == 3
    assert paper_ballots(e) == 1


def test_unreadable_sheets_pair_only_across_clerks(election, clerks) -> None:
    e, _slips = election
    a, b, _third = clerks
    for _n in range(2):
        assert enter_sheet(actor=a, election=e, code="", marks={}).outcome == Outcome.PENDING
    assert enter_sheet(actor=b, election=e, code="", marks={}).outcome == Outcome.REJECTED
    figures = reconciliation(e)
    assert (figures.rejected_total, figures.pending, figures.balances) == (1, 1, False)


def test_marks_naming_someone_off_the_list_are_refused_and_nothing_is_kept(
    election, clerks
) -> None:
    e, slips = election
    district, _school = specs_of(e)
    with pytest.raises(ValidationFailed, match="不在名单上"):
        enter_sheet(actor=clerks[0], election=e, code=slips[0], marks={str(district.id): [10**6]})
    assert not PaperEntry.objects.exists()


def test_paper_entry_only_while_open_or_closed_and_only_with_slips(
    school, candidates, clerks
) -> None:
    draft, slips = make_election(school, candidates, open_=False)
    with pytest.raises(ValidationFailed, match="当前状态：草稿"):
        enter_sheet(actor=clerks[0], election=draft, code=slips[0], marks={})
    e, slips = make_election(school, candidates)
    close_election(actor=None, election=e)
    tally_election(actor=None, election=e)
    with pytest.raises(ValidationFailed, match="尚未计票"):
        enter_sheet(actor=clerks[0], election=e, code=slips[0], marks={})
    roll, _none = make_election(school, candidates, slips=0)
    Election.objects.filter(pk=roll.pk).update(mode=Mode.ROLL)
    with pytest.raises(ValidationFailed, match="名单登录投票没有纸质选票"):
        enter_sheet(actor=clerks[0], election=roll, code=codes.new_code(), marks={})


def test_an_entry_that_waits_can_be_withdrawn(election, clerks) -> None:
    e, slips = election
    a, b, third = clerks
    enter_sheet(actor=a, election=e, code=slips[0], marks={})
    enter_sheet(actor=a, election=e, code=slips[1], marks={})
    mine, theirs = (PaperEntry.objects.get(code_digest=codes.digest(s)) for s in slips[:2])
    withdraw_entry(actor=a, election=e, entry_id=mine.pk)
    with pytest.raises(ValidationFailed) as refused:
        withdraw_entry(actor=third, election=e, entry_id=theirs.pk)
    assert "须写明理由" in refused.value.errors["reason"][0]
    withdraw_entry(actor=third, election=e, entry_id=theirs.pk, reason="投票码录错，箱内无此选票")
    assert not PaperEntry.objects.exists()
    withdrawn = AuditEntry.objects.filter(action="ballots.paper.entry_withdrawn").order_by("seq")
    assert [(w.actor, w.new, w.reason) for w in withdrawn] == [
        (a, {"clerk": str(a)}, ""),
        (third, {"clerk": str(a)}, "投票码录错，箱内无此选票"),
    ]
    # A disputed sheet is the third person's to decide, not to withdraw.
    enter_sheet(actor=a, election=e, code=slips[2], marks={})
    enter_sheet(actor=b, election=e, code=slips[2], marks={str(specs_of(e)[0].id): []} | {
        str(specs_of(e)[1].id): [specs_of(e)[1].candidates[0][0]]})  # fmt: skip
    disputed = PaperEntry.objects.filter(disputed=True).first()
    with pytest.raises(ValidationFailed, match="已不在待录入之列"):
        withdraw_entry(actor=a, election=e, entry_id=disputed.pk)


def test_a_waiting_entry_stores_neither_the_code_nor_the_marks(election, clerks) -> None:
    """While a sheet waits, its row holds the credential's digest, the code's first
    group and a keyed digest of code and marks: equal marks on two sheets do not look
    alike, and the marks themselves are nowhere."""
    e, slips = election
    district, school = specs_of(e)
    marks = {str(district.id): [district.candidates[1][0]], str(school.id): []}
    for code in slips[:2]:
        enter_sheet(actor=clerks[0], election=e, code=code, marks=marks)
    rows = list(PaperEntry.objects.values())
    assert set(rows[0]) == {
        "id", "election_id", "clerk_id", "code_digest", "code_hint", "marks_digest", "disputed"
    }  # fmt: skip
    assert {r["code_hint"] for r in rows} == {slips[0][:4], slips[1][:4]}
    assert {r["code_digest"] for r in rows} == {codes.digest(s) for s in slips[:2]}
    assert rows[0]["marks_digest"] != rows[1]["marks_digest"]
    text = json.dumps(rows, default=str)
    for code in slips[:2]:
        assert code not in text and codes.display(code) not in text


def test_audit_entries_name_the_clerk_but_never_the_code_or_the_marks(election, clerks) -> None:
    e, slips = election
    a, b, third = clerks
    district, _school = specs_of(e)
    ticked = {str(district.id): [district.candidates[0][0]]}
    enter_sheet(actor=a, election=e, code=slips[0], marks=ticked)
    enter_sheet(actor=b, election=e, code=slips[0], marks=ticked)
    enter_sheet(actor=a, election=e, code=slips[1], marks=ticked)
    enter_sheet(actor=b, election=e, code=slips[1], marks={})
    resolve_discrepancy(actor=third, election=e, code=slips[1], marks=ticked)
    enter_sheet(actor=a, election=e, code="", marks={})
    record_box_count(actor=third, election=e, sheets=3)
    entered = AuditEntry.objects.filter(action="ballots.paper.sheet_entered").order_by("seq")
    assert [(x.actor, x.new) for x in entered] == [
        (a, {"outcome": "pending"}),
        (b, {"outcome": "committed"}),
        (a, {"outcome": "pending"}),
        (b, {"outcome": "disputed"}),
        (a, {"outcome": "pending"}),
    ]
    assert all(x.target_id == str(e.pk) for x in entered)
    counted = AuditEntry.objects.get(action="ballots.paper.box_counted")
    assert (counted.actor, counted.old, counted.new) == (third, None, {"sheets": 3})
    trail = json.dumps(
        list(AuditEntry.objects.values("old", "new", "reason", "target_label")),
        ensure_ascii=False,
    )
    for code in slips[:2]:
        for secret in (code, codes.display(code), code[:4], codes.digest(code)):
            assert secret not in trail
    paper_entries = AuditEntry.objects.filter(action__startswith="ballots.paper.")
    assert {key for x in paper_entries for key in (x.new or {})} <= {"outcome", "sheets"}


def _entry_table_file() -> Any:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_relation_filenode(%s)", [PaperEntry._meta.db_table])
        else:
            cursor.execute("PRAGMA secure_delete")
        return cursor.fetchone()[0]


def test_decided_entries_leave_no_residue(election, clerks) -> None:
    """SQLite deletes them securely (zeroed, not left in free pages); on PostgreSQL the
    tally rewrites the entry table, so their dead row versions go with the old file."""
    e, slips = election
    a, b, _third = clerks
    enter_sheet(actor=a, election=e, code=slips[0], marks={})
    enter_sheet(actor=b, election=e, code=slips[0], marks={})
    assert not PaperEntry.objects.exists()
    before = _entry_table_file()
    e = close_election(actor=None, election=e)
    tally_election(actor=None, election=e)
    if connection.vendor == "postgresql":
        assert _entry_table_file() != before
    else:
        assert before == 1


# --- the pages ---------------------------------------------------------------------------


def _sheet_data(e: Election, code: str, picks: dict[int, list[int]], **extra: str):
    specs = specs_of(e)
    data: dict[str, Any] = {"code": code, **extra}
    for n, ids in picks.items():
        data[f"list_{specs[n].id}"] = [str(specs[n].candidates[i][0]) for i in ids]
    return data


def test_clerks_enter_sheets_through_the_entry_form(client, election, clerks) -> None:
    e, slips = election
    a, b, third = clerks
    url = reverse("ballots:paper_entry", args=[e.pk])
    client.force_login(a)
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert 'name="code"' in html and "autofocus" in html and "录入下一张" in html
    district, school = specs_of(e)
    assert html.count(f'name="list_{district.id}"') == 4
    assert html.count(f'name="list_{school.id}"') == 6
    assert "限选2人" in html and "限选3人" in html

    # Over-marked district list: entered as it is.
    data = _sheet_data(e, codes.display(slips[0]).lower(), {0: [0, 1, 2], 1: [3]})
    page = client.post(url, data)
    html = page.content.decode()
    assert page.status_code == 200 and 'data-done="pending"' in html
    assert codes.display(slips[0]) in html  # shown once for checking, then the form is empty
    assert f'value="{slips[0]}"' not in html and "checked" not in html
    assert '<div class="value" data-entered>1</div>' in html
    assert '<div class="value" data-mine-pending>1</div>' in html
    assert paper_ballots(e) == 0

    again = client.post(url, data)
    assert "同一张选票每人只录一次" in again.content.decode()

    unknown = codes.new_code()
    asked = client.post(url, _sheet_data(e, unknown, {}))
    assert "不是本次投票发出的" in asked.content.decode() and PaperEntry.objects.count() == 1
    confirmed = client.post(url, _sheet_data(e, unknown, {}, confirm="on"))
    assert 'data-done="pending"' in confirmed.content.decode()

    client.force_login(b)
    page = client.post(url, _sheet_data(e, slips[0], {0: [0, 1, 2], 1: [3]}))
    assert 'data-done="committed"' in page.content.decode()
    (ballot,) = Ballot.objects.filter(election=e)
    assert ballot.marks == {
        str(district.id): sorted(district.candidates[i][0] for i in (0, 1, 2)),
        str(school.id): [school.candidates[3][0]],
    }
    page = client.post(url, _sheet_data(e, slips[1], {1: [0]}))
    assert 'data-done="pending"' in page.content.decode()

    client.force_login(a)
    page = client.post(url, _sheet_data(e, slips[1], {1: [1]}))
    assert 'data-done="disputed"' in page.content.decode()

    # The third person sees which sheet, by the start of its code, but not the readings.
    client.force_login(third)
    waiting = client.get(reverse("ballots:paper_discrepancies", args=[e.pk]))
    html = waiting.content.decode()
    assert waiting["Cache-Control"] == "no-store"
    assert f"{slips[1][:4]}-" in html and codes.display(slips[1]) not in html
    assert html.count("data-disputed") == 1 and html.count("data-single") == 1
    assert "checked" not in html
    resolved = client.post(
        reverse("ballots:paper_discrepancies", args=[e.pk]), _sheet_data(e, slips[1], {1: [1]})
    )
    assert "已按核对的内容计入" in resolved.content.decode()
    assert Ballot.objects.filter(election=e).count() == 2

    # The reconciliation page, and the box count.
    rec_url = reverse("ballots:paper_reconciliation", args=[e.pk])
    page = client.get(rec_url)
    assert 'data-balances="no"' in page.content.decode()  # the unknown sheet waits
    single = PaperEntry.objects.get()
    client.force_login(a)
    client.post(reverse("ballots:paper_withdraw", args=[e.pk]), {"entry": str(single.pk)})
    assert not PaperEntry.objects.exists()
    assert client.post(rec_url, {"sheets": "2"}).status_code == 302
    page = client.get(rec_url)
    html = page.content.decode()
    assert 'data-balances="yes"' in html and '<td class="num" data-box>2</td>' in html


def test_the_entry_form_says_when_entry_is_closed(client, school, candidates, clerks) -> None:
    e, slips = make_election(school, candidates, open_=False)
    client.force_login(clerks[0])
    page = client.post(reverse("ballots:paper_entry", args=[e.pk]), {"code": slips[0]})
    html = page.content.decode()
    assert page.status_code == 200 and "只有投票中或已结束" in html and "录入下一张" not in html
    assert not PaperEntry.objects.exists()
