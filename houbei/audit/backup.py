"""Backup and restore of a whole Houbei database.

A backup is one zip file:

- ``data.jsonl`` — every row of every model of the Houbei apps and of ``auth.Group``,
  one JSON object per line (Django's serialization), models in dependency order, rows in
  primary-key order. Permissions and content types are referred to by natural key: the
  target database makes its own when it is migrated. Sessions are left out.
- ``manifest.json`` — format and version, the Houbei version, the applied migrations per
  app, the creation time, row counts per model, the audit head, the SHA-256 of
  ``data.jsonl``, and a fingerprint of the key that encrypts national ID numbers.

Both directions stream: rows are read with server-side cursors or in chunks, and loaded
in batches, so memory does not grow with the database. The dump reads one snapshot
(REPEATABLE READ on PostgreSQL); the restore runs in one transaction, so it either loads
everything or nothing. A restore is refused unless the file is intact, its migrations are
exactly this database's, and the database is empty (or the caller asks to replace it).
Afterwards the audit chain must verify and PostgreSQL's sequences are moved past the
restored ids."""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import hmac
import importlib.metadata
import io
import json
import os
import socket
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers import jsonl
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from houbei.core.errors import DomainError

from .models import AuditHead
from .services import check_chain, consistent_snapshot, record

FORMAT = "houbei-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
DATA_NAME = "data.jsonl"
_CHUNK = 2000
_INSERT_BATCH = 1000
_BUFFER = 1 << 20


class BackupError(DomainError):
    """A backup cannot be written or restored; the message says why, in Chinese."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]

    @property
    def records(self) -> int:
        return sum(self.manifest["counts"].values())


# What is backed up ------------------------------------------------------------------


def backed_up_models() -> list[type[models.Model]]:
    """Every concrete model of the Houbei apps, plus groups, in an order where each model
    comes after the models it refers to (when there is such an order)."""
    chosen: list[type[models.Model]] = []
    for app_config in apps.get_app_configs():
        if app_config.name.startswith("houbei.") or app_config.label == "auth":
            for model in app_config.get_models():
                opts = model._meta
                if opts.proxy or not opts.managed:
                    continue
                if opts.label_lower == "auth.permission":
                    continue  # made by migrate in every database; referred to by natural key
                chosen.append(model)
    return dependency_order(chosen)


def _references(model: type[models.Model]) -> set[type[models.Model]]:
    refs: set[type[models.Model]] = set()
    for field in model._meta.concrete_fields:
        if field.remote_field is not None and field.remote_field.model is not model:
            refs.add(field.remote_field.model)  # type: ignore[arg-type]
    for m2m in model._meta.local_many_to_many:
        if m2m.remote_field.through._meta.auto_created:  # type: ignore[union-attr]
            target = m2m.remote_field.model
            if target is not model:
                refs.add(target)  # type: ignore[arg-type]
    return refs


def dependency_order(chosen: list[type[models.Model]]) -> list[type[models.Model]]:
    """Referenced models first, keeping the given order otherwise; a cycle is broken by
    taking the first waiting model (the loader defers foreign-key checks anyway)."""
    pending = list(chosen)
    members = set(chosen)
    ordered: list[type[models.Model]] = []
    done: set[type[models.Model]] = set()
    while pending:
        for model in pending:
            if all(ref in done or ref not in members for ref in _references(model)):
                break
        else:
            model = pending[0]
        pending.remove(model)
        ordered.append(model)
        done.add(model)
    return ordered


def _through_models(chosen: Iterable[type[models.Model]]) -> list[type[models.Model]]:
    return [
        m2m.remote_field.through  # type: ignore[misc]
        for model in chosen
        for m2m in model._meta.local_many_to_many
        if m2m.remote_field.through._meta.auto_created  # type: ignore[union-attr]
    ]


def applied_migrations() -> dict[str, list[str]]:
    by_app: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        by_app.setdefault(app, []).append(name)
    return by_app


def field_key_fingerprint() -> str:
    """Identifies the national-ID key without revealing it (an HMAC of a fixed text)."""
    key = settings.FIELD_ENCRYPTION_KEY.encode()
    return hmac.new(key, b"houbei-backup-field-key", hashlib.sha256).hexdigest()[:16]


def houbei_version() -> str:
    try:
        return importlib.metadata.version("houbei")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def command_reason(command: str) -> str:
    """The reason recorded for a backup or restore run from the shell: commands have no
    logged-in user, so the entry's actor is the system and this names the shell user."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "?"
    return f"命令行 houbei {command}（{user}@{socket.gethostname()}）"


# Writing ----------------------------------------------------------------------------


class _PreciseEncoder(DjangoJSONEncoder):
    """Django's encoder cuts datetimes to milliseconds; the audit chain hashes
    microseconds, so they must survive the round trip."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


class _LineSerializer(jsonl.Serializer):
    """JSON lines, one write per row (not one per JSON token).

    References to a model that is itself in the backup are written as ids, which the
    loader can resolve before those rows are inserted; only references to what every
    migrated database makes for itself (permissions, content types), whose ids differ
    between databases, are written as natural keys."""

    def __init__(self, backed_up: Iterable[type[models.Model]]) -> None:
        super().__init__()
        self.backed_up = frozenset(backed_up)

    def _natural_for(self, field: Any) -> None:
        self.use_natural_foreign_keys = field.remote_field.model not in self.backed_up

    def handle_fk_field(self, obj: Any, field: Any) -> None:
        self._natural_for(field)
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj: Any, field: Any) -> None:
        self._natural_for(field)
        super().handle_m2m_field(obj, field)

    def end_object(self, obj: Any) -> None:
        self.stream.write(json.dumps(self.get_dump_object(obj), **self.json_kwargs) + "\n")
        self._current = None


class _HashingWriter:
    """Text in, UTF-8 out to a binary stream, with the SHA-256 and size of what passed."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0
        self._parts: list[bytes] = []
        self._pending = 0

    def write(self, text: str) -> int:
        data = text.encode()
        self._parts.append(data)
        self._pending += len(data)
        if self._pending >= _BUFFER:
            self.flush()
        return len(text)

    def flush(self) -> None:
        data = b"".join(self._parts)
        self._parts, self._pending = [], 0
        self.sha256.update(data)
        self.size += len(data)
        self.raw.write(data)


def _rows(model: type[models.Model], chosen: list[type[models.Model]]) -> models.QuerySet[Any]:
    queryset = model._base_manager.order_by(model._meta.pk.name)  # type: ignore[union-attr]
    lookups: list[str | Prefetch[Any]] = []
    for m2m in model._meta.local_many_to_many:
        if not m2m.remote_field.through._meta.auto_created:  # type: ignore[union-attr]
            continue  # an explicit through model is backed up as a model of its own
        target = m2m.remote_field.model
        if target not in chosen and hasattr(target, "natural_key"):
            # Natural keys of permissions read their content type: fetch it with them.
            related = [f.name for f in target._meta.fields if f.many_to_one]  # type: ignore[union-attr]
            lookups.append(Prefetch(m2m.name, target._default_manager.select_related(*related)))  # type: ignore[union-attr]
        else:
            lookups.append(m2m.name)
    return queryset.prefetch_related(*lookups) if lookups else queryset


def _counted(rows: Iterable[Any], counts: Counter[str], label: str) -> Iterator[Any]:
    for row in rows:
        counts[label] += 1
        yield row


def write_backup(path: Path, *, actor: Any = None, reason: str = "") -> BackupResult:
    """Write a backup of the whole database to ``path`` and record it in the audit trail
    (``system.backup.created``, with the file's data hash).

    The file appears only when complete: it is written beside ``path`` under a temporary
    name and renamed. It is readable by its owner only (it holds password hashes and
    encrypted national IDs). Raises BackupError if the file cannot be written."""
    path = Path(path)
    chosen = backed_up_models()
    counts: Counter[str] = Counter({m._meta.label_lower: 0 for m in chosen})
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as exc:
        raise BackupError(
            _("无法写入备份文件 %(path)s：%(error)s") % {"path": path, "error": exc}
        ) from exc
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
            with consistent_snapshot():
                created_at = timezone.now()
                head = AuditHead.objects.filter(id=1).values("seq", "hash").first()
                migrations = applied_migrations()
                info = zipfile.ZipInfo(DATA_NAME, timezone.localtime(created_at).timetuple()[:6])
                info.compress_type = zipfile.ZIP_DEFLATED
                with zf.open(info, "w", force_zip64=True) as member:
                    writer = _HashingWriter(member)
                    serializer = _LineSerializer(chosen)
                    for model in chosen:
                        label = model._meta.label_lower
                        serializer.serialize(
                            _counted(
                                _rows(model, chosen).iterator(chunk_size=_CHUNK), counts, label
                            ),
                            stream=cast(IO[str], writer),
                            use_natural_primary_keys=False,
                            cls=_PreciseEncoder,
                        )
                    writer.flush()
            manifest: dict[str, Any] = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "houbei_version": houbei_version(),
                "created_at": created_at.isoformat(),
                "database": connection.vendor,
                "migrations": migrations,
                "models": [m._meta.label_lower for m in chosen],
                "counts": dict(counts),
                "data": {
                    "name": DATA_NAME,
                    "sha256": writer.sha256.hexdigest(),
                    "bytes": writer.size,
                },
                "audit_head": head or {"seq": 0, "hash": None},
                "field_key": field_key_fingerprint(),
            }
            zf.writestr(MANIFEST_NAME, json.dumps(manifest, ensure_ascii=False, indent=2))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    try:
        with transaction.atomic():
            record(
                actor=actor,
                action="system.backup.created",
                target_label=path.name,
                new={
                    "file": path.name,
                    "sha256": manifest["data"]["sha256"],
                    "records": sum(counts.values()),
                    "audit_head_seq": manifest["audit_head"]["seq"],
                    "format_version": FORMAT_VERSION,
                },
                reason=reason,
            )
    except BaseException:
        # A backup the trail does not know about must not be left behind.
        path.unlink(missing_ok=True)
        raise
    return BackupResult(path=path, manifest=manifest)


# Reading ----------------------------------------------------------------------------


def _open(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError as exc:
        raise BackupError(_("找不到备份文件 %(path)s。") % {"path": path}) from exc
    except (zipfile.BadZipFile, OSError) as exc:
        raise BackupError(
            _("%(path)s 不是 Houbei 备份文件（无法作为 zip 文件打开）。") % {"path": path}
        ) from exc


def read_manifest(zf: zipfile.ZipFile) -> dict[str, Any]:
    """The manifest, checked for the format this version reads."""
    try:
        manifest = json.loads(zf.read(MANIFEST_NAME))
    except KeyError as exc:
        raise BackupError(
            _("不是 Houbei 备份文件（缺少 %(name)s）。") % {"name": MANIFEST_NAME}
        ) from exc
    except (ValueError, zipfile.BadZipFile) as exc:
        raise BackupError(_("备份文件已损坏（清单无法读取）。")) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("不是 Houbei 备份文件（清单格式不符）。"))
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise BackupError(
            _("备份文件格式版本 %(found)s 不受支持（本系统读取版本 %(ours)s）。")
            % {"found": version, "ours": FORMAT_VERSION}
        )
    for key in ("migrations", "counts", "data", "models", "audit_head"):
        if key not in manifest:
            raise BackupError(_("备份文件已损坏（清单缺少 %(key)s）。") % {"key": key})
    return manifest


def _names(pairs: Iterable[tuple[str, str]]) -> str:
    listed = sorted(f"{app}.{name}" for app, name in pairs)
    more = _("等 %(n)s 个") % {"n": len(listed)} if len(listed) > 3 else ""
    return "、".join(listed[:3]) + more


def check_migrations(manifest: dict[str, Any]) -> None:
    """Refuse a backup whose tables would not match this database's: every migration the
    backup's database had must exist here and be applied, and no other."""
    theirs = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    on_disk = set(loader.disk_migrations)
    ours = set(MigrationRecorder(connection).applied_migrations())
    unknown = theirs - on_disk
    if unknown:
        raise BackupError(
            _("备份文件来自不兼容的版本（迁移 %(names)s 不存在于本系统）。")
            % {"names": _names(unknown)}
        )
    not_applied = theirs - ours
    if not_applied:
        raise BackupError(
            _("本数据库尚未应用迁移 %(names)s，请先运行 houbei migrate 再恢复。")
            % {"names": _names(not_applied)}
        )
    newer = ours - theirs
    if newer:
        raise BackupError(
            _(
                "备份文件来自较旧的版本（本数据库已应用迁移 %(names)s，备份中没有）。"
                "请用与备份相同版本的 Houbei 恢复后再升级。"
            )
            % {"names": _names(newer)}
        )


def _data_stream(zf: zipfile.ZipFile, manifest: dict[str, Any]) -> IO[bytes]:
    try:
        return zf.open(manifest["data"]["name"])
    except KeyError as exc:
        raise BackupError(_("备份文件已损坏（缺少数据部分）。")) from exc


def check_data_hash(zf: zipfile.ZipFile, manifest: dict[str, Any]) -> None:
    digest = hashlib.sha256()
    try:
        with _data_stream(zf, manifest) as data:
            while chunk := data.read(_BUFFER):
                digest.update(chunk)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise BackupError(_("备份文件已损坏（zip 校验失败）。")) from exc
    if digest.hexdigest() != manifest["data"]["sha256"]:
        raise BackupError(_("备份文件已损坏：数据的 SHA-256 校验值与清单不符。"))


# Restoring --------------------------------------------------------------------------


def _existing_rows(chosen: Iterable[type[models.Model]]) -> dict[str, int]:
    found = {}
    for model in chosen:
        n = model._base_manager.count()  # type: ignore[union-attr]
        if n:
            found[model._meta.label_lower] = n
    return found


def _flush(chosen: list[type[models.Model]]) -> None:
    """Empty the backed-up tables and the sessions (a session of the old data must not
    log anyone in as whoever has that user id in the restored data)."""
    tables = [m._meta.db_table for m in [*chosen, *_through_models(chosen)]]
    if apps.is_installed("django.contrib.sessions"):
        tables.append(apps.get_model("sessions", "Session")._meta.db_table)
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=True)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # TRUNCATE refuses while deferred foreign-key checks of this transaction are
            # pending (when called inside a caller's transaction): run them first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for sql in statements:
            cursor.execute(sql)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


class _Loader:
    """Inserts deserialized rows in batches, raw (no ``save()``, no signals, no
    ``auto_now``), with their many-to-many rows."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self._model: type[models.Model] | None = None
        self._rows: list[models.Model] = []
        self._links: dict[type[models.Model], list[models.Model]] = {}

    def add(self, deserialized: Any) -> None:
        obj = deserialized.object
        model = type(obj)
        if model is not self._model or len(self._rows) >= _INSERT_BATCH:
            self.flush()
            self._model = model
        self._rows.append(obj)
        self.counts[model._meta.label_lower] += 1
        for name, targets in (deserialized.m2m_data or {}).items():
            m2m = model._meta.get_field(name)
            through = m2m.remote_field.through  # type: ignore[union-attr]
            source = f"{m2m.m2m_field_name()}_id"  # type: ignore[union-attr]
            target = f"{m2m.m2m_reverse_field_name()}_id"  # type: ignore[union-attr]
            self._links.setdefault(through, []).extend(
                through(**{source: obj.pk, target: pk}) for pk in targets
            )

    def flush(self) -> None:
        if self._model is not None and self._rows:
            model, rows = self._model, self._rows
            fields = list(model._meta.local_concrete_fields)
            size = connection.ops.bulk_batch_size(fields, rows) or len(rows)
            for start in range(0, len(rows), size):
                # The private method Model.save() inserts with; raw=True skips pre_save(),
                # which would overwrite auto_now fields with the time of the restore.
                model._base_manager._insert(  # type: ignore[attr-defined]
                    rows[start : start + size], fields=fields, raw=True
                )
        self._rows = []
        for through, links in self._links.items():
            through._base_manager.bulk_create(links, batch_size=_INSERT_BATCH)  # type: ignore[union-attr]
        self._links = {}


def restore_backup(
    path: Path,
    *,
    actor: Any = None,
    replace: bool = False,
    ignore_key_mismatch: bool = False,
    reason: str = "",
) -> dict[str, Any]:
    """Load a backup into this database, in one transaction.

    Preconditions (each refused with a BackupError naming the problem): the file is a
    Houbei backup of this format version; its data matches the manifest's SHA-256; its
    applied migrations are exactly this database's; it was made with the same
    national-ID key (unless ``ignore_key_mismatch``); the database holds no rows of the
    backed-up models (unless ``replace``, which empties them first, and the sessions).
    Effects: every row restored with its id; foreign keys checked; PostgreSQL sequences
    reset past the restored ids; the audit chain verified (a broken chain aborts the
    restore); ``system.backup.restored`` appended. Returns the manifest."""
    path = Path(path)
    with _open(path) as zf:
        manifest = read_manifest(zf)
        check_migrations(manifest)
        if manifest.get("field_key") != field_key_fingerprint() and not ignore_key_mismatch:
            raise BackupError(
                _(
                    "备份时加密身份证号的密钥（HOUBEI_FIELD_KEY）与本系统不同，恢复后身份证号将无法解密。"
                    "请设置与备份时相同的密钥；如确认放弃这些身份证号，请加 --ignore-key-mismatch。"
                )
            )
        check_data_hash(zf, manifest)
        chosen = backed_up_models()
        with transaction.atomic():
            existing = _existing_rows(chosen)
            if existing and not replace:
                sample = "、".join(f"{label} {n} 条" for label, n in list(existing.items())[:3])
                raise BackupError(
                    _(
                        "目标数据库不是空的（已有 %(sample)s 等数据）。恢复只写入空数据库；如要清空后用备份覆盖，请加 --force。"
                    )
                    % {"sample": sample}
                )
            if existing:
                _flush(chosen)
            loader = _Loader()
            try:
                with _data_stream(zf, manifest) as raw, connection.constraint_checks_disabled():
                    text = io.TextIOWrapper(raw, encoding="utf-8")
                    for deserialized in serializers.deserialize(
                        "jsonl", text, handle_forward_references=False
                    ):
                        loader.add(deserialized)
                    loader.flush()
                connection.check_constraints(table_names=[m._meta.db_table for m in chosen])
            except (DeserializationError, DatabaseError, ValueError) as exc:
                raise BackupError(_("备份数据无法载入：%(error)s") % {"error": exc}) from exc
            expected = {label: n for label, n in manifest["counts"].items() if n}
            if dict(loader.counts) != expected:
                raise BackupError(_("备份数据的条数与清单不符，已放弃恢复。"))
            reset = connection.ops.sequence_reset_sql(
                no_style(), [*chosen, *_through_models(chosen)]
            )
            with connection.cursor() as cursor:
                for sql in reset:
                    cursor.execute(sql)
            status = check_chain()
            if status.problem is not None:
                raise BackupError(
                    _("备份中的审计链在第 %(seq)s 条处断开（%(reason)s），已放弃恢复。")
                    % {"seq": status.problem.seq, "reason": status.problem.reason}
                )
            record(
                actor=actor,
                action="system.backup.restored",
                target_label=path.name,
                new={
                    "file": path.name,
                    "sha256": manifest["data"]["sha256"],
                    "created_at": manifest.get("created_at"),
                    "houbei_version": manifest.get("houbei_version"),
                    "records": sum(loader.counts.values()),
                    "audit_head_seq": status.entries,
                    "replaced_existing": bool(existing),
                },
                reason=reason,
            )
    return manifest
