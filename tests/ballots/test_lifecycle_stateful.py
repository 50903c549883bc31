"""T4: an election's whole life cycle as a Hypothesis state machine, over the real
services and the real database.

Each example builds a fresh election (slips or roll mode) inside a savepoint that is
rolled back when the example ends, then runs random steps in random order: issuing
slips, casting with fresh, used, unknown, malformed and foreign codes, online and on
paper, with valid, blank, over-marked and broken marks; opening, closing, tallying and
publishing at any moment (out of turn too); putting people on the roll and voting on it,
twice. Next to the database the machine keeps its own plain model of what should be
stored, and after every step it checks:

* ballots = used credentials, per channel; online ballots = receipts;
* the stored ballots, receipts, credentials and roll are exactly the model's;
* nothing is stored once the election is closed;
* an online ballot never marks more than a list's quota (paper keeps it, void);
* a refused step changed nothing at all (every table read, the audit trail included);
* administrative steps are audited, casting is not;
* no figures exist before the tally; after it, the stored results and digest equal
  the model's own count of the ballots the machine cast;
* the other election in the database is untouched.

It fails, for example, if ``cast_ballot`` stops checking that a code is unused, if a
refusal consumes a code, or if the tally miscounts a void list."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from houbei.accounts.models import Role, User
from houbei.audit.models import AuditEntry
from houbei.ballots import codes
from houbei.ballots.models import (
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
from houbei.ballots.results import NotCounted, Results, results_of, turnout_of
from houbei.ballots.services import (
    MAX_SLIPS,
    CastRefused,
    ListDraft,
    cast_ballot,
    close_election,
    create_election,
    issue_slips,
    open_election,
    publish_results,
    set_roll,
    tally_election,
    vote_on_roll,
)
from houbei.ballots.tally import Tally
from houbei.core.errors import DomainError, ValidationFailed
from houbei.organisation.models import School
from houbei.people.models import Person

from ..conftest import make_user
from ..factories import make_person
from .conftest import make_election

# The model's own idea of the life cycle (not the service's TRANSITIONS table).
NEXT = {
    Status.DRAFT: Status.OPEN,
    Status.OPEN: Status.CLOSED,
    Status.CLOSED: Status.TALLIED,
    Status.TALLIED: Status.PUBLISHED,
}
MOVES: dict[str, tuple[Callable[..., Any], str]] = {
    Status.OPEN: (open_election, "ballots.election.opened"),
    Status.CLOSED: (close_election, "ballots.election.closed"),
    Status.TALLIED: (tally_election, "ballots.election.tallied"),
    Status.PUBLISHED: (publish_results, "ballots.election.published"),
}
# Steps tried in a status before ``advance`` may leave it, so that examples spend their
# steps in every status rather than racing to the end.
DWELL = {Status.DRAFT: 2, Status.OPEN: 8, Status.CLOSED: 2, Status.TALLIED: 2}
REFUSALS_BETWEEN_CHANGES = 2
COUNTED = (Status.TALLIED, Status.PUBLISHED)
CHANNELS = st.sampled_from([Channel.ONLINE, Channel.PAPER])
# How a voter may type a code: as stored, as printed, in lower case, with spaces, or
# with the letters that look like 0 and 1.
FORMS = st.sampled_from(["canonical", "display", "lower", "spaced", "lookalike"])
# Mostly valid ballots (they are what gets stored), then each way of spoiling one.
MARK_KINDS = st.sampled_from(
    ["valid"] * 8 + ["blank", "over", "over", "twice", "stranger", "foreign_list", "garbage"]
)


def typed(code: str, form: str) -> str:
    if form == "display":
        return codes.display(code)
    if form == "lower":
        return codes.display(code).lower()
    if form == "spaced":
        return f" {code[:4]} {code[4:8]}\u3000{code[8:]} "
    if form == "lookalike":
        return code.replace("0", "O").replace("1", "l")
    return code


def _table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# The test's reads, in plain SQL (table names from the models, quoted; values bound).
SQL = {
    "election": f"SELECT status, digest, electorate FROM {_table(Election)} WHERE id = %s",
    "ballots": f"SELECT marks, channel FROM {_table(Ballot)} WHERE election_id = %s",
    "receipts": f"SELECT code FROM {_table(Receipt)} WHERE election_id = %s",
    "credentials": (
        f"SELECT code_digest, used, channel FROM {_table(Credential)} WHERE election_id = %s"
    ),
    "roll": f"SELECT person_id, issued FROM {_table(RollEntry)} WHERE election_id = %s",
    "actions": (
        f"SELECT action FROM {_table(AuditEntry)} WHERE target_type = %s AND target_id = %s "
        "ORDER BY seq"
    ),
    "elsewhere": (
        f"SELECT (SELECT count(*) FROM {_table(Election)} WHERE id <> %s), "
        f"(SELECT count(*) FROM {_table(Ballot)} WHERE election_id <> %s), "
        f"(SELECT count(*) FROM {_table(Receipt)} WHERE election_id <> %s), "
        f"(SELECT count(*) FROM {_table(Credential)} WHERE election_id <> %s AND used), "
        f"(SELECT count(*) FROM {_table(AuditEntry)})"
    ),
}


def marks_of(stored: Any) -> dict[str, list[int]]:
    """A ballot's marks as read by the cursor: text on SQLite, already decoded on PostgreSQL."""
    return json.loads(stored) if isinstance(stored, str) else stored


def canonical_json(marks: Mapping[str, Sequence[int]]) -> str:
    return json.dumps(marks, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class ListModel:
    id: int
    quota: int
    candidates: tuple[int, ...]


@dataclass(frozen=True)
class World:
    """What every example shares: rows made once, outside the examples' savepoints."""

    actor: User
    school: School
    school_candidates: tuple[Person, ...]
    voters: tuple[Person, ...]
    other: Election  # an open election whose codes must never work in ours
    other_codes: tuple[str, ...]
    elections: int
    audit_entries: int


@dataclass(frozen=True)
class Seen:
    """Everything the database holds about the election under test, and about the rest."""

    status: str
    digest: str
    electorate: int
    ballots: tuple[tuple[str, str], ...]  # (canonical marks, channel), sorted
    receipts: tuple[str, ...]
    credentials: tuple[tuple[str, bool, str], ...]  # (digest, used, channel), sorted
    roll: tuple[tuple[int, bool], ...]
    actions: tuple[str, ...]  # this election's audit entries, in order
    audit_entries: int  # all of them, anywhere
    elsewhere: tuple[int, int, int, int]  # other elections, ballots, receipts, used codes
    results: Results | None


class ElectionLifecycle(RuleBasedStateMachine):
    world: World  # set by the test

    def __init__(self) -> None:
        super().__init__()
        # Every example runs in its own savepoint, rolled back in teardown: nothing it
        # writes reaches the next example.
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        self.election_id = 0
        self.seen: Seen | None = None
        self._results: tuple[tuple, Results] | None = None
        self._turnout_seen: Seen | None = None

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)

    # --- the model -------------------------------------------------------------------

    @initialize(
        mode=st.sampled_from([Mode.SLIPS, Mode.ROLL]),
        electorate=st.integers(0, 9),
        slips=st.integers(0, 4),
        roll=st.sets(st.integers(0, 4), max_size=5),
        open_now=st.booleans(),
    )
    def create(
        self, mode: str, electorate: int, slips: int, roll: set[int], open_now: bool
    ) -> None:
        """A fresh election; often some slips or a roll and opened at once, so that the
        random steps do not spend most examples in draft. (Each of these goes through the
        same checked step as the rules.)"""
        world = self.world
        assert Election.objects.count() == world.elections, "an earlier example left an election"
        assert not Ballot.objects.exclude(election=world.other).exists()
        assert AuditEntry.objects.count() == world.audit_entries, "an earlier example left audit"
        people = world.school_candidates
        election = create_election(
            actor=world.actor, school=world.school, title="区、校后备干部民主推荐",
            mode=mode, electorate=electorate,
            lists=[ListDraft("区级后备干部", 2, people[:4]), ListDraft("校级后备干部", 3, people)],
        )  # fmt: skip
        self.election_id = election.pk
        # The services are always handed the election as it was read at its creation,
        # never refreshed: they must re-read it under their own lock, not trust a copy.
        self.handed = election
        self.mode = mode
        self.status: str = Status.DRAFT
        self.steps_here = 0
        self.refused: Counter[str] = Counter()
        self.electorate = electorate
        self.lists = tuple(
            ListModel(pk, quota, tuple(
                Candidate.objects.filter(ballot_list_id=pk).order_by("pk").values_list("pk", flat=True)
            ))
            for pk, quota in BallotList.objects.filter(election=election)
            .order_by("position").values_list("pk", "quota")
        )  # fmt: skip
        self.slips: dict[str, str | None] = {}  # code → channel it was used on, None if fresh
        self.digests: dict[str, str] = {}  # code → its stored digest
        self.roll: set[int] = set()
        self.voted: set[int] = set()
        self.roll_credentials = 0
        self.ballots: list[tuple[dict[str, list[int]], str]] = []
        self.receipts: list[str] = []
        self.actions = ["ballots.election.created"]
        self.cast_at_close: int | None = None
        self.digest = ""
        self.seen = None
        self._results = None
        if slips:
            self.issue(slips)
        if roll:
            self.put_on_the_roll(roll)  # refused for a slips election
        if open_now:
            self.move(Status.OPEN)

    def election(self) -> Election:
        return Election.objects.get(pk=self.election_id)

    def fresh(self) -> list[str]:
        return sorted(code for code, used in self.slips.items() if used is None)

    def used(self) -> list[str]:
        return sorted(code for code, used in self.slips.items() if used is not None)

    def problems(self, marks: Mapping[str, Sequence[Any]]) -> tuple[set[str], dict | None]:
        """What is wrong with ``marks`` and their stored form: "broken" (refused on either
        channel) or "void" (a list over its quota or marking someone twice: refused
        online, kept void on paper)."""
        try:
            stored = {str(k): sorted(int(c) for c in v) for k, v in sorted(marks.items())}
        except (TypeError, ValueError):
            return {"broken"}, None
        found: set[str] = set()
        by_id = {str(spec.id): spec for spec in self.lists}
        for key, marked in stored.items():
            spec = by_id.get(key)
            if spec is None or not set(marked) <= set(spec.candidates):
                found.add("broken")
            elif len(set(marked)) != len(marked) or len(marked) > spec.quota:
                found.add("void")
        return found, stored

    def refusals_for_cast(self, code_state: str, channel: str, marks: Mapping) -> set[type]:
        """The refusals a cast may meet; empty when it must be stored. Where several
        reasons apply, any of their errors will do."""
        if code_state == "malformed":
            return {CastRefused}
        refusals: set[type] = set()
        if self.status != Status.OPEN:
            refusals.add(CastRefused)
        found, _stored = self.problems(marks)
        if "broken" in found or (channel == Channel.ONLINE and "void" in found):
            refusals.add(ValidationFailed)
        if code_state != "fresh":
            refusals.add(CastRefused)
        return refusals

    def plain_count(self) -> dict[int, tuple[int, int, int, dict[int, int]]]:
        """For each list: valid, void, blank and votes per candidate, counted by hand."""
        out = {}
        for spec in self.lists:
            votes = dict.fromkeys(spec.candidates, 0)
            valid = void = blank = 0
            for marks, _channel in self.ballots:
                marked = marks.get(str(spec.id), [])
                if (
                    len(set(marked)) != len(marked)
                    or len(marked) > spec.quota
                    or not set(marked) <= set(spec.candidates)
                ):
                    void += 1
                    continue
                valid += 1
                blank += not marked
                for candidate in marked:
                    votes[candidate] += 1
            out[spec.id] = (valid, void, blank, votes)
        return out

    def plain_digest(self) -> str:
        h = hashlib.sha256()
        for line in sorted(canonical_json(marks) for marks, _channel in self.ballots):
            h.update(b"B" + line.encode() + b"\n")
        for code in sorted(self.receipts):
            h.update(b"R" + code.encode() + b"\n")
        return h.hexdigest()

    def assert_tally_is_the_models(self, tally: Tally) -> None:
        assert tally.ballots == len(self.ballots)
        expected = self.plain_count()
        assert [lr.id for lr in tally.lists] == [spec.id for spec in self.lists]
        for lr in tally.lists:
            valid, void, blank, votes = expected[lr.id]
            assert (lr.valid, lr.void, lr.blank) == (valid, void, blank), lr.name
            assert {c.id: c.votes for c in lr.candidates} == votes, lr.name
            for c in lr.candidates:
                assert c.rank == 1 + sum(v > c.votes for v in votes.values())
                assert c.share == (Fraction(c.votes, valid) if valid else 0)

    # --- reading the database ----------------------------------------------------------

    def observe(self) -> Seen:
        """One read of everything, in plain SQL: the ORM's query building would cost more
        than the services under test. The results are recomputed (``results_of``) only
        when the rows they are computed from changed."""
        mine = [self.election_id]
        with connection.cursor() as cursor:
            cursor.execute(SQL["election"], mine)
            status, digest, electorate = cursor.fetchone()
            cursor.execute(SQL["ballots"], mine)
            ballots = tuple(
                sorted((canonical_json(marks_of(m)), ch) for m, ch in cursor.fetchall())
            )
            cursor.execute(SQL["receipts"], mine)
            receipts = tuple(sorted(code for (code,) in cursor.fetchall()))
            cursor.execute(SQL["credentials"], mine)
            credentials = tuple(sorted((d, bool(used), ch) for d, used, ch in cursor.fetchall()))
            cursor.execute(SQL["roll"], mine)
            roll = tuple(sorted((pk, bool(issued)) for pk, issued in cursor.fetchall()))
            cursor.execute(SQL["actions"], [Election._meta.label_lower, str(self.election_id)])
            actions = tuple(action for (action,) in cursor.fetchall())
            cursor.execute(SQL["elsewhere"], mine * 4)
            *elsewhere, audit_entries = cursor.fetchone()
        results = None
        if status in COUNTED:
            basis = (status, digest, ballots, receipts, credentials, roll)
            if self._results is None or self._results[0] != basis:
                self._results = (basis, results_of(self.election()))
            results = self._results[1]
        return Seen(
            status=status, digest=digest, electorate=electorate, ballots=ballots,
            receipts=receipts, credentials=credentials, roll=roll, actions=actions,
            audit_entries=audit_entries, elsewhere=tuple(elsewhere), results=results,
        )  # fmt: skip

    def now(self) -> Seen:
        if self.seen is None:
            self.seen = self.observe()
        return self.seen

    def may_refuse(self, what: str) -> bool:
        """Whether a rule may run again: each kind of step is refused at most twice
        between two changes of the database, so that examples do not spend their steps
        repeating one refusal (``read_the_pages_again`` then keeps the machine going)."""
        return self.refused[what] < REFUSALS_BETWEEN_CHANGES

    def attempt(self, step: Callable[[], Any], refusals: set[type], what: str) -> Any:
        """Run ``step``. If the model expects it refused, it must raise one of
        ``refusals`` and leave every table as it was; otherwise it must succeed. Returns
        the step's result, or None when refused."""
        before = self.now()
        self.steps_here += 1
        try:
            result = step()
        except DomainError as error:
            self.seen = self.observe()
            assert type(error) in refusals, (
                f"{what}: refused with {type(error).__name__} ({error}), the model expected "
                + (" or ".join(r.__name__ for r in refusals) if refusals else "success")
            )
            assert self.seen == before, f"{what}: refused, yet the database changed"
            self.refused[what] += 1
            return None
        self.seen = None
        self.refused.clear()
        assert not refusals, f"{what}: succeeded, the model expected a refusal"
        return result

    # --- strategies that depend on the election ------------------------------------------

    def draw_marks(self, data: st.DataObject) -> dict[str, list[Any]]:
        kind = data.draw(MARK_KINDS, label="kind of marks")
        if kind == "blank":
            return data.draw(st.sampled_from([{}, {str(s.id): [] for s in self.lists}]))
        marks: dict[str, list[Any]] = {}
        for spec in self.lists:
            if data.draw(st.booleans(), label=f"list {spec.id} marked"):
                marks[str(spec.id)] = data.draw(
                    st.lists(st.sampled_from(spec.candidates), unique=True, max_size=spec.quota)
                )
        if kind == "valid":
            return marks
        spec = data.draw(st.sampled_from(self.lists), label="list spoilt")
        key = str(spec.id)
        if kind == "over":
            marks[key] = data.draw(
                st.lists(st.sampled_from(spec.candidates), unique=True,
                         min_size=spec.quota + 1, max_size=len(spec.candidates))
            )  # fmt: skip
        elif kind == "twice":
            once = data.draw(
                st.lists(st.sampled_from(spec.candidates), unique=True, min_size=1,
                         max_size=max(1, spec.quota - 1))
            )  # fmt: skip
            marks[key] = [*once, data.draw(st.sampled_from(once))]
        elif kind == "stranger":
            # Someone of another list, or an id that is no candidate at all.
            others = [c for s in self.lists if s is not spec for c in s.candidates]
            marks.setdefault(key, []).append(
                data.draw(st.sampled_from([*others, max(others) + 1000]))
            )
        elif kind == "foreign_list":
            marks[str(max(s.id for s in self.lists) + 1000)] = []
        else:  # garbage
            marks.setdefault(key, []).append("x")
        return marks

    # --- rules: slips and casting -------------------------------------------------------

    @precondition(lambda self: self.may_refuse("issue"))
    @rule(count=st.sampled_from([1, 2, 3, 1, 2, 3, 0, MAX_SLIPS + 1]))
    def issue(self, count: int) -> None:
        allowed = self.status in (Status.DRAFT, Status.OPEN) and 1 <= count <= MAX_SLIPS
        made = self.attempt(
            lambda: issue_slips(actor=self.world.actor, election=self.handed, count=count),
            set() if allowed else {ValidationFailed},
            "issue",
        )
        if made is None:
            return
        assert len(made) == count == len(set(made))
        for code in made:
            assert codes.canonical(code) == code and code not in self.slips
            self.slips[code] = None
            self.digests[code] = codes.digest(code)
        self.actions.append("ballots.slips.issued")

    def cast(self, *, key: str, code: str, typed_code: str, state: str, channel: str,
             marks: dict) -> None:  # fmt: skip
        """Cast with ``code`` typed as ``typed_code``; ``state`` is what the model knows of
        the code: fresh, used, unknown or malformed."""
        refusals = self.refusals_for_cast(state, channel, marks)
        receipt = self.attempt(
            lambda: cast_ballot(
                election_id=self.election_id, code=typed_code, marks=marks, channel=channel
            ),
            refusals,
            key,
        )
        if receipt is None:
            return
        _found, stored = self.problems(marks)
        assert stored is not None
        self.slips[code] = channel
        self.ballots.append((stored, channel))
        if channel == Channel.ONLINE:
            assert len(receipt) == 10 and set(receipt) <= set(codes.ALPHABET)
            assert receipt not in self.receipts
            self.receipts.append(receipt)
        else:
            assert receipt == ""

    def cast_a_slip(self, key: str, codes_: list[str], state: str, data: st.DataObject,
                    channel: str) -> None:  # fmt: skip
        code = data.draw(st.sampled_from(codes_), label="code")
        typed_code = typed(code, data.draw(FORMS, label="typed as"))
        self.cast(key=key, code=code, typed_code=typed_code, state=state, channel=channel,
                  marks=self.draw_marks(data))  # fmt: skip

    # Fresh codes online and on paper are two rules, so that an example that leaves one
    # of them out (Hypothesis switches rules off at random) still casts with the other.
    @precondition(lambda self: self.fresh() and self.may_refuse("fresh online"))
    @rule(data=st.data())
    def cast_online_with_a_fresh_code(self, data: st.DataObject) -> None:
        self.cast_a_slip("fresh online", self.fresh(), "fresh", data, Channel.ONLINE)

    @precondition(lambda self: self.fresh() and self.may_refuse("fresh paper"))
    @rule(data=st.data())
    def cast_on_paper_with_a_fresh_code(self, data: st.DataObject) -> None:
        self.cast_a_slip("fresh paper", self.fresh(), "fresh", data, Channel.PAPER)

    @precondition(lambda self: self.used() and self.may_refuse("used"))
    @rule(data=st.data(), channel=CHANNELS)
    def cast_again_with_a_used_code(self, data: st.DataObject, channel: str) -> None:
        self.cast_a_slip("used", self.used(), "used", data, channel)

    @precondition(lambda self: self.may_refuse("not a code"))
    @rule(
        data=st.data(),
        channel=CHANNELS,
        how=st.sampled_from(["unknown", "other election", "short", "long", "letter U", "typed"]),
        text=st.text(alphabet="0123456789ABCDEFUu- ", max_size=20),
    )
    def cast_with_what_is_no_code_of_this_election(
        self, data: st.DataObject, channel: str, how: str, text: str
    ) -> None:
        """A well-formed code never issued, a code of the other election, a near miss of
        a real code (one character short or long, a U, which no code contains) or any
        text typed."""
        issued = sorted(self.slips)
        state = "malformed"
        if how == "unknown":
            code = data.draw(st.text(codes.ALPHABET, min_size=codes.LENGTH, max_size=codes.LENGTH))
            state = "unknown" if code not in self.slips else "fresh or used"
        elif how == "other election":
            code, state = data.draw(st.sampled_from(self.world.other_codes)), "unknown"
        elif how == "typed" or not issued:
            code = text
        else:
            real = data.draw(st.sampled_from(issued), label="near")
            code = {"short": real[:-1], "long": real + "7", "letter U": "U" + real[1:]}[how]
        if state == "fresh or used" or (state == "malformed" and codes.canonical(code)):
            return  # drew a real code or typed a well-formed one: not this rule's business
        self.cast(key="not a code", code=code, typed_code=code, state=state, channel=channel,
                  marks=self.draw_marks(data))  # fmt: skip

    # --- rules: the life cycle -----------------------------------------------------------

    def move(self, target: str) -> None:
        service, action = MOVES[target]
        allowed = NEXT.get(self.status) == target
        result = self.attempt(
            lambda: service(actor=self.world.actor, election=self.handed),
            set() if allowed else {ValidationFailed},
            "move",
        )
        if result is None:
            return
        self.status = target
        self.steps_here = 0
        self.actions.append(action)
        if target == Status.CLOSED:
            self.cast_at_close = len(self.ballots)
        if target == Status.TALLIED:
            assert isinstance(result, Tally)
            self.assert_tally_is_the_models(result)
            self.digest = self.plain_digest()

    @precondition(lambda self: self.steps_here >= DWELL.get(self.status, 1 << 30))
    @rule()
    def advance(self) -> None:
        """The next step of the life cycle, once a few steps were tried in this one
        (``move_at_random`` moves at any time)."""
        self.move(NEXT[self.status])

    @precondition(lambda self: self.may_refuse("move"))
    @rule(status=st.sampled_from(list(MOVES)))
    def move_at_random(self, status: str) -> None:
        """Any step, mostly out of turn."""
        self.move(status)

    # Only once steps are being refused: it is then always there to be chosen, so the
    # machine never runs out of rules (after publication everything else is refused).
    @precondition(lambda self: self.refused.total() >= 2 * REFUSALS_BETWEEN_CHANGES)
    @rule(page=st.sampled_from(["turnout", "results"]))
    def read_the_pages_again(self, page: str) -> None:
        """Reading changes nothing and gives what it gave before."""
        self.assert_turnout_is_the_models(self.election())
        if page == "results" and self.status in COUNTED:
            assert results_of(self.election()) == self.now().results

    # --- rules: roll mode ----------------------------------------------------------------

    @precondition(lambda self: self.mode == Mode.ROLL and self.may_refuse("roll"))
    @rule(chosen=st.sets(st.integers(0, 4), min_size=1, max_size=5))
    def put_on_the_roll(self, chosen: set[int]) -> None:
        people = [self.world.voters[i] for i in sorted(chosen)]
        allowed = self.mode == Mode.ROLL and self.status == Status.DRAFT
        size = self.attempt(
            lambda: set_roll(actor=self.world.actor, election=self.handed, people=people),
            set() if allowed else {ValidationFailed},
            "roll",
        )
        if size is None:
            return
        self.roll |= {p.pk for p in people}
        self.electorate = len(self.roll)
        assert size == len(self.roll)
        self.actions.append("ballots.roll.set")

    def vote(self, key: str, person: Person, marks: dict) -> None:
        refusals: set[type] = set()
        if self.status != Status.OPEN or person.pk not in self.roll or person.pk in self.voted:
            refusals.add(CastRefused)
        found, stored = self.problems(marks)
        if found:
            refusals.add(ValidationFailed)
        receipt = self.attempt(
            lambda: vote_on_roll(election=self.handed, person=person, marks=marks),
            refusals,
            key,
        )
        if receipt is None:
            return
        assert stored is not None and receipt not in self.receipts
        self.voted.add(person.pk)
        self.roll_credentials += 1
        self.ballots.append((stored, Channel.ONLINE))
        self.receipts.append(receipt)

    @precondition(lambda self: self.mode == Mode.ROLL and self.may_refuse("vote"))
    @rule(data=st.data(), waiting=st.booleans(), index=st.integers(0, 4))
    def vote_on_the_roll(self, data: st.DataObject, waiting: bool, index: int) -> None:
        """Often someone on the roll who has not voted yet (else few roll votes would be
        stored at all), otherwise any of the five, on the roll or not."""
        due = [p for p in self.world.voters if p.pk in self.roll and p.pk not in self.voted]
        person = (
            data.draw(st.sampled_from(due), label="voter")
            if waiting and due
            else self.world.voters[index]
        )
        self.vote("vote", person, self.draw_marks(data))

    @precondition(lambda self: self.voted and self.may_refuse("vote again"))
    @rule(data=st.data())
    def vote_on_the_roll_again(self, data: st.DataObject) -> None:
        voter = data.draw(st.sampled_from(sorted(self.voted)), label="voter")
        person = next(p for p in self.world.voters if p.pk == voter)
        self.vote("vote again", person, self.draw_marks(data))

    # --- invariants -----------------------------------------------------------------------

    @invariant()
    def the_status_is_the_models(self) -> None:
        assert self.now().status == self.status

    @invariant()
    def ballots_equal_used_credentials(self) -> None:
        seen = self.now()
        used = Counter(ch for _d, is_used, ch in seen.credentials if is_used)
        cast = Counter(ch for _m, ch in seen.ballots)
        assert cast == used, f"ballots {dict(cast)} ≠ used credentials {dict(used)}"
        assert len(seen.ballots) == len(self.ballots)
        assert all(ch == "" for _d, is_used, ch in seen.credentials if not is_used)

    @invariant()
    def online_ballots_equal_receipts(self) -> None:
        seen = self.now()
        online = sum(ch == Channel.ONLINE for _m, ch in seen.ballots)
        assert online == len(seen.receipts)
        assert seen.receipts == tuple(sorted(self.receipts))

    @invariant()
    def the_stored_ballots_are_those_cast(self) -> None:
        expected = sorted((canonical_json(m), ch) for m, ch in self.ballots)
        assert list(self.now().ballots) == expected

    @invariant()
    def credentials_and_roll_are_the_models(self) -> None:
        seen = self.now()
        by_digest = {d: (is_used, ch) for d, is_used, ch in seen.credentials}
        for code, channel in self.slips.items():
            assert by_digest.pop(self.digests[code]) == (channel is not None, channel or "")
        # What is left are the roll's credentials: one per vote on the roll, each used.
        assert sorted(by_digest.values()) == [(True, Channel.ONLINE)] * self.roll_credentials
        assert seen.roll == tuple(sorted((pk, pk in self.voted) for pk in self.roll))
        assert seen.electorate == self.electorate

    @invariant()
    def nothing_is_cast_after_close(self) -> None:
        if self.cast_at_close is not None:
            assert len(self.now().ballots) == self.cast_at_close == len(self.ballots)

    @invariant()
    def online_lists_are_within_their_quota(self) -> None:
        specs = {str(spec.id): spec for spec in self.lists}
        for marks_json, channel in self.now().ballots:
            for key, marked in json.loads(marks_json).items():
                spec = specs[key]
                assert set(marked) <= set(spec.candidates)
                if channel == Channel.ONLINE:
                    assert len(set(marked)) == len(marked) <= spec.quota

    @invariant()
    def administration_is_audited_and_casting_is_not(self) -> None:
        seen = self.now()
        assert list(seen.actions) == self.actions
        assert seen.audit_entries == self.world.audit_entries + len(self.actions)

    @invariant()
    def results_exist_only_after_the_tally_and_are_the_models(self) -> None:
        seen = self.now()
        if self.status not in COUNTED:
            assert seen.results is None and seen.digest == ""
            return
        assert seen.results is not None
        assert seen.digest == seen.results.digest == seen.results.recomputed == self.digest
        self.assert_tally_is_the_models(
            Tally(seen.results.ballots, tuple(line.result for line in seen.results.lists))
        )
        online = sum(ch == Channel.ONLINE for _m, ch in self.ballots)
        assert (seen.results.online, seen.results.paper, seen.results.receipts) == (
            online, len(self.ballots) - online, len(self.receipts)
        )  # fmt: skip
        participants = len(self.voted) if self.mode == Mode.ROLL else len(self.ballots)
        assert seen.results.turnout.participants == participants

    @invariant()
    def the_turnout_is_the_models_and_no_figures_before_the_tally(self) -> None:
        seen = self.now()
        if seen == self._turnout_seen:
            return  # nothing happened since the last check
        self._turnout_seen = seen
        self.assert_turnout_is_the_models(self.election())

    def assert_turnout_is_the_models(self, election: Election) -> None:
        """What the election's page shows at any time: how many took part, of how many;
        and before the tally no figures at all."""
        turnout = turnout_of(election)
        slips_used = sum(channel is not None for channel in self.slips.values())
        expected = len(self.voted) if self.mode == Mode.ROLL else slips_used
        assert (turnout.participants, turnout.electorate) == (expected, self.electorate)
        if self.status not in COUNTED:
            with pytest.raises(NotCounted):
                results_of(election)

    @invariant()
    def the_other_election_is_untouched(self) -> None:
        assert self.now().elsewhere == (self.world.elections, 0, 0, 0)


LIFECYCLE = settings(
    max_examples=500,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.mark.django_db
def test_the_election_life_cycle_keeps_its_invariants(school, candidates) -> None:
    """T4: 500 random life cycles of an election, each from a clean start."""
    voters = tuple(make_person(school) for _ in range(5))
    other, other_codes = make_election(school, candidates, slips=2)
    world = World(
        actor=make_user(Role.PERSONNEL, school=school),
        school=school,
        school_candidates=tuple(candidates),
        voters=voters,
        other=other,
        other_codes=tuple(other_codes),
        elections=Election.objects.count(),
        audit_entries=AuditEntry.objects.count(),
    )
    machine = type("ElectionLifecycleRun", (ElectionLifecycle,), {"world": world})
    run_state_machine_as_test(machine, settings=LIFECYCLE)
    # The examples' savepoints were all rolled back.
    assert Election.objects.count() == world.elections
    assert AuditEntry.objects.count() == world.audit_entries
    assert not Ballot.objects.exists() and not Receipt.objects.exists()
