"""The registry's forms: messages in Chinese that name the field, bound to that field."""

from __future__ import annotations

import datetime as dt

from houbei.accounts.models import Role
from houbei.people.forms import HonourForm, PersonForm, PostHistoryForm
from houbei.people.models import Person

from ..conftest import make_user
from ..factories import add_honour, make_person, post_of
from .helpers import national_id_for

D = dt.date


def _data(**overrides):  # type: ignore[no-untyped-def]
    return {
        "staff_number": "T1",
        "name": "余立群",
        "gender": "M",
        "birth_date": "1984-10-02",
        "establishment": "in",
        "post_status": "on",
        "political_status": "masses",
        "fit_for_duty": "unknown",
    } | overrides


def _form(school, data, instance=None):  # type: ignore[no-untyped-def]
    return PersonForm(data, school=school, instance=instance or Person(school=school))


def test_required_fields_say_what_is_missing(school) -> None:
    form = _form(school, {})
    assert not form.is_valid()
    assert form.errors["staff_number"] == ["请填写工号。"]
    assert form.errors["name"] == ["请填写姓名。"]
    assert form.errors["gender"] == ["请选择性别。"]
    assert form.errors["political_status"] == ["请选择政治面貌。"]


def test_national_id_problems_are_bound_to_the_national_id_field(school) -> None:
    wrong_sex = national_id_for(D(1984, 10, 2), male=False)
    form = _form(school, _data(national_id=wrong_sex))
    assert not form.is_valid()
    assert form.errors["national_id"] == ["身份证号显示的性别（女）与所填性别不一致。"]
    good = national_id_for(D(1984, 10, 2), male=True)
    form = _form(school, _data(national_id=f" {good[:6]} {good[6:]} "))
    assert form.is_valid(), form.errors
    assert form.national_id_change() == good


def test_national_id_box_keeps_clears_or_replaces_on_edit(school) -> None:
    person = make_person(school, national_id_masked="3101**********1234")
    data = _data(staff_number=person.staff_number)
    assert _form(school, data, person).is_valid()
    keep = _form(school, data, person)
    keep.is_valid()
    assert keep.national_id_change() is None
    clear = _form(school, data | {"clear_national_id": "on"}, person)
    clear.is_valid()
    assert clear.national_id_change() == ""
    assert "clear_national_id" not in _form(school, data).fields  # nothing to clear on create


def test_account_choices_are_the_schools_unlinked_accounts(school, other_school, users) -> None:
    linked = users[Role.MENTOR]
    make_person(school, user=linked)
    make_user(Role.STAFF, school=other_school, username="elsewhere")
    form = _form(school, {})
    offered = set(form.fields["user"].queryset.values_list("username", flat=True))
    assert offered == {
        u.username for r, u in users.items() if r in {Role.PERSONNEL, Role.DECISION, Role.STAFF}
    }


def test_fit_for_duty_reads_yes_no_or_unconfirmed(school) -> None:
    form = _form(school, _data(fit_for_duty="false", fit_for_duty_on="2025-09-01"))
    assert form.is_valid(), form.errors
    assert form.person_values()["fit_for_duty"] is False
    assert "未确认" in str(form["fit_for_duty"])


def test_post_history_form_offers_the_schools_active_posts(school, other_school) -> None:
    person = make_person(school)
    form = PostHistoryForm(person=person)
    names = set(form.fields["post"].queryset.values_list("name", flat=True))
    assert "班主任" in names and len(names) == 10
    foreign = PostHistoryForm(
        {"post": post_of(other_school, "class-teacher").pk, "start": "2015-09-01"}, person=person
    )
    assert foreign.errors["post"] == ["岗位的选项无效，请重新选择。"]


def test_honour_form_messages(school) -> None:
    person = make_person(school)
    add_honour(person, title="优秀党员", level=1, year=2021)
    form = HonourForm({"title": "优秀党员", "level": "1", "year": "二〇二一"}, person=person)
    assert form.errors["year"] == ["年度应为整数。"]
    form = HonourForm({"title": " 优秀党员 ", "level": "1", "year": "2021"}, person=person)
    assert form.errors["title"] == ["2021年校级“优秀党员”已登记，请勿重复录入。"]
