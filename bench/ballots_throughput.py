"""Casts per second through the real casting endpoint, against the same database work
driven directly.

One open election of the burst's shape (``bench/_ballots.py``: 区级 quota 5 and 校级
quota 11 over 50 staff) holds enough slips for every phase. Then, in interleaved rounds:

* **http** — the production server (granian ``--workers 2 --blocking-threads 4`` as the
  README runs it, DEBUG off, persistent connections, PostgreSQL with durable commits) on
  a loopback port; ``--clients`` keep-alive connections each fetch the ballot page once
  (the CSRF cookie and form token) and then post confirmations (``step=confirm`` with a
  fresh code and a voter's marks) back to back for ``--seconds``. A cast counts when the
  answer is 200 with a receipt on the page.
* **direct** (the baseline) — the same database work without the web layer: as many
  connections, each in its own thread, send the cast's statement exactly as
  ``cast_ballot`` sends it on PostgreSQL (one statement, its own transaction: the
  election row in KEY SHARE mode, the credential consumed, the ballot and the receipt
  inserted), with the code's digest and the receipt computed per cast, for ``--seconds``.
* **trivial** — ``/healthz`` (a view that does nothing) on the same server and clients,
  for the web stack's own ceiling.

Each phase starts with a warm-up of one second that is not counted. Reported (JSON lines)
per round and as the median over rounds: casts/s for http and direct, the ratio
http/direct, the cast's p50/p95/p99 in ms at that concurrency, the trivial view's
requests/s, and the errors. Afterwards the database must hold exactly one ballot and one
receipt per used code.

Targets: http/direct ≥ 0.25 (0.40 is the goal beyond), cast p99 ≤ 150 ms, no error;
exit status 1 when missed. ``--no-targets`` judges only the counts (for smoke tests).
The load comes from this process (asyncio sockets for http, threads for direct) on the
same two cores as the server and the database.

    houbei bench ballots-throughput [--clients 32] [--seconds 8] [--rounds 3]
                                    [--workers 2] [--threads 4] [--no-targets]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import statistics
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection, connections

from houbei.ballots import codes
from houbei.ballots.models import Status
from houbei.ballots.services import _CAST

from ._ballots import (
    HOST,
    BenchElection,
    Http,
    build_election,
    csrf_token_in,
    durability,
    form,
    marks_of_a_voter,
    production_server,
    stored_counts,
)
from ._report import emit, log, percentile

BENCH = "ballots_throughput"
TARGET_RATIO = 0.25
GOAL_RATIO = 0.40
TARGET_P99_MS = 150.0
WARMUP_S = 1.0
RECEIPT = re.compile(rb"data-receipt>[0-9A-Z]{5}-[0-9A-Z]{5}<")
# Slips per second of phase issued up front; a phase that runs out stops early and says so.
HTTP_RATE_CEILING = 1500
DIRECT_RATE_CEILING = 6000


@dataclass
class Phase:
    name: str
    done: int = 0  # counted (after the warm-up)
    errors: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    ran_out: bool = False
    first_error: str = ""

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0

    def error(self, reason: str) -> None:
        self.errors += 1
        self.first_error = self.first_error or reason


class Codes:
    """The unused codes, handed out once each to whichever client asks first."""

    def __init__(self, codes_: list[str]) -> None:
        self._codes: Iterator[str] = iter(codes_)
        self._lock = threading.Lock()

    def take(self) -> str | None:
        with self._lock:
            return next(self._codes, None)


# --- http ------------------------------------------------------------------------------


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _sep, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    if b"content-length" in headers:
        return status, await reader.readexactly(int(headers[b"content-length"]))
    body = b""
    while True:  # chunked
        size = int((await reader.readline()).strip().split(b";")[0], 16)
        chunk = await reader.readexactly(size + 2)
        if size == 0:
            return status, body
        body += chunk[:-2]


def _request(method: str, path: str, port: int, cookie: str, body: bytes = b"") -> bytes:
    head = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: keep-alive"]
    if cookie:
        head.append(f"Cookie: {cookie}")
    if body:
        head += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def _http_client(
    port: int, built: BenchElection, pool: Codes | None, phase: Phase, window: tuple[float, float],
    seed: int,
) -> None:  # fmt: skip
    """One keep-alive connection: the ballot page once, then casts (or, without a pool of
    codes, GET /healthz) until the window closes."""
    rng = random.Random(seed)
    start, stop = window
    # The cookie and token a browser gets with the ballot page.
    page_client = Http(port)
    try:
        _status, page = await asyncio.to_thread(page_client.request, "GET", built.path)
        cookie = "; ".join(f"{k}={v}" for k, v in page_client.cookies.items())
        token = csrf_token_in(page)
    finally:
        page_client.close()
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        while (now := time.perf_counter()) < stop:
            if pool is None:
                request = _request("GET", "/healthz", port, "")
            else:
                code = pool.take()
                if code is None:
                    phase.ran_out = True
                    return
                marks = marks_of_a_voter(built.specs, rng)
                body = form(codes.display(code), marks, "confirm", token)
                request = _request("POST", built.path, port, cookie, body)
            sent = time.perf_counter()
            writer.write(request)
            status, content = await _read_response(reader)
            finished = time.perf_counter()
            ok = status == 200 and (pool is None or RECEIPT.search(content) is not None)
            if now < start:
                continue  # warm-up
            if finished > stop:
                return  # straddles the end: neither counted nor an error
            if ok:
                phase.done += 1
                phase.latencies_ms.append((finished - sent) * 1000)
            else:
                phase.error(f"{status} {content[:120]!r}")
    except (OSError, asyncio.IncompleteReadError, ValueError) as error:
        phase.error(f"{type(error).__name__}: {error}")
    finally:
        writer.close()


def run_http(
    port: int, built: BenchElection, pool: Codes | None, *, clients: int, seconds: float,
    name: str, seed: int,
) -> Phase:  # fmt: skip
    phase = Phase(name)

    async def all_clients() -> None:
        begin = time.perf_counter() + 0.5  # every connection has its page by then
        window = (begin + WARMUP_S, begin + WARMUP_S + seconds)
        await asyncio.gather(*(
            _http_client(port, built, pool, phase, window, seed * 1000 + i) for i in range(clients)
        ))  # fmt: skip
        phase.seconds = min(seconds, time.perf_counter() - window[0])

    asyncio.run(all_clients())
    return phase


# --- direct ----------------------------------------------------------------------------


def _direct_client(built: BenchElection, pool: Codes, phase: Phase, window: tuple[float, float],
                   seed: int, lock: threading.Lock) -> None:  # fmt: skip
    """The statement ``cast_ballot`` sends on PostgreSQL (``services._CAST``, one
    statement that is its own transaction), with the same parameters computed per cast,
    on this thread's own connection (Django's, so the same driver and settings)."""
    rng = random.Random(seed)
    election_id = built.election.pk
    start, stop = window
    own = connections["default"]
    done, errors, latencies = 0, 0, []
    first_error = ""
    try:
        own.ensure_connection()
        raw = own.connection  # autocommit, as Django leaves it outside a transaction
        key = str(built.election.key)
        while (now := time.perf_counter()) < stop:
            code = pool.take()
            if code is None:
                phase.ran_out = True
                break
            marks = {str(k): v for k, v in marks_of_a_voter(built.specs, rng).items()}
            sent = time.perf_counter()
            try:
                with raw.cursor() as cursor:
                    cursor.execute(_CAST, {
                        "election": election_id, "key": key, "open": Status.OPEN,
                        "channel": "online", "digest": codes.digest(code),
                        "ballot": uuid.uuid4(), "marks": json.dumps(marks),
                        "receipt_id": uuid.uuid4(), "receipt": codes.new_code()[:10],
                    })  # fmt: skip
                    is_open, consumed, _exists = cursor.fetchone()
                ok = bool(is_open) and consumed == 1
                if not ok:
                    first_error = first_error or f"open={is_open} consumed={consumed}"
            except Exception as error:
                ok = False
                first_error = first_error or f"{type(error).__name__}: {error}"
            finished = time.perf_counter()
            if now < start or finished > stop:
                continue
            if ok:
                done += 1
                latencies.append((finished - sent) * 1000)
            else:
                errors += 1
    finally:
        own.close()
        with lock:
            phase.done += done
            phase.errors += errors
            phase.latencies_ms += latencies
            phase.first_error = phase.first_error or first_error


def run_direct(built: BenchElection, pool: Codes, *, clients: int, seconds: float,
               seed: int) -> Phase:  # fmt: skip
    phase = Phase("direct")
    lock = threading.Lock()
    begin = time.perf_counter() + 0.5
    window = (begin + WARMUP_S, begin + WARMUP_S + seconds)
    threads = [
        threading.Thread(target=_direct_client, args=(built, pool, phase, window, seed + i, lock))
        for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds = min(seconds, time.perf_counter() - window[0])
    return phase


# --- the run ---------------------------------------------------------------------------


def _report(phase: Phase, round_: int | None, extra: dict[str, object]) -> None:
    where = {"round": round_} if round_ is not None else {"round": "median"}
    unit = "req/s" if phase.name == "trivial" else "casts/s"
    emit(BENCH, f"{phase.name}.rate", phase.rate, unit, errors=phase.errors,
         counted=phase.done, seconds=round(phase.seconds, 3), **where, **extra)  # fmt: skip
    if phase.latencies_ms:
        for p in (50, 95, 99):
            emit(BENCH, f"{phase.name}.p{p}", percentile(phase.latencies_ms, p), "ms", **where)
    if phase.ran_out:
        log(f"  {phase.name}: ran out of codes — raise the ceilings in bench/ballots_throughput.py")
    if phase.first_error:
        log(f"  {phase.name}: first error: {phase.first_error}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="houbei bench ballots-throughput")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=8.0, help="counted seconds per phase")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="granian blocking threads")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-targets", action="store_true")
    args = parser.parse_args(argv)

    vendor = connection.vendor
    if vendor != "postgresql":
        # The figure is about the production set-up; the baseline is PostgreSQL's statement.
        emit(BENCH, "not_run", 0, "", reason="needs PostgreSQL: DATABASE_URL=postgres://…",
             vendor=vendor)  # fmt: skip
        log("ballots-throughput: not run — PostgreSQL only (set DATABASE_URL=postgres://…)")
        return 0
    log(f"ballots-throughput: {args.clients} clients, {args.rounds} rounds of "
        f"{args.seconds:g} s per phase, {durability()}")  # fmt: skip
    per_phase = args.seconds + WARMUP_S + 1
    slips = int(per_phase * args.rounds * (HTTP_RATE_CEILING + DIRECT_RATE_CEILING))
    started = time.perf_counter()
    built = build_election(slips=slips, seed=args.seed)
    log(f"  {slips} slips issued in {time.perf_counter() - started:.1f} s")
    pool = Codes(built.codes)
    rounds: list[dict[str, Phase]] = []
    with production_server(workers=args.workers, threads=args.threads) as server:
        extra = {"clients": args.clients, "server": server.describe()}
        log(f"  server: {server.describe()}")
        # Both workers warmed on the real path before anything is measured.
        run_http(server.port, built, pool, clients=args.clients, seconds=1.0, name="warm",
                 seed=args.seed)  # fmt: skip
        for round_ in range(args.rounds):
            seed = args.seed + 100 * (round_ + 1)
            http_kwargs = {"clients": args.clients, "seconds": args.seconds, "seed": seed}
            phases = {
                "direct": run_direct(built, pool, **http_kwargs),
                "http": run_http(server.port, built, pool, name="http", **http_kwargs),
                "trivial": run_http(server.port, built, None, name="trivial", **http_kwargs),
            }
            rounds.append(phases)
            for phase in phases.values():
                _report(phase, round_ + 1, extra)
            ratio = phases["http"].rate / phases["direct"].rate if phases["direct"].rate else 0
            log(f"  round {round_ + 1}: http {phases['http'].rate:.0f}/s, direct "
                f"{phases['direct'].rate:.0f}/s ({ratio:.0%}), trivial "
                f"{phases['trivial'].rate:.0f}/s")  # fmt: skip

    http_rate = statistics.median(r["http"].rate for r in rounds)
    direct_rate = statistics.median(r["direct"].rate for r in rounds)
    trivial_rate = statistics.median(r["trivial"].rate for r in rounds)
    http_latencies = [ms for r in rounds for ms in r["http"].latencies_ms]
    errors = sum(p.errors for r in rounds for p in r.values())
    emit(BENCH, "http.rate", http_rate, "casts/s", baseline=direct_rate, target=TARGET_RATIO,
         goal=GOAL_RATIO, round="median", **extra)  # fmt: skip
    emit(BENCH, "direct.rate", direct_rate, "casts/s", round="median", **extra)
    emit(BENCH, "trivial.rate", trivial_rate, "req/s", round="median", **extra)
    if http_latencies:
        for p in (50, 95, 99):
            more = {"target": TARGET_P99_MS} if p == 99 else {}
            emit(BENCH, f"http.p{p}", percentile(http_latencies, p), "ms", round="all", **more)
    emit(BENCH, "errors", errors, "requests")

    counts = stored_counts(built.election)
    failed = []
    if not (counts["ballots"] == counts["receipts"] == counts["used_codes"]):
        failed.append(f"stored {counts}: ballots, receipts and used codes differ")
    if errors:
        failed.append(f"{errors} failed requests or casts")
    if not args.no_targets:
        if direct_rate and http_rate / direct_rate < TARGET_RATIO:
            failed.append(f"http/direct {http_rate / direct_rate:.1%} < {TARGET_RATIO:.0%}")
        if http_latencies and percentile(http_latencies, 99) > TARGET_P99_MS:
            failed.append(f"cast p99 above {TARGET_P99_MS:g} ms")
    for reason in failed:
        log(f"ballots-throughput: FAILED: {reason}")
    return 1 if failed else 0
