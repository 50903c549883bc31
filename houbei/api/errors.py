"""Every error the API answers, as ``{"detail": "…", "errors": {field: [...]}}`` in Chinese.

Domain errors keep their status code (403, 409, 422 …); malformed input is 422 with a
message per field that names the field by its Chinese title; a missing or wrong token is
401, another school's object 404. Nothing a caller sends should produce a 500."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from houbei.core.errors import DomainError, NotAllowed, ValidationFailed

from .schemas import field_labels

MESSAGES_BY_STATUS = {
    400: "请求体不是有效的 JSON。",
    401: "未登录或API令牌无效：请在请求头中提供 Authorization: Bearer <令牌>。",
    403: str(NotAllowed.default_message),
    404: "未找到该对象，或您无权查看。",
    405: "不支持该请求方法。",
}

# Pydantic's error types → a Chinese sentence about the field called ``{label}``.
_TEMPLATES = {
    "missing": "请填写{label}。",
    "not_null": "{label}不能为空。",
    "string_type": "{label}应为文本。",
    "string_too_long": "{label}不能超过{max_length}个字符。",
    "string_too_short": "{label}至少需要{min_length}个字符。",
    "enum": "{label}的取值无效，应为：{expected}。",
    "literal_error": "{label}的取值无效，应为：{expected}。",
    "date_type": "{label}应为日期，格式为 YYYY-MM-DD。",
    "date_parsing": "{label}应为日期，格式为 YYYY-MM-DD。",
    "date_from_datetime_parsing": "{label}应为日期，格式为 YYYY-MM-DD。",
    "date_from_datetime_inexact": "{label}应为日期，不含时间。",
    "int_type": "{label}应为整数。",
    "int_parsing": "{label}应为整数。",
    "int_from_float": "{label}应为整数。",
    "bool_type": "{label}应为 true 或 false。",
    "bool_parsing": "{label}应为 true 或 false。",
    "greater_than_equal": "{label}不能小于{ge}。",
    "greater_than": "{label}必须大于{gt}。",
    "less_than_equal": "{label}不能大于{le}。",
    "less_than": "{label}必须小于{lt}。",
    "extra_forbidden": "不认识的字段“{field}”。",
    "model_type": "{label}应为 JSON 对象。",
    "model_attributes_type": "{label}应为 JSON 对象。",
    "dict_type": "{label}应为 JSON 对象。",
    "list_type": "{label}应为数组。",
    "json_invalid": "请求体不是有效的 JSON。",
}
_WHOLE_BODY = "__all__"


def _field_of(loc: tuple[Any, ...]) -> str:
    """The field an error is about: ``("body", "payload", "name")`` → ``name``;
    ``("query", "limit")`` → ``limit``; an error about the whole body → ``__all__``."""
    parts = [str(p) for p in loc[1:]]
    if loc and loc[0] == "body" and parts:
        parts = parts[1:]  # the view's parameter name, not something the caller sent
    return ".".join(parts) or _WHOLE_BODY


def _expected(ctx: Mapping[str, Any]) -> str:
    expected = str(ctx.get("expected", ""))
    return expected.replace("' or '", "、").replace("', '", "、").replace("'", "")


def translate(error: Mapping[str, Any], labels: Mapping[str, str]) -> tuple[str, str]:
    """One pydantic error as (field, Chinese message)."""
    field = _field_of(tuple(error.get("loc", ())))
    last = field.rsplit(".", 1)[-1]
    label = labels.get(last, last) if field != _WHOLE_BODY else "请求体"
    ctx = dict(error.get("ctx") or {})
    template = _TEMPLATES.get(str(error.get("type")), "{label}格式不正确。")
    try:
        extra = {k: v for k, v in ctx.items() if k not in {"label", "field", "expected"}}
        message = template.format(label=label, field=field, expected=_expected(ctx), **extra)
    except (KeyError, IndexError):
        message = f"{label}格式不正确。"
    return field, message


def _answer(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    detail: object,
    errors: Mapping[str, list[str]] | None = None,
) -> HttpResponse:
    body = {
        "detail": str(detail),
        "errors": {k: [str(m) for m in v] for k, v in (errors or {}).items()},
    }
    response = api.create_response(request, body, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="houbei"'
    return response


def install(api: NinjaAPI) -> None:
    """Register the handlers on ``api``."""
    labels = field_labels()

    @api.exception_handler(NinjaValidationError)
    def on_invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            field, message = translate(error, labels)
            errors.setdefault(field, []).append(message)
        return _answer(api, request, 422, ValidationFailed.default_message, errors)

    @api.exception_handler(DomainError)
    def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        if isinstance(exc, ValidationFailed):
            return _answer(api, request, exc.status_code, exc.message, exc.errors)
        errors = {exc.field: [str(exc.message)]} if exc.field else None
        return _answer(api, request, exc.status_code, exc.message, errors)

    @api.exception_handler(DjangoValidationError)
    def on_django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {_WHOLE_BODY: exc.messages}
        return _answer(api, request, 422, ValidationFailed.default_message, errors)

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # ninja's own messages ("Unauthorized", "Cannot parse request body") are English;
        # ours are Chinese already.
        text = str(exc)
        detail = MESSAGES_BY_STATUS.get(exc.status_code, text) if text.isascii() else text
        return _answer(api, request, exc.status_code, detail)

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return _answer(api, request, 404, MESSAGES_BY_STATUS[404])

    @api.exception_handler(PermissionDenied)
    def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return _answer(api, request, 403, MESSAGES_BY_STATUS[403])
