"""A backup restores onto the other kind of database, in another process.

The backup is made here (on whichever database the tests run: SQLite by default,
PostgreSQL with DATABASE_URL); a separate ``manage.py`` process migrates a fresh SQLite
file or a fresh PostgreSQL database (``hb_d_dst_<pid>``), restores the file, verifies the
audit chain and backs up again; that second file is restored back here. So one run on
each database covers SQLite → SQLite, SQLite → PostgreSQL → SQLite, PostgreSQL →
PostgreSQL and PostgreSQL → SQLite → PostgreSQL."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

from houbei.audit.backup import DATA_NAME
from houbei.audit.services import check_chain

from .conftest import snapshot

pytestmark = pytest.mark.django_db

MANAGE = Path(settings.BASE_DIR) / "manage.py"
PG_SERVER = os.environ.get("HOUBEI_TEST_PG_SERVER", "postgres://postgres@127.0.0.1:5432")


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(MANAGE), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        cwd=settings.BASE_DIR,
        check=False,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}: {result.stderr}"
    return result.stdout


def _rows(path: Path) -> dict[str, list[dict[str, Any]]]:
    by_model: dict[str, list[dict[str, Any]]] = defaultdict(list)
    with zipfile.ZipFile(path) as zf:
        for line in zf.read(DATA_NAME).decode().splitlines():
            row = json.loads(line)  # parsed: jsonb may store object keys in another order
            by_model[row["model"]].append(row)
    return by_model


@pytest.fixture
def sqlite_target(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'target.sqlite3'}",
        "HOUBEI_DATA_DIR": str(tmp_path / "target-data"),
    }


@pytest.fixture
def postgresql_target(tmp_path: Path):  # type: ignore[no-untyped-def]
    import psycopg
    from psycopg import sql

    name = f"hb_d_dst_{os.getpid()}"
    try:
        admin = psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            raise
        pytest.skip(f"no PostgreSQL server at {PG_SERVER}: {exc}")
    with admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield {
        **os.environ,
        "DATABASE_URL": f"{PG_SERVER}/{name}",
        "HOUBEI_DATA_DIR": str(tmp_path / "target-data"),
    }
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.mark.parametrize(
    "target", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres_only)]
)
def test_backup_round_trips_through_another_database(school_data, tmp_path, request, target):
    env = request.getfixturevalue(f"{target}_target")
    first, second = tmp_path / "first.zip", tmp_path / "second.zip"
    call_command("backup", str(first), stdout=io.StringIO())
    original = snapshot()
    backed_up = len(original["audit.auditentry"]) - 1  # the last records the backup

    _manage(env, "migrate", "--no-input", "-v", "0")
    _manage(env, "restore", str(first))
    verified = _manage(env, "verify_audit")
    assert verified.startswith(f"OK: {backed_up + 1} entries")  # + the restore's entry
    _manage(env, "backup", str(second))

    there, here = _rows(second), _rows(first)
    assert set(there) == set(here)
    for model, rows in here.items():
        if model == "audit.auditentry":
            assert there[model][:backed_up] == rows
            assert there[model][backed_up]["fields"]["action"] == "system.backup.restored"
        elif model != "audit.audithead":
            assert there[model] == rows, model

    call_command("restore", str(second), "--force", "--yes", stdout=io.StringIO())
    back = snapshot()
    for model, rows in original.items():
        if model == "audit.auditentry":
            assert back[model][:backed_up] == rows[:backed_up]
        elif model != "audit.audithead":
            assert back[model] == rows, model
    assert check_chain().ok
