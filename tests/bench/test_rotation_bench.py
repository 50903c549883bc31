"""``houbei bench rotation`` at a tiny size, so the bench cannot rot: it builds both schools'
three rounds through the services (confirmed, under review, open), measures the round's
page in each state, the proposal and 我的轮岗 in both schools, and finds the same number of
queries for the large and the small school; the targets are not judged at this size. It
runs on the suite's database engine (PostgreSQL when DATABASE_URL says so), in its own
scratch database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES = (
    "round_open",
    "round_proposal",
    "round_confirmed",
    "proposal_review",
    "proposal_confirmed",
    "mine",
)


def test_rotation_bench_measures_the_round_pages_in_every_state_at_a_tiny_size(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "HOUBEI_DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run(
        [sys.executable, "-m", "houbei.cli", "bench", "rotation", "--",
         "--staff", "30", "--cadres", "6", "--small-cadres", "3", "--requests", "2",
         "--warmup", "1", "--no-targets"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = {line["metric"]: line for line in map(json.loads, result.stdout.splitlines())}
    assert lines["district_build"]["people"] == 60
    large, small = lines["large_rounds_build"], lines["small_rounds_build"]
    assert large["cadres"] == 6 and small["cadres"] == 3
    assert large["offers"] == 10 and small["offers"] == 3
    # A 意向表 from every cadre in each of the three rounds, and rotations confirmed.
    assert large["intentions"] == 18 and small["intentions"] == 9
    assert large["assignments"] > 0 and small["assignments"] > 0
    assert lines["run_matching_seconds"]["placements"] == 6
    on_postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    for name in PAGES:
        for measured in (name, f"{name}_small"):
            assert lines[f"{measured}.p95"]["value"] > 0, measured
            assert lines[f"{measured}.queries"]["value"] > 0, measured
        p95 = lines[f"{name}.p95"]
        assert p95["target"] == (100.0 if name == "mine" else 150.0), name
        assert p95["verdict"] in ("met", "missed"), name
        assert p95["vendor"] == ("postgresql" if on_postgres else "sqlite"), name
        assert "target" not in lines[f"{name}_small.p95"], name
        fixed = lines[f"{name}.queries_fixed"]
        assert fixed["value"] == 1, (name, fixed)
        assert fixed["large"] == fixed["small"] == lines[f"{name}.queries"]["value"], name
