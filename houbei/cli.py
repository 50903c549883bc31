"""The ``houbei`` console command: a thin front for the project's management commands.

    houbei demo [--no-serve]      build the demo school (SQLite by default) and serve it
    houbei serve                  serve the app (granian, or Django's server with --dev)
    houbei import-roster FILE     import an Excel roster (dry run unless --commit)
    houbei export KIND --format json|xlsx
    houbei backup FILE / houbei restore FILE
    houbei verify-audit
    houbei bench NAME
Any other Django management command works too (``houbei migrate``, ``houbei check``)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "houbei.settings")
    from django.core.management import execute_from_command_line

    if not args or args[0] in {"-h", "--help", "help"}:
        print(__doc__)
        if not args:
            return
    else:
        # Dashes on the command line, underscores in Django's command names.
        args[0] = args[0].replace("-", "_")
    execute_from_command_line(["houbei", *args])


if __name__ == "__main__":
    main()
