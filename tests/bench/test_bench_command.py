"""``houbei bench``: benches run in a scratch database that is dropped afterwards, and the
configured database is never touched."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

TINY = """
import json
from django.db import connection
from houbei.organisation.models import District

def main(argv):
    before = District.objects.count()
    District.objects.create(name="基准测试区", code="tiny")
    print(json.dumps({"bench": "tiny", "metric": "districts_before", "value": before,
                      "unit": "rows", "db": str(connection.settings_dict["NAME"]),
                      "argv": argv}))
    return 0
"""

FAILING = """
def main(argv):
    return 3
"""


def houbei(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "houbei.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def bench_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "benches"
    folder.mkdir()
    (folder / "tiny.py").write_text(TINY, encoding="utf-8")
    (folder / "_helper.py").write_text("def main(argv):\n    raise SystemExit('helper ran')\n")
    return folder


@pytest.fixture
def sqlite_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["HOUBEI_DATA_DIR"] = str(tmp_path / "data")
    return env


def test_bench_runs_in_scratch_sqlite_and_leaves_main_database_alone(
    bench_dir, sqlite_env, tmp_path
) -> None:
    main_db = tmp_path / "data" / "houbei.sqlite3"
    assert houbei("migrate", "--verbosity", "0", env=sqlite_env).returncode == 0
    with sqlite3.connect(main_db) as db:
        db.execute("INSERT INTO organisation_district (name, code) VALUES ('主库区', 'main')")
    before = main_db.read_bytes()

    result = houbei(
        "bench", "tiny", "--bench-dir", str(bench_dir), "--", "--size", "1", env=sqlite_env
    )

    assert result.returncode == 0, result.stderr
    line = json.loads(result.stdout.strip().splitlines()[-1])
    assert line["bench"] == "tiny" and line["value"] == 0  # the scratch database starts empty
    assert line["argv"] == ["--size", "1"]
    assert line["db"] != str(main_db) and not Path(line["db"]).exists()  # dropped afterwards
    assert main_db.read_bytes() == before
    with sqlite3.connect(main_db) as db:
        assert db.execute("SELECT name FROM organisation_district").fetchall() == [("主库区",)]


def test_bench_does_not_create_a_missing_main_database(bench_dir, sqlite_env, tmp_path) -> None:
    result = houbei("bench", "tiny", "--bench-dir", str(bench_dir), env=sqlite_env)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "data" / "houbei.sqlite3").exists()


def test_bench_all_skips_helpers_and_reports_failures(bench_dir, sqlite_env) -> None:
    (bench_dir / "zz_failing.py").write_text(FAILING)
    result = houbei("bench", "all", "--bench-dir", str(bench_dir), env=sqlite_env)
    assert result.returncode == 1
    assert '"bench": "tiny"' in result.stdout
    assert "helper ran" not in result.stdout + result.stderr
    assert "zz_failing (exit 3)" in result.stderr


def test_unknown_bench_is_refused_with_the_known_names(bench_dir, sqlite_env) -> None:
    result = houbei("bench", "nosuch", "--bench-dir", str(bench_dir), env=sqlite_env)
    assert result.returncode == 1
    assert "没有名为 nosuch 的基准" in result.stderr and "tiny" in result.stderr


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_bench_on_postgresql_uses_and_drops_its_own_database(bench_dir) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (run the suite with DATABASE_URL=postgres://…)")
    params = connection.settings_dict
    missing = f"hb_missing_{uuid.uuid4().hex[:8]}"
    url = f"postgres://{params['USER']}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{missing}"
    env = {**os.environ, "DATABASE_URL": url}
    result = houbei("bench", "tiny", "--bench-dir", str(bench_dir), env=env)
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stdout.strip().splitlines()[-1])
    assert line["db"].startswith("houbei_bench_") and line["value"] == 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT datname FROM pg_database WHERE datname IN (%s, %s)", [line["db"], missing]
        )
        assert cursor.fetchall() == []  # scratch dropped; the configured one never created
