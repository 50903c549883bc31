"""T1's duplicate storm, runnable inside a test (PostgreSQL) or as a script against a
fresh SQLite file (``python -m tests.ballots.storm``): pytest's in-memory SQLite shares
one cache between threads, which locks differently from the file databases Houbei runs
on, so the SQLite storm needs a file."""

from __future__ import annotations

import json
import os
import sys
import threading
from collections import Counter


def storm(
    election_id: int, slips: list[str], marks: dict[str, list[int]], attempts: int = 20
) -> Counter[str]:
    """Try every code ``attempts`` times at once from ``attempts`` threads; count the
    outcomes: "ok", "refused", or an error's class name."""
    from django.db import connections

    from houbei.ballots.services import CastRefused, cast_ballot

    barrier = threading.Barrier(attempts)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def worker(share: list[str]) -> None:
        try:
            barrier.wait()
            for code in share:
                try:
                    cast_ballot(election_id=election_id, code=code, marks=marks)
                    result = "ok"
                except CastRefused:
                    result = "refused"
                except Exception as exc:  # counted, and the test fails on it
                    result = type(exc).__name__
                with lock:
                    outcomes[result] += 1
        finally:
            connections.close_all()

    tries = [code for code in slips for _i in range(attempts)]
    threads = [threading.Thread(target=worker, args=(tries[i::attempts],)) for i in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "houbei.settings")
    django.setup()
    from django.core.management import call_command

    from houbei.ballots.models import Ballot, Credential
    from houbei.ballots.services import (
        ListDraft,
        create_election,
        issue_slips,
        open_election,
        specs_of,
    )
    from houbei.organisation.models import District
    from houbei.organisation.services import create_school
    from houbei.people.models import Person

    call_command("migrate", verbosity=0)
    school = create_school(actor=None, district=District.objects.create(name="区", code="d"),
                           name="学校", code="s")  # fmt: skip
    people = [Person.objects.create(school=school, staff_number=f"S{i}", name=f"候选{i}",
                                    gender="F") for i in range(3)]  # fmt: skip
    e = create_election(actor=None, school=school, title="推荐",
                        lists=[ListDraft("校级", 2, people)])  # fmt: skip
    slips = issue_slips(actor=None, election=e, count=50)
    e = open_election(actor=None, election=e)
    (spec,) = specs_of(e)
    outcomes = storm(e.pk, slips, {str(spec.id): [spec.candidates[0][0]]})
    print(json.dumps({
        "outcomes": outcomes,
        "ballots": Ballot.objects.filter(election=e).count(),
        "used": Credential.objects.filter(election=e, used=True).count(),
        "vendor": django.db.connection.vendor,
    }))  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
