import datetime as dt

import pytest
from django.contrib.auth.password_validation import validate_password
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from houbei.accounts.models import Role, User
from houbei.accounts.services import (
    create_user,
    generate_password,
    reset_password,
    scope_of,
    unlock_user,
    update_user,
)
from houbei.audit.models import AuditEntry
from houbei.core.errors import Conflict, DomainError, ValidationFailed
from houbei.organisation.models import School

from ..conftest import PASSWORD
from ..factories import make_person

USERS = reverse("accounts:users")


@pytest.fixture
def admin_client(client, users):
    client.force_login(users[Role.SYSADMIN])
    return client


def _shown_password(response) -> str:
    return (
        response.content.decode()
        .split('id="shown-password"')[0]
        .rsplit('value="', 1)[1]
        .split('"')[0]
    )


# --- Pure rules ---------------------------------------------------------------------------


def test_generated_passwords_pass_every_validator_and_differ():
    passwords = {generate_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in list(passwords)[:5]:
        validate_password(password)


def test_scope_of_keeps_what_the_role_uses(school, district):
    assert scope_of(Role.STAFF, school, district) == (school, None, {})
    assert scope_of(Role.DISTRICT, school, district) == (None, district, {})
    assert scope_of(Role.SYSADMIN, school, district) == (None, None, {})


def test_scope_of_names_the_missing_school_or_district(db):
    assert scope_of(Role.MENTOR, None, None)[2] == {"school": ["角色“带教人员”须指定所属学校。"]}
    assert scope_of(Role.DISTRICT, None, None)[2] == {"district": ["角色“区教育局”须指定所属区。"]}


def test_scope_of_refuses_a_deactivated_school_unless_the_user_is_already_there(school):
    School.objects.filter(pk=school.pk).update(is_active=False)
    school.refresh_from_db()
    assert "已停用" in scope_of(Role.STAFF, school, None)[2]["school"][0]
    assert scope_of(Role.STAFF, school, None, current_school_id=school.pk)[2] == {}


# --- List ---------------------------------------------------------------------------------


def test_user_list_shows_role_school_and_lock_state(admin_client, users):
    locked = users[Role.STAFF]
    locked.locked_until = timezone.now() + dt.timedelta(minutes=10)
    locked.save()
    users[Role.MENTOR].is_active = False
    users[Role.MENTOR].save()
    html = admin_client.get(USERS).content.decode()
    assert "市八初级中学" in html and "示范区" in html
    assert "锁定至" in html and "已停用" in html
    assert reverse("accounts:user_unlock", args=[locked.pk]) in html


def test_user_list_filters_by_role_and_name(admin_client, users):
    html = admin_client.get(USERS, {"role": Role.DISTRICT}).content.decode()
    assert users[Role.DISTRICT].username in html
    assert users[Role.STAFF].username not in html
    html = admin_client.get(USERS, {"q": "personnel"}).content.decode()
    assert users[Role.PERSONNEL].username in html and users[Role.DECISION].username not in html


def test_user_list_query_count_does_not_grow_with_users(
    admin_client, school, django_assert_num_queries
):
    admin_client.get(USERS)
    # session, admin, count, page of users with school, district; the school filter's choices
    with django_assert_num_queries(5):
        admin_client.get(USERS)
    for n in range(10):
        User.objects.create(username=f"extra{n}", role=Role.STAFF, school=school)
    with django_assert_num_queries(5):
        admin_client.get(USERS)


# --- Create -------------------------------------------------------------------------------


def test_created_user_can_log_in_with_the_password_shown_once(admin_client, users, school):
    response = admin_client.post(
        reverse("accounts:user_create"),
        {
            "username": "luyilei",
            "display_name": "卢懿蕾",
            "role": Role.STAFF,
            "school": school.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    password = _shown_password(response)
    user = User.objects.get(username="luyilei")
    assert (user.role, user.school, user.district, user.display_name) == (
        Role.STAFF,
        school,
        None,
        "卢懿蕾",
    )
    assert Client().login(username="luyilei", password=password)
    entry = AuditEntry.objects.get(action="accounts.user.created")
    assert entry.actor == users[Role.SYSADMIN] and entry.school == school
    assert entry.new["role"] == "staff" and password not in str(entry.new)


def test_create_form_says_which_field_a_role_needs(admin_client, district):
    response = admin_client.post(
        reverse("accounts:user_create"),
        {"username": "nobody", "role": Role.PERSONNEL, "is_active": "on"},
    )
    assert "角色“人事干部”须指定所属学校。" in response.content.decode()
    response = admin_client.post(
        reverse("accounts:user_create"),
        {"username": "nobody", "role": Role.DISTRICT, "is_active": "on"},
    )
    assert "角色“区教育局”须指定所属区。" in response.content.decode()
    assert not User.objects.filter(username="nobody").exists()


def test_create_refuses_a_taken_username_whatever_its_case(users, school):
    with pytest.raises(ValidationFailed) as error:
        create_user(
            actor=users[Role.SYSADMIN],
            username=users[Role.STAFF].username.upper(),
            display_name="",
            role=Role.STAFF,
            school=school,
        )
    assert "已被使用" in error.value.errors["username"][0]


def test_deactivated_school_is_not_offered_for_new_users(admin_client, school, other_school):
    School.objects.filter(pk=other_school.pk).update(is_active=False)
    html = admin_client.get(reverse("accounts:user_create")).content.decode()
    assert f'value="{school.pk}"' in html
    assert f'value="{other_school.pk}"' not in html


# --- Edit ---------------------------------------------------------------------------------


def test_editing_a_user_records_only_what_changed(admin_client, users, school, other_school):
    subject = users[Role.STAFF]
    response = admin_client.post(
        reverse("accounts:user_edit", args=[subject.pk]),
        {
            "display_name": "余立群",
            "role": Role.MENTOR,
            "school": other_school.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    subject.refresh_from_db()
    assert (subject.role, subject.school, subject.display_name) == (
        Role.MENTOR,
        other_school,
        "余立群",
    )
    entry = AuditEntry.objects.get(action="accounts.user.updated")
    assert entry.old == {
        "display_name": "教职工",
        "role": "staff",
        "school": school.pk,
    }
    assert entry.new == {"display_name": "余立群", "role": "mentor", "school": other_school.pk}


def test_saving_without_changes_writes_no_audit_entry(users):
    subject = users[Role.DECISION]
    update_user(
        actor=users[Role.SYSADMIN],
        user=subject,
        display_name=subject.display_name,
        role=subject.role,
        school=subject.school,
        district=None,
        is_active=True,
    )
    assert not AuditEntry.objects.filter(action="accounts.user.updated").exists()


def test_changing_a_role_to_district_drops_the_school(users, district):
    subject = update_user(
        actor=users[Role.SYSADMIN],
        user=users[Role.DECISION],
        display_name="区里",
        role=Role.DISTRICT,
        school=users[Role.DECISION].school,
        district=district,
        is_active=True,
    )
    assert (subject.school, subject.district) == (None, district)


def test_administrator_cannot_lock_themselves_out(admin_client, users):
    admin = users[Role.SYSADMIN]
    response = admin_client.post(
        reverse("accounts:user_edit", args=[admin.pk]),
        {"display_name": "管理员", "role": Role.STAFF},
    )
    html = response.content.decode()
    assert "不能停用自己的账号。" in html and "不能更改自己的角色。" in html
    admin.refresh_from_db()
    assert admin.is_active and admin.role == Role.SYSADMIN


def test_deactivated_user_is_logged_out_at_the_next_request(users):
    subject = users[Role.PERSONNEL]
    browser = Client()
    browser.force_login(subject)
    assert browser.get(reverse("home")).status_code == 200
    update_user(
        actor=users[Role.SYSADMIN],
        user=subject,
        display_name="",
        role=subject.role,
        school=subject.school,
        district=None,
        is_active=False,
    )
    assert browser.get(reverse("home")).status_code == 302


# --- Password reset and unlock ------------------------------------------------------------


def test_reset_password_shows_a_new_one_ends_the_old_and_lifts_a_lock(admin_client, users):
    subject = users[Role.STAFF]
    subject.locked_until = timezone.now() + dt.timedelta(minutes=10)
    subject.save()
    confirm = admin_client.get(reverse("accounts:user_reset_password", args=[subject.pk]))
    assert "只显示一次" in confirm.content.decode()
    response = admin_client.post(reverse("accounts:user_reset_password", args=[subject.pk]))
    assert response["Cache-Control"] == "no-store"
    password = _shown_password(response)
    subject.refresh_from_db()
    assert not subject.is_locked()
    assert subject.check_password(password) and not subject.check_password(PASSWORD)
    entry = AuditEntry.objects.get(action="accounts.user.password_reset")
    assert entry.target_id == str(subject.pk) and entry.new == {"unlocked": True}
    assert password not in str(entry.new)


def test_administrator_resets_their_own_password_the_usual_way(users):
    with pytest.raises(DomainError):
        reset_password(actor=users[Role.SYSADMIN], user=users[Role.SYSADMIN])


def test_unlock_lifts_the_lock_and_is_audited(admin_client, users):
    subject = users[Role.STAFF]
    until = timezone.now() + dt.timedelta(minutes=10)
    subject.locked_until, subject.failed_logins = until, 3
    subject.save()
    response = admin_client.post(reverse("accounts:user_unlock", args=[subject.pk]), follow=True)
    assert "已解锁" in response.content.decode()
    subject.refresh_from_db()
    assert (subject.locked_until, subject.failed_logins) == (None, 0)
    entry = AuditEntry.objects.get(action="accounts.user.unlocked")
    assert entry.new == {"locked_until": None}
    assert entry.old["locked_until"] is not None


def test_unlocking_an_account_that_is_not_locked_is_refused(admin_client, users):
    with pytest.raises(Conflict):
        unlock_user(actor=users[Role.SYSADMIN], user=users[Role.STAFF])
    response = admin_client.post(
        reverse("accounts:user_unlock", args=[users[Role.STAFF].pk]), follow=True
    )
    assert "当前未被锁定" in response.content.decode()
    assert not AuditEntry.objects.filter(action="accounts.user.unlocked").exists()


def test_user_list_names_the_staff_file_an_account_is_linked_to(admin_client, users, school):
    make_person(school, name="浦吉丽", staff_number="S042", user=users[Role.STAFF])
    html = admin_client.get(USERS).content.decode()
    row = html.split(users[Role.STAFF].username)[1].split("</tr>")[0]
    assert "浦吉丽" in row and "S042" in row
    assert "未关联" in html.split(users[Role.MENTOR].username)[1].split("</tr>")[0]
