"""A throw-away database for benchmarks, so they never touch the demo or real data.

SQLite: a new file in a temporary directory. PostgreSQL: a database
``houbei_bench_<pid>`` created on the configured server and dropped afterwards. Django's
own test-database machinery does the creating, migrating and dropping; it also points the
connection (and ``settings.DATABASES``) at the scratch database for the duration and puts
the configured name back at the end."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections


@contextmanager
def scratch_database(*, keep: bool = False, alias: str = DEFAULT_DB_ALIAS) -> Iterator[str]:
    """Create and migrate a scratch database, yield its name, then drop it.

    With ``keep`` the database is left in place (its name is yielded so the caller can
    print it). Raises ``RuntimeError`` for a database engine other than SQLite or
    PostgreSQL."""
    connection = connections[alias]
    vendor = connection.vendor
    original_name = connection.settings_dict["NAME"]
    original_test = dict(connection.settings_dict.get("TEST") or {})
    tmpdir: Path | None = None
    if vendor == "sqlite":
        tmpdir = Path(tempfile.mkdtemp(prefix="houbei-bench-"))
        name = str(tmpdir / "bench.sqlite3")
    elif vendor == "postgresql":
        name = f"houbei_bench_{os.getpid()}"
    else:
        raise RuntimeError(f"scratch databases are not supported on {vendor}")
    connection.settings_dict.setdefault("TEST", {})
    connection.settings_dict["TEST"]["NAME"] = name
    try:
        connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False, keepdb=False
        )
        try:
            yield name
        finally:
            connection.close()
            if keep:
                # destroy_test_db would drop it; restore the configured name by hand.
                connection.settings_dict["NAME"] = original_name
                from django.conf import settings

                settings.DATABASES[alias]["NAME"] = original_name
            else:
                connection.creation.destroy_test_db(original_name, verbosity=0)
    finally:
        connection.settings_dict["TEST"] = original_test
        if tmpdir is not None and not keep:
            shutil.rmtree(tmpdir, ignore_errors=True)
