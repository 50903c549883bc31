"""``houbei bench selection`` at a tiny size, so the bench cannot rot: it builds its
district with a cycle per school (two driven through the services, the rest bulk-inserted),
measures the dashboard (or, until the page exists, says so and measures the API's detail in
its place), the API and the documents (or says they are not there yet); the targets are
not judged at this size. It runs on the
suite's database engine (PostgreSQL when DATABASE_URL says so), in its own scratch
database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.urls import NoReverseMatch, reverse

ROOT = Path(__file__).resolve().parents[2]


def _dashboard_installed() -> bool:
    try:
        reverse("selection:detail", args=[1])
    except NoReverseMatch:
        return False
    return True


def _documents_installed() -> bool:
    try:
        from houbei.selection import documents  # noqa: F401
    except ImportError:
        return False
    return True


def test_selection_bench_measures_the_api_dashboard_and_documents_at_a_tiny_size(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "HOUBEI_DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run(
        [sys.executable, "-m", "houbei.cli", "bench", "selection", "--",
         "--schools", "3", "--staff", "40", "--requests", "2", "--warmup", "1", "--no-targets"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = {line["metric"]: line for line in map(json.loads, result.stdout.splitlines())}
    assert lines["district_build"]["people"] == 120
    driven = lines["driven_cycle_build"]
    # 差额: 7 for 区级 and 14 for 校级, three people on both lists.
    assert driven["targets"] == 21 and driven["ballots"] > 0
    assert lines["small_cycle_build"]["targets"] == 7
    # The third school's 2026 cycle and every school's completed 2024 one.
    assert lines["bulk_cycles_build"]["cycles"] == 4
    assert lines["bulk_cycles_build"]["pool_entries"] == 16 * 3  # 区级 5 + 校级 11 each
    # Completed after the first measurements: 5 + 11 of the large cycle, 2 + 3 of the small.
    assert lines["driven_cycles_completed"]["pool_entries"] == 21
    for name in (
        "api_cycle",
        "api_cycles_district",
        "api_stages",
        "api_results",
        "api_pool_district",
    ):
        assert lines[f"{name}.p95"]["value"] > 0, name
        assert lines[f"{name}.queries"]["value"] > 0, name
    assert lines["api_cycle.queries_fixed"]["value"] == 1
    assert lines["api_cycles_district.p95"]["cycles"] == 6  # 3 schools × (2024, 2026)
    on_postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    assert lines["api_cycle.p95"]["vendor"] == ("postgresql" if on_postgres else "sqlite")
    if _dashboard_installed():
        assert lines["dashboard.p95"]["target"] == 150.0
        assert lines["dashboard.p95"]["stage"] == "notice"
        assert lines["dashboard.queries_fixed"]["value"] == 1
        assert "target" not in lines["api_cycle.p95"]
        assert lines["dashboard_done.p95"]["stage"] == "done"
    else:
        assert "dashboard.p95" not in lines
        assert "selection:detail does not resolve" in result.stderr
        assert lines["api_cycle.p95"]["target"] == 150.0
    if _documents_installed():
        documents = lines["documents_seconds"]
        assert documents["files"] > 21 and documents["bytes"] > 0
        assert documents["target"] == 5.0
    else:
        assert "documents_seconds" not in lines
        assert "houbei.selection.documents is not installed yet" in result.stderr
