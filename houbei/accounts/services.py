"""Account state changes: login failures and lock-out, passwords, API tokens, user
administration, and the schools and districts a system administrator keeps."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from houbei.audit.services import diff, record
from houbei.core.errors import Conflict, DomainError, ValidationFailed
from houbei.organisation.models import District, School

from .access import Cap, has_cap
from .models import ApiToken, Role, User


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
    """Issue a token for ``actor`` itself and return it with the raw value, which is shown
    once and never stored (only its digest is)."""
    name = name.strip()
    if not name:
        raise ValidationFailed({"name": [_("请填写令牌用途。")]})
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
    """Revoke ``token`` from now on. Only its owner or a user administrator may revoke it;
    a token is revoked once (the second attempt is refused, so the audit trail keeps the
    first revocation time)."""
    if token.user_id != actor.pk and not has_cap(actor, Cap.USERS_MANAGE):
        raise DomainError(_("只能吊销自己的令牌。"))
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            raise Conflict(_("令牌“%(name)s”已于此前吊销。") % {"name": locked.name})
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        token.revoked_at = locked.revoked_at
        record(
            actor=actor,
            action="accounts.api_token.revoked",
            target=locked,
            school=actor.school,
            old={"revoked_at": None},
            new={"revoked_at": locked.revoked_at},
        )


# --- User administration (系统管理员) ------------------------------------------------------

SCHOOL_ROLES = frozenset({Role.PERSONNEL, Role.DECISION, Role.MENTOR, Role.STAFF})

# Read out over the phone or copied from the screen: no 0/O, 1/l/I look-alikes.
_READABLE_CHARS = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def generate_password() -> str:
    """A random initial or reset password: four groups of four characters (about 92 bits),
    long and random enough to pass every configured password validator."""
    groups = ("".join(secrets.choice(_READABLE_CHARS) for _ in range(4)) for _ in range(4))
    return "-".join(groups)


def scope_of(
    role: str,
    school: School | None,
    district: District | None,
    *,
    current_school_id: int | None = None,
) -> tuple[School | None, District | None, dict[str, list[str]]]:
    """The school and district a user of ``role`` keeps, and what is missing, by field.

    A school role acts in one school (its district follows from the school); the district
    role spans one district; the system administrator is bound to neither. Values the role
    does not use are dropped rather than refused, so changing a role in the form does not
    also require clearing the other field. Mirrors the check constraints on ``User``.
    A deactivated school takes no new users, but its existing users stay editable
    (``current_school_id``)."""
    errors: dict[str, list[str]] = {}
    try:
        label = Role(role).label
    except ValueError:
        return None, None, {"role": [_("角色“%(role)s”不存在。") % {"role": role}]}
    if role in SCHOOL_ROLES:
        if school is None:
            errors["school"] = [_("角色“%(role)s”须指定所属学校。") % {"role": label}]
        elif not school.is_active and school.pk != current_school_id:
            errors["school"] = [_("学校“%(school)s”已停用，不能再分配用户。") % {"school": school}]
        return school, None, errors
    if role == Role.DISTRICT:
        if district is None:
            errors["district"] = [_("角色“%(role)s”须指定所属区。") % {"role": label}]
        return None, district, errors
    return None, None, errors


def _snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "school": user.school_id,
        "district": user.district_id,
        "is_active": user.is_active,
    }


def create_user(
    *,
    actor: User,
    username: str,
    display_name: str,
    role: str,
    school: School | None = None,
    district: District | None = None,
    is_active: bool = True,
) -> tuple[User, str]:
    """Create an account with a generated password, returned once for the administrator to
    hand over; only its hash is stored.

    Errors: ``ValidationFailed`` naming the field — a taken or malformed username, a school
    role without a school (or with an inactive one), the district role without a district."""
    username = username.strip()
    errors: dict[str, list[str]] = {}
    if not username:
        errors["username"] = [_("请填写用户名。")]
    else:
        try:
            User.username_validator(username)
        except DjangoValidationError:
            errors["username"] = [_("用户名只能包含字母、数字和 @ . + - _ 字符。")]
        if User.objects.filter(username__iexact=username).exists():
            errors["username"] = [_("用户名“%(username)s”已被使用。") % {"username": username}]
    school, district, scope_errors = scope_of(role, school, district)
    errors |= scope_errors
    if errors:
        raise ValidationFailed(errors)
    password = generate_password()
    try:
        with transaction.atomic():
            user = User(
                username=username,
                display_name=display_name.strip(),
                role=role,
                school=school,
                district=district,
                is_active=is_active,
            )
            user.set_password(password)
            user.save()
            record(
                actor=actor,
                action="accounts.user.created",
                target=user,
                school=school,
                new=_snapshot(user),
            )
    except IntegrityError:
        # Two administrators chose the same username at the same moment.
        raise ValidationFailed(
            {"username": [_("用户名“%(username)s”已被使用。") % {"username": username}]}
        ) from None
    return user, password


def update_user(
    *,
    actor: User,
    user: User,
    display_name: str,
    role: str,
    school: School | None,
    district: District | None,
    is_active: bool,
) -> User:
    """Change a user's name, role, school or district, and whether the account is active.

    An administrator cannot deactivate their own account or give up their own
    administrator role: that is how a deployment ends up with nobody able to manage it.
    Deactivating ends the user's sessions and API access at their next request (both check
    ``is_active``). No change, no audit entry. Errors: ``ValidationFailed`` by field."""
    school, district, errors = scope_of(role, school, district, current_school_id=user.school_id)
    if user.pk == actor.pk and not is_active:
        errors.setdefault("is_active", []).append(_("不能停用自己的账号。"))
    if user.pk == actor.pk and role != actor.role:
        errors.setdefault("role", []).append(_("不能更改自己的角色。"))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = _snapshot(locked)
        locked.display_name = display_name.strip()
        locked.role = role
        locked.school = school
        locked.district = district
        locked.is_active = is_active
        old, new = diff(before, _snapshot(locked))
        if not new:
            return locked
        locked.save(update_fields=["display_name", "role", "school", "district", "is_active"])
        record(
            actor=actor,
            action="accounts.user.updated",
            target=locked,
            school=locked.school or user.school,
            old=old,
            new=new,
        )
    return locked


def reset_password(*, actor: User, user: User) -> str:
    """Give ``user`` a new generated password and return it once.

    The user's sessions end (their session hash no longer matches) and a lock-out is lifted,
    since a forgotten password is the usual reason for both. One's own password is changed
    with the old one instead (``change_password``)."""
    if user.pk == actor.pk:
        raise DomainError(_("请通过“修改密码”修改自己的密码。"))
    password = generate_password()
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        was_locked = locked.is_locked()
        locked.set_password(password)
        locked.failed_logins = 0
        locked.locked_until = None
        locked.save(update_fields=["password", "failed_logins", "locked_until"])
        record(
            actor=actor,
            action="accounts.user.password_reset",
            target=locked,
            school=locked.school,
            new={"unlocked": was_locked},
        )
    return password


def unlock_user(*, actor: User, user: User) -> None:
    """Lift a lock-out left by repeated failed logins. Refused if the account is not locked."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.is_locked():
            raise Conflict(_("账号“%(user)s”当前未被锁定。") % {"user": locked.username})
        old = {"locked_until": locked.locked_until}
        locked.failed_logins = 0
        locked.locked_until = None
        locked.save(update_fields=["failed_logins", "locked_until"])
        record(
            actor=actor,
            action="accounts.user.unlocked",
            target=locked,
            school=locked.school,
            old=old,
            new={"locked_until": None},
        )


# --- Districts and schools (系统管理员) ----------------------------------------------------


def _code_errors(code: str, taken: bool) -> list[str]:
    if not code:
        return [_("请填写代码。")]
    try:
        validate_slug(code)
    except DjangoValidationError:
        return [_("代码只能包含字母、数字、连字符和下划线。")]
    if taken:
        return [_("代码“%(code)s”已被使用。") % {"code": code}]
    return []


def create_district(*, actor: User, name: str, code: str) -> District:
    """Add a district (区教育局) so its schools can be created.

    Errors: ``ValidationFailed`` for a missing or taken name or code."""
    name, code = name.strip(), code.strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("请填写名称。")]
    elif District.objects.filter(name=name).exists():
        errors["name"] = [_("区“%(name)s”已存在。") % {"name": name}]
    code_errors = _code_errors(code, District.objects.filter(code=code).exists())
    if code_errors:
        errors["code"] = code_errors
    if errors:
        raise ValidationFailed(errors)
    try:
        with transaction.atomic():
            district = District.objects.create(name=name, code=code)
            record(
                actor=actor,
                action="organisation.district.created",
                target=district,
                new={"name": name, "code": code},
            )
    except IntegrityError:
        raise ValidationFailed({"name": [_("区“%(name)s”已存在。") % {"name": name}]}) from None
    return district


def add_school(
    *, actor: User, district: District, name: str, code: str, short_name: str = ""
) -> School:
    """Validate and create a school through ``organisation.services.create_school``, which
    also seeds the plan's ten rotation posts.

    Errors: ``ValidationFailed`` — a name already used in the district, a missing,
    malformed or taken code."""
    from houbei.organisation.services import create_school

    name, code, short_name = name.strip(), code.strip(), short_name.strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("请填写校名。")]
    elif School.objects.filter(district=district, name=name).exists():
        errors["name"] = [
            _("%(district)s已有学校“%(name)s”。") % {"district": district, "name": name}
        ]
    code_errors = _code_errors(code, School.objects.filter(code=code).exists())
    if code_errors:
        errors["code"] = code_errors
    if errors:
        raise ValidationFailed(errors)
    try:
        return create_school(
            actor=actor, district=district, name=name, code=code, short_name=short_name
        )
    except IntegrityError:
        raise ValidationFailed({"code": [_("代码“%(code)s”已被使用。") % {"code": code}]}) from None


def update_school(*, actor: User, school: School, name: str, short_name: str) -> School:
    """Rename a school or change its short name. No change, no audit entry.

    Errors: ``ValidationFailed`` — an empty name, or one another school of the district uses."""
    name, short_name = name.strip(), short_name.strip()
    if not name:
        raise ValidationFailed({"name": [_("请填写校名。")]})
    with transaction.atomic():
        locked = School.objects.select_for_update().get(pk=school.pk)
        if (
            School.objects.filter(district_id=locked.district_id, name=name)
            .exclude(pk=locked.pk)
            .exists()
        ):
            raise ValidationFailed({"name": [_("本区已有学校“%(name)s”。") % {"name": name}]})
        before = {"name": locked.name, "short_name": locked.short_name}
        locked.name, locked.short_name = name, short_name
        old, new = diff(before, {"name": name, "short_name": short_name})
        if new:
            locked.save(update_fields=["name", "short_name"])
            record(
                actor=actor,
                action="organisation.school.updated",
                target=locked,
                school=locked,
                old=old,
                new=new,
            )
    return locked


def set_school_active(*, actor: User, school: School, active: bool, reason: str) -> School:
    """Deactivate a school (its records are kept; no new users can be assigned to it) or
    bring it back. A reason is required for both, and kept in the audit trail.

    Errors: ``ValidationFailed`` without a reason; ``Conflict`` if it is already so."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": [_("请填写理由。")]})
    with transaction.atomic():
        locked = School.objects.select_for_update().get(pk=school.pk)
        if locked.is_active == active:
            message = (
                _("学校“%(school)s”已是启用状态。") if active else _("学校“%(school)s”已停用。")
            )
            raise Conflict(message % {"school": locked})
        locked.is_active = active
        locked.save(update_fields=["is_active"])
        record(
            actor=actor,
            action="organisation.school.reactivated"
            if active
            else "organisation.school.deactivated",
            target=locked,
            school=locked,
            old={"is_active": not active},
            new={"is_active": active},
            reason=reason,
        )
    return locked
