"""Access rules for the district overview (see tests/core/test_routes.py for the format)."""

from houbei.accounts.models import Role

RULES = {
    "district:overview": {"allowed": {Role.DISTRICT, Role.SYSADMIN}},
}
