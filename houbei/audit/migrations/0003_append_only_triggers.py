"""Database triggers that keep the audit trail append-only.

The hash chain detects tampering after the fact; these triggers stop the easy kinds of
tampering from happening at all, also for someone at a SQL prompt:

- PostgreSQL: UPDATE and DELETE of an audit entry are refused; the head may only move
  forward, to an entry that exists, and cannot be deleted. TRUNCATE is allowed on
  purpose: it is how Django flushes a database (tests, ``restore --force``), and a
  truncated trail is still caught by an external copy of the head hash.
- SQLite: UPDATE of an entry and moving the head backwards are refused. DELETE is not:
  Django flushes SQLite tables with DELETE (transactional tests, ``restore --force``),
  and SQLite has no way to tell a flush from a deletion.

Someone who disables or drops a trigger can still edit the rows; the chain then reports
the first broken entry (tests/audit/test_tamper.py does exactly that).

SQLite drops a table's triggers when a migration rebuilds the table: a later migration
that alters AuditEntry or AuditHead must create them again (test_triggers_are_installed
fails until it does)."""

from django.db import migrations

PG_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION houbei_audit_entry_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit trail is append-only: % of entry % refused', TG_OP, OLD.seq
            USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    """
    CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION houbei_audit_entry_append_only()
    """,
    """
    CREATE OR REPLACE FUNCTION houbei_audit_head_forward_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE'
           OR NEW.id <> OLD.id
           OR NEW.seq < OLD.seq
           OR (NEW.seq = OLD.seq AND NEW.hash <> OLD.hash)
           OR (NEW.seq > OLD.seq AND NEW.hash IS DISTINCT FROM
               (SELECT e.hash FROM audit_auditentry e WHERE e.seq = NEW.seq)) THEN
            RAISE EXCEPTION 'audit head may only move forward to an existing entry'
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON audit_audithead
    FOR EACH ROW EXECUTE FUNCTION houbei_audit_head_forward_only()
    """,
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_head_forward_only ON audit_audithead",
    "DROP FUNCTION IF EXISTS houbei_audit_head_forward_only()",
    "DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry",
    "DROP FUNCTION IF EXISTS houbei_audit_entry_append_only()",
]

SQLITE_FORWARD = [
    """
    CREATE TRIGGER audit_entry_append_only BEFORE UPDATE ON audit_auditentry
    BEGIN
        SELECT RAISE(ABORT, 'audit trail is append-only: UPDATE refused');
    END
    """,
    """
    CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_audithead
    WHEN NEW.id <> OLD.id
      OR NEW.seq < OLD.seq
      OR (NEW.seq = OLD.seq AND NEW.hash <> OLD.hash)
      OR (NEW.seq > OLD.seq AND NEW.hash IS NOT
          (SELECT e.hash FROM audit_auditentry e WHERE e.seq = NEW.seq))
    BEGIN
        SELECT RAISE(ABORT, 'audit head may only move forward to an existing entry');
    END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_head_forward_only",
    "DROP TRIGGER IF EXISTS audit_entry_append_only",
]

STATEMENTS = {
    "postgresql": (PG_FORWARD, PG_BACKWARD),
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
}


def _run(schema_editor, index):  # type: ignore[no-untyped-def]
    pair = STATEMENTS.get(schema_editor.connection.vendor)
    if pair is None:
        return  # another database: the hash chain alone protects the trail
    for sql in pair[index]:
        schema_editor.execute(sql, None)  # None: the SQL holds literal % signs


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    _run(schema_editor, 0)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    _run(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
