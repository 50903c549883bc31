"""The JSON API (django-ninja): one ``NinjaAPI`` with token and session authentication,
Chinese error answers and a docs page that works offline under the site's CSP."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase
from ninja.renderers import JSONRenderer

from . import eligibility, errors, people, posts, rotations, schools, selection
from .auth import SessionAuth, TokenAuth

DESCRIPTION = """后备（Houbei）的 JSON 接口，供区级系统等对接使用。

**认证**：在“API令牌”页面创建令牌，请求时加请求头 `Authorization: Bearer hb_…`。
已登录本站的用户也可在本页直接试用（使用登录会话）。

**权限**与网页相同：令牌拥有其账号的角色权限；本校用户只能访问本校数据，
区教育局和系统管理员可读取所辖各校的学校与岗位信息，但不能读取教职工个人档案。
无权限返回 403，其他学校的对象返回 404。

**错误**统一为 `{"detail": "说明", "errors": {"字段": ["说明"]}}`，说明为中文。"""


class ReadableJSON(JSONRenderer):
    """JSON with Chinese as characters, not ``\\uXXXX`` escapes (the body is UTF-8)."""

    json_dumps_params = {"ensure_ascii": False}


class LocalSwagger(DocsBase):
    """Swagger UI from our own static files (``static/vendor/swagger-ui``), with the
    page's CSP nonce on its scripts — ninja's default loads it from a CDN, which does not
    work offline and which the CSP would block anyway."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        return render(
            request,
            "api/docs.html",
            {"api": api, "openapi_url": self.get_openapi_url(api, kwargs)},
        )


api = NinjaAPI(
    title="Houbei API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    docs=LocalSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
    renderer=ReadableJSON(),
)
errors.install(api)
api.add_router("", schools.router)
api.add_router("", posts.router)
api.add_router("", people.router)
api.add_router("", eligibility.router)
api.add_router("", selection.router)
api.add_router("", rotations.router)
