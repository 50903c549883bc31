"""Rewriting the anonymous tables so their physical order says nothing of the order rows
were written in — shared by elections (close and tally), paper entry and rating rounds.

PostgreSQL: CLUSTER by the primary key (random UUIDs for the anonymous rows); old row
versions, with their transaction ids, go with the old file. SQLite: copy out and back
ordered by the key, so rowids follow it. Runs inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models


def rewrite_in_key_order(tables: Sequence[type[models.Model]]) -> None:
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in tables:
            table = model._meta.db_table
            if connection.vendor == "postgresql":
                # CLUSTER refuses a table with deferred constraint checks still queued.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"CLUSTER {q(table)} USING {q(table + '_pkey')}")
            else:
                # Only the models' own table names, quoted, are spliced in.
                copy = q(f"{table}_rewrite")
                cursor.execute(f"CREATE TEMP TABLE {copy} AS SELECT * FROM {q(table)} ORDER BY id")  # noqa: S608
                cursor.execute(f"DELETE FROM {q(table)}")  # noqa: S608
                cursor.execute(f"INSERT INTO {q(table)} SELECT * FROM {copy} ORDER BY id")  # noqa: S608
                cursor.execute(f"DROP TABLE {copy}")
