import pytest
from django.urls import reverse

from houbei.accounts.models import Role, User
from houbei.accounts.services import (
    add_school,
    create_district,
    set_school_active,
    update_school,
    update_user,
)
from houbei.audit.models import AuditEntry
from houbei.core.errors import Conflict, ValidationFailed
from houbei.organisation.models import District, Post, School

from ..factories import make_person

SCHOOLS = reverse("accounts:schools")


@pytest.fixture
def admin_client(client, users):
    client.force_login(users[Role.SYSADMIN])
    return client


def test_schools_page_lists_districts_with_their_schools_and_counts(
    admin_client, users, school, other_school
):
    make_person(school)
    make_person(school)
    District.objects.create(name="空白区", code="empty")
    html = admin_client.get(SCHOOLS).content.decode()
    assert "示范区" in html and "市八初级中学" in html and "第二中学" in html
    assert "空白区" in html and "本区还没有学校" in html
    row = html.split("市八初级中学")[1].split("</tr>")[0]
    # four school-role users and two current staff
    assert '<td data-label="用户" class="num">4</td>' in row
    assert '<td data-label="在册教职工" class="num">2</td>' in row


def test_schools_page_query_count_is_fixed(admin_client, school, django_assert_num_queries):
    admin_client.get(SCHOOLS)
    with django_assert_num_queries(4):  # session, admin, districts, schools with counts
        admin_client.get(SCHOOLS)
    far = District.objects.create(name="远郊区", code="far")
    for n in range(3):
        School.objects.create(district=far, name=f"远郊{n}中", code=f"far-{n}")
    with django_assert_num_queries(4):
        admin_client.get(SCHOOLS)


def test_creating_a_school_seeds_the_plans_posts_and_is_audited(admin_client, users, district):
    response = admin_client.post(
        reverse("accounts:school_create"),
        {"district": district.pk, "name": "实验中学", "short_name": "实验", "code": "shiyan"},
        follow=True,
    )
    assert "已创建学校“实验中学”" in response.content.decode()
    school = School.objects.get(code="shiyan")
    assert Post.objects.filter(school=school).count() == 10
    entry = AuditEntry.objects.get(action="organisation.school.created", target_id=str(school.pk))
    assert entry.actor == users[Role.SYSADMIN]


def test_school_create_form_names_a_taken_code_and_name(admin_client, school):
    response = admin_client.post(
        reverse("accounts:school_create"),
        {"district": school.district_id, "name": "市八初级中学", "code": "shiba"},
    )
    html = response.content.decode()
    assert "示范区已有学校“市八初级中学”。" in html
    assert "代码“shiba”已被使用。" in html
    assert School.objects.filter(code="shiba").count() == 1


def test_add_school_refuses_a_malformed_code(users, district):
    with pytest.raises(ValidationFailed) as error:
        add_school(actor=users[Role.SYSADMIN], district=district, name="新校", code="新 校")
    assert error.value.errors == {"code": ["代码只能包含字母、数字、连字符和下划线。"]}


def test_renaming_a_school_is_audited_with_old_and_new(admin_client, users, school):
    response = admin_client.post(
        reverse("accounts:school_edit", args=[school.pk]),
        {"name": "市第八初级中学", "short_name": "市八初中"},
    )
    assert response.status_code == 302
    school.refresh_from_db()
    assert school.name == "市第八初级中学"
    entry = AuditEntry.objects.get(action="organisation.school.updated")
    assert (entry.old, entry.new) == ({"name": "市八初级中学"}, {"name": "市第八初级中学"})


def test_renaming_to_another_schools_name_is_refused(users, school, other_school):
    with pytest.raises(ValidationFailed) as error:
        update_school(
            actor=users[Role.SYSADMIN], school=other_school, name="市八初级中学", short_name=""
        )
    assert "已有学校" in error.value.errors["name"][0]


def test_deactivating_needs_a_reason_and_keeps_everything(admin_client, users, school):
    person = make_person(school)
    url = reverse("accounts:school_status", args=[school.pk])
    refused = admin_client.post(url, {"reason": ""})
    assert "这个字段是必填项" in refused.content.decode()
    school.refresh_from_db()
    assert school.is_active

    admin_client.post(url, {"reason": "并入第二中学"})
    school.refresh_from_db()
    assert not school.is_active
    assert (
        School.objects.filter(pk=school.pk).exists()
        and person.__class__.objects.filter(pk=person.pk).exists()
    )
    entry = AuditEntry.objects.get(action="organisation.school.deactivated")
    assert (entry.reason, entry.new) == ("并入第二中学", {"is_active": False})


def test_a_deactivated_school_can_be_brought_back_once(users, school):
    admin = users[Role.SYSADMIN]
    set_school_active(actor=admin, school=school, active=False, reason="暂停")
    with pytest.raises(Conflict):
        set_school_active(actor=admin, school=school, active=False, reason="再停")
    set_school_active(actor=admin, school=school, active=True, reason="恢复办学")
    school.refresh_from_db()
    assert school.is_active
    assert AuditEntry.objects.filter(action="organisation.school.reactivated").count() == 1


def test_users_of_a_deactivated_school_stay_editable(users, school):
    admin = users[Role.SYSADMIN]
    set_school_active(actor=admin, school=school, active=False, reason="并校")
    subject = users[Role.STAFF]
    update_user(
        actor=admin,
        user=subject,
        display_name="改名",
        role=Role.STAFF,
        school=school,
        district=None,
        is_active=False,
    )
    assert User.objects.get(pk=subject.pk).is_active is False


def test_creating_a_district_is_audited_and_refuses_duplicates(admin_client, users, district):
    response = admin_client.post(
        reverse("accounts:district_create"), {"name": "新区", "code": "xinqu"}
    )
    assert response.status_code == 302
    assert AuditEntry.objects.get(action="organisation.district.created").new == {
        "name": "新区",
        "code": "xinqu",
    }
    with pytest.raises(ValidationFailed) as error:
        create_district(actor=users[Role.SYSADMIN], name="示范区", code="demo-district")
    assert set(error.value.errors) == {"name", "code"}
