from django.conf import settings
from django.urls import reverse


def test_chinese_by_default_even_for_an_english_browser(client, db):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    assert "登录" in response.content.decode()


def test_english_once_chosen(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    response = client.get(reverse("accounts:login"))
    assert response["Content-Language"] == "en"
    assert "Log in" in response.content.decode()


def test_unknown_language_cookie_falls_back_to_chinese(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert client.get(reverse("accounts:login"))["Content-Language"] == "zh-hans"
