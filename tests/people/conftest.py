"""The registry's tests log users in with ``force_login`` and never check a password, so
they hash the fixture users' passwords with a fast hasher; Argon2 would spend seconds
per test on the six users of the ``users`` fixture."""

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
