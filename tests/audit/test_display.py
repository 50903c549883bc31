"""The pure helpers behind the audit page and the backup order."""

from __future__ import annotations

from houbei.audit.backup import backed_up_models, dependency_order
from houbei.audit.display import changes, show_value, target_type_label
from houbei.audit.forms import action_choices
from houbei.audit.labels import ACTION_LABELS, action_label


def test_show_value_keeps_stored_values_readable():
    assert show_value(None) == "—"
    assert show_value("") == "—"
    assert show_value(True) == "是" and show_value(False) == "否"
    assert show_value(["语文", "历史"]) == "语文、历史"
    assert show_value({"b": 1, "a": [1, 2]}) == '{"a": [1, 2], "b": 1}'
    assert show_value("2021-03-30") == "2021-03-30"
    assert show_value(87.5) == "87.5"


def test_changes_of_a_creation_an_update_and_a_removal():
    created = changes(None, {"name": "王静", "gender": "F"}, "people.person")
    assert [(c.field, c.old, c.new, c.kind) for c in created] == [
        ("姓名", "—", "王静", "added"),
        ("性别", "—", "F", "added"),
    ]
    updated = changes({"phone": "1", "title": "一级"}, {"phone": "2", "title": "一级"}, "")
    assert [(c.field, c.kind) for c in updated] == [("phone", "changed"), ("title", "same")]
    removed = changes({"post": "班主任"}, None)
    assert removed[0].kind == "removed" and removed[0].new == "—"
    assert changes(None, None) == []
    assert changes([1], [2])[0].kind == "changed"


def test_unknown_types_and_codes_show_raw():
    assert target_type_label("people.person") == "教职工"
    assert target_type_label("gone.model") == "gone.model"
    assert action_label("people.person.created") == ACTION_LABELS["people.person.created"]
    assert action_label("x.y.z") == "x.y.z"


def test_action_choices_group_codes_by_module():
    choices = action_choices(["people.person.updated", "x.y.z", "people.person.created"])
    assert choices[0] == ("", "全部操作")
    groups = {str(name): [v for v, _ in options] for name, options in choices[1:]}
    assert groups["教职工档案"] == ["people.*", "people.person.created", "people.person.updated"]
    assert groups["x"] == ["x.*", "x.y.z"]


def test_backup_order_puts_referenced_models_first():
    order = [m._meta.label_lower for m in backed_up_models()]
    assert order.index("organisation.district") < order.index("organisation.school")
    assert order.index("organisation.school") < order.index("people.person")
    assert order.index("accounts.user") < order.index("audit.auditentry")
    assert order.index("auth.group") < order.index("accounts.user")
    assert "auth.permission" not in order and "sessions.session" not in order
    # Whatever the input order, every model comes out exactly once.
    models = backed_up_models()
    assert sorted(map(str, dependency_order(list(reversed(models))))) == sorted(map(str, models))


def test_rows_kept_on_a_persons_file_use_their_own_field_names():
    from houbei.audit.display import changes

    rows = changes(
        None,
        {"row": 7, "title": "优秀党员", "level": 1, "year": 2019},
        "people.person",
        "people.honour.added",
    )
    assert [r.field for r in rows] == ["记录编号", "称号", "级别", "年度"]
    rows = changes(
        None,
        {"post": "班主任", "start": "2010-09-01"},
        "people.person",
        "people.post_history.added",
    )
    assert [r.field for r in rows] == ["岗位", "开始"]
