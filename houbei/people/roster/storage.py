"""Where an upload's file, preview and progress live between requests.

Everything sits in ``DATA_DIR/uploads`` under the upload's random id:

* ``<id>.xlsx`` — the file as uploaded (mode 0600; it holds personal data, so it is
  removed as soon as it is imported, discarded or expired);
* ``<id>.preview.json`` — what the preview found (national IDs masked only);
* ``<id>.progress.json`` — how far the current parse or import has got.

Progress is a file rather than a database row because an import runs in one
transaction: a row written inside it is invisible to the page that polls until the
commit, and on SQLite a second connection could not even write while the import holds
the lock. A file is seen at once by every process on the host, which is also where the
upload itself is kept."""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder


def uploads_dir() -> Path:
    path = Path(settings.DATA_DIR) / "uploads"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def file_path(upload_id: object) -> Path:
    return uploads_dir() / f"{upload_id}.xlsx"


def preview_path(upload_id: object) -> Path:
    return uploads_dir() / f"{upload_id}.preview.json"


def progress_path(upload_id: object) -> Path:
    return uploads_dir() / f"{upload_id}.progress.json"


def write_json(path: Path, data: Any) -> None:
    """Write atomically (temporary file, then rename), so a reader never sees half."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, cls=DjangoJSONEncoder)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def read_json(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return json.load(fh)
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def remove_files(upload_id: object) -> None:
    for path in (file_path(upload_id), preview_path(upload_id), progress_path(upload_id)):
        path.unlink(missing_ok=True)


class ProgressFile:
    """A progress reporter that writes ``{stage, done, total}`` to the upload's progress
    file, at most every ``interval`` seconds (and always on a change of stage), so a
    10,000-row import spends its time importing, not reporting."""

    def __init__(self, upload_id: object, *, interval: float = 0.25) -> None:
        self.path = progress_path(upload_id)
        self.interval = interval
        self._stage = ""
        self._last = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage == self._stage and now - self._last < self.interval and done < total:
            return
        self._stage, self._last = stage, now
        write_json(self.path, {"stage": stage, "done": done, "total": total})

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


def read_progress(upload_id: object) -> dict[str, Any] | None:
    data = read_json(progress_path(upload_id))
    return data if isinstance(data, dict) else None
