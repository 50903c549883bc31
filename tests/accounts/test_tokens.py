import pytest
from django.urls import reverse

from houbei.accounts.models import ApiToken, Role
from houbei.accounts.services import issue_api_token, revoke_api_token
from houbei.audit.models import AuditEntry
from houbei.core.errors import Conflict, DomainError, ValidationFailed

TOKENS = reverse("accounts:tokens")


def test_tokens_page_lists_only_the_users_own_tokens(client, users):
    issue_api_token(actor=users[Role.PERSONNEL], name="区人事系统同步")
    issue_api_token(actor=users[Role.DECISION], name="别人的令牌")
    client.force_login(users[Role.PERSONNEL])
    html = client.get(TOKENS).content.decode()
    assert "区人事系统同步" in html
    assert "别人的令牌" not in html


def test_creating_a_token_shows_it_once_and_stores_only_its_digest(client, users):
    user = users[Role.DECISION]
    client.force_login(user)
    response = client.post(TOKENS, {"name": "统计报表"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=user)
    html = response.content.decode()
    raw = html.split('id="new-token"')[0].rsplit('value="', 1)[1].split('"')[0]
    assert raw.startswith("hb_" + token.prefix)
    assert token.digest == ApiToken.digest_of(raw)
    assert raw not in client.get(TOKENS).content.decode()
    # The new token works on the API straight away.
    api = client.get("/api/schools", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.status_code == 200


def test_issuing_a_token_is_audited_without_its_value(users):
    token, raw = issue_api_token(actor=users[Role.DISTRICT], name="区级对接")
    entry = AuditEntry.objects.get(action="accounts.api_token.issued")
    assert entry.actor == users[Role.DISTRICT]
    assert entry.target_id == str(token.pk)
    assert entry.new == {"name": "区级对接", "prefix": token.prefix}
    assert raw not in str(entry.new)


def test_token_needs_a_name(client, users):
    with pytest.raises(ValidationFailed) as error:
        issue_api_token(actor=users[Role.PERSONNEL], name="  ")
    assert error.value.errors == {"name": ["请填写令牌用途。"]}
    client.force_login(users[Role.PERSONNEL])
    response = client.post(TOKENS, {"name": ""})
    assert "这个字段是必填项" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_an_own_token_is_audited_and_shown(client, users):
    user = users[Role.PERSONNEL]
    token, _ = issue_api_token(actor=user, name="旧系统")
    client.force_login(user)
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]), follow=True)
    assert "已吊销" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    entry = AuditEntry.objects.get(action="accounts.api_token.revoked")
    assert (entry.actor, entry.target_id, entry.old) == (user, str(token.pk), {"revoked_at": None})


def test_someone_elses_token_cannot_be_revoked_through_the_page(client, users):
    token, _ = issue_api_token(actor=users[Role.PERSONNEL], name="人事")
    client.force_login(users[Role.DECISION])
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoke_service_refuses_a_stranger_and_a_second_revocation(users):
    token, _ = issue_api_token(actor=users[Role.PERSONNEL], name="人事")
    with pytest.raises(DomainError):
        revoke_api_token(actor=users[Role.DECISION], token=token)
    revoke_api_token(actor=users[Role.PERSONNEL], token=token)
    with pytest.raises(Conflict):
        revoke_api_token(actor=users[Role.PERSONNEL], token=token)
    assert AuditEntry.objects.filter(action="accounts.api_token.revoked").count() == 1


def test_a_user_administrator_may_revoke_anyones_token(users):
    token, _ = issue_api_token(actor=users[Role.PERSONNEL], name="人事")
    revoke_api_token(actor=users[Role.SYSADMIN], token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_tokens_page_query_count_is_fixed(client, users, django_assert_num_queries):
    user = users[Role.PERSONNEL]
    client.force_login(user)
    issue_api_token(actor=user, name="一")
    client.get(TOKENS)
    with django_assert_num_queries(4):  # session, user, tokens; navigation needs nothing
        client.get(TOKENS)
    for n in range(5):
        issue_api_token(actor=user, name=f"令牌{n}")
    with django_assert_num_queries(4):
        client.get(TOKENS)
