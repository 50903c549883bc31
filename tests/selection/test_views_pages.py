"""Every page of a cycle renders for the roles that may read it, at every stage of a cycle
walked through the services; others are refused, another school's cycle is not found,
and what is confidential stays with the school."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from houbei.accounts.models import Role
from houbei.eligibility.services import create_rule_set
from houbei.organisation.models import District
from houbei.selection import forms, inspection, notice, workflow
from houbei.selection.models import (
    Cycle,
    InspectionTarget,
    Objection,
    PublicNotice,
    StageRecord,
    TargetSelection,
)
from houbei.selection.notice import register_objection
from houbei.selection.services import create_cycle

from ..conftest import make_user
from ..factories import make_person
from .conftest import REF, TODAY
from .views_support import as_user, page, urls_of

pytestmark = pytest.mark.django_db

READERS = (Role.PERSONNEL, Role.DECISION, Role.DISTRICT)


def _every_page_renders(client, users, cycle, extra=()):
    for role in READERS:
        as_user(client, users[role])
        for url in [*urls_of(cycle), *extra]:
            page(client, url)


def test_every_page_renders_at_every_stage_for_each_reader(client, users, walk):
    cycle = walk.cycle
    _every_page_renders(client, users, cycle)
    walk.to_recommendation()
    _every_page_renders(client, users, cycle)
    walk.to_targets()
    _every_page_renders(client, users, cycle)
    walk.choose()
    workflow.start_inspection(actor=walk.admin, cycle=cycle)
    target = walk.active_targets()[0]
    target_url = reverse("selection:inspection_target", args=[cycle.pk, target.pk])
    _every_page_renders(client, users, cycle, [target_url])
    walk.inspect()
    workflow.start_decision(actor=walk.admin, cycle=cycle)
    walk.decide_all(held_on=TODAY() - dt.timedelta(days=40))
    workflow.start_notice(actor=walk.admin, cycle=cycle, start=TODAY() - dt.timedelta(days=30))
    objection = register_objection(
        actor=walk.admin, cycle=cycle, target=target, signed=True, received_on=TODAY(),
        content="反映其工作作风问题", reporter_name="李老师",
    )  # fmt: skip
    objection_url = reverse("selection:objection", args=[cycle.pk, objection.pk])
    _every_page_renders(client, users, cycle, [target_url])
    for role in (Role.PERSONNEL, Role.DECISION):
        as_user(client, users[role])
        assert "李老师" in page(client, objection_url)
    notice.close_objection(
        actor=walk.admin, objection=objection, investigation="经核实不存在", outcome="none",
        answer="经核实，反映的问题不存在", answered_on=TODAY(),
    )  # fmt: skip
    workflow.complete_cycle(actor=walk.admin, cycle=cycle)
    _every_page_renders(client, users, cycle, [target_url])
    as_user(client, users[Role.PERSONNEL])
    assert "经核实，反映的问题不存在" in page(client, objection_url)


def test_staff_mentors_and_the_system_administrator_are_refused(client, users, cycle):
    for role in (Role.STAFF, Role.MENTOR, Role.SYSADMIN):
        as_user(client, users[role])
        for url in [reverse("selection:list"), *urls_of(cycle)]:
            assert client.get(url).status_code == 403, (role, url)


def test_another_schools_cycle_is_not_found(client, users, other_school):
    rule_set = create_rule_set(actor=None, school=other_school, name="外校条件", reference_date=REF)
    make_person(other_school)
    foreign = create_cycle(
        actor=None, school=other_school, title="外校选拔", year=2021, reference_date=REF,
        rule_set=rule_set,
    )  # fmt: skip
    for role in (Role.PERSONNEL, Role.DECISION):
        as_user(client, users[role])
        assert "外校选拔" not in page(client, reverse("selection:list"))
        for url in urls_of(foreign):
            assert client.get(url).status_code == 404, (role, url)
    # The district reads every school of its district.
    as_user(client, users[Role.DISTRICT])
    assert "外校选拔" in page(client, reverse("selection:list"))
    # A district of its own sees neither.
    elsewhere = District.objects.create(name="另一区", code="elsewhere")
    outsider = make_user(Role.DISTRICT, district=elsewhere, username="district-elsewhere")
    as_user(client, outsider)
    assert "外校选拔" not in page(client, reverse("selection:list"))
    assert client.get(reverse("selection:detail", args=[foreign.pk])).status_code == 404


def test_the_district_reads_the_cycle_but_nothing_confidential(client, users, walk):
    walk.to_targets()
    walk.choose()
    cycle = walk.cycle
    workflow.start_inspection(actor=walk.admin, cycle=cycle)
    target = walk.active_targets()[0]
    inspection.record_talk(
        actor=walk.decider, target=target, interviewee_name="王老师", held_on=TODAY(),
        interviewer="校长", summary="认为其责任心强，组织协调能力突出",
    )  # fmt: skip
    target_url = reverse("selection:inspection_target", args=[cycle.pk, target.pk])
    as_user(client, users[Role.DECISION])
    assert "组织协调能力突出" in page(client, target_url)
    # The personnel office sees that a talk was held, not what was said.
    as_user(client, users[Role.PERSONNEL])
    text = page(client, target_url)
    assert "组织协调能力突出" not in text and "1 次" in text
    as_user(client, users[Role.DISTRICT])
    text = page(client, target_url)
    assert "组织协调能力突出" not in text
    opinions_text = page(client, reverse("selection:opinions", args=[cycle.pk]))
    assert "征求意见的内容仅本校人事室和校务会、支委会成员可见" in opinions_text
    recommendation_text = page(client, reverse("selection:recommendation", args=[cycle.pk]))
    assert "未列入的" not in recommendation_text


def test_objections_are_the_schools_own(client, users, walk):
    walk.to_notice(start=TODAY())
    target = InspectionTarget.objects.active().filter(cycle=walk.cycle).first()
    objection = register_objection(
        actor=walk.admin, cycle=walk.cycle, target=target, signed=False, received_on=TODAY(),
        content="匿名反映",
    )  # fmt: skip
    url = reverse("selection:objection", args=[walk.cycle.pk, objection.pk])
    as_user(client, users[Role.DISTRICT])
    assert client.get(url).status_code == 403
    assert "匿名反映" not in page(client, reverse("selection:notice", args=[walk.cycle.pk]))
    assert Objection.objects.count() == 1


def test_every_staff_role_finds_the_notices_from_the_home_page(client, users):
    """The 公示 and 考察预告 are for all staff: each school role's home page links to them,
    the district and the system administrator's do not (they have no school's notices)."""
    notices = reverse("selection:notices")
    for role in (Role.PERSONNEL, Role.DECISION, Role.MENTOR, Role.STAFF):
        body = page(as_user(client, users[role]), reverse("home"))
        assert f'href="{notices}"' in body, role
    for role in (Role.DISTRICT, Role.SYSADMIN):
        body = page(as_user(client, users[role]), reverse("home"))
        assert f'href="{notices}"' not in body, role


def _labels_without_a_field(html: str) -> list[str]:
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    return [f for f in re.findall(r'<label\b[^>]*\bfor="([^"]*)"', html) if f not in ids]


def test_every_label_names_a_field_and_radio_groups_are_fieldsets(client, users, walk):
    """A label points at its field (none at a box that is not there, none with an empty
    ``for``); a group of radio buttons is a fieldset named by its legend, with the one
    required mark on the legend rather than on every choice."""
    personnel = as_user(client, users[Role.PERSONNEL])
    html = page(personnel, reverse("selection:create"))
    assert _labels_without_a_field(html) == []
    group = html.split('<fieldset class="field choices required-group"')[1].split("</fieldset>")[0]
    assert "<legend>参加民主推荐人员</legend>" in group and group.count('type="radio"') == 3
    walk.to_opinions()
    cycle = walk.cycle
    html = page(personnel, reverse("selection:opinions", args=[cycle.pk]))
    assert _labels_without_a_field(html) == []
    assert html.count('<fieldset class="field choices required-group"') == 2
    assert "<legend>征求对象</legend>" in html and "<legend>意见</legend>" in html
    walk.consult(walk.staff[:5])  # five of the nine eligible: four rows without a box
    workflow.start_target_selection(actor=walk.admin, cycle=cycle)
    decision = as_user(client, users[Role.DECISION])
    html = page(decision, reverse("selection:targets", args=[cycle.pk]))
    assert html.count('type="checkbox" name="list_') == 10  # five on each of the two lists
    assert _labels_without_a_field(html) == []


def test_words_that_mean_two_things_in_english_say_which(client, users, walk):
    """截止日期 is a stage's deadline here, not the end of a date range ("To date"); 提示 a
    notice's warnings, not an eligibility flag ("Flagged"); 选拔周期 one cycle where a
    field or a record names it, the plural only for the list."""
    with translation.override("en"):
        assert str(StageRecord._meta.get_field("deadline").verbose_name) != "To date"
        assert str(forms.PlanForm.base_fields["deadline"].label) != "To date"
        assert str(PublicNotice._meta.get_field("warnings").verbose_name) != "Flagged"
        assert str(TargetSelection._meta.get_field("warnings").verbose_name) != "Flagged"
        assert str(Cycle._meta.verbose_name) != "Selection cycles"
        assert str(InspectionTarget._meta.get_field("cycle").verbose_name) != "Selection cycles"
        assert str(Cycle._meta.verbose_name_plural) == "Selection cycles"
    personnel = as_user(client, users[Role.PERSONNEL])
    personnel.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # The page activates English in this thread; the override puts Chinese back after.
    with translation.override(settings.LANGUAGE_CODE):
        text = page(personnel, reverse("selection:preparation", args=[walk.cycle.pk]))
    assert '<html lang="en">' in text and "<dt>To date</dt>" not in text
