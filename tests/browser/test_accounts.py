import pytest

from houbei.accounts.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("role", list(Role))
def test_each_role_logs_in_and_sees_only_its_navigation(role, users, login, page, live_server):
    login(users[role])
    nav = page.locator("nav.mainnav")
    labels = nav.locator("a").all_inner_texts() if nav.count() else []
    assert "首页" in labels
    if role in {Role.STAFF, Role.MENTOR, Role.DISTRICT}:
        assert "审计记录" not in labels
        assert "教职工档案" not in labels
    if role == Role.PERSONNEL:
        assert "教职工档案" in labels
    assert users[role].get_role_display() in page.inner_text("header")


def test_wrong_password_shows_chinese_error(users, page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", users[Role.STAFF].username)
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    assert "用户名或密码不正确" in page.inner_text("main")


def test_switch_language_to_english_and_back(users, login, page, live_server):
    login(users[Role.PERSONNEL])
    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Home" in page.inner_text("nav.mainnav")
    page.click("button[name=language][value=zh-hans]")
    page.wait_for_load_state()
    assert "首页" in page.inner_text("nav.mainnav")


def test_phone_viewport_has_a_menu_button(users, login, page, live_server, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    login(users[Role.PERSONNEL])
    nav = page.locator("nav.mainnav")
    assert not nav.is_visible()
    page.click("label.navbutton")
    assert nav.is_visible()
    # Nothing overflows the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("phone-home-menu")
