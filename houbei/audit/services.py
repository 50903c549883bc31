"""Appending to the audit trail and verifying it.

``record`` must be called inside the transaction of the change it records, so the entry
and the change commit or roll back together.

The chain: every entry's ``hash`` is the SHA-256 of its content (``HASHED_FIELDS``, as
canonical JSON) including ``prev_hash``, the hash of the entry before it; the first entry
links to ``GENESIS_HASH``. The single ``AuditHead`` row holds the last sequence number
and hash. Appenders lock the head row, which serialises appends, so two transactions can
never both link to the same predecessor (a fork)."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from houbei.organisation.models import School

from .models import GENESIS_HASH, AuditEntry, AuditHead

HASHED_FIELDS = (
    "seq",
    "at",
    "school_id",
    "actor_id",
    "actor_name",
    "action",
    "target_type",
    "target_id",
    "target_label",
    "old",
    "new",
    "reason",
    "prev_hash",
)
# What the verifier reads per entry: the hashed fields, then the stored hash.
_ROW_FIELDS = (*HASHED_FIELDS, "hash")
_VERIFY_CHUNK = 5000


def _portable(value: Any) -> Any:
    """A JSON value that reads back identically from SQLite's JSON text and PostgreSQL's
    jsonb, so its hash still matches after a restore onto the other database.

    jsonb refuses NaN, infinities and NUL characters, and prints a huge integral float
    such as 1e16 as an integer; these are turned into what jsonb would give back."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value.is_integer() and abs(value) >= 1e16:
            return int(value)
        return value
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_portable(v) for v in value]
    if isinstance(value, dict):
        return {str(k).replace("\x00", ""): _portable(v) for k, v in value.items()}
    return value


def to_json_value(value: Any) -> Any:
    """Dates, decimals and UUIDs as the strings they will read back as from a JSON column."""
    if value is None:
        return None
    return _portable(json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)))


def entry_hash(fields: Mapping[str, Any]) -> str:
    canonical = json.dumps(
        {name: fields[name] for name in HASHED_FIELDS},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        cls=DjangoJSONEncoder,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _utc_text(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat()


def _fields_of(entry: AuditEntry) -> dict[str, Any]:
    values = {name: getattr(entry, name) for name in HASHED_FIELDS}
    values["at"] = _utc_text(entry.at)
    return values


def is_sealed(entry: AuditEntry) -> bool:
    """Whether the entry's content still matches its own hash."""
    return entry_hash(_fields_of(entry)) == entry.hash


def _text(value: str, limit: int | None = None) -> str:
    # PostgreSQL text columns refuse NUL characters; SQLite would keep them, and the
    # entry's hash would then differ after a restore onto PostgreSQL.
    value = value.replace("\x00", "")
    return value[:limit] if limit is not None else value


def record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    school: Any = None,
    old: Mapping[str, Any] | None = None,
    new: Mapping[str, Any] | None = None,
    reason: str = "",
    target_label: str | None = None,
    at: dt.datetime | None = None,
) -> AuditEntry:
    """Append one entry. ``action`` is a dotted code such as ``people.person.updated``.

    Preconditions: an open transaction (``transaction.atomic()``) — the one that makes
    the change being recorded; RuntimeError otherwise.
    Effects: locks the chain head until that transaction ends, inserts the entry linked
    to the previous one and moves the head.
    The school defaults to the target's (or the target itself when it is a school); the
    actor may be None for system actions (the demo builder, a command run from the
    shell), which are shown as "系统". ``at`` is when the change took effect, now by
    default; a system action rebuilding a past record (the demo's 2021 cycle) gives it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the transaction of the change it records")
    if school is None and target is not None:
        school = target if isinstance(target, School) else getattr(target, "school", None)
    # The row lock is what keeps the chain linear: a second appender waits here until
    # this transaction commits, then reads the head this one wrote.
    head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
    entry = AuditEntry(
        seq=head.seq + 1,
        at=at if at is not None else timezone.now(),
        school=school,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=_text(str(actor) if actor is not None else "系统", 150),
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=_text(target_label if target_label is not None else str(target or ""), 200),
        old=to_json_value(old),
        new=to_json_value(new),
        reason=_text(reason),
        prev_hash=head.hash,
    )
    entry.hash = entry_hash(_fields_of(entry))
    entry.save(force_insert=True)
    head.seq, head.hash = entry.seq, entry.hash
    head.save(update_fields=["seq", "hash"])
    return entry


def diff(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The changed keys only, as (old, new)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


@dataclass(frozen=True)
class ChainProblem:
    """The first place the chain is broken: ``seq`` is the sequence number of the entry
    that is wrong or missing there."""

    seq: int | None
    reason: str


@dataclass(frozen=True)
class ChainStatus:
    entries: int
    head_hash: str
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


@contextlib.contextmanager
def consistent_snapshot() -> Iterator[None]:
    """A read of several tables that sees one moment of the database.

    On PostgreSQL a REPEATABLE READ transaction: the entries and the head are read from
    the same snapshot, so an append committed meanwhile cannot look like a deleted or
    forged entry. On SQLite the transaction itself holds the write lock. Inside an
    existing transaction the caller's view is used as it is."""
    if connection.in_atomic_block:
        yield
        return
    # A health check run by the first query would otherwise come before SET TRANSACTION.
    connection.ensure_connection()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def walk_chain(
    rows: Iterable[Sequence[Any]], head: tuple[int, str] | None
) -> tuple[int, str, ChainProblem | None]:
    """Check entries given in sequence order as tuples of ``_ROW_FIELDS`` against each
    other and against the head (``(seq, hash)``, or None when no entry was ever written).

    Returns (entries read, last hash, first problem or None). Pure: no database access.
    What each tampering looks like here:
    - an edited entry no longer matches its hash → that entry;
    - an edited entry whose hash was recomputed → the next entry's link → the next entry
      (or the head, if it was the last);
    - a deleted entry → a gap → the missing sequence number;
    - entries swapped → the first swapped position no longer links to its predecessor;
    - a forged entry appended after the head → the first entry beyond the head;
    - the newest entries deleted → the head names more → the first missing one."""
    prev_hash, expected, count = GENESIS_HASH, 1, 0
    for row in rows:
        fields = dict(zip(_ROW_FIELDS, row, strict=True))
        seq = fields["seq"]
        if seq != expected:
            if seq > expected:
                reason = f"第 {expected} 条记录缺失（被删除）"
                return count, prev_hash, ChainProblem(expected, reason)
            return (
                count,
                prev_hash,
                ChainProblem(seq, f"序号异常：第 {expected} 条处出现序号 {seq}"),
            )
        if fields["prev_hash"] != prev_hash:
            return (
                count,
                prev_hash,
                ChainProblem(
                    seq,
                    f"与第 {seq - 1} 条的链接断开（该条或前一条被修改、插入、删除或调换了顺序）"
                    if seq > 1
                    else "第一条记录不是链的起点",
                ),
            )
        if isinstance(fields["at"], dt.datetime):
            fields["at"] = _utc_text(fields["at"])
        if entry_hash(fields) != fields["hash"]:
            return count, prev_hash, ChainProblem(seq, "记录内容与其哈希不符（记录被修改）")
        prev_hash, expected, count = fields["hash"], expected + 1, count + 1
    head_seq, head_hash = head if head is not None else (0, GENESIS_HASH)
    last = expected - 1
    if last > head_seq:
        reason = f"第 {head_seq + 1} 条及以后的记录在链头（第 {head_seq} 条）之后（伪造插入）"
        return count, prev_hash, ChainProblem(head_seq + 1, reason)
    if last < head_seq:
        reason = f"链头记录到第 {head_seq} 条，现存只到第 {last} 条（末尾记录被删除）"
        return count, prev_hash, ChainProblem(last + 1, reason)
    if prev_hash != head_hash:
        reason = "最后一条记录与链头的哈希不符（末尾记录被修改或替换）"
        return count, prev_hash, ChainProblem(last, reason)
    return count, prev_hash, None


def _head() -> tuple[int, str] | None:
    row = AuditHead.objects.filter(id=1).values_list("seq", "hash").first()
    return (row[0], row[1]) if row is not None else None


def check_chain() -> ChainStatus:
    """Walk the whole chain from one consistent snapshot.

    Streams the entries (server-side cursor on PostgreSQL, chunks on SQLite) and reads
    plain tuples rather than model instances, so 100,000 entries take a few seconds and
    constant memory."""
    with consistent_snapshot():
        head = _head()
        rows = (
            AuditEntry.objects.order_by("seq")
            .values_list(*_ROW_FIELDS)
            .iterator(chunk_size=_VERIFY_CHUNK)
        )
        count, last_hash, problem = walk_chain(rows, head)
    return ChainStatus(entries=count, head_hash=last_hash, problem=problem)


def verify_chain(entries: Iterable[AuditEntry] | None = None) -> ChainProblem | None:
    """The first broken entry, or None if the chain is intact.

    Without ``entries`` the whole trail is read (see ``check_chain``); given entries (in
    sequence order) are checked against each other and the stored head."""
    if entries is None:
        return check_chain().problem
    rows = ((*(_fields_of(e)[name] for name in HASHED_FIELDS), e.hash) for e in entries)
    return walk_chain(rows, _head())[2]
