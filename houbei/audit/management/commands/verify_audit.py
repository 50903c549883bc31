"""``houbei verify-audit``: walk the whole audit chain and say whether it is intact.

Prints ``OK: N entries, head <hash>`` and exits 0, or names the first broken entry and
exits 1, so it fits a cron job or a monitoring check. Keep the printed head hash
somewhere outside the database (a log, a mail): a later run that prints a chain not
extending it means the trail was rebuilt or truncated."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from houbei.audit.services import check_chain


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail (exit status 1 if it is broken)."

    def handle(self, *args: Any, **options: Any) -> None:
        status = check_chain()
        if status.problem is not None:
            raise CommandError(
                f"BROKEN at seq {status.problem.seq}: {status.problem.reason} "
                f"({status.entries} entries verified before it)",
                returncode=1,
            )
        self.stdout.write(f"OK: {status.entries} entries, head {status.head_hash}")
