"""Template helpers of the selection pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """``mapping[key]``, or None: the boards keep their figures in dicts keyed by id."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
