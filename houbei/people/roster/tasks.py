"""The parse and the import as ``django.tasks`` tasks.

With the configured ImmediateBackend they run inside the request that enqueues them (the
page shows their progress meanwhile, see ``storage.ProgressFile``); with a worker
backend the request returns at once and the upload's page polls until they are done.
Arguments are plain ids, as a queued task needs."""

from __future__ import annotations

from django.tasks import task

from . import uploads


@task
def analyse_upload(upload_id: str) -> None:
    uploads.run_analysis(upload_id)


@task
def commit_upload(upload_id: str, actor_id: int) -> None:
    uploads.run_commit(upload_id, actor_id)
