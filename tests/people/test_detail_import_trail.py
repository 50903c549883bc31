"""A person's file lists the roster imports that changed it, with only that person's part."""

from __future__ import annotations

import pytest
from django.urls import reverse

from houbei.accounts.models import Role
from houbei.people.models import Person
from houbei.people.roster.services import import_roster
from tests.roster.fixtures import data_dir  # noqa: F401
from tests.roster.workbooks import PEOPLE_HEADERS, person_row, workbook_bytes, write

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("data_dir")]


def _import(school, actor, tmp_path, rows, name):
    path = write(tmp_path, workbook_bytes({"名册": [PEOPLE_HEADERS, *rows]}), name)
    return import_roster(actor=actor, school=school, path=path, filename=name)


def test_person_file_shows_the_imports_that_changed_it(
    client, school, users, tmp_path, django_assert_num_queries
) -> None:
    actor = users[Role.PERSONNEL]
    _import(
        school, actor, tmp_path, [person_row("S1", "陈晔"), person_row("S2", "奚莉")], "第一次.xlsx"
    )
    _import(
        school,
        actor,
        tmp_path,
        [person_row("S1", "陈晔", political="中共党员"), person_row("S2", "奚莉")],
        "第二次.xlsx",
    )
    client.force_login(users[Role.DECISION])
    chen = Person.objects.get(school=school, staff_number="S1")
    xi = Person.objects.get(school=school, staff_number="S2")

    # session, user, school, person, history, honours, annual appraisals, audit, and the
    # rotation section's rotations, rotation posts, pool entries and 意向表: the imports
    # add no query
    with django_assert_num_queries(12):
        response = client.get(reverse("people:detail", kwargs={"pk": chen.pk}))
    labels = [item["label"] for item in response.context["audit"]]
    assert labels == ["名册导入：第二次.xlsx", "名册导入：第一次.xlsx"]
    latest = response.context["audit"][0]
    assert [(c.field, c.old, c.new) for c in latest["changes"]] == [
        ("政治面貌", "群众", "中共党员")
    ]

    # The second import did not change 奚莉: her file lists only the first.
    response = client.get(reverse("people:detail", kwargs={"pk": xi.pk}))
    assert [item["label"] for item in response.context["audit"]] == ["名册导入：第一次.xlsx"]
