"""The benchmarks' output: one JSON object per line on stdout.

    {"bench": "pages", "metric": "home.personnel.p95", "value": 12.3, "unit": "ms"}

With a baseline, the line also carries ``baseline`` and ``ratio`` (value / baseline)."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Sequence
from typing import Any


def emit(
    bench: str,
    metric: str,
    value: float,
    unit: str,
    *,
    baseline: float | None = None,
    **extra: Any,
) -> dict[str, Any]:
    line: dict[str, Any] = {"bench": bench, "metric": metric, "value": _round(value), "unit": unit}
    if baseline is not None:
        line["baseline"] = _round(baseline)
        line["ratio"] = round(value / baseline, 3) if baseline else None
    line.update(extra)
    print(json.dumps(line, ensure_ascii=False), flush=True)
    return line


def _round(value: float) -> float:
    if isinstance(value, int):
        return value
    return round(value, 3)


def percentile(samples: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0–100) of a non-empty sample."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def log(message: str) -> None:
    """Progress for people, on stderr so stdout stays machine-readable."""
    print(message, file=sys.stderr, flush=True)
