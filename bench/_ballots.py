"""What the ballot benches share: an election as a school runs it, the production server on
a free loopback port, and a small keep-alive HTTP client for voters.

The election has two lists over 50 staff — 区级后备干部 (quota 5, 20 candidates) and
校级后备干部 (quota 11, all 50) — and its slips come from ``issue_slips``, so the codes,
digests and audit entries are the real ones. The server is granian started the way the
README's production section starts it (``--workers 2 --blocking-threads 4``), with
``DEBUG`` off and persistent connections, against the bench's scratch database."""

from __future__ import annotations

import http.client
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction

from houbei.ballots.models import Ballot, Credential, Election, Receipt
from houbei.ballots.services import (
    ListDraft,
    create_election,
    issue_slips,
    open_election,
    specs_of,
)
from houbei.ballots.tally import ListSpec
from houbei.demo.names import name_generator
from houbei.demo.serving import granian_command
from houbei.organisation.models import District
from houbei.organisation.services import create_school
from houbei.people.models import Gender, Person

HOST = "127.0.0.1"
LISTS = (("区级后备干部", 5, 20), ("校级后备干部", 11, 50))  # name, quota, candidates
STAFF = 50
SLIPS_PER_CALL = 2000  # issue_slips' limit per request
# The README's production command line (and ``houbei serve``): a few blocking threads per
# worker, not granian's default of hundreds (docs: research/perf-probes.md, table A).
WORKERS = 2
BLOCKING_THREADS = 4
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
RECEIPT = re.compile(rb"data-receipt>([0-9A-Z]{5}-[0-9A-Z]{5})<")


@dataclass
class BenchElection:
    election: Election
    specs: list[ListSpec]
    codes: list[str]

    @property
    def path(self) -> str:
        return f"/vote/{self.election.key}/"


def build_election(*, slips: int, seed: int = 2026, title: str = "") -> BenchElection:
    """An open election of the shape above with ``slips`` unused codes."""
    rng = random.Random(seed)
    names = name_generator(rng)
    with transaction.atomic():
        district = District.objects.create(name="基准区", code=f"ballots-{seed}")
        school = create_school(
            actor=None, district=district, name="基准第一中学", code=f"ballots-{seed}"
        )
        staff = []
        for i in range(STAFF):
            female = rng.random() < 0.6
            staff.append(
                Person(
                    school=school, staff_number=f"B{i + 1:04d}", name=names.draw(female),
                    gender=Gender.FEMALE if female else Gender.MALE,
                )
            )  # fmt: skip
        staff = Person.objects.bulk_create(staff)
        election = create_election(
            actor=None,
            school=school,
            title=title or "2026年区、校后备干部民主推荐",
            electorate=slips,
            lists=[ListDraft(name, quota, staff[:n]) for name, quota, n in LISTS],
        )
    codes: list[str] = []
    while len(codes) < slips:
        codes += issue_slips(
            actor=None, election=election, count=min(SLIPS_PER_CALL, slips - len(codes))
        )
    election = open_election(actor=None, election=election)
    return BenchElection(election=election, specs=specs_of(election), codes=codes)


def marks_of_a_voter(specs: Sequence[ListSpec], rng: random.Random) -> dict[int, list[int]]:
    """Most voters tick up to the quota on every list; a few leave a list short or blank."""
    marks: dict[int, list[int]] = {}
    for spec in specs:
        roll = rng.random()
        n = spec.quota if roll < 0.8 else 0 if roll < 0.85 else rng.randint(1, spec.quota)
        marks[spec.id] = sorted(rng.sample([c for c, _name in spec.candidates], n))
    return marks


def form(code: str, marks: dict[int, list[int]], step: str, token: str = "") -> bytes:
    fields: list[tuple[str, str]] = [("step", step), ("code", code)]
    if token:
        fields.append(("csrfmiddlewaretoken", token))
    fields += [(f"list-{list_id}", str(c)) for list_id, chosen in marks.items() for c in chosen]
    return urllib.parse.urlencode(fields).encode()


def stored_counts(election: Election) -> dict[str, int]:
    return {
        "ballots": Ballot.objects.filter(election=election).count(),
        "receipts": Receipt.objects.filter(election=election).count(),
        "used_codes": Credential.objects.filter(election=election, used=True).count(),
    }


def durability() -> dict[str, str]:
    """The server's commit settings, so a report says whether commits were durable."""
    if connection.vendor != "postgresql":
        return {"vendor": connection.vendor}
    with connection.cursor() as cursor:
        shown = {}
        for name in ("fsync", "synchronous_commit", "wal_sync_method", "server_version"):
            cursor.execute(f"SHOW {name}")
            shown[name] = cursor.fetchone()[0]
    return {"vendor": "postgresql", **shown}


# --- the server ------------------------------------------------------------------------


def database_url() -> str:
    """The scratch database the bench runs in, as a DATABASE_URL for the server."""
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    user = urllib.parse.quote(params.get("USER") or "")
    password = params.get("PASSWORD") or ""
    auth = f"{user}:{urllib.parse.quote(password)}@" if password else f"{user}@" if user else ""
    host = params.get("HOST") or "127.0.0.1"
    return f"postgres://{auth}{host}:{params.get('PORT') or 5432}/{params['NAME']}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    port: int
    workers: int
    threads: int
    process: subprocess.Popen[bytes] = field(repr=False)

    def describe(self) -> str:
        return (
            f"granian wsgi, {self.workers} workers × {self.threads} blocking threads, "
            f"DEBUG off, CONN_MAX_AGE=600, {HOST}:{self.port}"
        )


@contextmanager
def production_server(
    *, workers: int = WORKERS, threads: int = BLOCKING_THREADS, ready_path: str = "/"
) -> Iterator[Server]:
    """granian serving ``houbei.wsgi`` against the current (scratch) database; stopped with
    SIGINT, then SIGKILL, on the way out."""
    command = granian_command()
    if command is None:
        raise RuntimeError(
            "granian is not installed: the ballot benches need the production server"
        )
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "houbei.settings",
        "DATABASE_URL": database_url(),
        "DEBUG": "false",
        "CONN_MAX_AGE": "600",
        "PYTHONWARNINGS": "ignore:No directory at:UserWarning",
    }
    args = [
        *command, "--interface", "wsgi", "--host", HOST, "--port", str(port),
        "--workers", str(workers), "--blocking-threads", str(threads),
        "--log-level", "warning", "houbei.wsgi:application",
    ]  # fmt: skip
    connection.close()  # the server's workers must not inherit anything of ours
    process = subprocess.Popen(args, env=env, cwd=settings.BASE_DIR)
    server = Server(port=port, workers=workers, threads=threads, process=process)
    try:
        _wait_until_up(server, ready_path)
        yield server
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(server: Server, path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"granian exited with {server.process.returncode}")
        try:
            status, _body = Http(server.port).request("GET", path)
            if status < 500:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"granian did not answer on port {server.port} within {timeout:.0f} s")


# --- the client ------------------------------------------------------------------------


class Http:
    """One keep-alive connection with its own cookie jar (only names and values), as one
    browser would hold."""

    def __init__(self, port: int, *, timeout: float = 30) -> None:
        self.connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        sent = {"Host": f"{HOST}:{self.connection.port}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=sent)
        response = self.connection.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _sep, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, content

    def close(self) -> None:
        self.connection.close()


def csrf_token_in(page: bytes) -> str:
    found = CSRF_FIELD.search(page)
    if found is None:
        raise ValueError("no csrfmiddlewaretoken on the page")
    return found.group(1).decode()


def receipt_in(page: bytes) -> str | None:
    found = RECEIPT.search(page)
    return found.group(1).decode().replace("-", "") if found else None


def python_client_note() -> str:
    return f"Python {sys.version_info.major}.{sys.version_info.minor} http.client in threads"
