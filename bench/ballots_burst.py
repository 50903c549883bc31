"""A meeting's burst: every voter of a 300-seat hall submits within the same 5 seconds.

Builds an open election (``bench/_ballots.py``: 区级 quota 5 and 校级 quota 11 over 50
staff) with ``--voters`` slips, starts the production server (granian, 2 workers × 4
blocking threads, DEBUG off, persistent connections) on a free loopback port against the
bench's scratch database, warms it with a few voters whose codes are refused, then lets
``--voters`` distinct voters — each with their own connection and cookies — start at
random moments spread over ``--window`` seconds. Each voter does what a phone does:

1. GET the ballot page (the CSRF cookie and ``csrfmiddlewaretoken`` come with it),
2. POST the choice (``step=choose``) and get the confirmation page,
3. POST the confirmation (``step=confirm``) and get the receipt page with its code.

Reported (JSON lines): ``stored`` (ballots in the database, of ``--voters``), ``errors``
(any answer but 200 with the expected page, or a failed connection), the cast POST's
p50/p95/p99 in ms, the whole flow's p50/p95/p99, how long after the first confirmation the
last one was sent, and whether the receipts shown are exactly the receipts stored.
Afterwards the database must hold exactly ``--voters`` ballots, receipts and used codes.

Targets on PostgreSQL: all stored, no error, cast p95 ≤ 300 ms and p99 ≤ 500 ms; exit
status 1 when missed. ``--no-targets`` judges only the counts (for smoke tests). A
standard-library client (``http.client`` in one thread per voter) drives the load.

    houbei bench ballots-burst [--voters 300] [--window 5] [--workers 2] [--threads 4]
                               [--warmup 16] [--seed 2026] [--no-targets]
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from dataclasses import dataclass, field

from django.db import connection

from houbei.ballots import codes
from houbei.ballots.models import Receipt

from ._ballots import (
    BenchElection,
    Http,
    Server,
    build_election,
    csrf_token_in,
    durability,
    form,
    marks_of_a_voter,
    production_server,
    receipt_in,
    stored_counts,
)
from ._report import emit, log, percentile

BENCH = "ballots_burst"
TARGET_P95_MS = 300.0
TARGET_P99_MS = 500.0


@dataclass
class Voter:
    code: str
    marks: dict[int, list[int]]
    start: float  # seconds after the burst begins
    flow_ms: float = 0.0
    cast_ms: float = 0.0
    confirm_sent: float = 0.0  # perf_counter when the confirmation went out
    receipt: str | None = None
    error: str = ""
    timings: dict[str, float] = field(default_factory=dict)


def vote(server: Server, path: str, voter: Voter) -> None:
    """One voter's three requests on one connection; fills in the voter's figures."""
    client = Http(server.port)
    try:
        started = time.perf_counter()
        status, page = client.request("GET", path)
        if status != 200:
            voter.error = f"GET {status}"
            return
        token = csrf_token_in(page)
        shown = codes.display(voter.code)
        status, page = client.request("POST", path, form(shown, voter.marks, "choose", token))
        if status != 200 or "请核对您的选择".encode() not in page:
            voter.error = f"choose {status}"
            return
        voter.confirm_sent = time.perf_counter()
        status, page = client.request("POST", path, form(shown, voter.marks, "confirm", token))
        done = time.perf_counter()
        voter.cast_ms = (done - voter.confirm_sent) * 1000
        voter.flow_ms = (done - started) * 1000
        voter.receipt = receipt_in(page) if status == 200 else None
        if voter.receipt is None:
            voter.error = f"confirm {status}"
    except Exception as error:  # a refused or dropped connection is an error, not a crash
        voter.error = f"{type(error).__name__}: {error}"
    finally:
        client.close()


def warm_up(server: Server, built: BenchElection, voters: int) -> None:
    """Voters with codes that do not exist: every page and the cast's refusal path run in
    both workers, and nothing is stored."""
    rng = random.Random(0)

    def refused_voter() -> None:
        client = Http(server.port)
        try:
            _status, page = client.request("GET", built.path)
            token = csrf_token_in(page)
            marks = marks_of_a_voter(built.specs, rng)
            code = codes.display(codes.new_code())
            client.request("POST", built.path, form(code, marks, "choose", token))
            status, _page = client.request("POST", built.path, form(code, marks, "confirm", token))
            if status != 409:
                raise RuntimeError(f"warm-up: an unknown code was answered with {status}")
        finally:
            client.close()

    threads = [threading.Thread(target=refused_voter) for _i in range(voters)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def burst(server: Server, built: BenchElection, voters: list[Voter]) -> float:
    """Run every voter at their start time; returns the burst's wall-clock seconds."""
    threads = [threading.Thread(target=_at, args=(server, built.path, v)) for v in voters]
    begin = time.perf_counter() + 0.5  # every thread is waiting before the first starts
    for thread, voter in zip(threads, voters, strict=True):
        voter.timings["begin"] = begin
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - begin


def _at(server: Server, path: str, voter: Voter) -> None:
    delay = voter.timings["begin"] + voter.start - time.perf_counter()
    if delay > 0:
        time.sleep(delay)
    vote(server, path, voter)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="houbei bench ballots-burst")
    parser.add_argument("--voters", type=int, default=300)
    parser.add_argument("--window", type=float, default=5.0, help="seconds the starts spread over")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="granian blocking threads")
    parser.add_argument("--warmup", type=int, default=16, help="refused voters before the burst")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-targets", action="store_true")
    args = parser.parse_args(argv)

    vendor = connection.vendor
    settings = durability()
    log(f"ballots-burst: {args.voters} voters within {args.window:g} s on {vendor} {settings}")
    built = build_election(slips=args.voters, seed=args.seed)
    rng = random.Random(args.seed)
    voters = [
        Voter(
            code=code, marks=marks_of_a_voter(built.specs, rng), start=rng.uniform(0, args.window)
        )
        for code in built.codes
    ]
    with production_server(workers=args.workers, threads=args.threads) as server:
        log(f"  server: {server.describe()}")
        warm_up(server, built, args.warmup)
        seconds = burst(server, built, voters)
    counts = stored_counts(built.election)

    errors = [v for v in voters if v.error]
    for voter in errors[:5]:
        log(f"  error: {voter.error}")
    ok = [v for v in voters if not v.error]
    shown = {v.receipt for v in ok}
    stored_receipts = set(
        Receipt.objects.filter(election=built.election).values_list("code", flat=True)
    )
    sent = sorted(v.confirm_sent for v in voters if v.confirm_sent)
    extra = {"vendor": vendor, "voters": args.voters, "window_s": args.window,
             "server": server.describe()}  # fmt: skip
    emit(BENCH, "stored", counts["ballots"], "ballots", of=args.voters, **counts, **extra)
    emit(BENCH, "errors", len(errors), "voters", **extra)
    emit(BENCH, "receipts_match", int(shown == stored_receipts and len(shown) == len(ok)),
         "bool", shown=len(shown), stored=len(stored_receipts))  # fmt: skip
    if sent:
        emit(BENCH, "confirm_spread", sent[-1] - sent[0], "s", burst_seconds=round(seconds, 3))
    for name, samples in (("cast", [v.cast_ms for v in ok]), ("flow", [v.flow_ms for v in ok])):
        if not samples:
            continue
        for p in (50, 95, 99):
            target = {("cast", 95): TARGET_P95_MS, ("cast", 99): TARGET_P99_MS}.get((name, p))
            more = {"target": target} if target else {}
            emit(BENCH, f"{name}.p{p}", percentile(samples, p), "ms", **more, **extra)
        emit(BENCH, f"{name}.max", max(samples), "ms", **extra)

    failed = []
    expected = {"ballots": args.voters, "receipts": args.voters, "used_codes": args.voters}
    if counts != expected:
        failed.append(f"stored {counts}, expected {expected}")
    if errors:
        failed.append(f"{len(errors)} voters failed")
    if shown != stored_receipts:
        failed.append("the receipts shown are not the receipts stored")
    if not args.no_targets and vendor == "postgresql" and ok:
        casts = [v.cast_ms for v in ok]
        if percentile(casts, 95) > TARGET_P95_MS or percentile(casts, 99) > TARGET_P99_MS:
            failed.append("cast latency above target")
    for reason in failed:
        log(f"ballots-burst: FAILED: {reason}")
    return 1 if failed else 0
