"""How a person's audit trail reads: Chinese labels for actions, fields and codes."""

from __future__ import annotations

from django.db import transaction

from houbei.audit.services import record
from houbei.people import presenters

from ..factories import make_person


def _entry(person, action, old=None, new=None):  # type: ignore[no-untyped-def]
    with transaction.atomic():
        return record(actor=None, action=action, target=person, old=old, new=new)


def test_person_changes_read_as_labels_and_choice_names(school) -> None:
    person = make_person(school)
    entry = _entry(
        person,
        "people.person.updated",
        old={"political_status": "masses", "title": "", "fit_for_duty": None},
        new={"political_status": "party", "title": "中学高级教师", "fit_for_duty": True},
    )
    [item] = presenters.present([entry])
    assert item["label"] == "修改信息" and item["kind"] == "diff"
    assert [(c.field, c.old, c.new) for c in item["changes"]] == [
        ("政治面貌", "群众", "中共党员"),
        ("职称", "—", "中学高级教师"),
        ("身心健康", "—", "是"),
    ]


def test_honour_fields_are_named_as_honour_fields(school) -> None:
    person = make_person(school)
    entry = _entry(
        person,
        "people.honour.added",
        new={"row": 1, "title": "优秀党员", "level": 2, "year": 2020, "note": ""},
    )
    [item] = presenters.present([entry])
    # The row id is not a change, and a blank note is not worth a line on creation.
    assert [(c.field, c.new) for c in item["changes"]] == [
        ("称号", "优秀党员"),
        ("级别", "区级"),
        ("年度", "2020"),
    ]


def test_other_modules_actions_take_the_audit_pages_label(school) -> None:
    person = make_person(school)
    imported = _entry(person, "people.roster.imported")
    unknown = _entry(person, "selection.someday.done")
    assert presenters.action_label(imported.action) == "导入名册"
    assert presenters.action_label(unknown.action) == "selection.someday.done"
    assert presenters.kind_of("people.post_history.removed") == "old"
