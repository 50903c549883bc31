"""Error reports that hide what views and functions mark as sensitive, in every mode.

Django's ``SafeExceptionReporterFilter`` stands down when ``DEBUG`` is on. Houbei's
casting and rating code marks its codes, marks and receipts with ``sensitive_variables``
and ``sensitive_post_parameters``; those must stay hidden even on a server someone put
in DEBUG to chase a problem (``docs/ballots.md``), so the filter is always active."""

from __future__ import annotations

from django.http import HttpRequest
from django.views.debug import SafeExceptionReporterFilter


class AlwaysSafeExceptionReporterFilter(SafeExceptionReporterFilter):
    def is_active(self, request: HttpRequest | None) -> bool:
        return True
