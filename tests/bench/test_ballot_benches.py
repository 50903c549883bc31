"""The ballot benches at a tiny size, so they cannot rot: the burst's voters all get a
receipt and every one is stored; the throughput bench measures the casting endpoint, the
direct baseline and the trivial view on the same server. Both start the production server
(granian) against their own scratch database, on the suite's engine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


def bench(name: str, *args: str, tmp_path: Path) -> tuple[int, dict[str, dict[str, Any]], str]:
    env = {**os.environ, "HOUBEI_DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run(
        [sys.executable, "-m", "houbei.cli", "bench", name, "--", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    lines: dict[str, dict[str, Any]] = {}
    for line in map(json.loads, result.stdout.splitlines()):
        lines.setdefault(line["metric"], line)  # per round first; the median (or all rounds) last
        if line.get("round") in ("median", "all"):
            lines[line["metric"]] = line
    return result.returncode, lines, result.stderr


def test_burst_stores_every_voter(tmp_path: Path) -> None:
    code, lines, stderr = bench(
        "ballots-burst", "--voters", "24", "--window", "1", "--warmup", "2", "--no-targets",
        tmp_path=tmp_path,
    )  # fmt: skip
    assert code == 0, stderr
    assert lines["stored"]["value"] == 24 and lines["stored"]["used_codes"] == 24
    assert lines["errors"]["value"] == 0
    assert lines["receipts_match"]["value"] == 1 and lines["receipts_match"]["shown"] == 24
    assert 0 < lines["cast.p50"]["value"] <= lines["cast.p99"]["value"]
    assert lines["stored"]["vendor"] == ("postgresql" if ON_POSTGRES else "sqlite")


def test_throughput_compares_the_endpoint_with_the_direct_baseline(tmp_path: Path) -> None:
    code, lines, stderr = bench(
        "ballots-throughput", "--clients", "4", "--seconds", "1", "--rounds", "1",
        "--no-targets", tmp_path=tmp_path,
    )  # fmt: skip
    assert code == 0, stderr
    if not ON_POSTGRES:
        assert lines["not_run"]["reason"].startswith("needs PostgreSQL")
        return
    http = lines["http.rate"]
    assert http["value"] > 0 and http["baseline"] == lines["direct.rate"]["value"] > 0
    assert http["ratio"] == round(http["value"] / http["baseline"], 3)
    assert lines["trivial.rate"]["value"] > http["value"]
    assert lines["errors"]["value"] == 0
    assert lines["http.p99"]["target"] == 150.0
