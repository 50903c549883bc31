"""Every change to an election, and casting.

Administrative steps (create, issue slips, open, close, tally) are audited with their
actor. Casting is not: it runs without knowing who casts, writes no audit entry, no log
line and nothing to the session, and it is one transaction — the credential is
consumed by a conditional UPDATE (so two simultaneous casts with one code cannot both
pass), then the ballot and the receipt are inserted; any failure rolls all of it back.
On SQLite the settings open every transaction IMMEDIATE, so concurrent casts queue on
the write lock instead of failing."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from houbei.audit.services import record
from houbei.core.errors import DomainError, ValidationFailed
from houbei.organisation.models import School
from houbei.people.models import Person

from . import codes
from .models import (
    Ballot,
    BallotList,
    Candidate,
    Channel,
    Credential,
    Election,
    Mode,
    Receipt,
    RollEntry,
    Status,
)
from .store import rewrite_in_key_order
from .tally import ListSpec, Tally, canonical_marks, count, digest, list_is_valid

MAX_SLIPS = 2000  # per request to issue slips


class CastRefused(DomainError):
    status_code = 409


@dataclass(frozen=True)
class ListDraft:
    name: str
    quota: int
    candidates: Sequence[Person]


def _guard(election: Election, status: str) -> None:
    if not election.can_become(status):
        raise ValidationFailed(
            message=_("当前状态为“%(now)s”，不能执行此操作。")
            % {"now": election.get_status_display()}
        )


def create_election(
    *,
    actor: Any,
    school: School,
    title: str,
    lists: Sequence[ListDraft],
    mode: str = Mode.SLIPS,
    electorate: int = 0,
    quorum: Fraction = Fraction(2, 3),
) -> Election:
    """A draft election with its lists and candidates; ``quorum`` is the share of the
    electorate that must take part (2/3 by default). Raises ValidationFailed for a
    missing title, no list, a quota below 1, a quorum outside (0, 1], or a candidate from
    another school."""
    title = title.strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [str(_("请填写名称。"))]
    if not lists:
        errors["lists"] = [str(_("至少需要一个推荐名单。"))]
    if not 0 < quorum <= 1:
        errors["quorum"] = [str(_("参与率要求应大于0且不超过1。"))]
    for number, draft in enumerate(lists, start=1):
        if draft.quota < 1:
            errors.setdefault("lists", []).append(
                str(_("第%(n)d个名单：应选人数至少为1。") % {"n": number})
            )
        for person in draft.candidates:
            if person.school_id != school.pk:
                errors.setdefault("lists", []).append(
                    str(
                        _("第%(n)d个名单：%(name)s不是本校教职工。")
                        % {"n": number, "name": person.name}
                    )
                )
    if mode not in Mode.values:
        errors["mode"] = [str(_("投票方式无效。"))]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        election = Election.objects.create(
            school=school, title=title, mode=mode, electorate=electorate,
            quorum_numerator=quorum.numerator, quorum_denominator=quorum.denominator,
            created_by=actor if getattr(actor, "pk", None) else None,
        )  # fmt: skip
        for position, draft in enumerate(lists):
            ballot_list = BallotList.objects.create(
                election=election, name=draft.name.strip(), quota=draft.quota, position=position
            )
            Candidate.objects.bulk_create(
                Candidate(ballot_list=ballot_list, person=p, name=p.name, position=i)
                for i, p in enumerate(draft.candidates)
            )
        record(
            actor=actor,
            action="ballots.election.created",
            target=election,
            school=school,
            new={"title": title, "mode": mode, "electorate": electorate,
                 "lists": [{"name": d.name, "quota": d.quota, "candidates": len(d.candidates)}
                           for d in lists]},
        )  # fmt: skip
    return election


def issue_slips(*, actor: Any, election: Election, count: int) -> list[str]:
    """``count`` new one-time codes for printing, returned once and never stored: the
    database keeps only their digests. Allowed before close. Raises ValidationFailed."""
    if not 1 <= count <= MAX_SLIPS:
        raise ValidationFailed({"count": [str(_("每次可生成1至%(max)d张。") % {"max": MAX_SLIPS})]})
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=election.pk)
        if election.status not in (Status.DRAFT, Status.OPEN):
            raise ValidationFailed(message=_("投票已结束，不能再发放投票码。"))
        made = [codes.new_code() for _i in range(count)]
        Credential.objects.bulk_create(
            Credential(election=election, code_digest=codes.digest(code)) for code in made
        )
        record(actor=actor, action="ballots.slips.issued", target=election, new={"count": count})
    return made


def _move(*, actor: Any, election: Election, status: str, action: str) -> Election:
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=election.pk)
        _guard(election, status)
        old = election.status
        election.status = status
        election.save(update_fields=["status"])
        if status == Status.CLOSED:
            _rewrite_in_random_order(election.pk)
        record(actor=actor, action=action, target=election, old={"status": old},
               new={"status": status})  # fmt: skip
    return election


def open_election(*, actor: Any, election: Election) -> Election:
    return _move(
        actor=actor, election=election, status=Status.OPEN, action="ballots.election.opened"
    )


def close_election(*, actor: Any, election: Election) -> Election:
    """Stop casting and rewrite the anonymous tables so their physical order says
    nothing of the order of casting."""
    return _move(
        actor=actor, election=election, status=Status.CLOSED, action="ballots.election.closed"
    )


def _rewrite_in_random_order(election_id: int) -> None:
    """On PostgreSQL first touch every row of the election, so all carry this
    transaction's id (a roll vote is two transactions back to back, so its entry's id and
    its ballot's would otherwise stay neighbours); then rewrite the tables in key order
    (``store``)."""
    # The roll too: updating an entry moves it, so its place would tell who took part when.
    tables = (Ballot, Receipt, Credential, RollEntry)
    if connection.vendor == "postgresql":
        q = connection.ops.quote_name
        with connection.cursor() as cursor:
            for model in tables:
                # Only the models' own table names, quoted, are spliced in.
                cursor.execute(
                    f"UPDATE {q(model._meta.db_table)} SET election_id = election_id "  # noqa: S608
                    "WHERE election_id = %s",
                    [election_id],
                )
    rewrite_in_key_order(tables)


# Lists and candidates are fixed once an election leaves draft (``create_election`` makes
# them and nothing edits them), so casting need not read them again for every ballot.
# Keyed by id, the unguessable key (an id comes back in a re-created or restored database,
# a key does not) and status; a draft is never kept. Nothing about votes is kept here.
_SPECS: dict[tuple[int, str, str], tuple[ListSpec, ...]] = {}
_SPECS_MAX = 256


def specs_of(election: Election) -> list[ListSpec]:
    return _specs(election.pk, election.key, election.status)


def _specs(election_id: int, key: Any, status: str) -> list[ListSpec]:
    cache_key = (election_id, str(key), status)
    specs = _SPECS.get(cache_key)
    if specs is None:
        specs = _read_specs(election_id)
        if status != Status.DRAFT:
            if len(_SPECS) >= _SPECS_MAX:
                _SPECS.clear()
            _SPECS[cache_key] = specs
    return list(specs)


def _read_specs(election_id: int) -> tuple[ListSpec, ...]:
    # Explicit orderings: the models' default ones would join up to the school and the
    # district just to sort by them.
    lists = list(
        BallotList.objects.filter(election_id=election_id)
        .order_by("position", "pk")
        .values_list("pk", "name", "quota")
    )
    names: dict[int, list[tuple[int, str]]] = {pk: [] for pk, _name, _quota in lists}
    candidates = (
        Candidate.objects.filter(ballot_list__election_id=election_id)
        .order_by("position", "pk")
        .values_list("ballot_list_id", "pk", "name")
    )
    for list_id, pk, name in candidates:
        names[list_id].append((pk, name))
    return tuple(ListSpec(pk, name, quota, tuple(names[pk])) for pk, name, quota in lists)


@sensitive_variables()
def _checked_marks(
    election: Election, marks: Mapping[str, Sequence[Any]], channel: str
) -> dict[str, list[int]]:
    """The marks in stored form, or ValidationFailed."""
    return _checked_against(specs_of(election), marks, channel)


@sensitive_variables()
def _checked_against(
    specs: Sequence[ListSpec], marks: Mapping[str, Sequence[Any]], channel: str
) -> dict[str, list[int]]:
    try:
        cleaned = canonical_marks(marks)
    except (TypeError, ValueError) as error:
        raise ValidationFailed(message=_("选票内容无法识别。")) from error
    known = {str(s.id) for s in specs}
    if set(cleaned) - known:
        raise ValidationFailed(message=_("选票中有不属于本次投票的名单。"))
    for spec in specs:
        marked = cleaned.get(str(spec.id), [])
        allowed = {c for c, _n in spec.candidates}
        if not set(marked) <= allowed:
            raise ValidationFailed(
                message=_("“%(list)s”中有不在名单上的人。") % {"list": spec.name}
            )
        if channel == Channel.ONLINE and not list_is_valid(spec, marked):
            raise ValidationFailed(
                message=_("“%(list)s”最多可选%(quota)d人，您选了%(n)d人。")
                % {"list": spec.name, "quota": spec.quota, "n": len(marked)}
            )
    return cleaned


@sensitive_variables()
def cast_ballot(*, election_id: int, code: str, marks: Mapping[str, Sequence[Any]],
                channel: str = Channel.ONLINE) -> str:  # fmt: skip
    """Cast one ballot with a one-time code; return the receipt code (online) or "" (paper).

    Online, a list marked for more than its quota is refused (paper keeps it, void);
    marks must name candidates of the election's lists. Raises CastRefused for an
    unknown or used code or an election not open, ValidationFailed for bad marks.
    Consumes nothing unless the ballot is stored."""
    canonical = codes.canonical(code)
    if canonical is None:
        raise CastRefused(_("投票码格式不对：应为13位字母和数字。"))
    stored = codes.digest(canonical)
    receipt = codes.new_code()[:10] if channel == Channel.ONLINE else ""
    if connection.vendor == "postgresql":
        consumed, exists = _cast_pg(election_id, stored, marks, channel, receipt)
    else:
        with transaction.atomic():
            consumed, exists = _consume_and_store(election_id, stored, marks, channel)
            if consumed and receipt:
                Receipt.objects.create(election_id=election_id, code=receipt)
    if not consumed:
        raise CastRefused(_("此投票码已经用过。") if exists else _("投票码无效。"))
    return receipt


@sensitive_variables()
def _consume_and_store(
    election_id: int, stored: str, marks: Mapping[str, Sequence[Any]], channel: str
) -> tuple[bool, bool]:
    """Inside the cast's transaction: refuse an election not open, check the marks, consume
    the credential by a conditional UPDATE and store the ballot. Returns (consumed, the
    code exists at all)."""
    election = Election.objects.filter(pk=election_id).first()
    if election is None or election.status != Status.OPEN:
        raise CastRefused(_("投票尚未开始或已经结束。"))
    cleaned = _checked_marks(election, marks, channel)
    used = Credential.objects.filter(election=election, code_digest=stored, used=False).update(
        used=True, channel=channel
    )
    if used != 1:
        return False, Credential.objects.filter(election=election, code_digest=stored).exists()
    Ballot.objects.create(election=election, marks=cleaned, channel=channel)
    return True, True


# PostgreSQL: the whole cast is one statement — one round trip, and outside a transaction
# its own transaction. It first takes the election row in KEY SHARE mode, and only if the
# election is still the open one whose lists the marks were checked against (the
# uncorrelated EXISTS is a one-time filter, evaluated before the credential is touched), so
# a close (which takes that row FOR UPDATE, then rewrites the tables) either waits for
# this cast or makes it wait and then see the new status — never a cast holding a row the
# close waits for while it waits for the close. Then it consumes the credential and
# inserts the ballot and the receipt only if that consumed it.
_CAST = """
WITH election AS (
    SELECT 1 FROM ballots_election
    WHERE id = %(election)s AND key = %(key)s AND status = %(open)s
    FOR KEY SHARE
), consumed AS (
    UPDATE ballots_credential SET used = true, channel = %(channel)s
    WHERE election_id = %(election)s AND code_digest = %(digest)s AND NOT used
      AND EXISTS (SELECT 1 FROM election)
    RETURNING 1
), stored AS (
    INSERT INTO ballots_ballot (id, election_id, marks, channel)
    SELECT %(ballot)s, %(election)s, %(marks)s::jsonb, %(channel)s FROM consumed
    RETURNING 1
), receipt AS (
    INSERT INTO ballots_receipt (id, election_id, code)
    SELECT %(receipt_id)s, %(election)s, %(receipt)s FROM stored WHERE %(receipt)s <> ''
)
SELECT EXISTS (SELECT 1 FROM election),
       (SELECT count(*) FROM stored),
       EXISTS (SELECT 1 FROM ballots_credential
               WHERE election_id = %(election)s AND code_digest = %(digest)s)
"""

# The key each open election had when its lists were read, so a cast needs no query to
# find the lists its marks are checked against; the cast's statement confirms both.
_OPEN_KEYS: dict[int, str] = {}


@sensitive_variables()
def _cast_pg(
    election_id: int, stored: str, marks: Mapping[str, Sequence[Any]], channel: str,
    receipt: str,
) -> tuple[bool, bool]:  # fmt: skip
    for attempt in range(2):
        key = _OPEN_KEYS.get(election_id) if attempt == 0 else None
        remembered = key is not None
        if key is None:
            row = Election.objects.filter(pk=election_id).values_list("key", "status").first()
            if row is None or row[1] != Status.OPEN:
                _OPEN_KEYS.pop(election_id, None)
                raise CastRefused(_("投票尚未开始或已经结束。"))
            key = str(row[0])
            if len(_OPEN_KEYS) >= _SPECS_MAX:
                _OPEN_KEYS.clear()
            _OPEN_KEYS[election_id] = key
        try:
            cleaned = _checked_against(_specs(election_id, key, Status.OPEN), marks, channel)
        except ValidationFailed:
            if not remembered:
                raise
            # The remembered lists may be another election's (a database re-created under
            # a running server): check against the election as it is now.
            _OPEN_KEYS.pop(election_id, None)
            continue
        # Alone, the statement is its own transaction; inside a caller's (paper entry),
        # a savepoint keeps a failure from aborting the rest of it.
        inside = transaction.atomic() if connection.in_atomic_block else nullcontext()
        with inside, connection.cursor() as cursor:
            cursor.execute(
                _CAST,
                {"election": election_id, "key": key, "open": Status.OPEN, "channel": channel,
                 "digest": stored, "ballot": uuid.uuid4(), "marks": json.dumps(cleaned),
                 "receipt_id": uuid.uuid4(), "receipt": receipt},
            )  # fmt: skip
            is_open, consumed, exists = cursor.fetchone()
        if is_open:
            return consumed == 1, bool(exists)
        _OPEN_KEYS.pop(election_id, None)  # closed since, or another election: read again
    raise CastRefused(_("投票尚未开始或已经结束。"))


def set_roll(*, actor: Any, election: Election, people: Sequence[Person]) -> int:
    """Put ``people`` on the roll of a draft roll-mode election (again: adds the new
    ones); the electorate becomes the roll's size. Returns the roll's size."""
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=election.pk)
        if election.mode != Mode.ROLL or election.status != Status.DRAFT:
            raise ValidationFailed(message=_("只有草稿状态的名单登录投票可以设置名单。"))
        strangers = [p.name for p in people if p.school_id != election.school_id]
        if strangers:
            raise ValidationFailed(
                {"people": [str(_("不是本校教职工：%(names)s") % {"names": "、".join(strangers)})]}
            )
        RollEntry.objects.bulk_create(
            [RollEntry(election=election, person=p) for p in people], ignore_conflicts=True
        )
        size = RollEntry.objects.filter(election=election).count()
        election.electorate = size
        election.save(update_fields=["electorate"])
        record(actor=actor, action="ballots.roll.set", target=election, new={"roll": size})
    return size


@sensitive_variables()
def issue_credential(*, election: Election, person: Person) -> str:
    """The one-time code of a person on the roll, made and returned once; their entry
    is marked in the same transaction. Raises CastRefused for someone not on the roll
    or who already received theirs. The code is not linked to the entry: casting with it
    is a separate transaction (``cast_ballot``), so no transaction id pairs the entry
    with the ballot."""
    with transaction.atomic():
        if not Election.objects.filter(pk=election.pk, status=Status.OPEN).exists():
            raise CastRefused(_("投票尚未开始或已经结束。"))
        marked = RollEntry.objects.filter(election=election, person=person, issued=False).update(
            issued=True
        )
        if marked != 1:
            on_roll = RollEntry.objects.filter(election=election, person=person).exists()
            raise CastRefused(_("您已经投过票了。") if on_roll else _("您不在本次投票的名单上。"))
        code = codes.new_code()
        Credential.objects.create(election=election, code_digest=codes.digest(code))
    return code


@sensitive_variables()
def vote_on_roll(*, election: Election, person: Person, marks: Mapping[str, Sequence[Any]]) -> str:
    """A roll voter's ballot: the marks are checked first, then the credential is issued
    (one transaction) and the ballot cast with it (another). Returns the receipt code.
    Should the second step fail after the first, the person shows as having taken part
    and an unused credential is left over; the close reconciliation shows it."""
    election = Election.objects.get(pk=election.pk)
    if election.status != Status.OPEN:
        raise CastRefused(_("投票尚未开始或已经结束。"))
    _checked_marks(election, marks, Channel.ONLINE)
    code = issue_credential(election=election, person=person)
    return cast_ballot(election_id=election.pk, code=code, marks=marks)


def tally_election(*, actor: Any, election: Election) -> Tally:
    """Count a closed election, store the digest and mark it tallied."""
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=election.pk)
        _guard(election, Status.TALLIED)
        # --- paper ballots (paper.py): no sheet may still wait for its second entry or
        # a third person. Sheets counted after close went in in the order they were
        # entered, so the close-time rewrite runs again (with the entry table's).
        from .paper import forget_entry_residue, tally_refusal

        refusal = tally_refusal(election)
        if refusal:
            raise ValidationFailed(message=refusal)
        _rewrite_in_random_order(election.pk)
        forget_entry_residue()
        # --- end paper ballots
        ballots = list(Ballot.objects.filter(election=election).values_list("marks", flat=True))
        receipts = list(Receipt.objects.filter(election=election).values_list("code", flat=True))
        result = count(specs_of(election), ballots)
        election.digest = digest(ballots, receipts)
        election.status = Status.TALLIED
        election.save(update_fields=["digest", "status"])
        record(actor=actor, action="ballots.election.tallied", target=election,
               new={"ballots": result.ballots, "digest": election.digest})  # fmt: skip
    return result


def publish_results(*, actor: Any, election: Election) -> Election:
    """Release the results of a tallied election, once: the decision body sees them and
    voters can check their receipts. Nothing per candidate is shown before this."""
    return _move(
        actor=actor, election=election, status=Status.PUBLISHED,
        action="ballots.election.published",
    )  # fmt: skip


__all__ = [
    "CastRefused", "ListDraft", "cast_ballot", "close_election", "create_election",
    "issue_credential", "issue_slips", "open_election", "publish_results", "set_roll",
    "specs_of",
    "tally_election", "vote_on_roll",
]  # fmt: skip
