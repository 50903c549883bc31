"""The export registry: every downloadable list is an exporter registered under a kind.

An exporter is a function ``(school, *, actor, filters, fmt) -> ExportFile``: it reads
the school's data, renders it in ``fmt`` ("xlsx" or "json"), appends its audit entry and
returns the file name, content type and bytes (the interface of pretix's exporters).
Modules register theirs when their app loads::

    @register("roster")
    def export_roster(school, *, actor, filters, fmt): ...

The web views and the ``export`` management command both go through ``run_export``, so
a kind added here is available on the command line at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, Protocol

from django.utils.translation import gettext as _

from houbei.core.errors import DomainError
from houbei.organisation.models import School

FORMATS = ("xlsx", "json")  # what every exporter offers; a kind may offer more
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class ExportFile(NamedTuple):
    filename: str
    content_type: str
    content: bytes


class Exporter(Protocol):
    def __call__(
        self, school: School, *, actor: Any, filters: Any, fmt: str
    ) -> ExportFile | tuple[str, str, bytes]: ...


_registry: dict[str, Exporter] = {}
_formats: dict[str, tuple[str, ...]] = {}


class UnknownExport(DomainError):
    status_code = 404


def register(kind: str, *, formats: tuple[str, ...] = FORMATS) -> Callable[[Exporter], Exporter]:
    """Register ``exporter`` under ``kind`` for ``formats``; a kind can be registered once."""

    def decorate(exporter: Exporter) -> Exporter:
        if kind in _registry and _registry[kind] is not exporter:
            raise ValueError(f"export kind {kind!r} is already registered")
        _registry[kind] = exporter
        _formats[kind] = formats
        return exporter

    return decorate


def kinds() -> list[str]:
    return sorted(_registry)


def get(kind: str) -> Exporter:
    try:
        return _registry[kind]
    except KeyError:
        raise UnknownExport(_("没有名为“%(kind)s”的导出。") % {"kind": kind}) from None


def run_export(kind: str, school: School, *, actor: Any, filters: Any, fmt: str) -> ExportFile:
    """Run the exporter of ``kind``. Raises ``UnknownExport`` or ``DomainError`` for an
    unknown kind or format."""
    exporter = get(kind)
    offered = _formats.get(kind, FORMATS)
    if fmt not in offered:
        raise DomainError(
            _("不支持的导出格式“%(fmt)s”，可选：%(formats)s。")
            % {"fmt": fmt, "formats": "、".join(offered)}
        )
    return ExportFile(*exporter(school, actor=actor, filters=filters, fmt=fmt))


def all_formats() -> tuple[str, ...]:
    return tuple(dict.fromkeys(f for kind in _registry for f in _formats.get(kind, FORMATS)))
