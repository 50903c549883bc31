"""The audit page: who sees which entries, the filters, the diff table, one entry's
page, the verify button, and query counts that do not grow with the page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from houbei.accounts.models import Role
from houbei.audit.models import AuditEntry
from houbei.audit.services import record

from ..factories import make_person
from .conftest import triggers_off

pytestmark = pytest.mark.django_db

LIST = reverse("audit:list")


def _add(n: int, *, school, action="tests.thing.changed", **fields):  # type: ignore[no-untyped-def]
    with transaction.atomic():
        return [
            record(actor=None, action=action, school=school, target_label=f"条目{i}", **fields)
            for i in range(n)
        ]


def _seqs(response) -> set[int]:  # type: ignore[no-untyped-def]
    return {row.entry.seq for row in response.context["rows"]}


def test_school_user_sees_only_own_school(client, users, school, other_school):
    ours = _add(2, school=school)
    theirs = _add(2, school=other_school)
    with transaction.atomic():
        schoolless = record(actor=None, action="system.backup.created")
    client.force_login(users[Role.DECISION])
    response = client.get(LIST, {"per_page": 100})
    seqs = _seqs(response)
    assert {e.seq for e in ours} <= seqs
    assert not {e.seq for e in theirs} & seqs
    assert schoolless.seq not in seqs
    assert "school" not in response.context["form"].fields


def test_sysadmin_sees_all_and_filters_by_school(client, users, school, other_school):
    theirs = _add(2, school=other_school)
    with transaction.atomic():
        schoolless = record(actor=None, action="system.backup.created")
    client.force_login(users[Role.SYSADMIN])
    everything = _seqs(client.get(LIST, {"per_page": 100}))
    assert set(AuditEntry.objects.values_list("seq", flat=True)) == everything
    only_other = _seqs(client.get(LIST, {"school": other_school.pk, "per_page": 100}))
    assert {e.seq for e in theirs} <= only_other
    assert set(AuditEntry.objects.filter(school=other_school).values_list("seq", flat=True)) == (
        only_other
    )
    assert _seqs(client.get(LIST, {"school": "none"})) == {schoolless.seq}


def test_filter_by_action_and_by_module(client, users, school):
    person = make_person(school, name="王静")
    with transaction.atomic():
        updated = record(actor=users[Role.PERSONNEL], action="people.person.updated", target=person)
        archived = record(
            actor=users[Role.PERSONNEL], action="people.person.archived", target=person
        )
    client.force_login(users[Role.PERSONNEL])
    assert _seqs(client.get(LIST, {"action": "people.person.updated"})) == {updated.seq}
    assert _seqs(client.get(LIST, {"action": "people.*"})) == {updated.seq, archived.seq}
    choices = dict(client.get(LIST).context["form"].fields["action"].choices)
    # Grouped under the module's Chinese name, each code under its label.
    assert dict(choices["教职工档案"])["people.person.updated"] == "修改教职工档案"
    assert "organisation.*" in dict(choices["学校与岗位"])


def test_unknown_action_code_is_shown_as_is(client, users, school):
    _add(1, school=school, action="rotations.trial.unlabelled")
    client.force_login(users[Role.PERSONNEL])
    response = client.get(LIST)
    body = response.content.decode()
    assert "rotations.trial.unlabelled" in body
    assert response.context["rows"][0].action_label == "rotations.trial.unlabelled"


def test_filter_by_actor_target_and_text(client, users, school):
    person = make_person(school, name="陈晔")
    other = make_person(school, name="黄蔚敏")
    with transaction.atomic():
        by_admin = record(
            actor=users[Role.PERSONNEL], action="people.person.updated", target=person
        )
        on_other = record(
            actor=None, action="people.person.updated", target=other, reason="调出本校"
        )
    client.force_login(users[Role.DECISION])
    assert _seqs(client.get(LIST, {"actor": str(users[Role.PERSONNEL])})) == {by_admin.seq}
    by_target = client.get(LIST, {"target_type": "people.person", "target_id": str(other.pk)})
    assert _seqs(by_target) == {on_other.seq}
    assert _seqs(client.get(LIST, {"q": "调出"})) == {on_other.seq}
    assert _seqs(client.get(LIST, {"q": "陈晔"})) == {by_admin.seq}
    assert (
        dict(client.get(LIST).context["form"].fields["target_type"].choices)["people.person"]
        == "教职工"
    )


def test_filter_by_date_range_uses_school_days(client, users, school, monkeypatch):
    # 2030-03-01 23:30 in Shanghai is still 15:30 UTC on the same day; 00:30 on the 2nd
    # is 16:30 UTC on the 1st — it belongs to the 2nd.
    shanghai = dt.timezone(dt.timedelta(hours=8))
    late = dt.datetime(2030, 3, 1, 23, 30, tzinfo=shanghai)
    early = dt.datetime(2030, 3, 2, 0, 30, tzinfo=shanghai)
    entries = []
    for moment in (late, early):
        monkeypatch.setattr(timezone, "now", lambda moment=moment: moment)
        entries += _add(1, school=school)
    monkeypatch.undo()
    client.force_login(users[Role.PERSONNEL])
    on_first = client.get(LIST, {"date_from": "2030-03-01", "date_to": "2030-03-01"})
    assert _seqs(on_first) == {entries[0].seq}
    assert _seqs(client.get(LIST, {"date_from": "2030-03-02"})) == {entries[1].seq}
    assert _seqs(client.get(LIST, {"date_to": "2030-03-01"})) >= {entries[0].seq}
    assert entries[1].seq not in _seqs(client.get(LIST, {"date_to": "2030-03-01"}))


def test_reversed_date_range_is_an_error_on_the_field(client, users, school):
    client.force_login(users[Role.PERSONNEL])
    response = client.get(LIST, {"date_from": "2026-03-02", "date_to": "2026-03-01"})
    assert response.status_code == 200
    assert "截止日期不能早于起始日期" in response.content.decode()


def test_old_and_new_values_show_as_a_diff_table(client, users, school):
    person = make_person(school, name="张清源")
    with transaction.atomic():
        record(
            actor=None,
            action="people.person.updated",
            target=person,
            old={"name": "张清原", "post_status": "on", "birth_date": dt.date(1985, 3, 1)},
            new={"name": "张清源", "post_status": "off", "birth_date": dt.date(1985, 3, 1)},
        )
    client.force_login(users[Role.PERSONNEL])
    row = client.get(LIST).context["rows"][0]
    by_field = {c.field: c for c in row.changes}
    assert (by_field["姓名"].old, by_field["姓名"].new, by_field["姓名"].kind) == (
        "张清原",
        "张清源",
        "changed",
    )
    # Choice values and dates as stored, not relabelled.
    assert (by_field["在岗状态"].old, by_field["在岗状态"].new) == ("on", "off")
    assert by_field["出生日期"].kind == "same" and by_field["出生日期"].new == "1985-03-01"


@pytest.mark.parametrize("per_page", [25, 100])
def test_list_query_count_does_not_grow_with_rows(
    client, users, school, django_assert_num_queries, per_page
):
    client.force_login(users[Role.PERSONNEL])
    _add(3, school=school)
    # session, user, the user's school, action and type choices, count, page.
    with django_assert_num_queries(7):
        client.get(LIST, {"per_page": per_page})
    _add(120, school=school, old={"a": 1}, new={"a": 2})
    with django_assert_num_queries(7):
        response = client.get(LIST, {"per_page": per_page})
    assert len(response.context["rows"]) == per_page


def test_sysadmin_list_query_count_does_not_grow_with_rows(
    client, users, school, other_school, django_assert_num_queries
):
    client.force_login(users[Role.SYSADMIN])
    _add(3, school=school)
    # session, user, choices (actions, types, schools), count, page.
    with django_assert_num_queries(7):
        client.get(LIST)
    _add(60, school=other_school)
    with django_assert_num_queries(7):
        client.get(LIST, {"per_page": 50})


def test_detail_shows_hashes_and_checks_the_entry(client, users, school):
    first, second = _add(2, school=school)
    client.force_login(users[Role.PERSONNEL])
    response = client.get(reverse("audit:detail", args=[second.pk]))
    body = response.content.decode()
    assert second.hash in body and second.prev_hash == first.hash and first.hash in body
    assert response.context["content_ok"] and response.context["linked"]
    assert response.context["previous"] == {"pk": first.pk}


def test_detail_flags_an_edited_entry(client, users, school):
    (entry,) = _add(1, school=school)
    with triggers_off():
        AuditEntry.objects.filter(pk=entry.pk).update(reason="事后改写")
    client.force_login(users[Role.PERSONNEL])
    response = client.get(reverse("audit:detail", args=[entry.pk]))
    assert not response.context["content_ok"]
    assert "记录被修改" in response.content.decode()


def test_detail_of_schoolless_entry_is_hidden_from_school_users(client, users):
    with transaction.atomic():
        entry = record(actor=None, action="system.backup.created")
    client.force_login(users[Role.PERSONNEL])
    assert client.get(reverse("audit:detail", args=[entry.pk])).status_code == 404
    client.force_login(users[Role.SYSADMIN])
    assert client.get(reverse("audit:detail", args=[entry.pk])).status_code == 200


def test_detail_query_count(client, users, school, django_assert_num_queries):
    entries = _add(3, school=school)
    client.force_login(users[Role.DECISION])
    # session, user, school, entry, predecessor's hash, previous and next visible.
    with django_assert_num_queries(7):
        client.get(reverse("audit:detail", args=[entries[1].pk]))


def test_verify_button_reports_an_intact_chain(client, users, school):
    _add(3, school=school)
    client.force_login(users[Role.DECISION])
    response = client.post(reverse("audit:verify"), follow=True)
    text = response.content.decode()
    count = AuditEntry.objects.count()
    assert f"审计链完整：共 {count} 条记录" in text


def test_verify_button_reports_the_first_broken_entry(client, users, school):
    entries = _add(3, school=school)
    with triggers_off():
        AuditEntry.objects.filter(pk=entries[1].pk).update(target_label="改过")
    client.force_login(users[Role.SYSADMIN])
    response = client.post(reverse("audit:verify"), headers={"HX-Request": "true"})
    text = response.content.decode()
    assert f"审计链在第 {entries[1].seq} 条处断开" in text
    assert "<html" not in text  # htmx gets the fragment only


def test_verify_needs_post(client, users):
    client.force_login(users[Role.DECISION])
    assert client.get(reverse("audit:verify")).status_code == 405
