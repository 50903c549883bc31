"""State changes of the staff registry: people, their post history, honours and annual
appraisal grades.

Every function is one atomic change with its audit entry, written in the same transaction.
The person row is locked first (``select_for_update``), so two edits of one file — or two
history rows checked for overlap at once — run one after the other.

Audit entries of history rows, honours and annual appraisals name the person as their target, so a person's
file shows its whole trail with one indexed query; the row itself is identified by ``row``
in the old/new values.

A national ID number never reaches the audit trail or the database in the clear: the
person row keeps it encrypted, as a keyed digest and masked; the audit shows the masked
form only.

Removing a history row, an honour or an annual appraisal is allowed, because a wrongly entered row is not part
of anyone's history; it needs a reason, and the audit entry keeps the removed values. A
post that was really held is ended (``end_post_history``), not removed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houbei.audit.services import diff, record
from houbei.core.errors import Conflict, ValidationFailed
from houbei.organisation.models import Post, School

from . import national_id
from .models import AnnualAppraisal, AppraisalGrade, Honour, Person, PostHistory
from .validation import (
    PERSON_FIELDS,
    annual_appraisal_errors,
    honour_errors,
    normalise_person_values,
    person_errors,
    post_history_errors,
)

REASON_MAX = 200


def _today() -> dt.date:
    return timezone.localdate()


def snapshot(person: Person) -> dict[str, Any]:
    """The audited view of a person: field codes and dates, the account by username and
    the national ID masked — never the clear number, its digest or its ciphertext."""
    values: dict[str, Any] = {}
    for field in PERSON_FIELDS:
        if field == "user":
            values["user"] = person.user.username if person.user_id and person.user else None
        else:
            values[field] = getattr(person, field)
    values["national_id"] = person.national_id_masked
    return values


def _check_fields(values: Mapping[str, Any]) -> None:
    unknown = set(values) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"not editable person fields: {sorted(unknown)}")


def _require_reason(reason: str, *, what: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed({"reason": [_("请填写%(what)s原因。") % {"what": what}]})
    if len(reason) > REASON_MAX:
        raise ValidationFailed({"reason": [_("原因不能超过%(n)d个字。") % {"n": REASON_MAX}]})
    return reason


def _lock(person: Person) -> Person:
    # Lock the person row only: PostgreSQL refuses FOR UPDATE on the nullable side of the
    # outer join to the account, and the school and account are not being changed.
    return (
        Person.objects.select_for_update(of=("self",))
        .select_related("school", "user")
        .get(pk=person.pk)
    )


def _refuse_if_archived(person: Person) -> None:
    if person.is_archived:
        raise Conflict(_("%(name)s的档案已归档，请先恢复档案再修改。") % {"name": person.name})


def _unique_violation(error: IntegrityError) -> ValidationFailed:
    # Only reached when another save slipped in between our check and our write.
    text = str(error)
    if "national_id" in text:
        return ValidationFailed({"national_id": [_("该身份证号刚被登记到本校其他教职工名下。")]})
    return ValidationFailed({"staff_number": [_("该工号刚被本校其他教职工使用，请换一个工号。")]})


def create_person(
    *,
    actor: Any,
    school: School,
    values: Mapping[str, Any],
    national_id_number: str = "",
) -> Person:
    """Create a person of ``school`` from ``values`` (keys of ``PERSON_FIELDS``).

    Raises ``ValidationFailed`` with per-field messages when a rule of ``validation`` is
    broken (duplicate staff number or national ID in the school, implausible dates …).
    Audit: ``people.person.created`` with every value (national ID masked)."""
    _check_fields(values)
    clean = normalise_person_values(values)
    number = national_id.normalise(national_id_number or "")
    try:
        with transaction.atomic():
            errors = person_errors(
                clean, school=school, national_id_raw=number or None, today=_today()
            )
            if errors:
                raise ValidationFailed(errors)
            person = Person(school=school, **clean, **national_id.protected_fields(number))
            person.save(force_insert=True)
            record(actor=actor, action="people.person.created", target=person, new=snapshot(person))
    except IntegrityError as error:
        raise _unique_violation(error) from error
    return person


def update_person(
    *,
    actor: Any,
    person: Person,
    values: Mapping[str, Any],
    national_id_number: str | None = None,
) -> Person:
    """Change some fields of ``person``; keys absent from ``values`` stay as they are.

    ``national_id_number``: None keeps the stored number, "" clears it, anything else
    replaces it. Archived people cannot be edited (``Conflict``). Raises
    ``ValidationFailed`` like ``create_person``. Audit: ``people.person.updated`` with the
    changed fields only (old and new); nothing is written when nothing changed."""
    _check_fields(values)
    clean = normalise_person_values(values)
    number = None if national_id_number is None else national_id.normalise(national_id_number)
    try:
        with transaction.atomic():
            locked = _lock(person)
            _refuse_if_archived(locked)
            before = snapshot(locked)
            merged = {field: getattr(locked, field) for field in PERSON_FIELDS} | clean
            errors = person_errors(
                merged,
                school=locked.school,
                person_pk=locked.pk,
                national_id_raw=number or None,
                today=_today(),
            )
            if errors:
                raise ValidationFailed(errors)
            for field, value in clean.items():
                setattr(locked, field, value)
            if number is not None:
                for field, value in national_id.protected_fields(number).items():
                    setattr(locked, field, value)
            old, new = diff(before, snapshot(locked))
            if not new:
                return locked
            locked.save()
            record(actor=actor, action="people.person.updated", target=locked, old=old, new=new)
    except IntegrityError as error:
        raise _unique_violation(error) from error
    return locked


def archive_person(*, actor: Any, person: Person, reason: str) -> Person:
    """Archive a person who has left the registry's working set (调出, 退休, data of a
    duplicate …). The record, its history and honours stay; default lists hide it.

    Requires a reason (``ValidationFailed``); an archived person gives ``Conflict``.
    Audit: ``people.person.archived`` with the reason."""
    reason = _require_reason(reason, what=_("归档"))
    with transaction.atomic():
        locked = _lock(person)
        if locked.is_archived:
            raise Conflict(_("%(name)s的档案已经归档。") % {"name": locked.name})
        locked.archived_at = timezone.now()
        locked.archive_reason = reason
        locked.save(update_fields=["archived_at", "archive_reason", "updated_at"])
        record(
            actor=actor,
            action="people.person.archived",
            target=locked,
            new={"archived_at": locked.archived_at},
            reason=reason,
        )
    return locked


def restore_person(*, actor: Any, person: Person, reason: str) -> Person:
    """Bring an archived person back into the working set.

    Requires a reason; a person who is not archived gives ``Conflict``. Audit:
    ``people.person.restored`` with the archive date and reason it undoes."""
    reason = _require_reason(reason, what=_("恢复"))
    with transaction.atomic():
        locked = _lock(person)
        if not locked.is_archived:
            raise Conflict(_("%(name)s的档案未归档，无需恢复。") % {"name": locked.name})
        old = {"archived_at": locked.archived_at, "archive_reason": locked.archive_reason}
        locked.archived_at = None
        locked.archive_reason = ""
        locked.save(update_fields=["archived_at", "archive_reason", "updated_at"])
        record(actor=actor, action="people.person.restored", target=locked, old=old, reason=reason)
    return locked


def _row_values(row: PostHistory) -> dict[str, Any]:
    return {
        "row": row.pk,
        "post": row.post.name,
        "start": row.start,
        "end": row.end,
        "note": row.note,
    }


def _lock_row(row: PostHistory) -> tuple[Person, PostHistory]:
    person = _lock(row.person)
    locked = PostHistory.objects.select_related("post").get(pk=row.pk, person=person)
    return person, locked


def add_post_history(
    *,
    actor: Any,
    person: Person,
    post: Post,
    start: dt.date,
    end: dt.date | None = None,
    note: str = "",
) -> PostHistory:
    """Record that ``person`` held ``post`` from ``start`` to ``end`` (None: still holds it).

    Raises ``ValidationFailed`` (post of another school, end before start, implausible
    dates, overlap with a row of the same post) or ``Conflict`` (archived person).
    Audit: ``people.post_history.added`` on the person."""
    with transaction.atomic():
        locked = _lock(person)
        _refuse_if_archived(locked)
        note = (note or "").strip()
        errors = post_history_errors(
            person=locked, post=post, start=start, end=end, note=note, today=_today()
        )
        if errors:
            raise ValidationFailed(errors)
        row = PostHistory.objects.create(person=locked, post=post, start=start, end=end, note=note)
        record(
            actor=actor,
            action="people.post_history.added",
            target=locked,
            new=_row_values(row),
        )
    return row


def update_post_history(
    *,
    actor: Any,
    entry: PostHistory,
    post: Post,
    start: dt.date,
    end: dt.date | None,
    note: str = "",
) -> PostHistory:
    """Correct a history row. Same rules and errors as ``add_post_history``.
    Audit: ``people.post_history.updated`` with the changed values."""
    with transaction.atomic():
        person, row = _lock_row(entry)
        _refuse_if_archived(person)
        note = (note or "").strip()
        errors = post_history_errors(
            person=person, post=post, start=start, end=end, row_pk=row.pk, note=note, today=_today()
        )
        if errors:
            raise ValidationFailed(errors)
        before = _row_values(row)
        row.post, row.start, row.end, row.note = post, start, end, note
        old, new = diff(before, _row_values(row))
        if not new:
            return row
        row.save()
        record(
            actor=actor,
            action="people.post_history.updated",
            target=person,
            old={"row": row.pk, **old},
            new={"row": row.pk, **new},
        )
    return row


def end_post_history(*, actor: Any, entry: PostHistory, end: dt.date) -> PostHistory:
    """Close an open history row on ``end`` (the last day in post).

    ``Conflict`` if the row is already closed; ``ValidationFailed`` if ``end`` is before
    its start or implausible. Audit: ``people.post_history.ended``."""
    with transaction.atomic():
        person, row = _lock_row(entry)
        _refuse_if_archived(person)
        if row.end is not None:
            raise Conflict(_("这条任职经历已于 %(end)s 结束。") % {"end": row.end.isoformat()})
        errors = post_history_errors(
            person=person, post=row.post, start=row.start, end=end, row_pk=row.pk, today=_today()
        )
        if errors:
            # The start is not being changed, so every message here is about the end date.
            raise ValidationFailed({"end": [m for ms in errors.values() for m in ms]})
        row.end = end
        row.save(update_fields=["end"])
        record(
            actor=actor,
            action="people.post_history.ended",
            target=person,
            old={"row": row.pk, "post": row.post.name, "end": None},
            new={"row": row.pk, "post": row.post.name, "end": end},
        )
    return row


def remove_post_history(*, actor: Any, entry: PostHistory, reason: str) -> None:
    """Delete a wrongly entered history row. Requires a reason; the audit entry
    ``people.post_history.removed`` keeps every value of the row."""
    reason = _require_reason(reason, what=_("删除"))
    with transaction.atomic():
        person, row = _lock_row(entry)
        _refuse_if_archived(person)
        old = _row_values(row)
        row.delete()
        record(
            actor=actor,
            action="people.post_history.removed",
            target=person,
            old=old,
            reason=reason,
        )


def _honour_values(honour: Honour) -> dict[str, Any]:
    return {
        "row": honour.pk,
        "title": honour.title,
        "level": honour.level,
        "year": honour.year,
        "note": honour.note,
    }


def _lock_honour(honour: Honour) -> tuple[Person, Honour]:
    person = _lock(honour.person)
    return person, Honour.objects.get(pk=honour.pk, person=person)


def add_honour(
    *, actor: Any, person: Person, title: str, level: int, year: int, note: str = ""
) -> Honour:
    """Record an honour (称号, level, year). ``ValidationFailed`` for a missing title,
    unknown level, a year outside 1949…this year, or the same honour twice.
    Audit: ``people.honour.added`` on the person."""
    title = " ".join((title or "").split())
    with transaction.atomic():
        locked = _lock(person)
        _refuse_if_archived(locked)
        note = (note or "").strip()
        errors = honour_errors(
            person=locked, title=title, level=level, year=year, note=note, today=_today()
        )
        if errors:
            raise ValidationFailed(errors)
        honour = Honour.objects.create(
            person=locked, title=title, level=level, year=year, note=note
        )
        record(actor=actor, action="people.honour.added", target=locked, new=_honour_values(honour))
    return honour


def update_honour(
    *, actor: Any, honour: Honour, title: str, level: int, year: int, note: str = ""
) -> Honour:
    """Correct an honour; same rules as ``add_honour``. Audit: ``people.honour.updated``."""
    title = " ".join((title or "").split())
    with transaction.atomic():
        person, row = _lock_honour(honour)
        _refuse_if_archived(person)
        note = (note or "").strip()
        errors = honour_errors(
            person=person,
            title=title,
            level=level,
            year=year,
            honour_pk=row.pk,
            note=note,
            today=_today(),
        )
        if errors:
            raise ValidationFailed(errors)
        before = _honour_values(row)
        row.title, row.level, row.year, row.note = title, level, year, note
        old, new = diff(before, _honour_values(row))
        if not new:
            return row
        row.save()
        record(
            actor=actor,
            action="people.honour.updated",
            target=person,
            old={"row": row.pk, **old},
            new={"row": row.pk, **new},
        )
    return row


def remove_honour(*, actor: Any, honour: Honour, reason: str) -> None:
    """Delete a wrongly entered honour. Requires a reason; the audit entry
    ``people.honour.removed`` keeps its values."""
    reason = _require_reason(reason, what=_("删除"))
    with transaction.atomic():
        person, row = _lock_honour(honour)
        _refuse_if_archived(person)
        old = _honour_values(row)
        row.delete()
        record(actor=actor, action="people.honour.removed", target=person, old=old, reason=reason)


def _appraisal_values(appraisal: AnnualAppraisal) -> dict[str, Any]:
    return {
        "row": appraisal.pk,
        "year": appraisal.year,
        "grade": appraisal.grade,
        "note": appraisal.note,
    }


def _lock_appraisal(appraisal: AnnualAppraisal) -> tuple[Person, AnnualAppraisal]:
    person = _lock(appraisal.person)
    return person, AnnualAppraisal.objects.get(pk=appraisal.pk, person=person)


def _same_year(error: IntegrityError, year: int) -> ValidationFailed:
    # Only reached when another save of the same year slipped in after our check.
    return ValidationFailed(
        {"year": [_("%(year)s年度的考核等次刚被他人登记，请刷新后核对。") % {"year": year}]}
    )


def add_annual_appraisal(
    *, actor: Any, person: Person, year: int, grade: str, note: str = ""
) -> AnnualAppraisal:
    """Record ``person``'s 年度考核等次 for ``year`` (an ``AppraisalGrade`` code).

    ``ValidationFailed`` for an unknown grade, a year outside 1949…this year or before
    the person started work, or a year that already has a grade (one per person and
    year: correct it with ``update_annual_appraisal``); ``Conflict`` for an archived
    person. Audit: ``people.appraisal.added`` on the person."""
    note = (note or "").strip()
    try:
        with transaction.atomic():
            locked = _lock(person)
            _refuse_if_archived(locked)
            errors = annual_appraisal_errors(
                person=locked, year=year, grade=grade, note=note, today=_today()
            )
            if errors:
                raise ValidationFailed(errors)
            appraisal = AnnualAppraisal.objects.create(
                person=locked, year=year, grade=AppraisalGrade(grade), note=note
            )
            record(
                actor=actor,
                action="people.appraisal.added",
                target=locked,
                new=_appraisal_values(appraisal),
            )
    except IntegrityError as error:
        raise _same_year(error, year) from error
    return appraisal


def update_annual_appraisal(
    *, actor: Any, appraisal: AnnualAppraisal, year: int, grade: str, note: str = ""
) -> AnnualAppraisal:
    """Correct an annual appraisal (its year, grade or note); same rules as
    ``add_annual_appraisal``. Audit: ``people.appraisal.updated`` with the changed values;
    nothing is written when nothing changed."""
    note = (note or "").strip()
    try:
        with transaction.atomic():
            person, row = _lock_appraisal(appraisal)
            _refuse_if_archived(person)
            errors = annual_appraisal_errors(
                person=person,
                year=year,
                grade=grade,
                note=note,
                appraisal_pk=row.pk,
                today=_today(),
            )
            if errors:
                raise ValidationFailed(errors)
            before = _appraisal_values(row)
            row.year, row.grade, row.note = year, AppraisalGrade(grade), note
            old, new = diff(before, _appraisal_values(row))
            if not new:
                return row
            row.save()
            record(
                actor=actor,
                action="people.appraisal.updated",
                target=person,
                old={"row": row.pk, **old},
                new={"row": row.pk, **new},
            )
    except IntegrityError as error:
        raise _same_year(error, year) from error
    return row


def remove_annual_appraisal(*, actor: Any, appraisal: AnnualAppraisal, reason: str) -> None:
    """Delete a wrongly entered annual appraisal (a grade really given is corrected, not
    removed). Requires a reason; the audit entry ``people.appraisal.removed`` keeps its
    values."""
    reason = _require_reason(reason, what=_("删除"))
    with transaction.atomic():
        person, row = _lock_appraisal(appraisal)
        _refuse_if_archived(person)
        old = _appraisal_values(row)
        row.delete()
        record(
            actor=actor, action="people.appraisal.removed", target=person, old=old, reason=reason
        )
