"""T8 for ratings: rate through the pages with every log at DEBUG (SQL statements
included), an administrator's error mail with the full HTML report, a forced 500 in the
middle of a sheet, the session store, the cache and the audit trail — then look for every
code and every comment anywhere they could have landed. None may be found."""

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
from houbei.ballots.ratings.models import RaterCount, RatingComment
from houbei.ballots.ratings.services import form_of

from .conftest import full_sheet, make_round

pytestmark = pytest.mark.django_db


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record) + " " + json.dumps(record.__dict__, default=str))


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
    hide = HideBallotQueries()
    db_logger.addFilter(hide)
    try:
        yield capture
    finally:
        root.removeHandler(capture)
        request_logger.removeHandler(mailer)
        db_logger.removeFilter(hide)
        root.setLevel(old[0])
        db_logger.setLevel(old[1])


def _post(rating_round, code, shift, comment):
    data = {"code": code, "step": "confirm"}
    for (s, d), g in full_sheet(rating_round, shift, 1).items():
        data[f"g-{s}-{d}"] = str(g)
    data[f"c-{form_of(rating_round).subjects[0][0]}"] = comment
    return data


@override_settings(DEBUG=True, ADMINS=["it@example.org"])
def test_no_code_or_comment_is_left_anywhere(client, school, everything_logged, monkeypatch):
    connection.force_debug_cursor = True  # SQL logging on, as with DEBUG in production
    made_comments = [f"金丝雀评语{i}号" for i in range(4)]
    try:
        rating_round, made = make_round(school)
        slips = made["服务对象"]
        url = reverse("ratings:rate", args=[rating_round.key])
        client.get(url)
        for i, code in enumerate(slips[:3]):
            client.post(
                url,
                _post(rating_round, codes.display(code), i, made_comments[i]) | {"step": "fill"},
            )
            client.post(url, _post(rating_round, codes.display(code), i, made_comments[i]))
        client.post(url, _post(rating_round, slips[0], 0, "再来一次"))  # a used code
        client.post(url, _post(rating_round, "NOT-A-CODE", 0, "格式不对"))

        def boom(*args, **kwargs):
            raise RuntimeError("simulated failure while storing the comments")

        monkeypatch.setattr(RatingComment.objects, "bulk_create", boom)
        client.raise_request_exception = False
        crashed = client.post(url, _post(rating_round, slips[4], 3, made_comments[3]))
        assert crashed.status_code == 500
    finally:
        connection.force_debug_cursor = False

    assert RatingComment.objects.count() == 3 and mail.outbox, "the scenario did not run"
    assert sum(RaterCount.objects.values_list("count", flat=True)) == 3
    canaries = set(made_comments)
    for code in slips[:5]:
        canaries |= {code, codes.display(code), codes.digest(code, purpose="rating")}
    places = {
        "logs": "\n".join(everything_logged.lines),
        "mail": "\n".join(
            m.body + "".join(str(a[0] if isinstance(a, tuple) else a) for a in m.alternatives)
            for m in mail.outbox
        ),
        "sessions": "\n".join(str(s.get_decoded()) for s in Session.objects.all()),
        "cache": repr(getattr(cache, "_cache", {})),
        "audit": "\n".join(
            json.dumps(
                [e.action, e.old, e.new, e.reason, e.target_label], default=str, ensure_ascii=False
            )
            for e in AuditEntry.objects.all()
        ),
        "cookies": repr(client.cookies),
    }
    assert "ratings_ratingcounter" not in places["logs"]
    assert "SELECT" in places["logs"], "SQL logging was not on"
    found = {(where, c) for where, text in places.items() for c in canaries if c in text}
    assert not found
