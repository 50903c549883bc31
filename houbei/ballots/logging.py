"""A log filter that keeps the ballot store's statements out of the logs.

With ``DEBUG`` on (never in production, but a school's IT staff may turn it on to chase a
problem) Django logs every SQL statement with its parameters on ``django.db.backends`` —
which would write each ballot's marks, and the order they came in, to the log. This filter,
installed on that logger by the settings, drops every record whose statement touches a
table of the ballot store."""

from __future__ import annotations

import logging

# The tables whose rows must not be logged: what was cast, the receipts, the credentials
# being consumed, the roll being marked (and the ratings' counters and comments).
SECRET_TABLES = (
    "ballots_ballot",
    "ballots_receipt",
    "ballots_credential",
    "ballots_rollentry",
    "ballots_paperentry",
    "ratings_",
)


class HideBallotQueries(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        sql = getattr(record, "sql", None)
        if sql is None:
            text = record.getMessage() if record.args else str(record.msg)
        else:
            text = str(sql)
        return not any(table in text for table in SECRET_TABLES)
