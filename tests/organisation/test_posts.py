"""Posts: the services (with their audit entries and checks) and the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from houbei.accounts.models import Role
from houbei.audit.models import AuditEntry
from houbei.core.errors import DomainError, ValidationFailed
from houbei.organisation import services
from houbei.organisation.models import LadderLevel, Post, level_below
from houbei.organisation.services import PostSpec

from ..factories import add_history, make_person

pytestmark = pytest.mark.django_db


def spec(**fields) -> PostSpec:
    base = {
        "name": "信息中心",
        "category": "office",
        "ladder_level": LadderLevel.OFFICE,
        "allowed_lengths": ["term"],
        "capacity_per_term": 1,
    }
    return PostSpec(**(base | fields))


def last_entry(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).order_by("-seq").first()


# --- Seeding and the ladder -----------------------------------------------------------------


def test_new_school_gets_the_plans_ten_posts_on_four_levels(school):
    posts = Post.objects.for_school(school)
    assert posts.count() == 10
    by_level = {
        level: set(posts.on_level(level).values_list("name", flat=True)) for level in LadderLevel
    }
    assert by_level[LadderLevel.CLASS] == {"班主任"}
    assert by_level[LadderLevel.TEAM] == {"年级组长", "教研组长"}
    assert by_level[LadderLevel.OFFICE] == {
        "教导处",
        "教务处",
        "德育处",
        "总务处",
        "人事室",
        "工会",
    }
    assert by_level[LadderLevel.SCHOOL] == {"（副）校级"}
    assert all(p.allowed_lengths == ["term", "year"] for p in posts)


def test_seeding_twice_adds_nothing_and_no_audit_entry(school):
    before = AuditEntry.objects.count()
    assert services.seed_plan_posts(actor=None, school=school) == []
    assert AuditEntry.objects.count() == before


def test_level_below_steps_down_the_ladder():
    assert level_below(LadderLevel.SCHOOL) == LadderLevel.OFFICE
    assert level_below(LadderLevel.TEAM) == LadderLevel.CLASS
    assert level_below(LadderLevel.CLASS) is None


# --- Services -------------------------------------------------------------------------------


def test_create_post_records_its_facts(school, users):
    mentor = make_person(school, name="王老师")
    post = services.create_post(
        actor=users[Role.PERSONNEL], school=school, spec=spec(default_mentor_ids=[mentor.pk])
    )
    assert post.school == school and post.code.startswith("post-")
    assert list(post.default_mentors.all()) == [mentor]
    entry = last_entry("organisation.post.created")
    assert entry.target_id == str(post.pk) and entry.school_id == school.pk
    assert entry.actor == users[Role.PERSONNEL]
    assert entry.new["name"] == "信息中心"
    assert entry.new["default_mentors"] == [f"王老师（{mentor.staff_number}）"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": "班主任"}, "name", "本校已有名为“班主任”的岗位"),
        ({"name": "  "}, "name", "请填写岗位名称"),
        ({"code": "class-teacher"}, "code", "本校已有代码为“class-teacher”的岗位"),
        ({"code": "信息"}, "code", "代码只能由小写英文字母"),
        ({"allowed_lengths": []}, "allowed_lengths", "至少选择一种允许时长"),
        ({"allowed_lengths": ["term", "week"]}, "allowed_lengths", "允许时长只能是"),
        ({"capacity_per_term": -1}, "capacity_per_term", "每学期容量应为0到999"),
        ({"ladder_level": 9}, "ladder_level", "请选择有效的层级"),
        ({"category": "x"}, "category", "请选择有效的岗位类别"),
    ],
)
def test_create_post_refuses_invalid_input_by_field(school, users, fields, field, message):
    before = Post.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        services.create_post(actor=users[Role.PERSONNEL], school=school, spec=spec(**fields))
    assert any(message in str(m) for m in refused.value.errors[field])
    assert Post.objects.count() == before
    assert not AuditEntry.objects.filter(action="organisation.post.created").exists()


def test_capacity_zero_is_allowed(school, users):
    post = services.create_post(
        actor=users[Role.PERSONNEL], school=school, spec=spec(capacity_per_term=0)
    )
    assert post.capacity_per_term == 0


def test_same_name_is_fine_in_another_school(school, other_school, users):
    post = services.create_post(actor=None, school=other_school, spec=spec(name="信息中心"))
    services.create_post(actor=users[Role.PERSONNEL], school=school, spec=spec(name="信息中心"))
    assert post.school == other_school


def test_mentor_from_another_school_is_refused(school, other_school, users):
    foreign = make_person(other_school)
    with pytest.raises(ValidationFailed) as refused:
        services.create_post(
            actor=users[Role.PERSONNEL], school=school, spec=spec(default_mentor_ids=[foreign.pk])
        )
    assert "不属于本校" in refused.value.errors["default_mentors"][0]


def test_archived_person_cannot_newly_become_a_mentor_but_may_stay(school, users):
    from django.utils import timezone

    kept = make_person(school, name="老带教")
    post = services.create_post(actor=None, school=school, spec=spec(default_mentor_ids=[kept.pk]))
    kept.archived_at = timezone.now()
    kept.save()
    left = make_person(school, name="已离校", archived_at=timezone.now())
    services.update_post(
        actor=users[Role.PERSONNEL], post=post, spec=spec(default_mentor_ids=[kept.pk])
    )
    with pytest.raises(ValidationFailed) as refused:
        services.update_post(
            actor=users[Role.PERSONNEL], post=post, spec=spec(default_mentor_ids=[kept.pk, left.pk])
        )
    assert "已离校的档案已归档" in refused.value.errors["default_mentors"][0]


def test_update_post_audits_only_the_changed_fields(school, users):
    post = Post.objects.get(school=school, code="grade-leader")
    services.update_post(
        actor=users[Role.PERSONNEL],
        post=post,
        spec=spec(
            name="年级组长",
            code="grade-leader",
            category="team",
            ladder_level=LadderLevel.TEAM,
            allowed_lengths=["year"],
            capacity_per_term=3,
            sort_order=post.sort_order,
        ),
    )
    post.refresh_from_db()
    assert post.allowed_lengths == ["year"] and post.capacity_per_term == 3
    entry = last_entry("organisation.post.updated")
    assert entry.old == {"allowed_lengths": ["term", "year"], "capacity_per_term": 2}
    assert entry.new == {"allowed_lengths": ["year"], "capacity_per_term": 3}


def test_post_spec_of_a_post_round_trips_and_changes_one_field(school, users):
    import dataclasses

    mentor = make_person(school)
    post = Post.objects.get(school=school, code="moral-office")
    post.default_mentors.set([mentor])
    services.update_post(
        actor=users[Role.PERSONNEL],
        post=post,
        spec=dataclasses.replace(PostSpec.of(post), capacity_per_term=2),
    )
    post.refresh_from_db()
    assert post.capacity_per_term == 2 and list(post.default_mentors.all()) == [mentor]
    assert last_entry("organisation.post.updated").new == {"capacity_per_term": 2}


def test_update_without_changes_writes_no_audit_entry(school, users):
    post = services.create_post(actor=None, school=school, spec=spec())
    services.update_post(actor=users[Role.PERSONNEL], post=post, spec=spec(code=post.code))
    assert not AuditEntry.objects.filter(action="organisation.post.updated").exists()


def test_archive_post_keeps_its_history_and_is_audited(school, users):
    person = make_person(school)
    history = add_history(person, "trade-union", dt.date(2018, 9, 1), dt.date(2020, 8, 31))
    post = history.post
    services.archive_post(actor=users[Role.PERSONNEL], post=post, reason="并入党政办")
    post.refresh_from_db()
    assert post.is_archived and post.archive_reason == "并入党政办"
    assert post.history.get() == history
    assert Post.objects.for_school(school).active().filter(pk=post.pk).count() == 0
    entry = last_entry("organisation.post.archived")
    assert entry.reason == "并入党政办" and entry.target_id == str(post.pk)


def test_archive_needs_a_reason_and_cannot_be_repeated(school, users):
    post = Post.objects.get(school=school, code="trade-union")
    with pytest.raises(ValidationFailed):
        services.archive_post(actor=users[Role.PERSONNEL], post=post, reason=" ")
    services.archive_post(actor=users[Role.PERSONNEL], post=post, reason="调整")
    with pytest.raises(DomainError, match="已经归档"):
        services.archive_post(actor=users[Role.PERSONNEL], post=post, reason="再次")
    assert AuditEntry.objects.filter(action="organisation.post.archived").count() == 1


def test_restore_post_puts_it_back_and_is_audited(school, users):
    post = Post.objects.get(school=school, code="trade-union")
    services.archive_post(actor=users[Role.PERSONNEL], post=post, reason="调整")
    services.restore_post(actor=users[Role.PERSONNEL], post=post, reason="恢复设置")
    post.refresh_from_db()
    assert not post.is_archived and post.archive_reason == ""
    entry = last_entry("organisation.post.restored")
    assert entry.old["archive_reason"] == "调整" and entry.reason == "恢复设置"
    with pytest.raises(DomainError, match="未归档"):
        services.restore_post(actor=users[Role.PERSONNEL], post=post)


def test_archived_name_cannot_be_reused_and_says_so(school, users):
    post = Post.objects.get(school=school, code="trade-union")
    services.archive_post(actor=users[Role.PERSONNEL], post=post, reason="调整")
    with pytest.raises(ValidationFailed) as refused:
        services.create_post(actor=users[Role.PERSONNEL], school=school, spec=spec(name="工会"))
    assert "已归档，可恢复使用" in refused.value.errors["name"][0]


# --- Pages ----------------------------------------------------------------------------------


def test_posts_page_shows_ladder_and_posts_in_constant_queries(
    client, school, users, django_assert_num_queries
):
    client.force_login(users[Role.STAFF])
    url = reverse("organisation:posts")
    with django_assert_num_queries(5):
        small = client.get(url)
    assert small.status_code == 200
    text = small.content.decode()
    assert "岗位层级" in text and "（副）校级" in text
    assert "新增岗位" not in text  # staff read only
    for n in range(5):
        post = services.create_post(actor=None, school=school, spec=spec(name=f"岗位{n}"))
        post.default_mentors.set([make_person(school), make_person(school)])
        add_history(make_person(school), "class-teacher", dt.date(2020, 9, 1))
    services.archive_post(actor=None, post=post, reason="测试")
    with django_assert_num_queries(5):
        large = client.get(url)
    assert "已归档岗位" in large.content.decode()


def test_posts_page_lists_only_own_school(client, school, other_school, users):
    services.create_post(actor=None, school=other_school, spec=spec(name="外校专有岗位"))
    client.force_login(users[Role.PERSONNEL])
    text = client.get(reverse("organisation:posts")).content.decode()
    assert "外校专有岗位" not in text and "新增岗位" in text


def test_create_post_through_the_form(client, school, users):
    mentor = make_person(school, name="带教甲")
    client.force_login(users[Role.PERSONNEL])
    response = client.post(
        reverse("organisation:post_create"),
        {
            "name": "信息中心",
            "code": "info-centre",
            "category": "office",
            "ladder_level": "3",
            "allowed_lengths": ["term", "year"],
            "capacity_per_term": "2",
            "is_rotation_post": "on",
            "default_mentors": [str(mentor.pk)],
            "sort_order": "11",
            "note": "",
        },
    )
    assert response.status_code == 302
    post = Post.objects.get(school=school, code="info-centre")
    assert post.counts_as_head is False  # unticked box
    assert list(post.default_mentors.all()) == [mentor]
    assert last_entry("organisation.post.created").actor == users[Role.PERSONNEL]


def test_form_shows_service_errors_on_their_fields(client, school, users):
    client.force_login(users[Role.PERSONNEL])
    response = client.post(
        reverse("organisation:post_create"),
        {
            "name": "班主任",
            "category": "office",
            "ladder_level": "3",
            "capacity_per_term": "1",
            "sort_order": "0",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "本校已有名为“班主任”的岗位" in errors["name"][0]
    assert "至少选择一种允许时长" in errors["allowed_lengths"][0]


def test_mentor_search_without_script_keeps_input_and_filters(client, school, users):
    chosen = make_person(school, name="张已选", subject="数学")
    make_person(school, name="李语文", subject="语文")
    make_person(school, name="王英语", subject="英语")
    client.force_login(users[Role.PERSONNEL])
    response = client.post(
        reverse("organisation:post_create"),
        {
            "name": "未保存的名称",
            "category": "office",
            "ladder_level": "3",
            "capacity_per_term": "1",
            "sort_order": "0",
            "default_mentors": [str(chosen.pk)],
            "mentor_q": "语文",
            "_filter": "1",
        },
    )
    assert response.status_code == 200
    names = [o.person.name for o in response.context["mentor_options"]]
    assert names == ["张已选", "李语文"]  # the chosen one stays, first
    assert response.context["mentor_options"][0].checked
    text = response.content.decode()
    assert 'value="未保存的名称"' in text
    assert not Post.objects.filter(name="未保存的名称").exists()


def test_mentor_options_mark_incumbents(client, school, users):
    holder = make_person(school, name="现任组长")
    add_history(holder, "grade-leader", dt.date(2022, 9, 1))
    make_person(school, name="其他人")
    post = Post.objects.get(school=school, code="grade-leader")
    client.force_login(users[Role.PERSONNEL])
    response = client.get(reverse("organisation:post_edit", args=[post.pk]))
    first = response.context["mentor_options"][0]
    assert first.person == holder and first.incumbent and first.current_posts == ["年级组长"]


def test_edit_page_of_another_schools_post_is_404(client, other_school, users):
    foreign = Post.objects.filter(school=other_school).first()
    client.force_login(users[Role.PERSONNEL])
    assert client.get(reverse("organisation:post_edit", args=[foreign.pk])).status_code == 404
    response = client.post(reverse("organisation:post_archive", args=[foreign.pk]), {"reason": "x"})
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert not foreign.is_archived


def test_archive_and_restore_through_the_pages(client, school, users):
    post = Post.objects.get(school=school, code="trade-union")
    client.force_login(users[Role.PERSONNEL])
    page = client.get(reverse("organisation:post_archive", args=[post.pk]))
    assert "不会被删除" in page.content.decode()
    missing = client.post(reverse("organisation:post_archive", args=[post.pk]), {"reason": ""})
    assert missing.status_code == 200 and missing.context["form"].errors["reason"]
    done = client.post(reverse("organisation:post_archive", args=[post.pk]), {"reason": "合并"})
    assert done.status_code == 302
    post.refresh_from_db()
    assert post.is_archived
    client.post(reverse("organisation:post_restore", args=[post.pk]), {"reason": ""})
    post.refresh_from_db()
    assert not post.is_archived


def test_decision_member_cannot_change_posts(client, school, users):
    post = Post.objects.get(school=school, code="trade-union")
    client.force_login(users[Role.DECISION])
    response = client.post(reverse("organisation:post_archive", args=[post.pk]), {"reason": "x"})
    assert response.status_code == 403
    post.refresh_from_db()
    assert not post.is_archived
