import pytest
from django.urls import reverse

from houbei.accounts.models import Role, User
from houbei.audit.models import AuditEntry

from ..conftest import PASSWORD


@pytest.mark.django_db
def test_login_page_is_chinese_by_default(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_login_then_home(client, users):
    user = users[Role.PERSONNEL]
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_repeated_failures_lock_the_account(client, users, settings):
    user = users[Role.STAFF]
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": user.username, "password": "wrong"})
    user.refresh_from_db()
    assert user.is_locked()
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "锁定" in response.content.decode()
    assert AuditEntry.objects.filter(action="accounts.user.locked", target_id=str(user.pk)).exists()


def test_successful_login_resets_failure_count(client, users):
    user = users[Role.STAFF]
    client.post(reverse("accounts:login"), {"username": user.username, "password": "wrong"})
    client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert User.objects.get(pk=user.pk).failed_logins == 0


def test_password_change_is_audited(client, users):
    user = users[Role.STAFF]
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Another-pass-2027",
            "new_password2": "Another-pass-2027",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Another-pass-2027")
    assert AuditEntry.objects.filter(action="accounts.user.password_changed").count() == 1


def test_users_of_a_deactivated_school_are_refused(client, users, school):
    user = users[Role.PERSONNEL]
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200
    school.is_active = False
    school.save()
    assert client.get(reverse("home")).status_code == 403
