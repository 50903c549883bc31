"""The double-submit storm for rating sheets, runnable inside a test (PostgreSQL) or as a
script against a fresh SQLite file (``python -m tests.ratings.storm``): pytest's in-memory
SQLite shares one cache between threads, which locks differently from the file databases
Houbei runs on (see ``tests/ballots/storm.py``)."""

from __future__ import annotations

import json
import os
import sys
import threading
from collections import Counter
from collections.abc import Callable


def storm(
    round_id: int,
    codes: list[str],
    sheet: dict[tuple[int, int], int],
    attempts: int = 10,
    *,
    halfway: Callable[[], None] | None = None,
    comments: dict[int, str] | None = None,
) -> Counter[str]:
    """Try every code ``attempts`` times at once from ``attempts`` threads; count the
    outcomes: "ok", "refused", or an error's class name. ``halfway`` runs in its own
    thread once half of the tries have started (to close the round mid-storm); every sheet
    carries ``comments``."""
    from django.db import connections

    from houbei.ballots.ratings.services import RatingRefused, submit_rating

    barrier = threading.Barrier(attempts + (1 if halfway else 0))
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    started = threading.Semaphore(0)
    tries = [code for code in codes for _i in range(attempts)]

    def worker(share: list[str]) -> None:
        try:
            barrier.wait()
            for code in share:
                started.release()
                try:
                    submit_rating(round_id=round_id, code=code, sheet=sheet, comments=comments)
                    result = "ok"
                except RatingRefused:
                    result = "refused"
                except Exception as exc:  # counted, and the test fails on it
                    result = type(exc).__name__
                with lock:
                    outcomes[result] += 1
        finally:
            connections.close_all()

    def interrupter() -> None:
        assert halfway is not None
        try:
            barrier.wait()
            for _i in range(len(tries) // 2):
                started.acquire()
            try:
                halfway()
            except Exception as exc:  # counted, and the test fails on it
                with lock:
                    outcomes[f"halfway: {type(exc).__name__}"] += 1
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(tries[i::attempts],)) for i in range(attempts)]
    if halfway:
        threads.append(threading.Thread(target=interrupter))
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

    from houbei.ballots.ratings.models import (
        RaterCount,
        RaterGroup,
        RatingCounter,
        RatingCredential,
    )
    from houbei.ballots.ratings.services import (
        GroupDraft,
        create_round,
        form_of,
        issue_codes,
        open_round,
    )
    from houbei.organisation.models import District
    from houbei.organisation.services import create_school
    from houbei.people.models import Person

    call_command("migrate", verbosity=0)
    school = create_school(actor=None, district=District.objects.create(name="区", code="d"),
                           name="学校", code="s")  # fmt: skip
    people = [Person.objects.create(school=school, staff_number=f"S{i}", name=f"对象{i}",
                                    gender="F") for i in range(3)]  # fmt: skip
    r = create_round(actor=None, school=school, title="民主测评", subjects=people,
                     groups=[GroupDraft("服务对象", 5)])  # fmt: skip
    codes = issue_codes(actor=None, rating_round=r, group=RaterGroup.objects.get(round=r),
                        count=40)  # fmt: skip
    r = open_round(actor=None, rating_round=r)
    form = form_of(r)
    sheet = {(s, d): form.grades[0][0] for s, _n in form.subjects for d, _m in form.dimensions}
    outcomes = storm(r.pk, codes, sheet)
    print(json.dumps({
        "outcomes": outcomes,
        "raters": RaterCount.objects.get(round=r).count,
        "used": RatingCredential.objects.filter(round=r, used=True).count(),
        "counted": sorted(set(RatingCounter.objects.filter(
            round=r, grade_id=form.grades[0][0]).values_list("count", flat=True))),
        "vendor": django.db.connection.vendor,
    }))  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
