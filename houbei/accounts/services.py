"""Account state changes: login failures and lock-out, password change, API tokens."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from houbei.audit.services import record

from .models import ApiToken, User


def note_failed_login(*, username: str) -> bool:
    """Count a failed login for ``username``; lock the account once the limit is reached.

    The counter is incremented in the database (F expression) so two failures arriving at
    once are both counted. Returns True when this failure locked the account."""
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None:
            return False
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        user.refresh_from_db(fields=["failed_logins"])
        if user.failed_logins < settings.LOGIN_FAILURE_LIMIT:
            return False
        user.locked_until = timezone.now() + dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
        user.failed_logins = 0
        user.save(update_fields=["locked_until", "failed_logins"])
        record(
            actor=None,
            action="accounts.user.locked",
            target=user,
            school=user.school,
            new={"locked_until": user.locked_until},
            reason=f"连续{settings.LOGIN_FAILURE_LIMIT}次登录失败",
        )
        return True


def note_successful_login(*, user: User) -> None:
    if user.failed_logins or user.locked_until:
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)


def change_password(*, actor: User, user: User, new_password: str) -> None:
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        record(
            actor=actor, action="accounts.user.password_changed", target=user, school=user.school
        )


def issue_api_token(*, actor: User, name: str) -> tuple[ApiToken, str]:
    with transaction.atomic():
        token, raw = ApiToken.issue(user=actor, name=name)
        record(
            actor=actor,
            action="accounts.api_token.issued",
            target=token,
            school=actor.school,
            new={"name": name, "prefix": token.prefix},
        )
        return token, raw


def revoke_api_token(*, actor: User, token: ApiToken) -> None:
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(actor=actor, action="accounts.api_token.revoked", target=token, school=actor.school)
