"""Access rules for the audit page (see tests/core/test_routes.py for the format)."""

from houbei.accounts.models import Role
from houbei.audit.models import AuditEntry

READERS = frozenset({Role.PERSONNEL, Role.DECISION, Role.SYSADMIN})


def _entry_of(school):  # type: ignore[no-untyped-def]
    return {"pk": AuditEntry.objects.filter(school=school).latest("seq").pk}


RULES = {
    "audit:list": {"allowed": READERS},
    "audit:detail": {
        "allowed": READERS,
        "kwargs": lambda ctx: _entry_of(ctx.school),
        "foreign_kwargs": lambda ctx: _entry_of(ctx.other_school),
    },
    "audit:verify": {"allowed": READERS, "method": "POST"},
}
