"""T8, the canary scan: vote through the pages with every log at DEBUG (SQL statements
included), an administrator's error mail with the full HTML report, a forced 500 in the
middle of a cast, the session store, the cache and the audit trail — then look for every
code, receipt and selection anywhere they could have landed. None may be found."""

from __future__ import annotations

import json
import logging

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils.log import AdminEmailHandler

from houbei.audit.models import AuditEntry
from houbei.ballots import codes
from houbei.ballots.logging import HideBallotQueries
from houbei.ballots.models import Ballot, Receipt

from .conftest import make_election, receipt_insert_fails

pytestmark = pytest.mark.django_db


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = self.format(record)
        self.lines.append(text + " " + json.dumps(record.__dict__, default=str))


@pytest.fixture
def everything_logged():
    """Every logger at DEBUG into one capture, through the filter the settings install,
    plus the admins' error mail with the HTML report attached."""
    capture = Capture()
    capture.addFilter(HideBallotQueries())
    mailer = AdminEmailHandler(include_html=True)
    root = logging.getLogger()
    request_logger = logging.getLogger("django.request")
    db_logger = logging.getLogger("django.db.backends")
    old = root.level, db_logger.level
    root.addHandler(capture)
    request_logger.addHandler(mailer)
    root.setLevel(logging.DEBUG)
    db_logger.setLevel(logging.DEBUG)
    db_logger.addFilter(HideBallotQueries())
    try:
        yield capture
    finally:
        root.removeHandler(capture)
        request_logger.removeHandler(mailer)
        root.setLevel(old[0])
        db_logger.setLevel(old[1])


def _post(election, code, picks):
    data: dict[str, object] = {"code": code, "step": "confirm"}
    for bl, chosen in zip(election.lists.prefetch_related("candidates"), picks, strict=True):
        data[f"list-{bl.pk}"] = [str(bl.candidates.all()[i].pk) for i in chosen]
    return data


@override_settings(DEBUG=True, ADMINS=["it@example.org"])
def test_no_code_receipt_or_selection_is_left_anywhere(
    client, school, candidates, everything_logged, monkeypatch
):
    connection.force_debug_cursor = True  # SQL logging on, as with DEBUG in production
    try:
        election, slips = make_election(school, candidates, slips=6)
        url = reverse("vote:cast", args=[election.key])
        client.get(url)
        picks = [([0, 1], [2, 3, 4]), ([3], []), ([1, 2], [0])]
        for code, pick in zip(slips, picks, strict=False):
            client.post(url, _post(election, codes.display(code), pick) | {"step": "choose"})
            client.post(url, _post(election, codes.display(code), pick))
        # A used code again, a malformed one.
        client.post(url, _post(election, slips[0], ([0], [])))
        client.post(url, _post(election, "NOT-A-CODE", ([0], [])))

        # A crash half-way through a cast: the server answers 500, the admins get a mail.
        client.raise_request_exception = False
        with receipt_insert_fails():
            crashed = client.post(url, _post(election, slips[4], ([2, 3], [5])))
        assert crashed.status_code == 500
    finally:
        connection.force_debug_cursor = False

    receipts = list(Receipt.objects.values_list("code", flat=True))
    marks = list(Ballot.objects.values_list("marks", flat=True))
    assert len(receipts) == len(marks) == 3 and mail.outbox, "the scenario did not run"
    canaries = set()
    for code in slips:
        canaries |= {code, codes.display(code), codes.digest(code)}
    for receipt in receipts:
        canaries |= {receipt, codes.display_receipt(receipt)}
    for m in marks:
        canaries.add(json.dumps(m))
        canaries.add(json.dumps(m, separators=(",", ":")))
    places = {
        "logs": "\n".join(everything_logged.lines),
        "mail": "\n".join(
            m.body + "".join(str(a[0] if isinstance(a, tuple) else a) for a in m.alternatives)
            for m in mail.outbox
        ),
        "sessions": "\n".join(str(s.get_decoded()) for s in Session.objects.all()),
        "cache": repr(getattr(cache, "_cache", {})),
        "audit": "\n".join(
            json.dumps([e.action, e.old, e.new, e.reason, e.target_label], default=str)
            for e in AuditEntry.objects.all()
        ),
        "cookies": repr(client.cookies),
    }
    assert "ballots_ballot" not in places["logs"]
    assert "SELECT" in places["logs"], "SQL logging was not on"
    found = {(where, c) for where, text in places.items() for c in canaries if c in text}
    assert not found
