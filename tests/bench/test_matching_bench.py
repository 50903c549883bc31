"""``houbei bench matching`` at a tiny size, so the bench cannot rot: both instances are
matched and checked clean, and the library's HospitalResident gives the same assignment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_matching_bench_matches_checks_and_agrees_with_the_library(tmp_path: Path) -> None:
    env = {**os.environ, "HOUBEI_DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run(
        [sys.executable, "-m", "houbei.cli", "bench", "matching", "--",
         "--candidates", "120", "--posts", "12", "--compare-candidates", "60",
         "--compare-posts", "6", "--runs", "1", "--no-targets"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = {line["metric"]: line for line in map(json.loads, result.stdout.splitlines())}
    for name in ("rules_seconds", "plain_seconds"):
        line = lines[name]
        assert line["candidates"] == 120 and line["list_entries"] > 0
        assert line["violations"] == 0 and line["blocking_pairs"] == 0
        assert 0 < line["placed"] <= 120 and line["misses"] >= 0
    assert lines["rules_seconds"]["mentors"] == 24 and lines["plain_seconds"]["mentors"] == 0
    assert lines["plain_seconds"]["placed"] == 120  # capacity 10 × 12 posts, everyone ranked
    assert lines["ours_seconds"]["candidates"] == 60
    library = lines["library_seconds"]
    assert library["available"] is True and library["same_assignment"] is True
    assert library["baseline"] == lines["ours_seconds"]["value"]
    assert lines["library_solve_seconds"]["value"] > 0


def test_matching_bench_reports_a_missing_library_and_goes_on(tmp_path: Path) -> None:
    # A package named ``matching`` that fails to import stands in for an install without
    # the development dependencies.
    shadow = tmp_path / "shadow" / "matching"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('not installed here')\n")
    env = {
        **os.environ,
        "HOUBEI_DATA_DIR": str(tmp_path / "data"),
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(shadow.parent), os.environ.get("PYTHONPATH")])
        ),
    }
    result = subprocess.run(
        [sys.executable, "-m", "houbei.cli", "bench", "matching", "--",
         "--candidates", "40", "--posts", "4", "--compare-candidates", "20",
         "--compare-posts", "2", "--runs", "1", "--no-targets"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = {line["metric"]: line for line in map(json.loads, result.stdout.splitlines())}
    assert lines["library_seconds"]["available"] is False
    assert "not installed here" in lines["library_seconds"]["reason"]
    assert "library_solve_seconds" not in lines and "ours_seconds" in lines
