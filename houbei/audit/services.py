"""Appending to the audit trail and verifying it.

``record`` must be called inside the transaction of the change it records, so the entry
and the change commit or roll back together."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

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


def to_json_value(value: Any) -> Any:
    """Dates, decimals and UUIDs as the strings they will read back as from a JSON column."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def entry_hash(fields: Mapping[str, Any]) -> str:
    canonical = json.dumps(
        {name: fields[name] for name in HASHED_FIELDS},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        cls=DjangoJSONEncoder,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _fields_of(entry: AuditEntry) -> dict[str, Any]:
    values = {name: getattr(entry, name) for name in HASHED_FIELDS}
    values["at"] = entry.at.astimezone(dt.UTC).isoformat()
    return values


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
) -> AuditEntry:
    """Append one entry. ``action`` is a dotted code such as ``people.person.updated``.

    The school defaults to the target's; the actor may be None for system actions
    (the demo builder, a command run from the shell)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the transaction of the change it records")
    if school is None and target is not None:
        school = getattr(target, "school", None)
    head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
    at = timezone.now()
    entry = AuditEntry(
        seq=head.seq + 1,
        at=at,
        school=school,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(str(actor) if actor is not None else "系统")[:150],
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=(target_label if target_label is not None else str(target or ""))[:200],
        old=to_json_value(old),
        new=to_json_value(new),
        reason=reason,
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
    seq: int | None
    reason: str


def verify_chain(entries: Iterable[AuditEntry] | None = None) -> ChainProblem | None:
    """Walk the chain in sequence order; return the first broken entry, or None if intact.

    Detects an edited entry (its hash no longer matches its content), a deleted or inserted
    entry (a gap in the sequence, or a prev_hash that is not the previous entry's hash), a
    reordering (both of those), and entries removed from the end (the head disagrees)."""
    if entries is None:
        entries = AuditEntry.objects.order_by("seq").iterator(chunk_size=2000)
    prev_hash, expected_seq = GENESIS_HASH, 1
    for entry in entries:
        if entry.seq != expected_seq:
            return ChainProblem(
                entry.seq,
                f"序号不连续：应为 {expected_seq}，实为 {entry.seq}（有记录被删除或插入）",
            )
        if entry.prev_hash != prev_hash:
            return ChainProblem(entry.seq, "前一条记录的哈希不符（有记录被删除、插入或调换顺序）")
        if entry_hash(_fields_of(entry)) != entry.hash:
            return ChainProblem(entry.seq, "记录内容与其哈希不符（记录被修改）")
        prev_hash, expected_seq = entry.hash, expected_seq + 1
    head = AuditHead.objects.filter(id=1).first()
    last_seq = expected_seq - 1
    if head is not None and (head.seq != last_seq or head.hash != prev_hash):
        return ChainProblem(
            last_seq + 1, f"链头记录到第 {head.seq} 条，现存只到第 {last_seq} 条（末尾记录被删除）"
        )
    return None
