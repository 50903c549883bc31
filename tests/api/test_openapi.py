import json
import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import URLResolver, get_resolver, reverse

from houbei.accounts.models import Role

# Routes that ninja adds around the operations.
NOT_OPERATIONS = {"openapi-json", "openapi-view", "api-root"}


def _api_route_names() -> set[str]:
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace == "api":
            return {p.name for p in pattern.url_patterns} - NOT_OPERATIONS
    raise AssertionError("the api namespace is not installed")


def _document(client) -> dict:
    response = client.get(reverse("api:openapi-json"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def test_openapi_document_is_json_and_lists_every_endpoint(client, db):
    document = _document(client)
    assert document["openapi"].startswith("3.")
    assert (document["info"]["title"], document["info"]["version"]) == ("Houbei API", "1")
    operations = {
        op["operationId"]: (path, method)
        for path, methods in document["paths"].items()
        for method, op in methods.items()
    }
    assert set(operations) == _api_route_names()
    assert operations["person_update"] == ("/api/people/{person_id}", "patch")
    assert operations["person_create"] == ("/api/people", "post")


def test_every_operation_is_described_in_chinese_with_its_error_answers(client, db):
    chinese = re.compile(r"[\u4e00-\u9fff]")
    for path, methods in _document(client)["paths"].items():
        for method, op in methods.items():
            where = f"{method.upper()} {path}"
            assert chinese.search(op["summary"]), where
            assert chinese.search(op["description"]), where
            assert {"401", "403"} <= set(op["responses"]), where
            assert op["security"] == [{"TokenAuth": []}, {"SessionAuth": []}], where


def test_schemas_describe_their_fields_in_chinese(client, db):
    person = _document(client)["components"]["schemas"]["PersonDetailOut"]["properties"]
    assert person["joined_school_on"]["title"] == "入校时间"
    assert person["gender"]["description"] == "M=男，F=女"
    assert "遮蔽" in person["national_id_masked"]["title"]


def test_docs_page_loads_nothing_from_another_site(client, db):
    response = client.get(reverse("api:openapi-view"))
    assert response.status_code == 200
    html = response.content.decode()
    addresses = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle.js" in a for a in addresses)
    external = [a for a in addresses if re.match(r"^(?:[a-z]+:)?//", a)]
    assert external == []
    # Every script carries the page's CSP nonce; none is inline.
    scripts = re.findall(r"<script[^>]*>", html)
    nonce = re.search(r'nonce="([^"]+)"', scripts[0]).group(1)
    assert all(f'nonce="{nonce}"' in s and "src=" in s for s in scripts)
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]


def test_vendored_swagger_ui_is_served_from_our_static_files():
    bundle = finders.find("vendor/swagger-ui/swagger-ui-bundle.js")
    assert bundle and Path(bundle).stat().st_size > 500_000
    # The stylesheet names its source map; it is vendored too, so the manifest storage
    # (HOUBEI_MANIFEST_STATIC) can resolve it.
    assert finders.find("vendor/swagger-ui/swagger-ui.css.map")
    version = json.loads(Path(finders.find("vendor/swagger-ui/package.json")).read_text())
    assert version["name"] == "swagger-ui-dist"
    assert settings.STATIC_URL


def test_docs_page_shows_a_logged_in_user_how_to_get_a_token(client, users):
    client.force_login(users[Role.PERSONNEL])
    html = client.get(reverse("api:openapi-view")).content.decode()
    assert reverse("accounts:tokens") in html


def test_api_root_is_not_a_page(client, db):
    # ninja needs the named root to compute the API's prefix; the documentation is at docs.
    assert client.get(reverse("api:api-root")).status_code == 404


def test_unknown_object_is_404_in_chinese_json(api, db):
    response = api(Role.STAFF).get("/api/schools/999999")
    assert response.status_code == 404
    assert response.json()["detail"] == "未找到该对象，或您无权查看。"


def test_translate_names_the_field_by_its_chinese_title():
    from houbei.api.errors import translate

    labels = {"joined_school_on": "入校时间"}
    error = {"type": "date_parsing", "loc": ("body", "payload", "joined_school_on")}
    assert translate(error, labels) == ("joined_school_on", "入校时间应为日期，格式为 YYYY-MM-DD。")
    unknown = {"type": "something_new", "loc": ("query", "x")}
    assert translate(unknown, labels) == ("x", "x格式不正确。")
    extra = {"type": "extra_forbidden", "loc": ("body", "payload", "colour")}
    assert translate(extra, labels) == ("colour", "不认识的字段“colour”。")
