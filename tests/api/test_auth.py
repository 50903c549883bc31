import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from houbei.accounts.models import ApiToken, Role
from houbei.accounts.services import revoke_api_token
from houbei.api.auth import LAST_USED_RESOLUTION, user_for_token

SCHOOLS = "/api/schools"


def test_anonymous_call_is_401_with_chinese_detail_and_bearer_challenge(api):
    response = api(None).get(SCHOOLS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert "API令牌" in body["detail"]
    assert body["errors"] == {}


@pytest.mark.parametrize(
    "header", ["Bearer hb_not-a-real-token", "Bearer abc", "Basic Zm9vOmJhcg=="]
)
def test_unknown_or_malformed_token_is_401(client, users, header):
    response = client.get(SCHOOLS, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


def test_valid_token_authenticates_as_its_user(api):
    response = api(Role.PERSONNEL).get(SCHOOLS)
    assert response.status_code == 200
    assert [s["code"] for s in response.json()] == ["shiba"]


def test_revoked_token_is_refused(api, tokens, users):
    token = ApiToken.objects.get(digest=ApiToken.digest_of(tokens[Role.PERSONNEL]))
    revoke_api_token(actor=users[Role.PERSONNEL], token=token)
    assert api(Role.PERSONNEL).get(SCHOOLS).status_code == 401


def test_token_of_a_deactivated_user_is_refused(api, users):
    user = users[Role.PERSONNEL]
    user.is_active = False
    user.save()
    assert api(Role.PERSONNEL).get(SCHOOLS).status_code == 401


def test_last_used_is_written_at_most_once_a_minute(users, tokens):
    raw = tokens[Role.DECISION]
    token = ApiToken.objects.get(digest=ApiToken.digest_of(raw))
    assert token.last_used_at is None
    first = timezone.now()
    assert user_for_token(raw, now=first) == users[Role.DECISION]
    token.refresh_from_db()
    assert token.last_used_at == first

    user_for_token(raw, now=first + LAST_USED_RESOLUTION - dt.timedelta(seconds=1))
    token.refresh_from_db()
    assert token.last_used_at == first

    later = first + LAST_USED_RESOLUTION
    user_for_token(raw, now=later)
    token.refresh_from_db()
    assert token.last_used_at == later


def test_token_lookup_costs_one_query_within_the_minute(users, tokens, django_assert_num_queries):
    raw = tokens[Role.DECISION]
    now = timezone.now()
    user_for_token(raw, now=now)
    with django_assert_num_queries(1):
        user = user_for_token(raw, now=now + dt.timedelta(seconds=5))
    assert user.school.code == "shiba"  # the school came with the token's query


def test_session_login_may_read_the_api(client, users):
    client.force_login(users[Role.DECISION])
    assert client.get(SCHOOLS).status_code == 200


def test_session_write_without_csrf_token_is_refused(users):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(users[Role.PERSONNEL])
    response = browser.post(
        "/api/people",
        {"staff_number": "C1", "name": "跨站", "gender": "F"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_session_write_with_csrf_token_from_the_docs_page_is_accepted(users):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(users[Role.PERSONNEL])
    docs = browser.get(reverse("api:openapi-view"))
    token = docs.content.decode().split('data-csrf-token="')[1].split('"')[0]
    response = browser.post(
        "/api/people",
        {"staff_number": "C2", "name": "同源", "gender": "F"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 201, response.content


def test_bearer_token_write_needs_no_csrf_token(tokens):
    integration = Client(enforce_csrf_checks=True)
    response = integration.post(
        "/api/people",
        {"staff_number": "C3", "name": "对接", "gender": "M"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {tokens[Role.PERSONNEL]}",
    )
    assert response.status_code == 201


def test_anonymous_write_is_401_not_a_csrf_refusal():
    response = Client(enforce_csrf_checks=True).post(
        "/api/people", {"name": "x"}, content_type="application/json"
    )
    assert response.status_code == 401


def test_role_without_the_capability_gets_403_in_chinese(api):
    response = api(Role.STAFF).get("/api/people")
    assert response.status_code == 403
    assert response.json()["detail"] == "您没有权限执行此操作。"
