"""``houbei bench eligibility`` at a tiny size, so the bench cannot rot: it builds its
district, checks the bulk figures against the reference on its sample and reports the
verdicts. It runs on the suite's database engine (PostgreSQL when DATABASE_URL says so),
in its own scratch database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_eligibility_bench_evaluates_everyone_at_a_tiny_size(tmp_path: Path) -> None:
    env = {**os.environ, "HOUBEI_DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run(
        [sys.executable, "-m", "houbei.cli", "bench", "eligibility", "--",
         "--people", "300", "--schools", "3", "--runs", "1", "--no-targets"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = {line["metric"]: line for line in map(json.loads, result.stdout.splitlines())}
    assert lines["sample_differences"]["value"] == 0
    assert lines["build_seconds"]["history_rows"] > 600
    evaluated = lines["load_evaluate_seconds"]
    assert evaluated["people"] == 300 and sum(evaluated["verdicts"].values()) == 300
    assert {"eligible", "ineligible", "out_of_scope"} <= set(evaluated["verdicts"])
    assert evaluated["baseline"] == lines["bare_select_seconds"]["value"] > 0
    assert lines["bare_select_seconds"]["rows"] == (
        300 + evaluated["history_rows"] + evaluated["honours"]
    )
    on_postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    assert evaluated["vendor"] == ("postgresql" if on_postgres else "sqlite")
