"""Access rules for the district pages (see tests/core/test_routes.py for the format). The
overviews are counts only, for the district bureau and the system administrator; one
school's list of rotations names people, so it is for the district bureau, who reads the
reserve pools, alone."""

from houbei.accounts.models import Role

RULES = {
    "district:overview": {"allowed": {Role.DISTRICT, Role.SYSADMIN}},
    "district:rotations": {"allowed": {Role.DISTRICT, Role.SYSADMIN}},
    "district:school_rotations": {
        "allowed": {Role.DISTRICT},
        "kwargs": lambda ctx: {"pk": ctx.school.pk},
        "foreign_kwargs": lambda ctx: {"pk": ctx.other_school.pk},
    },
}
